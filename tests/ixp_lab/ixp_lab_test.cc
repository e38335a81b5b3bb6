// The live lab (issue [4/7] item 2): the real Debian BIRD 2 runs as the
// route server with the configuration `vigia ixp config --format bird2`
// generates, in a network namespace of its own on a bridged peering LAN
// (IPv4 and IPv6), with real members in theirs: GoBGP (AS 28000) and
// ExaBGP (AS 263000) announce the matrix of lab_matrix.h, one good and one
// bad route per filter rule and family; FRR (AS 28001) only receives. RPKI
// comes over RTR from `vigia rtr serve` (StayRTR until that is built).
//
// The tests assert, through birdc, that every bad route is rejected with
// its reason code RS_ASN:1101:<code>, that good routes carry their RPKI
// tag, and, in FRR's RIB, that exactly the good routes arrive; that an
// RPKI invalid route flips to accepted and back when the RTR data change;
// and that `vigia ixp check` finds the bad routes in the route server's
// MRT dump (TABLE_DUMP_V2, written by BIRD) when the route server let some
// through. The observed matrix is printed as a table.
//
// One process runs the whole lab (the suite shares it); it skips with a
// message when not root, when a daemon or the generator is missing.
// VIGIA_IXP_LAB_KEEP=1 keeps the lab's files (configs, logs) for reading.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "core/test_util.h"
#include "ixp/reason.h"
#include "lab_harness.h"
#include "lab_matrix.h"

namespace vigia::ixp_lab {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr const char* kFrrBgpd = "/usr/lib/frr/bgpd";
constexpr int kRtrPort = 3323;  // inside the route server's namespace

void Put(const std::string& path, const std::string& text) {
  {
    std::ofstream out(path + ".new");
    out << text;
  }
  std::filesystem::rename(path + ".new", path);
}

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// What the route server and the receiver hold, by prefix.
struct Observed {
  std::map<std::string, std::vector<BirdRoute>> accepted;  // in master4 / master6
  std::map<std::string, std::vector<BirdRoute>> filtered;  // kept as filtered, any table
  std::map<std::string, std::vector<BirdRoute>> all;       // in any table, any state
  std::set<std::string> at_receiver;                       // in FRR's RIB
};

// The reason codes RS_ASN:1101:<code> on a prefix's routes, any table.
std::set<uint32_t> RejectCodes(const Observed& o, const std::string& prefix) {
  std::set<uint32_t> codes;
  for (const auto* m : {&o.filtered, &o.all}) {
    auto it = m->find(prefix);
    if (it == m->end()) continue;
    for (const BirdRoute& r : it->second) {
      for (const auto& lc : r.large) {
        if (lc[0] == kRsAsn && lc[1] == ixp::kRejectFunction) codes.insert(uint32_t(lc[2]));
      }
    }
  }
  return codes;
}

// The route-server daemon the lab runs, with `vigia ixp config --format`.
enum class RsKind : uint8_t { kBird, kOpenBgpd };

class Lab {
 public:
  explicit Lab(RsKind k) : kind(k) {}
  const RsKind kind;
  // Empty when the lab runs; otherwise why it was skipped or failed.
  std::string skip, error;
  std::string dir;
  std::map<std::string, double> timings;  // seconds, by phase
  std::string rtr_cache;                  // which RTR cache served the VRPs
  // MRT dumps of the route server and the prefixes a check must find bad.
  std::vector<std::pair<std::string, std::set<std::string>>> dumps;

  // Dumps the route server's RIB as MRT to DIR/<name>*.mrt; the files.
  std::vector<std::string> DumpRib(const std::string& name) const;
  // Loads configuration `conf` into the running route server; "" or why not.
  std::string Reconfigure(const std::string& conf) const;

  std::string Birdc(const std::string& cmd) const {
    return Sh("birdc -s " + dir + "/bird.ctl " + Quote(cmd)).out;
  }
  std::string Bgpctl(const std::string& cmd) const {
    return Sh("bgpctl -s " + dir + "/bgpd.sock " + cmd).out;
  }
  // The route server's sessions and RTR state, for failure messages.
  std::string RsStatus() const {
    return kind == RsKind::kBird ? Birdc("show protocols all")
                                 : Bgpctl("show summary") + Bgpctl("show sets");
  }
  std::string Vtysh(const std::string& cmd) const {
    return Sh("ip netns exec " + ns_c_ + " vtysh --vty_socket " + dir + "/frr -c " + Quote(cmd))
        .out;
  }
  std::string Gobgp(const std::string& args) const {
    return Sh("ip netns exec " + ns_a_ + " gobgp -u 127.0.0.1 -p 50051 " + args).out;
  }

  // The prefixes in FRR's RIB, but for member D's: which of those pass
  // depends on the order they come in (MaxPrefix... looks at them).
  std::set<std::string> ReceiverPrefixes() const {
    std::set<std::string> out;
    for (const std::string& p : ReceiverAll()) {
      if (!d_prefixes_.count(p)) out.insert(p);
    }
    return out;
  }
  std::set<std::string> ReceiverAll() const {
    std::set<std::string> out;
    for (const char* af : {"ipv4", "ipv6"}) {
      const auto j = nlohmann::json::parse(Vtysh(std::string("show bgp ") + af + " unicast json"),
                                           nullptr, false);
      if (!j.is_object() || !j.contains("routes")) continue;
      for (const auto& [prefix, paths] : j["routes"].items()) out.insert(prefix);
    }
    return out;
  }

