#pragma once
// CSV as RFC 4180 writes it: fields separated by commas, a field quoted when it holds a comma, a
// quote or a line break, a quote inside doubled. Used for the console's downloads and for the
// files an administrator imports (the grid topology). One record per line: a quoted field may not
// span lines (none of vgi's files needs it, and a line number then names every error).
//
// Pure functions; thread-safe.

#include <string>
#include <string_view>
#include <vector>

#include "vgi/base/status.hpp"

namespace vgi {

// One field, quoted only when it holds a comma, a quote or a line break: SplitCsvLine reads it back
// as it was (files vgi writes for itself to read again).
std::string CsvField(std::string_view value);

// One field as written into a download. A value a spreadsheet would evaluate as a formula (it
// starts with = + - @ or a tab) is quoted with a leading ' so it shows as text.
std::string CsvCell(std::string_view value);

// The fields of one line (without its line break; a trailing '\r' is dropped). Invalid when a
// quoted field is not closed ("field 3: the quote opened here is not closed on this line") or
// text follows a closing quote ("field 2: text after the closing quote").
Result<std::vector<std::string>> SplitCsvLine(std::string_view line);

}  // namespace vgi
