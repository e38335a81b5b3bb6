// CSV fields (RFC 4180) with formula neutralisation (OWASP), and text
// escaping for messages and logs.
#include "core/csv.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vigia {
namespace {

// A minimal RFC 4180 reader of one record, to check that what CsvField
// writes reads back as the same field.
std::vector<std::string> ReadRecord(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

TEST(Csv, PlainFieldsStayAsTheyAre) {
  EXPECT_EQ(CsvField("AS64496 Example"), "AS64496 Example");
  EXPECT_EQ(CsvField(""), "");
  EXPECT_EQ(CsvField("lacnic"), "lacnic");
}

TEST(Csv, SeparatorsAndQuotesAreQuotedPerRfc4180) {
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(CsvField("cr\rhere"), "\"cr\rhere\"");
  for (const std::string s : {"a,b", "q\"q", "x\ny", "\"\"", ",,,"}) {
    const auto rec = ReadRecord(CsvField(s) + "," + CsvField("next"));
    ASSERT_EQ(rec.size(), 2u) << s;
    EXPECT_EQ(rec[0], s);
    EXPECT_EQ(rec[1], "next");
  }
}

// as2org names carry =HYPERLINK(...) in the wild: a spreadsheet must show
// them as text.
TEST(Csv, FormulaLookingFieldsAreNeutralised) {
  EXPECT_EQ(CsvField("=HYPERLINK(\"http://x.example\",\"click\")"),
            "\"'=HYPERLINK(\"\"http://x.example\"\",\"\"click\"\")\"");
  for (const std::string s : {"=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"}) {
    EXPECT_TRUE(CsvLooksLikeFormula(s)) << s;
    const std::string f = CsvField(s);
    EXPECT_EQ(f.substr(0, 2), "\"'") << s;
    EXPECT_EQ(ReadRecord(f)[0], "'" + s) << s;
  }
  EXPECT_FALSE(CsvLooksLikeFormula("a=b"));
  EXPECT_FALSE(CsvLooksLikeFormula(""));
}

TEST(Csv, NumbersHaveTwoDecimalsAndNoneIsEmpty) {
  EXPECT_EQ(CsvNumber(12.345678), "12.35");
  EXPECT_EQ(CsvNumber(-3.0), "-3.00");
  EXPECT_EQ(CsvNumber(std::nullopt), "");
}

}  // namespace
}  // namespace vigia
