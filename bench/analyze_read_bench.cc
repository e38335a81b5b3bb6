// The MRT-loading step of `vigia analyze` alone (issue [6/7] item 7,
// bench/analyze_read.sh): reads every MRT file of SNAP/mrt into
// observe::ObservedRoutes the way snapshot::LoadSnapshot does (RIB dumps
// first, then updates in name order) and finishes it (the sighting sort
// analyze does before the detectors), then prints one line of key=value:
// the load and finish seconds (wall; cpu: of all threads), the RIB entries, and a digest of
// everything the detectors read (prefixes, peers, paths and sightings in id order), so that two
// builds or thread counts can be checked for identical results. The sightings are hashed in their
// order and, separately, in a canonical order (all fields): std::sort leaves sightings equal in
// (prefix, peer, start) in an unspecified order that no detector depends on.
//
// Usage: analyze_read_bench SNAP [THREADS]   (THREADS 0, the default: one
// per core, as analyze; 1: sequential)
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <tuple>
#include <vector>

#include "observe/observed_routes.h"

namespace {

struct Fnv {
  uint64_t h = 1469598103934665603ull;
  void Add(const void* p, size_t n) {
    const auto* b = static_cast<const unsigned char*>(p);
    for (size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 1099511628211ull;
  }
  void Add(uint64_t v) { Add(&v, sizeof v); }
  void Add(const std::string& s) {
    Add(s.size());
    Add(s.data(), s.size());
  }
};

// User + system time of every thread so far.
double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: analyze_read_bench SNAP [THREADS]\n");
    return 2;
  }
  using Clock = std::chrono::steady_clock;
  const double cpu0 = CpuSeconds();
  const auto t0 = Clock::now();
  vigia::observe::ObservedRoutes r;
  const unsigned threads = argc == 3 ? static_cast<unsigned>(std::atoi(argv[2])) : 0;
  if (auto s = r.AddDirectory(std::string(argv[1]) + "/mrt", threads); !s.ok()) {
    std::fprintf(stderr, "%s\n", s.message().c_str());
    return 2;
  }
  const double load = std::chrono::duration<double>(Clock::now() - t0).count();
  r.Finish(UINT32_MAX - 1);
  const double total = std::chrono::duration<double>(Clock::now() - t0).count();
  const double cpu = CpuSeconds() - cpu0;

  Fnv meta, raw, canon;
  for (const auto& p : r.prefixes()) meta.Add(p.ToString());
  for (const auto& p : r.peers()) {
    meta.Add(p.collector);
    meta.Add(p.ip.ToString());
    meta.Add(p.asn);
  }
  for (uint32_t id = 0; id < r.paths().size(); ++id) {
    for (auto a : r.paths().Get(id)) meta.Add(a);
    meta.Add(r.paths().HasSet(id) ? 0xFFFFFFFFFull : 0xEEEEEEEEEull);
  }
  std::vector<vigia::observe::Sighting> s = r.sightings();
  for (const auto& x : s) raw.Add(&x, sizeof x);
  std::sort(s.begin(), s.end(), [](const auto& a, const auto& b) {
    return std::tie(a.prefix, a.peer, a.start, a.end, a.path) <
           std::tie(b.prefix, b.peer, b.start, b.end, b.path);
  });
  for (const auto& x : s) canon.Add(&x, sizeof x);
  const auto& st = r.stats();
  std::printf(
      "load=%.3f finish=%.3f total=%.3f cpu=%.3f rib_entries=%llu announcements=%llu "
      "withdrawals=%llu "
      "prefixes=%zu peers=%zu paths=%zu sightings=%zu meta=%016llx sightings_raw=%016llx "
      "sightings_canon=%016llx\n",
      load, total - load, total, cpu, static_cast<unsigned long long>(st.rib_entries),
      static_cast<unsigned long long>(st.announcements),
      static_cast<unsigned long long>(st.withdrawals), r.prefixes().size(), r.peers().size(),
      r.paths().size(), r.sightings().size(), static_cast<unsigned long long>(meta.h),
      static_cast<unsigned long long>(raw.h), static_cast<unsigned long long>(canon.h));
  return 0;
}
