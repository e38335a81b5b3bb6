// LiveRpki: a LiveDetector's VRPs followed over RTR, against the RTR cache
// of `vigia rtr serve` (rpki::rtr::RtrServer, in this process) and against
// a real StayRTR (Debian `stayrtr`) re-reading a VRP file we rewrite:
// rpki_invalid raised and cleared, roa_disappeared raised and cleared. And
// StoreEventSink writing the events to a SQLite store.
#include "live/live_rpki.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "core/test_util.h"
#include "live/live_store_sink.h"
#include "live/live_test_util.h"
#include "rpki/rpki_client_json.h"
#include "rpki/rtr_server.h"
#include "rpki/stayrtr_process.h"
#include "store/sqlite_store.h"

namespace vigia::live {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

rpki::rtr::RtrClientOptions Fast(uint16_t port) {
  rpki::rtr::RtrClientOptions o;
  o.host = "127.0.0.1";
  o.port = port;
  o.connect_timeout = 2s;
  o.max_retry_delay = 100ms;
  o.initial_retry_delay = 100ms;
  o.response_timeout = 5s;
  return o;
}

// Waits on notify_fd() and polls until SetVrps() ran with `events` events
// logged in all, or 20 s passed.
void PollUntil(LiveRpki& rpki, const test::EventLog& log, size_t events) {
  const auto end = std::chrono::steady_clock::now() + 20s;
  while (log.events.size() < events && std::chrono::steady_clock::now() < end) {
    pollfd p{rpki.notify_fd(), POLLIN, 0};
    poll(&p, 1, 100);
    rpki.Poll();
  }
}

// The watched prefix 198.51.100.0/24 (no declared origin: no hijack rule
// for it), announced by AS64777 while the cache's VRP names AS64500.
class LiveRpkiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    rules_.only_watched = false;
    rules_.min_peers = 1;
    rules_.prefixes.push_back({*Prefix::Parse("198.51.100.0/24"), {}, "ours", false});
  }
  snapshot::Snapshot ref_;  // no VRPs until RTR brings them
  LiveRules rules_;
  test::EventLog log_;
};

std::shared_ptr<rpki::rtr::RtrPayload> Payload(std::vector<std::pair<const char*, Asn>> vrps) {
  auto p = std::make_shared<rpki::rtr::RtrPayload>();
  for (const auto& [prefix, asn] : vrps) {
    const Prefix pf = *Prefix::Parse(prefix);
    p->vrps.push_back({pf, pf.length(), asn});
  }
  std::sort(p->vrps.begin(), p->vrps.end());
  return p;
}

TEST_F(LiveRpkiTest, FollowsTheRtrCacheOfVigiaRtrServe) {
  rpki::rtr::RtrServerOptions so;
  so.listen = {"127.0.0.1:0"};
  rpki::rtr::RtrServer server(so);
  ASSERT_TRUE(server.Listen().ok());
  const std::string& a = server.addresses().at(0);
  const auto port = static_cast<uint16_t>(std::stoi(a.substr(a.rfind(':') + 1)));
  server.SetPayload(Payload({{"198.51.100.0/24", 64500}, {"192.0.2.0/24", 64500}}));
  std::thread loop([&] { server.Run(); });

  LiveDetector d(rules_, &ref_, &log_);
  test::Feeder f(&d, 1);
  f.Announce(0, "198.51.100.0/24", {64510, 64777});
  EXPECT_TRUE(log_.events.empty()) << "no VRPs yet";
  {
    LiveRpki rpki(Fast(port), &d);
    rpki.Start();
    PollUntil(rpki, log_, 1);
    ASSERT_EQ(log_.events.size(), 1u) << rpki.last_error();
    EXPECT_EQ(log_.events[0].key, "rpki_invalid|198.51.100.0/24|AS64777");
    EXPECT_EQ(rpki.vrps(), 2u);
    const uint64_t first = rpki.generation();

    // A new serial authorises AS64777 too: cleared.
    server.SetPayload(
        Payload({{"198.51.100.0/24", 64500}, {"198.51.100.0/24", 64777}, {"192.0.2.0/24", 64500}}));
    PollUntil(rpki, log_, 2);
    ASSERT_EQ(log_.events.size(), 2u);
    EXPECT_EQ(log_.events[1].phase, EventPhase::kCleared);
    EXPECT_GT(rpki.generation(), first);

    // The ROAs of the watched prefix go: roa_disappeared (and the route is
    // not-found, nothing else).
    server.SetPayload(Payload({{"192.0.2.0/24", 64500}}));
    PollUntil(rpki, log_, 3);
    ASSERT_EQ(log_.events.size(), 3u) << log_.Keys();
    EXPECT_EQ(log_.events[2].key, "roa_disappeared|198.51.100.0/24");
    EXPECT_EQ(log_.events[2].phase, EventPhase::kRaised);

    // Back: roa_disappeared cleared, the route invalid again.
    server.SetPayload(Payload({{"198.51.100.0/24", 64500}, {"192.0.2.0/24", 64500}}));
    PollUntil(rpki, log_, 5);
    EXPECT_EQ(log_.Keys(),
              " +rpki_invalid|198.51.100.0/24|AS64777 -rpki_invalid|198.51.100.0/24|AS64777"
              " +roa_disappeared|198.51.100.0/24 -roa_disappeared|198.51.100.0/24"
              " +rpki_invalid|198.51.100.0/24|AS64777");
  }
  server.Stop();
  loop.join();
}

