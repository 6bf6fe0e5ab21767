#include "vgi/store/audit_chain.hpp"

#include <openssl/evp.h>

#include <array>
#include <memory>

namespace vgi::store {
namespace {

void AppendField(std::string& out, std::string_view field) {
  const auto n = static_cast<std::uint64_t>(field.size());
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  out.append(field);
}

}  // namespace

std::string AuditHash(const AuditRow& row) {
  std::string bytes = "vgi-audit-v1";
  const auto at = std::chrono::duration_cast<std::chrono::microseconds>(row.at.time_since_epoch()).count();
  AppendField(bytes, std::to_string(row.seq));
  AppendField(bytes, std::to_string(at));
  for (std::string_view f :
       {std::string_view(row.username), std::string_view(row.source), std::string_view(row.operation),
        std::string_view(row.object), std::string_view(row.result), std::string_view(row.detail),
        std::string_view(row.prev_hash)}) {
    AppendField(bytes, f);
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), md.data(), &len, EVP_sha256(), nullptr) != 1) {
    return std::string();  // never equal to a stored hash: verification fails loudly
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * len);
  for (unsigned int i = 0; i < len; ++i) {
    hex.push_back(kHex[md[i] >> 4]);
    hex.push_back(kHex[md[i] & 0xf]);
  }
  return hex;
}

std::optional<AuditBreak> VerifyAuditChain(std::span<const AuditRow> rows, std::int64_t expected_seq,
                                           std::string_view prev_hash) {
  std::string prev(prev_hash);
  for (const AuditRow& row : rows) {
    const std::string at = "row " + std::to_string(row.seq);
    if (row.seq != expected_seq) {
      return AuditBreak{row.seq, at + ": expected row " + std::to_string(expected_seq) + " here (" +
                                     (row.seq > expected_seq ? "rows deleted?" : "rows inserted or reordered?") + ")"};
    }
    if (row.prev_hash != prev) {
      return AuditBreak{row.seq, at + ": it does not follow the previous row's hash (a row before it was edited, "
                                      "deleted or inserted?)"};
    }
    if (AuditHash(row) != row.hash) {
      return AuditBreak{row.seq, at + ": its hash does not match its content (edited?)"};
    }
    prev = row.hash;
    ++expected_seq;
  }
  return std::nullopt;
}

}  // namespace vgi::store
