#include "topology/customer_cone.h"

#include <algorithm>

namespace vigia::topology {

template <typename Fn>
void CustomerCones::Walk(uint32_t start, uint32_t mark, std::vector<uint32_t>* stamp,
                         Fn&& fn) const {
  std::vector<uint32_t> stack{start};
  (*stamp)[start] = mark;
  while (!stack.empty()) {
    const uint32_t v = stack.back();
    stack.pop_back();
    fn(v);
    for (uint32_t c : g_.Customers(v)) {
      if ((*stamp)[c] != mark) {
        (*stamp)[c] = mark;
        stack.push_back(c);
      }
    }
  }
}

CustomerCones::CustomerCones(const AsRelationships& g) : g_(g) {
  const auto n = static_cast<uint32_t>(g.as_count());
  size_.assign(n, 1);
  std::vector<uint32_t> stamp(n, 0);
  for (uint32_t i = 0; i < n; ++i) {
    if (g.Customers(i).empty()) continue;  // stubs: the AS alone
    uint32_t count = 0;
    Walk(i, i + 1, &stamp, [&](uint32_t) { ++count; });
    size_[i] = count;
  }
}

std::vector<Asn> CustomerCones::Members(Asn asn) const {
  std::vector<Asn> out;
  auto i = g_.Index(asn);
  if (!i) return out;
  std::vector<uint32_t> stamp(g_.as_count(), 0);
  out.reserve(size_[*i]);
  Walk(*i, 1, &stamp, [&](uint32_t v) { out.push_back(g_.AsnAt(v)); });
  std::sort(out.begin(), out.end());
  return out;
}

// Tarjan's strongly-connected-components algorithm (Tarjan 1972), iterative
// so that a long provider chain cannot overflow the call stack.
std::vector<std::vector<Asn>> CustomerCones::ProviderCycles() const {
  const auto n = static_cast<uint32_t>(g_.as_count());
  constexpr uint32_t kUnvisited = ~uint32_t{0};
  std::vector<uint32_t> order(n, kUnvisited), low(n, 0);
  std::vector<bool> on_stack(n, false);
  std::vector<uint32_t> scc_stack;
  struct Frame {
    uint32_t v;
    uint32_t next;  // position in Customers(v)
  };
  std::vector<Frame> call;
  std::vector<std::vector<Asn>> out;
  uint32_t counter = 0;
  for (uint32_t root = 0; root < n; ++root) {
    if (order[root] != kUnvisited || g_.Customers(root).empty()) continue;
    call.push_back({root, 0});
    order[root] = low[root] = counter++;
    scc_stack.push_back(root);
    on_stack[root] = true;
    while (!call.empty()) {
      Frame& f = call.back();
      const auto customers = g_.Customers(f.v);
      if (f.next < customers.size()) {
        const uint32_t w = customers[f.next++];
        if (order[w] == kUnvisited) {
          order[w] = low[w] = counter++;
          scc_stack.push_back(w);
          on_stack[w] = true;
          call.push_back({w, 0});
        } else if (on_stack[w]) {
          low[f.v] = std::min(low[f.v], order[w]);
        }
        continue;
      }
      const uint32_t v = f.v;
      call.pop_back();
      if (!call.empty()) low[call.back().v] = std::min(low[call.back().v], low[v]);
      if (low[v] != order[v]) continue;
      std::vector<Asn> component;
      uint32_t w;
      do {
        w = scc_stack.back();
        scc_stack.pop_back();
        on_stack[w] = false;
        component.push_back(g_.AsnAt(w));
      } while (w != v);
      if (component.size() > 1) {
        std::sort(component.begin(), component.end());
        out.push_back(std::move(component));
      }
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) {
    return x.size() != y.size() ? x.size() > y.size() : x < y;
  });
  return out;
}

}  // namespace vigia::topology
