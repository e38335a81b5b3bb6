// The channels against real servers on loopback: cpp-httplib (webhook),
// Debian's aiosmtpd (SMTP, plain and STARTTLS), Debian's rsyslogd (syslog over
// UDP and TCP); plus the JSON-lines file and the Prometheus exposition.
#include "alert/channels.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "alert/gate.h"
#include "alert/metrics.h"
#include "alert/test_daemon.h"

namespace vigia::alert {
namespace {

namespace fs = std::filesystem;
using test::Daemon;
using test::FreePort;
using test::WaitFor;

Alert Sample(AlertState state = AlertState::kFiring) {
  Alert a;
  a.key = "hijack|192.0.2.0/24|64501";
  a.rule = "hijack";
  a.severity = Severity::kCritical;
  a.state = state;
  a.prefix = "192.0.2.0/24";
  a.asns = {64500, 64501};
  a.text = "origin AS64501 is not AS64500\n.a line that starts with a dot";
  a.evidence_json = R"({"expected_origin":64500,"seen_origin":64501,"peers":12})";
  a.first_seen_ms = 1'796'000'000'000;
  a.last_seen_ms = 1'796'000'000'000;
  return a;
}

std::string ReadAll(const fs::path& p) {
  std::ifstream f(p);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

fs::path TempDir(const std::string& name) {
  fs::path d =
      fs::temp_directory_path() / ("vigia_alert_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

// ---- webhook against cpp-httplib -------------------------------------------

class WebhookServer {
 public:
  WebhookServer() {
    srv_.Post("/ok", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mu_);
      bodies_.push_back(req.body);
      content_types_.push_back(req.get_header_value("Content-Type"));
      res.status = 200;
    });
    srv_.Post("/flaky", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mu_);
      if (++flaky_calls_ <= 2) {
        res.status = 500;
        return;
      }
      bodies_.push_back(req.body);
      res.status = 200;
    });
    srv_.Post("/ratelimited", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mu_);
      if (++flaky_calls_ == 1) {
        res.status = 429;
        res.set_header("Retry-After", "1");
        return;
      }
      bodies_.push_back(req.body);
      res.status = 200;
    });
    srv_.Post("/always500", [this](const httplib::Request&, httplib::Response& res) {
      std::lock_guard lock(mu_);
      ++flaky_calls_;
      res.status = 503;
    });
    srv_.Post("/bad", [this](const httplib::Request&, httplib::Response& res) {
      std::lock_guard lock(mu_);
      ++flaky_calls_;
      res.status = 400;
    });
    srv_.Post("/slow", [](const httplib::Request&, httplib::Response& res) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1500));
      res.status = 200;
    });
    port_ = srv_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { srv_.listen_after_bind(); });
    WaitFor([this] { return srv_.is_running(); });
  }
  ~WebhookServer() {
    srv_.stop();
    thread_.join();
  }
  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::vector<std::string> bodies() {
    std::lock_guard lock(mu_);
    return bodies_;
  }
  std::string content_type(size_t i) {
    std::lock_guard lock(mu_);
    return content_types_.at(i);
  }
  int calls() {
    std::lock_guard lock(mu_);
    return flaky_calls_;
  }

 private:
  httplib::Server srv_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::string> bodies_, content_types_;
  int flaky_calls_ = 0;
};

