#include "rpki/aspa.h"

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
