// The observe stage at scale (issue [4/5]): reads every MRT file of a
// snapshot directory (RIB dumps first, then updates in name order) into
// ObservedRoutes and prints the time, routes per second and counts; run it
// under /usr/bin/time for the peak memory.
//
// Usage: observe_bench SNAP
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "observe/observed_routes.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: observe_bench SNAP\n");
    return 2;
  }
  const auto t0 = std::chrono::steady_clock::now();
  vigia::observe::ObservedRoutes r;
  if (auto s = r.AddDirectory(std::string(argv[1]) + "/mrt"); !s.ok()) {
    std::fprintf(stderr, "%s\n", s.message().c_str());
    return 2;
  }
  const double load = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.Finish(UINT32_MAX - 1);
  const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const auto& st = r.stats();
  const double routes = static_cast<double>(st.rib_entries + st.announcements + st.withdrawals);
  std::printf("files %llu, RIB entries %llu, announcements %llu, withdrawals %llu\n",
              static_cast<unsigned long long>(st.files),
              static_cast<unsigned long long>(st.rib_entries),
              static_cast<unsigned long long>(st.announcements),
              static_cast<unsigned long long>(st.withdrawals));
  std::printf("prefixes %zu, peers %zu, distinct paths %zu, sightings %zu, problems %zu\n",
              r.prefixes().size(), r.peers().size(), r.paths().size(), r.sightings().size(),
              r.problems().size());
  std::printf("load %.2f s, finish %.2f s, total %.2f s, %.1f M routes/s\n", load, total - load,
              total, routes / total / 1e6);
  return 0;
}
