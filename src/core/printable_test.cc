#include "core/printable.h"

#include <gtest/gtest.h>

#include <string>

namespace vigia {
namespace {

TEST(Printable, PrintableTextIsUnchanged) {
  EXPECT_EQ(Printable("bad prefix '10.0.0.0/33'"), "bad prefix '10.0.0.0/33'");
  EXPECT_EQ(Printable("Telefónica 日本"), "Telefónica 日本");  // valid UTF-8 stays
  EXPECT_EQ(Printable(""), "");
}

TEST(Printable, AnsiEscapesCannotReachTheTerminal) {
  EXPECT_EQ(Printable("\x1b[2J\x1b]0;owned\x07"), "\\x1b[2J\\x1b]0;owned\\x07");
}

TEST(Printable, NulDoesNotCutTheMessage) {
  const std::string out = Printable(std::string("AS1\0tail", 8));
  EXPECT_EQ(out, "AS1\\x00tail");
  EXPECT_EQ(out.find('\0'), std::string::npos);
}

TEST(Printable, LineBreaksDelAndBackslashAreEscaped) {
  EXPECT_EQ(Printable("a\nb\rc\td\x7f"), "a\\x0ab\\x0dc\\x09d\\x7f");
  EXPECT_EQ(Printable("C:\\x"), "C:\\\\x");  // so "\x41" in input stays distinguishable
}

TEST(Printable, MalformedUtf8IsEscapedBytewise) {
  EXPECT_EQ(Printable("\xff\xfe"), "\\xff\\xfe");
  EXPECT_EQ(Printable("\xc3"), "\\xc3");                    // cut sequence
  EXPECT_EQ(Printable("\xc0\xaf"), "\\xc0\\xaf");           // overlong '/'
  EXPECT_EQ(Printable("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // surrogate
  EXPECT_EQ(Printable("\xe2\x80\xae"), "\xe2\x80\xae");     // valid (RLO) stays UTF-8
}

TEST(Printable, C1ControlsAreEscaped) {
  // U+009B (CSI) clears the screen on a terminal that takes 8-bit controls.
  EXPECT_EQ(Printable("\xc2\x9b"
                      "2J"),
            "\\xc2\\x9b2J");
  EXPECT_EQ(Printable("\xc2\xa0"), "\xc2\xa0");  // U+00A0 is text
}

TEST(Printable, HeadCutsLongValues) {
  EXPECT_EQ(PrintableHead(std::string(100, 'a'), 4), "aaaa...");
  EXPECT_EQ(PrintableHead("ab", 4), "ab");
}

}  // namespace
}  // namespace vigia
