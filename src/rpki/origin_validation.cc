#include "rpki/origin_validation.h"

#include <algorithm>
#include <thread>

namespace vigia::rpki {

std::string_view RovStateName(RovState s) {
  switch (s) {
    case RovState::kNotFound:
      return "not-found";
    case RovState::kValid:
      return "valid";
    case RovState::kInvalidOrigin:
      return "invalid-origin";
    case RovState::kInvalidLength:
      return "invalid-length";
  }
  return "unknown";
}

namespace {
// RFC 6811 §2: a VRP covers the route when its prefix is the route's or a
// less-specific one; it matches when it also has the route's origin AS
// (never NONE, origin 0) and the route is no longer than its maxLength. A
// VRP for AS0 never matches (RFC 7607, RFC 6483 §4): with origin != 0,
// asn == origin excludes it. on_vrp(entry, match) sees every covering VRP.
template <typename OnVrp>
RovState Classify(VrpIndex::Cursor& cursor, const Prefix& prefix, Asn origin, OnVrp&& on_vrp) {
  bool covered = false, valid = false, origin_seen = false;
  const uint8_t length = prefix.length();
  cursor.ForEachCovering(prefix, [&](const VrpIndex::Entry& e, uint32_t entry) {
    covered = true;
    const bool same_origin = origin != 0 && e.asn == origin;
    const bool match = same_origin && length <= e.max_length;
    origin_seen |= same_origin;
    valid |= match;
    on_vrp(entry, match);
  });
  if (!covered) return RovState::kNotFound;
  if (valid) return RovState::kValid;
  return origin_seen ? RovState::kInvalidLength : RovState::kInvalidOrigin;
}

// Validates routes [begin, end) with one cursor: routes in prefix order
// make this one merge over the index.
void ValidateRange(const VrpSet& vrps, std::span<const Route> routes, std::span<RovState> out,
                   size_t begin, size_t end) {
  VrpIndex::Cursor cursor(vrps.index());
  for (size_t i = begin; i < end; ++i) {
    out[i] = Classify(cursor, routes[i].prefix, routes[i].origin, [](uint32_t, bool) {});
  }
}
}  // namespace

RovResult Validate(const VrpSet& vrps, const Prefix& prefix, Asn origin) {
  RovResult r;
  const VrpIndex& index = vrps.index();
  VrpIndex::Cursor cursor(index);
  r.state = Classify(cursor, prefix, origin, [&](uint32_t entry, bool match) {
    const Vrp& v = vrps.vrps()[index.vrp_of(entry, prefix.family())];
    r.covering.push_back(v);
    if (match) r.matched.push_back(v);
  });
  return r;
}

RovState ValidateState(const VrpSet& vrps, const Prefix& prefix, Asn origin) {
  VrpIndex::Cursor cursor(vrps.index());
  return Classify(cursor, prefix, origin, [](uint32_t, bool) {});
}

void ValidateAll(const VrpSet& vrps, std::span<const Route> routes, std::span<RovState> out,
                 unsigned threads) {
  (void)vrps.index();  // build it once, before the threads share it
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  const size_t n = std::min(routes.size(), out.size());
  if (threads == 1 || n < 65536) {
    ValidateRange(vrps, routes, out, 0, n);
    return;
  }
  std::vector<std::thread> pool;
  const size_t per = (n + threads - 1) / threads;
  for (unsigned t = 0; t < threads; ++t) {
    const size_t begin = t * per, end = std::min(n, begin + per);
    if (begin >= end) break;
    pool.emplace_back([&, begin, end] { ValidateRange(vrps, routes, out, begin, end); });
  }
  for (std::thread& t : pool) t.join();
}

}  // namespace vigia::rpki
