#include "observe/tables.h"

#include <algorithm>
#include <compare>
#include <numeric>
#include <thread>
#include <tuple>

namespace vigia::observe {

namespace {

// splitmix64's finalizer: every input bit reaches the low bits that pick
// the slot.
uint64_t Mix(uint64_t h) {
  h ^= h >> 30;
  h *= 0xBF58476D1CE4E5B9ull;
  h ^= h >> 27;
  h *= 0x94D049BB133111EBull;
  return h ^ (h >> 31);
}

constexpr size_t kFirstSlots = 1024;

}  // namespace

uint64_t HashPath(std::span<const Asn> asns, bool has_set) {
  uint64_t h = 0x9E3779B97F4A7C15ull ^ asns.size() ^ (has_set ? 0x5555 : 0);
  for (Asn a : asns) h = (h ^ a) * 0x100000001B3ull + (h >> 29);
  return Mix(h);
}

PathTable::PathTable(HashFn hash) : hash_(hash) { offsets_.push_back(0); }

void PathTable::Grow() {
  std::vector<Slot> bigger(slots_.empty() ? kFirstSlots : slots_.size() * 2);
  const size_t mask = bigger.size() - 1;
  for (uint32_t id = 0; id < size(); ++id) {
    const uint64_t h = hash_(Get(id), HasSet(id));
    size_t i = h & mask;
    while (bigger[i].id != 0) i = (i + 1) & mask;
    bigger[i] = {static_cast<uint32_t>(h >> 32), id + 1};
  }
  slots_ = std::move(bigger);
}

uint32_t PathTable::Intern(std::span<const Asn> asns, bool has_set) {
  if ((size() + 1) * 2 > slots_.size()) Grow();
  const uint64_t h = hash_(asns, has_set);
  const uint32_t tag = static_cast<uint32_t>(h >> 32);
  const size_t mask = slots_.size() - 1;
  size_t i = h & mask;
  for (; slots_[i].id != 0; i = (i + 1) & mask) {
    if (slots_[i].tag != tag) continue;
    const uint32_t id = slots_[i].id - 1;
    const auto p = Get(id);
    if (HasSet(id) == has_set && std::equal(p.begin(), p.end(), asns.begin(), asns.end())) {
      return id;
    }
  }
  const uint32_t id = static_cast<uint32_t>(size());
  asns_.insert(asns_.end(), asns.begin(), asns.end());
  offsets_.push_back(static_cast<uint32_t>(asns_.size()));
  has_set_.push_back(has_set ? 1 : 0);
  slots_[i] = {tag, id + 1};
  return id;
}

bool PathLess(std::span<const Asn> a, bool a_set, std::span<const Asn> b, bool b_set) {
  const auto c = std::lexicographical_compare_three_way(a.begin(), a.end(), b.begin(), b.end());
  return c != 0 ? c < 0 : a_set < b_set;
}

std::vector<uint32_t> PathTable::Canonicalize() {
  const size_t n = size();
  std::vector<uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  auto less = [&](uint32_t a, uint32_t b) {
    return PathLess(Get(a), HasSet(a), Get(b), HasSet(b));
  };
  // Two halves on two threads, then a merge: millions of paths at full
  // scale (20 M at 1,000 peers x 20,000 origins).
  const auto mid = order.begin() + static_cast<std::ptrdiff_t>(n / 2);
  if (n >= (1u << 16)) {
    std::thread half([&] { std::sort(order.begin(), mid, less); });
    std::sort(mid, order.end(), less);
    half.join();
    std::inplace_merge(order.begin(), mid, order.end(), less);
  } else {
    std::sort(order.begin(), order.end(), less);
  }
  std::vector<uint32_t> new_id(n);
  std::vector<Asn> asns;
  std::vector<uint32_t> offsets;
  std::vector<uint8_t> sets;
  asns.reserve(asns_.size());
  offsets.reserve(n + 1);
  sets.reserve(n);
  offsets.push_back(0);
  for (uint32_t k = 0; k < n; ++k) {
    const uint32_t old = order[k];
    new_id[old] = k;
    const auto p = Get(old);
    asns.insert(asns.end(), p.begin(), p.end());
    offsets.push_back(static_cast<uint32_t>(asns.size()));
    sets.push_back(has_set_[old]);
  }
  asns_ = std::move(asns);
  offsets_ = std::move(offsets);
  has_set_ = std::move(sets);
  // The slots again, for the new ids (same table size).
  std::vector<Slot> slots(slots_.size());
  const size_t mask = slots.size() - 1;
  for (uint32_t id = 0; id < n; ++id) {
    const uint64_t h = hash_(Get(id), HasSet(id));
    size_t i = h & mask;
    while (slots[i].id != 0) i = (i + 1) & mask;
    slots[i] = {static_cast<uint32_t>(h >> 32), id + 1};
  }
  slots_ = std::move(slots);
  return new_id;
}

void PrefixIndex::Grow(const std::vector<Prefix>& values) {
  std::vector<Slot> bigger(slots_.empty() ? kFirstSlots : slots_.size() * 2);
  const size_t mask = bigger.size() - 1;
  for (uint32_t id = 0; id < values.size(); ++id) {
    const uint64_t h = Mix(PrefixHash{}(values[id]));
    size_t i = h & mask;
    while (bigger[i].id != 0) i = (i + 1) & mask;
    bigger[i] = {static_cast<uint32_t>(h >> 32), id + 1};
  }
  slots_ = std::move(bigger);
}

uint32_t PrefixIndex::FindOrAdd(const Prefix& p, std::vector<Prefix>* values) {
  if ((values->size() + 1) * 2 > slots_.size()) Grow(*values);
  const uint64_t h = Mix(PrefixHash{}(p));
  const uint32_t tag = static_cast<uint32_t>(h >> 32);
  const size_t mask = slots_.size() - 1;
  size_t i = h & mask;
  for (; slots_[i].id != 0; i = (i + 1) & mask) {
    if (slots_[i].tag == tag && (*values)[slots_[i].id - 1] == p) return slots_[i].id - 1;
  }
  const uint32_t id = static_cast<uint32_t>(values->size());
  values->push_back(p);
  slots_[i] = {tag, id + 1};
  return id;
}

namespace {

// first[p] = where prefix p's sightings start in prefix order (a counting
// sort's offsets; prefix_count + 1 entries).
std::vector<uint32_t> PrefixRuns(std::span<const Sighting> s, size_t prefix_count) {
  std::vector<uint32_t> first(prefix_count + 1, 0);
  for (const Sighting& x : s) ++first[x.prefix + 1];
  for (size_t p = 1; p <= prefix_count; ++p) first[p] += first[p - 1];
  return first;
}

// Sorts each run [first[p], first[p + 1]) of v stably. A RIB dump lists a
// prefix's peers in order, and updates come later in time, so most runs
// (about one element per peer) are sorted already.
template <typename T, typename Less>
void SortRuns(std::vector<T>& v, const std::vector<uint32_t>& first, Less less) {
  for (size_t p = 0; p + 1 < first.size(); ++p) {
    const auto b = v.begin() + first[p], e = v.begin() + first[p + 1];
    if (std::is_sorted(b, e, less)) continue;
    if (e - b <= 32) {
      for (auto i = b + 1; i < e; ++i) {  // insertion sort: stable, no allocation
        const T x = *i;
        auto j = i;
        for (; j > b && less(x, *(j - 1)); --j) *j = *(j - 1);
        *j = x;
      }
    } else {
      std::stable_sort(b, e, less);
    }
  }
}

}  // namespace

std::vector<uint32_t> OrderByPrefix(std::span<const Sighting> s, size_t prefix_count, bool by_start,
                                    std::vector<uint32_t>* runs) {
  // Counting sort by prefix: stable, two passes over s; then each prefix's
  // sightings by peer (and start).
  std::vector<uint32_t> first = PrefixRuns(s, prefix_count);
  std::vector<uint32_t> order(s.size());
  {
    std::vector<uint32_t> next(first.begin(), first.end() - 1);
    for (uint32_t i = 0; i < s.size(); ++i) order[next[s[i].prefix]++] = i;
  }
  SortRuns(order, first, [&](uint32_t a, uint32_t b) {
    return by_start ? std::tie(s[a].peer, s[a].start) < std::tie(s[b].peer, s[b].start)
                    : s[a].peer < s[b].peer;
  });
  if (runs) *runs = std::move(first);
  return order;
}

void SortByPrefix(std::vector<Sighting>* s, size_t prefix_count) {
  // Into a second array: following the permutation's cycles in place saved
  // the copy but spent 37 % of the loading on cache misses (50 peers x
  // 200 k prefixes).
  const std::vector<uint32_t> first = PrefixRuns(*s, prefix_count);
  std::vector<Sighting> out(s->size());
  {
    std::vector<uint32_t> next(first.begin(), first.end() - 1);
    for (const Sighting& x : *s) out[next[x.prefix]++] = x;
  }
  *s = {};
  SortRuns(out, first, [](const Sighting& a, const Sighting& b) {
    return std::tie(a.peer, a.start) < std::tie(b.peer, b.start);
  });
  *s = std::move(out);
}

}  // namespace vigia::observe
