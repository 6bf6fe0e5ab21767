#include "vgi/base/csv.hpp"

#include <gtest/gtest.h>

namespace vgi {
namespace {

std::vector<std::string> Split(std::string_view line) {
  auto r = SplitCsvLine(line);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : std::vector<std::string>{};
}

TEST(Csv, CellQuotesWhatNeedsIt) {
  EXPECT_EQ(CsvCell("plain"), "plain");
  EXPECT_EQ(CsvCell("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvCell("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvCell("=SUM(A1)"), "\"'=SUM(A1)\"");
  EXPECT_EQ(CsvCell(""), "");
  EXPECT_EQ(CsvField("=x"), "=x");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
}

TEST(Csv, SplitsPlainQuotedAndEmptyFields) {
  EXPECT_EQ(Split("a,b,c"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(Split("a,,c\r"), (std::vector<std::string>{"a", "", "c"}));
  EXPECT_EQ(Split("a,"), (std::vector<std::string>{"a", ""}));
  EXPECT_EQ(Split(""), (std::vector<std::string>{""}));
  EXPECT_EQ(Split("\"a,b\",\"say \"\"hi\"\"\",\"\""), (std::vector<std::string>{"a,b", "say \"hi\"", ""}));
}

TEST(Csv, SplitRoundTripsCells) {
  const std::vector<std::string> values = {"x", "a,b", "q\"q", "台区 7"};
  std::string line;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) line += ',';
    line += CsvCell(values[i]);
  }
  EXPECT_EQ(Split(line), values);
}

TEST(Csv, SplitNamesTheBadField) {
  auto open = SplitCsvLine("a,\"b,c");
  ASSERT_FALSE(open.ok());
  EXPECT_EQ(open.status().message(), "field 2: the quote opened here is not closed on this line");
  auto after = SplitCsvLine("\"a\"b,c");
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.status().message(), "field 1: text after the closing quote");
  auto inner = SplitCsvLine("a,b\"c");
  ASSERT_FALSE(inner.ok());
  EXPECT_EQ(inner.status().message(),
            "field 2: a quote inside an unquoted field (quote the whole field and double the quote)");
}

}  // namespace
}  // namespace vgi
