// The simulator's prefix -> origin tables (ip-location-db ASN CSV ranges and
// pyasn lines) and its --incidents plan on arbitrary bytes. The input is
//
//   byte 0        bit 0: family of the direct range (0 IPv4, 1 IPv6);
//                 bit 1: ParsePlan's base is all zero (0) or a fixed plan (1)
//   byte 1        n, the length of the plan spec at the end of the input
//   bytes 2..33   two 16-byte addresses (IPv4 uses the first 4 of each)
//   bytes 34..    the table text, then the last n bytes: the plan spec
//
// (short inputs read as if zero-padded). Beyond memory safety:
// - every route is a prefix without host bits, no longer than its family,
//   with a non-zero origin; every problem has a place and a message, at most
//   kMaxProblemsKept are kept, skipped() counts every bad line, and
//   each good line gives at least one route and at most 2 x 128 - 2;
// - RangeToPrefixes on the two addresses (ordered) gives sorted, contiguous
//   prefixes from first to last with no two that merge into one (so the
//   fewest), checked with 128-bit arithmetic of its own; the same range as a
//   CSV line loads as exactly those prefixes;
// - each of the first lines that reads as a CSV range loads alone as the
//   prefixes RangeToPrefixes gives for it, or as a problem; the lines loaded
//   one by one give the routes of the whole text, in order;
// - ParsePlan never fails without a message, and a plan it accepts, written
//   back as NAME=COUNT of its non-zero counts, parses to the same plan.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/ip.h"
#include "sim/prefix_origins.h"
#include "sim/scenario.h"