std::string StayRtrJson(const std::vector<std::pair<const char*, Asn>>& vrps) {
  std::string j = "{\"metadata\": {\"buildtime\": \"2024-01-01T00:00:00Z\"},\n\"roas\": [";
  for (size_t i = 0; i < vrps.size(); ++i) {
    const Prefix p = *Prefix::Parse(vrps[i].first);
    j += fmt::format("{}{{\"asn\": {}, \"prefix\": \"{}\", \"maxLength\": {}, \"ta\": \"test\"}}\n",
                     i ? "," : "", vrps[i].second, p.ToString(), p.length());
  }
  return j + "]}\n";
}

TEST_F(LiveRpkiTest, FollowsStayRtrReReadingARewrittenVrpFile) {
  if (!test_util::HaveCommand("stayrtr")) GTEST_SKIP() << "stayrtr is not installed";
  const fs::path dir = fs::temp_directory_path() / fmt::format("vigia-live-rpki-{}", getpid());
  fs::create_directories(dir);
  const std::string file = (dir / "vrps.json").string();
  ASSERT_TRUE(rpki::WriteFileAtomically(file, StayRtrJson({{"198.51.100.0/24", 64500}})).ok());
  rpki::test::StayRtrProcess stayrtr(file, (dir / "stayrtr.log").string(), 1);
  ASSERT_TRUE(stayrtr.started());

  LiveDetector d(rules_, &ref_, &log_);
  test::Feeder f(&d, 1);
  f.Announce(0, "198.51.100.0/24", {64510, 64777});
  LiveRpki rpki(Fast(stayrtr.port()), &d);
  rpki.Start();
  PollUntil(rpki, log_, 1);
  ASSERT_EQ(log_.events.size(), 1u) << rpki.last_error();
  EXPECT_EQ(log_.events[0].key, "rpki_invalid|198.51.100.0/24|AS64777");

  ASSERT_TRUE(rpki::WriteFileAtomically(
                  file, StayRtrJson({{"198.51.100.0/24", 64500}, {"198.51.100.0/24", 64777}}))
                  .ok());
  PollUntil(rpki, log_, 2);
  ASSERT_EQ(log_.events.size(), 2u);
  EXPECT_EQ(log_.events[1].phase, EventPhase::kCleared);

  ASSERT_TRUE(rpki::WriteFileAtomically(file, StayRtrJson({{"192.0.2.0/24", 64500}})).ok());
  PollUntil(rpki, log_, 3);
  ASSERT_EQ(log_.events.size(), 3u);
  EXPECT_EQ(log_.events[2].key, "roa_disappeared|198.51.100.0/24");
  rpki.Stop();
  fs::remove_all(dir);
}

TEST(StoreEventSink, WritesRaisedAndClearedEvents) {
  const fs::path db = fs::temp_directory_path() / fmt::format("vigia-live-sink-{}.db", getpid());
  fs::remove(db);
  auto store = store::SqliteStore::Open(db.string());
  ASSERT_TRUE(store.ok()) << store.status().message();
  StoreEventSink sink(store->get());
  snapshot::Snapshot ref;
  LiveRules rules;
  rules.only_watched = false;
  rules.min_peers = 1;
  LiveDetector d(rules, &ref, &sink);
  test::Feeder f(&d, 2);
  f.Table(0, "192.0.2.0/24", {64510, 64500});
  f.Announce(1, "192.0.2.0/24", {64511, 64666});
  f.Withdraw(1, "192.0.2.0/24");
  EXPECT_EQ(sink.written(), 2u);
  EXPECT_EQ(sink.failed(), 0u);
  auto rows = (*store)->LiveEvents({});
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[1].phase, "raised");
  EXPECT_EQ((*rows)[0].phase, "cleared");
  EXPECT_EQ((*rows)[1].key, "hijack|192.0.2.0/24|AS64666");
  EXPECT_EQ((*rows)[1].type, "hijack");
  EXPECT_EQ((*rows)[1].culprit, 64666u);
  EXPECT_EQ((*rows)[1].propagator, std::optional<Asn>(64511));
  EXPECT_EQ((*rows)[1].victims, std::vector<Asn>{64500});
  EXPECT_EQ((*rows)[1].prefixes, std::vector<std::string>{"192.0.2.0/24"});
  EXPECT_EQ((*rows)[1].time, 1'800'000'000);
  EXPECT_NE((*rows)[1].evidence.find("example_paths"), std::string::npos);
  store->reset();
  fs::remove(db);
}

}  // namespace
}  // namespace vigia::live
