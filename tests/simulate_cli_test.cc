// `vigia simulate` end to end (issue [3/5] item 8): the snapshot it writes
// is complete and parses with Vigía's readers (and the MRT files with
// Debian bgpdump), one seed gives byte-identical files, every path is
// valley-free except the injected leaks, and truth.json lists exactly what
// was injected — checked against the routes the collectors actually saw.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "core/test_util.h"

namespace vigia {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test_util::Lines;
using test_util::RunCommand;
using test_util::Vigia;

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const char* kSmall = " --ases 600 --prefixes 6000 --peers 10 --collectors 2 --days 2";

using test_util::Exit;

fs::path TempDir(const std::string& name) {
  fs::path p = fs::temp_directory_path() / ("vigia_sim_" + name + "_" + std::to_string(getpid()));
  fs::remove_all(p);
  return p;
}

// One route as a collector saw it, from `vigia mrt dump -m`.
struct Seen {
  double time = 0;
  bool withdraw = false;
  std::string peer_as, prefix;
  std::vector<uint64_t> path;
};

std::vector<Seen> Dump(const fs::path& file, std::string* err = nullptr) {
  int status = 0;
  const std::string out = RunCommand(
      Vigia() + " mrt dump -m '" + file.string() + "' 2>" + fs::path(file).string() + ".err",
      &status);
  EXPECT_EQ(Exit(status), 0) << file;
  if (err) *err = ReadFile(file.string() + ".err");
  fs::remove(file.string() + ".err");
  std::vector<Seen> v;
  for (const std::string& line : Lines(out)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string x; std::getline(ss, x, '|');) f.push_back(x);
    if (f.size() < 6) continue;
    Seen s;
    s.time = std::stod(f[1]);
    s.withdraw = f[2] == "W";
    s.peer_as = f[4];
    s.prefix = f[5];
    if (!s.withdraw && f.size() > 6) {
      std::stringstream ps(f[6]);
      for (uint64_t a; ps >> a;) s.path.push_back(a);
    }
    v.push_back(std::move(s));
  }
  return v;
}

// A snapshot simulated once for the whole suite, and the same Internet
// with no events (its routes are the plain announcements).
struct Sim {
  fs::path dir, plain;
  json truth, manifest;
  std::vector<Seen> rib, updates;
  std::vector<Seen> plain_rib;
};

Sim& Shared() {
  static Sim* s = [] {
    auto* sim = new Sim;
    sim->dir = TempDir("snap");
    sim->plain = TempDir("plain");
    int status = 0;
    RunCommand(Vigia() + " simulate --seed 7 --out " + sim->dir.string() + kSmall + " 2>&1",
               &status);
    EXPECT_EQ(Exit(status), 0);
    RunCommand(Vigia() + " simulate --seed 7 --incidents none --out " + sim->plain.string() +
                   kSmall + " 2>&1",
               &status);
    EXPECT_EQ(Exit(status), 0);
    sim->truth = json::parse(ReadFile(sim->dir / "truth.json"));
    sim->manifest = json::parse(ReadFile(sim->dir / "manifest.json"));
    for (const auto& e : fs::directory_iterator(sim->dir / "mrt")) {
      auto v = Dump(e.path());
      auto& to =
          e.path().filename().string().find("bview") != std::string::npos ? sim->rib : sim->updates;
      to.insert(to.end(), v.begin(), v.end());
    }
    for (const auto& e : fs::directory_iterator(sim->plain / "mrt")) {
      if (e.path().filename().string().find("bview") == std::string::npos) continue;
      auto v = Dump(e.path());
      sim->plain_rib.insert(sim->plain_rib.end(), v.begin(), v.end());
    }
    std::sort(sim->updates.begin(), sim->updates.end(),
              [](const Seen& a, const Seen& b) { return a.time < b.time; });
    return sim;
  }();
  return *s;
}

