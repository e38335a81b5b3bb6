// ROV of a full table: loads a VRP file and validates every route of a
// generated table against it, timing the load and the validation apart
// and together (issue [2/5]: < 0.3 s including the load for 1 M routes
// against 600 k VRPs).
//
// Usage: rov_bench --generate-vrps N OUT.json      write N random VRPs (rpki-client JSON)
//        rov_bench VRPS_FILE [ROUTES] [SEED]       load + validate ROUTES (default 1,000,000)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "rpki/origin_validation.h"

namespace {

using Clock = std::chrono::steady_clock;
double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
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

  const auto t0 = Clock::now();
  vigia::rpki::VrpSet vrps;
  vigia::Status s = vrps.LoadFile(argv[1]);
  if (!s.ok()) {
    std::fprintf(stderr, "%s\n", s.message().c_str());
    return 2;
  }
  const auto t1 = Clock::now();

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
  auto run = [&](unsigned threads, size_t counts[4]) {
    const auto a = Clock::now();
    vigia::rpki::ValidateAll(vrps, table, states, threads);
    const double t = Seconds(a, Clock::now());
    for (vigia::rpki::RovState st : states) ++counts[static_cast<int>(st)];
    return t;
  };
  size_t counts[4] = {0, 0, 0, 0}, ignored[4] = {0, 0, 0, 0};
  const double random_order = run(1, counts);
  // A RIB dump lists routes in prefix order, which is kinder to the caches.
  std::sort(table.begin(), table.end());
  const double rib_order = run(1, ignored);
  const double rib_order_2 = run(2, ignored);
  const double load = Seconds(t0, t1);
  std::printf("vrps %zu (skipped %zu) routes %ld\n", vrps.size(), vrps.skipped(), routes);
  std::printf("states: not-found %zu valid %zu invalid-origin %zu invalid-length %zu\n", counts[0],
              counts[1], counts[2], counts[3]);
  std::printf("load %.3f s\n", load);
  auto line = [&](const char* what, double t) {
    std::printf("validate, %-22s %.3f s (%4.1f M routes/s); load + validate %.3f s\n", what, t,
                static_cast<double>(routes) / t / 1e6, load + t);
  };
  line("random order:", random_order);
  line("RIB order:", rib_order);
  line("RIB order, 2 threads:", rib_order_2);
  return 0;
}