  Observed Observe() const {
    Observed o;
    if (kind == RsKind::kOpenBgpd) {
      // Tag-and-keep: a rejected route stays in the RIB with its reason
      // community and is never exported; every other route is accepted.
      for (const BirdRoute& r : ParseOpenBgpdRib(Bgpctl("-j show rib detail"))) {
        o.all[r.prefix].push_back(r);
        const bool tagged = std::any_of(r.large.begin(), r.large.end(), [](const auto& lc) {
          return lc[0] == kRsAsn && lc[1] == ixp::kRejectFunction;
        });
        (tagged ? o.filtered : o.accepted)[r.prefix].push_back(r);
      }
      o.at_receiver = ReceiverAll();
      return o;
    }
    for (const BirdRoute& r : ParseBirdRoutes(Birdc("show route table all all"))) {
      o.all[r.prefix].push_back(r);
      if (r.table == "master4" || r.table == "master6") o.accepted[r.prefix].push_back(r);
    }
    for (const BirdRoute& r : ParseBirdRoutes(Birdc("show route table all filtered all"))) {
      o.filtered[r.prefix].push_back(r);
      o.all[r.prefix].push_back(r);
    }
    o.at_receiver = ReceiverAll();
    return o;
  }

  // The prefixes FRR must hold: the good rows, and the RPKI rows while
  // their VRPs say valid.
  static std::set<std::string> Expected(bool rpki_flipped) {
    std::set<std::string> s;
    for (const LabRoute& r : Matrix()) {
      if (r.speaker == Speaker::kGobgpD) continue;  // see ReceiverPrefixes
      if (!r.reject || (rpki_flipped && *r.reject == ixp::Reject::kRpkiInvalid)) s.insert(r.prefix);
    }
    return s;
  }

  void WriteVrps(bool flipped) {
    std::vector<Vrp> v = BaseVrps();
    if (flipped) {
      for (const Vrp& f : FlipVrps()) v.push_back(f);
    }
    Put(dir + "/vrps.json", VrpJson(v));
  }

  void Start();
  // Writes the route server's configuration from the lab's members file
  // and `irr`; "" or what went wrong.
  std::string GenerateRsConf(const std::string& irr, const std::string& out) const;
  ~Lab() {
    // Daemons before namespaces, then the files.
    daemons_.clear();
    lan_.reset();
    if (!dir.empty() && !std::getenv("VIGIA_IXP_LAB_KEEP")) std::filesystem::remove_all(dir);
  }

  Daemon* bird() { return bird_; }
  std::string DaemonLogs() const {
    std::string s;
    for (const auto& [name, d] : named_) s += "--- " + name + " log (tail) ---\n" + d->Tail(1500);
    return s;
  }

 private:
  Daemon* Run(const std::string& name, const std::string& ns, const std::vector<std::string>& argv,
              const std::vector<std::string>& env = {}) {
    daemons_.push_back(std::make_unique<Daemon>(ns, argv, dir + "/" + name + ".log", env));
    named_[name] = daemons_.back().get();
    return daemons_.back().get();
  }
  std::unique_ptr<Lan> lan_;
  std::vector<std::unique_ptr<Daemon>> daemons_;
  std::map<std::string, Daemon*> named_;
  Daemon* bird_ = nullptr;
  const std::set<std::string> d_prefixes_ = [] {
    std::set<std::string> s;
    for (const LabRoute& r : Matrix()) {
      if (r.speaker == Speaker::kGobgpD) s.insert(r.prefix);
    }
    return s;
  }();
  std::string ns_rs_, ns_a_, ns_b_, ns_c_, ns_d_;
};

// The VRPs in the route server's ROA tables, from `show route table all
// count` ("6 of 6 routes for 6 networks in table r4"): the sum over the
// tables whose name says ROA or rpki, or else over every table (before
// any member connects, only the ROA tables hold routes).
size_t RoaCount(const std::string& count_output) {
  size_t total = 0;
  std::istringstream in(count_output);
  for (std::string line; std::getline(in, line);) {
    unsigned long n = 0;
    if (std::sscanf(line.c_str(), "%lu of ", &n) == 1) total += n;
  }
  return total;
}

bool VigiaHas(const std::string& args, const std::string& word) {
  const Cmd c = Sh(test_util::Vigia() + " " + args + " --help");
  return c.exit == 0 && c.out.find(word) != std::string::npos;
}

// Every BGP session of the route server came up: it is Established, or
// was shut down for going over its max-prefix limit (member D, with the
// generator's default action, restart); and there are `want` of them.
bool AllEstablished(const std::string& protocols, size_t want) {
  size_t bgp = 0, up = 0;
  std::istringstream in(protocols);
  for (std::string line; std::getline(in, line);) {
    if (line.find(" BGP ") == std::string::npos) continue;
    ++bgp;
    if (line.find("Established") != std::string::npos ||
        line.find("limit exceeded") != std::string::npos)
      ++up;
  }
  return bgp >= want && up == bgp;
}

std::vector<std::string> Lab::DumpRib(const std::string& name) const {
  if (kind == RsKind::kBird) {
    std::vector<std::string> files;
    for (const char* fam : {"4", "6"}) {
      const std::string f = dir + "/" + name + fam + ".mrt";
      Birdc(std::string("mrt dump table \"master") + fam + "\" to \"" + f + "\"");
      if (std::filesystem::exists(f)) files.push_back(f);
    }
    return files;
  }
  // OpenBGPD dumps every second (the `dump table` line GenerateRsConf
  // adds): of two dumps begun after this call, the first is complete.
  namespace fs = std::filesystem;
  const auto since = fs::file_time_type::clock::now();
  std::vector<std::pair<fs::file_time_type, std::string>> fresh;
  WaitUntil(
      [&] {
        fresh.clear();
        for (const auto& e : fs::directory_iterator(dir + "/obgp-dumps")) {
          if (e.last_write_time() > since) fresh.push_back({e.last_write_time(), e.path()});
        }
        return fresh.size() >= 2;
      },
      10s, 100ms);
  if (fresh.size() < 2) return {};
  std::sort(fresh.begin(), fresh.end());
  const std::string f = dir + "/" + name + ".mrt";
  fs::copy_file(fresh[0].second, f, fs::copy_options::overwrite_existing);
  return {f};
}

std::string Lab::Reconfigure(const std::string& conf) const {
  if (kind == RsKind::kBird) {
    const std::string out = Birdc("configure \"" + conf + "\"");
    return out.find("Reconfigured") != std::string::npos ? "" : out;
  }
  // bgpd reloads the file it was started with.
  if (conf != dir + "/rs.conf") {
    std::filesystem::copy_file(dir + "/rs.conf", dir + "/rs-base.conf",
                               std::filesystem::copy_options::overwrite_existing);
    std::filesystem::copy_file(conf, dir + "/rs.conf",
                               std::filesystem::copy_options::overwrite_existing);
  } else if (std::filesystem::exists(dir + "/rs-base.conf")) {
    std::filesystem::copy_file(dir + "/rs-base.conf", dir + "/rs.conf",
                               std::filesystem::copy_options::overwrite_existing);
  }
  const std::string out = Bgpctl("reload");
  return out.find("reload request sent") != std::string::npos ||
                 out.find("request processed") != std::string::npos
             ? ""
             : out;
}

// OpenBGPD's VRPs, from `bgpctl show sets` ("ROA RPKI ROA 4 2 - ...").
size_t OpenBgpdRoaCount(const std::string& sets) {
  std::istringstream in(sets);
  for (std::string line; std::getline(in, line);) {
    unsigned long v4 = 0, v6 = 0;
    if (std::sscanf(line.c_str(), "ROA RPKI ROA %lu %lu", &v4, &v6) == 2) return v4 + v6;
  }
  return 0;
}

// OpenBGPD's sessions came up (`bgpctl show summary`: State/PrfRcvd is a
// count once established): all of them, except member D's, which may be
// down after going over its max-prefix, if they were ever up.
bool OpenBgpdAllUp(const std::string& summary, size_t want) {
  size_t n = 0, up = 0;
  std::istringstream in(summary);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("AS", 0) != 0) continue;  // descriptions start "AS<asn> "
    ++n;
    std::istringstream ws(line);
    std::vector<std::string> w;
    for (std::string x; ws >> x;) w.push_back(x);
    if (w.size() < 2) continue;
    const std::string& state = w.back();
    const std::string& since = w[w.size() - 2];
    if (std::isdigit(static_cast<unsigned char>(state[0])) ||
        (line.find("Lab Delta") != std::string::npos && since != "Never"))
      ++up;
  }
  return n >= want && up == n;
}

