#include "registry/range_set.h"

#include <algorithm>

namespace vigia::registry {

namespace {
int Width(Family f) { return f == Family::kIpv4 ? 32 : 128; }

int CountTrailingZeros(Uint128 v, int width) {
  if (v == 0) return width;
  const uint64_t low = static_cast<uint64_t>(v);
  if (low != 0) return std::min(width, __builtin_ctzll(low));
  return std::min(width, 64 + __builtin_ctzll(static_cast<uint64_t>(v >> 64)));
}

// 2^k - 1 without shifting by the full width.
Uint128 LowMask(int k) { return k >= 128 ? ~Uint128{0} : (Uint128{1} << k) - 1; }
}  // namespace

Uint128 MaxAddress(Family f) { return f == Family::kIpv4 ? Uint128{0xFFFFFFFFu} : ~Uint128{0}; }

Uint128 AddressToInt(const IpAddress& a) {
  if (a.is_v4()) return a.v4();
  Uint128 v = 0;
  for (int i = 0; i < 16; ++i) v = (v << 8) | a.bytes()[i];
  return v;
}

IpAddress IntToAddress(Family f, Uint128 v) {
  if (f == Family::kIpv4) return IpAddress::V4(static_cast<uint32_t>(v));
  uint8_t b[16];
  for (int i = 15; i >= 0; --i) {
    b[i] = static_cast<uint8_t>(v);
    v >>= 8;
  }
  return IpAddress::FromBytes(Family::kIpv6, b);
}

std::string FormatUint128(Uint128 v) {
  if (v == 0) return "0";
  std::string s;
  while (v != 0) {
    s.push_back(static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  }
  std::reverse(s.begin(), s.end());
  return s;
}

void RangeSet::Add(Uint128 first, Uint128 last) {
  if (first > last || last > MaxAddress(family_)) return;
  ranges_.push_back({first, last});
  dirty_ = true;
}

void RangeSet::Add(const Prefix& p) {
  if (p.family() != family_) return;
  const int host_bits = Width(family_) - p.length();
  const Uint128 first = AddressToInt(p.address()) & ~LowMask(host_bits);
  Add(first, first | LowMask(host_bits));
}

void RangeSet::Add(const RangeSet& other) {
  if (other.family_ != family_) return;
  for (const AddressRange& r : other.ranges()) ranges_.push_back(r);
  dirty_ = true;
}

void RangeSet::Normalise() const {
  if (!dirty_) return;
  dirty_ = false;
  std::sort(ranges_.begin(), ranges_.end(),
            [](const AddressRange& a, const AddressRange& b) { return a.first < b.first; });
  size_t out = 0;
  for (size_t i = 0; i < ranges_.size(); ++i) {
    const AddressRange& r = ranges_[i];
    // Merge overlapping and adjacent ranges; last + 1 cannot overflow unless
    // last is the top address, which then absorbs everything after it.
    if (out > 0 &&
        (ranges_[out - 1].last == MaxAddress(family_) || r.first <= ranges_[out - 1].last + 1)) {
      ranges_[out - 1].last = std::max(ranges_[out - 1].last, r.last);
    } else {
      ranges_[out++] = r;
    }
  }
  ranges_.resize(out);
}

const std::vector<AddressRange>& RangeSet::ranges() const {
  Normalise();
  return ranges_;
}

bool RangeSet::Contains(Uint128 v) const {
  const std::vector<AddressRange>& r = ranges();
  auto it = std::upper_bound(r.begin(), r.end(), v,
                             [](Uint128 x, const AddressRange& a) { return x < a.first; });
  if (it == r.begin()) return false;
  return v <= std::prev(it)->last;
}

Uint128 RangeSet::AddressCount() const {
  Uint128 n = 0;
  for (const AddressRange& r : ranges()) {
    const Uint128 size_minus_one = r.last - r.first;
    if (size_minus_one == ~Uint128{0} || n > ~Uint128{0} - size_minus_one - 1) return ~Uint128{0};
    n += size_minus_one + 1;
  }
  return n;
}

RangeSet RangeSet::Intersect(const RangeSet& other) const {
  RangeSet out(family_);
  if (other.family_ != family_) return out;
  const std::vector<AddressRange>& a = ranges();
  const std::vector<AddressRange>& b = other.ranges();
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    const Uint128 lo = std::max(a[i].first, b[j].first);
    const Uint128 hi = std::min(a[i].last, b[j].last);
    if (lo <= hi) out.ranges_.push_back({lo, hi});
    (a[i].last < b[j].last) ? ++i : ++j;
  }
  return out;  // disjoint, sorted and, since inputs were normalised, non-adjacent
}

RangeSet RangeSet::Subtract(const RangeSet& other) const {
  RangeSet out(family_);
  const std::vector<AddressRange>& a = ranges();
  if (other.family_ != family_) {
    out.ranges_ = a;
    return out;
  }
  const std::vector<AddressRange>& b = other.ranges();
  size_t j = 0;
  for (const AddressRange& r : a) {
    Uint128 cur = r.first;
    bool done = false;
    while (j < b.size() && b[j].last < cur) ++j;
    for (size_t k = j; k < b.size() && b[k].first <= r.last; ++k) {
      if (b[k].first > cur) out.ranges_.push_back({cur, b[k].first - 1});
      if (b[k].last >= r.last) {
        done = true;
        break;
      }
      cur = b[k].last + 1;
    }
    if (!done) out.ranges_.push_back({cur, r.last});
  }
  return out;
}

std::vector<Prefix> RangeToPrefixes(Family f, Uint128 first, Uint128 last) {
  std::vector<Prefix> out;
  const int width = Width(f);
  if (first > last || last > MaxAddress(f)) return out;
  while (true) {
    int k = CountTrailingZeros(first, width);
    const Uint128 span = last - first;
    while (LowMask(k) > span) --k;
    out.emplace_back(IntToAddress(f, first), static_cast<uint8_t>(width - k));
    const Uint128 block_last = first + LowMask(k);
    if (block_last >= last) break;
    first = block_last + 1;
  }
  return out;
}

std::vector<Prefix> RangeSet::ToPrefixes() const {
  std::vector<Prefix> out;
  for (const AddressRange& r : ranges()) {
    std::vector<Prefix> p = RangeToPrefixes(family_, r.first, r.last);
    out.insert(out.end(), p.begin(), p.end());
  }
  return out;
}

}  // namespace vigia::registry
