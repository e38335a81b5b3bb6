// Listing parsers (listing.h) on pages shaped like the archives' own:
// Apache mod_autoindex in its <pre> form (data.ris.ripe.net,
// archive.routeviews.org) and its HTMLTable form (publicdata.caida.org,
// ftp.ripe.net), nginx autoindex (the test mirror), and the checksum files
// the RIRs and RIPE's RPKI archive publish. The samples are written by hand
// in those servers' formats.
#include "acquire/listing.h"

#include <gtest/gtest.h>

#include <string>

#include "core/limits.h"

namespace vigia::acquire {
namespace {

// 2024-05-23 00:00 UTC.
constexpr std::time_t kMay23 = 1716422400;

const ListingEntry* Find(const std::vector<ListingEntry>& v, const std::string& name) {
  for (const auto& e : v) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

TEST(Listing, ApachePreFormGivesNamesTimesAndApproximateSizes) {
  const std::string page = R"(<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">
<html>
 <head>
  <title>Index of /rrc00/2024.05</title>
 </head>
 <body>
<h1>Index of /rrc00/2024.05</h1>
<pre><img src="/icons/blank.gif" alt="Icon "> <a href="?C=N;O=D">Name</a>                         <a href="?C=M;O=A">Last modified</a>      <a href="?C=S;O=A">Size</a>  <a href="?C=D;O=A">Description</a><hr><img src="/icons/back.gif" alt="[PARENTDIR]"> <a href="/rrc00/">Parent Directory</a>                                  -
<img src="/icons/compressed.gif" alt="[   ]"> <a href="bview.20240523.0000.gz">bview.20240523.0000.gz</a>        2024-05-23 01:12  1.7G
<img src="/icons/compressed.gif" alt="[   ]"> <a href="updates.20240523.0000.gz">updates.20240523.0000.gz</a>      2024-05-23 00:06  4.2M
<img src="/icons/compressed.gif" alt="[   ]"> <a href="updates.20240523.0005.gz">updates.20240523.0005.gz</a>      2024-05-23 00:11  512
<hr></pre>
</body></html>
)";
  auto r = ParseListing(page);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->size(), 3u);  // no sort links, no parent
  EXPECT_EQ((*r)[0].name, "bview.20240523.0000.gz");
  EXPECT_FALSE((*r)[0].is_dir);
  ASSERT_TRUE((*r)[0].mtime.has_value());
  EXPECT_EQ(*(*r)[0].mtime, kMay23 + 3600 + 12 * 60);
  EXPECT_FALSE((*r)[0].size.has_value());  // "1.7G" is not a byte count
  ASSERT_TRUE((*r)[0].approx_size.has_value());
  EXPECT_EQ(*(*r)[0].approx_size, static_cast<uint64_t>(1.7 * 1024 * 1024 * 1024 + 0.5));
  EXPECT_EQ(*(*r)[1].approx_size, static_cast<uint64_t>(4.2 * 1024 * 1024 + 0.5));
  ASSERT_TRUE((*r)[2].size.has_value());
  EXPECT_EQ(*(*r)[2].size, 512u);
}

TEST(Listing, ApacheTableFormWithDirectoriesAndIconLinks) {
  // CAIDA's publicdata pages: one <tr> per entry, the icon linked too.
  const std::string page =
      R"(<html><head><title>Index of /datasets/as-relationships/serial-2</title></head>
<body><h1>Index of /datasets/as-relationships/serial-2</h1>
  <table>
   <tr><th valign="top"><img src="/icons/blank.gif" alt="[ICO]"></th><th><a href="?C=N;O=D">Name</a></th><th><a href="?C=M;O=A">Last modified</a></th><th><a href="?C=S;O=A">Size</a></th></tr>
   <tr><th colspan="4"><hr></th></tr>
<tr><td valign="top"><a href="/datasets/as-relationships/"><img src="/icons/back.gif" alt="[PARENTDIR]"></a></td><td><a href="/datasets/as-relationships/">Parent Directory</a></td><td>&nbsp;</td><td align="right">  - </td></tr>
<tr><td valign="top"><a href="20240401.as-rel2.txt.bz2"><img src="/icons/compressed.gif" alt="[   ]"></a></td><td><a href="20240401.as-rel2.txt.bz2">20240401.as-rel2.txt.bz2</a></td><td align="right">2024-04-09 17:31  </td><td align="right">3.4M</td></tr>
<tr><td valign="top"><a href="20240501.as-rel2.txt.bz2"><img src="/icons/compressed.gif" alt="[   ]"></a></td><td><a href="20240501.as-rel2.txt.bz2">20240501.as-rel2.txt.bz2</a></td><td align="right">2024-05-08 09:02  </td><td align="right">3.5M</td></tr>
<tr><td valign="top"><img src="/icons/folder.gif" alt="[DIR]"></td><td><a href="README%20files/">README files/</a></td><td align="right">2023-01-01 00:00  </td><td align="right">  - </td></tr>
   <tr><th colspan="4"><hr></th></tr>
</table>
</body></html>
)";
  auto r = ParseListing(page);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->size(), 3u);  // the icon links do not double the entries
  const ListingEntry* may = Find(*r, "20240501.as-rel2.txt.bz2");
  ASSERT_NE(may, nullptr);
  ASSERT_TRUE(may->mtime.has_value());
  EXPECT_EQ(*may->mtime, kMay23 - 15 * 86400 + 9 * 3600 + 2 * 60);
  const ListingEntry* dir = Find(*r, "README files");  // URL-decoded, no '/'
  ASSERT_NE(dir, nullptr);
  EXPECT_TRUE(dir->is_dir);
  EXPECT_FALSE(dir->size.has_value());
  EXPECT_FALSE(dir->approx_size.has_value());
}

