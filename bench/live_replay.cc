// live_replay: replays MRT files (a simulated RIB as each peer's table
// transfer, then the update files in order) as BGP UPDATEs over TCP BGP
// sessions, or as BMP Route Monitoring messages (RFC 7854 §4.6) over one TCP
// BMP session per router, into Vigía's live receivers running in this
// process (live::BgpSpeaker, bmp::BmpStation) or into an external BGP
// speaker (BIRD, GoBGP) for comparison. Issue [5/7] item 5; not a test.
//
// The MRT input is read and encoded into per-session byte streams first
// (not timed). Then one thread writes the streams (non-blocking, round
// robin over the sessions, optionally paced at --rate prefix updates/s)
// while the receiver runs its epoll loop on another thread and feeds its
// RouteSink: a counter alone (--sink count) or the counter teeing into
// live::LiveDetector (--sink detect). The figure is prefix updates (NLRI
// announced or withdrawn, as the sink receives them) per second, from the
// first UPDATE byte written until the sink has seen the last one.
//
// Latency (--rate R --hijack-every N, --sink detect): every N prefix
// updates the driver announces a watched prefix from a foreign origin on
// session 0 and, N/2 later, announces it back from its own origin. Each
// LiveEvent goes through a QueuedChannel into a JSON-lines file channel; the
// time from the UPDATE's write (and, where the receiver sets it, from its
// arrival_ns) to the channel's write returning is recorded: p50/p99/max.
//
// Memory (--memory PEERS): the RIB is fed straight into the sink (no
// sockets) as PEERS peers (the file's peers repeated with new addresses);
// RSS before and after, per RIB entry.
//
// Threads: the sender (main) and the receiver; the counters are atomics.
// Output: one line of figures, or one JSON object with --json.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "alert/alert.h"
#include "alert/channels.h"
#include "bgp/encode.h"
#include "bgp/route_sink.h"
#include "live/bgp_speaker.h"
#include "mrt/route_feed.h"
#ifndef VIGIA_HAVE_STATION
#define VIGIA_HAVE_STATION 0
#endif
#ifndef VIGIA_HAVE_DETECTOR
#define VIGIA_HAVE_DETECTOR 0
#endif
#ifndef VIGIA_HAVE_ARCHIVE
#define VIGIA_HAVE_ARCHIVE 0
#endif
#if VIGIA_HAVE_STATION
#include "bmp/station.h"
#endif
#if VIGIA_HAVE_ARCHIVE
#include "collect/mrt_archive.h"
#endif
#if VIGIA_HAVE_DETECTOR
#include "live/live_detector.h"
#include "snapshot/snapshot.h"
#endif

namespace {

using namespace vigia;
using Clock = std::chrono::steady_clock;
using Bytes = std::vector<uint8_t>;
using bgp::kAfiIpv4;
using bgp::kAfiIpv6;
using bgp::kSafiUnicast;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "live_replay: %s\n", what.c_str());
  std::exit(2);
}

long RssKb() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return 0;
}

void Put16(Bytes* b, uint32_t v) {
  b->push_back(static_cast<uint8_t>(v >> 8));
  b->push_back(static_cast<uint8_t>(v));
}
void Put32(Bytes* b, uint32_t v) {
  Put16(b, v >> 16);
  Put16(b, v & 0xFFFF);
}
void PutAddr16(Bytes* b, const IpAddress& ip) {  // BMP: IPv4 in the last 4 of 16 octets
  uint8_t raw[16] = {};
  if (ip.is_v4()) {
    const uint32_t v = ip.v4();
    raw[12] = static_cast<uint8_t>(v >> 24);
    raw[13] = static_cast<uint8_t>(v >> 16);
    raw[14] = static_cast<uint8_t>(v >> 8);
    raw[15] = static_cast<uint8_t>(v);
  } else {
    std::memcpy(raw, ip.bytes(), 16);
  }
  b->insert(b->end(), raw, raw + 16);
}
void PutPrefix(Bytes* b, const Prefix& p) {
  b->push_back(p.length());
  const size_t n = (p.length() + 7) / 8;
  if (p.address().is_v4()) {
    const uint32_t v = p.address().v4();
    for (size_t i = 0; i < n; ++i) b->push_back(static_cast<uint8_t>(v >> (24 - 8 * i)));
  } else {
    const uint8_t* raw = p.address().bytes();
    b->insert(b->end(), raw, raw + n);
  }
}

// BGP OPEN (RFC 4271 §4.2) with capabilities: multiprotocol IPv4 and IPv6
// unicast (RFC 4760), 4-octet AS (RFC 6793).
Bytes OpenMessage(uint32_t asn, uint16_t hold, uint32_t id) {
  Bytes caps = {1, 4, 0, 1, 0, 1, 1, 4, 0, 2, 0, 1, 65, 4};
  Put32(&caps, asn);
  Bytes m(16, 0xFF);
  Put16(&m, 0);
  m.push_back(1);
  m.push_back(4);
  Put16(&m, asn > 0xFFFF ? 23456 : asn);
  Put16(&m, hold);
  Put32(&m, id);
  m.push_back(static_cast<uint8_t>(caps.size() + 2));
  m.push_back(2);
  m.push_back(static_cast<uint8_t>(caps.size()));
  m.insert(m.end(), caps.begin(), caps.end());
  m[16] = static_cast<uint8_t>(m.size() >> 8);
  m[17] = static_cast<uint8_t>(m.size());
  return m;
}

Bytes KeepaliveMessage() {
  Bytes m(16, 0xFF);
  Put16(&m, 19);
  m.push_back(4);
  return m;
}

// One UPDATE being packed: one attribute set and family, announce or withdraw.
struct Pending {
  int group = -1;  // attribute group; -1: withdraw
  uint16_t afi = kAfiIpv4;
  std::vector<Prefix> prefixes;
};

struct AttrGroup {
  Bytes attrs;            // encoded attributes without MP_REACH/MP_UNREACH
  IpAddress v6_next_hop;  // for IPv6 announcements
};

// One UPDATE in the stream, with how many prefixes it carries.
struct Message {
  uint32_t offset = 0, length = 0, prefixes = 0;
};

struct PeerStream {
  bgp::PeerInfo info;
  std::string collector;
  Bytes bytes;  // UPDATE messages, back to back
  std::vector<Message> messages;
  uint64_t prefixes = 0;
  // Table transfer: attribute group -> prefixes, per family.
  std::map<std::pair<int, uint16_t>, std::vector<Prefix>> table;
  Pending pending;
};

constexpr size_t kMaxUpdate = 4096;  // RFC 4271 §4.1

// Encodes an UPDATE for a pending list, cutting it at 4096 octets.
class Encoder {
 public:
  explicit Encoder(const std::vector<AttrGroup>* groups) : groups_(groups) {}

