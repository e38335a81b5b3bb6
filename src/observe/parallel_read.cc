// ObservedRoutes::AddFiles (observed_routes.h): MRT files decoded on
// several threads, applied in file order on the calling thread.
//
// Each decoding thread takes the next file, reads it through
// mrt::RouteFeed into a DecodeSink, which interns prefixes and paths in
// tables local to the file (the costly hashing and comparing) and queues
// compact events in chunks. The calling thread takes the files' queues in
// file order and, for each event, does what the RouteSink method would
// have done: a local id is mapped to the global one when first used (a
// path at once: the sink interns every path it is sent; a prefix lazily:
// the sink skips the prefix of a RIB route withdrawn before the updates),
// so ids are given in the same order as AddFile() on each file in turn.
// Threads block when their queue is full, so at most kMaxQueued chunks per
// thread wait (applied chunks go back to the decoder, their memory kept);
// the thread of the file being applied is never blocked for good, so this
// cannot deadlock.
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "bgp/path_attributes.h"
#include "mrt/route_feed.h"
#include "observe/observed_routes.h"

namespace vigia::observe {

namespace {

constexpr size_t kChunkEvents = 1 << 16;  // 1.25 MB of events
// 16 chunks (21 MB of events) let a thread decoding a later file run on
// while this one applies the current file; 4 stalled it (50 peers x 200 k
// prefixes: two RIB dumps decoded at once).
constexpr size_t kMaxQueued = 16;
constexpr uint32_t kUnmapped = UINT32_MAX;

// kStartUpdates: an update the filter left out (ObservedRoutes::SetFilter)
// still ends the RIB dumps' phase; one per file is enough.
enum class EventKind : uint8_t {
  kPeer,
  kAnnounce,
  kWithdraw,
  kSessionDown,
  kProblem,
  kStartUpdates
};

struct Event {
  EventKind kind;
  bgp::RouteSource source;
  bgp::WithdrawCause cause;
  uint32_t handle = 0;  // the feed's peer handle
  uint32_t item = 0;    // local prefix id; kPeer, kProblem: into the chunk's lists
  uint32_t path = 0;    // local path id
  uint32_t time = 0;
};

struct PeerData {
  bgp::PeerHandle handle;
  IpAddress ip, bgp_id;
  Asn asn;
};

// Events and, in local id order, the prefixes and paths they first name.
struct Chunk {
  std::vector<Event> events;
  std::vector<Prefix> new_prefixes;
  std::vector<Asn> new_path_asns;
  std::vector<uint32_t> new_path_sizes;
  std::vector<uint8_t> new_path_sets;
  std::vector<PeerData> peers;
  std::vector<std::pair<bgp::FeedProblem::Kind, std::string>> problems;
};

struct FileQueue {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Chunk> chunks;
  std::vector<Chunk> spare;  // applied chunks, emptied, for the decoder to refill
  bool done = false;
  Status status;
};

bool HasSet(const bgp::AsPath& p) {
  for (const auto& s : p.segments) {
    if (s.type != bgp::kAsSequence && s.type != bgp::kAsConfedSequence) return true;
  }
  return false;
}

class DecodeSink : public bgp::RouteSink {
 public:
  DecodeSink(FileQueue* q, const std::atomic<bool>* abort, const RouteFilter* filter)
      : q_(q), abort_(abort), filter_(filter) {}

