// MANRS Action 4, global validation (score/scoring.h): every (prefix,
// origin) the collectors saw, with its RFC 6811 state (M7RPKI: valid share
// minus 10 × invalid share) and its IRR state (M7IRR: the share with a
// route object of the origin, exact or less specific).
#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <thread>

#include "detect/incident_type.h"
#include "irr/route_check.h"
#include "rpki/origin_validation.h"
#include "score/scoring.h"

namespace vigia::score::internal {

Action4Validation::Action4Validation(Context& c) : ActionPart(c), lists_(c.board.ases.size()) {
  const detect::Snapshot& s = c.s;
  // Every route's states, over threads.
  const auto& routes = c.v.routes();
  std::vector<uint8_t> rov(routes.size()), irr_ok(routes.size());
  {
    unsigned n =
        c.opts.threads ? c.opts.threads : std::max(1u, std::thread::hardware_concurrency());
    n = std::min<unsigned>(n, 16);
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < n; ++t) {
      pool.emplace_back([&, t] {
        for (size_t i = t; i < routes.size(); i += n) {
          const auto& r = routes[i];
          if (r.origin == 0) continue;
          const Prefix& p = s.routes.prefixes()[r.prefix];
          if (c.have_vrps) rov[i] = static_cast<uint8_t>(rpki::ValidateState(s.vrps, p, r.origin));
          if (c.have_irr) {
            const auto st = irr::CheckRoute(s.irr, p, r.origin).state;
            irr_ok[i] = st == irr::IrrState::kExact || st == irr::IrrState::kLessSpecific;
          }
        }
      });
    }
    for (auto& th : pool) th.join();
  }
  std::set<std::pair<Prefix, Asn>> questioned;
  for (const detect::Incident& in : c.incidents) {
    if (const auto* t = detect::FindIncidentType(in.type); t == nullptr || !t->withdraw_fix)
      continue;
    for (const Prefix& p : in.prefixes) questioned.insert({p, in.culprit});
  }
  auto capped = [](std::vector<uint32_t>* list, uint32_t i) {
    if (list->size() < kMaxFixItems) list->push_back(i);
  };
  for (size_t i = 0; i < routes.size(); ++i) {
    const auto& r = routes[i];
    if (r.origin == 0) continue;
    AsScore* a = c.Find(r.origin);
    if (!a) continue;
    Lists& l = lists_[a - c.board.ases.data()];
    const bool q =
        !questioned.empty() && questioned.contains({s.routes.prefixes()[r.prefix], r.origin});
    ++a->routes;
    l.q_routes += q;
    switch (static_cast<rpki::RovState>(rov[i])) {
      case rpki::RovState::kValid:
        ++a->rpki_valid;
        l.q_valid += q;
        break;
      case rpki::RovState::kNotFound:
        ++a->rpki_not_found;
        if (!q) capped(&l.not_found, static_cast<uint32_t>(i));
        break;
      default:
        ++a->rpki_invalid;
        l.q_invalid += q;
        if (!q) capped(&l.invalid, static_cast<uint32_t>(i));
        break;
    }
    if (irr_ok[i]) {
      ++a->irr_registered;
      l.q_irr += q;
    } else if (!q) {
      capped(&l.unregistered, static_cast<uint32_t>(i));
    }
  }
}

void Action4Validation::Values(size_t k) {
  AsScore& a = c_.board.ases[k];
  if (a.routes == 0) return;
  if (c_.have_irr) {
    a.raw[kM7Irr] = a.irr_registered;
    a.value[kM7Irr] = 100.0 * a.irr_registered / a.routes;
  }
  if (c_.have_vrps) {
    a.raw[kM7Rpki] = a.rpki_valid;
    a.value[kM7Rpki] = std::max(
        0.0, 100.0 * (static_cast<double>(a.rpki_valid) - 10.0 * a.rpki_invalid) / a.routes);
  }
}

std::vector<std::string> Action4Validation::RouteItems(const std::vector<uint32_t>& ids) const {
  const auto& routes = c_.v.routes();
  std::vector<std::string> items;
  for (uint32_t i : ids) {
    items.push_back(fmt::format("{} AS{}", c_.s.routes.prefixes()[routes[i].prefix].ToString(),
                                routes[i].origin));
  }
  return items;
}

void Action4Validation::Fixes(size_t k, FixList& fixes) {
  const AsScore& a = c_.board.ases[k];
  AsScore& after = fixes.after();
  const bool have_vrps = c_.have_vrps, have_irr = c_.have_irr;
  // Once the AS stops its hijacks and bogon announcements (the incident
  // fixes above), those routes are gone from its tallies.
  const Lists& l = lists_[k];
  uint32_t routes_after = a.routes - l.q_routes;
  uint32_t valid_after = a.rpki_valid - l.q_valid, invalid_after = a.rpki_invalid - l.q_invalid;
  const uint32_t not_found_after = a.routes - l.q_routes - valid_after - invalid_after;
  const uint32_t irr_after = a.irr_registered - l.q_irr;
  if (l.q_routes > 0) {
    after.value[kM7Irr] = routes_after && have_irr
                              ? std::optional<double>(100.0 * irr_after / routes_after)
                              : std::nullopt;
    after.value[kM7Rpki] =
        routes_after && have_vrps
            ? std::optional<double>(
                  std::max(0.0, 100.0 * (valid_after - 10.0 * invalid_after) / routes_after))
            : std::nullopt;
    fixes.ReviseLastOverall();  // the incident fix above withdraws them
  }
  if (have_vrps && invalid_after > 0) {
    // Invalid routes the AS originates: correct the ROA or stop.
    valid_after += invalid_after;
    const uint32_t n = invalid_after;
    invalid_after = 0;
    after.value[kM7Rpki] = 100.0 * valid_after / routes_after;
    fixes.Add(
        kM7Rpki, "correct_roas",
        "correct the ROAs (origin or maxLength) behind these RPKI-invalid routes, or withdraw them",
        RouteItems(l.invalid), n);
  }
  if (have_vrps && not_found_after > 0) {
    valid_after += not_found_after;
    after.value[kM7Rpki] =
        std::max(0.0, 100.0 * (valid_after - 10.0 * invalid_after) / routes_after);
    fixes.Add(kM7Rpki, "create_roas", "create ROAs for these routes", RouteItems(l.not_found),
              not_found_after);
  }
  if (have_irr && routes_after > irr_after) {
    after.value[kM7Irr] = 100;
    fixes.Add(kM7Irr, "irr_register", "register route objects for these routes in an IRR",
              RouteItems(l.unregistered), routes_after - irr_after);
  }
}

}  // namespace vigia::score::internal