  void Emit(PeerStream* ps, int group, uint16_t afi, const std::vector<Prefix>& list) {
    size_t i = 0;
    while (i < list.size()) {
      Bytes m(16, 0xFF);
      Put16(&m, 0);
      m.push_back(2);
      const AttrGroup* g = group >= 0 ? &(*groups_)[static_cast<size_t>(group)] : nullptr;
      const size_t fixed = 23 + (g ? g->attrs.size() : 0) + 40;
      size_t n = 0;
      Bytes nlri;
      while (i + n < list.size() && fixed + nlri.size() + 17 < kMaxUpdate) {
        PutPrefix(&nlri, list[i + n]);
        ++n;
      }
      if (afi == kAfiIpv4 && !g) {  // IPv4 withdrawn routes
        Put16(&m, static_cast<uint32_t>(nlri.size()));
        m.insert(m.end(), nlri.begin(), nlri.end());
        Put16(&m, 0);
      } else if (afi == kAfiIpv4) {
        Put16(&m, 0);
        Put16(&m, static_cast<uint32_t>(g->attrs.size()));
        m.insert(m.end(), g->attrs.begin(), g->attrs.end());
        m.insert(m.end(), nlri.begin(), nlri.end());
      } else {
        Bytes mp;
        if (g) {  // MP_REACH_NLRI, RFC 4760 §3
          Put16(&mp, kAfiIpv6);
          mp.push_back(kSafiUnicast);
          mp.push_back(16);
          PutAddr16(&mp, g->v6_next_hop);
          mp.push_back(0);
        } else {  // MP_UNREACH_NLRI, RFC 4760 §4
          Put16(&mp, kAfiIpv6);
          mp.push_back(kSafiUnicast);
        }
        mp.insert(mp.end(), nlri.begin(), nlri.end());
        Bytes attrs = g ? g->attrs : Bytes{};
        attrs.push_back(0x90);
        attrs.push_back(g ? 14 : 15);
        Put16(&attrs, static_cast<uint32_t>(mp.size()));
        attrs.insert(attrs.end(), mp.begin(), mp.end());
        Put16(&m, 0);
        Put16(&m, static_cast<uint32_t>(attrs.size()));
        m.insert(m.end(), attrs.begin(), attrs.end());
      }
      m[16] = static_cast<uint8_t>(m.size() >> 8);
      m[17] = static_cast<uint8_t>(m.size());
      ps->messages.push_back({static_cast<uint32_t>(ps->bytes.size()),
                              static_cast<uint32_t>(m.size()), static_cast<uint32_t>(n)});
      ps->bytes.insert(ps->bytes.end(), m.begin(), m.end());
      ps->prefixes += n;
      i += n;
    }
  }

 private:
  const std::vector<AttrGroup>* groups_;
};

// Reads MRT route events and packs them into per-peer UPDATE streams.
class Loader : public bgp::RouteSink {
 public:
  Loader() : enc_(&groups_) {}

  void Peer(bgp::PeerHandle h, const bgp::PeerInfo& info) override {
    if (peers_.size() <= h) peers_.resize(h + 1);
    if (peers_[h]) return;
    peers_[h] = std::make_unique<PeerStream>();
    peers_[h]->collector = std::string(info.collector);
    peers_[h]->info = info;
    peers_[h]->info.collector = peers_[h]->collector;
  }
  void Announce(const bgp::Route& r, const bgp::PathAttributes& attrs) override {
    if (r.safi != kSafiUnicast) return;
    if (r.attr_set != last_set_) {
      last_set_ = r.attr_set;
      last_group_ = Group(attrs);
    }
    PeerStream* ps = peers_[r.peer].get();
    if (r.source == bgp::RouteSource::kTableSnapshot) {
      ps->table[{last_group_, r.afi}].push_back(r.prefix);
      ++table_entries_;
      return;
    }
    Add(ps, last_group_, r.afi, r.prefix);
  }
  void Withdraw(const bgp::Route& r, bgp::WithdrawCause) override {
    if (r.safi != kSafiUnicast) return;
    Add(peers_[r.peer].get(), -1, r.afi, r.prefix);
  }
  void SessionDown(bgp::PeerHandle, bgp::RouteTime) override {}

  // Table transfers first, then the updates; per peer.
  std::vector<std::unique_ptr<PeerStream>> Finish(bool table, bool updates) {
    std::vector<std::unique_ptr<PeerStream>> out;
    for (auto& ps : peers_) {
      if (!ps) continue;
      Flush(ps.get());
      auto fin = std::make_unique<PeerStream>();
      fin->collector = ps->collector;
      fin->info = ps->info;
      fin->info.collector = fin->collector;
      if (table) {
        for (const auto& [key, list] : ps->table) enc_.Emit(fin.get(), key.first, key.second, list);
      }
      if (updates) {
        for (const Message& m : ps->messages) {
          fin->messages.push_back({static_cast<uint32_t>(fin->bytes.size()), m.length, m.prefixes});
          fin->bytes.insert(fin->bytes.end(), ps->bytes.begin() + m.offset,
                            ps->bytes.begin() + m.offset + m.length);
          fin->prefixes += m.prefixes;
        }
      }
      ps.reset();
      if (!fin->messages.empty()) out.push_back(std::move(fin));
    }
    return out;
  }
  uint64_t table_entries() const { return table_entries_; }
  const std::vector<AttrGroup>& groups() const { return groups_; }
  std::vector<AttrGroup>& mutable_groups() { return groups_; }
  int Group(const bgp::PathAttributes& attrs) {
    bgp::PathAttributes a = attrs;
    IpAddress nh6 = *IpAddress::Parse("2001:db8::1");
    for (const auto& mp : a.mp_reach) {
      if (mp.afi == kAfiIpv6 && !mp.next_hop.is_v4()) nh6 = mp.next_hop;
    }
    a.Unset(bgp::kAttrMpReach);
    a.Unset(bgp::kAttrMpUnreach);
    a.mp_reach.clear();
    a.mp_unreach.clear();
    a.mp_reach_count = a.mp_unreach_count = 0;
    a.unknown.clear();
    a.Unset(bgp::kAttrAs4Path);
    if (!a.Has(bgp::kAttrNextHop)) {
      a.Set(bgp::kAttrNextHop);
      a.next_hop = IpAddress::V4(0xC0000201);
    }
    bgp::AttrContext ctx;
    ctx.as_size = 4;
    Bytes enc;
    bgp::EncodeAttributes(a, ctx, &enc);
    std::string key(enc.begin(), enc.end());
    key.append(reinterpret_cast<const char*>(nh6.bytes()), 16);
    auto [it, fresh] = index_.try_emplace(std::move(key), static_cast<int>(groups_.size()));
    if (fresh) groups_.push_back({std::move(enc), nh6});
    return it->second;
  }

 private:
  void Add(PeerStream* ps, int group, uint16_t afi, const Prefix& p) {
    Pending& pd = ps->pending;
    if (!pd.prefixes.empty() && (pd.group != group || pd.afi != afi || pd.prefixes.size() >= 400)) {
      Flush(ps);
    }
    pd.group = group;
    pd.afi = afi;
    pd.prefixes.push_back(p);
  }
  void Flush(PeerStream* ps) {
    if (ps->pending.prefixes.empty()) return;
    enc_.Emit(ps, ps->pending.group, ps->pending.afi, ps->pending.prefixes);
    ps->pending.prefixes.clear();
  }