std::string Lab::GenerateRsConf(const std::string& irr, const std::string& out) const {
  const bool bird = kind == RsKind::kBird;
  // VIGIA_IXP_LAB_BIRD_CONF: a hand-written configuration instead, to
  // debug the lab itself.
  if (const char* conf = bird ? std::getenv("VIGIA_IXP_LAB_BIRD_CONF") : nullptr) {
    std::filesystem::copy_file(conf, out, std::filesystem::copy_options::overwrite_existing);
  } else {
    const Cmd gen =
        Sh(test_util::Vigia() + " ixp config --members " + dir + "/members.json --rs-asn " +
           std::to_string(kRsAsn) + " --format " + (bird ? "bird2" : "openbgpd") +
           " --rs-address 10.16.0.10 --rs-address6 fd16::10 --irr " + irr +
           " --rtr 127.0.0.1:" + std::to_string(kRtrPort) + " --out " + out);
    if (gen.exit != 0) return "vigia ixp config failed: " + gen.out;
  }
  if (!bird) {
    // The control socket is the lab's: a global setting, after `AS`.
    std::string text = test_util::ReadText(out);
    const size_t as = text.find("\nAS ");
    const size_t eol = as == std::string::npos ? std::string::npos : text.find('\n', as + 1);
    if (eol == std::string::npos) return "no AS line in the OpenBGPD configuration " + out;
    // And its RIB as MRT (TABLE_DUMP v1) every second, for DumpRib.
    std::filesystem::create_directories(dir + "/obgp-dumps");
    text.insert(eol + 1, "socket \"" + dir + "/bgpd.sock\"\ndump table \"" + dir +
                             "/obgp-dumps/rib-%H%M%S.mrt\" 1\n");
    Put(out, text);
  }
  const Cmd parse = Sh((bird ? "bird -p -c " : "bgpd -n -f ") + out);
  if (parse.exit != 0)
    return "the route server rejects the configuration " + out + ": " + parse.out;
  return "";
}