TEST(SimulateCli, HelpAndBadArguments) {
  int status = 0;
  const std::string help = RunCommand(Vigia() + " simulate --help", &status);
  EXPECT_EQ(Exit(status), 0);
  for (const char* opt : {"--out", "--ases", "--prefixes", "--peers", "--collectors", "--days",
                          "--seed", "--incidents", "--asrel", "--pfx2as"}) {
    EXPECT_NE(help.find(opt), std::string::npos) << opt;
  }
  const fs::path d = TempDir("bad");
  std::string err =
      RunCommand(Vigia() + " simulate --out " + d.string() + " --incidents hijack=x 2>&1", &status);
  EXPECT_EQ(Exit(status), 2);
  EXPECT_NE(err.find("hijack=x"), std::string::npos) << err;
  err =
      RunCommand(Vigia() + " simulate --out " + d.string() + " --incidents bogus=1 2>&1", &status);
  EXPECT_EQ(Exit(status), 2);
  EXPECT_NE(err.find("unknown name 'bogus'"), std::string::npos) << err;
  err = RunCommand(Vigia() + " simulate --out " + d.string() + " --days 0 2>&1", &status);
  EXPECT_EQ(Exit(status), 2);
  err = RunCommand(Vigia() + " simulate --out " + d.string() + " --pfx2as x.csv 2>&1", &status);
  EXPECT_EQ(Exit(status), 2);
  EXPECT_NE(err.find("need --asrel"), std::string::npos) << err;
  err = RunCommand(Vigia() + " simulate --out " + d.string() + " --asrel /nonexistent.txt 2>&1",
                   &status);
  EXPECT_EQ(Exit(status), 2);
  EXPECT_NE(err.find("/nonexistent.txt"), std::string::npos) << err;
  // A prefix table with nothing usable in it.
  if (test_util::HaveSharedData("caida/serial-1")) {
    err = RunCommand(Vigia() + " simulate --out " + d.string() + " --asrel " +
                         test_util::SharedData() +
                         "/caida/serial-1/20220301.as-rel.txt.bz2 --pfx2as /dev/null 2>&1",
                     &status);
    EXPECT_EQ(Exit(status), 2) << err;
    EXPECT_NE(err.find("no prefix whose origin is in the AS graph"), std::string::npos) << err;
    EXPECT_FALSE(fs::exists(d));
    EXPECT_FALSE(fs::exists(d.string() + ".partial"));
  }
  // An existing snapshot is not replaced without --force, and nothing is
  // left half-written.
  fs::create_directories(d);
  err = RunCommand(
      Vigia() + " simulate --ases 100 --prefixes 500 --peers 3 --out " + d.string() + " 2>&1",
      &status);
  EXPECT_EQ(Exit(status), 2);
  EXPECT_NE(err.find("--force"), std::string::npos) << err;
  RunCommand(Vigia() + " simulate --ases 100 --prefixes 500 --peers 3 --force --out " + d.string() +
                 " 2>&1",
             &status);
  EXPECT_EQ(Exit(status), 0);
  EXPECT_TRUE(fs::exists(d / "manifest.json"));
  EXPECT_FALSE(fs::exists(d.string() + ".partial"));
  fs::remove_all(d);
}