  void Peer(bgp::PeerHandle h, const bgp::PeerInfo& info) override {
    chunk_.events.push_back({EventKind::kPeer, {}, {}, h, Index(chunk_.peers.size()), 0, 0});
    chunk_.peers.push_back({h, info.ip, info.bgp_id, info.asn});
  }
  void Announce(const bgp::Route& r, const bgp::PathAttributes& attrs) override {
    if (*filter_ && !(*filter_)(r.prefix, r.source, true, r.time.seconds)) return Dropped(r.source);
    // As ObservedRoutes::Announce: one path per attribute set.
    if (!have_last_path_ || r.attr_set != last_attr_set_) {
      const bgp::AsPath& ap = attrs.as_path;
      const bool set = HasSet(ap);
      const size_t before = paths_.size();
      last_path_ = paths_.Intern(ap.asns, set);
      if (paths_.size() != before) {
        chunk_.new_path_asns.insert(chunk_.new_path_asns.end(), ap.asns.begin(), ap.asns.end());
        chunk_.new_path_sizes.push_back(Index(ap.asns.size()));
        chunk_.new_path_sets.push_back(set ? 1 : 0);
      }
      last_attr_set_ = r.attr_set;
      have_last_path_ = true;
    }
    Push({EventKind::kAnnounce,
          r.source,
          {},
          r.peer,
          PrefixOf(r.prefix),
          last_path_,
          r.time.seconds});
  }
  void Withdraw(const bgp::Route& r, bgp::WithdrawCause cause) override {
    if (*filter_ && !(*filter_)(r.prefix, r.source, false, r.time.seconds))
      return Dropped(r.source);
    Push({EventKind::kWithdraw, r.source, cause, r.peer, PrefixOf(r.prefix), 0, r.time.seconds});
  }
  void SessionDown(bgp::PeerHandle peer, bgp::RouteTime t) override {
    Push({EventKind::kSessionDown, {}, {}, peer, 0, 0, t.seconds});
  }
  void Problem(const bgp::FeedProblem& p) override {
    if (p.kind == bgp::FeedProblem::Kind::kRepaired) return;  // as ObservedRoutes::Problem
    chunk_.events.push_back({EventKind::kProblem, {}, {}, 0, Index(chunk_.problems.size()), 0, 0});
    chunk_.problems.emplace_back(p.kind, p.ToString());
  }

  // Queues the chunk, waiting while the queue is full; drops it once the
  // reading was abandoned.
  void Flush() {
    std::unique_lock lock(q_->mu);
    q_->cv.wait(lock, [&] { return q_->chunks.size() < kMaxQueued || *abort_; });
    if (!*abort_) q_->chunks.push_back(std::move(chunk_));
    q_->cv.notify_all();
    if (!q_->spare.empty()) {
      chunk_ = std::move(q_->spare.back());  // its vectors keep their memory
      q_->spare.pop_back();
    } else {
      chunk_ = Chunk();
      chunk_.events.reserve(kChunkEvents);
    }
  }

 private:
  static uint32_t Index(size_t n) { return static_cast<uint32_t>(n); }
  void Dropped(bgp::RouteSource source) {
    if (source != bgp::RouteSource::kUpdate || start_sent_) return;
    start_sent_ = true;
    Push({EventKind::kStartUpdates, source, {}, 0, 0, 0, 0});
  }
  uint32_t PrefixOf(const Prefix& p) {
    if (!have_last_prefix_ || !(p == last_prefix_)) {
      const size_t before = prefixes_.size();
      last_prefix_id_ = prefix_ids_.FindOrAdd(p, &prefixes_);
      if (prefixes_.size() != before) chunk_.new_prefixes.push_back(p);
      last_prefix_ = p;
      have_last_prefix_ = true;
    }
    return last_prefix_id_;
  }
  void Push(const Event& e) {
    chunk_.events.push_back(e);
    if (chunk_.events.size() >= kChunkEvents) Flush();
  }

