// PrefixTrie: a binary trie of IPv4 and IPv6 prefixes, each prefix holding
// any number of values. Answers exact, covering (the prefix and its
// less-specifics) and covered (the prefix and its more-specifics) queries;
// ROV, IRR and bogon checks all use it.
//
// Nodes live in one vector per family and refer to each other by index, so
// the trie is two allocations plus its values. Host bits of inserted and
// queried prefixes are ignored. Not thread-safe for writers; concurrent
// readers are fine once built.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "core/ip.h"

namespace vigia {

template <typename V>
class PrefixTrie {
 public:
  PrefixTrie() {
    nodes_[0].emplace_back();
    nodes_[1].emplace_back();
  }

  void Insert(const Prefix& p, V value) {
    std::vector<Node>& nodes = nodes_[Fam(p)];
    uint32_t n = 0;
    for (int i = 0; i < p.length(); ++i) {
      const int b = Bit(p, i);
      if (nodes[n].child[b] == 0) {
        nodes[n].child[b] = static_cast<uint32_t>(nodes.size());
        nodes.emplace_back();
      }
      n = nodes[n].child[b];
    }
    values_.push_back({p.Masked(), std::move(value), nodes[n].head});
    nodes[n].head = static_cast<int32_t>(values_.size() - 1);
    ++size_;
  }

  size_t size() const { return size_; }

  // fn(const Prefix&, const V&) for every value stored at exactly p.
  template <typename Fn>
  void ForEachExact(const Prefix& p, Fn&& fn) const {
    const uint32_t n = Find(p);
    if (n != kNone) Emit(nodes_[Fam(p)][n], fn);
  }

  // For every value at p or a less-specific of it, least specific first.
  template <typename Fn>
  void ForEachCovering(const Prefix& p, Fn&& fn) const {
    const std::vector<Node>& nodes = nodes_[Fam(p)];
    uint32_t n = 0;
    for (int i = 0;; ++i) {
      Emit(nodes[n], fn);
      if (i == p.length()) return;
      n = nodes[n].child[Bit(p, i)];
      if (n == 0) return;
    }
  }

  // For every value at p or a more-specific of it.
  template <typename Fn>
  void ForEachCovered(const Prefix& p, Fn&& fn) const {
    const uint32_t start = Find(p);
    if (start == kNone) return;
    const std::vector<Node>& nodes = nodes_[Fam(p)];
    std::vector<uint32_t> stack{start};
    while (!stack.empty()) {
      const uint32_t n = stack.back();
      stack.pop_back();
      Emit(nodes[n], fn);
      for (uint32_t c : nodes[n].child) {
        if (c) stack.push_back(c);
      }
    }
  }

 private:
  static constexpr uint32_t kNone = ~uint32_t{0};
  struct Node {
    uint32_t child[2] = {0, 0};  // 0: none (the root is never a child)
    int32_t head = -1;           // first value here, chained through Entry::next
  };
  struct Entry {
    Prefix prefix;
    V value;
    int32_t next;
  };

  static int Fam(const Prefix& p) { return p.family() == Family::kIpv4 ? 0 : 1; }
  static int Bit(const Prefix& p, int i) { return (p.address().bytes()[i / 8] >> (7 - i % 8)) & 1; }
  uint32_t Find(const Prefix& p) const {
    const std::vector<Node>& nodes = nodes_[Fam(p)];
    uint32_t n = 0;
    for (int i = 0; i < p.length(); ++i) {
      n = nodes[n].child[Bit(p, i)];
      if (n == 0) return kNone;
    }
    return n;
  }
  template <typename Fn>
  void Emit(const Node& node, Fn& fn) const {
    for (int32_t e = node.head; e >= 0; e = values_[static_cast<size_t>(e)].next) {
      const Entry& en = values_[static_cast<size_t>(e)];
      fn(en.prefix, en.value);
    }
  }

  std::vector<Node> nodes_[2];
  std::vector<Entry> values_;
  size_t size_ = 0;
};

}  // namespace vigia