TEST(SimulateCli, EveryDirectoryAndAManifestWithChecksums) {
  const Sim& s = Shared();
  for (const char* sub : {"mrt", "rpki", "irr", "registry", "topology", "peeringdb", "extra"}) {
    ASSERT_TRUE(fs::is_directory(s.dir / sub)) << sub;
    EXPECT_FALSE(fs::is_empty(s.dir / sub)) << sub;
  }
  EXPECT_EQ(s.manifest["date"], "2026-11-22");
  EXPECT_EQ(s.manifest["window"]["end"], "2026-11-24T00:00:00Z");
  std::set<std::string> listed, on_disk;
  for (const auto& f : s.manifest["files"]) {
    const std::string path = f["path"];
    listed.insert(path);
    EXPECT_EQ(f["size"].get<uint64_t>(), fs::file_size(s.dir / path)) << path;
    const std::string sum = RunCommand("sha256sum '" + (s.dir / path).string() + "'");
    EXPECT_EQ(sum.substr(0, 64), f["sha256"].get<std::string>()) << path;
  }
  for (const auto& e : fs::recursive_directory_iterator(s.dir)) {
    const std::string rel = fs::relative(e.path(), s.dir).generic_string();
    if (e.is_regular_file() && rel != "manifest.json") on_disk.insert(rel);
  }
  EXPECT_EQ(listed, on_disk);
  EXPECT_TRUE(on_disk.contains("truth.json"));
  EXPECT_TRUE(on_disk.contains("rpki/vrps.json"));
  EXPECT_TRUE(on_disk.contains("peeringdb/peeringdb.json"));
  EXPECT_TRUE(on_disk.contains("extra/manrs_isps.csv"));
  // Two collectors: a RIB each and an update file per day.
  EXPECT_TRUE(on_disk.contains("mrt/sim00.bview.20261122.0000.gz"));
  EXPECT_TRUE(on_disk.contains("mrt/sim01.updates.20261123.gz"));
}

TEST(SimulateCli, SameSeedGivesIdenticalBytes) {
  const Sim& s = Shared();
  const fs::path again = TempDir("again"), other = TempDir("other");
  int status = 0;
  RunCommand(Vigia() + " simulate --seed 7 --threads 1 --out " + again.string() + kSmall + " 2>&1",
             &status);
  ASSERT_EQ(Exit(status), 0);
  // Every file, byte for byte (also with one routing thread instead of
  // one per core).
  const std::string diff =
      RunCommand("diff -r '" + s.dir.string() + "' '" + again.string() + "' 2>&1", &status);
  EXPECT_EQ(Exit(status), 0) << diff;
  RunCommand(Vigia() + " simulate --seed 8 --out " + other.string() + kSmall + " 2>&1", &status);
  ASSERT_EQ(Exit(status), 0);
  EXPECT_NE(ReadFile(s.dir / "truth.json"), ReadFile(other / "truth.json"));
  EXPECT_NE(ReadFile(s.dir / "mrt/sim00.bview.20261122.0000.gz"),
            ReadFile(other / "mrt/sim00.bview.20261122.0000.gz"));
  fs::remove_all(again);
  fs::remove_all(other);
}

TEST(SimulateCli, MrtParsesWithVigiaAndBgpdump) {
  const Sim& s = Shared();
  EXPECT_GT(s.rib.size(), 6000u);
  EXPECT_GT(s.updates.size(), 100u);
  for (const auto& e : fs::directory_iterator(s.dir / "mrt")) {
    std::string err;
    Dump(e.path(), &err);
    EXPECT_EQ(err, "") << e.path();
    if (!test_util::HaveCommand("bgpdump")) continue;
    int a = 0, b = 0;
    const std::string ours =
        RunCommand(Vigia() + " mrt dump -m '" + e.path().string() + "' 2>/dev/null", &a);
    const std::string theirs = RunCommand("bgpdump -m '" + e.path().string() + "' 2>/dev/null", &b);
    EXPECT_EQ(a, 0);
    EXPECT_EQ(b, 0);
    EXPECT_TRUE(ours == theirs) << e.path() << ": vigia and bgpdump -m differ";
  }
  if (!test_util::HaveCommand("bgpdump"))
    GTEST_SKIP() << "Debian bgpdump not installed: compared with Vigía only";
}