void Lab::Start() {
  const auto t0 = Clock::now();
  if (geteuid() != 0) {
    skip = "the live lab needs root (network namespaces)";
    return;
  }
  const std::vector<std::string> rs_tools = kind == RsKind::kBird
                                                ? std::vector<std::string>{"bird", "birdc"}
                                                : std::vector<std::string>{"bgpd", "bgpctl"};
  for (const std::string& tool : rs_tools) {
    if (!test_util::HaveCommand(tool)) {
      skip = tool + " is not installed (scripts/setup.sh installs the lab's daemons)";
      return;
    }
  }
  if (kind == RsKind::kOpenBgpd && Sh("getent passwd _openbgpd").exit != 0) {
    skip = "OpenBGPD's privilege-separation user _openbgpd is missing (Debian openbgpd creates it)";
    return;
  }
  for (const char* tool : {"ip", "gobgpd", "gobgp", "exabgp", "vtysh"}) {
    if (!test_util::HaveCommand(tool)) {
      skip = std::string(tool) + " is not installed (scripts/setup.sh installs the lab's daemons)";
      return;
    }
  }
  if (!std::filesystem::exists(kFrrBgpd)) {
    skip = std::string(kFrrBgpd) + " is missing (Debian frr)";
    return;
  }
  const bool own_rtr = VigiaHas("rtr serve", "--vrps");
  if (!own_rtr && !test_util::HaveCommand("stayrtr")) {
    skip = "neither `vigia rtr serve` nor stayrtr is available for RTR";
    return;
  }
  const char* conf_override = std::getenv("VIGIA_IXP_LAB_BIRD_CONF");
  if (!conf_override && !VigiaHas("ixp config", "bird2") &&
      !std::filesystem::exists(std::string(VIGIA_SOURCE_DIR) + "/src/ixp/bird2.cc")) {
    skip = "`vigia ixp config --format bird2` is not in this tree";
    return;
  }
  if (Sh("ip netns list").exit != 0) {
    skip = "`ip netns` does not work here";
    return;
  }

  dir = test_util::FreshTempDir("vigia-ixp-lab-").string();
  std::filesystem::create_directories(dir + "/frr");
  const std::vector<LabRoute> matrix = Matrix();
  Put(dir + "/members.json", MembersIxf());
  Put(dir + "/irr.rpsl", IrrRpsl(matrix));
  WriteVrps(false);
  Put(dir + "/exabgp.conf", ExabgpConf(matrix));
  Put(dir + "/gobgpd-a.toml", GobgpToml(Speaker::kGobgpA));
  Put(dir + "/gobgpd-d.toml", GobgpToml(Speaker::kGobgpD));
  Put(dir + "/frr/bgpd.conf", FrrConf());

  // The route server's configuration, from the generator.
  const std::string rs_conf = dir + "/rs.conf";
  error = GenerateRsConf(dir + "/irr.rpsl", rs_conf);
  if (!error.empty()) return;

  lan_ = std::make_unique<Lan>("vlab" + std::to_string(getpid()));
  ns_rs_ = lan_->AddNode("rs", "10.16.0.10/24", "fd16::10/64");
  ns_a_ = lan_->AddNode("a", "10.16.0.11/24", "fd16::11/64");
  ns_b_ = lan_->AddNode("b", "10.16.0.12/24", "fd16::12/64");
  ns_c_ = lan_->AddNode("c", "10.16.0.13/24", "fd16::13/64");
  ns_d_ = lan_->AddNode("d", "10.16.0.14/24", "fd16::14/64");
  if (!lan_->ok()) {
    error = "the lab's network: " + lan_->error();
    return;
  }
  timings["network"] = Seconds(Clock::now() - t0);

  // RTR cache, then the route server; members once it has the VRPs, so
  // that no route is ever judged without them.
  const std::string rtr_addr = "127.0.0.1:" + std::to_string(kRtrPort);
  rtr_cache = own_rtr ? "vigia rtr serve" : "stayrtr";
  if (own_rtr) {
    Run("rtr", ns_rs_,
        {test_util::Vigia(), "rtr", "serve", "--vrps", dir + "/vrps.json", "--listen", rtr_addr,
         "--refresh", "1"});
  } else {
    Run("rtr", ns_rs_,
        {"stayrtr", "-bind", rtr_addr, "-cache", dir + "/vrps.json", "-checktime=false", "-refresh",
         "1", "-metrics.addr", ""});
  }
  // BIRD retries a refused RTR connection only after its retry time, so
  // the cache must be listening first.
  if (!WaitUntil(
          [&] {
            return Sh("ip netns exec " + ns_rs_ + " bash -c 'exec 3<>/dev/tcp/127.0.0.1/" +
                      std::to_string(kRtrPort) + "'")
                       .exit == 0;
          },
          15s, 50ms)) {
    error = "the RTR cache did not listen on " + rtr_addr + ": " + DaemonLogs();
    return;
  }
  if (kind == RsKind::kBird) {
    bird_ = Run("bird", ns_rs_, {"bird", "-f", "-c", rs_conf, "-s", dir + "/bird.ctl"});
  } else {
    // bgpd's privilege-separated engines chroot to _openbgpd's home, which
    // systemd (RuntimeDirectory) would make.
    std::error_code ec;
    std::filesystem::create_directories("/run/openbgpd", ec);
    bird_ = Run("bgpd", ns_rs_, {"bgpd", "-d", "-f", rs_conf});
  }
  const size_t n_vrps = BaseVrps().size();
  const bool rpki_up = WaitUntil(
      [&] {
        return (kind == RsKind::kBird ? RoaCount(Birdc("show route table all count"))
                                      : OpenBgpdRoaCount(Bgpctl("show sets"))) >= n_vrps;
      },
      20s, 100ms);
  if (!rpki_up) {
    error = "the route server did not load the " + std::to_string(n_vrps) +
            " VRPs over RTR: " + RsStatus() + DaemonLogs();
    return;
  }
  timings["rs_and_rtr"] = Seconds(Clock::now() - t0);

  Run("gobgpd-a", ns_a_,
      {"gobgpd", "-f", dir + "/gobgpd-a.toml", "-p", "--api-hosts", "127.0.0.1:50051",
       "--pprof-disable"});
  Run("gobgpd-d", ns_d_,
      {"gobgpd", "-f", dir + "/gobgpd-d.toml", "-p", "--api-hosts", "127.0.0.1:50051",
       "--pprof-disable"});
  Run("exabgp", ns_b_, {"exabgp", dir + "/exabgp.conf"},
      {"exabgp.daemon.user=root", "exabgp.daemon.drop=false", "exabgp.log.destination=stdout",
       "exabgp.api.cli=false"});
  Run("frr", ns_c_,
      {kFrrBgpd, "-Z", "-S", "-n", "-P", "0", "-f", dir + "/frr/bgpd.conf", "--vty_socket",
       dir + "/frr", "-i", dir + "/frr/bgpd.pid", "--log", "stdout"});

  // GoBGP's routes go in through its API.
  for (const auto& [speaker, ns] :
       {std::pair{Speaker::kGobgpA, ns_a_}, {Speaker::kGobgpD, ns_d_}}) {
    const std::string cli = "ip netns exec " + ns + " gobgp -u 127.0.0.1 -p 50051 ";
    if (!WaitUntil([&] { return Sh(cli + "global").exit == 0; }, 15s, 100ms)) {
      error = "gobgpd's API did not come up: " + DaemonLogs();
      return;
    }
    for (const LabRoute& r : matrix) {
      if (r.speaker != speaker) continue;
      const Cmd add = Sh(cli + "global rib add " + GobgpAddArgs(r));
      if (add.exit != 0) {
        error = "gobgp global rib add " + GobgpAddArgs(r) + ": " + add.out;
        return;
      }
    }
  }
  if (!WaitUntil(
          [&] {
            return kind == RsKind::kBird ? AllEstablished(Birdc("show protocols"), 8)
                                         : OpenBgpdAllUp(Bgpctl("show summary"), 8);
          },
          60s, 200ms)) {
    error = "the route server's sessions did not all come up: " + RsStatus() + DaemonLogs();
    return;
  }
  timings["sessions_up"] = Seconds(Clock::now() - t0);

  // Converged: the route server has seen every row, and the receiver's
  // RIB stopped changing for a second.
  const bool seen = WaitUntil(
      [&] {
        const Observed o = Observe();
        for (const LabRoute& r : matrix) {
          // Member D's sessions may be down for their max-prefix limit.
          if (r.speaker != Speaker::kGobgpD && !o.all.count(r.prefix)) return false;
        }
        return true;
      },
      30s, 200ms);
  if (!seen) {
    const Observed o = Observe();
    std::string missing;
    for (const LabRoute& r : matrix) {
      if (r.speaker != Speaker::kGobgpD && !o.all.count(r.prefix)) missing += " " + r.prefix;
    }
    error = "the route server never received:" + missing + "\n" + DaemonLogs();
    return;
  }
  std::set<std::string> last;
  auto stable_since = Clock::now();
  WaitUntil(
      [&] {
        const std::set<std::string> now = ReceiverPrefixes();
        if (now != last) {
          last = now;
          stable_since = Clock::now();
        }
        return (now == Expected(false) && Clock::now() - stable_since > 500ms) ||
               Clock::now() - stable_since > 2s;
      },
      30s, 200ms);
  timings["converged"] = Seconds(Clock::now() - t0);
}