namespace {

using vigia::Family;
using vigia::IpAddress;
using vigia::Prefix;
namespace sim = vigia::sim;

__extension__ typedef unsigned __int128 U128;  // GCC and clang

constexpr size_t kHeader = 34;
constexpr size_t kMaxLinesChecked = 64;
// The most prefixes a range can need: 2 per bit but the first and last.
constexpr size_t kMaxPrefixesPerRange = 2 * 128 - 2;

U128 ToInt(const IpAddress& a) {
  U128 v = 0;
  for (int i = 0; i < a.bit_width() / 8; ++i) v = v << 8 | a.bytes()[i];
  return v;
}

U128 HostMask(int host_bits) { return host_bits >= 128 ? ~U128{0} : (U128{1} << host_bits) - 1; }

void CheckPrefix(const Prefix& p) {
  if (p.length() > p.address().bit_width() || p.HasHostBits()) std::abort();
}

// RangeToPrefixes' contract, checked independently of how it works.
void CheckCover(const IpAddress& first, const IpAddress& last, const std::vector<Prefix>& got) {
  const int width = first.bit_width();
  if (got.empty() || got.size() > static_cast<size_t>(2 * width - 2)) std::abort();
  U128 next = ToInt(first);
  bool done = false;  // the previous prefix ended at the top of the space
  for (size_t i = 0; i < got.size(); ++i) {
    const Prefix& p = got[i];
    if (done || p.family() != first.family()) std::abort();
    CheckPrefix(p);
    const U128 start = ToInt(p.address());
    const U128 end = start | HostMask(width - p.length());
    if (start != next) std::abort();  // a gap, an overlap or out of order
    // Two neighbours of one length whose first is a left child are the
    // halves of one prefix: the cover would not be the fewest.
    if (i + 1 < got.size() && got[i + 1].length() == p.length() && p.length() > 0 &&
        (start & (U128{1} << (width - p.length()))) == 0) {
      std::abort();
    }
    if (end == HostMask(width)) {
      done = true;
    } else {
      next = end + 1;
    }
    if (i + 1 == got.size() && end != ToInt(last)) std::abort();
  }
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// "start,end,..." with two addresses of one family in order, as the format
// says; the ASN is left to the parser.
bool ReadsAsRange(std::string_view line, IpAddress* first, IpAddress* last) {
  if (line.find('\t') != std::string_view::npos) return false;
  const size_t c1 = line.find(',');
  if (c1 == std::string_view::npos) return false;
  const size_t c2 = line.find(',', c1 + 1);
  if (c2 == std::string_view::npos) return false;
  auto a = IpAddress::Parse(Trim(line.substr(0, c1)));
  auto b = IpAddress::Parse(Trim(line.substr(c1 + 1, c2 - c1 - 1)));
  if (!a || !b || a->family() != b->family() || ToInt(*b) < ToInt(*a)) return false;
  *first = *a;
  *last = *b;
  return true;
}

void CheckTable(const sim::PrefixOriginTable& t, size_t lines, size_t content_lines) {
  const auto& problems = t.problems().kept();
  if (problems.size() > vigia::kMaxProblemsKept) std::abort();
  if (problems.size() != std::min(t.skipped(), vigia::kMaxProblemsKept)) std::abort();
  if (t.skipped() > content_lines) std::abort();
  for (const auto& p : problems) {
    if (p.message.empty() || p.where.rfind("fuzz:", 0) != 0) std::abort();
    const unsigned long n = std::strtoul(p.where.c_str() + 5, nullptr, 10);
    if (n == 0 || n > lines) std::abort();
  }
  const size_t good = content_lines - t.skipped();
  if (t.routes().size() < good || t.routes().size() > good * kMaxPrefixesPerRange) std::abort();
  for (const sim::PrefixOrigin& r : t.routes()) {
    CheckPrefix(r.prefix);
    if (r.origin == 0) std::abort();
  }
}

void FuzzTable(std::string_view text) {
  sim::PrefixOriginTable whole;
  if (!whole.LoadText(text, "fuzz").ok()) std::abort();

  size_t lines = 0, content_lines = 0, checked = 0;
  std::vector<sim::PrefixOrigin> one_by_one;
  bool complete = true;  // one_by_one holds every line's routes
  for (size_t pos = 0; pos < text.size();) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    const std::string_view line = Trim(text.substr(pos, nl - pos));
    pos = nl + 1;
    ++lines;
    if (line.empty() || line[0] == ';' || line[0] == '#') continue;
    ++content_lines;
    if (checked == kMaxLinesChecked) {
      complete = false;
      continue;
    }
    ++checked;
    sim::PrefixOriginTable alone;
    if (!alone.LoadText(line, "fuzz").ok()) std::abort();
    if (alone.skipped() + (alone.routes().empty() ? 0 : 1) != 1) std::abort();
    one_by_one.insert(one_by_one.end(), alone.routes().begin(), alone.routes().end());
    IpAddress first, last;
    if (alone.routes().empty() || !ReadsAsRange(line, &first, &last)) continue;
    std::vector<Prefix> expected;
    sim::RangeToPrefixes(first, last, &expected);
    CheckCover(first, last, expected);
    if (alone.routes().size() != expected.size()) std::abort();
    for (size_t i = 0; i < expected.size(); ++i) {
      if (alone.routes()[i].prefix != expected[i]) std::abort();
      if (alone.routes()[i].origin != alone.routes()[0].origin) std::abort();
    }
  }
  CheckTable(whole, lines, content_lines);
  if (complete && one_by_one != whole.routes()) std::abort();
}

// Two addresses straight from the input bytes, ordered: every range the
// address space holds is reachable, not only those a text form spells.
void FuzzRange(const uint8_t* header) {
  const Family f = (header[0] & 1) ? Family::kIpv6 : Family::kIpv4;
  IpAddress first = IpAddress::FromBytes(f, header + 2);
  IpAddress last = IpAddress::FromBytes(f, header + 18);
  if (ToInt(last) < ToInt(first)) std::swap(first, last);
  std::vector<Prefix> got;
  sim::RangeToPrefixes(first, last, &got);
  CheckCover(first, last, got);

  sim::PrefixOriginTable t;
  const std::string line = first.ToString() + "," + last.ToString() + ",AS64496,\"Org, Inc.\"";
  if (!t.LoadText(line, "fuzz").ok() || t.skipped() != 0 || t.routes().size() != got.size()) {
    std::abort();
  }
  for (size_t i = 0; i < got.size(); ++i) {
    if (t.routes()[i].prefix != got[i] || t.routes()[i].origin != 64496) std::abort();
  }
}

bool SamePlan(const sim::IncidentPlan& a, const sim::IncidentPlan& b) {
  return std::memcmp(a.incidents, b.incidents, sizeof a.incidents) == 0 &&
         std::memcmp(a.benign, b.benign, sizeof a.benign) == 0 && a.flaps == b.flaps;
}

void FuzzPlan(std::string_view spec, bool nonzero_base) {
  sim::IncidentPlan base;
  if (nonzero_base) {
    for (int t = 0; t < sim::kIncidentTypeCount; ++t) base.incidents[t] = 3 + t;
    for (int k = 0; k < sim::kBenignKindCount; ++k) base.benign[k] = 11 + k;
    base.flaps = 5;
  }
  const auto plan = sim::ParsePlan(spec, base);
  if (!plan.ok()) {
    if (plan.status().message().empty()) std::abort();
    return;
  }
  std::string again;
  auto put = [&again](const char* name, uint32_t n) {
    if (n > 100'000) std::abort();  // ParsePlan's own bound
    if (n == 0) return;
    if (!again.empty()) again += ',';
    again += name;
    again += '=';
    again += std::to_string(n);
  };
  for (int t = 0; t < sim::kIncidentTypeCount; ++t) {
    put(sim::IncidentTypeName(static_cast<sim::IncidentType>(t)), plan->incidents[t]);
  }
  for (int k = 0; k < sim::kBenignKindCount; ++k) {
    put(sim::BenignKindName(static_cast<sim::BenignKind>(k)), plan->benign[k]);
  }
  put("flaps", plan->flaps);
  const auto reparsed = sim::ParsePlan(again, sim::IncidentPlan{});
  if (!reparsed.ok() || !SamePlan(*plan, *reparsed)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  uint8_t header[kHeader] = {};
  if (size > 0) std::memcpy(header, data, std::min(size, kHeader));
  const std::string_view rest =
      size > kHeader
          ? std::string_view(reinterpret_cast<const char*>(data + kHeader), size - kHeader)
          : std::string_view();
  const size_t plan_size = std::min<size_t>(header[1], rest.size());
  FuzzRange(header);
  FuzzTable(rest.substr(0, rest.size() - plan_size));
  FuzzPlan(rest.substr(rest.size() - plan_size), (header[0] & 2) != 0);
  return 0;
}
