// IRR benchmarks (SPEC C4): RPSL parse throughput on a large generated dump
// (target >= 200 MB/s) and the expansion of a nested as-set of 50,000
// member ASNs (target < 1 s).
//
// Usage: irr_bench --generate-dump MB OUT     write a RADB/RIPE-like dump of about MB megabytes
//        irr_bench --parse DUMP                time the lexer alone, then a full load + index
//        irr_bench --expand [MEMBERS]          generate nested sets of MEMBERS ASNs (default
//                                              50,000) with route objects, time the expansion
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "irr/as_set_expander.h"
#include "irr/irr_index.h"
#include "irr/route_check.h"

namespace {

using Clock = std::chrono::steady_clock;
double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

std::string V4(std::mt19937_64& rng, int* len) {
  *len = 16 + static_cast<int>(rng() % 9);
  const uint32_t a = static_cast<uint32_t>(rng()) & (~uint32_t{0} << (32 - *len));
  return std::to_string(1 + (a >> 24) % 223) + "." + std::to_string((a >> 16) & 255) + "." +
         std::to_string((a >> 8) & 255) + "." + std::to_string(a & 255);
}

// Objects shaped like those of RADB and RIPE split dumps: about three
// quarters route/route6, the rest classes that are skipped (person,
// inetnum) or kept (mntner, aut-num, as-set). Prefixes are random.
int GenerateDump(double mb, const char* path) {
  FILE* f = std::fopen(path, "w");
  if (!f) {
    std::perror(path);
    return 2;
  }
  std::mt19937_64 rng(7);
  const uint64_t target = static_cast<uint64_t>(mb * 1e6);
  uint64_t written = 0;
  std::string o;
  for (uint64_t n = 0; written < target; ++n) {
    o.clear();
    const unsigned kind = static_cast<unsigned>(rng() % 100);
    // Holders are skewed as in real registries: a few hold many objects,
    // most hold a few (50,000 holders, the square of a uniform draw).
    const double u = static_cast<double>(rng() % 1000000) / 1e6;
    const unsigned asn = 1000 + 7 * static_cast<unsigned>(50000 * u * u);
    const char* src = (n & 1) ? "RADB" : "RIPE";
    if (kind < 60) {
      int len;
      const std::string a = V4(rng, &len);
      o += "route:          " + a + "/" + std::to_string(len) + "\n";
      o += "descr:          Customer network " + std::to_string(n) + "\n";
      o += "                Example street 1\n";
      o += "origin:         AS" + std::to_string(asn) + "\n";
      o += "mnt-by:         MAINT-AS" + std::to_string(asn) + "\n";
      o += "changed:        noc@example.net 20180614  #14:42:22Z\n";
      o += "created:        2016-04-01T10:00:00Z\n";
      o += "last-modified:  2021-07-08T11:59:46Z\n";
      o += "source:         " + std::string(src) + "\n\n";
    } else if (kind < 75) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "2a%02x:%x:%x::/%u", static_cast<unsigned>(rng() % 256),
                    static_cast<unsigned>(rng() % 65536),
                    static_cast<unsigned>(rng() % 65536) & 0xfff0,
                    44 + static_cast<unsigned>(rng() % 5));
      o += "route6:         " + std::string(buf) + "\n";
      o += "descr:          IPv6 block " + std::to_string(n) + "\n";
      o += "origin:         AS" + std::to_string(asn) + "\n";
      o += "mnt-by:         MAINT-AS" + std::to_string(asn) + "\n";
      o += "created:        2016-04-01T10:00:00Z\n";
      o += "last-modified:  2021-07-08T11:59:46Z\n";
      o += "source:         " + std::string(src) + "\n\n";
    } else if (kind < 85) {
      int len;
      const std::string a = V4(rng, &len);
      o += "inetnum:        " + a + " - " + a + "\n";
      o += "netname:        NET-" + std::to_string(n) + "\n";
      o += "country:        NL\n";
      o += "admin-c:        XX" + std::to_string(n % 9999) + "-RIPE\n";
      o += "tech-c:         XX" + std::to_string(n % 9999) + "-RIPE\n";
      o += "status:         ASSIGNED PA\n";
      o += "mnt-by:         MAINT-AS" + std::to_string(asn) + "\n";
      o += "created:        2016-04-01T10:00:00Z\n";
      o += "last-modified:  2021-07-08T11:59:46Z\n";
      o += "source:         RIPE\n\n";
    } else if (kind < 92) {
      o += "person:         Person " + std::to_string(n) + "\n";
      o += "address:        Example street 1\n";
      o += "address:        1000 AA Example\n";
      o += "phone:          +31 20 000 0000\n";
      o += "nic-hdl:        XX" + std::to_string(n % 9999) + "-RIPE\n";
      o += "mnt-by:         MAINT-AS" + std::to_string(asn) + "\n";
      o += "source:         RIPE # Filtered\n\n";
    } else if (kind < 95) {
      o += "mntner:         MAINT-AS" + std::to_string(asn) + "\n";
      o += "descr:          maintainer\n";
      o += "admin-c:        XX1-RIPE\n";
      o += "upd-to:         noc@example.net\n";
      o += "auth:           CRYPT-PW HIDDENCRYPTPW\n";
      o += "mnt-by:         MAINT-AS" + std::to_string(asn) + "\n";
      o += "source:         " + std::string(src) + "\n\n";
    } else if (kind < 98) {
      o += "aut-num:        AS" + std::to_string(asn) + "\n";
      o += "as-name:        NET-" + std::to_string(asn) + "\n";
      o += "descr:          Example network\n";
      o += "import:         from AS" + std::to_string(asn + 1) + " accept ANY\n";
      o += "export:         to AS" + std::to_string(asn + 1) + " announce AS-" +
           std::to_string(asn) + "\n";
      o += "mnt-by:         MAINT-AS" + std::to_string(asn) + "\n";
      o += "source:         " + std::string(src) + "\n\n";
    } else {
      o += "as-set:         AS" + std::to_string(asn) + ":AS-CUSTOMERS\n";
      o += "descr:          customers\n";
      o += "members:        AS" + std::to_string(asn + 1) + ", AS" + std::to_string(asn + 2) +
           ", AS" + std::to_string(asn + 3) + "\n";
      o += "members:        AS-" + std::to_string(asn + 4) + "\n";
      o += "mnt-by:         MAINT-AS" + std::to_string(asn) + "\n";
      o += "source:         " + std::string(src) + "\n\n";
    }
    std::fwrite(o.data(), 1, o.size(), f);
    written += o.size();
  }
  std::fclose(f);
  std::printf("wrote %s: %.1f MB\n", path, static_cast<double>(written) / 1e6);
  return 0;
}