Lab* g_lab = nullptr;

// One lab per route-server daemon (the test's parameter), started by the
// first test that needs it and stopped after the daemon's last test.
class IxpLab : public ::testing::TestWithParam<RsKind> {
 protected:
  static void TearDownTestSuite() {
    delete g_lab;
    g_lab = nullptr;
  }
  void SetUp() override {
    if (!g_lab || g_lab->kind != GetParam()) {
      delete g_lab;
      g_lab = new Lab(GetParam());
      g_lab->Start();
      // ctest's SKIP_REGULAR_EXPRESSION (tests/ixp_lab/CMakeLists.txt).
      if (!g_lab->skip.empty()) std::printf("IXP LAB SKIPPED: %s\n", g_lab->skip.c_str());
      told_ = false;
    }
    if (!g_lab->skip.empty()) GTEST_SKIP() << g_lab->skip;
    // The lab's failure in full once, then by reference.
    ASSERT_TRUE(g_lab->error.empty())
        << (told_ ? "the lab did not start (see the first test)" : g_lab->error);
    told_ = true;
  }
  Lab& lab() { return *g_lab; }
  bool bird() const { return GetParam() == RsKind::kBird; }
  static inline bool told_ = false;
};

std::string Diff(const std::set<std::string>& want, const std::set<std::string>& got) {
  std::string s;
  for (const auto& p : want) {
    if (!got.count(p)) s += "  missing:    " + p + "\n";
  }
  for (const auto& p : got) {
    if (!want.count(p)) s += "  unexpected: " + p + "\n";
  }
  return s;
}

std::string CodesText(const std::set<uint32_t>& codes) {
  std::string s;
  for (uint32_t c : codes) s += (s.empty() ? "" : ",") + std::to_string(c);
  return s;
}