TEST(SimulateCli, OtherFilesParseWithVigiaReaders) {
  const Sim& s = Shared();
  int status = 0;
  // Exit status 1 would mean input was skipped.
  std::string out = RunCommand(
      Vigia() + " rpki stats --json --vrps " + (s.dir / "rpki/vrps.json").string(), &status);
  EXPECT_EQ(Exit(status), 0) << out;
  const json rpki = json::parse(out);
  EXPECT_GT(rpki.dump().size(), 10u);
  std::string irr_files;
  for (const auto& e : fs::directory_iterator(s.dir / "irr"))
    irr_files += " --irr " + e.path().string();
  out = RunCommand(Vigia() + " irr check" + irr_files + " 192.0.2.0/24 64500 2>&1", &status);
  EXPECT_NE(Exit(status), 2) << out;
  EXPECT_EQ(out.find("skipped"), std::string::npos) << out;
  out = RunCommand(Vigia() + " topo stats --rel " +
                       (s.dir / "topology/20261122.as-rel2.txt").string() + " --as2org " +
                       (s.dir / "topology/20261122.as-org2info.txt").string() + " 2>&1",
                   &status);
  EXPECT_EQ(Exit(status), 0) << out;
  out = RunCommand(Vigia() + " peeringdb stats --pdb " + (s.dir / "peeringdb").string() + " 2>&1",
                   &status);
  EXPECT_EQ(Exit(status), 0) << out;
  out = RunCommand(
      Vigia() + " bogons --registry " + (s.dir / "registry").string() + " 2>&1 >/dev/null",
      &status);
  EXPECT_EQ(Exit(status), 0) << out;
  // The participant list has the MANRS header and rows of ASNs.
  const auto rows = Lines(ReadFile(s.dir / "extra/manrs_isps.csv"));
  ASSERT_GT(rows.size(), 1u);
  EXPECT_NE(rows[0].find("Organization Name,Areas,ASNs,Action 1: Filtering"), std::string::npos);
}

// AS relationships from the snapshot's own as-rel file.
std::map<std::pair<uint64_t, uint64_t>, int> Relations(const fs::path& dir) {
  std::map<std::pair<uint64_t, uint64_t>, int>
      rel;  // (a, b) -> -1 a provider of b, 1 customer, 0 peer
  for (const auto& e : fs::directory_iterator(dir / "topology")) {
    if (e.path().string().find("as-rel2") == std::string::npos) continue;
    for (const std::string& line : Lines(ReadFile(e.path()))) {
      if (line.empty() || line[0] == '#') continue;
      uint64_t a = 0, b = 0;
      int r = 0;
      if (std::sscanf(line.c_str(), "%lu|%lu|%d", &a, &b, &r) != 3) continue;
      rel[{a, b}] = r == -1 ? -1 : 0;
      rel[{b, a}] = r == -1 ? 1 : 0;
    }
  }
  return rel;
}

// Valley-free (Gao): read from the origin, up customer-to-provider links,
// at most one peer link, then down. Returns the index in the AS_PATH of
// the AS that broke the rule (the AS that sent a route it should not have
// to the AS before it), or -1.
int Valley(const std::map<std::pair<uint64_t, uint64_t>, int>& rel,
           const std::vector<uint64_t>& path) {
  bool down = false;
  for (size_t i = path.size(); i-- > 1;) {
    auto it = rel.find({path[i - 1], path[i]});  // what path[i-1] is to path[i]
    if (it == rel.end()) return static_cast<int>(i);
    if (it->second == -1) {  // path[i-1] is the provider: up
      if (down) return static_cast<int>(i);
    } else if (it->second == 0) {
      if (down) return static_cast<int>(i);
      down = true;
    } else {
      down = true;
    }
  }
  return -1;
}

bool IsBogonAsn(uint64_t a) {
  return a == 0 || a == 23456 || (a >= 64496 && a <= 131071) || a >= 4200000000u;
}

