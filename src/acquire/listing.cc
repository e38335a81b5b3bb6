#include "acquire/listing.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <unordered_map>

#include "core/limits.h"

namespace vigia::acquire {
namespace {

char Lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f'; }
bool IsHex(char c) { return IsDigit(c) || (Lower(c) >= 'a' && Lower(c) <= 'f'); }

// Case-insensitive find of an ASCII needle.
size_t FindNoCase(std::string_view hay, std::string_view needle, size_t from = 0) {
  if (needle.empty() || hay.size() < needle.size()) return std::string_view::npos;
  for (size_t i = from; i + needle.size() <= hay.size(); ++i) {
    size_t k = 0;
    while (k < needle.size() && Lower(hay[i + k]) == Lower(needle[k])) ++k;
    if (k == needle.size()) return i;
  }
  return std::string_view::npos;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// The few entities autoindex pages put in hrefs and cells.
std::string DecodeEntities(std::string_view s) {
  static constexpr std::pair<std::string_view, char> kEntities[] = {
      {"&amp;", '&'},  {"&lt;", '<'},    {"&gt;", '>'},    {"&quot;", '"'},
      {"&#39;", '\''}, {"&#x27;", '\''}, {"&apos;", '\''}, {"&nbsp;", ' '}};
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    bool done = false;
    if (s[i] == '&') {
      for (const auto& [name, c] : kEntities) {
        if (s.substr(i, name.size()) == name) {
          out += c;
          i += name.size();
          done = true;
          break;
        }
      }
    }
    if (!done) out += s[i++];
  }
  return out;
}

// The value of attribute `attr` inside one tag's text ("a href=... "), or
// nullopt.
std::optional<std::string_view> Attribute(std::string_view tag, std::string_view attr) {
  for (size_t at = FindNoCase(tag, attr); at != std::string_view::npos;
       at = FindNoCase(tag, attr, at + 1)) {
    // A whole attribute name: preceded by a space.
    if (at == 0 || !IsSpace(tag[at - 1])) continue;
    size_t i = at + attr.size();
    while (i < tag.size() && IsSpace(tag[i])) ++i;
    if (i >= tag.size() || tag[i] != '=') continue;
    ++i;
    while (i < tag.size() && IsSpace(tag[i])) ++i;
    if (i >= tag.size()) return std::nullopt;
    if (tag[i] == '"' || tag[i] == '\'') {
      const char q = tag[i];
      const size_t end = tag.find(q, i + 1);
      if (end == std::string_view::npos) return std::nullopt;
      return tag.substr(i + 1, end - i - 1);
    }
    size_t end = i;
    while (end < tag.size() && !IsSpace(tag[end])) ++end;
    return tag.substr(i, end - i);
  }
  return std::nullopt;
}

// The text of a cell run with its tags removed and entities undone.
std::string StripTags(std::string_view s) {
  std::string out;
  bool in_tag = false;
  for (char c : s) {
    if (c == '<') {
      in_tag = true;
      out += ' ';
    } else if (c == '>') {
      in_tag = false;
    } else if (!in_tag) {
      out += c;
    }
  }
  return DecodeEntities(out);
}

std::vector<std::string_view> Tokens(std::string_view s) {
  std::vector<std::string_view> t;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && IsSpace(s[i])) ++i;
    const size_t b = i;
    while (i < s.size() && !IsSpace(s[i])) ++i;
    if (i > b) t.push_back(s.substr(b, i - b));
  }
  return t;
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), IsDigit);
}

int Num(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

// "2024-05-23" (Apache) or "23-May-2024" (nginx, and Apache's older
// default) into a broken-down date; false if it is neither.
bool ParseDay(std::string_view d, std::tm* tm) {
  if (d.size() == 10 && d[4] == '-' && d[7] == '-' && AllDigits(d.substr(0, 4)) &&
      AllDigits(d.substr(5, 2)) && AllDigits(d.substr(8, 2))) {
    tm->tm_year = Num(d.substr(0, 4)) - 1900;
    tm->tm_mon = Num(d.substr(5, 2)) - 1;
    tm->tm_mday = Num(d.substr(8, 2));
  } else if (d.size() == 11 && d[2] == '-' && d[6] == '-' && AllDigits(d.substr(0, 2)) &&
             AllDigits(d.substr(7, 4))) {
    static constexpr std::string_view kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                                   "jul", "aug", "sep", "oct", "nov", "dec"};
    const std::string mon{Lower(d[3]), Lower(d[4]), Lower(d[5])};
    const auto* m = std::find(std::begin(kMonths), std::end(kMonths), mon);
    if (m == std::end(kMonths)) return false;
    tm->tm_year = Num(d.substr(7, 4)) - 1900;
    tm->tm_mon = static_cast<int>(m - std::begin(kMonths));
    tm->tm_mday = Num(d.substr(0, 2));
  } else {
    return false;
  }
  return tm->tm_mon >= 0 && tm->tm_mon < 12 && tm->tm_mday >= 1 && tm->tm_mday <= 31;
}

