// The ClickHouse store's quoting and data formats (clickhouse_sql.h), with
// hostile input and no server: every byte string becomes one literal that
// nothing can end early; names outside the identifier rule are refused;
// RowBinary bytes and TabSeparated parsing follow ClickHouse's formats.
// (clickhouse_store_test.cc sends the same hostile strings to a real server
// and reads them back.)
#include "store/clickhouse_sql.h"

#include <gtest/gtest.h>

#include <bit>
#include <random>

namespace vigia::store::clickhouse {
namespace {

// Reads a literal SqlString wrote back as ClickHouse's lexer would: the
// index just past its closing quote, and the value; npos when the literal
// does not close where it should.
std::pair<size_t, std::string> Lex(const std::string& sql) {
  std::string v;
  if (sql.empty() || sql[0] != '\'') return {std::string::npos, v};
  for (size_t i = 1; i < sql.size(); ++i) {
    const char c = sql[i];
    if (c == '\'') return {i + 1, v};
    if (c != '\\') {
      v += c;
      continue;
    }
    if (++i >= sql.size()) return {std::string::npos, v};
    switch (sql[i]) {
      case 'n':
        v += '\n';
        break;
      case 't':
        v += '\t';
        break;
      case 'r':
        v += '\r';
        break;
      case 'b':
        v += '\b';
        break;
      case 'f':
        v += '\f';
        break;
      case '0':
        v += '\0';
        break;
      case 'x': {
        v += static_cast<char>(std::stoi(sql.substr(i + 1, 2), nullptr, 16));
        i += 2;
        break;
      }
      default:
        v += sql[i];
    }
  }
  return {std::string::npos, v};
}

TEST(ClickHouseSql, HostileStringsStayOneLiteral) {
  const std::string hostile[] = {
      "",
      "'",
      "\\",
      "\\'",
      "'; DROP TABLE incidents; --",
      "x' OR 1 = 1 OR 'x",
      "\\' OR 1 = 1 --",
      "'' OR ''='",
      std::string("a\0b", 3),
      "line\nbreak\r\ttab",
      "\x1b[31m\x7f",
      "\xff\xfe invalid UTF-8 \xc3",
      "`backtick` \"double\" {braces} ?param",
      "Ω unicode 漢字",
  };
  for (const std::string& s : hostile) {
    const std::string lit = SqlString(s);
    const auto [end, value] = Lex(lit);
    EXPECT_EQ(end, lit.size()) << "literal ends early: " << lit;
    EXPECT_EQ(value, s);
    // Nothing unescaped that could end it, and no raw control bytes.
    for (size_t i = 1; i + 1 < lit.size(); ++i) {
      const auto c = static_cast<unsigned char>(lit[i]);
      EXPECT_TRUE(c >= 0x20 && c != 0x7f) << "raw control byte in " << lit;
    }
  }
}

TEST(ClickHouseSql, EveryByteRoundTrips) {
  std::mt19937 rng(18);
  for (int n = 0; n < 2000; ++n) {
    std::string s(rng() % 40, '\0');
    for (char& c : s) c = static_cast<char>(rng() & 0xff);
    const std::string lit = SqlString(s);
    const auto [end, value] = Lex(lit);
    ASSERT_EQ(end, lit.size());
    ASSERT_EQ(value, s);
  }
}

TEST(ClickHouseSql, NamesOutsideTheIdentifierRuleAreRefused) {
  EXPECT_EQ(SqlName("vigia_test_1").value_or(""), "`vigia_test_1`");
  for (const char* bad :
       {"", "1abc", "a-b", "a`b", "a b", "db; DROP DATABASE x", "a.b", "é", "`x`"}) {
    EXPECT_FALSE(SqlName(bad).has_value()) << bad;
  }
  EXPECT_FALSE(SqlName(std::string(64, 'a')).has_value());
}

TEST(ClickHouseSql, NumbersAreFormattedNotPasted) {
  EXPECT_EQ(SqlInt(-9223372036854775807LL - 1), "-9223372036854775808");
  EXPECT_EQ(SqlIntList({1, -2}), "(1, -2)");
  EXPECT_EQ(SqlIntList({}), "(-1)");  // an IN () that matches no id
  EXPECT_EQ(SqlStringList({"a'b"}), "('a\\'b')");
}

TEST(ClickHouseSql, DayNumberIsDaysSinceTheEpochOrZero) {
  EXPECT_EQ(DayNumber("1970-01-01"), 0);
  EXPECT_EQ(DayNumber("2026-11-22"), 20779);
  EXPECT_EQ(DayNumber("2000-03-01"), 11017);
  EXPECT_EQ(DayNumber("2026-13-01"), 0);
  EXPECT_EQ(DayNumber("20261122"), 0);
  EXPECT_EQ(DayNumber("9999"), 0);
}

TEST(ClickHouseSql, RowBinaryIsLittleEndianWithLeb128Strings) {
  RowBinary b;
  b.Int64(-2);
  b.String(std::string(200, 'x'));
  b.NullableFloat64(std::nullopt);
  b.NullableFloat64(0.1);
  const std::string& d = b.data();
  ASSERT_EQ(d.size(), 8u + 2 + 200 + 1 + 9);
  EXPECT_EQ(static_cast<unsigned char>(d[0]), 0xfe);
  EXPECT_EQ(static_cast<unsigned char>(d[7]), 0xff);
  EXPECT_EQ(static_cast<unsigned char>(d[8]), 0xc8);  // 200 = 0x48 | 0x80, then 1
  EXPECT_EQ(static_cast<unsigned char>(d[9]), 0x01);
  EXPECT_EQ(d[210], 1);  // NULL
  EXPECT_EQ(d[211], 0);
  uint64_t bits = 0;
  for (int i = 0; i < 8; ++i) bits |= uint64_t{static_cast<unsigned char>(d[212 + i])} << (8 * i);
  EXPECT_EQ(std::bit_cast<double>(bits), 0.1);
}

TEST(ClickHouseSql, TabSeparatedAnswersParse) {
  auto rows = ParseTsv("a\\tb\t\\N\t1\n\t\\\\\\n\t\\'\n");
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ(*(*rows)[0][0], "a\tb");
  EXPECT_FALSE((*rows)[0][1].has_value());
  EXPECT_EQ(*(*rows)[1][0], "");
  EXPECT_EQ(*(*rows)[1][1], "\\\n");
  EXPECT_EQ(*(*rows)[1][2], "'");
  EXPECT_TRUE(ParseTsv("").ok());
  EXPECT_FALSE(ParseTsv("a\tb\nc\n").ok());  // ragged
  EXPECT_FALSE(ParseTsv("a\\q\n").ok());     // unknown escape
  EXPECT_FALSE(ParseTsv("a").ok());          // no final newline
  EXPECT_FALSE(ParseTsv("a\\").ok());
}

}  // namespace
}  // namespace vigia::store::clickhouse
