#include "rpki/aspa.h"

#include <fmt/format.h>

#include <algorithm>

namespace vigia::rpki {

void AspaSet::Add(Asn customer, std::span<const Asn> providers) {
  std::vector<Asn>& p = by_customer_[customer];
  p.insert(p.end(), providers.begin(), providers.end());
  std::sort(p.begin(), p.end());
  p.erase(std::unique(p.begin(), p.end()), p.end());
}

const std::vector<Asn>* AspaSet::Providers(Asn customer) const {
  auto it = by_customer_.find(customer);
  return it == by_customer_.end() ? nullptr : &it->second;
}

HopCheck AspaSet::Check(Asn from, Asn to) const {
  const std::vector<Asn>* p = Providers(from);
  if (!p) return HopCheck::kNoAttestation;
  return std::binary_search(p->begin(), p->end(), to) ? HopCheck::kProviderPlus
                                                      : HopCheck::kNotProviderPlus;
}

std::vector<Aspa> AspaSet::Sorted() const {
  std::vector<Aspa> out;
  out.reserve(by_customer_.size());
  for (const auto& [c, p] : by_customer_) out.push_back({c, p});
  std::sort(out.begin(), out.end(),
            [](const Aspa& a, const Aspa& b) { return a.customer < b.customer; });
  return out;
}

}  // namespace vigia::rpki

namespace vigia::rpki {

const char* AspaStateName(AspaState s) {
  switch (s) {
    case AspaState::kValid:
      return "valid";
    case AspaState::kInvalid:
      return "invalid";
    case AspaState::kUnknown:
      return "unknown";
  }
  return "?";
}

bool ParsePeerRole(std::string_view t, PeerRole* out) {
  if (t == "customer")
    *out = PeerRole::kCustomer;
  else if (t == "peer" || t == "lateral-peer")
    *out = PeerRole::kPeer;
  else if (t == "provider")
    *out = PeerRole::kProvider;
  else if (t == "rs-client")
    *out = PeerRole::kRsClient;
  else if (t == "rs" || t == "route-server")
    *out = PeerRole::kRs;
  else
    return false;
  return true;
}

const char* PeerRoleName(PeerRole r) {
  switch (r) {
    case PeerRole::kCustomer:
      return "customer";
    case PeerRole::kPeer:
      return "peer";
    case PeerRole::kProvider:
      return "provider";
    case PeerRole::kRsClient:
      return "rs-client";
    case PeerRole::kRs:
      return "rs";
  }
  return "?";
}

AspaResult VerifyAsPath(const AspaSet& aspas, std::span<const Asn> path, PeerRole from,
                        bool has_as_set) {
  AspaResult r;
  r.upstream = from != PeerRole::kProvider;
  // §6: prepends are collapsed ("AS X AS X" counts once).
  for (Asn a : path) {
    if (r.path.empty() || r.path.back() != a) r.path.push_back(a);
  }
  const size_t n = r.path.size();
  if (has_as_set) {
    r.state = AspaState::kInvalid;
    r.reason = "the AS_PATH holds an AS_SET (draft-ietf-sidrops-aspa-verification §6)";
    return r;
  }
  if (n == 0) {
    r.state = AspaState::kInvalid;
    r.reason = "empty AS_PATH";
    return r;
  }
  // as(i), 1-based from the origin: as(1) is the origin, as(N) the neighbour.
  auto as = [&](size_t i) { return r.path[n - i]; };

  // §6.1. The up-ramp climbs from the origin: customer as(i) to provider
  // as(i+1). The down-ramp climbs from the neighbour: as(N-i+1) attests
  // as(N-i) as its provider.
  r.max_up_ramp = r.min_up_ramp = r.max_down_ramp = r.min_down_ramp = n;
  bool max_up_done = false, min_up_done = false, max_down_done = false, min_down_done = false;
  for (size_t k = 1; k < n; ++k) {
    const HopCheck up = aspas.Check(as(k), as(k + 1));
    if (!min_up_done && up != HopCheck::kProviderPlus) {
      r.min_up_ramp = k;
      min_up_done = true;
    }
    if (!max_up_done && up == HopCheck::kNotProviderPlus) {
      r.max_up_ramp = k;
      max_up_done = true;
      if (r.bad_customer == 0 && r.bad_provider == 0) {
        r.bad_customer = as(k);
        r.bad_provider = as(k + 1);
      }
    }
    const HopCheck down = aspas.Check(as(n - k + 1), as(n - k));
    if (!min_down_done && down != HopCheck::kProviderPlus) {
      r.min_down_ramp = k;
      min_down_done = true;
    }
    if (!max_down_done && down == HopCheck::kNotProviderPlus) {
      r.max_down_ramp = k;
      max_down_done = true;
    }
  }

  if (r.upstream) {
    // §6.2: from a customer or lateral peer the whole path must be an
    // up-ramp.
    if (n == 1) {
      r.state = AspaState::kValid;
      r.reason = "single-AS path";
    } else if (r.max_up_ramp < n) {
      r.state = AspaState::kInvalid;
      r.reason = fmt::format("AS{} attests providers that do not include AS{}: not an up-ramp",
                             r.bad_customer, r.bad_provider);
    } else if (r.min_up_ramp < n) {
      r.state = AspaState::kUnknown;
      r.reason = fmt::format("AS{} has no ASPA", as(r.min_up_ramp));
    } else {
      r.state = AspaState::kValid;
      r.reason = "every hop is an attested customer-to-provider hop";
    }
  } else {
    // §6.3: from a provider the path may be an up-ramp then a down-ramp.
    if (r.max_up_ramp + r.max_down_ramp < n) {
      r.state = AspaState::kInvalid;
      r.reason =
          fmt::format("max_up_ramp {} + max_down_ramp {} < {}: the path has a valley or a leak",
                      r.max_up_ramp, r.max_down_ramp, n);
    } else if (r.min_up_ramp + r.min_down_ramp < n) {
      r.state = AspaState::kUnknown;
      r.reason = fmt::format("min_up_ramp {} + min_down_ramp {} < {}: ASPAs missing on the path",
                             r.min_up_ramp, r.min_down_ramp, n);
    } else {
      r.state = AspaState::kValid;
      r.reason = "an attested up-ramp followed by an attested down-ramp";
    }
  }
  return r;
}

}  // namespace vigia::rpki
