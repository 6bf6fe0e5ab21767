#include "vgi/server/master_key.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <openssl/rand.h>

#include "vgi/proto/crypto.hpp"
#include "vgi/store/sealer.hpp"

namespace vgi::server {
namespace {

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

}  // namespace

Result<std::string> LoadOrCreateMasterKey(const std::string& data_dir, bool create) {
  namespace fs = std::filesystem;
  const std::string path = (fs::path(data_dir) / kMasterKeyFile).string();
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno != ENOENT) return Status::Io(Errno(path));
    if (!create) return Status::NotFound(path + ": no master key (run `vgi serve` once, or check data_dir)");
    std::error_code ec;
    fs::create_directories(data_dir, ec);
    if (ec) return Status::Io(data_dir + ": cannot create data_dir: " + ec.message());
    ::chmod(data_dir.c_str(), 0700);
    std::string key(store::kMasterKeyBytes, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), static_cast<int>(key.size())) != 1) {
      return Status::Internal("master key: the random generator failed");
    }
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return Status::Io(Errno(path + ": cannot create the master key"));
    const bool ok = ::write(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) {
      ::unlink(path.c_str());
      return Status::Io(Errno(path + ": cannot write the master key"));
    }
    return key;
  }
  if ((st.st_mode & 077) != 0) {
    return Status::Invalid(path + ": readable by group or others; run `chmod 600 " + path +
                           "` (it protects every peer secret)");
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::Io(Errno(path));
  std::string key(store::kMasterKeyBytes + 1, '\0');
  const ssize_t n = ::read(fd, key.data(), key.size());
  ::close(fd);
  if (n != static_cast<ssize_t>(store::kMasterKeyBytes)) {
    return Status::Invalid(path + ": not a master key (must be exactly 32 bytes); restore it from backup");
  }
  key.resize(store::kMasterKeyBytes);
  return key;
}

proto::TokenKey DeriveTokenKey(const std::string& master_key) {
  auto mac = proto::HmacKey::Create(proto::HmacKey::Digest::kSha256, master_key);
  // The key is 32 bytes, so Create cannot fail.
  return {"m1", proto::HexEncode(mac->Mac({"vgi token signing key v1"}))};
}

}  // namespace vgi::server
