#include "sim/churn.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace vigia::sim {
namespace {

uint64_t Mix(uint64_t x) {  // splitmix64's finaliser
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

constexpr int64_t kSecond = 1'000'000;
constexpr uint32_t kMaxRun = 20;  // prefixes of one origin changed together

}  // namespace

double ChurnPeerShare(uint64_t seed, size_t peer_slot, size_t total_peers) {
  if (peer_slot >= total_peers) return 0;
  // The slot's rank in a seeded permutation: slots are chosen by size, so a
  // rank by slot would make the largest networks the noisiest.
  const uint64_t mine = Mix(seed * 0x2545F4914F6CDD1Dull + peer_slot);
  size_t rank = 0;
  double harmonic = 0;
  for (size_t i = 0; i < total_peers; ++i) {
    harmonic += 1.0 / static_cast<double>(i + 1);
    const uint64_t h = Mix(seed * 0x2545F4914F6CDD1Dull + i);
    if (h < mine || (h == mine && i < peer_slot)) ++rank;
  }
  return 1.0 / static_cast<double>(rank + 1) / harmonic;
}

ChurnStream::ChurnStream(const ChurnConfig& config, std::span<const RibPrefix> rib,
                         const PeerPaths& paths, std::vector<ChurnSession> sessions,
                         uint32_t collector)
    : config_(config),
      rib_(rib),
      paths_(paths),
      sessions_(std::move(sessions)),
      state_(sessions_.size()),
      rng_(Mix(config.seed ^ 0x636875726E000000ull) + collector) {
  v6_begin_ = static_cast<size_t>(
      std::partition_point(rib_.begin(), rib_.end(),
                           [](const RibPrefix& r) { return r.prefix.family() == Family::kIpv4; }) -
      rib_.begin());
  const int64_t start_us = config_.window_start * kSecond;
  end_us_ = start_us + int64_t{86400} * config_.days * kSecond;
  const double v6_share = rib_.empty() ? 0
                                       : static_cast<double>(rib_.size() - v6_begin_) /
                                             static_cast<double>(rib_.size());
  for (uint32_t s = 0; s < sessions_.size(); ++s) {
    const ChurnSession& cs = sessions_[s];
    const size_t fam_size = cs.family == Family::kIpv4 ? v6_begin_ : rib_.size() - v6_begin_;
    if (fam_size == 0) continue;
    const double share = ChurnPeerShare(config_.seed, cs.peer_slot, config_.total_peers) *
                         (cs.family == Family::kIpv4 ? 1 - v6_share : v6_share);
    const double budget =
        static_cast<double>(config_.prefix_updates_per_day) * config_.days * share;
    SessionState& st = state_[s];
    st.budget = static_cast<uint64_t>(std::llround(budget));
    if (st.budget == 0) continue;
    st.gap_us = std::max<int64_t>(1, (end_us_ - start_us) / static_cast<int64_t>(st.budget));
    st.next_us = start_us + static_cast<int64_t>(rng_.Below(static_cast<uint64_t>(st.gap_us) * 2));
    ChurnMessage start;
    start.session = s;  // count 0: an episode starts
    due_.push({st.next_us, seq_++, start});
  }
}

void ChurnStream::StartEpisode(uint32_t s) {
  const ChurnSession& cs = sessions_[s];
  SessionState& st = state_[s];
  const size_t begin = cs.family == Family::kIpv4 ? 0 : v6_begin_;
  const size_t end = cs.family == Family::kIpv4 ? v6_begin_ : rib_.size();
  const int64_t t = st.next_us;
  // A plain prefix the peer has a route to; a few tries, else a quiet turn.
  size_t first = end;
  for (int tries = 0; tries < 16 && first == end; ++tries) {
    const size_t i = begin + rng_.Below(end - begin);
    if (rib_[i].origin_slot < config_.plain_origin_slots &&
        !paths_.Path(rib_[i].origin_slot, cs.peer_slot).empty()) {
      first = i;
    }
  }
  uint32_t count = 0;
  bool returns = false;
  if (first != end) {
    // Most episodes move one prefix; some move a run of the origin's
    // neighbouring prefixes together, as one UPDATE (an origin's
    // link or policy change).
    constexpr uint32_t kRunWeights[] = {60, 25, 15};
    const uint32_t want = std::array<uint32_t, 3>{
        1, static_cast<uint32_t>(rng_.Between(2, 4)),
        static_cast<uint32_t>(rng_.Between(5, kMaxRun))}[rng_.Weighted(kRunWeights, 3)];
    count = 1;
    while (count < want && first + count < end &&
           rib_[first + count].origin_slot == rib_[first].origin_slot) {
      ++count;
    }
    ChurnMessage out, back;
    out.session = back.session = s;
    out.rib_begin = back.rib_begin = static_cast<uint32_t>(first);
    out.count = back.count = static_cast<uint16_t>(count);
    // 45 % flaps, 45 % path changes, 10 % long withdrawals.
    constexpr uint32_t kKindWeights[] = {45, 45, 10};
    int64_t hold_s = 0;
    switch (rng_.Weighted(kKindWeights, 3)) {
      case 0:
        out.withdraw = true;
        hold_s = static_cast<int64_t>(rng_.LogUniform(5, 600));
        break;
      case 1:
        out.prepend = static_cast<uint8_t>(rng_.Between(1, 3));
        hold_s = static_cast<int64_t>(rng_.LogUniform(60, 7200));
        break;
      default:
        out.withdraw = true;
        hold_s = static_cast<int64_t>(rng_.LogUniform(1800, 21600));
        break;
    }
    out.time_us = t;
    back.time_us = t + hold_s * kSecond + static_cast<int64_t>(rng_.Below(kSecond));
    due_.push({t, seq_++, out});
    // A return after the window is not sent; nor is it counted, so the
    // stream still makes its budget.
    returns = back.time_us < end_us_;
    if (returns) due_.push({back.time_us, seq_++, back});
  }
  const uint64_t used = std::max<uint64_t>(1, uint64_t{count} * (returns ? 2 : 1));
  st.budget = st.budget > used ? st.budget - used : 0;
  st.next_us =
      t + 1 + static_cast<int64_t>(rng_.Below(static_cast<uint64_t>(st.gap_us) * used * 2));
  if (st.budget > 0 && st.next_us < end_us_) {
    ChurnMessage start;
    start.session = s;
    due_.push({st.next_us, seq_++, start});
  }
}

bool ChurnStream::Next(ChurnMessage* m) {
  while (!due_.empty()) {
    const Due d = due_.top();
    due_.pop();
    if (d.msg.count == 0) {
      StartEpisode(d.msg.session);
      continue;
    }
    *m = d.msg;
    prefix_updates_ += d.msg.count;
    return true;
  }
  return false;
}

}  // namespace vigia::sim