bool ParseClock(std::string_view t, std::tm* tm) {
  if ((t.size() != 5 && t.size() != 8) || t[2] != ':' || !AllDigits(t.substr(0, 2)) ||
      !AllDigits(t.substr(3, 2))) {
    return false;
  }
  if (t.size() == 8 && (t[5] != ':' || !AllDigits(t.substr(6, 2)))) return false;
  tm->tm_hour = Num(t.substr(0, 2));
  tm->tm_min = Num(t.substr(3, 2));
  tm->tm_sec = t.size() == 8 ? Num(t.substr(6, 2)) : 0;
  return tm->tm_hour < 24 && tm->tm_min < 60 && tm->tm_sec < 61;
}

// Apache's apr_strfsize output: "512", "4.2K", "17M", "1.7G".
std::optional<uint64_t> ApproxSize(std::string_view s) {
  if (s.empty() || s.size() > 8) return std::nullopt;
  const char unit = static_cast<char>(std::toupper(static_cast<unsigned char>(s.back())));
  const char* units = "KMGT";
  const char* u = std::strchr(units, unit);
  if (u == nullptr || unit == '\0') return std::nullopt;
  const std::string_view num = s.substr(0, s.size() - 1);
  const size_t dot = num.find('.');
  if (!AllDigits(num.substr(0, dot)) ||
      (dot != std::string_view::npos && !AllDigits(num.substr(dot + 1)))) {
    return std::nullopt;
  }
  const double v = std::stod(std::string(num));
  return static_cast<uint64_t>(std::llround(v * std::pow(1024.0, 1 + (u - units))));
}

// Size and time from the text that follows one link on its row.
void ReadColumns(std::string_view rest, ListingEntry* e) {
  const std::string text = StripTags(rest);
  const auto tok = Tokens(text);
  for (size_t i = 0; i + 1 < tok.size(); ++i) {
    std::tm tm{};
    if (!ParseDay(tok[i], &tm) || !ParseClock(tok[i + 1], &tm)) continue;
    e->mtime = timegm(&tm);
    if (i + 2 < tok.size()) {
      const std::string_view s = tok[i + 2];
      if (AllDigits(s) && s.size() <= 19) {
        e->size = std::stoull(std::string(s));
      } else if (auto a = ApproxSize(s)) {
        e->approx_size = a;
      }
    }
    return;
  }
}

// The entry name an href stands for, or "" when it is not an entry of this
// directory (parent, sort, absolute or off-site links).
std::string EntryName(std::string_view href, bool* is_dir) {
  const std::string h = DecodeEntities(Trim(href));
  if (h.empty() || h[0] == '?' || h[0] == '#' || h[0] == '/' || h.find(':') != std::string::npos) {
    return "";
  }
  std::string_view v = h;
  v = v.substr(0, v.find_first_of("?#"));
  if (v.substr(0, 2) == "./") v.remove_prefix(2);
  *is_dir = !v.empty() && v.back() == '/';
  if (*is_dir) v.remove_suffix(1);
  std::string name = UrlDecode(v);
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos ||
      name.find('\0') != std::string::npos) {
    return "";
  }
  return name;
}

}  // namespace

