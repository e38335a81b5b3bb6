// ASPA: Autonomous System Provider Authorization
// (draft-ietf-sidrops-aspa-profile) and AS_PATH verification with it
// (draft-ietf-sidrops-aspa-verification).
//
// An ASPA says which ASes are the providers of a customer AS. The current
// profile is address-family independent; older rpki-client output
// ("provider_authorizations" with "ipv4" and "ipv6" lists) is merged into
// one provider set per customer.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/asn.h"

namespace vigia::rpki {

struct Aspa {
  Asn customer = 0;
  std::vector<Asn> providers;  // sorted, unique
  friend bool operator==(const Aspa&, const Aspa&) = default;
};

// The outcome of the provider check for one pair of ASes (the draft's
// hop check): does `from` attest `to` as a provider?
enum class HopCheck : uint8_t {
  kProviderPlus,     // `from` has an ASPA and lists `to`
  kNotProviderPlus,  // `from` has an ASPA that does not list `to`
  kNoAttestation,    // `from` has no ASPA
};

// Verification of a whole AS_PATH.
enum class AspaState : uint8_t { kValid, kInvalid, kUnknown };
const char* AspaStateName(AspaState s);  // "valid", "invalid", "unknown"

// Which side the path was received from, relative to the verifying AS.
// Customer, peer (lateral) and route-server-client receipt use the upstream
// algorithm; receipt from a provider uses the downstream algorithm.
enum class PeerRole : uint8_t { kCustomer, kPeer, kProvider, kRsClient, kRs };
bool ParsePeerRole(std::string_view text, PeerRole* out);
const char* PeerRoleName(PeerRole r);

class AspaSet {
 public:
  // Adds or merges providers for a customer (sorted, deduplicated).
  void Add(Asn customer, std::span<const Asn> providers);
  // Drops the customer's ASPA; false when it had none.
  bool Remove(Asn customer) { return by_customer_.erase(customer) > 0; }
  size_t size() const { return by_customer_.size(); }
  const std::vector<Asn>* Providers(Asn customer) const;
  HopCheck Check(Asn from, Asn to) const;
  // Every ASPA, sorted by customer.
  std::vector<Aspa> Sorted() const;
  bool operator==(const AspaSet& o) const { return by_customer_ == o.by_customer_; }

 private:
  std::unordered_map<Asn, std::vector<Asn>> by_customer_;
};

// The verification of one AS_PATH, with the four ramp lengths it rests on
// (draft-ietf-sidrops-aspa-verification §6.1): the path is numbered from
// the origin, AS(1), to the neighbour, AS(N), after prepends are collapsed.
struct AspaResult {
  AspaState state = AspaState::kUnknown;
  bool upstream = true;   // which algorithm ran
  std::vector<Asn> path;  // collapsed, neighbour first (AS_PATH order)
  size_t max_up_ramp = 0, min_up_ramp = 0, max_down_ramp = 0, min_down_ramp = 0;
  std::string reason;  // one line, for people
  // The first pair (customer, provider) that an ASPA rules out, when any.
  Asn bad_customer = 0, bad_provider = 0;
};

// Verifies an AS_PATH received from a neighbour in role `from` (the
// neighbour's role towards the verifying AS): upstream verification
// (§6.2) for routes from a customer, a lateral peer, a route server or an
// RS client, downstream verification (§6.3) for routes from a provider.
// `path` is in AS_PATH order, neighbour first, origin last; `has_as_set`
// says whether the AS_PATH held an AS_SET, which makes it Invalid (§6).
AspaResult VerifyAsPath(const AspaSet& aspas, std::span<const Asn> path, PeerRole from,
                        bool has_as_set = false);

}  // namespace vigia::rpki
