// Collector: see collector.h. One thread; an outer epoll over the inner
// loops' epoll descriptors (BmpStation, BgpSpeaker), each RunOnce(0)
// called at least every 100 ms so that the speaker's hold and keepalive
// timers (RFC 4271 §10) run even without I/O.
#include "collect/collector.h"

#include <fmt/format.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "bmp/pcap_tcp.h"
#include "bmp/route_feed.h"
#include "bmp/station.h"
#include "collect/mrt_archive.h"
#include "collect/mux_sink.h"

namespace vigia::collect {

namespace {

constexpr int kMaxWaitMs = 100;

int64_t SteadyNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Counts what goes through the mux, for CollectorStats.
class Counter final : public bgp::RouteSink {
 public:
  explicit Counter(CollectorStats* s) : s_(s) {}
  void Peer(bgp::PeerHandle, const bgp::PeerInfo&) override { ++s_->peers; }
  void Announce(const bgp::Route&, const bgp::PathAttributes&) override { ++s_->announces; }
  void Withdraw(const bgp::Route&, bgp::WithdrawCause) override { ++s_->withdraws; }
  void SessionDown(bgp::PeerHandle, bgp::RouteTime) override { ++s_->sessions_down; }
  void Problem(const bgp::FeedProblem&) override { ++s_->problems; }

 private:
  CollectorStats* s_;
};

// What a reassembled TCP stream carries, from its first octets.
enum class StreamKind { kEmpty, kBmp, kBgp, kUnknown };
StreamKind KindOf(const std::vector<uint8_t>& d) {
  if (d.empty()) return StreamKind::kEmpty;
  // RFC 7854 §4.1: version 3, a 4-octet length, a type 0-6.
  if (d.size() >= 6 && d[0] == 3 && d[5] <= 6) return StreamKind::kBmp;
  // RFC 4271 §4.1: a marker of 16 octets of ones.
  if (d.size() >= 19 && std::all_of(d.begin(), d.begin() + 16, [](uint8_t b) { return b == 0xFF; }))
    return StreamKind::kBgp;
  return StreamKind::kUnknown;
}

}  // namespace

struct Collector::Impl {
  CollectorOptions opt;
  bgp::RouteSink* tee = nullptr;
  CollectorStats stats;
  Counter counter{&stats};
  std::unique_ptr<MrtArchive> archive;
  std::unique_ptr<MuxSink> mux;
  std::unique_ptr<bmp::BmpStation> station;
  std::unique_ptr<live::BgpSpeaker> speaker;
  int epfd = -1;
  int64_t arrival_ns = 0;
  int64_t last_inner_ns = 0;
  bool started = false;

  Status ReplayPcap(const std::string& path);
  void Sync() {
    if (!archive) return;
    const ArchiveStats& a = archive->stats();
    stats.update_files = a.update_files;
    stats.rib_files = a.rib_files;
    stats.rib_entries = a.entries;
  }
};

Collector::Collector(CollectorOptions options, bgp::RouteSink* tee)
    : impl_(std::make_unique<Impl>()) {
  impl_->opt = std::move(options);
  impl_->tee = tee;
}

Collector::~Collector() { (void)Stop(); }

Status Collector::Impl::ReplayPcap(const std::string& path) {
  auto cap = bmp::ReadPcapTcpFile(path);
  if (!cap.ok()) return cap.status();
  bmp::BmpRouteFeed feed(opt.name);
  bgp::RouteSink* in = mux->Input("pcap " + path);
  for (size_t i = 0; i < cap->streams.size(); ++i) {
    const bmp::TcpStream& s = cap->streams[i];
    const std::string where =
        fmt::format("{} stream {} ({}:{} -> {}:{})", path, i, s.src.ToString(), s.src_port,
                    s.dst.ToString(), s.dst_port);
    switch (KindOf(s.data)) {
      case StreamKind::kEmpty:
        break;
      case StreamKind::kBmp: {
        if (Status st = feed.FeedStream(s.data, s.src, where, in); !st.ok()) {
          const std::string m = st.message();
          in->Problem({.kind = bgp::FeedProblem::Kind::kTruncated,
                       .where = where,
                       .offset = bgp::FeedProblem::kNoOffset,
                       .message = m});
        }
        // RFC 7854 §3.3: a session that ended leaves its data stale.
        if (s.saw_fin) feed.RouterDown(s.src, {s.first_seconds, 0}, in);
        break;
      }
      case StreamKind::kBgp:
        return Status::Unsupported(
            fmt::format("{}: a raw BGP session; BGP capture replay is not built in this "
                        "version (live/bgp_capture.h)",
                        where));
      case StreamKind::kUnknown:
        in->Problem({.kind = bgp::FeedProblem::Kind::kRecordSkipped,
                     .where = where,
                     .offset = 0,
                     .message = "neither BMP (RFC 7854 version 3) nor BGP (RFC 4271 marker); "
                                "stream skipped"});
        break;
    }
  }
  return Status::Ok();
}

Status Collector::Start() {
  Impl& m = *impl_;
  if (m.started) return Status::InvalidArgument("collector already started");
  m.started = true;
  if (!m.opt.ris_live.empty()) {
    return Status::Unsupported(
        fmt::format("--ris-live {}: RIS Live input is not built in this version (live/ris_live.h)",
                    m.opt.ris_live.front()));
  }
  std::vector<bgp::RouteSink*> outs;
  if (!m.opt.out_dir.empty()) {
    ArchiveOptions ao;
    ao.out_dir = m.opt.out_dir;
    ao.name = m.opt.name;
    ao.collector_id = m.opt.bgp_id;
    ao.local_asn = m.opt.asn;
    ao.rotate_seconds = static_cast<uint32_t>(std::max<int64_t>(1, m.opt.rotate.count()));
    ao.rib_every_seconds = static_cast<uint32_t>(std::max<int64_t>(1, m.opt.rib_every.count()));
    ao.layout = m.opt.layout;
    m.archive = std::make_unique<MrtArchive>(std::move(ao));
    outs.push_back(m.archive.get());
  }
  outs.push_back(&m.counter);
  outs.push_back(m.tee);
  m.mux = std::make_unique<MuxSink>(std::move(outs));
  if (m.archive) {
    if (Status st = m.archive->Restore(m.mux->Input("restore", MuxSink::InputKind::kRestore));
        !st.ok())
      return st;
  }
  m.epfd = ::epoll_create1(EPOLL_CLOEXEC);
  if (m.epfd < 0) return Status::IoError(fmt::format("epoll_create1: {}", std::strerror(errno)));
  auto watch = [&](int fd) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    if (::epoll_ctl(m.epfd, EPOLL_CTL_ADD, fd, &ev) != 0)
      return Status::IoError(fmt::format("epoll_ctl: {}", std::strerror(errno)));
    return Status::Ok();
  };
  if (m.opt.bmp_listen) {
    bmp::StationConfig sc;
    sc.name = m.opt.name;
    m.station = std::make_unique<bmp::BmpStation>(sc, m.mux->Input("bmp " + *m.opt.bmp_listen));
    if (Status st = m.station->Listen(*m.opt.bmp_listen); !st.ok())
      return Status(st.code(), fmt::format("--bmp {}: {}", *m.opt.bmp_listen, st.message()));
    if (Status st = watch(m.station->epoll_fd()); !st.ok()) return st;
  }
  if (m.opt.bgp_listen) {
    if (m.opt.asn == 0) return Status::InvalidArgument("--bgp needs --asn (our AS, RFC 4271 §4.2)");
    live::SpeakerConfig sc;
    sc.local_asn = m.opt.asn;
    sc.bgp_id = m.opt.bgp_id;
    sc.collector = m.opt.name;
    sc.peers = m.opt.bgp_peers;
    m.speaker = std::make_unique<live::BgpSpeaker>(sc, m.mux->Input("bgp " + *m.opt.bgp_listen));
    if (Status st = m.speaker->Listen(*m.opt.bgp_listen); !st.ok())
      return Status(st.code(), fmt::format("--bgp {}: {}", *m.opt.bgp_listen, st.message()));
    if (Status st = watch(m.speaker->epoll_fd()); !st.ok()) return st;
  }
  for (const std::string& p : m.opt.pcaps) {
    if (Status st = m.ReplayPcap(p); !st.ok())
      return Status(st.code(), fmt::format("--pcap {}: {}", p, st.message()));
  }
  m.Sync();
  return Status::Ok();
}

