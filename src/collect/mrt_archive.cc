#include "collect/mrt_archive.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>

#include "bgp/encode.h"
#include "mrt/decoder.h"
#include "mrt/reader.h"
#include "mrt/route_feed.h"
#include "mrt/writer.h"

namespace vigia::collect {

namespace fs = std::filesystem;

namespace {

constexpr size_t kMaxProblems = 1000;
constexpr uint32_t kMaxPeers = 65535;     // RFC 6396 §4.3.1: 16-bit peer index
constexpr size_t kMaxUpdateBytes = 3800;  // below RFC 4271 §4.3's 4,096 with headroom
constexpr size_t kMaxRibEntriesPerRecord = 65535;
constexpr uint16_t kStateIdle = 1, kStateEstablished = 6;  // RFC 6396 §4.4.1

const bgp::AttrContext kBlobCtx{.as_size = 4, .add_path = false, .mrt_rib = false};

IpAddress ZeroOf(const IpAddress& like) {
  if (like.is_v4()) return IpAddress::V4(0);
  const uint8_t z[16] = {};
  return IpAddress::FromBytes(Family::kIpv6, z);
}

Status Errno(const std::string& what) {
  return Status::IoError(fmt::format("{}: {}", what, std::strerror(errno)));
}

Status FsyncPath(const std::string& path, bool dir) {
  const int fd = ::open(path.c_str(), (dir ? O_DIRECTORY : 0) | O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno(path);
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Errno(path + ": fsync");
  return Status::Ok();
}

bool Digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

bool ParseArchiveName(std::string_view f, ArchiveName* out) {
  if (f.empty() || f[0] == '.') return false;
  if (f.size() < 3 || f.substr(f.size() - 3) != ".gz") return false;
  f.remove_suffix(3);
  size_t at = f.find("bview.");
  bool rib = true;
  size_t skip = 6;
  if (at == std::string_view::npos) {
    at = f.find("updates.");
    rib = false;
    skip = 8;
  }
  if (at == std::string_view::npos || (at > 0 && f[at - 1] != '.')) return false;
  std::string_view rest = f.substr(at + skip);  // YYYYMMDD.HHMM[.N]
  if (rest.size() < 13 || rest[8] != '.' || !Digits(rest.substr(0, 8)) ||
      !Digits(rest.substr(9, 4)))
    return false;
  int n = 0;
  if (rest.size() > 13) {
    if (rest[13] != '.' || !Digits(rest.substr(14)) || rest.size() > 20) return false;
    n = std::stoi(std::string(rest.substr(14)));
  }
  out->rib = rib;
  out->key = std::stoull(std::string(rest.substr(0, 8))) * 10000 +
             std::stoull(std::string(rest.substr(9, 4)));
  out->n = n;
  return true;
}

struct MrtArchive::Output {
  std::unique_ptr<mrt::MrtWriter> w;
  std::string tmp;
  uint32_t t = 0;
};

MrtArchive::MrtArchive(ArchiveOptions options) : opt_(std::move(options)) {
  if (opt_.rotate_seconds == 0) opt_.rotate_seconds = 300;
  if (opt_.rib_every_seconds == 0) opt_.rib_every_seconds = 8 * 3600;
  const uint32_t now = Now();
  next_rib_ = (now / opt_.rib_every_seconds + 1) * opt_.rib_every_seconds;
}

MrtArchive::~MrtArchive() { (void)Close(); }

uint32_t MrtArchive::Now() const {
  return opt_.clock ? opt_.clock() : static_cast<uint32_t>(::time(nullptr));
}

void MrtArchive::Note(std::string message) {
  if (problems_.size() >= kMaxProblems) problems_.erase(problems_.begin());
  problems_.push_back(std::move(message));
}

void MrtArchive::Problem(const bgp::FeedProblem& p) {
  if (restoring_) ++stats_.restore_problems;
  Note(p.ToString());
}

void MrtArchive::Peer(bgp::PeerHandle h, const bgp::PeerInfo& info) {
  if (closed_) return;
  if (h >= kMaxPeers) {
    Note(fmt::format("peer {} {}: beyond the {} peers a RIB dump can name; its routes are dropped",
                     info.ip.ToString(), info.asn, kMaxPeers));
    return;
  }
  if (peers_.size() <= h) peers_.resize(size_t{h} + 1);
  PeerState& p = peers_[h];
  p.ip = info.ip;
  p.asn = info.asn;
  p.bgp_id = info.bgp_id.is_v4() ? info.bgp_id : IpAddress::V4(0);
  p.known = true;
}

uint32_t MrtArchive::PrefixId(const Prefix& p) {
  auto [it, fresh] = prefix_ids_.try_emplace(p, static_cast<uint32_t>(prefixes_.size()));
  if (fresh) {
    prefixes_.push_back(p);
    entries_.emplace_back();
  }
  return it->second;
}

bool MrtArchive::PathSlot(uint32_t path_id, uint16_t* slot) {
  if (path_id == 0) {
    *slot = 0;
    return true;
  }
  if (auto it = path_slots_.find(path_id); it != path_slots_.end()) {
    *slot = it->second;
    return true;
  }
  if (path_ids_.size() > 0xFFFF) return false;
  *slot = static_cast<uint16_t>(path_ids_.size());
  path_ids_.push_back(path_id);
  path_slots_[path_id] = *slot;
  return true;
}

uint32_t MrtArchive::InternAttrs(const bgp::Route& r, const bgp::PathAttributes& a) {
  if (r.attr_set == last_set_ && r.afi == last_afi_) {
    ++refs_[last_attr_];
    return last_attr_;
  }
  // The route's attributes without NLRI: MP_REACH of the route's family
  // only (next hop kept, RFC 4760 §3), no MP_UNREACH.
  bgp::PathAttributes c = a;
  size_t keep = SIZE_MAX;
  for (size_t i = 0; i < c.mp_reach_count; ++i) {
    const bgp::MpReach& m = c.mp_reach[i];
    if (m.afi == r.afi || (m.abbreviated && m.next_hop.family() == r.prefix.family())) {
      keep = i;
      break;
    }
  }
  if (keep == SIZE_MAX) {
    c.Unset(bgp::kAttrMpReach);
    c.mp_reach_count = 0;
  } else {
    if (keep != 0) std::swap(c.mp_reach[0], c.mp_reach[keep]);
    c.mp_reach[0].afi = r.afi;
    c.mp_reach[0].safi = bgp::kSafiUnicast;
    c.mp_reach[0].abbreviated = false;
    c.mp_reach[0].nlri.clear();
    c.mp_reach_count = 1;
    c.Set(bgp::kAttrMpReach);
  }
  c.Unset(bgp::kAttrMpUnreach);
  c.mp_unreach_count = 0;
  scratch_.clear();
  bgp::EncodeAttributes(c, kBlobCtx, &scratch_);
  const std::string_view view(reinterpret_cast<const char*>(scratch_.data()), scratch_.size());
  uint32_t id;
  if (auto it = blob_ids_.find(view); it != blob_ids_.end()) {
    id = it->second;
    ++refs_[id];
  } else {
    if (!free_.empty()) {
      id = free_.back();
      free_.pop_back();
      blobs_[id].assign(view);
      refs_[id] = 1;
    } else {
      id = static_cast<uint32_t>(blobs_.size());
      blobs_.emplace_back(view);
      refs_.push_back(1);
    }
    blob_bytes_ += blobs_[id].capacity();
    blob_ids_.emplace(std::string_view(blobs_[id]), id);
    ++stats_.attr_sets;
  }
  last_set_ = r.attr_set;
  last_afi_ = r.afi;
  last_attr_ = id;
  return id;
}

void MrtArchive::Unref(uint32_t attr) {
  if (--refs_[attr] != 0) return;
  blob_ids_.erase(std::string_view(blobs_[attr]));
  blob_bytes_ -= blobs_[attr].capacity();
  std::string().swap(blobs_[attr]);
  free_.push_back(attr);
  --stats_.attr_sets;
  if (attr == last_attr_) last_set_ = UINT64_MAX;
}

namespace {
bool Before(const MrtArchive::Entry& e, uint16_t peer, uint16_t slot) {
  return e.peer != peer ? e.peer < peer : e.path < slot;
}
}  // namespace

void MrtArchive::Announce(const bgp::Route& r, const bgp::PathAttributes& attrs) {
  if (closed_) return;
  if (r.peer >= peers_.size() || !peers_[r.peer].known) return;  // over the cap: noted in Peer()
  uint16_t slot = 0;
  if ((r.safi != bgp::kSafiUnicast && r.safi != bgp::kSafiUnicastMulticast) ||
      !PathSlot(r.path_id, &slot)) {
    if (stats_.dropped++ == 0)
      Note(fmt::format("{}: route dropped (not unicast, or over 65,535 distinct path ids)",
                       r.prefix.ToString()));
    return;
  }
  const auto peer = static_cast<uint16_t>(r.peer);
  const uint32_t attr = InternAttrs(r, attrs);
  const uint32_t pid = PrefixId(r.prefix);
  std::vector<Entry>& v = entries_[pid];
  auto it = std::lower_bound(v.begin(), v.end(), peer,
                             [slot](const Entry& e, uint16_t p) { return Before(e, p, slot); });
  if (it != v.end() && it->peer == peer && it->path == slot) {
    Unref(it->attr);
    it->attr = attr;
  } else {
    if (v.empty()) ++stats_.prefixes;
    if (v.size() == v.capacity()) {
      // Grow by a quarter: at 1,000 peers per prefix doubling would waste
      // up to half of the RIB.
      const size_t pos = static_cast<size_t>(it - v.begin());
      v.reserve(v.size() + v.size() / 4 + 1);
      it = v.begin() + static_cast<std::ptrdiff_t>(pos);
    }
    v.insert(it, Entry{attr, peer, slot});
    ++peers_[peer].routes;
    ++stats_.entries;
  }
  if (r.path_id != 0) peers_[peer].add_path = true;
  if (!restoring_ && !opt_.out_dir.empty()) Queue(false, r, attr);
}

void MrtArchive::Remove(uint32_t pid, uint16_t peer, uint16_t slot) {
  std::vector<Entry>& v = entries_[pid];
  auto it = std::lower_bound(v.begin(), v.end(), peer,
                             [slot](const Entry& e, uint16_t p) { return Before(e, p, slot); });
  if (it == v.end() || it->peer != peer || it->path != slot) return;
  Unref(it->attr);
  v.erase(it);
  --peers_[peer].routes;
  --stats_.entries;
  if (v.empty()) {
    --stats_.prefixes;
    std::vector<Entry>().swap(v);
  }
}

void MrtArchive::Withdraw(const bgp::Route& r, bgp::WithdrawCause cause) {
  (void)cause;
  if (closed_) return;
  if (r.peer >= peers_.size() || !peers_[r.peer].known) return;
  if (auto it = prefix_ids_.find(r.prefix); it != prefix_ids_.end()) {
    uint16_t slot = 0;
    if (r.path_id == 0 || path_slots_.count(r.path_id)) {
      if (r.path_id) slot = path_slots_[r.path_id];
      Remove(it->second, static_cast<uint16_t>(r.peer), slot);
    }
  }
  if (r.path_id != 0) peers_[r.peer].add_path = true;
  if (!restoring_ && !opt_.out_dir.empty()) Queue(true, r, 0);
}

void MrtArchive::SessionDown(bgp::PeerHandle h, bgp::RouteTime t) {
  if (closed_) return;
  if (h >= peers_.size() || !peers_[h].known) return;
  PeerState& p = peers_[h];
  if (!restoring_ && !opt_.out_dir.empty()) {
    Flush();
    if (!updates_) (void)OpenUpdates(Now());
    if (updates_) {
      // RFC 6396 §4.4.1 STATE_CHANGE_AS4: Established -> Idle.
      mrt::StateChange sc;
      sc.peer_as = p.asn;
      sc.local_as = opt_.local_asn;
      sc.peer_ip = p.ip;
      sc.local_ip = ZeroOf(p.ip);
      sc.old_state = kStateEstablished;
      sc.new_state = kStateIdle;
      const uint32_t s = t.seconds ? t.seconds : Now();
      if (Status st = updates_->w->WriteStateChange(s, t.microseconds, sc); !st.ok()) {
        ++stats_.write_errors;
        Note(st.message());
      } else {
        ++stats_.records;
      }
    }
  }
  if (p.routes == 0) return;
  const auto peer = static_cast<uint16_t>(h);
  for (std::vector<Entry>& v : entries_) {
    if (v.empty()) continue;
    auto first = std::lower_bound(v.begin(), v.end(), peer,
                                  [](const Entry& e, uint16_t q) { return Before(e, q, 0); });
    auto last = first;
    while (last != v.end() && last->peer == peer) Unref((last++)->attr);
    if (first == last) continue;
    stats_.entries -= static_cast<uint64_t>(last - first);
    v.erase(first, last);
    if (v.empty()) {
      --stats_.prefixes;
      std::vector<Entry>().swap(v);
    }
  }
  p.routes = 0;
}

void MrtArchive::Queue(bool withdraw, const bgp::Route& r, uint32_t attr) {
  const bool add_path = peers_[r.peer].add_path;
  const size_t cost = 1 + (r.prefix.length() + 7u) / 8 + (add_path ? 4 : 0);
  Pending& q = pending_;
  if (q.active && (q.withdraw != withdraw || q.peer != r.peer || q.afi != r.afi ||
                   (!withdraw && q.attr != attr) || q.bytes + cost > kMaxUpdateBytes)) {
    Flush();
  }
  if (!q.active) {
    q.active = true;
    q.withdraw = withdraw;
    q.peer = r.peer;
    q.afi = r.afi;
    q.attr = attr;
    q.time = r.time.seconds ? r.time : bgp::RouteTime{Now(), 0};
    q.bytes = 19 + 4 + 64 + (withdraw ? 0 : blobs_[attr].size());
    if (!withdraw) ++refs_[attr];  // the pending UPDATE holds the set
  }
  q.nlri.push_back({r.prefix, r.path_id});
  q.bytes += cost;
}

Status MrtArchive::OpenUpdates(uint32_t now) {
  const uint32_t slot = now - now % opt_.rotate_seconds;
  auto out = std::make_unique<Output>();
  out->t = slot;
  const fs::path final_path(FinalPath(false, slot, 0));
  out->tmp = (fs::path(opt_.out_dir) / ".tmp" / final_path.filename()).string();
  std::error_code ec;
  fs::create_directories(fs::path(out->tmp).parent_path(), ec);
  auto w = mrt::MrtWriter::Create(out->tmp);
  if (!w.ok()) {
    ++stats_.write_errors;
    Note(w.status().message());
    return w.status();
  }
  out->w = std::move(*w);
  updates_ = std::move(out);
  updates_slot_ = slot;
  return Status::Ok();
}

void MrtArchive::Flush() {
  Pending& q = pending_;
  if (!q.active) return;
  q.active = false;
  const PeerState& p = peers_[q.peer];
  if (!updates_) (void)OpenUpdates(Now());
  if (updates_) {
    mrt::Bgp4mpMessage m;
    m.peer_as = p.asn;
    m.local_as = opt_.local_asn;
    m.peer_ip = p.ip;
    m.local_ip = ZeroOf(p.ip);
    m.as4 = true;
    m.add_path = p.add_path;
    m.afi = p.ip.is_v6() ? bgp::kAfiIpv6 : bgp::kAfiIpv4;
    bgp::Update& u = m.message.update;
    bool ok = true;
    if (q.withdraw) {
      if (q.afi == bgp::kAfiIpv4) {
        u.withdrawn = q.nlri;
      } else {  // RFC 4760 §4
        bgp::MpUnreach& mu = u.attrs.AddMpUnreach();
        mu.afi = q.afi;
        mu.safi = bgp::kSafiUnicast;
        mu.supported = true;
        mu.nlri = q.nlri;
      }
    } else {
      const std::string& blob = blobs_[q.attr];
      (void)u.attrs.Decode({reinterpret_cast<const uint8_t*>(blob.data()), blob.size()}, kBlobCtx);
      if (q.afi == bgp::kAfiIpv4) {
        u.nlri = q.nlri;
      } else if (u.attrs.mp_reach_count > 0) {  // RFC 4760 §3
        u.attrs.mp_reach[0].nlri = q.nlri;
      } else {
        ok = false;
        Note(fmt::format("peer {}: an IPv6 announcement without MP_REACH_NLRI not written",
                         p.ip.ToString()));
      }
    }
    if (ok) {
      if (Status st = updates_->w->WriteBgp4mpUpdate(q.time.seconds, q.time.microseconds, m);
          !st.ok()) {
        ++stats_.write_errors;
        Note(st.message());
      } else {
        ++stats_.records;
      }
    }
  }
  if (!q.withdraw) Unref(q.attr);
  q.nlri.clear();
}

std::string MrtArchive::FinalPath(bool rib, uint32_t t, int n) const {
  const time_t tt = t;
  std::tm tm{};
  ::gmtime_r(&tt, &tm);
  const std::string stamp = fmt::format("{:04}{:02}{:02}.{:02}{:02}", tm.tm_year + 1900,
                                        tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
  const std::string seq = n ? fmt::format(".{}", n) : "";
  const char* kind = rib ? "bview" : "updates";
  fs::path dir(opt_.out_dir);
  if (opt_.layout == ArchiveLayout::kSnapshot) {
    std::string prefix = opt_.name;  // the collector is the name up to the first '.'
    std::replace(prefix.begin(), prefix.end(), '.', '-');
    std::replace(prefix.begin(), prefix.end(), '/', '-');
    return (dir / "mrt" / fmt::format("{}.{}.{}{}.gz", prefix, kind, stamp, seq)).string();
  }
  return (dir / fmt::format("{:04}.{:02}", tm.tm_year + 1900, tm.tm_mon + 1) /
          (rib ? "RIBS" : "UPDATES") / fmt::format("{}.{}{}.gz", kind, stamp, seq))
      .string();
}

Status MrtArchive::Finish(std::unique_ptr<Output> out, bool rib) {
  Status st = out->w->Close();
  if (st.ok()) st = FsyncPath(out->tmp, false);
  if (!st.ok()) {
    ++stats_.write_errors;
    Note(st.message());
    return st;  // the temporary stays; Restore() removes it
  }
  for (int n = 0; n < 1000; ++n) {
    const std::string final_path = FinalPath(rib, out->t, n);
    const fs::path dir = fs::path(final_path).parent_path();
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return Status::IoError(fmt::format("{}: {}", dir.string(), ec.message()));
    // Never over a file already written.
    int rc =
        ::renameat2(AT_FDCWD, out->tmp.c_str(), AT_FDCWD, final_path.c_str(), RENAME_NOREPLACE);
    if (rc != 0 && (errno == EINVAL || errno == ENOSYS)) {  // file systems without it
      rc = ::link(out->tmp.c_str(), final_path.c_str());
      if (rc == 0) ::unlink(out->tmp.c_str());
    }
    if (rc != 0 && errno == EEXIST) continue;
    if (rc != 0) {
      Status e = Errno(fmt::format("rename {} -> {}", out->tmp, final_path));
      ++stats_.write_errors;
      Note(e.message());
      return e;
    }
    if (Status d = FsyncPath(dir.string(), true); !d.ok()) Note(d.message());
    written_.push_back(final_path);
    ++(rib ? stats_.rib_files : stats_.update_files);
    return Status::Ok();
  }
  return Status::IoError(out->tmp + ": no free name under 1000 sequence numbers");
}

Status MrtArchive::Tick() {
  if (closed_) return Status::Ok();
  Flush();
  const uint32_t now = Now();
  Status st;
  if (updates_ && now >= updates_slot_ + opt_.rotate_seconds)
    st = Finish(std::move(updates_), false);
  if (now >= next_rib_) {
    next_rib_ = (now / opt_.rib_every_seconds + 1) * opt_.rib_every_seconds;
    if (Status d = DumpRib(); st.ok()) st = d;
  }
  return st;
}

Status MrtArchive::Close() {
  if (closed_) return Status::Ok();
  Flush();
  closed_ = true;
  if (!updates_) return Status::Ok();
  return Finish(std::move(updates_), false);
}

Status MrtArchive::DumpRib() {
  if (closed_) return Status::InvalidArgument("archive closed");
  if (opt_.out_dir.empty()) return Status::InvalidArgument("no output directory");
  Flush();
  const uint32_t t = Now();
  auto out = std::make_unique<Output>();
  out->t = t;
  out->tmp =
      (fs::path(opt_.out_dir) / ".tmp" / fs::path(FinalPath(true, t, 0)).filename()).string();
  std::error_code ec;
  fs::create_directories(fs::path(out->tmp).parent_path(), ec);
  auto w = mrt::MrtWriter::Create(out->tmp);
  if (!w.ok()) {
    ++stats_.write_errors;
    Note(w.status().message());
    return w.status();
  }
  out->w = std::move(*w);
  // RFC 6396 §4.3.1: every peer, its index its collector-wide handle.
  mrt::PeerIndexTable pit;
  pit.collector_id = opt_.collector_id.is_v4() ? opt_.collector_id : IpAddress::V4(0);
  pit.view_name = opt_.name;
  for (const PeerState& p : peers_) {
    mrt::PeerEntry e;
    e.bgp_id = p.known ? p.bgp_id : IpAddress::V4(0);
    e.ip = p.known ? p.ip : IpAddress::V4(0);
    e.asn = p.asn;
    pit.peers.push_back(e);
  }
  Status st = out->w->WritePeerIndexTable(t, pit);
  std::vector<uint32_t> order;
  order.reserve(stats_.prefixes);
  for (uint32_t i = 0; i < entries_.size(); ++i)
    if (!entries_[i].empty()) order.push_back(i);
  std::sort(order.begin(), order.end(), [this](uint32_t a, uint32_t b) {
    const Prefix &pa = prefixes_[a], &pb = prefixes_[b];
    if (pa.family() != pb.family()) return pa.family() == Family::kIpv4;
    return pa < pb;
  });
  mrt::Rib rib;
  uint32_t sequence = 0;
  for (uint32_t id : order) {
    if (!st.ok()) break;
    const Prefix& prefix = prefixes_[id];
    const std::vector<Entry>& v = entries_[id];
    // RFC 8050 §4: entries with path ids in the _ADDPATH record, the
    // others in the plain one.
    for (int add_path = 0; add_path < 2 && st.ok(); ++add_path) {
      rib.afi = prefix.family() == Family::kIpv6 ? bgp::kAfiIpv6 : bgp::kAfiIpv4;
      rib.safi = bgp::kSafiUnicast;
      rib.add_path = add_path == 1;
      rib.prefix = prefix;
      rib.entry_count = 0;
      auto emit = [&] {
        if (rib.entry_count == 0) return;
        rib.sequence = sequence++;
        if (Status s = out->w->WriteRib(t, rib); !s.ok()) st = s;
        ++stats_.records;
        rib.entry_count = 0;
      };
      for (const Entry& e : v) {
        if ((e.path != 0) != rib.add_path) continue;
        if (rib.entries.size() <= rib.entry_count) rib.entries.resize(rib.entry_count + 1);
        mrt::RibEntry& re = rib.entries[rib.entry_count++];
        re.peer_index = e.peer;
        re.originated_time = t;
        re.path_id = path_ids_[e.path];
        re.attrs.Clear();
        const std::string& blob = blobs_[e.attr];
        (void)re.attrs.Decode({reinterpret_cast<const uint8_t*>(blob.data()), blob.size()},
                              kBlobCtx);
        if (rib.entry_count == kMaxRibEntriesPerRecord) emit();
      }
      emit();
    }
  }
  if (!st.ok()) {
    ++stats_.write_errors;
    Note(st.message());
    out->w->Close().ok();
    ::unlink(out->tmp.c_str());
    return st;
  }
  return Finish(std::move(out), true);
}

uint64_t MrtArchive::MemoryBytes() const {
  uint64_t b = 0;
  for (const auto& v : entries_) b += v.capacity() * sizeof(Entry);
  b += entries_.capacity() * sizeof(std::vector<Entry>);
  b += prefixes_.capacity() * sizeof(Prefix);
  // unordered_map nodes: next pointer, cached hash, value; one bucket pointer each.
  b += prefix_ids_.size() * (16 + sizeof(std::pair<const Prefix, uint32_t>)) +
       prefix_ids_.bucket_count() * 8;
  b += blob_bytes_ + blobs_.size() * sizeof(std::string) + refs_.capacity() * 4 +
       free_.capacity() * 4;
  b += blob_ids_.size() * (16 + sizeof(std::pair<const std::string_view, uint32_t>)) +
       blob_ids_.bucket_count() * 8;
  b += path_ids_.capacity() * 4 + path_slots_.size() * 32;
  b += peers_.capacity() * sizeof(PeerState);
  return b;
}

void MrtArchive::ForEach(const std::function<void(const HeldRoute&)>& f) const {
  std::vector<uint32_t> order;
  for (uint32_t i = 0; i < entries_.size(); ++i)
    if (!entries_[i].empty()) order.push_back(i);
  std::sort(order.begin(), order.end(),
            [this](uint32_t a, uint32_t b) { return prefixes_[a] < prefixes_[b]; });
  for (uint32_t id : order) {
    for (const Entry& e : entries_[id])
      f(HeldRoute{e.peer, prefixes_[id], path_ids_[e.path], blobs_[e.attr]});
  }
}

Status MrtArchive::Restore(bgp::RouteSink* restore) {
  const fs::path root(opt_.out_dir);
  std::error_code ec;
  fs::create_directories(root / ".tmp", ec);
  if (ec) return Status::IoError(fmt::format("{}: {}", (root / ".tmp").string(), ec.message()));
  // Temporaries of a run that was killed: never complete, never final.
  for (auto it = fs::directory_iterator(root / ".tmp", ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    std::error_code rm;
    if (fs::remove(it->path(), rm)) ++stats_.removed_tmp;
  }
  struct File {
    ArchiveName name;
    std::string path;
  };
  std::vector<File> ribs, updates;
  for (auto it = fs::recursive_directory_iterator(root, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const std::string fname = it->path().filename().string();
    std::error_code te;
    if (it->is_directory(te)) {
      if (!fname.empty() && fname[0] == '.') it.disable_recursion_pending();
      continue;
    }
    ArchiveName n;
    if (!it->is_regular_file(te) || !ParseArchiveName(fname, &n)) continue;
    (n.rib ? ribs : updates).push_back({n, it->path().string()});
  }
  if (ec) return Status::IoError(fmt::format("{}: {}", root.string(), ec.message()));
  auto by_time = [](const File& a, const File& b) {
    return a.name.key != b.name.key ? a.name.key < b.name.key : a.name.n < b.name.n;
  };
  std::sort(ribs.begin(), ribs.end(), by_time);
  std::sort(updates.begin(), updates.end(), by_time);

  // The newest dump that reads to its end without damage.
  const File* base = nullptr;
  for (auto it = ribs.rbegin(); it != ribs.rend() && !base; ++it) {
    auto reader = mrt::MrtReader::Open(it->path);
    bool damaged = !reader.ok();
    if (reader.ok()) {
      (*reader)->set_problem_handler([&](const mrt::Problem&) { damaged = true; });
      mrt::Record rec;
      uint64_t records = 0;
      while ((*reader)->Next(&rec)) ++records;
      damaged = damaged || !(*reader)->stream_status().ok() || records == 0;
    }
    if (damaged) {
      ++stats_.restore_problems;
      Note(it->path + ": damaged RIB dump, not used for the restart");
    } else {
      base = &*it;
    }
  }
  size_t first = 0;
  if (base) {
    // The update file open when the dump was taken, and the ones after.
    for (size_t i = 0; i < updates.size(); ++i)
      if (updates[i].name.key < base->name.key) first = i;
  }
  restoring_ = true;
  mrt::RouteFeed feed(opt_.name);
  auto read = [&](const std::string& path) {
    if (Status st = feed.ReadFile(path, restore); !st.ok()) {
      ++stats_.restore_problems;
      Note(st.message());
    } else {
      ++stats_.restored_files;
    }
  };
  if (base) read(base->path);
  for (size_t i = first; i < updates.size(); ++i) read(updates[i].path);
  restoring_ = false;
  return Status::Ok();
}

}  // namespace vigia::collect