std::string UrlDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  auto hex = [](char c) { return IsDigit(c) ? c - '0' : Lower(c) - 'a' + 10; };
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && IsHex(s[i + 1]) && IsHex(s[i + 2])) {
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

Result<std::vector<ListingEntry>> ParseListing(std::string_view html) {
  if (html.size() > kMaxFetchedTextBytes) {
    return Status::LimitExceeded(fmt::format("directory listing of {} bytes: more than {} MiB",
                                             html.size(), kMaxFetchedTextBytes >> 20));
  }
  std::vector<ListingEntry> out;
  std::unordered_map<std::string, size_t> seen;
  size_t at = FindNoCase(html, "<a");
  while (at != std::string_view::npos) {
    const size_t tag_end = html.find('>', at);
    if (tag_end == std::string_view::npos) break;
    const std::string_view tag = html.substr(at + 2, tag_end - at - 2);
    const size_t next = FindNoCase(html, "<a", tag_end);
    // "<a" starting "<abbr>" or "<address>" is no anchor.
    if (tag.empty() || !IsSpace(tag.front())) {
      at = next;
      continue;
    }
    const auto href = Attribute(tag, "href");
    bool is_dir = false;
    const std::string name = href ? EntryName(*href, &is_dir) : "";
    if (!name.empty()) {
      // The row: to the end of the line or the next link, whichever is first.
      size_t close = FindNoCase(html, "</a>", tag_end);
      if (close == std::string_view::npos || (next != std::string_view::npos && close > next)) {
        close = tag_end;
      }
      size_t row_end = html.find('\n', close);
      if (next != std::string_view::npos && (row_end == std::string_view::npos || next < row_end)) {
        row_end = next;
      }
      if (row_end == std::string_view::npos) row_end = html.size();
      ListingEntry e;
      e.name = name;
      e.is_dir = is_dir;
      ReadColumns(html.substr(close, row_end - close), &e);
      auto [it, fresh] = seen.emplace(name, out.size());
      if (fresh) {
        if (out.size() >= kMaxListingEntries) {
          return Status::LimitExceeded(
              fmt::format("directory listing: more than {} entries", kMaxListingEntries));
        }
        out.push_back(std::move(e));
      } else {
        // Fancy indexes link a name twice (icon, then name): keep what the
        // later link's row shows.
        ListingEntry& old = out[it->second];
        if (e.mtime) old.mtime = e.mtime;
        if (e.size) old.size = e.size;
        if (e.approx_size) old.approx_size = e.approx_size;
      }
    }
    at = next;
  }
  return out;
}

Result<ChecksumList> ParseChecksums(std::string_view text, std::string_view default_name) {
  if (text.size() > kMaxFetchedTextBytes) {
    return Status::LimitExceeded(fmt::format("checksum list of {} bytes: more than {} MiB",
                                             text.size(), kMaxFetchedTextBytes >> 20));
  }
  auto digest_ok = [](std::string_view d) {
    return (d.size() == 32 || d.size() == 64) && std::all_of(d.begin(), d.end(), IsHex);
  };
  auto lower = [](std::string_view d) {
    std::string s(d);
    for (char& c : s) c = Lower(c);
    return s;
  };
  auto base = [](std::string_view n) {
    const size_t slash = n.rfind('/');
    return std::string(slash == std::string_view::npos ? n : n.substr(slash + 1));
  };
  ChecksumList out;
  size_t line_no = 0;
  size_t bad = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    const std::string_view line = Trim(text.substr(pos, eol - pos));
    pos = eol + 1;
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    std::string name, digest;
    const size_t open = line.find(" (");
    const size_t eq = line.rfind(") = ");
    if (open != std::string_view::npos && eq != std::string_view::npos && eq > open) {
      // BSD: "MD5 (file) = hex", "SHA256 (file) = hex".
      name = base(line.substr(open + 2, eq - open - 2));
      digest = std::string(Trim(line.substr(eq + 4)));
    } else {
      const auto tok = Tokens(line);
      if (tok.size() == 1) {
        digest = std::string(tok[0]);
        name = std::string(default_name);
      } else if (tok.size() >= 2 && digest_ok(tok[0])) {
        // coreutils: "hex  file" (text mode) or "hex *file" (binary mode);
        // the name is the rest of the line.
        digest = std::string(tok[0]);
        std::string_view rest = Trim(line.substr(tok[0].size()));
        if (!rest.empty() && rest[0] == '*') rest.remove_prefix(1);
        name = base(rest);
      }
    }
    if (!digest_ok(digest)) {
      ++bad;
      continue;
    }
    if (out.size() >= kMaxListingEntries) {
      return Status::LimitExceeded(
          fmt::format("checksum list: more than {} entries", kMaxListingEntries));
    }
    out[name] = lower(digest);
  }
  if (out.empty()) {
    return Status::Corrupt(
        fmt::format("checksum list: no \"hex\", \"hex  file\" or "
                    "\"MD5 (file) = hex\" line among {} lines ({} unreadable)",
                    line_no, bad));
  }
  return out;
}

std::string DigestFor(const ChecksumList& list, std::string_view file) {
  const size_t slash = file.rfind('/');
  const std::string name(slash == std::string_view::npos ? file : file.substr(slash + 1));
  if (auto it = list.find(name); it != list.end()) return it->second;
  return "";
}

}  // namespace vigia::acquire