  std::vector<std::unique_ptr<PeerStream>> peers_;
  std::vector<AttrGroup> groups_;
  std::unordered_map<std::string, int> index_;
  Encoder enc_;
  uint64_t last_set_ = 0;
  int last_group_ = 0;
  uint64_t table_entries_ = 0;
};

// BMP framing, RFC 7854 §4.1 (common header), §4.2 (per-peer header).
void BmpHeader(Bytes* b, uint8_t type, size_t body) {
  b->push_back(3);
  Put32(b, static_cast<uint32_t>(6 + body));
  b->push_back(type);
}
void PerPeer(Bytes* b, const bgp::PeerInfo& p, uint32_t seconds) {
  b->push_back(0);                        // global instance peer
  b->push_back(p.ip.is_v4() ? 0 : 0x80);  // V flag; A=0: 4-octet AS_PATH
  for (int i = 0; i < 8; ++i) b->push_back(0);
  PutAddr16(b, p.ip);
  Put32(b, p.asn);
  Put32(b, p.bgp_id.is_v4() ? p.bgp_id.v4() : 0x0A000001);
  Put32(b, seconds);
  Put32(b, 0);
}

// The BMP stream of one router: Initiation, Peer Up per peer, then the
// peers' UPDATEs interleaved (one message of each in turn) as Route Monitoring.
struct BmpStream {
  Bytes bytes;
  std::vector<Message> messages;  // Route Monitoring only (prefixes > 0)
  uint64_t prefixes = 0;
};

BmpStream MakeBmp(const std::vector<PeerStream*>& peers, uint32_t seconds) {
  BmpStream s;
  Bytes init;  // Initiation, §4.3: sysDescr (1), sysName (2)
  const std::string name = "live_replay";
  Put16(&init, 2);
  Put16(&init, static_cast<uint32_t>(name.size()));
  init.insert(init.end(), name.begin(), name.end());
  BmpHeader(&s.bytes, 4, init.size());
  s.bytes.insert(s.bytes.end(), init.begin(), init.end());
  for (const PeerStream* p : peers) {  // Peer Up, §4.10
    Bytes body;
    PerPeer(&body, p->info, seconds);
    PutAddr16(&body, IpAddress::V4(0x7F000001));
    Put16(&body, 179);
    Put16(&body, 40000);
    const Bytes sent = OpenMessage(64999, 90, 0x0A000001);
    const Bytes recv =
        OpenMessage(p->info.asn, 90, p->info.bgp_id.is_v4() ? p->info.bgp_id.v4() : 1);
    body.insert(body.end(), sent.begin(), sent.end());
    body.insert(body.end(), recv.begin(), recv.end());
    BmpHeader(&s.bytes, 3, body.size());
    s.bytes.insert(s.bytes.end(), body.begin(), body.end());
  }
  std::vector<size_t> next(peers.size(), 0);
  bool more = true;
  while (more) {
    more = false;
    for (size_t i = 0; i < peers.size(); ++i) {
      if (next[i] >= peers[i]->messages.size()) continue;
      more = true;
      const Message& m = peers[i]->messages[next[i]++];
      const size_t off = s.bytes.size();
      BmpHeader(&s.bytes, 0, 42 + m.length);
      PerPeer(&s.bytes, peers[i]->info, seconds);
      s.bytes.insert(s.bytes.end(), peers[i]->bytes.begin() + m.offset,
                     peers[i]->bytes.begin() + m.offset + m.length);
      s.messages.push_back(
          {static_cast<uint32_t>(off), static_cast<uint32_t>(s.bytes.size() - off), m.prefixes});
      s.prefixes += m.prefixes;
    }
  }
  return s;
}

// Counts route events on the receiver thread and forwards them.
class CountingSink : public bgp::RouteSink {
 public:
  explicit CountingSink(bgp::RouteSink* next) : next_(next) {}
  void Peer(bgp::PeerHandle h, const bgp::PeerInfo& info) override {
    if (next_) next_->Peer(h, info);
  }
  void Announce(const bgp::Route& r, const bgp::PathAttributes& a) override {
    if (before_) before_();
    if (next_) next_->Announce(r, a);
    Count();
  }
  void Withdraw(const bgp::Route& r, bgp::WithdrawCause c) override {
    if (before_) before_();
    if (next_) next_->Withdraw(r, c);
    Count();
  }
  void SessionDown(bgp::PeerHandle p, bgp::RouteTime t) override {
    if (next_) next_->SessionDown(p, t);
  }
  void Problem(const bgp::FeedProblem& p) override {
    if (problems_.fetch_add(1) < 5) std::fprintf(stderr, "problem: %s\n", p.ToString().c_str());
  }
  void set_target(uint64_t t) { target_ = t; }
  // Called before each route event is forwarded (the arrival time hand-over).
  void set_before(std::function<void()> f) { before_ = std::move(f); }
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  int64_t done_ns() const { return done_ns_.load(); }
  int64_t done_cpu_ns() const { return done_cpu_ns_.load(); }
  uint64_t problems() const { return problems_.load(); }

 private:
  void Count() {
    const uint64_t n = count_.load(std::memory_order_relaxed) + 1;
    count_.store(n, std::memory_order_relaxed);
    if (n == target_) {
      done_ns_.store(NowNs());
      timespec ts{};
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);  // the receiver thread's CPU time
      done_cpu_ns_.store(int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec);
    }
  }
  bgp::RouteSink* next_;
  std::function<void()> before_;
  std::atomic<uint64_t> count_{0};
  std::atomic<int64_t> done_ns_{0};
  std::atomic<int64_t> done_cpu_ns_{0};
  std::atomic<uint64_t> problems_{0};
  uint64_t target_ = UINT64_MAX;
};

// Origin times of injected hijacks and the latencies measured on delivery.
struct LatencyBook {
  std::mutex mu;
  std::unordered_map<std::string, int64_t> sent_ns;  // prefix text -> write time
  std::unordered_map<std::string, int64_t> origin;   // alert key|state -> origin ns
  std::vector<double> ms, arrival_ms;
  uint64_t alerts = 0;
};

// A channel decorator that records latency when the inner write returns.
class TimedChannel : public alert::Channel {
 public:
  TimedChannel(std::unique_ptr<alert::Channel> inner, LatencyBook* book)
      : inner_(std::move(inner)), book_(book) {}
  std::string_view name() const override { return inner_->name(); }
  Status Deliver(const alert::Alert& a) override {
    Status st = inner_->Deliver(a);
    const int64_t now = NowNs();
    std::lock_guard<std::mutex> lock(book_->mu);
    ++book_->alerts;
    const std::string k = a.key + (a.state == alert::AlertState::kFiring ? "|f" : "|r");
    auto it = book_->origin.find(k);
    if (it != book_->origin.end()) {
      book_->ms.push_back(static_cast<double>(now - it->second) / 1e6);
      book_->origin.erase(it);
    }
    auto at = book_->origin.find(k + "|arrival");
    if (at != book_->origin.end()) {
      book_->arrival_ms.push_back(static_cast<double>(now - at->second) / 1e6);
      book_->origin.erase(at);
    }
    return st;
  }