// The observed matrix, as the closing note shows it.
std::string MatrixTable(const Observed& o) {
  std::string t =
      "| rule | family | prefix | from | expected | route server | at receiver |\n"
      "|---|---|---|---|---|---|---|\n";
  for (const LabRoute& r : Matrix()) {
    const std::set<uint32_t> codes = RejectCodes(o, r.prefix);
    std::string rs;
    if (!o.all.count(r.prefix)) {
      rs = r.speaker == Speaker::kGobgpD ? "not held (session shut: limit)" : "not received";
    } else if (o.accepted.count(r.prefix)) {
      rs = "accepted";
      for (const auto& lc : o.accepted.at(r.prefix)[0].large) {
        if (lc[0] == kRsAsn && lc[1] != ixp::kRejectFunction)
          rs += " " + std::to_string(lc[1]) + ":" + std::to_string(lc[2]);
      }
    } else {
      rs = "rejected";
    }
    if (!codes.empty()) rs += " 1101:" + CodesText(codes);
    t += "| " + r.rule + " | " + (r.v6() ? "IPv6" : "IPv4") + " | " + r.prefix + " | " +
         SpeakerName(r.speaker) + " | " +
         (!r.reject ? std::string("accept")
          : *r.reject == ixp::Reject::kMaxPrefix
              ? "at most " + std::to_string(kMaxPrefixD) + " of 3"
              : "reject 1101:" + std::to_string(uint32_t(*r.reject))) +
         " | " + rs + " | " + (o.at_receiver.count(r.prefix) ? "yes" : "no") + " |\n";
  }
  return t;
}

TEST_P(IxpLab, EveryBadRouteIsRejectedWithItsReasonCode) {
  for (const LabRoute& r : Matrix()) {
    if (r.reject) {
      EXPECT_EQ(ixp::RejectKey(*r.reject), r.rule) << r.prefix;
    }
  }
  const Observed o = lab().Observe();
  const std::string version = bird() ? Sh("bird --version").out : Sh("bgpd -V").out;
  std::printf("\nObserved accept/reject matrix (route server: %s):\n%s\n",
              Trim(version.substr(0, version.find('\n'))).c_str(), MatrixTable(o).c_str());
  for (const LabRoute& r : Matrix()) {
    if (!r.reject || *r.reject == ixp::Reject::kMaxPrefix) continue;
    SCOPED_TRACE(r.rule + " " + r.prefix);
    EXPECT_TRUE(o.all.count(r.prefix)) << "the route server never received it";
    EXPECT_FALSE(o.accepted.count(r.prefix)) << "accepted into the master table";
    const std::set<uint32_t> codes = RejectCodes(o, r.prefix);
    EXPECT_TRUE(codes.count(uint32_t(*r.reject)))
        << "tagged 1101:{" << CodesText(codes) << "}, expected 1101:" << uint32_t(*r.reject);
  }
}

TEST_P(IxpLab, GoodRoutesAreAcceptedAndTaggedWithTheirRpkiState) {
  const Observed o = lab().Observe();
  std::set<std::string> with_vrp;
  for (const Vrp& v : BaseVrps()) with_vrp.insert(v.prefix);
  for (const LabRoute& r : Matrix()) {
    if (r.reject) continue;
    SCOPED_TRACE(r.prefix);
    ASSERT_TRUE(o.accepted.count(r.prefix)) << "not in the master table";
    const BirdRoute& b = o.accepted.at(r.prefix)[0];
    EXPECT_TRUE(RejectCodes(o, r.prefix).empty());
    const uint32_t want =
        uint32_t(with_vrp.count(r.prefix) ? ixp::RpkiTag::kValid : ixp::RpkiTag::kUnknown);
    const bool tagged = std::any_of(b.large.begin(), b.large.end(), [&](const auto& lc) {
      return lc[0] == kRsAsn && lc[1] == ixp::kRpkiFunction && lc[2] == want;
    });
    EXPECT_TRUE(tagged) << "no " << kRsAsn << ":1000:" << want;
    // The member's own communities pass through the route server.
    for (const std::string& l : r.large) {
      bool found = false;
      for (const auto& lc : b.large) {
        found |=
            std::to_string(lc[0]) + ":" + std::to_string(lc[1]) + ":" + std::to_string(lc[2]) == l;
      }
      EXPECT_TRUE(found) << l;
    }
  }
}

TEST_P(IxpLab, TheReceiverGetsExactlyTheGoodRoutes) {
  const std::set<std::string> want = Lab::Expected(false);
  const std::set<std::string> got = lab().ReceiverPrefixes();
  EXPECT_EQ(got, want) << "FRR's RIB against the good rows:\n" << Diff(want, got);
}

// The RPKI rows at the receiver: which of them FRR holds.
std::set<std::string> FlippedAtReceiver(const Lab& l) {
  std::set<std::string> at;
  const std::set<std::string> got = l.ReceiverPrefixes();
  for (const Vrp& f : FlipVrps()) {
    if (got.count(f.prefix)) at.insert(f.prefix);
  }
  return at;
}

