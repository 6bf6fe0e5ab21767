#include "vgi/base/csv.hpp"

namespace vgi {

namespace {

std::string Quoted(std::string_view prefix, std::string_view value) {
  std::string out = "\"";
  out += prefix;
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace

std::string CsvField(std::string_view value) {
  if (value.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(value);
  return Quoted("", value);
}

std::string CsvCell(std::string_view value) {
  const bool formula =
      !value.empty() && (value[0] == '=' || value[0] == '+' || value[0] == '-' || value[0] == '@' || value[0] == '\t');
  // A spreadsheet shows a formula-like value as text when it starts with an apostrophe.
  return formula ? Quoted("'", value) : CsvField(value);
}

Result<std::vector<std::string>> SplitCsvLine(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::vector<std::string> fields;
  std::size_t i = 0;
  while (true) {
    const std::string where = "field " + std::to_string(fields.size() + 1);
    std::string field;
    if (i < line.size() && line[i] == '"') {
      ++i;
      bool closed = false;
      while (i < line.size()) {
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          closed = true;
          break;
        }
        field += line[i++];
      }
      if (!closed) return Status::Invalid(where + ": the quote opened here is not closed on this line");
      if (i < line.size() && line[i] != ',') return Status::Invalid(where + ": text after the closing quote");
    } else {
      const std::size_t comma = line.find(',', i);
      const std::size_t end = comma == std::string_view::npos ? line.size() : comma;
      field.assign(line.substr(i, end - i));
      if (field.find('"') != std::string::npos) {
        return Status::Invalid(where + ": a quote inside an unquoted field (quote the whole field and double the quote)");
      }
      i = end;
    }
    fields.push_back(std::move(field));
    if (i >= line.size()) break;
    ++i;  // the comma
    if (i == line.size()) {
      fields.emplace_back();  // a trailing comma ends with an empty field
      break;
    }
  }
  return fields;
}

}  // namespace vgi
