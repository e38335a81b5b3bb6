// Where `vigia analyze`'s memory goes (issue [6/7] item 1, bench/analyze_memory.sh):
// runs the same stages as pipeline::Analyze on one snapshot and prints, per
// stage, the heap in use (mallinfo2), the resident set and the peak resident
// set reached inside the stage (VmHWM, reset between stages through
// /proc/self/clear_refs), and the bytes of the main structures: the
// sightings, the path table, the prefixes and the route view, each also per
// RIB entry.
//
// Stages: (1) the MRT files alone into ObservedRoutes (as observe_bench),
// then freed; (2) LoadSnapshot + LoadExtras as Analyze does; (3) a RouteView
// built and freed, to weigh it; (4) pipeline::AnalyzeLoaded into a fresh
// SQLite store, with its progress steps (history, detecting, scoring,
// storing) as stage boundaries.
//
// Usage: analyze_memory_probe SNAP DB_PATH [--json]
// Not a test; timings on a shared machine are indicative only.
#include <malloc.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>

#include "detect/detect.h"
#include "observe/observed_routes.h"
#include "pipeline/analyze.h"
#include "snapshot/extras.h"
#include "snapshot/snapshot.h"
#include "store/store.h"

namespace {

using Clock = std::chrono::steady_clock;

// VmRSS and VmHWM of this process, in bytes.
std::pair<size_t, size_t> Rss() {
  std::ifstream f("/proc/self/status");
  std::string line;
  size_t rss = 0, hwm = 0;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) rss = std::stoull(line.substr(6)) * 1024;
    if (line.rfind("VmHWM:", 0) == 0) hwm = std::stoull(line.substr(6)) * 1024;
  }
  return {rss, hwm};
}

size_t Heap() {
  const struct mallinfo2 m = mallinfo2();
  return m.uordblks + m.hblkhd;  // small chunks in use + mmapped chunks
}

// Resets VmHWM to the current RSS (Linux >= 4.0), after giving freed pages back.
void ResetPeak() {
  malloc_trim(0);
  std::ofstream("/proc/self/clear_refs") << "5";
}

double Mb(size_t b) { return static_cast<double>(b) / 1e6; }

Clock::time_point g_t0;
double g_last = 0;
uint64_t g_entries = 1;

// One stage line: name, seconds, heap now, RSS now, peak RSS in the stage.
void Stage(const char* name) {
  const double now = std::chrono::duration<double>(Clock::now() - g_t0).count();
  const auto [rss, hwm] = Rss();
  std::printf("stage %-34s %7.1f s  heap %8.1f MB  rss %8.1f MB  peak %8.1f MB  (%.1f B/entry)\n",
              name, now - g_last, Mb(Heap()), Mb(rss), Mb(hwm),
              static_cast<double>(hwm) / static_cast<double>(g_entries));
  std::fflush(stdout);
  g_last = now;
  ResetPeak();
}