 private:
  std::unique_ptr<alert::Channel> inner_;
  LatencyBook* book_;
};

#if VIGIA_HAVE_DETECTOR
// LiveEvents -> Alerts on the receiver thread; the channel is queued.
class AlertingSink : public live::LiveEventSink {
 public:
  AlertingSink(alert::Channel* ch, LatencyBook* book) : ch_(ch), book_(book) {}
  void OnEvent(const live::LiveEvent& e) override {
    ++events_;
    ++by_rule_[e.rule];
    if (!ch_) return;
    alert::Alert a;
    a.key = e.key;
    a.rule = e.rule;
    a.state = e.phase == live::EventPhase::kRaised ? alert::AlertState::kFiring
                                                   : alert::AlertState::kRecovered;
    a.prefix = e.incident.prefixes.empty() ? "" : e.incident.prefixes.front().ToString();
    a.text = e.key;
    a.last_seen_ms = a.first_seen_ms = static_cast<int64_t>(e.time.seconds) * 1000;
    {
      std::lock_guard<std::mutex> lock(book_->mu);
      const std::string k = a.key + (a.state == alert::AlertState::kFiring ? "|f" : "|r");
      auto it =
          book_->sent_ns.find(a.prefix + (a.state == alert::AlertState::kFiring ? "|f" : "|r"));
      if (it != book_->sent_ns.end() && e.rule == live::kRuleHijack) {  // the injected rule only
        book_->origin[k] = it->second;
        book_->sent_ns.erase(it);
      }
      if (e.arrival_ns) book_->origin[k + "|arrival"] = e.arrival_ns;
    }
    (void)ch_->Deliver(a);
  }
  uint64_t events() const { return events_; }
  std::string ByRule() const {
    std::string out;
    for (const auto& [rule, n] : by_rule_)
      out += (out.empty() ? "" : " ") + rule + "=" + std::to_string(n);
    return out;
  }

 private:
  alert::Channel* ch_;
  LatencyBook* book_;
  uint64_t events_ = 0;
  std::map<std::string, uint64_t> by_rule_;
};
#endif

struct Options {
  std::vector<std::string> files;
  std::string mode = "bgp";    // bgp | bmp
  std::string sink = "count";  // count | detect
  std::string target;          // external BGP speaker ADDR:PORT
  std::string until_cmd;       // external: a command printing the receiver's count
  uint64_t until_count = 0;
  std::string snapshot;  // reference data for the detector
  std::string alerts = "/dev/null";
  double rate = 0;  // prefix updates/s; 0: as fast as possible
  uint64_t hijack_every = 0;
  uint64_t memory_peers = 0;
  uint64_t limit = 0;       // prefix updates replayed (0: all)
  size_t routers = 1;       // BMP connections
  size_t watched = 1000;    // watched prefixes for the detector
  bool all_routes = false;  // LiveRules::only_watched = false
  bool table = true, updates = true, json = false, print_peers = false;
  uint32_t local_asn = 64999;
};

double Percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())));
  return v[i];
}

int Connect(const IpAddress& local, const std::string& target) {
  auto hp = live::ParseHostPort(target);
  if (!hp.ok()) Die("bad address " + target);
  const auto& [ip, port] = *hp;
  if (!ip.is_v4()) Die("IPv4 targets only: " + target);
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  if (local.is_v4() && local.v4() != 0) {
    sa.sin_addr.s_addr = htonl(local.v4());
    if (bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
      Die("bind " + local.ToString() + ": " + std::strerror(errno));
    }
  }
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(ip.v4());
  if (connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    Die("connect " + target + ": " + std::strerror(errno));
  }
  const int big = 4 << 20;
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
  return fd;
}

// Reads BGP messages until the peer's OPEN and KEEPALIVE have come.
void Handshake(int fd) {
  Bytes buf;
  bool open = false, ka = false;
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (!(open && ka)) {
    if (Clock::now() > deadline) Die("no OPEN/KEEPALIVE from the receiver");
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    uint8_t tmp[4096];
    const ssize_t n = read(fd, tmp, sizeof tmp);
    if (n <= 0) Die("receiver closed the session during the handshake");
    buf.insert(buf.end(), tmp, tmp + n);
    while (buf.size() >= 19) {
      const size_t len = (size_t{buf[16]} << 8) | buf[17];
      if (len < 19 || buf.size() < len) break;
      if (buf[18] == 1) open = true;
      if (buf[18] == 4 && open) ka = true;
      if (buf[18] == 3) Die("receiver sent NOTIFICATION during the handshake");
      buf.erase(buf.begin(), buf.begin() + static_cast<long>(len));
    }
  }
}

struct Session {
  int fd = -1;
  const Bytes* bytes = nullptr;
  const std::vector<Message>* messages = nullptr;
  size_t next_msg = 0;  // messages released (paced) so far
  size_t sent = 0;      // bytes written
  size_t limit = 0;     // bytes released
};

void Usage() {
  std::puts(
      "live_replay [options] MRT_FILE...\n"
      "  --mode bgp|bmp        BGP sessions into live::BgpSpeaker, or BMP into bmp::BmpStation\n"
      "  --sink count|detect|archive   a counting sink, or the counter teeing into\n"
      "                        live::LiveDetector or collect::MrtArchive (RIB kept, nothing "
      "written)\n"
      "  --snapshot DIR        reference data for the detector (a `vigia simulate` directory)\n"
      "  --watched N           watched prefixes taken from the table (default 1000)\n"
      "  --all-routes          detector checks every route (LiveRules::only_watched = false)\n"
      "  --rate R              pace at R prefix updates/s (default: unpaced)\n"
      "  --hijack-every N      with --rate and --sink detect: inject a hijack every N updates\n"
      "  --alerts FILE         JSON-lines alert file (default /dev/null)\n"
      "  --routers N           BMP: spread the peers over N router connections\n"
      "  --no-table | --no-updates   leave out the RIB table transfer or the update files\n"
      "  --target ADDR:PORT    send to an external BGP speaker (BIRD, GoBGP) instead\n"
      "  --until-cmd CMD --until-count N   external: poll CMD (prints a number) until >= N\n"
      "  --limit N             replay about N prefix updates (each session's first share)\n"
      "  --print-peers         print ADDRESS ASN PREFIXES per BGP session and exit\n"
      "  --memory PEERS        feed the RIB as PEERS peers straight into the sink; print RSS\n"
      "  --features            print which receivers and sinks this build has, and exit\n"
      "  --json                one JSON object");
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto val = [&]() -> std::string {
      if (i + 1 >= argc) Die(a + " needs a value");
      return argv[++i];
    };
    if (a == "-h" || a == "--help") {
      Usage();
      return 0;
    } else if (a == "--mode") {
      o.mode = val();
    } else if (a == "--sink") {
      o.sink = val();
    } else if (a == "--snapshot") {
      o.snapshot = val();
    } else if (a == "--watched") {
      o.watched = std::stoul(val());
    } else if (a == "--all-routes") {
      o.all_routes = true;
    } else if (a == "--rate") {
      o.rate = std::stod(val());
    } else if (a == "--hijack-every") {
      o.hijack_every = std::stoull(val());
    } else if (a == "--alerts") {
      o.alerts = val();
    } else if (a == "--routers") {
      o.routers = std::max<size_t>(1, std::stoul(val()));
    } else if (a == "--no-table") {
      o.table = false;
    } else if (a == "--no-updates") {
      o.updates = false;
    } else if (a == "--target") {
      o.target = val();
    } else if (a == "--until-cmd") {
      o.until_cmd = val();
    } else if (a == "--until-count") {
      o.until_count = std::stoull(val());
    } else if (a == "--memory") {
      o.memory_peers = std::stoull(val());
    } else if (a == "--limit") {
      o.limit = std::stoull(val());
    } else if (a == "--print-peers") {
      o.print_peers = true;
    } else if (a == "--features") {
      std::printf("bgp count%s%s%s\n", VIGIA_HAVE_STATION ? " bmp" : "",
                  VIGIA_HAVE_DETECTOR ? " detect" : "", VIGIA_HAVE_ARCHIVE ? " archive" : "");
      return 0;
    } else if (a == "--json") {
      o.json = true;
    } else if (!a.empty() && a[0] == '-') {
      Die("unknown option " + a + " (see --help)");
    } else {
      o.files.push_back(a);
    }
  }
  if (o.files.empty()) Die("no MRT files (see --help)");
  if (o.mode != "bgp" && o.mode != "bmp") Die("--mode is bgp or bmp");
  if (o.sink != "count" && o.sink != "detect" && o.sink != "archive") {
    Die("--sink is count, detect or archive");
  }
