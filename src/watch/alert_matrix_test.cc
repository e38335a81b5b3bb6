// The alert matrix (issue [5/7] "Done when"): `vigia watch` runs as its own
// process with its passive BGP speaker on loopback; a real ExaBGP peers with
// it and, through its API, announces live
//   - a hijack          (a watched prefix from a wrong origin),
//   - a sub-prefix hijack (a more-specific of a watched prefix, wrong origin),
//   - a route leak      (a valley in the reference's AS relationships),
//   - an RPKI invalid   (the reference's VRP authorises another AS),
// one after the other, each withdrawn again. Every channel is real: two
// webhook servers (generic JSON and Slack format, cpp-httplib in this
// process), Debian's aiosmtpd (SMTP), one rsyslogd with a UDP and a TCP
// input (RFC 5424), the JSON-lines file and the Prometheus counters scraped
// from `vigia watch`'s /metrics. The test asserts exactly one firing and one
// recovery per condition on every channel, no other alert, and prints the
// matrix. Finally SIGTERM stops `vigia watch` cleanly (state saved, nothing
// open). Skips when ExaBGP, aiosmtpd, rsyslogd or the vigia binary is absent.
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "alert/channels.h"
#include "alert/test_daemon.h"
#include "store/store.h"

namespace vigia::watch {
namespace {

namespace fs = std::filesystem;
using alert::test::Daemon;
using alert::test::FreePort;
using alert::test::WaitFor;
using namespace std::chrono_literals;

std::string ReadAll(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// One alert as a channel showed it: rule and state.
struct Seen {
  std::string rule, state;
};
using Counts = std::map<std::pair<std::string, std::string>, int>;  // (rule, state) -> n

Counts Count(const std::vector<Seen>& v) {
  Counts c;
  for (const Seen& s : v) ++c[{s.rule, s.state}];
  return c;
}

// "[FIRING] hijack 185.10.0.0/16 (...)" -> {hijack, firing}.
std::optional<Seen> FromSubject(const std::string& subject) {
  static const std::regex re(R"(\[(FIRING|RECOVERED|STILL FIRING)\] (\S+))");
  std::smatch m;
  if (!std::regex_search(subject, m, re)) return std::nullopt;
  const std::string st = m[1] == "FIRING"      ? "firing"
                         : m[1] == "RECOVERED" ? "recovered"
                                               : "summary";
  return Seen{m[2], st};
}

class HookServer {
 public:
  HookServer() {
    srv_.Post("/hook", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard l(mu_);
      bodies_.push_back(req.body);
      res.status = 200;
    });
    port_ = srv_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { srv_.listen_after_bind(); });
    WaitFor([this] { return srv_.is_running(); });
  }
  ~HookServer() {
    srv_.stop();
    thread_.join();
  }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }
  std::vector<std::string> bodies() {
    std::lock_guard l(mu_);
    return bodies_;
  }

 private:
  httplib::Server srv_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::string> bodies_;
};