int Parse(const char* path) {
  // 1. The lexer alone: every object split, kept classes lexed.
  {
    auto in = vigia::io::InputStream::Open(path);
    if (!in.ok()) {
      std::fprintf(stderr, "%s\n", in.status().message().c_str());
      return 2;
    }
    vigia::ProblemLog problems;
    vigia::irr::RpslReader reader(
        in->get(), path,
        [](std::string_view c) {
          return c == "route" || c == "route6" || c == "aut-num" || c == "as-set" ||
                 c == "route-set" || c == "mntner";
        },
        &problems);
    vigia::irr::RpslObject obj;
    uint64_t attrs = 0;
    const auto t0 = Clock::now();
    while (reader.Next(&obj)) attrs += obj.attributes.size();
    const double s = Seconds(t0, Clock::now());
    const double mb = static_cast<double>(reader.stats().bytes) / 1e6;
    std::printf("lex:   %.1f MB, %lu objects (%lu kept, %lu attributes) in %.3f s = %.0f MB/s\n",
                mb, static_cast<unsigned long>(reader.stats().objects),
                static_cast<unsigned long>(reader.stats().objects_kept),
                static_cast<unsigned long>(attrs), s, mb / s);
  }
  // 2. A full load: lex, decode, intern, then sort and index.
  vigia::irr::IrrDatabase db;
  const auto t0 = Clock::now();
  vigia::Status st = db.LoadFile(path);
  const auto t1 = Clock::now();
  db.Build();
  const auto t2 = Clock::now();
  if (!st.ok()) {
    std::fprintf(stderr, "%s\n", st.message().c_str());
    return 2;
  }
  const double mb = static_cast<double>(db.counts().bytes) / 1e6;
  std::printf(
      "load:  %.1f MB: %lu route, %lu route6, %lu aut-num, %lu as-set, %lu mntner, "
      "%lu problems in %.3f s = %.0f MB/s; index build %.3f s\n",
      mb, static_cast<unsigned long>(db.counts().route),
      static_cast<unsigned long>(db.counts().route6),
      static_cast<unsigned long>(db.counts().aut_num),
      static_cast<unsigned long>(db.counts().as_set),
      static_cast<unsigned long>(db.counts().mntner),
      static_cast<unsigned long>(db.problems().count()), Seconds(t0, t1), mb / Seconds(t0, t1),
      Seconds(t1, t2));
  // Check every 100th route object, to time lookups too.
  size_t checked = 0, exact = 0;
  const auto t3 = Clock::now();
  for (size_t i = 0; i < db.routes().size(); i += 100, ++checked) {
    const vigia::irr::RouteObject& r = db.routes()[i];
    exact += vigia::irr::CheckRoute(db, r.prefix, r.origin).state == vigia::irr::IrrState::kExact;
  }
  std::printf("check: %zu lookups (%zu exact) in %.3f s\n", checked, exact,
              Seconds(t3, Clock::now()));
  return 0;
}