TEST(Listing, NginxAutoindexGivesExactSizes) {
  const std::string page = R"(<html>
<head><title>Index of /ris/rrc00/2024.05/</title></head>
<body>
<h1>Index of /ris/rrc00/2024.05/</h1><hr><pre><a href="../">../</a>
<a href="bview.20240523.0000.gz">bview.20240523.0000.gz</a>                             23-May-2024 00:00             1048576
<a href="updates.20240523.0005.gz">updates.20240523.0005.gz</a>                           23-May-2024 00:05               20480
<a href="sub/">sub/</a>                                               22-May-2024 23:59                   -
<a href="a%20b%26c.txt">a b&amp;c.txt</a>                                        01-Jan-2024 12:30:15                  7
</pre><hr></body>
</html>
)";
  auto r = ParseListing(page);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->size(), 4u);
  EXPECT_EQ((*r)[0].name, "bview.20240523.0000.gz");
  EXPECT_EQ(*(*r)[0].size, 1048576u);
  EXPECT_EQ(*(*r)[0].mtime, kMay23);
  EXPECT_EQ(*(*r)[1].mtime, kMay23 + 300);
  EXPECT_TRUE((*r)[2].is_dir);
  EXPECT_EQ((*r)[2].name, "sub");
  EXPECT_EQ((*r)[3].name, "a b&c.txt");
  EXPECT_EQ(*(*r)[3].size, 7u);
}

TEST(Listing, OffSiteAbsoluteAndTraversalLinksAreNotEntries) {
  const std::string page =
      "<a href=\"https://www.ripe.net/\">RIPE NCC</a>\n"
      "<a href=\"//cdn.example/x.js\">x</a>\n"
      "<a href=\"mailto:ris@ripe.net\">mail</a>\n"
      "<a href=\"%2e%2e\">dots</a>\n"
      "<a href=\"a%2fb\">slash</a>\n"
      "<a href='rrc00/'>rrc00/</a>\n"
      "<A HREF=rrc01/>rrc01/</A>\n"
      "<abbr title=\"x\">no anchor</abbr>\n";
  auto r = ParseListing(page);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].name, "rrc00");
  EXPECT_EQ((*r)[1].name, "rrc01");
  EXPECT_TRUE((*r)[1].is_dir);
}

TEST(Listing, EmptyAndLinklessPagesGiveNoEntries) {
  EXPECT_TRUE(ParseListing("")->empty());
  EXPECT_TRUE(ParseListing("<html><body>403 Forbidden</body></html>")->empty());
  EXPECT_TRUE(ParseListing("<a href=\"x")->empty());  // cut off inside the tag
}

TEST(Listing, OverlongTextIsRefused) {
  const std::string big(kMaxFetchedTextBytes + 1, ' ');
  auto r = ParseListing(big);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kLimitExceeded);
}

TEST(Listing, UrlDecodeKeepsMalformedEscapes) {
  EXPECT_EQ(UrlDecode("a%20b"), "a b");
  EXPECT_EQ(UrlDecode("100%"), "100%");
  EXPECT_EQ(UrlDecode("%4"), "%4");
  EXPECT_EQ(UrlDecode("%zz%41"), "%zzA");
}

TEST(Listing, ChecksumsBsdStyle) {
  // As `md5` on BSD and macOS writes it; some RIRs publish this form.
  auto r = ParseChecksums(
      "MD5 (delegated-ripencc-extended-20240523.bz2) = 0123456789ABCDEF0123456789abcdef\n");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(DigestFor(*r, "delegated-ripencc-extended-20240523.bz2"),
            "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(DigestFor(*r,
                      "https://ftp.ripe.net/pub/stats/ripencc/2024/"
                      "delegated-ripencc-extended-20240523.bz2"),
            "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(DigestFor(*r, "delegated-ripencc-extended-20240522.bz2"), "");
}

TEST(Listing, ChecksumsCoreutilsTextAndBinaryModeAndSha256) {
  const std::string sha(64, 'a');
  auto r = ParseChecksums(
      "# a comment\n"
      "d41d8cd98f00b204e9800998ecf8427e  roas.csv.xz\r\n"
      "00112233445566778899aabbccddeeff *output.json.xz\n"
      "\n" +
      sha + "  ./dir/repo.tar.xz\n");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->size(), 3u);
  EXPECT_EQ(DigestFor(*r, "roas.csv.xz"), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(DigestFor(*r, "output.json.xz"), "00112233445566778899aabbccddeeff");
  EXPECT_EQ(DigestFor(*r, "repo.tar.xz"), sha);
}

TEST(Listing, BareDigestIsTheFileItWasPublishedBeside) {
  auto r = ParseChecksums("d41d8cd98f00b204e9800998ecf8427e\n", "delegated-arin-extended-20240523");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(DigestFor(*r, "delegated-arin-extended-20240523"), "d41d8cd98f00b204e9800998ecf8427e");
}

TEST(Listing, ChecksumListWithoutDigestsIsCorrupt) {
  for (const char* text : {"", "\n\n", "<html>404 Not Found</html>", "MD5 (x) = 123",
                           "nothex0123456789abcdef0123456789ab  file"}) {
    auto r = ParseChecksums(text, "x");
    EXPECT_FALSE(r.ok()) << text;
  }
}

}  // namespace
}  // namespace vigia::acquire