#if !VIGIA_HAVE_ARCHIVE
  if (o.sink == "archive") Die("built without collect::MrtArchive (src/collect/mrt_archive.cc)");
#endif
#if !VIGIA_HAVE_STATION
  if (o.mode == "bmp" && o.target.empty())
    Die("built without bmp::BmpStation (src/bmp/station.cc)");
#endif
#if !VIGIA_HAVE_DETECTOR
  if (o.sink == "detect") Die("built without live::LiveDetector (src/live/live_detector.cc)");
#endif

  // ---- the detector and its alert path ----
  LatencyBook book;
  std::unique_ptr<alert::QueuedChannel> channel;
  bgp::RouteSink* inner = nullptr;
#if VIGIA_HAVE_DETECTOR
  snapshot::Snapshot ref;
  std::unique_ptr<AlertingSink> events;
  std::unique_ptr<live::LiveDetector> detector;
#endif
  const long rss0 = RssKb();

  // ---- memory mode: the RIB straight into the sink ----
  if (o.memory_peers) {
    struct Fanout : bgp::RouteSink {
      bgp::RouteSink* next = nullptr;
      uint32_t pass = 0, base = 0;
      uint64_t entries = 0;
      std::string collector = "mem";
      void Peer(bgp::PeerHandle h, const bgp::PeerInfo& info) override {
        bgp::PeerInfo p = info;
        p.collector = collector;
        p.ip = IpAddress::V4(0x0A000000 + pass * 256 + h + 1);
        p.asn = 64512 + pass * 64 + h;
        next->Peer(base + h, p);
        width = std::max(width, h + 1);
      }
      void Announce(const bgp::Route& r, const bgp::PathAttributes& a) override {
        if (!next) return;
        bgp::Route x = r;
        x.peer += base;
        next->Announce(x, a);
        ++entries;
      }
      void Withdraw(const bgp::Route& r, bgp::WithdrawCause c) override {
        bgp::Route x = r;
        x.peer += base;
        next->Withdraw(x, c);
      }
      void SessionDown(bgp::PeerHandle, bgp::RouteTime) override {}
      uint32_t width = 0;
    };
    // A sink that keeps nothing, to subtract the feed's own memory.
    struct Null : bgp::RouteSink {
      void Peer(bgp::PeerHandle, const bgp::PeerInfo&) override {}
      void Announce(const bgp::Route&, const bgp::PathAttributes&) override {}
      void Withdraw(const bgp::Route&, bgp::WithdrawCause) override {}
      void SessionDown(bgp::PeerHandle, bgp::RouteTime) override {}
    } null_sink;
    bgp::RouteSink* target = &null_sink;
#if VIGIA_HAVE_ARCHIVE
    std::unique_ptr<collect::MrtArchive> archive;
    if (o.sink == "archive") {  // the collector's RIB, nothing written
      archive = std::make_unique<collect::MrtArchive>(collect::ArchiveOptions{});
      target = archive.get();
    }
#endif
#if VIGIA_HAVE_DETECTOR
    if (o.sink == "detect") {
      if (o.snapshot.empty()) Die("--sink detect needs --snapshot DIR");
      if (Status st = snapshot::LoadSnapshot(o.snapshot, &ref); !st.ok()) Die(st.ToString());
      events = std::make_unique<AlertingSink>(nullptr, &book);
      live::LiveRules rules;
      rules.only_watched = !o.all_routes;
      rules.min_peers = 1;
      detector = std::make_unique<live::LiveDetector>(rules, &ref, events.get());
      target = detector.get();
    }
#endif
    const long before = RssKb();
    Fanout fan;
    fan.next = target;
    const auto t0 = Clock::now();
    uint32_t file_peers = 0;
    for (uint32_t pass = 0; fan.base < o.memory_peers; ++pass) {
      fan.pass = pass;
      for (const auto& f : o.files) {
        mrt::RouteFeed feed("mem");
        if (Status st = feed.ReadFile(f, &fan); !st.ok()) Die(st.ToString());
      }
      file_peers = std::max(file_peers, fan.width);
      fan.base += fan.width;
      fan.width = 0;
    }
    const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    const long after = RssKb();
    const double per = static_cast<double>(after - before) * 1024.0 /
                       static_cast<double>(std::max<uint64_t>(1, fan.entries));
    if (o.json) {
      std::printf(
          "{\"mode\":\"memory\",\"sink\":\"%s\",\"peers\":%u,\"entries\":%llu,\"rss_before_kb\":%"
          "ld,"
          "\"rss_after_kb\":%ld,\"bytes_per_entry\":%.1f,\"seconds\":%.2f}\n",
          o.sink.c_str(), fan.base, static_cast<unsigned long long>(fan.entries), before, after,
          per, secs);
    } else {
      std::printf(
          "memory %s: %u peers, %llu RIB entries, RSS %ld -> %ld MB, %.1f bytes/entry, %.1f s\n",
          o.sink.c_str(), fan.base, static_cast<unsigned long long>(fan.entries), before / 1024,
          after / 1024, per, secs);
    }
#if VIGIA_HAVE_ARCHIVE
    if (archive) {
      std::printf(
          "archive MemoryBytes(): %.0f MB for %llu routes, %llu prefixes, %llu attribute sets\n",
          static_cast<double>(archive->MemoryBytes()) / 1048576.0,
          static_cast<unsigned long long>(archive->stats().entries),
          static_cast<unsigned long long>(archive->stats().prefixes),
          static_cast<unsigned long long>(archive->stats().attr_sets));
    }
#endif
    (void)file_peers;
    return 0;
  }

  // ---- prepare the streams (not timed) ----
  const auto p0 = Clock::now();
  Loader loader;
  mrt::RouteFeed replay_feed("replay");  // one feed: peer handles shared by the files
  for (const auto& f : o.files) {
    mrt::RouteFeed& feed = replay_feed;
    if (Status st = feed.ReadFile(f, &loader); !st.ok()) Die(st.ToString());
  }
  auto peers = loader.Finish(o.table, o.updates);
  if (peers.empty()) Die("no routes in the input");
  if (o.limit) {  // keep each session's first share of o.limit prefix updates
    uint64_t all = 0;
    for (const auto& p : peers) all += p->prefixes;
    for (auto& p : peers) {
      const double share = static_cast<double>(o.limit) * static_cast<double>(p->prefixes) /
                           static_cast<double>(std::max<uint64_t>(1, all));
      uint64_t have = 0;
      size_t keep = 0;
      while (keep < p->messages.size() && static_cast<double>(have) < share) {
        have += p->messages[keep++].prefixes;
      }
      p->messages.resize(keep);
      p->bytes.resize(keep ? p->messages.back().offset + p->messages.back().length : 0);
      p->prefixes = have;
    }
  }
  uint64_t total = 0, messages = 0, bytes = 0;
  for (const auto& p : peers) {
    total += p->prefixes;
    messages += p->messages.size();
    bytes += p->bytes.size();
  }

  if (o.print_peers) {  // for an external speaker's config: "ADDRESS ASN PREFIXES" per session
    for (size_t i = 0; i < peers.size(); ++i) {
      std::printf("%s %u %llu\n",
                  IpAddress::V4(0x7F000100 + static_cast<uint32_t>(i) + 1).ToString().c_str(),
                  peers[i]->info.asn, static_cast<unsigned long long>(peers[i]->prefixes));
    }
    return 0;
  }

  // Watched prefixes: every (table size / watched)th prefix of peer 0's
  // table with its origin; the hijacks take turns over the first 16.
  struct Watch {
    Prefix prefix;
    Asn origin;
    int group;  // peer 0's attributes for it in the table
  };
  std::vector<Watch> watched;
  {
    struct Pick : bgp::RouteSink {
      std::vector<Watch>* out;
      Loader* loader;
      size_t every, n = 0, want;
      void Peer(bgp::PeerHandle, const bgp::PeerInfo&) override {}
      void Announce(const bgp::Route& r, const bgp::PathAttributes& a) override {
        if (r.peer != 0 || out->size() >= want || r.afi != kAfiIpv4) return;
        if (n++ % every == 0 && a.as_path.Origin() != 0)
          out->push_back({r.prefix, a.as_path.Origin(), loader->Group(a)});
      }
      void Withdraw(const bgp::Route&, bgp::WithdrawCause) override {}
      void SessionDown(bgp::PeerHandle, bgp::RouteTime) override {}
    } pick;
    pick.out = &watched;
    pick.loader = &loader;
    pick.want = o.watched;
    pick.every = std::max<size_t>(1, peers[0]->prefixes / std::max<size_t>(1, o.watched) / 2);
    if (o.sink == "detect" || o.hijack_every) {
      mrt::RouteFeed feed("pick");
      (void)feed.ReadFile(o.files[0], &pick);
    }
  }

  // Hijack injection for the latency run: pre-encoded announcements on
  // session 0 (BGP) or as Route Monitoring of peer 0 (BMP).
  struct Inject {
    Bytes bad, good;
    std::string prefix;
  };
  std::vector<Inject> injects;
  if (o.hijack_every && !watched.empty()) {
    for (size_t k = 0; k < std::min<size_t>(16, watched.size()); ++k) {
      // The hijacker: the origin of another watched prefix (a real AS of
      // the table, not a bogon); the restore: peer 0's own table route.
      auto mk = [&](Asn origin, int group) {
        int g = group;
        if (g < 0) {
          bgp::PathAttributes a;
          a.Set(bgp::kAttrOrigin);
          a.Set(bgp::kAttrAsPath);
          a.as_path.segments.push_back({2, 2});
          a.as_path.asns = {peers[0]->info.asn, origin};
          a.Set(bgp::kAttrNextHop);
          a.next_hop = IpAddress::V4(0xC0000201);
          g = loader.Group(a);
        }
        PeerStream tmp;
        Encoder(&loader.groups()).Emit(&tmp, g, kAfiIpv4, {watched[k].prefix});
        if (o.mode == "bmp") {
          Bytes b;
          BmpHeader(&b, 0, 42 + tmp.bytes.size());
          PerPeer(&b, peers[0]->info, 0);
          b.insert(b.end(), tmp.bytes.begin(), tmp.bytes.end());
          return b;
        }
        return tmp.bytes;
      };
      const Asn hijacker = watched[(k + 1) % watched.size()].origin;
      if (hijacker == watched[k].origin) continue;
      injects.push_back({mk(hijacker, -1), mk(0, watched[k].group), watched[k].prefix.ToString()});
    }
  }

  // BMP: one stream per router connection.
  std::vector<BmpStream> bmp;
  if (o.mode == "bmp") {
    const size_t r = std::min(o.routers, peers.size());
    std::vector<std::vector<PeerStream*>> split(r);
    for (size_t i = 0; i < peers.size(); ++i) split[i % r].push_back(peers[i].get());
    for (auto& s : split) bmp.push_back(MakeBmp(s, 1795000000));
  }
  const double prep = std::chrono::duration<double>(Clock::now() - p0).count();
  std::fprintf(stderr,
               "prepared %zu sessions, %llu prefix updates in %llu UPDATEs (%.1f prefixes/UPDATE, "
               "%.0f MB) in %.1f s; %zu watched prefixes\n",
               peers.size(), static_cast<unsigned long long>(total),
               static_cast<unsigned long long>(messages),
               static_cast<double>(total) / static_cast<double>(messages), bytes / 1e6, prep,
               watched.size());

  // ---- the receiver ----