TEST(SimulateCli, PathsAreValleyFreeExceptInjectedLeaks) {
  const Sim& s = Shared();
  const auto rel = Relations(s.dir);
  ASSERT_GT(rel.size(), 1000u);
  std::set<std::pair<std::string, std::pair<uint64_t, uint64_t>>>
      leaks;  // prefix, (propagator, culprit)
  for (const auto& e : s.truth["incidents"]) {
    if (e["type"] != "route_leak") continue;
    for (const auto& p : e["prefixes"]) {
      leaks.insert(
          {p.get<std::string>(), {e["propagator"].get<uint64_t>(), e["culprit"].get<uint64_t>()}});
    }
  }
  ASSERT_FALSE(leaks.empty());
  size_t paths = 0, leaked = 0;
  for (const std::vector<Seen>* v : {&s.rib, &s.updates}) {
    for (const Seen& r : *v) {
      if (r.withdraw) continue;
      std::vector<uint64_t> p = r.path;
      if (!p.empty() && IsBogonAsn(p.back())) p.pop_back();  // injected bogon ASN origin
      ++paths;
      const int at = Valley(rel, p);
      if (at < 0) continue;
      // The valley is the injected leak: the receiver right before the culprit.
      ASSERT_GE(at, 1) << r.prefix;
      ASSERT_TRUE(
          leaks.contains({r.prefix, {p[static_cast<size_t>(at) - 1], p[static_cast<size_t>(at)]}}))
          << r.prefix << " from AS" << r.peer_as << " is not valley-free at AS"
          << p[static_cast<size_t>(at)] << " and no injected leak explains it";
      ++leaked;
    }
  }
  EXPECT_GT(paths, 60000u);
  EXPECT_GT(leaked, 0u);
}

TEST(SimulateCli, TruthListsExactlyWhatWasInjected) {
  const Sim& s = Shared();
  // Routes of the Internet without events: (prefix, origin).
  std::set<std::pair<std::string, uint64_t>> plain;
  for (const Seen& r : s.plain_rib) plain.insert({r.prefix, r.path.back()});
  // Every (prefix, origin) seen that is not a plain announcement must be a
  // listed incident or benign event of that culprit, and each listed one
  // must be seen.
  struct Listed {
    std::string type;
    uint64_t culprit;
    bool seen = false;
  };
  std::map<std::pair<std::string, uint64_t>, Listed*> by_route;
  std::vector<Listed> all;
  all.reserve(s.truth["incidents"].size() + s.truth["benign"].size());
  ASSERT_GT(s.truth["incidents"].size(), 12u);
  ASSERT_GT(s.truth["benign"].size(), 6u);
  std::set<std::string> types;
  for (const char* list : {"incidents", "benign"}) {
    for (const auto& e : s.truth[list]) {
      all.push_back({e["type"], e["culprit"]});
      if (std::string(list) == "incidents") types.insert(e["type"]);
      for (const auto& p : e["prefixes"]) {
        if (e["type"] != "route_leak") by_route[{p, e["culprit"]}] = &all.back();
      }
    }
  }
  EXPECT_EQ(types, (std::set<std::string>{"hijack", "subprefix_hijack", "route_leak",
                                          "bogon_prefix", "bogon_asn", "rpki_invalid"}));
  for (const std::vector<Seen>* v : {&s.rib, &s.updates}) {
    for (const Seen& r : *v) {
      if (r.withdraw) continue;
      if (plain.contains({r.prefix, r.path.back()})) continue;
      uint64_t culprit = r.path.back();
      if (IsBogonAsn(culprit) && r.path.size() > 1) culprit = r.path[r.path.size() - 2];
      auto it = by_route.find({r.prefix, culprit});
      ASSERT_NE(it, by_route.end())
          << r.prefix << " originated by AS" << r.path.back() << " is seen but not in truth.json";
      it->second->seen = true;
    }
  }
  for (const Listed& l : all) {
    if (l.type != "route_leak") {
      EXPECT_TRUE(l.seen) << l.type << " by AS" << l.culprit << " never seen";
    }
  }
}

