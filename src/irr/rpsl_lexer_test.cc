#include "irr/rpsl_lexer.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace vigia::irr {
namespace {

struct Lexed {
  std::string cls;
  uint64_t line = 0;
  std::vector<std::pair<std::string, std::string>> attrs;  // key, CleanValue
};

struct LexResult {
  std::vector<Lexed> objects;
  ProblemLog problems;
  ReaderStats stats;
};

bool KeepAll(std::string_view c) {
  return c == "route" || c == "route6" || c == "as-set" || c == "aut-num" || c == "mntner" ||
         c == "route-set";
}

LexResult Lex(const std::string& text, size_t buffer_size = 1 << 20) {
  LexResult r;
  auto in = io::InputStream::FromMemory(
      std::span<const std::byte>(reinterpret_cast<const std::byte*>(text.data()), text.size()));
  RpslReader reader(in.get(), "t.db", KeepAll, &r.problems, {}, {.buffer_size = buffer_size});
  RpslObject o;
  while (reader.Next(&o)) {
    Lexed l{std::string(o.class_name), o.line, {}};
    for (const RpslAttribute& a : o.attributes) l.attrs.emplace_back(a.key, CleanValue(a.raw));
    r.objects.push_back(std::move(l));
  }
  r.stats = reader.stats();
  return r;
}

TEST(RpslLexer, AttributesContinuationsAndComments) {
  LexResult r =
      Lex("# a comment before the first object\n"
          "% and a whois remark\n"
          "\n"
          "route-set:  RS-X\n"
          "members:    192.0.2.0/24,   # first\n"
          "            198.51.100.0/24,\n"
          "+\n"
          "\t203.0.113.0/24^+\n"
          "# a comment line inside the object\n"
          "mp-members: 2001:db8::/32\n"
          "source:     RADB  # trailing comment\n");
  ASSERT_EQ(r.objects.size(), 1u);
  const Lexed& o = r.objects[0];
  EXPECT_EQ(o.cls, "route-set");
  EXPECT_EQ(o.line, 4u);
  ASSERT_EQ(o.attrs.size(), 4u);
  EXPECT_EQ(o.attrs[1].first, "members");
  EXPECT_EQ(o.attrs[1].second, "192.0.2.0/24 198.51.100.0/24 203.0.113.0/24^+");
  EXPECT_EQ(o.attrs[2].second, "2001:db8::/32");
  EXPECT_EQ(o.attrs[3].second, "RADB");
  EXPECT_EQ(r.problems.count(), 0u);
}

TEST(RpslLexer, KeysAndClassesAreCaseInsensitive) {
  LexResult r = Lex("ROUTE: 192.0.2.0/24\nOrigin: AS1\n\nAut-Num: AS1\n");
  ASSERT_EQ(r.objects.size(), 2u);
  EXPECT_EQ(r.objects[0].cls, "route");
  EXPECT_TRUE(KeyIs(std::string_view("Origin"), "origin"));
  EXPECT_FALSE(KeyIs(std::string_view("Origins"), "origin"));
  EXPECT_EQ(r.objects[1].cls, "aut-num");
}

TEST(RpslLexer, CrlfLineEndsAndWhitespaceOnlySeparators) {
  LexResult r =
      Lex("route: 192.0.2.0/24\r\norigin: AS1\r\n\r\nroute: 198.51.100.0/24\r\n"
          "origin: AS2\r\n  \t \r\nmntner: M\r\n");
  ASSERT_EQ(r.objects.size(), 3u);
  EXPECT_EQ(r.objects[0].attrs[1].second, "AS1");
  EXPECT_EQ(r.objects[1].attrs[0].second, "198.51.100.0/24");
  EXPECT_EQ(r.objects[2].cls, "mntner");
  EXPECT_EQ(r.stats.lines, 7u);
}

TEST(RpslLexer, UnwantedClassesAreSkippedUnreadAndUnknownOnesReported) {
  LexResult r =
      Lex("person: Someone\naddress: x\n\n"
          "inetnum: 192.0.2.0 - 192.0.2.255\nnetname: X\n\n"
          "mnt: MAINT-X\nsource: RADB\n\n"
          "route: 192.0.2.0/24\norigin: AS1\n");
  ASSERT_EQ(r.objects.size(), 1u);
  EXPECT_EQ(r.stats.objects, 4u);
  ASSERT_EQ(r.problems.count(), 1u);
  EXPECT_EQ(r.problems.kept()[0].where, "t.db:7");
  EXPECT_NE(r.problems.kept()[0].message.find("unknown class \"mnt\""), std::string::npos);
}

TEST(RpslLexer, MalformedLinesAreReportedWithTheirLine) {
  LexResult r =
      Lex("route: 192.0.2.0/24\n"
          "this line has no colon\n"
          "  and its continuation is dropped with it\n"
          "origin: AS1\n"
          "\n"
          "   stray continuation\n"
          "origin: AS2\n"
          "\n"
          "bad key: value\n"
          "\n"
          "mntner: M\n");
  ASSERT_EQ(r.objects.size(), 2u);
  ASSERT_EQ(r.objects[0].attrs.size(), 2u);
  EXPECT_EQ(r.objects[0].attrs[1].second, "AS1");
  EXPECT_EQ(r.objects[1].cls, "mntner");
  ASSERT_EQ(r.problems.count(), 3u);
  EXPECT_EQ(r.problems.kept()[0].where, "t.db:2");
  EXPECT_EQ(r.problems.kept()[1].where, "t.db:6");
  EXPECT_EQ(r.problems.kept()[2].where, "t.db:9");
  EXPECT_EQ(r.stats.objects_skipped, 2u);
}

TEST(RpslLexer, ObjectsSplitAcrossEveryChunkBoundaryLexTheSame) {
  std::string text;
  for (int i = 0; i < 40; ++i) {
    text += "route:  10." + std::to_string(i) + ".0.0/16\r\n";
    text += "descr:  an object with\n  a continuation\n+ and a plus line\n";
    text += "origin: AS" + std::to_string(64496 + i) + "  # comment\n";
    text += "source: TEST\n\n";
    if (i % 7 == 0) text += "person: skipped\naddress: somewhere\n\n";
  }
  LexResult whole = Lex(text);
  ASSERT_EQ(whole.objects.size(), 40u);
  for (size_t chunk : {16u, 17u, 31u, 64u, 100u, 257u, 4096u}) {
    LexResult r = Lex(text, chunk);
    ASSERT_EQ(r.objects.size(), 40u) << "chunk " << chunk;
    for (size_t i = 0; i < 40; ++i) {
      EXPECT_EQ(r.objects[i].attrs, whole.objects[i].attrs) << "chunk " << chunk << " object " << i;
      EXPECT_EQ(r.objects[i].line, whole.objects[i].line);
    }
    EXPECT_EQ(r.problems.count(), 0u);
    EXPECT_EQ(r.stats.bytes, text.size());
  }
}

TEST(RpslLexer, EmptyAndBlankInputsGiveNothing) {
  for (const char* t : {"", "\n", "\n\n\r\n", "# only a comment", "   \n\t\n"}) {
    LexResult r = Lex(t);
    EXPECT_TRUE(r.objects.empty()) << t;
    EXPECT_EQ(r.problems.count(), 0u) << t;
  }
}

// A file cut inside "origin: AS12726" ends "origin: AS127" with no newline:
// answering from it would match the wrong AS, so the object is dropped and
// the cut reported and counted (the exit status then says so).
TEST(RpslLexer, LastObjectCutInsideALineIsSkippedAndReported) {
  LexResult r = Lex("route: 192.0.2.0/24\norigin: AS12726\n\nroute: 192.0.2.0/24\norigin: AS127");
  ASSERT_EQ(r.objects.size(), 1u);
  EXPECT_EQ(r.objects[0].attrs[1].second, "AS12726");
  ASSERT_EQ(r.problems.count(), 1u);
  EXPECT_EQ(r.problems.kept()[0].where, "t.db:5");
  EXPECT_NE(r.problems.kept()[0].message.find("truncated"), std::string::npos);
}

TEST(RpslLexer, CutCommentOrBlankLastLineIsNotATruncation) {
  for (const char* t :
       {"route: 192.0.2.0/24\norigin: AS1\n\n# end", "route: 192.0.2.0/24\norigin: AS1\n  "}) {
    LexResult r = Lex(t);
    EXPECT_EQ(r.objects.size(), 1u) << t;
    EXPECT_EQ(r.problems.count(), 0u) << t;
  }
}

TEST(RpslLexer, OversizedObjectIsSkippedAndTheNextOneRead) {
  std::string text = "as-set: AS-BIG\n";
  const std::string line = "members: AS1, AS2, AS3, AS4, AS5, AS6, AS7, AS8, AS9, AS10, AS11\n";
  while (text.size() <= kMaxObjectBytes + line.size()) text += line;
  text += "\nroute: 192.0.2.0/24\norigin: AS1\n";
  LexResult r = Lex(text, 1 << 16);
  ASSERT_EQ(r.objects.size(), 1u);
  EXPECT_EQ(r.objects[0].cls, "route");
  ASSERT_EQ(r.problems.count(), 1u);
  EXPECT_EQ(r.problems.kept()[0].where, "t.db:1");
  EXPECT_NE(r.problems.kept()[0].message.find("longer than 16 MiB"), std::string::npos);
}

TEST(RpslLexer, OverlongLineIsDroppedInBoundedMemory) {
  std::string text = "route: 192.0.2.0/24\ndescr: ";
  text.append(kMaxLineBytes + 10, 'x');
  text += "\norigin: AS1\n\nroute: 198.51.100.0/24\norigin: AS2\n";
  LexResult r = Lex(text, 1 << 16);
  ASSERT_EQ(r.objects.size(), 1u);
  EXPECT_EQ(r.objects[0].attrs[0].second, "198.51.100.0/24");
  ASSERT_EQ(r.problems.count(), 1u);
  EXPECT_EQ(r.problems.kept()[0].where, "t.db:2");
}

TEST(RpslLexer, OversizedAttributeIsDroppedAndTheObjectKept) {
  std::string text = "route-set: RS-X\nmembers: 192.0.2.0/24\n";
  while (text.size() < kMaxAttributeBytes + 100) text += "  198.51.100.0/24,\n";
  text += "source: X\n";
  LexResult r = Lex(text);
  ASSERT_EQ(r.objects.size(), 1u);
  ASSERT_EQ(r.objects[0].attrs.size(), 2u);
  EXPECT_EQ(r.objects[0].attrs[1].first, "source");
  ASSERT_EQ(r.problems.count(), 1u);
  EXPECT_EQ(r.problems.kept()[0].where, "t.db:2");
}

TEST(RpslLexer, GarbageDoesNotStopTheReader) {
  std::string text;
  for (int i = 0; i < 5000; ++i) text += static_cast<char>((i * 7919) % 251 + 1);
  text += "\n\nroute: 192.0.2.0/24\norigin: AS1\n";
  LexResult r = Lex(text, 64);
  ASSERT_FALSE(r.objects.empty());
  EXPECT_EQ(r.objects.back().cls, "route");
  EXPECT_GT(r.problems.count(), 0u);
  for (const LoadProblem& p : r.problems.kept()) EXPECT_FALSE(p.message.empty());
}

TEST(RpslLexer, ClassNameCapIsEnforced) {
  LexResult r = Lex(std::string(40, 'a') + ": x\n\nroute: 192.0.2.0/24\norigin: AS1\n");
  EXPECT_EQ(r.objects.size(), 1u);
  EXPECT_EQ(r.problems.count(), 1u);
}

TEST(RpslLexer, TokensIgnoreCommentsCommasAndPlusMarkers) {
  std::vector<std::string> toks;
  ForEachToken(" AS1,AS2 ,, AS3 # AS4\n+AS5\n\tAS6#x\n# AS7\n  AS8\r",
               [&](std::string_view t) { toks.emplace_back(t); });
  EXPECT_EQ(toks, (std::vector<std::string>{"AS1", "AS2", "AS3", "AS5", "AS6", "AS8"}));
  EXPECT_EQ(FirstToken("  # nothing"), "");
  EXPECT_EQ(FirstToken("  AS1 AS2"), "AS1");
  EXPECT_EQ(CleanValue(" Some   Name #c\n  more"), "Some Name more");
}

TEST(ProblemLog, KeepsTheFirstThousandAndCountsAll) {
  ProblemLog log;
  for (size_t i = 0; i < kMaxProblemsKept + 5; ++i) log.Add("w", "m");
  EXPECT_EQ(log.kept().size(), kMaxProblemsKept);
  EXPECT_EQ(log.count(), kMaxProblemsKept + 5);
}

}  // namespace
}  // namespace vigia::irr