#if VIGIA_HAVE_DETECTOR
  if (o.sink == "detect") {
    if (o.snapshot.empty()) Die("--sink detect needs --snapshot DIR");
    if (Status st = snapshot::LoadSnapshot(o.snapshot, &ref); !st.ok()) Die(st.ToString());
    channel = std::make_unique<alert::QueuedChannel>(
        std::make_unique<TimedChannel>(std::make_unique<alert::JsonLinesFileChannel>(o.alerts),
                                       &book),
        100000);
    events = std::make_unique<AlertingSink>(channel.get(), &book);
    live::LiveRules rules;
    rules.only_watched = !o.all_routes;
    rules.min_peers = 1;
    for (const Watch& w : watched) {
      rules.prefixes.push_back({w.prefix, {w.origin}, "bench", false});
    }
    detector = std::make_unique<live::LiveDetector>(rules, &ref, events.get());
    inner = detector.get();
  }
#endif
#if VIGIA_HAVE_ARCHIVE
  std::unique_ptr<collect::MrtArchive> archive;
  if (o.sink == "archive") {  // the collector's RIB, nothing written
    archive = std::make_unique<collect::MrtArchive>(collect::ArchiveOptions{});
    inner = archive.get();
  }
#endif
  CountingSink counter(inner);
  const uint64_t expected = total + injects.size() * 0;  // injections counted separately
  std::atomic<bool> stop{false};
  std::thread receiver;
  std::string listen_at = o.target;
  std::unique_ptr<live::BgpSpeaker> speaker;
