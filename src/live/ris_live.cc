#include "live/ris_live.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <netdb.h>
#include <openssl/evp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "io/input_stream.h"
#include "live/websocket.h"

namespace vigia::live {

namespace {

using bgp::FeedProblem;
using Json = nlohmann::json;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool DecodeHex(std::string_view hex, std::vector<uint8_t>* out) {
  if (hex.size() % 2 != 0) return false;
  out->resize(hex.size() / 2);
  for (size_t i = 0; i < out->size(); ++i) {
    const int hi = HexValue(hex[2 * i]), lo = HexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    (*out)[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return true;
}

// An unsigned 32-bit number given as a JSON number or a decimal string
// (RIS Live writes peer_asn as "11708").
bool U32(const Json& j, uint32_t* out) {
  if (j.is_number_unsigned()) {
    const uint64_t v = j.get<uint64_t>();
    if (v > UINT32_MAX) return false;
    *out = static_cast<uint32_t>(v);
    return true;
  }
  if (j.is_number_integer()) {
    const int64_t v = j.get<int64_t>();
    if (v < 0 || v > UINT32_MAX) return false;
    *out = static_cast<uint32_t>(v);
    return true;
  }
  if (j.is_string()) {
    const std::string& s = j.get_ref<const std::string&>();
    if (s.empty() || s.size() > 10) return false;
    uint64_t v = 0;
    for (char c : s) {
      if (c < '0' || c > '9') return false;
      v = v * 10 + static_cast<uint64_t>(c - '0');
    }
    if (v > UINT32_MAX) return false;
    *out = static_cast<uint32_t>(v);
    return true;
  }
  return false;
}

const Json* Field(const Json& o, const char* name) {
  auto it = o.find(name);
  return it == o.end() ? nullptr : &*it;
}

std::string_view Text(const Json* j) {
  return j && j->is_string() ? std::string_view(j->get_ref<const std::string&>())
                             : std::string_view();
}

}  // namespace

bgp::PeerHandle RisLiveFeed::Handle(const Key& k, const IpAddress& ip, bgp::RouteSink* sink) {
  auto [it, fresh] = peers_.try_emplace(k, static_cast<bgp::PeerHandle>(peers_.size()));
  if (fresh) sink->Peer(it->second, bgp::PeerInfo{it->first.host, ip, k.asn, IpAddress()});
  return it->second;
}

void RisLiveFeed::Feed(std::string_view json, std::string_view where, uint64_t line,
                       bgp::RouteSink* sink) {
  ++stats_.messages;
  const std::string at = line ? fmt::format("{}: line {}", where, line) : std::string(where);
  auto problem = [&](FeedProblem::Kind kind, const std::string& msg) {
    sink->Problem(FeedProblem{kind, at, FeedProblem::kNoOffset, msg});
  };
  if (json.size() > kMaxRisLiveMessage) {
    ++stats_.bad;
    problem(FeedProblem::Kind::kRecordSkipped,
            fmt::format("message of {} octets exceeds kMaxRisLiveMessage", json.size()));
    return;
  }
  const Json doc = Json::parse(json.begin(), json.end(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    ++stats_.bad;
    problem(FeedProblem::Kind::kRecordSkipped, "not a JSON object (RIS Live messages are)");
    return;
  }
  const std::string_view type = Text(Field(doc, "type"));
  const Json* data = Field(doc, "data");
  if (type == "ris_error") {
    std::string_view m = data && data->is_object() ? Text(Field(*data, "message")) : "";
    problem(FeedProblem::Kind::kNote, "ris_error: " + std::string(m));
    return;
  }
  if (type != "ris_message") return;  // ris_subscribe_ok, pong, ...
  if (!data || !data->is_object()) {
    ++stats_.bad;
    problem(FeedProblem::Kind::kRecordSkipped, "ris_message without a data object");
    return;
  }
  const Json& d = *data;
  Key key;
  key.host = std::string(Text(Field(d, "host")));
  key.peer = std::string(Text(Field(d, "peer")));
  const Json* asn = Field(d, "peer_asn");
  const std::optional<IpAddress> ip = IpAddress::Parse(key.peer);
  if (!ip || !asn || !U32(*asn, &key.asn)) {
    ++stats_.bad;
    problem(FeedProblem::Kind::kRecordSkipped,
            "ris_message without a valid peer address and peer_asn");
    return;
  }
  bgp::RouteTime t;
  if (const Json* ts = Field(d, "timestamp"); ts && ts->is_number()) {
    const double v = ts->get<double>();
    if (v >= 0 && v < 4294967296.0) {
      t.seconds = static_cast<uint32_t>(v);
      t.microseconds =
          static_cast<uint32_t>(std::min<int64_t>(999999, std::llround((v - t.seconds) * 1e6)));
    }
  }
  const std::string_view mtype = Text(Field(d, "type"));
  if (mtype == "RIS_PEER_STATE") {
    if (Text(Field(d, "state")) == "down") {
      ++stats_.sessions_down;
      sink->SessionDown(Handle(key, *ip, sink), t);
    }
    return;
  }
  if (mtype != "UPDATE") return;
  ++stats_.updates;
  const bgp::PeerHandle h = Handle(key, *ip, sink);
  bgp::Route r;
  r.peer = h;
  r.time = t;
  r.source = bgp::RouteSource::kUpdate;

  // The whole message in hex: decoded as the RRC's session would.
  if (const Json* raw = Field(d, "raw"); raw && opts_.prefer_raw) {
    Status st;
    if (!raw->is_string() || !DecodeHex(raw->get_ref<const std::string&>(), &raw_)) {
      st = Status::Corrupt("raw is not an even-length hex string");
    } else {
      bgp::AttrContext ctx;  // RIS Live sessions are 4-octet AS (RFC 6793)
      st = msg_.Decode(raw_, ctx);
      if (st.ok() && msg_.type != bgp::kMsgUpdate) {
        st = Status::Corrupt(
            fmt::format("raw is a BGP message of type {}, not an UPDATE", msg_.type));
      }
    }
    if (st.ok()) {
      ++stats_.from_raw;
      if (!msg_.warning.empty()) problem(FeedProblem::Kind::kRepaired, msg_.warning);
      const bgp::Update& u = msg_.update;
      const bgp::PathAttributes& a = u.attrs;
      for (const bgp::AttrError& e : a.errors()) {
        problem(e.action == bgp::AttrAction::kTreatAsWithdraw
                    ? FeedProblem::Kind::kRouteWithdrawn
                    : FeedProblem::Kind::kAttributeDiscarded,
                fmt::format("{}: {}", e.rule, e.message));
      }
      auto emit = [&](const std::vector<bgp::NlriEntry>& list, uint16_t afi, uint8_t safi,
                      bool reach) {
        r.afi = afi;
        r.safi = safi;
        for (const bgp::NlriEntry& n : list) {
          r.prefix = n.prefix;
          r.path_id = n.path_id;
          r.rd = n.rd;
          if (!reach || a.withdrawn()) {
            ++stats_.withdrawn;
            sink->Withdraw(
                r, reach ? bgp::WithdrawCause::kTreatAsWithdraw : bgp::WithdrawCause::kWithdrawn);
          } else {
            ++stats_.announced;
            sink->Announce(r, a);
          }
        }
      };
      bgp::ForEachNlriList(u, emit, [&] { r.attr_set = ++attr_set_; });
      return;
    }
    ++stats_.bad;
    problem(FeedProblem::Kind::kRepaired, "raw: " + st.message() + "; the JSON fields are used");
  }

  // The JSON fields.
  ++stats_.from_fields;
  bgp::PathAttributes& a = attrs_;
  a.Clear();
  auto bad_field = [&](const char* name) {
    ++stats_.bad;
    problem(FeedProblem::Kind::kAttributeDiscarded,
            fmt::format("field {} has the wrong form; discarded", name));
  };
  if (const Json* o = Field(d, "origin")) {
    const std::string_view v = Text(o);
    if (v == "igp" || v == "IGP") {
      a.origin = 0;
    } else if (v == "egp" || v == "EGP") {
      a.origin = 1;
    } else if (v == "incomplete" || v == "INCOMPLETE") {
      a.origin = 2;
    } else {
      bad_field("origin");
    }
    if (v == "igp" || v == "IGP" || v == "egp" || v == "EGP" || v == "incomplete" ||
        v == "INCOMPLETE") {
      a.Set(bgp::kAttrOrigin);
    }
  }
  if (const Json* p = Field(d, "path")) {
    bool ok = p->is_array();
    bgp::AsPath& path = a.as_path;
    for (size_t i = 0; ok && i < p->size(); ++i) {
      const Json& e = (*p)[i];
      uint32_t v;
      if (U32(e, &v) && !e.is_string()) {
        if (path.segments.empty() || path.segments.back().type != bgp::kAsSequence ||
            path.segments.back().count == UINT16_MAX) {
          path.segments.push_back({bgp::kAsSequence, 0});
        }
        ++path.segments.back().count;
        path.asns.push_back(v);
      } else if (e.is_array() && e.size() <= UINT16_MAX) {
        path.segments.push_back({bgp::kAsSet, static_cast<uint16_t>(e.size())});
        for (const Json& s : e) {
          if (!U32(s, &v) || s.is_string()) {
            ok = false;
            break;
          }
          path.asns.push_back(v);
        }
      } else {
        ok = false;
      }
      if (path.asns.size() > bgp::kMaxAsPathAsns) ok = false;
    }
    if (ok) {
      a.Set(bgp::kAttrAsPath);
    } else {
      path.Clear();
      bad_field("path");
    }
  }
  if (const Json* c = Field(d, "community")) {
    bool ok = c->is_array();
    for (size_t i = 0; ok && i < c->size(); ++i) {
      const Json& e = (*c)[i];
      uint32_t hi, lo;
      if (!e.is_array() || e.size() != 2 || !U32(e[0], &hi) || !U32(e[1], &lo) || hi > 0xFFFF ||
          lo > 0xFFFF) {
        ok = false;
        break;
      }
      a.communities.push_back(hi << 16 | lo);
    }
    if (ok) {
      a.Set(bgp::kAttrCommunities);
    } else {
      a.communities.clear();
      bad_field("community");
    }
  }
  if (const Json* m = Field(d, "med")) {
    uint32_t v;
    if (U32(*m, &v)) {
      a.med = v;
      a.Set(bgp::kAttrMed);
    } else {
      bad_field("med");
    }
  }
  if (const Json* g = Field(d, "aggregator")) {
    // "65000:192.0.2.1"
    const std::string_view v = Text(g);
    const size_t colon = v.find(':');
    uint32_t as = 0;
    std::optional<IpAddress> addr;
    if (colon != std::string_view::npos && U32(Json(std::string(v.substr(0, colon))), &as)) {
      addr = IpAddress::Parse(v.substr(colon + 1));
    }
    if (addr) {
      a.aggregator_as = as;
      a.aggregator_addr = *addr;
      a.Set(bgp::kAttrAggregator);
    } else {
      bad_field("aggregator");
    }
  }
  r.safi = bgp::kSafiUnicast;
  if (const Json* w = Field(d, "withdrawals")) {
    if (!w->is_array()) {
      bad_field("withdrawals");
    } else {
      for (const Json& e : *w) {
        std::optional<Prefix> p = Prefix::Parse(Text(&e));
        if (!p) {
          bad_field("withdrawals[]");
          continue;
        }
        r.prefix = *p;
        r.afi = p->family() == Family::kIpv4 ? bgp::kAfiIpv4 : bgp::kAfiIpv6;
        ++stats_.withdrawn;
        sink->Withdraw(r, bgp::WithdrawCause::kWithdrawn);
      }
    }
  }
  const Json* ann = Field(d, "announcements");
  if (!ann) return;
  if (!ann->is_array()) {
    bad_field("announcements");
    return;
  }
  for (const Json& group : *ann) {
    if (!group.is_object()) {
      bad_field("announcements[]");
      continue;
    }
    // "next_hop": "2001:db8::1,fe80::1" (global, link-local) for IPv6.
    const std::string_view nh_text = Text(Field(group, "next_hop"));
    const size_t comma = nh_text.find(',');
    const std::optional<IpAddress> nh = IpAddress::Parse(nh_text.substr(0, comma));
    std::optional<IpAddress> ll;
    if (comma != std::string_view::npos) ll = IpAddress::Parse(nh_text.substr(comma + 1));
    const Json* prefixes = Field(group, "prefixes");
    if (!nh || !prefixes || !prefixes->is_array()) {
      bad_field("announcements[].next_hop/prefixes");
      continue;
    }
    // IPv4 routes with an IPv4 next hop use NEXT_HOP (RFC 4271 §5.1.3);
    // the others an MP_REACH_NLRI of their family (RFC 4760, RFC 8950).
    a.Unset(bgp::kAttrNextHop);
    a.Unset(bgp::kAttrMpReach);
    a.mp_reach_count = 0;
    if (nh->is_v4()) {
      a.next_hop = *nh;
      a.Set(bgp::kAttrNextHop);
    }
    for (uint16_t afi : {bgp::kAfiIpv4, bgp::kAfiIpv6}) {
      if (afi == bgp::kAfiIpv4 && nh->is_v4()) continue;
      bgp::MpReach& mp = a.AddMpReach();
      mp.afi = afi;
      mp.safi = bgp::kSafiUnicast;
      mp.supported = true;
      mp.next_hop = *nh;
      mp.next_hop_length = nh->is_v4() ? 4 : ll ? 32 : 16;
      if (ll) mp.next_hop_link_local = *ll;
    }
    std::vector<Prefix> list;
    for (const Json& e : *prefixes) {
      std::optional<Prefix> p = Prefix::Parse(Text(&e));
      if (!p) {
        bad_field("announcements[].prefixes[]");
        continue;
      }
      list.push_back(*p);
      for (size_t i = 0; i < a.mp_reach_count; ++i) {
        if ((p->family() == Family::kIpv4) == (a.mp_reach[i].afi == bgp::kAfiIpv4)) {
          a.mp_reach[i].nlri.push_back(bgp::NlriEntry{*p});
        }
      }
    }
    r.attr_set = ++attr_set_;
    for (const Prefix& p : list) {
      r.prefix = p;
      r.afi = p.family() == Family::kIpv4 ? bgp::kAfiIpv4 : bgp::kAfiIpv6;
      ++stats_.announced;
      sink->Announce(r, a);
    }
  }
}

Status FeedRisLiveFile(const std::string& path, bgp::RouteSink* sink,
                       std::vector<std::string>* problems, RisLiveOptions opts,
                       RisLiveStats* stats) {
  io::OpenOptions o;
  o.threaded = false;
  auto in = io::InputStream::Open(path, o);
  if (!in.ok()) return in.status();
  // Problems go to the sink and, as text, to *problems.
  struct Tee : bgp::RouteSink {
    bgp::RouteSink* to;
    std::vector<std::string>* out;
    void Peer(bgp::PeerHandle h, const bgp::PeerInfo& i) override { to->Peer(h, i); }
    void Announce(const bgp::Route& r, const bgp::PathAttributes& a) override {
      to->Announce(r, a);
    }
    void Withdraw(const bgp::Route& r, bgp::WithdrawCause c) override { to->Withdraw(r, c); }
    void SessionDown(bgp::PeerHandle p, bgp::RouteTime t) override { to->SessionDown(p, t); }
    void Problem(const bgp::FeedProblem& p) override {
      if (out) out->push_back(p.ToString());
      to->Problem(p);
    }
  } tee;
  tee.to = sink;
  tee.out = problems;
  RisLiveFeed feed(opts);
  std::string line;
  bool skipping = false;  // inside a line over the cap
  uint64_t number = 1;
  std::vector<std::byte> buf(1 << 16);
  auto finish = [&]() {
    if (skipping) {
      tee.Problem(FeedProblem{FeedProblem::Kind::kRecordSkipped,
                              fmt::format("{}: line {}", path, number), FeedProblem::kNoOffset,
                              "line exceeds kMaxRisLiveMessage; skipped"});
    } else if (line.find_first_not_of(" \t\r") != std::string::npos) {
      feed.Feed(line, path, number, &tee);
    }
    line.clear();
    skipping = false;
    ++number;
  };
  for (;;) {
    const size_t n = (*in)->Read(buf.data(), buf.size());
    if (n == 0) break;
    const char* p = reinterpret_cast<const char*>(buf.data());
    const char* end = p + n;
    while (p < end) {
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
      const char* stop = nl ? nl : end;
      if (!skipping) {
        line.append(p, stop);
        if (line.size() > kMaxRisLiveMessage) {
          skipping = true;
          line.clear();
        }
      }
      p = stop;
      if (nl) {
        finish();
        ++p;
      }
    }
  }
  if (!line.empty() || skipping) finish();
  if (stats) *stats = feed.stats();
  const Status& st = (*in)->status();
  if (!st.ok()) {
    tee.Problem(
        FeedProblem{FeedProblem::Kind::kStream, path, FeedProblem::kNoOffset, st.message()});
  }
  return Status::Ok();
}

// ---------------------------------------------------------------- the websocket client

struct RisLiveClient::Conn {
  enum class State { kConnecting, kHandshake, kOpen };
  int fd = -1;
  State state = State::kConnecting;
  std::string key;
  std::vector<uint8_t> in, out;
  std::string message;  // a fragmented message being assembled
  bool in_message = false;
  bool text = false;
  std::vector<uint8_t> unmask;
  std::chrono::steady_clock::time_point deadline;
  ~Conn() {
    if (fd >= 0) ::close(fd);
  }
};

namespace {

std::mt19937& Rng() {
  static thread_local std::mt19937 rng{std::random_device{}()};
  return rng;
}

std::string NewKey() {
  unsigned char raw[16];
  for (unsigned char& c : raw) c = static_cast<unsigned char>(Rng()());
  unsigned char out[32];
  const int n = EVP_EncodeBlock(out, raw, sizeof raw);
  return std::string(reinterpret_cast<const char*>(out), static_cast<size_t>(n));
}

}  // namespace

RisLiveClient::RisLiveClient(RisLiveClientOptions opts, bgp::RouteSink* sink)
    : opts_(std::move(opts)), sink_(sink), feed_(opts_.feed), backoff_(opts_.backoff_min) {}

RisLiveClient::~RisLiveClient() = default;

int RisLiveClient::fd() const { return conn_ ? conn_->fd : -1; }

bool RisLiveClient::open() const { return conn_ && conn_->state == Conn::State::kOpen; }

void RisLiveClient::Close() {
  if (open()) {
    std::vector<uint8_t> f;
    const uint8_t code[2] = {0x03, 0xE8};  // 1000, normal closure (RFC 6455 §7.4.1)
    EncodeWsFrame(kWsClose, true, code, Rng()(), &f);
    (void)::send(conn_->fd, f.data(), f.size(), MSG_NOSIGNAL);
  }
  conn_.reset();
}

void RisLiveClient::Drop(const std::string& why, bool error) {
  if (error) ++counters_.errors;
  sink_->Problem(
      FeedProblem{FeedProblem::Kind::kNote, opts_.where, FeedProblem::kNoOffset,
                  fmt::format("{}: {}; reconnecting in {} ms", opts_.url, why, backoff_.count())});
  conn_.reset();
  next_attempt_ = std::chrono::steady_clock::now() + backoff_;
  backoff_ = std::min(backoff_ * 2, opts_.backoff_max);
}

Status RisLiveClient::RunOnce(std::chrono::milliseconds timeout) {
  using Clock = std::chrono::steady_clock;
  auto url = ParseWsUrl(opts_.url);
  if (!url.ok()) return url.status();
  if (!conn_) {
    const auto now = Clock::now();
    if (now < next_attempt_) {
      std::this_thread::sleep_for(std::min<Clock::duration>(timeout, next_attempt_ - now));
      return Status::Ok();
    }
    ++counters_.connects;
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    const std::string port = std::to_string(url->port);
    if (int rc = getaddrinfo(url->host.c_str(), port.c_str(), &hints, &res); rc != 0) {
      conn_ = std::make_unique<Conn>();
      Drop(fmt::format("cannot resolve {}: {}", url->host, gai_strerror(rc)), true);
      return Status::Ok();
    }
    auto c = std::make_unique<Conn>();
    c->fd = ::socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int rc = c->fd < 0 ? -1 : ::connect(c->fd, res->ai_addr, res->ai_addrlen);
    const int err = errno;
    freeaddrinfo(res);
    conn_ = std::move(c);
    if (conn_->fd < 0 || (rc != 0 && err != EINPROGRESS)) {
      Drop(fmt::format("connect: {}", std::strerror(err)), true);
      return Status::Ok();
    }
    conn_->key = NewKey();
    const std::string req = WsHandshakeRequest(*url, conn_->key);
    conn_->out.assign(req.begin(), req.end());
    conn_->deadline = Clock::now() + opts_.handshake_timeout;
  }
  pollfd p{conn_->fd, POLLIN, 0};
  if (!conn_->out.empty() || conn_->state == Conn::State::kConnecting) p.events |= POLLOUT;
  const int n = ::poll(&p, 1, static_cast<int>(timeout.count()));
  if (n < 0 && errno != EINTR) {
    Drop(fmt::format("poll: {}", std::strerror(errno)), true);
    return Status::Ok();
  }
  if (conn_->state == Conn::State::kConnecting && (p.revents & (POLLOUT | POLLERR | POLLHUP))) {
    int so = 0;
    socklen_t len = sizeof so;
    ::getsockopt(conn_->fd, SOL_SOCKET, SO_ERROR, &so, &len);
    if (so != 0) {
      Drop(fmt::format("connect: {}", std::strerror(so)), true);
      return Status::Ok();
    }
    conn_->state = Conn::State::kHandshake;
  }
  if (Status s = Step(); !s.ok()) {
    Drop(s.message(), true);
    return Status::Ok();
  }
  if (conn_ && conn_->state != Conn::State::kOpen && Clock::now() > conn_->deadline) {
    Drop("no websocket handshake in time", true);
  }
  return Status::Ok();
}

// Reads what the socket has, acts on it, writes what is queued. Returns an
// error that ends the connection; a clean end (close frame, EOF) drops the
// connection itself and returns OK.
Status RisLiveClient::Step() {
  Conn& c = *conn_;
  if (c.state == Conn::State::kConnecting) return Status::Ok();
  // Flush first: the handshake request goes out before anything comes in.
  auto flush = [&]() -> Status {
    while (!c.out.empty()) {
      const ssize_t w = ::send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
      if (w < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) return Status::Ok();
        if (errno == EINTR) continue;
        return Status::IoError(fmt::format("send: {}", std::strerror(errno)));
      }
      c.out.erase(c.out.begin(), c.out.begin() + w);
    }
    return Status::Ok();
  };
  if (Status s = flush(); !s.ok()) return s;
  bool eof = false;
  const size_t cap = opts_.max_frame + kMaxWsHandshake + 16;
  for (;;) {
    uint8_t buf[65536];
    const ssize_t r = ::recv(c.fd, buf, sizeof buf, 0);
    if (r == 0) {
      eof = true;
      break;
    }
    if (r < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      if (errno == EINTR) continue;
      return Status::IoError(fmt::format("recv: {}", std::strerror(errno)));
    }
    c.in.insert(c.in.end(), buf, buf + r);
    if (c.in.size() > cap) break;  // parse what we have before reading more
  }
  size_t used = 0;
  if (c.state == Conn::State::kHandshake) {
    const std::string_view head(reinterpret_cast<const char*>(c.in.data()), c.in.size());
    const size_t end = head.find("\r\n\r\n");
    if (end == std::string_view::npos) {
      if (c.in.size() > kMaxWsHandshake) {
        return Status::LimitExceeded("websocket handshake response exceeds kMaxWsHandshake");
      }
      if (eof) return Status::IoError("connection closed during the websocket handshake");
      return Status::Ok();
    }
    if (Status s = CheckWsHandshakeResponse(head.substr(0, end + 4), c.key); !s.ok()) return s;
    used = end + 4;
    c.state = Conn::State::kOpen;
    ++counters_.handshakes;
    backoff_ = opts_.backoff_min;
    if (!opts_.subscribe.empty()) {
      const std::string sub = "{\"type\":\"ris_subscribe\",\"data\":" + opts_.subscribe + "}";
      EncodeWsFrame(kWsText, true,
                    std::span(reinterpret_cast<const uint8_t*>(sub.data()), sub.size()), Rng()(),
                    &c.out);
    }
  }
  bool closed = false;
  while (!closed && c.state == Conn::State::kOpen) {
    WsFrame f;
    Status err;
    const WsParse st =
        ParseWsFrame(std::span(c.in).subspan(used), opts_.max_frame, false, &f, &c.unmask, &err);
    if (st == WsParse::kNeedMore) break;
    if (st == WsParse::kError) return err;
    used += f.size;
    const std::string_view payload(reinterpret_cast<const char*>(f.payload.data()),
                                   f.payload.size());
    switch (f.opcode) {
      case kWsText:
      case kWsBinary:
        if (c.in_message) {
          return Status::Corrupt("RFC 6455 §5.4: a new data frame inside a fragmented message");
        }
        c.in_message = true;
        c.text = f.opcode == kWsText;
        c.message.assign(payload);
        break;
      case kWsContinuation:
        if (!c.in_message) return Status::Corrupt("RFC 6455 §5.4: continuation without a start");
        if (c.message.size() + payload.size() > opts_.max_frame) {
          return Status::LimitExceeded(
              fmt::format("websocket message exceeds the cap of {} octets", opts_.max_frame));
        }
        c.message.append(payload);
        break;
      case kWsPing:
        ++counters_.pings;
        EncodeWsFrame(kWsPong, true, f.payload, Rng()(), &c.out);  // RFC 6455 §5.5.2
        break;
      case kWsPong:
        break;
      case kWsClose: {
        // RFC 6455 §5.5.1: answer with a close frame echoing the code.
        ++counters_.closes;
        const uint16_t code =
            f.payload.size() >= 2 ? static_cast<uint16_t>(f.payload[0] << 8 | f.payload[1]) : 1005;
        EncodeWsFrame(kWsClose, true, f.payload.subspan(0, std::min<size_t>(2, f.payload.size())),
                      Rng()(), &c.out);
        (void)flush();
        const std::string reason(payload.size() > 2 ? payload.substr(2) : std::string_view());
        Drop(fmt::format("server closed the websocket (code {}{}{})", code,
                         reason.empty() ? "" : ": ", reason),
             false);
        closed = true;
        break;
      }
      default:
        break;
    }
    if (!closed && f.opcode <= kWsBinary && f.fin && c.in_message) {
      c.in_message = false;
      if (c.text) {
        ++counters_.messages;
        feed_.Feed(c.message, opts_.where, 0, sink_);
      } else {
        sink_->Problem(FeedProblem{FeedProblem::Kind::kRecordSkipped, opts_.where,
                                   FeedProblem::kNoOffset,
                                   "binary websocket message ignored (RIS Live sends text)"});
      }
      c.message.clear();
    }
  }
  if (closed) return Status::Ok();  // conn_ is gone
  c.in.erase(c.in.begin(), c.in.begin() + static_cast<ptrdiff_t>(used));
  if (Status s = flush(); !s.ok()) return s;
  if (eof) {
    Drop("the server closed the connection", c.state != Conn::State::kOpen);
  }
  return Status::Ok();
}

}  // namespace vigia::live
