// ROV of a full table: loads a VRP file and validates every route of a
// generated table against it, timing the load and the validation apart
// and together (issue [2/5]: < 0.3 s including the load for 1 M routes
// against 600 k VRPs).
//
// Issue [6/7] adds a bandwidth floor, measured in the same process just
// before the load so that it sees the same machine load: read(2) of the VRP
// file into a fresh buffer (the I/O the load does), one pass summing its
// bytes, and one pass reading every route and writing one state byte. The
// ratio (load + validate) / floor is printed with it. Each phase is also
// timed in process CPU time (all threads), which a shared machine disturbs
// less than wall time.
//
// Usage: rov_bench --generate-vrps N OUT.json      write N random VRPs (rpki-client JSON)
//        rov_bench VRPS_FILE [ROUTES] [SEED]       load + validate ROUTES (default 1,000,000)
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "core/large_alloc.h"
#include "rpki/origin_validation.h"

namespace {

using Clock = std::chrono::steady_clock;
double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

double CpuNow() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// The floor's first two parts: the file read into fresh large pages, then
// summed 8 bytes at a time. Returns the byte count (0 on error).
size_t ReadAndScan(const char* path, double* read_s, double* scan_s, uint64_t* sum) {
  const int fd = open(path, O_RDONLY);
  if (fd < 0) return 0;
  const off_t size = lseek(fd, 0, SEEK_END);
  lseek(fd, 0, SEEK_SET);
  const size_t cap = static_cast<size_t>(size) + 8;
  const auto a = Clock::now();
  char* buf = static_cast<char*>(vigia::AllocateLarge(cap));
  size_t got = 0;
  ssize_t n;
  while ((n = read(fd, buf + got, cap - got)) > 0) got += static_cast<size_t>(n);
  close(fd);
  std::memset(buf + got, 0, cap - got);
  const auto b = Clock::now();
  uint64_t s = 0;
  for (size_t i = 0; i + 8 <= cap; i += 8) {
    uint64_t w;
    std::memcpy(&w, buf + i, 8);
    s += w;
  }
  *sum = s;
  const auto c = Clock::now();
  vigia::FreeLarge(buf, cap);
  *read_s = Seconds(a, b);
  *scan_s = Seconds(b, c);
  return got;
}

vigia::Prefix RandomPrefix(std::mt19937_64& rng, bool v6) {
  uint8_t b[16] = {0};
  if (v6) {
    b[0] = 0x2a;
    for (int i = 1; i < 6; ++i) b[i] = static_cast<uint8_t>(rng());
    return vigia::Prefix(vigia::IpAddress::FromBytes(vigia::Family::kIpv6, b),
                         static_cast<uint8_t>(29 + rng() % 20))
        .Masked();
  }
  b[0] = static_cast<uint8_t>(1 + rng() % 223);
  for (int i = 1; i < 4; ++i) b[i] = static_cast<uint8_t>(rng());
  return vigia::Prefix(vigia::IpAddress::FromBytes(vigia::Family::kIpv4, b),
                       static_cast<uint8_t>(16 + rng() % 9))
      .Masked();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 4 && std::string(argv[1]) == "--generate-vrps") {
    const long n = std::atol(argv[2]);
    FILE* f = std::fopen(argv[3], "w");
    if (!f) return 2;
    std::mt19937_64 rng(42);
    std::fprintf(f, "{\"metadata\":{\"buildmachine\":\"rov_bench\"},\"roas\":[\n");
    for (long i = 0; i < n; ++i) {
      const bool v6 = rng() % 5 == 0;
      vigia::Prefix p = RandomPrefix(rng, v6);
      const int width = v6 ? 128 : 32;
      const int max =
          std::min<int>(width, p.length() + (rng() % 3 == 0 ? static_cast<int>(rng() % 4) : 0));
      std::fprintf(f, "%s{\"asn\":%u,\"prefix\":\"%s\",\"maxLength\":%d,\"ta\":\"bench\"}\n",
                   i ? "," : "", static_cast<unsigned>(1 + rng() % 400000), p.ToString().c_str(),
                   max);
    }
    std::fprintf(f, "]}\n");
    std::fclose(f);
    return 0;
  }
  if (argc < 2) {
    std::fprintf(stderr, "usage: rov_bench VRPS_FILE [ROUTES] [SEED] | --generate-vrps N OUT\n");
    return 2;
  }
  const long routes = argc > 2 ? std::atol(argv[2]) : 1000000;
  std::mt19937_64 rng(argc > 3 ? std::atoll(argv[3]) : 7);