TEST_P(IxpLab, RpkiInvalidFlipsToAcceptedAndBackWhenTheRtrDataChange) {
  Lab& l = lab();
  std::set<std::string> flipped;
  for (const Vrp& f : FlipVrps()) flipped.insert(f.prefix);
  ASSERT_TRUE(FlippedAtReceiver(l).empty()) << "RPKI invalid routes reached the receiver";

  const auto t0 = Clock::now();
  l.WriteVrps(true);
  std::set<std::string> at;
  const bool accepted = WaitUntil(
      [&] {
        at = FlippedAtReceiver(l);
        return at == flipped;
      },
      30s, 100ms);
  EXPECT_TRUE(accepted) << "after the VRPs made them valid:\n"
                        << Diff(flipped, at) << l.RsStatus() << l.DaemonLogs();
  l.timings["rpki_flip_to_valid"] = Seconds(Clock::now() - t0);

  // The flipped rows are now tagged valid, not rejected.
  const Observed o = l.Observe();
  for (const Vrp& f : FlipVrps()) {
    ASSERT_TRUE(o.accepted.count(f.prefix)) << f.prefix;
    EXPECT_TRUE(RejectCodes(o, f.prefix).empty()) << f.prefix;
    const auto& large = o.accepted.at(f.prefix)[0].large;
    EXPECT_TRUE(std::any_of(large.begin(), large.end(), [](const auto& lc) {
      return lc[0] == kRsAsn && lc[1] == ixp::kRpkiFunction &&
             lc[2] == uint32_t(ixp::RpkiTag::kValid);
    })) << f.prefix;
  }
  const auto t1 = Clock::now();
  l.WriteVrps(false);
  const bool rejected = WaitUntil(
      [&] {
        at = FlippedAtReceiver(l);
        return at.empty();
      },
      30s, 100ms);
  EXPECT_TRUE(rejected) << "after the VRPs made them invalid again:\n" << Diff({}, at);
  l.timings["rpki_flip_back_to_invalid"] = Seconds(Clock::now() - t1);
  const Observed back = l.Observe();
  for (const Vrp& f : FlipVrps()) {
    EXPECT_FALSE(back.accepted.count(f.prefix)) << f.prefix;
    EXPECT_TRUE(RejectCodes(back, f.prefix).count(uint32_t(ixp::Reject::kRpkiInvalid))) << f.prefix;
  }
}

// Member D announces kMaxPrefixD + 1 routes per family against a
// max-prefix of kMaxPrefixD: the route server holds and passes on at most
// kMaxPrefixD of them, and says its limit was hit.
TEST_P(IxpLab, MaxPrefixCapsWhatAMemberGetsThrough) {
  Lab& l = lab();
  const Observed o = l.Observe();
  for (bool v6 : {false, true}) {
    size_t accepted = 0, at_receiver = 0;
    for (const LabRoute& r : Matrix()) {
      if (r.speaker != Speaker::kGobgpD || r.v6() != v6) continue;
      accepted += o.accepted.count(r.prefix);
      at_receiver += o.at_receiver.count(r.prefix);
    }
    EXPECT_LE(accepted, kMaxPrefixD) << (v6 ? "IPv6" : "IPv4");
    EXPECT_LE(at_receiver, kMaxPrefixD) << (v6 ? "IPv6" : "IPv4");
    std::printf("max-prefix %u, %s: %zu of %u routes accepted, %zu at the receiver\n", kMaxPrefixD,
                v6 ? "IPv6" : "IPv4", accepted, kMaxPrefixD + 1, at_receiver);
  }
  // The route server's account of member D's sessions: a limit was hit.
  if (!bird()) {
    const std::string log = l.DaemonLogs();
    EXPECT_NE(log.find("max-prefix"), std::string::npos) << log;
    return;
  }
  std::string d_sessions;
  std::istringstream in(l.Birdc("show protocols all"));
  bool in_d = false;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line[0] != ' ' && line[0] != '\t') in_d = false;
    if (line.find("10.16.0.14") != std::string::npos || line.find("fd16::14") != std::string::npos)
      in_d = true;
    if (in_d || line.find("imit") != std::string::npos) d_sessions += line + "\n";
  }
  EXPECT_TRUE(d_sessions.find("HIT") != std::string::npos ||
              d_sessions.find("limit exceeded") != std::string::npos)
      << d_sessions;
}

// The prefixes of `vigia mrt dump -m FILE` (one route per line, the
// prefix in field 6).
std::set<std::string> MrtPrefixes(const std::string& file) {
  std::set<std::string> out;
  std::istringstream in(Sh(test_util::Vigia() + " mrt dump -m " + file).out);
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> f;
    std::istringstream ls(line);
    for (std::string x; std::getline(ls, x, '|');) f.push_back(x);
    if (f.size() > 5) out.insert(f[5]);
  }
  return out;
}

// The rows a relaxed route server leaks, by family.
std::set<std::string> LeakRows(bool v6) {
  std::set<std::string> s;
  for (const LabRoute& r : Matrix()) {
    if (LeaksWhenRelaxed(r) && r.v6() == v6) s.insert(r.prefix);
  }
  return s;
}