TEST(SimulateCli, EventsStartAndEndWhenTruthSays) {
  const Sim& s = Shared();
  auto epoch = [](const std::string& iso) {
    struct tm tm = {};
    strptime(iso.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return static_cast<double>(timegm(&tm));
  };
  size_t checked = 0;
  for (const auto& e : s.truth["incidents"]) {
    const double start = epoch(e["start"]), end = epoch(e["end"]);
    const std::string prefix = e["prefixes"][0];
    const uint64_t culprit = e["culprit"];
    if (start == epoch(s.truth["window"]["start"])) continue;  // present from the start: in the RIB
    // The first update that shows the incident, and the first one after it
    // that no longer does.
    double first = -1, gone = -1;
    for (const Seen& r : s.updates) {
      if (r.prefix != prefix) continue;
      bool shows = false;
      if (!r.withdraw) {
        if (e["type"] == "route_leak") {
          for (size_t i = 1; i < r.path.size(); ++i) {
            shows |= r.path[i] == culprit && r.path[i - 1] == e["propagator"].get<uint64_t>();
          }
        } else {
          shows = std::find(r.path.begin(), r.path.end(), culprit) != r.path.end() &&
                  (r.path.back() == culprit || IsBogonAsn(r.path.back()));
        }
      }
      if (shows && first < 0) first = r.time;
      if (!shows && first >= 0 && r.time >= end) {
        gone = r.time;
        break;
      }
    }
    ASSERT_GE(first, start) << e.dump();
    EXPECT_LT(first, start + 60) << e.dump();
    ASSERT_GE(gone, end) << e.dump();
    EXPECT_LT(gone, end + 60) << e.dump();
    ++checked;
  }
  EXPECT_GT(checked, 10u);
}

TEST(SimulateCli, RealGraphAndPrefixTable) {
  if (!test_util::HaveSharedData("caida/serial-1")) GTEST_SKIP() << "../shared/data/caida absent";
  const std::string asrel = test_util::SharedData() + "/caida/serial-1/20220301.as-rel.txt.bz2";
  const std::string as2org = test_util::SharedData() + "/caida/as2org/20220401.as-org2info.txt.gz";
  // A small real prefix table: prefixes of a few hundred well-known origins
  // would need the 500k-line ip-location-db file; a pyasn table written
  // here from real allocations keeps the test fast.
  const fs::path dir = TempDir("real");
  fs::create_directories(dir);
  std::ofstream(dir / "table.pyasn") << "; pyasn\n8.8.8.0/24\t15169\n1.1.1.0/24\t13335\n"
                                        "200.7.84.0/23\t27948\n193.0.0.0/21\t3333\n"
                                        "2001:67c:2e8::/48\t3333\n187.16.208.0/20\t26162\n"
                                        "45.231.48.0/22\t268738\n";
  int status = 0;
  const std::string out =
      RunCommand(Vigia() + " simulate --asrel " + asrel +
                     (test_util::HaveSharedData("caida/as2org") ? " --as2org " + as2org : "") +
                     " --pfx2as " + (dir / "table.pyasn").string() +
                     " --peers 6 --incidents hijack=2,route_leak=1,bogon_prefix=1,"
                     "subprefix_hijack=1,bogon_asn=0,rpki_invalid=0,sibling_moas=0,"
                     "ddos_protection=0,customer_subprefix=0,flaps=2 --json --out " +
                     (dir / "snap").string() + " 2>&1",
                 &status);
  ASSERT_EQ(Exit(status), 0) << out;
  const json rep = json::parse(out.substr(out.find('{')));
  EXPECT_GT(rep["ases"].get<size_t>(), 70000u);
  EXPECT_EQ(rep["prefixes"].get<size_t>(), 7u);
  for (const auto& e : fs::directory_iterator(dir / "snap/mrt")) {
    std::string err;
    auto v = Dump(e.path(), &err);
    EXPECT_EQ(err, "");
    if (e.path().string().find("bview") != std::string::npos) {
      std::set<std::string> prefixes;
      for (const Seen& r : v) prefixes.insert(r.prefix);
      EXPECT_TRUE(prefixes.contains("8.8.8.0/24"));
      EXPECT_TRUE(prefixes.contains("2001:67c:2e8::/48"));
    }
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace vigia