  double floor_read = 0, floor_scan = 0;
  uint64_t checksum = 0;
  const double fc0 = CpuNow();
  if (ReadAndScan(argv[1], &floor_read, &floor_scan, &checksum) == 0) {
    std::fprintf(stderr, "%s: cannot read\n", argv[1]);
    return 2;
  }
  double floor_cpu = CpuNow() - fc0;

  const double c0 = CpuNow();
  const auto t0 = Clock::now();
  vigia::rpki::VrpSet vrps;
  vigia::Status s = vrps.LoadFile(argv[1]);
  if (!s.ok()) {
    std::fprintf(stderr, "%s\n", s.message().c_str());
    return 2;
  }
  const auto t1 = Clock::now();
  const double load_cpu = CpuNow() - c0;

  // Routes: half are more-specifics or exact prefixes of VRPs (so that all
  // four states occur), half random.
  std::vector<vigia::rpki::Route> table;
  table.reserve(static_cast<size_t>(routes));
  const auto& all = vrps.vrps();
  for (long i = 0; i < routes; ++i) {
    if (!all.empty() && rng() % 2 == 0) {
      const vigia::rpki::Vrp& v = all[rng() % all.size()];
      const int extra = static_cast<int>(rng() % 3);
      const int len = std::min<int>(v.prefix.address().bit_width(), v.prefix.length() + extra);
      table.push_back({vigia::Prefix(v.prefix.address(), static_cast<uint8_t>(len)),
                       rng() % 4 == 0 ? static_cast<vigia::Asn>(1 + rng() % 400000) : v.asn});
    } else {
      table.push_back(
          {RandomPrefix(rng, rng() % 5 == 0), static_cast<vigia::Asn>(1 + rng() % 400000)});
    }
  }
  std::vector<vigia::rpki::RovState> states(table.size());
  double cpu = 0;
  auto run = [&](unsigned threads, size_t counts[4]) {
    const double ca = CpuNow();
    const auto a = Clock::now();
    vigia::rpki::ValidateAll(vrps, table, states, threads);
    const double t = Seconds(a, Clock::now());
    cpu = CpuNow() - ca;
    for (vigia::rpki::RovState st : states) ++counts[static_cast<int>(st)];
    return t;
  };
  size_t counts[4] = {0, 0, 0, 0}, ignored[4] = {0, 0, 0, 0};
  const double random_order = run(1, counts);
  // A RIB dump lists routes in prefix order, which is kinder to the caches.
  std::sort(table.begin(), table.end());
  // The floor's last part: every route read once, a state written for it.
  double floor_routes = 0;
  {
    const double fc1 = CpuNow();
    const auto a = Clock::now();
    for (size_t i = 0; i < table.size(); ++i) {
      const uint8_t* b = table[i].prefix.address().bytes();
      uint64_t w;
      std::memcpy(&w, b, 8);
      states[i] = static_cast<vigia::rpki::RovState>((w ^ table[i].origin) & 1);
    }
    floor_routes = Seconds(a, Clock::now());
    floor_cpu += CpuNow() - fc1;
    for (vigia::rpki::RovState st : states) checksum += static_cast<uint64_t>(st);
  }
  const double rib_order = run(1, ignored);
  const double rib_order_cpu = cpu;
  const double rib_order_2 = run(2, ignored);
  const double load = Seconds(t0, t1);
  std::printf("vrps %zu (skipped %zu) routes %ld\n", vrps.size(), vrps.skipped(), routes);
  std::printf("states: not-found %zu valid %zu invalid-origin %zu invalid-length %zu\n", counts[0],
              counts[1], counts[2], counts[3]);
  std::printf("load %.3f s (cpu %.3f s)\n", load, load_cpu);
  const double floor = floor_read + floor_scan + floor_routes;
  std::printf(
      "floor %.4f s (read %.4f, scan %.4f, routes %.4f; checksum %llu); load + validate "
      "(RIB order, 1 thread) / floor = %.1f; in cpu time %.1f; cpu %.3f s\n",
      floor, floor_read, floor_scan, floor_routes, static_cast<unsigned long long>(checksum % 10),
      (load + rib_order) / floor, (load_cpu + rib_order_cpu) / floor_cpu, load_cpu + rib_order_cpu);
  auto line = [&](const char* what, double t) {
    std::printf("validate, %-22s %.3f s (%4.1f M routes/s); load + validate %.3f s\n", what, t,
                static_cast<double>(routes) / t / 1e6, load + t);
  };
  line("random order:", random_order);
  line("RIB order:", rib_order);
  line("RIB order, 2 threads:", rib_order_2);
  return 0;
}