// A route server configured from a careless IRR (relaxed IRR file) and
// stale RPKI data leaks the IRR and RPKI rows; its RIB is dumped as MRT
// beside a dump of the clean route server, for `vigia ixp check`: BIRD's
// `mrt dump` (TABLE_DUMP_V2, accepted routes, one file per table) and
// OpenBGPD's periodic `dump table` (TABLE_DUMP v1, both families, the
// rejected routes too, tagged RS_ASN:1101:<code>).
TEST_P(IxpLab, ARelaxedRouteServerLeaksAndItsMrtDumpShowsIt) {
  Lab& l = lab();
  const std::string d = l.dir;
  std::set<std::string> all_leaks;
  for (bool v6 : {false, true}) {
    for (const std::string& p : LeakRows(v6)) all_leaks.insert(p);
  }
  const std::vector<std::string> clean = l.DumpRib("rs-clean");
  ASSERT_FALSE(clean.empty()) << "no MRT dump of the clean route server";

  Put(d + "/irr-relaxed.rpsl", IrrRpsl(Matrix(), true));
  ASSERT_EQ(l.GenerateRsConf(d + "/irr-relaxed.rpsl", d + "/rs-relaxed.conf"), "");
  const auto t0 = Clock::now();
  l.WriteVrps(true);
  EXPECT_EQ(l.Reconfigure(d + "/rs-relaxed.conf"), "");
  std::set<std::string> want = Lab::Expected(false), got;
  want.insert(all_leaks.begin(), all_leaks.end());
  EXPECT_TRUE(WaitUntil(
      [&] {
        got = l.ReceiverPrefixes();
        return got == want;
      },
      30s, 100ms))
      << "the relaxed route server's exports:\n"
      << Diff(want, got);
  l.timings["relaxed_reconfigure"] = Seconds(Clock::now() - t0);
  const std::vector<std::string> leaky = l.DumpRib("rs-leaky");
  ASSERT_EQ(leaky.size(), clean.size()) << "no MRT dump of the leaky route server";

  // Back to the real configuration and VRPs.
  const auto t1 = Clock::now();
  l.WriteVrps(false);
  EXPECT_EQ(l.Reconfigure(d + "/rs.conf"), "");
  EXPECT_TRUE(WaitUntil(
      [&] {
        got = l.ReceiverPrefixes();
        return got == Lab::Expected(false);
      },
      30s, 100ms))
      << "after restoring the configuration:\n"
      << Diff(Lab::Expected(false), got);
  l.timings["restore_reconfigure"] = Seconds(Clock::now() - t1);

  // The dumps hold what the route server held (OpenBGPD's also hold the
  // rejected routes, tagged, so only the leaky one is tested for them).
  std::set<std::string> in_clean, in_leaky;
  for (const std::string& f : clean) {
    for (const std::string& p : MrtPrefixes(f)) in_clean.insert(p);
  }
  for (const std::string& f : leaky) {
    for (const std::string& p : MrtPrefixes(f)) in_leaky.insert(p);
  }
  for (const std::string& p : all_leaks) {
    if (bird()) {
      EXPECT_FALSE(in_clean.count(p)) << p;
    }
    EXPECT_TRUE(in_leaky.count(p)) << p;
  }
  for (const std::string& p : Lab::Expected(false)) EXPECT_TRUE(in_clean.count(p)) << p;
  for (size_t i = 0; i < clean.size(); ++i) {
    l.dumps.push_back({clean[i], {}});
    std::set<std::string> leaks;
    for (const std::string& p : all_leaks) {
      // BIRD's dumps are one per family; OpenBGPD's holds both.
      if (bird() && (p.find(':') != std::string::npos) != (i == 1)) continue;
      leaks.insert(p);
    }
    l.dumps.push_back({leaky[i], leaks});
  }
}

// `vigia ixp check` on the route server's MRT dumps, judged with the true
// inputs (members file, IRR, base VRPs): the clean dump has no bad
// route; the leaky one has exactly the leaked rows, each with its reason.
TEST_P(IxpLab, IxpCheckFindsExactlyTheLeakedRoutesInTheMrtDump) {
  Lab& l = lab();
  if (!VigiaHas("ixp check", "--members") &&
      !std::filesystem::exists(std::string(VIGIA_SOURCE_DIR) + "/src/ixp/rs_check.cc")) {
    GTEST_SKIP() << "`vigia ixp check` is not in this tree";
  }
  const std::string d = l.dir;
  ASSERT_FALSE(l.dumps.empty()) << "the dump test did not run";
  std::map<std::string, std::string> rule_of;
  for (const LabRoute& r : Matrix()) rule_of[r.prefix] = r.rule;
  for (const auto& [mrt, want] : l.dumps) {
    SCOPED_TRACE(mrt);
    const Cmd c = Sh(test_util::Vigia() + " ixp check " + mrt + " --members " + d +
                     "/members.json --irr " + d + "/irr.rpsl --vrps " + d + "/vrps.json --rs-asn " +
                     std::to_string(kRsAsn) + " --json");
    EXPECT_EQ(c.exit, want.empty() ? 0 : 1) << c.out;
    const auto j = nlohmann::json::parse(c.out, nullptr, false);
    ASSERT_TRUE(j.is_object()) << c.out;
    std::map<std::string, std::set<std::string>> bad;  // prefix -> reasons
    for (const auto& m : j["per_member"]) {
      for (const auto& b : m["bad_routes"]) {
        for (const auto& why : b["reasons"]) bad[b["prefix"]].insert(why.get<std::string>());
      }
    }
    std::set<std::string> bad_prefixes;
    for (const auto& [p, why] : bad) bad_prefixes.insert(p);
    EXPECT_EQ(bad_prefixes, want) << Diff(want, bad_prefixes) << c.out;
    for (const auto& [p, why] : bad) {
      EXPECT_TRUE(why.count(rule_of[p])) << p << " should be reported as " << rule_of[p];
    }
    EXPECT_EQ(j["summary"]["accepted_bad"].get<int>(), int(want.size())) << c.out;
    std::printf("vigia ixp check %s (%s): exit %d, routes %d, accepted_bad %d, by_reason %s\n",
                std::filesystem::path(mrt).filename().c_str(),
                j["rib"].value("format", "?").c_str(), c.exit, j["summary"]["routes"].get<int>(),
                j["summary"]["accepted_bad"].get<int>(), j["summary"]["by_reason"].dump().c_str());
  }
}

TEST_P(IxpLab, Timings) {
  std::printf("lab (%s): RTR cache %s\n", bird() ? "BIRD" : "OpenBGPD", lab().rtr_cache.c_str());
  for (const auto& [phase, s] : lab().timings)
    std::printf("lab timing: %-28s %6.2f s\n", phase.c_str(), s);
}

INSTANTIATE_TEST_SUITE_P(Bird, IxpLab, ::testing::Values(RsKind::kBird));
INSTANTIATE_TEST_SUITE_P(OpenBgpd, IxpLab, ::testing::Values(RsKind::kOpenBgpd));

}  // namespace
}  // namespace vigia::ixp_lab