TEST(WebhookChannel, GenericJsonArrivesAndDuplicatesWithinWindowAreSuppressed) {
  WebhookServer srv;
  WebhookChannel ch({.url = srv.Url("/ok"), .initial_backoff_ms = 10, .dedup_window_ms = 60'000});
  ASSERT_TRUE(ch.Deliver(Sample()).ok());
  ASSERT_TRUE(ch.Deliver(Sample()).ok());                        // duplicate: not sent
  ASSERT_TRUE(ch.Deliver(Sample(AlertState::kRecovered)).ok());  // a recovery is not a duplicate
  auto bodies = srv.bodies();
  ASSERT_EQ(bodies.size(), 2u);
  EXPECT_EQ(ch.deduplicated(), 1u);
  EXPECT_EQ(srv.content_type(0), "application/json");
  auto j = nlohmann::json::parse(bodies[0]);
  EXPECT_EQ(j["rule"], "hijack");
  EXPECT_EQ(j["state"], "firing");
  EXPECT_EQ(j["prefix"], "192.0.2.0/24");
  EXPECT_EQ(j["asns"], nlohmann::json({64500, 64501}));
  EXPECT_EQ(j["evidence"]["seen_origin"], 64501);
  EXPECT_EQ(nlohmann::json::parse(bodies[1])["state"], "recovered");
}

TEST(WebhookChannel, ARefireAfterRecoveryIsNotADuplicate) {
  WebhookServer srv;
  WebhookChannel ch({.url = srv.Url("/ok"), .dedup_window_ms = 60'000});
  ASSERT_TRUE(ch.Deliver(Sample()).ok());
  ASSERT_TRUE(ch.Deliver(Sample(AlertState::kRecovered)).ok());
  ASSERT_TRUE(ch.Deliver(Sample()).ok());  // the condition is back: the operator must hear it
  ASSERT_TRUE(ch.Deliver(Sample()).ok());  // and only once
  EXPECT_EQ(srv.bodies().size(), 3u);
  EXPECT_EQ(ch.deduplicated(), 1u);
}

TEST(WebhookChannel, SlackAndMattermostFormats) {
  WebhookServer srv;
  WebhookChannel slack({.url = srv.Url("/ok"), .format = WebhookFormat::kSlack});
  WebhookChannel mm({.url = srv.Url("/ok"), .format = WebhookFormat::kMattermost});
  ASSERT_TRUE(slack.Deliver(Sample()).ok());
  ASSERT_TRUE(mm.Deliver(Sample()).ok());
  auto bodies = srv.bodies();
  ASSERT_EQ(bodies.size(), 2u);
  auto s = nlohmann::json::parse(bodies[0]);
  EXPECT_EQ(s["text"].get<std::string>().rfind("[FIRING] hijack 192.0.2.0/24 (AS64500 AS64501)", 0),
            0u);
  EXPECT_EQ(s["attachments"][0]["color"], "danger");
  auto m = nlohmann::json::parse(bodies[1]);
  EXPECT_EQ(m["username"], "vigia");
  EXPECT_NE(m["text"].get<std::string>().find("| hijack | 192.0.2.0/24 | firing | 0 |"),
            std::string::npos);
}

TEST(WebhookChannel, RetriesAfter500sThenSucceeds) {
  WebhookServer srv;
  WebhookChannel ch({.url = srv.Url("/flaky"),
                     .max_attempts = 5,
                     .initial_backoff_ms = 20,
                     .max_backoff_ms = 40});
  ASSERT_TRUE(ch.Deliver(Sample()).ok());
  EXPECT_EQ(srv.calls(), 3);
  EXPECT_EQ(ch.attempts(), 3u);
  EXPECT_EQ(srv.bodies().size(), 1u);
}

TEST(WebhookChannel, RateLimitedWithRetryAfterIsRetried) {
  WebhookServer srv;
  WebhookChannel ch({.url = srv.Url("/ratelimited"), .max_attempts = 3, .initial_backoff_ms = 10});
  ASSERT_TRUE(ch.Deliver(Sample()).ok());
  EXPECT_EQ(srv.calls(), 2);
  EXPECT_EQ(srv.bodies().size(), 1u);
}

TEST(WebhookChannel, GivesUpAfterMaxAttemptsAndDoesNotRetry4xx) {
  WebhookServer srv;
  WebhookChannel ch({.url = srv.Url("/always500"), .max_attempts = 3, .initial_backoff_ms = 10});
  Status s = ch.Deliver(Sample());
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_NE(s.message().find("HTTP 503 after 3 attempt(s)"), std::string::npos) << s.message();
  EXPECT_EQ(srv.calls(), 3);
  // A failed alert is not remembered by dedup: the next try goes out again.
  EXPECT_FALSE(ch.Deliver(Sample()).ok());
  EXPECT_EQ(srv.calls(), 6);

  WebhookServer srv2;
  WebhookChannel bad({.url = srv2.Url("/bad"), .max_attempts = 5, .initial_backoff_ms = 10});
  EXPECT_FALSE(bad.Deliver(Sample()).ok());
  EXPECT_EQ(srv2.calls(), 1);
}

TEST(WebhookChannel, ServerDownIsAnErrorAfterRetries) {
  const int port = FreePort();  // nothing listens there
  WebhookChannel ch({.url = "http://127.0.0.1:" + std::to_string(port) + "/x",
                     .max_attempts = 3,
                     .initial_backoff_ms = 10,
                     .timeout_ms = 2000});
  Status s = ch.Deliver(Sample());
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_NE(s.message().find("after 3 attempt(s)"), std::string::npos) << s.message();
}

TEST(WebhookChannel, SlowServerTimesOut) {
  WebhookServer srv;
  WebhookChannel ch(
      {.url = srv.Url("/slow"), .max_attempts = 2, .initial_backoff_ms = 10, .timeout_ms = 200});
  Status s = ch.Deliver(Sample());
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_NE(s.message().find("imeout"), std::string::npos) << s.message();
}

TEST(WebhookChannel, HugeEvidenceIsCappedInTheBody) {
  WebhookServer srv;
  WebhookChannel ch({.url = srv.Url("/ok")});
  Alert a = Sample();
  a.evidence_json = "[" + std::string(4 * 1024 * 1024, ' ') + "]";
  ASSERT_TRUE(ch.Deliver(a).ok());
  auto bodies = srv.bodies();
  ASSERT_EQ(bodies.size(), 1u);
  EXPECT_LT(bodies[0].size(), 4096u);
  EXPECT_EQ(nlohmann::json::parse(bodies[0])["evidence"]["truncated"], true);
}

TEST(QueuedChannel, DeliversInTheBackgroundAndDropsWhenFull) {
  WebhookServer srv;
  auto q = std::make_unique<QueuedChannel>(
      std::make_unique<WebhookChannel>(WebhookOptions{.url = srv.Url("/slow"), .max_attempts = 1}),
      1);
  int refused = 0;
  for (int i = 0; i < 4; ++i) {
    Alert a = Sample();
    a.key += std::to_string(i);
    if (!q->Deliver(a).ok()) ++refused;
  }
  // The worker holds at most one in flight and one queued: of four, at least two are dropped.
  EXPECT_GE(refused, 2);
  EXPECT_EQ(q->dropped(), static_cast<uint64_t>(refused));
  q->Drain();
  EXPECT_EQ(q->failed(), 0u);
}

// ---- SMTP against Debian's aiosmtpd ------------------------------------------

constexpr const char* kPython = "/usr/bin/python3";

bool HaveAiosmtpd() {
  return std::system("/usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1") == 0;
}

std::vector<std::string> Maildir(const fs::path& dir) {
  std::vector<std::string> out;
  if (!fs::exists(dir / "new")) return out;
  for (const auto& e : fs::directory_iterator(dir / "new")) out.push_back(ReadAll(e.path()));
  return out;
}

void CheckMessage(const std::string& m) {
  EXPECT_NE(m.find("Subject: [FIRING] hijack 192.0.2.0/24 (AS64500 AS64501)"), std::string::npos)
      << m;
  EXPECT_NE(m.find("From: Vigia <vigia@example.net>"), std::string::npos);
  EXPECT_NE(m.find("To: <noc@example.net>, <oncall@example.net>"), std::string::npos);
  // RFC 5322 §3.3 date-time, in UTC.
  EXPECT_TRUE(std::regex_search(
      m,
      std::regex(
          R"((^|\n)Date: (Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000\r?\n)")))
      << m;
  EXPECT_NE(m.find("Message-ID: <"), std::string::npos);
  EXPECT_NE(m.find(".vigia@vigia.localhost>"), std::string::npos);
  EXPECT_NE(m.find("X-Vigia-Key: hijack|192.0.2.0/24|64501"), std::string::npos);
  // Dot-stuffing survived the round trip: the line still starts with one dot.
  EXPECT_NE(m.find("\n.a line that starts with a dot"), std::string::npos);
  EXPECT_EQ(m.find("\n..a line"), std::string::npos);
  EXPECT_NE(m.find("\"seen_origin\":64501"), std::string::npos);
}

TEST(SmtpChannel, PlainSmtpToAiosmtpdDeliversHeadersAndBody) {
  if (!HaveAiosmtpd()) GTEST_SKIP() << "Debian python3-aiosmtpd not installed (scripts/setup.sh)";
  const fs::path dir = TempDir("smtp");
  const int port = FreePort();
  Daemon d({kPython, "-m", "aiosmtpd", "-n", "-l", "127.0.0.1:" + std::to_string(port), "-c",
            "aiosmtpd.handlers.Mailbox", (dir / "maildir").string()},
           (dir / "aiosmtpd.log").string());
  ASSERT_TRUE(WaitFor([&] { return test::TcpOpen(port); })) << ReadAll(dir / "aiosmtpd.log");
  SmtpChannel ch(
      {.port = port, .from = "vigia@example.net", .to = {"noc@example.net", "oncall@example.net"}});
  Status s = ch.Deliver(Sample());
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_TRUE(WaitFor([&] { return Maildir(dir / "maildir").size() == 1; }));
  CheckMessage(Maildir(dir / "maildir")[0]);
  // STARTTLS required but this server does not offer it: nothing is sent in clear.
  SmtpChannel must_tls({.port = port,
                        .tls = SmtpTls::kStartTls,
                        .from = "vigia@example.net",
                        .to = {"noc@example.net"}});
  EXPECT_EQ(must_tls.Deliver(Sample()).code(), StatusCode::kIoError);
  // Opportunistic STARTTLS falls back to plain SMTP.
  SmtpChannel try_tls({.port = port,
                       .tls = SmtpTls::kTryStartTls,
                       .from = "vigia@example.net",
                       .to = {"noc@example.net", "oncall@example.net"}});
  ASSERT_TRUE(try_tls.Deliver(Sample()).ok());
  ASSERT_TRUE(WaitFor([&] { return Maildir(dir / "maildir").size() == 2; }));
  d.Stop();
  fs::remove_all(dir);
}

TEST(SmtpChannel, StartTlsWithAVerifiedCertificate) {
  if (!HaveAiosmtpd()) GTEST_SKIP() << "Debian python3-aiosmtpd not installed (scripts/setup.sh)";
  const fs::path dir = TempDir("smtptls");
  const std::string cert = (dir / "cert.pem").string(), key = (dir / "key.pem").string();
  const std::string gen =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 -addext "
      "subjectAltName=IP:127.0.0.1 -keyout " +
      key + " -out " + cert + " >/dev/null 2>&1";
  ASSERT_EQ(std::system(gen.c_str()), 0);
  const int port = FreePort();
  Daemon d({kPython, "-m", "aiosmtpd", "-n", "-l", "127.0.0.1:" + std::to_string(port), "--tlscert",
            cert, "--tlskey", key, "-c", "aiosmtpd.handlers.Mailbox", (dir / "maildir").string()},
           (dir / "aiosmtpd.log").string());
  ASSERT_TRUE(WaitFor([&] { return test::TcpOpen(port); })) << ReadAll(dir / "aiosmtpd.log");
  // aiosmtpd with --tlscert requires STARTTLS before MAIL: plain SMTP is refused.
  SmtpChannel plain({.port = port, .from = "vigia@example.net", .to = {"noc@example.net"}});
  EXPECT_FALSE(plain.Deliver(Sample()).ok());
  SmtpChannel tls({.port = port,
                   .tls = SmtpTls::kStartTls,
                   .ca_file = cert,
                   .from = "vigia@example.net",
                   .to = {"noc@example.net", "oncall@example.net"}});
  Status s = tls.Deliver(Sample());
  ASSERT_TRUE(s.ok()) << s.ToString() << ReadAll(dir / "aiosmtpd.log");
  ASSERT_TRUE(WaitFor([&] { return Maildir(dir / "maildir").size() == 1; }));
  CheckMessage(Maildir(dir / "maildir")[0]);
  d.Stop();
  fs::remove_all(dir);
}

TEST(SmtpMessage, HugeAlertIsCappedAndLinesStayUnder998Octets) {
  Alert a = Sample();
  a.text = std::string(1'000'000, 't');
  a.rule = std::string(100'000, 'r');
  a.evidence_json = "[\"" + std::string(10'000'000, 'e') + "\"]";
  SmtpOptions o{.from = "vigia@example.net"};
  for (int i = 0; i < 500; ++i) o.to.push_back("noc" + std::to_string(i) + "@example.net");
  const std::string m = SmtpMessage(a, o, 0);
  EXPECT_LT(m.size(), 64u * 1024);
  size_t start = 0;
  for (size_t nl = m.find("\r\n"); nl != std::string::npos;
       start = nl + 2, nl = m.find("\r\n", start)) {
    EXPECT_LE(nl - start, 998u);  // RFC 5322 §2.1.1
  }
  EXPECT_NE(m.find("Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n"), std::string::npos);
}

TEST(SmtpChannel, SilentServerTimesOut) {
  // A listener that never sends the 220 greeting (connections wait in its backlog).
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 4), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  SmtpChannel ch({.port = ntohs(addr.sin_port),
                  .from = "vigia@example.net",
                  .to = {"noc@example.net"},
                  .timeout_ms = 300});
  Status s = ch.Deliver(Sample());
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_NE(s.message().find("imeout"), std::string::npos) << s.message();
  ::close(fd);
}

TEST(SmtpChannel, ServerDownIsAnError) {
  SmtpChannel ch({.port = FreePort(),
                  .from = "vigia@example.net",
                  .to = {"noc@example.net"},
                  .timeout_ms = 2000});
  Status s = ch.Deliver(Sample());
  EXPECT_EQ(s.code(), StatusCode::kIoError);
}

// ---- syslog against Debian's rsyslogd ----------------------------------------

TEST(SyslogChannel, Rfc5424OverUdpAndTcpReachRsyslog) {
  if (!fs::exists("/usr/sbin/rsyslogd"))
    GTEST_SKIP() << "Debian rsyslog not installed (scripts/setup.sh)";
  const fs::path dir = TempDir("syslog");
  const int udp = FreePort(SOCK_DGRAM), tcp = FreePort();
  const fs::path out = dir / "out.log";
  {
    std::ofstream conf(dir / "rsyslog.conf");
    conf << "global(workDirectory=\"" << dir.string() << "\" maxMessageSize=\"64k\")\n"
         << "module(load=\"imudp\")\nmodule(load=\"imtcp\")\n"
         << "input(type=\"imudp\" address=\"127.0.0.1\" port=\"" << udp << "\")\n"
         << "input(type=\"imtcp\" address=\"127.0.0.1\" port=\"" << tcp << "\")\n"
         << "template(name=\"fields\" type=\"string\" string=\"%protocol-version%|%syslogfacility%|"
            "%syslogseverity%|%timereported:::date-rfc3339%|%hostname%|%app-name%|%procid%|%msgid%|"
            "%structured-data%|%msg%\\n\")\n"
         << "*.* action(type=\"omfile\" file=\"" << out.string() << "\" template=\"fields\")\n";
  }
  Daemon d({"/usr/sbin/rsyslogd", "-n", "-f", (dir / "rsyslog.conf").string(), "-i",
            (dir / "rsyslogd.pid").string()},
           (dir / "rsyslogd.log").string());
  ASSERT_TRUE(WaitFor([&] { return test::TcpOpen(tcp); })) << ReadAll(dir / "rsyslogd.log");

  SyslogChannel via_udp(
      {.port = udp, .transport = SyslogTransport::kUdp, .hostname = "vigia-test-udp"});
  SyslogChannel via_tcp(
      {.port = tcp, .transport = SyslogTransport::kTcp, .hostname = "vigia-test-tcp"});
  // UDP is fire-and-forget and rsyslog may not be reading yet: resend until seen.
  ASSERT_TRUE(WaitFor([&] {
    (void)via_udp.Deliver(Sample());
    return ReadAll(out).find("vigia-test-udp") != std::string::npos;
  })) << ReadAll(dir / "rsyslogd.log");
  ASSERT_TRUE(via_tcp.Deliver(Sample()).ok());
  // Hostile: evidence just under the JSON cap makes a ~60 KB message; it is
  // cut to kMaxSyslogTcpBytes and the octet-counted framing stays intact, so
  // the recovery after it arrives whole.
  Alert huge = Sample();
  huge.key = "huge";
  huge.evidence_json = "[\"" + std::string(kMaxEvidenceBytes - 100, 'z') + "\"]";
  ASSERT_TRUE(via_tcp.Deliver(huge).ok());
  ASSERT_TRUE(via_tcp.Deliver(Sample(AlertState::kRecovered)).ok());
  ASSERT_TRUE(WaitFor([&] {
    return ReadAll(out).find("vigia-test-tcp|vigia|" + std::to_string(::getpid()) + "|recovered") !=
           std::string::npos;
  })) << ReadAll(out);
  const std::string log = ReadAll(out);
  const std::string sd =
      "[vigia@32473 rule=\"hijack\" key=\"hijack|192.0.2.0/24|64501\" prefix=\"192.0.2.0/24\" "
      "state=\"firing\" "
      "severity=\"critical\" repeats=\"0\"]";
  // version 1, facility local0 (16), severity crit (2) firing / notice (5) recovered.
  for (const char* host : {"vigia-test-udp", "vigia-test-tcp"}) {
    const std::string head =
        std::string("|") + host + "|vigia|" + std::to_string(::getpid()) + "|firing|" + sd + "|";
    EXPECT_NE(log.find(head), std::string::npos) << host << "\n" << log;
  }
  EXPECT_NE(log.find("1|16|2|"), std::string::npos) << log;
  EXPECT_NE(log.find("1|16|5|"), std::string::npos) << log;
  EXPECT_NE(log.find("[FIRING] hijack 192.0.2.0/24"), std::string::npos) << log;
  std::istringstream lines(log);
  int huge_lines = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.find("key=\"huge\"") == std::string::npos) continue;
    ++huge_lines;
    EXPECT_LE(line.size(), kMaxSyslogTcpBytes);
    EXPECT_GT(line.size(), kMaxSyslogTcpBytes / 2);
  }
  EXPECT_EQ(huge_lines, 1);
  d.Stop();
  fs::remove_all(dir);
}

TEST(SyslogChannel, TcpReconnectsAfterRsyslogRestartsWithoutLosingAMessage) {
  if (!fs::exists("/usr/sbin/rsyslogd"))
    GTEST_SKIP() << "Debian rsyslog not installed (scripts/setup.sh)";
  const fs::path dir = TempDir("syslog_restart");
  const int tcp = FreePort();
  const fs::path out = dir / "out.log";
  {
    std::ofstream conf(dir / "rsyslog.conf");
    conf << "global(workDirectory=\"" << dir.string() << "\")\nmodule(load=\"imtcp\")\n"
         << "input(type=\"imtcp\" address=\"127.0.0.1\" port=\"" << tcp << "\")\n"
         << "template(name=\"k\" type=\"string\" string=\"%msgid% %structured-data%\\n\")\n"
         << "*.* action(type=\"omfile\" file=\"" << out.string() << "\" template=\"k\")\n";
  }
  const std::vector<std::string> argv = {
      "/usr/sbin/rsyslogd",           "-n", "-f", (dir / "rsyslog.conf").string(), "-i",
      (dir / "rsyslogd.pid").string()};
  SyslogChannel ch({.port = tcp, .transport = SyslogTransport::kTcp});
  Alert a = Sample();
  {
    Daemon d(argv, (dir / "rsyslogd1.log").string());
    ASSERT_TRUE(WaitFor([&] { return test::TcpOpen(tcp); })) << ReadAll(dir / "rsyslogd1.log");
    a.key = "before-restart";
    ASSERT_TRUE(ch.Deliver(a).ok());
    ASSERT_TRUE(WaitFor([&] { return ReadAll(out).find("before-restart") != std::string::npos; }));
  }  // rsyslogd stopped: the channel's connection is now half-closed
  a.key = "while-down";
  EXPECT_EQ(ch.Deliver(a).code(), StatusCode::kIoError);
  Daemon d(argv, (dir / "rsyslogd2.log").string());
  ASSERT_TRUE(WaitFor([&] { return test::TcpOpen(tcp); })) << ReadAll(dir / "rsyslogd2.log");
  a.key = "after-restart";
  ASSERT_TRUE(ch.Deliver(a).ok());
  EXPECT_TRUE(WaitFor([&] { return ReadAll(out).find("after-restart") != std::string::npos; }))
      << ReadAll(out);
  d.Stop();
  fs::remove_all(dir);
}

TEST(SyslogChannel, TcpServerDownIsAnErrorAndSdValuesAreEscaped) {
  SyslogChannel ch({.port = FreePort(), .transport = SyslogTransport::kTcp});
  EXPECT_EQ(ch.Deliver(Sample()).code(), StatusCode::kIoError);
  Alert a = Sample();
  SyslogOptions o;
  a.key = "a]b\"c\\d";
  EXPECT_NE(SyslogMessage(a, o, 0).find(R"(key="a\]b\"c\\d")"), std::string::npos);
}

// ---- file and Prometheus -----------------------------------------------------

TEST(JsonLinesFileChannel, AppendsOneValidJsonObjectPerLine) {
  const fs::path dir = TempDir("file");
  JsonLinesFileChannel ch((dir / "alerts.jsonl").string());
  ASSERT_TRUE(ch.Deliver(Sample()).ok());
  ASSERT_TRUE(ch.Deliver(Sample(AlertState::kRecovered)).ok());
  std::ifstream f(dir / "alerts.jsonl");
  std::vector<nlohmann::json> lines;
  for (std::string line; std::getline(f, line);) lines.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["state"], "firing");
  EXPECT_EQ(lines[1]["state"], "recovered");
  JsonLinesFileChannel bad((dir / "no" / "such" / "dir.jsonl").string());
  EXPECT_EQ(bad.Deliver(Sample()).code(), StatusCode::kIoError);
  fs::remove_all(dir);
}

TEST(Dispatcher, GateThenEveryChannelOnceAndPrometheusCountsIt) {
  WebhookServer srv;
  const fs::path dir = TempDir("dispatch");
  PrometheusCounters counters;
  Dispatcher dispatch(&counters);
  dispatch.Add(std::make_unique<WebhookChannel>(WebhookOptions{.url = srv.Url("/ok")}));
  dispatch.Add(std::make_unique<JsonLinesFileChannel>((dir / "alerts.jsonl").string()));
  dispatch.Add(std::make_unique<WebhookChannel>(WebhookOptions{
      .url = "http://127.0.0.1:" + std::to_string(FreePort()) + "/", .max_attempts = 1}));
  AlertGate gate({.summary_every_ms = 60'000});
  for (int i = 0; i < 10; ++i) {
    if (auto a = gate.Fire(Sample(), 1000 + i)) {
      EXPECT_FALSE(dispatch.Deliver(*a).ok());  // the third channel is down
    } else {
      counters.CountSuppressed("hijack");
    }
  }
  for (auto& s : gate.Tick(120'000)) (void)dispatch.Deliver(s);
  if (auto r = gate.Clear(Sample().key, 130'000)) (void)dispatch.Deliver(*r);
  // Firing once, one summary (9 repeats), one recovery on the webhook.
  auto bodies = srv.bodies();
  ASSERT_EQ(bodies.size(), 3u);
  EXPECT_EQ(nlohmann::json::parse(bodies[1])["summary"], true);
  EXPECT_EQ(nlohmann::json::parse(bodies[1])["repeats"], 9);
  EXPECT_EQ(nlohmann::json::parse(bodies[2])["state"], "recovered");
  EXPECT_EQ(counters.Delivered("hijack", "webhook", "firing", "ok"), 1u);
  EXPECT_EQ(counters.Delivered("hijack", "webhook", "firing", "error"), 1u);
  EXPECT_EQ(counters.Delivered("hijack", "file", "summary", "ok"), 1u);
  EXPECT_EQ(counters.Delivered("hijack", "file", "recovered", "ok"), 1u);
  const std::string text = counters.Render();
  EXPECT_NE(text.find("# TYPE vigia_alerts_delivered_total counter\n"), std::string::npos);
  EXPECT_NE(
      text.find("vigia_alerts_delivered_total{rule=\"hijack\",channel=\"file\",state=\"firing\","
                "result=\"ok\"} 1\n"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("vigia_alerts_suppressed_total{rule=\"hijack\"} 9\n"), std::string::npos)
      << text;
  ASSERT_TRUE(counters.WriteTextfile((dir / "vigia.prom").string()).ok());
  EXPECT_EQ(ReadAll(dir / "vigia.prom"), text);
  fs::remove_all(dir);
}

TEST(JsonLinesFileChannel, ConcurrentWritersNeverInterleaveLines) {
  const fs::path dir = TempDir("file_mt");
  JsonLinesFileChannel ch((dir / "alerts.jsonl").string());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&ch, t] {
      for (int i = 0; i < 200; ++i) {
        Alert a = Sample();
        a.key = std::to_string(t) + "/" + std::to_string(i);
        a.evidence_json = "[\"" + std::string(5000, static_cast<char>('a' + t)) + "\"]";
        EXPECT_TRUE(ch.Deliver(a).ok());
      }
    });
  }
  for (auto& th : threads) th.join();
  std::ifstream f(dir / "alerts.jsonl");
  int n = 0;
  for (std::string line; std::getline(f, line); ++n) {
    ASSERT_TRUE(nlohmann::json::accept(line)) << "line " << n;
  }
  EXPECT_EQ(n, 800);
  fs::remove_all(dir);
}

// The alert matrix: one condition seen 10 times, a summary, a recovery,
// through the gate to every channel at once, each backed by its real server.
TEST(AlertMatrix, EveryChannelGetsFiringSummaryAndRecoveryExactlyOnce) {
  if (!HaveAiosmtpd() || !fs::exists("/usr/sbin/rsyslogd")) {
    GTEST_SKIP() << "Debian python3-aiosmtpd or rsyslog not installed (scripts/setup.sh)";
  }
  const fs::path dir = TempDir("matrix");
  WebhookServer web;
  const int smtp_port = FreePort(), udp = FreePort(SOCK_DGRAM), tcp = FreePort();
  Daemon smtpd({kPython, "-m", "aiosmtpd", "-n", "-l", "127.0.0.1:" + std::to_string(smtp_port),
                "-c", "aiosmtpd.handlers.Mailbox", (dir / "maildir").string()},
               (dir / "aiosmtpd.log").string());
  {
    std::ofstream conf(dir / "rsyslog.conf");
    conf << "global(workDirectory=\"" << dir.string() << "\")\n"
         << "module(load=\"imudp\")\nmodule(load=\"imtcp\")\n"
         << "input(type=\"imudp\" address=\"127.0.0.1\" port=\"" << udp << "\")\n"
         << "input(type=\"imtcp\" address=\"127.0.0.1\" port=\"" << tcp << "\")\n"
         << "template(name=\"k\" type=\"string\" string=\"%hostname% %msgid%\\n\")\n"
         << "*.* action(type=\"omfile\" file=\"" << (dir / "syslog.log").string()
         << "\" template=\"k\")\n";
  }
  Daemon rsyslogd({"/usr/sbin/rsyslogd", "-n", "-f", (dir / "rsyslog.conf").string(), "-i",
                   (dir / "rsyslogd.pid").string()},
                  (dir / "rsyslogd.log").string());
  ASSERT_TRUE(WaitFor([&] { return test::TcpOpen(smtp_port) && test::TcpOpen(tcp); }));
  // rsyslog's UDP input may start after its TCP one: probe until a datagram lands.
  SyslogChannel probe({.port = udp, .hostname = "probe"});
  ASSERT_TRUE(WaitFor([&] {
    (void)probe.Deliver(Sample());
    return ReadAll(dir / "syslog.log").find("probe") != std::string::npos;
  }));

  PrometheusCounters counters;
  Dispatcher dispatch(&counters);
  dispatch.Add(std::make_unique<WebhookChannel>(WebhookOptions{.url = web.Url("/ok")}));
  dispatch.Add(std::make_unique<SmtpChannel>(
      SmtpOptions{.port = smtp_port, .from = "vigia@example.net", .to = {"noc@example.net"}}));
  dispatch.Add(std::make_unique<SyslogChannel>(
      SyslogOptions{.port = udp, .transport = SyslogTransport::kUdp, .hostname = "m-udp"}));
  dispatch.Add(std::make_unique<SyslogChannel>(
      SyslogOptions{.port = tcp, .transport = SyslogTransport::kTcp, .hostname = "m-tcp"}));
  dispatch.Add(std::make_unique<JsonLinesFileChannel>((dir / "alerts.jsonl").string()));

  AlertGate gate({.summary_every_ms = 60'000});
  for (int i = 0; i < 10; ++i) {
    if (auto a = gate.Fire(Sample(), 1000 + i)) {
      ASSERT_TRUE(dispatch.Deliver(*a).ok());
    } else {
      counters.CountSuppressed("hijack");
    }
  }
  for (auto& s : gate.Tick(120'000)) ASSERT_TRUE(dispatch.Deliver(s).ok());
  auto r = gate.Clear(Sample().key, 130'000);
  ASSERT_TRUE(r.has_value());
  ASSERT_TRUE(dispatch.Deliver(*r).ok());

  auto count = [](const std::string& text, const std::string& needle) {
    int n = 0;
    for (size_t p = text.find(needle); p != std::string::npos; p = text.find(needle, p + 1)) ++n;
    return n;
  };
  // What each real server received: [firing, summary, recovered].
  auto bodies = web.bodies();
  ASSERT_EQ(bodies.size(), 3u);
  EXPECT_EQ(nlohmann::json::parse(bodies[0])["state"], "firing");
  EXPECT_EQ(nlohmann::json::parse(bodies[1])["summary"], true);
  EXPECT_EQ(nlohmann::json::parse(bodies[2])["state"], "recovered");
  ASSERT_TRUE(WaitFor([&] { return Maildir(dir / "maildir").size() == 3; }));
  std::string mails;
  for (const auto& m : Maildir(dir / "maildir")) mails += m;
  EXPECT_EQ(count(mails, "Subject: [FIRING] hijack"), 1);
  EXPECT_EQ(count(mails, "Subject: [STILL FIRING] hijack"), 1);
  EXPECT_EQ(count(mails, "Subject: [RECOVERED] hijack"), 1);
  ASSERT_TRUE(WaitFor([&] { return count(ReadAll(dir / "syslog.log"), "recovered") == 2; }));
  const std::string sys = ReadAll(dir / "syslog.log");
  for (const char* host : {"m-udp", "m-tcp"}) {
    for (const char* id : {"firing", "summary", "recovered"}) {
      EXPECT_EQ(count(sys, std::string(host) + " " + id + "\n"), 1) << host << " " << id << "\n"
                                                                    << sys;
    }
  }
  const std::string file = ReadAll(dir / "alerts.jsonl");
  EXPECT_EQ(count(file, "\n"), 3);
  for (const char* ch : {"webhook", "smtp", "syslog", "file"}) {
    const int per = std::string_view(ch) == "syslog" ? 2 : 1;
    for (const char* st : {"firing", "summary", "recovered"}) {
      EXPECT_EQ(counters.Delivered("hijack", ch, st, "ok"), static_cast<uint64_t>(per))
          << ch << " " << st;
    }
  }
  std::cout << "alert matrix (sightings=10):\n" << counters.Render();
  rsyslogd.Stop();
  smtpd.Stop();
  fs::remove_all(dir);
}

TEST(PrometheusCounters, LabelValuesAreEscaped) {
  PrometheusCounters c;
  Alert a = Sample();
  a.rule = "we\"ird\\rule\nx";
  c.CountDelivery(a, "file", true);
  EXPECT_NE(c.Render().find(R"(rule="we\"ird\\rule\nx")"), std::string::npos) << c.Render();
}

}  // namespace
}  // namespace vigia::alert