class AlertMatrix : public ::testing::Test {
 protected:
  void SetUp() override {
    vigia_ = std::string(VIGIA_BINARY_DIR) + "/vigia";
    if (::access(vigia_.c_str(), X_OK) != 0) GTEST_SKIP() << "needs the vigia binary at " << vigia_;
    if (::access("/usr/sbin/exabgp", X_OK) != 0) GTEST_SKIP() << "needs ExaBGP (Debian exabgp)";
    if (::access("/usr/sbin/rsyslogd", X_OK) != 0)
      GTEST_SKIP() << "needs rsyslogd (Debian rsyslog)";
    if (std::system("/usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1") != 0)
      GTEST_SKIP() << "needs Debian python3-aiosmtpd";
    dir_ = fs::temp_directory_path() / ("vigia_alert_matrix_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "ref" / "rpki");
    fs::create_directories(dir_ / "ref" / "topology");
  }
  void TearDown() override {
    exabgp_.reset();
    watch_.reset();
    smtp_.reset();
    syslog_.reset();
    if (fifo_ >= 0) ::close(fifo_);
    if (!dir_.empty() && !HasFailure()) fs::remove_all(dir_);
  }

  std::vector<Seen> Hook(HookServer& h, bool slack) {
    std::vector<Seen> out;
    for (const std::string& b : h.bodies()) {
      const auto j = nlohmann::json::parse(b, nullptr, false);
      if (j.is_discarded()) continue;
      if (slack) {
        if (auto s = FromSubject(j.value("text", ""))) out.push_back(*s);
      } else {
        out.push_back(
            {j.value("rule", ""), j.value("summary", false) ? "summary" : j.value("state", "")});
      }
    }
    return out;
  }
  std::vector<Seen> Mail() {
    std::vector<Seen> out;
    if (!fs::exists(dir_ / "maildir" / "new")) return out;
    for (const auto& e : fs::directory_iterator(dir_ / "maildir" / "new")) {
      const std::string m = ReadAll(e.path());
      const size_t at = m.find("\nSubject: ");
      if (at == std::string::npos) continue;
      if (auto s = FromSubject(m.substr(at + 10, m.find('\n', at + 10) - at - 10)))
        out.push_back(*s);
    }
    return out;
  }
  std::vector<Seen> Syslog(const std::string& file) {
    // The template writes "app-name|msgid|structured-data" per line.
    std::vector<Seen> out;
    std::istringstream in(ReadAll(dir_ / file));
    static const std::regex rule_re(R"re(rule="([^"]+)")re");
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("vigia|", 0) != 0) continue;
      const size_t a = line.find('|'), b = line.find('|', a + 1);
      std::smatch m;
      if (!std::regex_search(line, m, rule_re)) continue;
      out.push_back({m[1], line.substr(a + 1, b - a - 1)});
    }
    return out;
  }
  std::vector<Seen> File() {
    std::vector<Seen> out;
    std::istringstream in(ReadAll(dir_ / "alerts.jsonl"));
    for (std::string line; std::getline(in, line);) {
      const auto j = nlohmann::json::parse(line, nullptr, false);
      if (!j.is_discarded())
        out.push_back(
            {j.value("rule", ""), j.value("summary", false) ? "summary" : j.value("state", "")});
    }
    return out;
  }
  // vigia_alerts_delivered_total{rule,channel,state,result="ok"} from /metrics.
  std::map<std::string, Counts> Prometheus() {
    std::map<std::string, Counts> out;  // channel -> counts
    httplib::Client cli("127.0.0.1", prom_port_);
    cli.set_connection_timeout(2);
    auto res = cli.Get("/metrics");
    if (!res || res->status != 200) return out;
    static const std::regex re(
        R"re(vigia_alerts_delivered_total\{rule="([^"]+)",channel="([^"]+)",state="([^"]+)",result="ok"\} (\d+))re");
    for (auto it = std::sregex_iterator(res->body.begin(), res->body.end(), re);
         it != std::sregex_iterator(); ++it)
      out[(*it)[2]][{(*it)[1], (*it)[3]}] += std::stoi((*it)[4]);
    return out;
  }

  std::map<std::string, Counts> All(HookServer& json, HookServer& slack) {
    std::map<std::string, Counts> m;
    m["webhook-json"] = Count(Hook(json, false));
    m["webhook-slack"] = Count(Hook(slack, true));
    m["smtp"] = Count(Mail());
    m["syslog-udp"] = Count(Syslog("udp.log"));
    m["syslog-tcp"] = Count(Syslog("tcp.log"));
    m["file"] = Count(File());
    // The Prometheus column: the counter of every channel must agree; it
    // shows the smallest (a channel that missed one shows 0).
    const auto prom = Prometheus();
    Counts p;
    bool first = true;
    for (const auto& [ch, counts] : prom) {
      if (first) p = counts;
      for (auto& [k, n] : p) {
        auto f = counts.find(k);
        n = std::min(n, f == counts.end() ? 0 : f->second);
      }
      first = false;
    }
    if (prom.size() < 6) p.clear();  // not every channel counted yet
    m["prometheus"] = p;
    return m;
  }

  void Api(const std::string& line) {
    const std::string l = line + "\n";
    ASSERT_EQ(::write(fifo_, l.data(), l.size()), static_cast<ssize_t>(l.size()));
  }

  // The watch log without its status lines (but the last), and ExaBGP's tail.
  std::string Diagnose() {
    std::istringstream in(ReadAll(dir_ / "watch.log"));
    std::string out = "\n--- vigia watch log:\n", last;
    for (std::string line; std::getline(in, line);) {
      if (line.find("vigia watch: status ") == 0) {
        last = line;
        continue;
      }
      out += line + "\n";
    }
    const std::string exa = ReadAll(dir_ / "exabgp.log");
    return out + last + "\n--- exabgp log (tail):\n" +
           (exa.size() > 3000 ? exa.substr(exa.size() - 3000) : exa);
  }

  std::string vigia_;
  fs::path dir_;
  int fifo_ = -1, prom_port_ = 0;
  std::unique_ptr<Daemon> smtp_, syslog_, watch_, exabgp_;
};

TEST_F(AlertMatrix, EachConditionOnceOnEveryChannelAndOneRecoveryEach) {
  // The reference: AS relationships with a valley for the leak, and a VRP
  // that makes AS3320's 185.30.0.0/24 invalid (it authorises AS3333).
  std::ofstream(dir_ / "ref" / "topology" / "20260101.as-rel.txt")
      << "# lab relationships\n1299|3320|-1\n1299|8220|-1\n174|8220|-1\n";
  std::ofstream(dir_ / "ref" / "rpki" / "vrps.csv")
      << "ASN,IP Prefix,Max Length,Trust Anchor\nAS3333,185.30.0.0/24,24,lab\n";

  // Channels' far ends.
  HookServer hook_json, hook_slack;
  const int smtp_port = FreePort(), udp = FreePort(SOCK_DGRAM), tcp = FreePort();
  smtp_ = std::make_unique<Daemon>(
      std::vector<std::string>{"/usr/bin/python3", "-m", "aiosmtpd", "-n", "-l",
                               "127.0.0.1:" + std::to_string(smtp_port), "-c",
                               "aiosmtpd.handlers.Mailbox", (dir_ / "maildir").string()},
      (dir_ / "aiosmtpd.log").string());
  {
    std::ofstream conf(dir_ / "rsyslog.conf");
    conf << "global(workDirectory=\"" << dir_.string() << "\" maxMessageSize=\"64k\")\n"
         << "module(load=\"imudp\")\nmodule(load=\"imtcp\")\n"
         << "template(name=\"t\" type=\"string\" "
            "string=\"%app-name%|%msgid%|%structured-data%\\n\")\n"
         << "ruleset(name=\"u\") { action(type=\"omfile\" file=\"" << (dir_ / "udp.log").string()
         << "\" template=\"t\") }\n"
         << "ruleset(name=\"t\") { action(type=\"omfile\" file=\"" << (dir_ / "tcp.log").string()
         << "\" template=\"t\") }\n"
         << "input(type=\"imudp\" address=\"127.0.0.1\" port=\"" << udp << "\" ruleset=\"u\")\n"
         << "input(type=\"imtcp\" address=\"127.0.0.1\" port=\"" << tcp << "\" ruleset=\"t\")\n";
  }
  syslog_ = std::make_unique<Daemon>(
      std::vector<std::string>{"/usr/sbin/rsyslogd", "-n", "-f", (dir_ / "rsyslog.conf").string(),
                               "-i", (dir_ / "rsyslogd.pid").string()},
      (dir_ / "rsyslogd.log").string());
  ASSERT_TRUE(WaitFor([&] { return alert::test::TcpOpen(smtp_port); }))
      << ReadAll(dir_ / "aiosmtpd.log");
  ASSERT_TRUE(WaitFor([&] { return alert::test::TcpOpen(tcp); })) << ReadAll(dir_ / "rsyslogd.log");
  {
    // UDP is fire-and-forget: wait until rsyslogd reads it (a probe from
    // another app name, which the matrix ignores).
    alert::SyslogChannel probe({.port = udp, .app_name = "probe"});
    alert::Alert a;
    a.rule = "probe";
    ASSERT_TRUE(WaitFor([&] {
      (void)probe.Deliver(a);
      return ReadAll(dir_ / "udp.log").find("probe|") != std::string::npos;
    })) << ReadAll(dir_ / "rsyslogd.log");
  }

  // The config.
  const int bgp_port = FreePort();
  prom_port_ = FreePort();
  {
    std::ofstream c(dir_ / "watch.yml");
    c << "collector:\n  name: lab\n  bgp: {listen: '127.0.0.1:" << bgp_port << "', asn: 64512}\n"
      << "reference: " << (dir_ / "ref").string() << "\n"
      << "state_file: " << (dir_ / "state.json").string() << "\n"
      << "store: sqlite:" << (dir_ / "vigia.db").string() << "\n"
      << "prefixes:\n"
      << "  185.10.0.0/16: {description: lab hijack target, origins: [3320]}\n"
      << "  185.20.0.0/16: {description: lab leak target, origins: [3320]}\n"
      << "  185.30.0.0/24: {description: lab rpki target, origins: [3320]}\n"
      << "asns: [3320]\n"
      << "monitor: {min_peers: 1, visibility_min_peers: 1}\n"
      << "rules:\n"
      << "  bogon_prefix: {enabled: false}\n  bogon_asn: {enabled: false}\n"
      << "  visibility_loss: {enabled: false}\n  new_upstream: {enabled: false}\n"
      << "  new_downstream: {enabled: false}\n  roa_disappeared: {enabled: false}\n"
      << "channels:\n"
      << "  webhook-json: {type: webhook, url: '" << hook_json.Url()
      << "', format: json, backoff: 100ms}\n"
      << "  webhook-slack: {type: webhook, url: '" << hook_slack.Url()
      << "', format: slack, backoff: 100ms}\n"
      << "  smtp: {type: smtp, server: '127.0.0.1:" << smtp_port
      << "', from: vigia@example.net, to: [noc@example.net]}\n"
      << "  syslog-udp: {type: syslog, server: '127.0.0.1:" << udp << "', transport: udp}\n"
      << "  syslog-tcp: {type: syslog, server: '127.0.0.1:" << tcp << "', transport: tcp}\n"
      << "  file: {type: file, path: " << (dir_ / "alerts.jsonl").string() << "}\n"
      << "  prometheus: {type: prometheus, listen: '127.0.0.1:" << prom_port_ << "'}\n"
      << "gate: {summary_every: 0s}\n";
  }
  watch_ = std::make_unique<Daemon>(
      std::vector<std::string>{vigia_, "watch", "--config", (dir_ / "watch.yml").string(), "--json",
                               "--status-every", "0.5"},
      (dir_ / "watch.log").string());
  ASSERT_TRUE(WaitFor([&] { return alert::test::TcpOpen(bgp_port); }, 30s)) << Diagnose();

  // ExaBGP as AS174 from 127.0.0.3, driven through a FIFO. ExaBGP sends an
  // as-path given in the API as it is, so each starts with its own AS.
  const fs::path fifo = dir_ / "api.fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  fifo_ = ::open(fifo.c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(fifo_, 0);
  {
    std::ofstream c(dir_ / "exabgp.conf");
    c << "process ctl {\n  run /bin/cat " << fifo.string() << ";\n  encoder text;\n}\n"
      << "neighbor 127.0.0.1 {\n  router-id 10.0.0.3;\n  local-address 127.0.0.3;\n"
      << "  local-as 174;\n  peer-as 64512;\n  hold-time 30;\n"
      << "  family {\n    ipv4 unicast;\n  }\n"
      << "  api {\n    processes [ ctl ];\n  }\n"
      << "  static {\n    route 185.10.0.0/16 next-hop 127.0.0.3 as-path [ 174 3320 ];\n  }\n}\n";
  }
  exabgp_ = std::make_unique<Daemon>(
      std::vector<std::string>{"/usr/bin/env", "exabgp_tcp_port=" + std::to_string(bgp_port),
                               "exabgp_tcp_bind=", "exabgp_daemon_user=root",
                               "exabgp_daemon_daemonize=false", "exabgp_api_cli=false",
                               "exabgp_log_destination=stdout",
                               "exabgp_daemon_pid=" + (dir_ / "exabgp.pid").string(),
                               "/usr/sbin/exabgp", (dir_ / "exabgp.conf").string()},
      (dir_ / "exabgp.log").string());
  // Session up and the legitimate route in.
  ASSERT_TRUE(WaitFor(
      [&] { return ReadAll(dir_ / "watch.log").find("\"announces\":1") != std::string::npos; },
      60s))
      << Diagnose();

  struct Case {
    std::string rule, announce, withdraw;
  };
  const std::vector<Case> cases = {
      {"hijack", "announce route 185.10.0.0/16 next-hop 127.0.0.3 as-path [ 174 9009 ]",
       "announce route 185.10.0.0/16 next-hop 127.0.0.3 as-path [ 174 3320 ]"},
      {"subprefix_hijack", "announce route 185.10.1.0/24 next-hop 127.0.0.3 as-path [ 174 9009 ]",
       "withdraw route 185.10.1.0/24 next-hop 127.0.0.3"},
      {"route_leak",
       "announce route 185.20.0.0/16 next-hop 127.0.0.3 as-path [ 174 8220 1299 3320 ]",
       "withdraw route 185.20.0.0/16 next-hop 127.0.0.3"},
      {"rpki_invalid", "announce route 185.30.0.0/24 next-hop 127.0.0.3 as-path [ 174 3320 ]",
       "withdraw route 185.30.0.0/24 next-hop 127.0.0.3"},
  };
  const std::vector<std::string> channels = {
      "webhook-json", "webhook-slack", "smtp", "syslog-udp", "syslog-tcp", "file", "prometheus"};
  auto every = [&](const std::string& rule, const std::string& state) {
    const auto all = All(hook_json, hook_slack);
    for (const std::string& ch : channels) {
      auto it = all.find(ch);
      if (it == all.end()) return false;
      auto f = it->second.find({rule, state});
      if (f == it->second.end() || f->second < 1) return false;
    }
    return true;
  };
  for (const Case& c : cases) {
    Api(c.announce);
    ASSERT_TRUE(WaitFor([&] { return every(c.rule, "firing"); }, 30s))
        << c.rule << " firing" << Diagnose();
    Api(c.withdraw);
    ASSERT_TRUE(WaitFor([&] { return every(c.rule, "recovered"); }, 30s))
        << c.rule << " recovered" << Diagnose();
  }
  std::this_thread::sleep_for(2s);  // anything extra would arrive by now

  const auto all = All(hook_json, hook_slack);
  std::string matrix =
      "[figures] alert matrix (firing/recovered per channel):\n  condition        ";
  for (const std::string& ch : channels) matrix += " " + ch;
  matrix += "\n";
  for (const Case& c : cases) {
    char row[64];
    std::snprintf(row, sizeof row, "  %-17s", c.rule.c_str());
    matrix += row;
    for (const std::string& ch : channels) {
      const Counts& n = all.at(ch);
      auto get = [&](const char* st) {
        auto f = n.find({c.rule, st});
        return f == n.end() ? 0 : f->second;
      };
      const std::string cell =
          std::to_string(get("firing")) + "/" + std::to_string(get("recovered"));
      matrix +=
          " " + std::string(ch.size() > cell.size() ? ch.size() - cell.size() : 0, ' ') + cell;
      EXPECT_EQ(get("firing"), 1) << c.rule << " on " << ch;
      EXPECT_EQ(get("recovered"), 1) << c.rule << " on " << ch;
    }
    matrix += "\n";
  }
  std::printf("%s", matrix.c_str());
  // Nothing else: no other rule, no summary.
  for (const auto& [ch, counts] : all) {
    int total = 0;
    for (const auto& [k, n] : counts) total += n;
    EXPECT_EQ(total, 8) << ch << " got alerts beyond the matrix" << Diagnose();
  }

  // SIGTERM: a clean stop, the state saved with nothing open.
  watch_->Stop();
  const std::string log = ReadAll(dir_ / "watch.log");
  EXPECT_NE(log.find("vigia watch: stopped:"), std::string::npos) << log;
  const auto state = nlohmann::json::parse(ReadAll(dir_ / "state.json"), nullptr, false);
  ASSERT_FALSE(state.is_discarded());
  EXPECT_TRUE(state["open"].empty()) << state.dump();
  // The store holds every event: one raised and one cleared row per condition.
  auto db = store::Store::Open("sqlite:" + (dir_ / "vigia.db").string());
  ASSERT_TRUE(db.ok()) << db.status().message();
  auto rows = (*db)->LiveEvents({.limit = 1000});
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  std::map<std::pair<std::string, std::string>, int> stored;
  for (const auto& r : *rows) ++stored[{r.rule, r.phase}];
  for (const Case& c : cases) {
    EXPECT_EQ((stored[{c.rule, "raised"}]), 1) << c.rule;
    EXPECT_EQ((stored[{c.rule, "cleared"}]), 1) << c.rule;
  }
  EXPECT_EQ(rows->size(), 8u);
  std::printf("[figures] store live-event rows: %zu (4 raised, 4 cleared)\n", rows->size());
  // The latency of the deliveries, from the final JSON status.
  const size_t at = log.rfind("{\"alerts\"");
  if (at != std::string::npos) {
    const auto st = nlohmann::json::parse(log.substr(at, log.find('\n', at) - at), nullptr, false);
    if (!st.is_discarded())
      std::printf("[figures] alert latency (arrival -> delivery, all channels): %s\n",
                  st["latency_ms"].dump().c_str());
  }
  db->reset();

  // A restart does not alert an open condition again: vigia watch is
  // started again, the hijack announced (a second firing), vigia watch
  // stopped with it open and started once more; ExaBGP re-peers and
  // re-announces it, and nothing new leaves until the withdrawal gives its
  // recovery.
  auto hijacks = [&](const char* want) {
    int n = 0;
    for (const Seen& x : File()) n += x.rule == "hijack" && x.state == want;
    return n;
  };
  auto restart = [&](const std::string& old_log) {
    fs::rename(dir_ / "watch.log", dir_ / old_log);
    watch_ = std::make_unique<Daemon>(
        std::vector<std::string>{vigia_, "watch", "--config", (dir_ / "watch.yml").string(),
                                 "--json", "--status-every", "0.5"},
        (dir_ / "watch.log").string());
  };
  restart("watch1.log");
  ASSERT_TRUE(WaitFor(
      [&] { return ReadAll(dir_ / "watch.log").find("\"peers\":1") != std::string::npos; }, 90s))
      << Diagnose();
  Api(cases[0].announce);
  ASSERT_TRUE(WaitFor([&] { return hijacks("firing") == 2; }, 30s)) << Diagnose();
  watch_->Stop();
  const auto open = nlohmann::json::parse(ReadAll(dir_ / "state.json"), nullptr, false);
  ASSERT_FALSE(open.is_discarded());
  ASSERT_EQ(open["open"].size(), 1u) << open.dump();
  restart("watch2.log");
  // Re-peered, the hijack seen again and held back as a repeat of the restored alert.
  ASSERT_TRUE(WaitFor(
      [&] {
        const std::string l = ReadAll(dir_ / "watch.log");
        return l.find("\"restored\":1") != std::string::npos &&
               l.find("\"suppressed\":1") != std::string::npos;
      },
      90s))
      << Diagnose();
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(hijacks("firing"), 2) << "the restart re-alerted an open condition";
  Api(cases[0].withdraw);
  ASSERT_TRUE(WaitFor([&] { return hijacks("recovered") == 2; }, 30s)) << Diagnose();
  watch_->Stop();
  const auto closed = nlohmann::json::parse(ReadAll(dir_ / "state.json"), nullptr, false);
  ASSERT_FALSE(closed.is_discarded());
  EXPECT_TRUE(closed["open"].empty()) << closed.dump();
  std::printf(
      "[figures] restart with the hijack open: 0 new firings after the restart, 1 recovery "
      "at the withdrawal\n");
}

}  // namespace
}  // namespace vigia::watch