Status Collector::RunOnce(int timeout_ms) {
  Impl& m = *impl_;
  if (m.epfd < 0) return Status::InvalidArgument("collector not started");
  epoll_event events[8];
  const int wait = std::clamp(timeout_ms, 0, kMaxWaitMs);
  const int n = ::epoll_wait(m.epfd, events, 8, wait);
  if (n < 0 && errno != EINTR)
    return Status::IoError(fmt::format("epoll_wait: {}", std::strerror(errno)));
  m.arrival_ns = SteadyNs();
  Status first;
  auto keep = [&](Status st) {
    if (first.ok() && !st.ok()) first = std::move(st);
  };
  const int64_t now = m.arrival_ns;
  const bool timers_due = now - m.last_inner_ns >= int64_t{kMaxWaitMs} * 1000000;
  for (int i = 0; i < std::max(n, 0); ++i) {
    if (m.station && events[i].data.fd == m.station->epoll_fd()) {
      keep(m.station->RunOnce(0));
      m.arrival_ns = m.station->arrival_ns();
    }
    if (m.speaker && events[i].data.fd == m.speaker->epoll_fd()) keep(m.speaker->RunOnce(0));
  }
  if (timers_due || n == 0) {
    if (m.speaker) keep(m.speaker->RunOnce(0));
    if (m.station) keep(m.station->RunOnce(0));
    m.last_inner_ns = now;
  }
  if (m.archive) keep(m.archive->Tick());
  m.Sync();
  return first;
}

Status Collector::Stop() {
  Impl& m = *impl_;
  Status st;
  if (m.archive) st = m.archive->Close();
  if (m.station) {
    m.station->CloseAll();  // the tee hears the routers go (RFC 7854 §3.3)
    m.station.reset();
  }
  m.speaker.reset();
  if (m.epfd >= 0) {
    ::close(m.epfd);
    m.epfd = -1;
  }
  m.Sync();
  return st;
}

Status Collector::DumpRib() {
  if (!impl_->archive) return Status::InvalidArgument("no --out directory");
  Status st = impl_->archive->DumpRib();
  impl_->Sync();
  return st;
}

uint16_t Collector::bmp_port() const { return impl_->station ? impl_->station->port() : 0; }
uint16_t Collector::bgp_port() const { return impl_->speaker ? impl_->speaker->port() : 0; }
int64_t Collector::arrival_ns() const { return impl_->arrival_ns; }
const CollectorStats& Collector::stats() const { return impl_->stats; }
const MrtArchive* Collector::archive() const { return impl_->archive.get(); }
const live::BgpSpeaker* Collector::speaker() const { return impl_->speaker.get(); }
const bmp::BmpStation* Collector::station() const { return impl_->station.get(); }

}  // namespace vigia::collect
