#include "sim/prefix_origins.h"

#include <fmt/format.h>

#include <charconv>
#include <cstring>

#include "io/input_stream.h"
#include "topology/line_reader.h"

namespace vigia::sim {

namespace {

__extension__ typedef unsigned __int128 U128;  // GCC and clang

U128 ToInt(const IpAddress& a) {
  U128 v = 0;
  const int n = a.family() == Family::kIpv4 ? 4 : 16;
  for (int i = 0; i < n; ++i) v = v << 8 | a.bytes()[i];
  return v;
}

IpAddress FromInt(Family f, U128 v) {
  uint8_t b[16] = {0};
  const int n = f == Family::kIpv4 ? 4 : 16;
  for (int i = n - 1; i >= 0; --i) {
    b[i] = static_cast<uint8_t>(v & 0xFF);
    v >>= 8;
  }
  return IpAddress::FromBytes(f, b);
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

void RangeToPrefixes(const IpAddress& first, const IpAddress& last, std::vector<Prefix>* out) {
  const Family f = first.family();
  const int width = f == Family::kIpv4 ? 32 : 128;
  U128 lo = ToInt(first);
  const U128 hi = ToInt(last);
  auto ones = [](int bits) { return bits == 128 ? ~U128{0} : (U128{1} << bits) - 1; };
  for (;;) {
    // The largest aligned block that starts at lo and ends by hi.
    int s = 0;
    while (s < width) {
      const U128 mask = ones(s + 1);
      if ((lo & mask) != 0 || hi - lo < mask) break;
      ++s;
    }
    out->push_back(Prefix(FromInt(f, lo), static_cast<uint8_t>(width - s)));
    if (hi - lo == ones(s)) break;
    lo += ones(s) + 1;
  }
}

void PrefixOriginTable::Problem(const std::string& where, std::string message) {
  problems_.Add(where, std::move(message));
}

void PrefixOriginTable::Line(std::string_view line, const std::string& where) {
  line = Trim(line);
  if (line.empty() || line[0] == ';' || line[0] == '#') return;
  if (routes_.size() >= kMaxPrefixOrigins) {
    Problem(where, "more than 20,000,000 prefixes; the rest is ignored");
    return;
  }
  const size_t tab = line.find('\t');
  if (tab != std::string_view::npos) {
    // pyasn: prefix<TAB>asn
    auto prefix = Prefix::Parse(Trim(line.substr(0, tab)), /*lenient=*/true);
    Asn asn;
    if (!prefix) return Problem(where, "bad prefix");
    if (!ParseAsn(Trim(line.substr(tab + 1)), &asn)) return Problem(where, "bad AS number");
    if (asn == 0) return Problem(where, "origin AS0");
    routes_.push_back({prefix->Masked(), asn});
    return;
  }
  // ip-location-db: ip_start,ip_end,asn,org (org may be quoted, with commas)
  const size_t c1 = line.find(',');
  const size_t c2 = c1 == std::string_view::npos ? c1 : line.find(',', c1 + 1);
  if (c2 == std::string_view::npos)
    return Problem(where, "neither prefix<TAB>asn nor start,end,asn");
  const size_t c3 = line.find(',', c2 + 1);
  auto first = IpAddress::Parse(Trim(line.substr(0, c1)));
  auto last = IpAddress::Parse(Trim(line.substr(c1 + 1, c2 - c1 - 1)));
  Asn asn;
  const std::string_view asn_text =
      Trim(line.substr(c2 + 1, c3 == std::string_view::npos ? c3 : c3 - c2 - 1));
  if (!first || !last) return Problem(where, "bad address");
  if (first->family() != last->family()) return Problem(where, "range mixes IPv4 and IPv6");
  if (ToInt(*last) < ToInt(*first)) return Problem(where, "range ends before it starts");
  if (!ParseAsn(asn_text, &asn)) return Problem(where, "bad AS number");
  if (asn == 0) return Problem(where, "origin AS0");
  std::vector<Prefix> prefixes;
  RangeToPrefixes(*first, *last, &prefixes);
  for (const Prefix& p : prefixes) routes_.push_back({p, asn});
}

Status PrefixOriginTable::LoadFile(const std::string& path) {
  auto in = io::InputStream::Open(path, {.threaded = true});
  if (!in.ok()) return in.status();
  topology::LineReader reader(in->get());
  std::string_view line;
  while (reader.Next(&line)) {
    const std::string where = fmt::format("{}:{}", path, reader.line_number());
    if (reader.too_long()) {
      Problem(where, "line too long");
      continue;
    }
    Line(line, where);
  }
  return (*in)->status();
}

Status PrefixOriginTable::LoadText(std::string_view text, const std::string& name) {
  size_t pos = 0, n = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    Line(text.substr(pos, nl - pos), fmt::format("{}:{}", name, ++n));
    pos = nl + 1;
  }
  return Status::Ok();
}

}  // namespace vigia::sim