// AS-BIG holds 50 sets of 1,000 ASNs each, nested through 10 levels of
// intermediate sets (and one back-reference, a cycle); every ASN has two
// route objects.
int Expand(long members) {
  std::string text = "as-set: AS-BIG\n";
  const long groups = 50;
  const long per = members / groups;
  for (long g = 0; g < groups; ++g) text += "members: AS-LEVEL0-" + std::to_string(g) + "\n";
  text += "source: BENCH\n\n";
  for (long g = 0; g < groups; ++g) {
    for (int lvl = 0; lvl < 10; ++lvl) {
      text += "as-set: AS-LEVEL" + std::to_string(lvl) + "-" + std::to_string(g) + "\n";
      if (lvl < 9) {
        text += "members: AS-LEVEL" + std::to_string(lvl + 1) + "-" + std::to_string(g) + "\n";
      } else {
        text += "members: AS-BIG\n";  // a cycle back to the root
        for (long i = 0; i < per; ++i)
          text += "members: AS" + std::to_string(100000 + g * per + i) + "\n";
      }
      text += "source: BENCH\n\n";
    }
  }
  std::mt19937_64 rng(11);
  for (long i = 0; i < members; ++i) {
    for (int k = 0; k < 2; ++k) {
      int len;
      const std::string a = V4(rng, &len);
      text += "route: " + a + "/" + std::to_string(len) + "\norigin: AS" +
              std::to_string(100000 + i) + "\nsource: BENCH\n\n";
    }
  }
  vigia::irr::IrrDatabase db;
  const auto t0 = Clock::now();
  if (!db.LoadText(text, "bench").ok()) return 2;
  db.Build();
  const auto t1 = Clock::now();
  vigia::irr::ExpandResult r = vigia::irr::ExpandAsSet(db, "AS-BIG", {});
  const auto t2 = Clock::now();
  std::printf(
      "expand: AS-BIG -> %zu ASNs, %zu IPv4 prefixes, %zu sets, %zu cycles in %.3f s "
      "(load of %.1f MB: %.3f s)\n",
      r.asns.size(), r.ipv4.size(), r.sets_expanded, r.cycles.size(), Seconds(t1, t2),
      static_cast<double>(text.size()) / 1e6, Seconds(t0, t1));
  return r.asns.size() == static_cast<size_t>(per * groups) ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "--generate-dump" && argc == 4) return GenerateDump(std::atof(argv[2]), argv[3]);
  if (mode == "--parse" && argc == 3) return Parse(argv[2]);
  if (mode == "--expand") return Expand(argc > 2 ? std::atol(argv[2]) : 50000);
  std::fprintf(stderr,
               "usage: irr_bench --generate-dump MB OUT | --parse DUMP | --expand [MEMBERS]\n");
  return 2;
}
