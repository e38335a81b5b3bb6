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
// (never AS0, never NONE) and the route is no longer than its maxLength.
template <typename OnVrp>
RovState Classify(const VrpSet& vrps, const Prefix& prefix, Asn origin, OnVrp&& on_vrp) {
  bool covered = false, valid = false, origin_seen = false;
  vrps.index().ForEachCovering(prefix, [&](uint32_t index) {
    const Vrp& v = vrps.vrps()[index];
    covered = true;
    const bool same_origin = origin != 0 && v.asn != 0 && v.asn == origin;
    const bool match = same_origin && prefix.length() <= v.max_length;
    origin_seen |= same_origin;
    valid |= match;
    on_vrp(v, match);
  });
  if (!covered) return RovState::kNotFound;
  if (valid) return RovState::kValid;
  return origin_seen ? RovState::kInvalidLength : RovState::kInvalidOrigin;
}
}  // namespace

RovResult Validate(const VrpSet& vrps, const Prefix& prefix, Asn origin) {
  RovResult r;
  r.state = Classify(vrps, prefix, origin, [&](const Vrp& v, bool match) {
    r.covering.push_back(v);
    if (match) r.matched.push_back(v);
  });
  return r;
}

RovState ValidateState(const VrpSet& vrps, const Prefix& prefix, Asn origin) {
  return Classify(vrps, prefix, origin, [](const Vrp&, bool) {});
}

void ValidateAll(const VrpSet& vrps, std::span<const Route> routes, std::span<RovState> out,
                 unsigned threads) {
  (void)vrps.index();  // build it once, before the threads share it
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  const size_t n = std::min(routes.size(), out.size());
  if (threads == 1 || n < 65536) {
    for (size_t i = 0; i < n; ++i) out[i] = ValidateState(vrps, routes[i].prefix, routes[i].origin);
    return;
  }
  std::vector<std::thread> pool;
  const size_t per = (n + threads - 1) / threads;
  for (unsigned t = 0; t < threads; ++t) {
    const size_t begin = t * per, end = std::min(n, begin + per);
    if (begin >= end) break;
    pool.emplace_back([&, begin, end] {
      for (size_t i = begin; i < end; ++i) {
        out[i] = ValidateState(vrps, routes[i].prefix, routes[i].origin);
      }
    });
  }
  for (std::thread& t : pool) t.join();
}

}  // namespace vigia::rpki