void Row(const char* what, size_t bytes, size_t total) {
  std::printf("struct %-44s %9.1f MB  %6.2f B/entry  %5.1f %%\n", what, Mb(bytes),
              static_cast<double>(bytes) / static_cast<double>(g_entries),
              total ? 100.0 * static_cast<double>(bytes) / static_cast<double>(total) : 0.0);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace vigia;
  if (argc < 3) {
    std::fprintf(stderr, "usage: analyze_memory_probe SNAP DB_PATH\n");
    return 2;
  }
  const std::string dir = argv[1], db = argv[2];
  g_t0 = Clock::now();
  ResetPeak();
  Stage("start");

  // (1) The observe stage alone.
  size_t observed_heap = 0, sight_bytes = 0, sight_slack = 0, path_arrays = 0, prefix_bytes = 0,
         peer_bytes = 0;
  size_t n_paths = 0, n_prefixes = 0, n_sightings = 0, path_asns = 0;
  {
    const size_t h0 = Heap();
    observe::ObservedRoutes r;
    if (auto st = r.AddDirectory(dir + "/mrt"); !st.ok()) {
      std::fprintf(stderr, "%s\n", st.message().c_str());
      return 2;
    }
    g_entries = std::max<uint64_t>(1, r.stats().rib_entries);
    Stage("observe: read MRT (before Finish)");
    r.Finish(UINT32_MAX - 1);
    Stage("observe: Finish (close, sort)");
    observed_heap = Heap() - h0;
    n_sightings = r.sightings().size();
    sight_bytes = r.sightings().size() * sizeof(observe::Sighting);
    sight_slack = (r.sightings().capacity() - r.sightings().size()) * sizeof(observe::Sighting);
    n_paths = r.paths().size();
    for (uint32_t id = 0; id < n_paths; ++id) path_asns += r.paths().Get(id).size();
    path_arrays = path_asns * sizeof(Asn) + (n_paths + 1) * 4 + n_paths;
    n_prefixes = r.prefixes().size();
    prefix_bytes = r.prefixes().capacity() * sizeof(Prefix);
    peer_bytes = r.peers().size() * sizeof(observe::Peer);
    std::printf(
        "count rib_entries %llu announcements %llu withdrawals %llu sightings %zu prefixes %zu "
        "paths %zu path_asns %zu peers %zu\n",
        static_cast<unsigned long long>(r.stats().rib_entries),
        static_cast<unsigned long long>(r.stats().announcements),
        static_cast<unsigned long long>(r.stats().withdrawals), n_sightings, n_prefixes, n_paths,
        path_asns, r.peers().size());
  }
  Stage("observe: freed");

  // (2) The whole snapshot, as Analyze loads it.
  const size_t h_before_load = Heap();
  snapshot::Snapshot s;
  snapshot::Extras extras;
  std::thread extras_thread([&] { snapshot::LoadExtras(dir, &extras); });
  const Status loaded = snapshot::LoadSnapshot(dir, &s);
  extras_thread.join();
  if (!loaded.ok()) {
    std::fprintf(stderr, "%s\n", loaded.message().c_str());
    return 2;
  }
  const size_t snapshot_heap = Heap() - h_before_load;
  Stage("load: LoadSnapshot + LoadExtras");

  // (3) The route view, weighed.
  size_t view_heap = 0, view_routes = 0, view_peer_ids = 0, view_path_ids = 0;
  {
    const size_t h0 = Heap();
    detect::RouteView v(s.routes);
    view_heap = Heap() - h0;
    view_routes = v.routes().size();
    for (const auto& o : v.routes()) {
      view_peer_ids += o.peers.size();
      view_path_ids += o.paths.size();
    }
    Stage("view: RouteView built (then freed)");
  }
  ResetPeak();

  // (4) The analysis proper, stage by stage.
  auto store = store::Store::Open("sqlite:" + db);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().message().c_str());
    return 2;
  }
  Stage("store opened");
  pipeline::AnalyzeOptions o;
  std::string last = "analyze: history";
  o.progress = [&](std::string_view step) {
    Stage(last.c_str());
    last = "analyze: " + std::string(step);
  };
  auto res = pipeline::AnalyzeLoaded(s, extras, "probe", **store, o);
  Stage(last.c_str());
  if (!res.ok()) {
    std::fprintf(stderr, "%s\n", res.status().message().c_str());
    return 2;
  }
  std::printf("count view_routes %zu view_peer_ids %zu view_path_ids %zu incidents %zu ases %zu\n",
              view_routes, view_peer_ids, view_path_ids, res->incidents, res->ases);

  // The breakdown, at the analysis' high point (snapshot + view).
  const size_t total = snapshot_heap + view_heap;
  const size_t path_hash = n_paths * 40;       // multimap node (32 B chunk) + bucket (8 B)
  const size_t prefix_hash = n_prefixes * 56;  // map node (48 B chunk) + bucket (8 B)
  const size_t observe_rest = observed_heap > sight_bytes + sight_slack + path_arrays +
                                                  prefix_bytes + path_hash + prefix_hash
                                  ? observed_heap - sight_bytes - sight_slack - path_arrays -
                                        prefix_bytes - path_hash - prefix_hash
                                  : 0;
  const size_t view_structs = view_routes * sizeof(detect::OriginRoute);
  const size_t view_ids = (view_peer_ids + view_path_ids) * sizeof(uint32_t);
  Row("sightings (20 B each)", sight_bytes, total);
  Row("sightings: unused vector capacity (not all resident)", sight_slack, total);
  Row("path table: ASNs + offsets + flags", path_arrays, total);
  Row("path table: hash index (est. 40 B/path)", path_hash, total);
  Row("prefixes vector", prefix_bytes, total);
  Row("prefix id hash (est. 56 B/prefix)", prefix_hash, total);
  Row("observe: rest (open_ buckets, peers, problems)", observe_rest + peer_bytes, total);
  Row("reference data + extras (snapshot - observe)",
      snapshot_heap > observed_heap ? snapshot_heap - observed_heap : 0, total);
  Row("route view: OriginRoute structs", view_structs, total);
  Row("route view: peer ids + path ids (4 B each)", view_ids, total);
  Row("route view: vector slack + malloc overhead",
      view_heap - std::min(view_heap, view_structs + view_ids), total);
  Row("total heap: snapshot + view", total, total);
  return 0;
}