#if VIGIA_HAVE_STATION
  std::unique_ptr<bmp::BmpStation> station;
#endif
  if (o.target.empty()) {
    if (o.mode == "bgp") {
      live::SpeakerConfig cfg;
      cfg.local_asn = o.local_asn;
      cfg.hold_time = 240;
      speaker = std::make_unique<live::BgpSpeaker>(cfg, &counter);
      if (Status st = speaker->Listen("127.0.0.1:0"); !st.ok()) Die(st.ToString());
      listen_at = "127.0.0.1:" + std::to_string(speaker->port());
#if VIGIA_HAVE_DETECTOR
      if (detector) {
        counter.set_before([&] { detector->SetArrival(speaker->arrival_ns()); });
      }
#endif
      receiver = std::thread([&] {
        while (!stop.load()) {
          if (Status st = speaker->RunOnce(50); !st.ok()) Die(st.ToString());
        }
      });
    } else {
#if VIGIA_HAVE_STATION
      bmp::StationConfig cfg;
      station = std::make_unique<bmp::BmpStation>(cfg, &counter);
      if (Status st = station->Listen("127.0.0.1:0"); !st.ok()) Die(st.ToString());
      listen_at = "127.0.0.1:" + std::to_string(station->port());
#if VIGIA_HAVE_DETECTOR
      if (detector) {
        counter.set_before([&] { detector->SetArrival(station->arrival_ns()); });
      }
#endif
      receiver = std::thread([&] {
        while (!stop.load()) {
          if (Status st = station->RunOnce(50); !st.ok()) Die(st.ToString());
        }
      });
#endif
    }
  }

  // ---- connect and send ----
  std::vector<Session> sessions;
  if (o.mode == "bgp") {
    for (size_t i = 0; i < peers.size(); ++i) {
      // Each peer from its own loopback address (127.0.1.x), as its own AS.
      const IpAddress local = IpAddress::V4(0x7F000100 + static_cast<uint32_t>(i) + 1);
      const int fd = Connect(local, listen_at);
      const uint32_t id = peers[i]->info.bgp_id.is_v4() && peers[i]->info.bgp_id.v4()
                              ? peers[i]->info.bgp_id.v4()
                              : 0x0A000000 + static_cast<uint32_t>(i) + 1;
      const Bytes open = OpenMessage(peers[i]->info.asn, 240, id);
      if (write(fd, open.data(), open.size()) != static_cast<ssize_t>(open.size())) Die("write");
      Handshake(fd);
      const Bytes ka = KeepaliveMessage();
      if (write(fd, ka.data(), ka.size()) != static_cast<ssize_t>(ka.size())) Die("write");
      sessions.push_back({fd, &peers[i]->bytes, &peers[i]->messages, 0, 0, 0});
    }
  } else {
    for (auto& s : bmp) {
      const int fd = Connect(IpAddress::V4(0), listen_at);
      sessions.push_back({fd, &s.bytes, &s.messages, 0, 0, 0});
      // Initiation and Peer Up go before the timed part.
      const size_t head = s.messages.empty() ? s.bytes.size() : s.messages[0].offset;
      size_t off = 0;
      while (off < head) {
        const ssize_t n = write(fd, s.bytes.data() + off, head - off);
        if (n <= 0) Die("write");
        off += static_cast<size_t>(n);
      }
      sessions.back().sent = sessions.back().limit = head;
    }
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // sessions Established
  const uint64_t before_count = counter.count();
  counter.set_target(before_count + expected);
  for (auto& s : sessions) fcntl(s.fd, F_SETFL, fcntl(s.fd, F_GETFL) | O_NONBLOCK);

  // The receiver thread's CPU clock, read now and by the sink at the end.
  int64_t cpu0 = 0;
  if (receiver.joinable()) {
    clockid_t cid;
    timespec ts{};
    if (pthread_getcpuclockid(receiver.native_handle(), &cid) == 0 &&
        clock_gettime(cid, &ts) == 0) {
      cpu0 = int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
    }
  }
  // Paced: a global schedule over all sessions, message by message in turn.
  const int64_t t0 = NowNs();
  uint64_t released = 0, next_inject = o.hijack_every, injected = 0;
  size_t inject_k = 0;
  std::vector<std::pair<uint64_t, size_t>> restore;  // at count, inject index
  size_t rr = 0;
  auto all_released = [&] {
    for (const auto& s : sessions) {
      if (s.limit < s.bytes->size()) return false;
    }
    return true;
  };
  auto write_all = [&](int fd, const Bytes& b) {
    size_t off = 0;
    while (off < b.size()) {
      const ssize_t n = write(fd, b.data() + off, b.size() - off);
      if (n > 0) {
        off += static_cast<size_t>(n);
      } else if (errno == EAGAIN) {
        pollfd p{fd, POLLOUT, 0};
        poll(&p, 1, 10);
      } else {
        Die("write: " + std::string(std::strerror(errno)));
      }
    }
  };
  uint8_t sink_buf[65536];
  for (;;) {
    // Release messages: all at once when unpaced, else up to the schedule.
    if (o.rate <= 0) {
      for (auto& s : sessions) s.limit = s.bytes->size();
      released = total;
    } else {
      const double due = static_cast<double>(NowNs() - t0) / 1e9 * o.rate;
      while (static_cast<double>(released) < due && !all_released()) {
        Session& s = sessions[rr++ % sessions.size()];
        if (s.next_msg >= s.messages->size()) continue;
        const Message& m = (*s.messages)[s.next_msg++];
        // The pending bytes of this session must go first (order).
        s.limit = m.offset + m.length;
        released += m.prefixes;
        if (!injects.empty() && released >= next_inject) {
          Session& s0 = sessions[0];
          // Flush session 0 up to its limit, then the hijack.
          while (s0.sent < s0.limit) {
            const ssize_t n = write(s0.fd, s0.bytes->data() + s0.sent, s0.limit - s0.sent);
            if (n > 0)
              s0.sent += static_cast<size_t>(n);
            else if (errno == EAGAIN) {
              pollfd p{s0.fd, POLLOUT, 0};
              poll(&p, 1, 10);
            } else
              Die("write");
          }
          const Inject& in = injects[inject_k % injects.size()];
          {
            std::lock_guard<std::mutex> lock(book.mu);
            book.sent_ns[in.prefix + "|f"] = NowNs();
          }
          write_all(s0.fd, in.bad);
          restore.push_back({released + o.hijack_every / 2, inject_k % injects.size()});
          ++inject_k;
          ++injected;
          next_inject += o.hijack_every;
        }
        if (!restore.empty() && released >= restore.front().first) {
          Session& s0 = sessions[0];
          while (s0.sent < s0.limit) {
            const ssize_t n = write(s0.fd, s0.bytes->data() + s0.sent, s0.limit - s0.sent);
            if (n > 0)
              s0.sent += static_cast<size_t>(n);
            else if (errno == EAGAIN) {
              pollfd p{s0.fd, POLLOUT, 0};
              poll(&p, 1, 10);
            } else
              Die("write");
          }
          const Inject& in = injects[restore.front().second];
          {
            std::lock_guard<std::mutex> lock(book.mu);
            book.sent_ns[in.prefix + "|r"] = NowNs();
          }
          write_all(s0.fd, in.good);
          restore.erase(restore.begin());
          ++injected;
        }
      }
    }
    // Write what is released, round robin.
    bool pending = false;
    std::vector<pollfd> pf;
    for (auto& s : sessions) {
      while (s.sent < s.limit) {
        const size_t chunk = std::min<size_t>(s.limit - s.sent, 1 << 20);
        const ssize_t n = write(s.fd, s.bytes->data() + s.sent, chunk);
        if (n > 0) {
          s.sent += static_cast<size_t>(n);
        } else if (n < 0 && errno == EAGAIN) {
          pending = true;
          pf.push_back({s.fd, POLLOUT, 0});
          break;
        } else {
          Die("write to the receiver: " + std::string(std::strerror(errno)));
        }
      }
      // Drain what the receiver sends (KEEPALIVEs).
      while (read(s.fd, sink_buf, sizeof sink_buf) > 0) {
      }
    }
    if (all_released() && !pending) break;
    if (pending) {
      poll(pf.data(), pf.size(), 5);
    } else if (o.rate > 0) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  }
  const int64_t t_sent = NowNs();

  // ---- wait for the receiver ----
  double seconds = 0;
  uint64_t received = 0;
  const int64_t give_up = NowNs() + int64_t{600} * 1'000'000'000;
  if (o.target.empty()) {
    const uint64_t want = before_count + expected + injected;
    while (counter.count() < want && NowNs() < give_up) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    received = counter.count() - before_count;
    const int64_t done = counter.done_ns() ? counter.done_ns() : NowNs();
    seconds = static_cast<double>(std::max(done, t_sent) - t0) / 1e9;
    if (injected) seconds = static_cast<double>(NowNs() - t0) / 1e9;
  } else if (!o.until_cmd.empty()) {
    uint64_t have = 0;
    while (NowNs() < give_up) {
      FILE* p = popen(o.until_cmd.c_str(), "r");
      if (p) {
        unsigned long long v = 0;
        if (std::fscanf(p, "%llu", &v) == 1) have = v;
        pclose(p);
      }
      if (have >= o.until_count) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    received = have;
    seconds = static_cast<double>(NowNs() - t0) / 1e9;
  }
  const double send_seconds = static_cast<double>(t_sent - t0) / 1e9;
  if (channel) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    channel->Drain();
  }
  stop = true;
  if (receiver.joinable()) receiver.join();
  for (auto& s : sessions) close(s.fd);
  const long rss = RssKb();

  uint64_t ev = 0;
  std::string by_rule;
#if VIGIA_HAVE_DETECTOR
  if (events) {
    ev = events->events();
    by_rule = events->ByRule();
  }
#endif
  std::vector<double> lat, arr;
  {
    std::lock_guard<std::mutex> lock(book.mu);
    lat = book.ms;
    arr = book.arrival_ms;
  }
  const double rate = static_cast<double>(total) / std::max(seconds, 1e-9);
  // Receiver CPU seconds for the replay: the figure that a loaded machine
  // (other processes on the 2 cores) disturbs least.
  const double cpu =
      counter.done_cpu_ns() && cpu0 ? static_cast<double>(counter.done_cpu_ns() - cpu0) / 1e9 : 0.0;
  const double cpu_rate = cpu > 0 ? static_cast<double>(total) / cpu : 0.0;
  if (o.json) {
    std::printf(
        "{\"mode\":\"%s\",\"sink\":\"%s\",\"target\":\"%s\",\"sessions\":%zu,\"prefix_updates\":%"
        "llu,"
        "\"updates\":%llu,\"received\":%llu,\"seconds\":%.3f,\"send_seconds\":%.3f,"
        "\"rate\":%.0f,\"receiver_cpu_seconds\":%.3f,\"rate_per_cpu_second\":%.0f,\"paced_rate\":%."
        "0f,\"events\":%llu,\"injected\":%llu,\"latency_n\":%zu,"
        "\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f,\"arrival_n\":%zu,\"arrival_p50_ms\":%.3f,"
        "\"arrival_p99_ms\":%.3f,\"arrival_max_ms\":%.3f,\"rss_kb\":%ld,\"rss_start_kb\":%ld,"
        "\"events_by_rule\":\"%s\",\"problems\":%llu,\"prepare_seconds\":%.1f}\n",
        o.mode.c_str(), o.sink.c_str(), o.target.c_str(), sessions.size(),
        static_cast<unsigned long long>(total), static_cast<unsigned long long>(messages),
        static_cast<unsigned long long>(received), seconds, send_seconds, rate, cpu, cpu_rate,
        o.rate, static_cast<unsigned long long>(ev), static_cast<unsigned long long>(injected),
        lat.size(), Percentile(lat, 0.5), Percentile(lat, 0.99), Percentile(lat, 1.0), arr.size(),
        Percentile(arr, 0.5), Percentile(arr, 0.99), Percentile(arr, 1.0), rss, rss0,
        by_rule.c_str(), static_cast<unsigned long long>(counter.problems()), prep);
  } else {
    std::printf(
        "%s -> %s (%s): %llu prefix updates in %.3f s = %.0f /s (sent in %.3f s), "
        "receiver CPU %.3f s = %.0f /CPU-s, received %llu, events %llu, RSS %ld MB\n",
        o.mode.c_str(), o.target.empty() ? "vigia" : o.target.c_str(), o.sink.c_str(),
        static_cast<unsigned long long>(total), seconds, rate, send_seconds, cpu, cpu_rate,
        static_cast<unsigned long long>(received), static_cast<unsigned long long>(ev), rss / 1024);
    if (!by_rule.empty()) std::printf("events by rule: %s\n", by_rule.c_str());
    if (!lat.empty()) {
      std::printf("latency write->alert written: n=%zu p50 %.2f ms p99 %.2f ms max %.2f ms\n",
                  lat.size(), Percentile(lat, 0.5), Percentile(lat, 0.99), Percentile(lat, 1.0));
    }
    if (!arr.empty()) {
      std::printf(
          "latency arrival_ns->alert written (all events): n=%zu p50 %.2f ms p99 %.2f ms max %.2f "
          "ms\n",
          arr.size(), Percentile(arr, 0.5), Percentile(arr, 0.99), Percentile(arr, 1.0));
    }
  }
  return received >= total ? 0 : 1;
}