  FileQueue* q_;
  const std::atomic<bool>* abort_;
  const RouteFilter* filter_;
  bool start_sent_ = false;
  Chunk chunk_;
  PathTable paths_;
  PrefixIndex prefix_ids_;
  std::vector<Prefix> prefixes_;
  uint64_t last_attr_set_ = 0;
  uint32_t last_path_ = 0;
  bool have_last_path_ = false;
  Prefix last_prefix_;
  uint32_t last_prefix_id_ = 0;
  bool have_last_prefix_ = false;
};

}  // namespace

Status ObservedRoutes::AddFiles(const std::vector<File>& files, unsigned threads) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  if (threads == 1) {
    for (const File& f : files) {
      if (Status s = AddFile(f.path, f.collector); !s.ok()) return s;
    }
    return Status::Ok();
  }
  if (finished_) return Status::InvalidArgument("routes already finished");
  std::vector<FileQueue> queues(files.size());
  std::mutex next_mu;
  size_t next = 0;
  std::atomic<bool> abort = false;
  auto decode = [&] {
    for (;;) {
      size_t i;
      {
        std::lock_guard lock(next_mu);
        if (abort || next == files.size()) return;
        i = next++;
      }
      FileQueue& q = queues[i];
      DecodeSink sink(&q, &abort, &filter_);
      mrt::RouteFeed feed = MakeFeed(files[i].collector);
      Status s = feed.ReadFile(files[i].path, &sink);
      sink.Flush();
      std::lock_guard lock(q.mu);
      q.status = std::move(s);
      q.done = true;
      q.cv.notify_all();
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < std::min<size_t>(threads, files.size()); ++t) pool.emplace_back(decode);

  Status result;
  for (size_t i = 0; i < files.size() && result.ok(); ++i) {
    FileQueue& q = queues[i];
    BeginFeed();
    std::vector<Prefix> local_prefixes;
    std::vector<uint32_t> prefix_map, path_map;
    for (;;) {
      Chunk c;
      {
        std::unique_lock lock(q.mu);
        q.cv.wait(lock, [&] { return !q.chunks.empty() || q.done; });
        if (q.chunks.empty()) break;
        c = std::move(q.chunks.front());
        q.chunks.pop_front();
        q.cv.notify_all();
      }
      for (const Prefix& p : c.new_prefixes) {
        local_prefixes.push_back(p);
        prefix_map.push_back(kUnmapped);
      }
      for (size_t k = 0, at = 0; k < c.new_path_sizes.size(); at += c.new_path_sizes[k++]) {
        path_map.push_back(
            paths_.Intern(std::span<const Asn>(c.new_path_asns.data() + at, c.new_path_sizes[k]),
                          c.new_path_sets[k] != 0));
      }
      auto prefix = [&](uint32_t local) {
        if (prefix_map[local] == kUnmapped) prefix_map[local] = PrefixId(local_prefixes[local]);
        return prefix_map[local];
      };
      for (const Event& e : c.events) {
        switch (e.kind) {
          case EventKind::kPeer: {
            const PeerData& d = c.peers[e.item];
            Peer(d.handle, bgp::PeerInfo{files[i].collector, d.ip, d.asn, d.bgp_id});
            break;
          }
          case EventKind::kAnnounce:
            ApplyAnnounce(e.source, prefix(e.item), feed_peers_[e.handle], path_map[e.path],
                          e.time);
            break;
          case EventKind::kWithdraw:
            if (!WithdrawStarts(e.source, e.cause)) break;
            Change(prefix(e.item), feed_peers_[e.handle], UINT32_MAX, e.time);
            if (e.cause == bgp::WithdrawCause::kWithdrawn) ++stats_.withdrawals;
            break;
          case EventKind::kSessionDown:
            SessionDown(e.handle, bgp::RouteTime{e.time, 0});
            break;
          case EventKind::kStartUpdates:
            Dropped(e.source);
            break;
          case EventKind::kProblem:
            ApplyProblem(c.problems[e.item].first, std::move(c.problems[e.item].second));
            break;
        }
      }
      c.events.clear();
      c.new_prefixes.clear();
      c.new_path_asns.clear();
      c.new_path_sizes.clear();
      c.new_path_sets.clear();
      c.peers.clear();
      c.problems.clear();
      std::lock_guard lock(q.mu);
      if (!q.done) q.spare.push_back(std::move(c));
    }
    {
      std::lock_guard lock(q.mu);
      q.spare = {};
    }
    if (q.status.ok()) {
      ++stats_.files;
    } else {
      result = q.status;
    }
  }
  if (!result.ok()) {
    // Wakes the threads blocked on full queues and lets none take a file.
    abort = true;
    for (FileQueue& q : queues) {
      std::lock_guard lock(q.mu);
      q.cv.notify_all();
    }
  }
  for (std::thread& t : pool) t.join();
  return result;
}

}  // namespace vigia::observe
