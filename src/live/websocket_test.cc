// The RFC 6455 pieces (URL, handshake, frames) on crafted and hostile
// input, and RisLiveClient against a real websocket server (Debian's
// python3-websockets) on loopback: lines, fragments, ping/pong, a server
// close and an oversized frame, each followed by what the client must do.
#include "live/websocket.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/test_daemon.h"
#include "live/ris_live.h"
#include "live/test_recorder.h"

namespace vigia::live {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Bytes = std::vector<uint8_t>;

TEST(WsUrl, ParsesHostPortAndPath) {
  auto u = ParseWsUrl("ws://ris-live.ripe.net/v1/ws/?client=vigia");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "ris-live.ripe.net");
  EXPECT_EQ(u->port, 80);
  EXPECT_EQ(u->path, "/v1/ws/?client=vigia");
  u = ParseWsUrl("ws://[::1]:8080");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 8080);
  EXPECT_EQ(u->path, "/");
}

TEST(WsUrl, RefusesTlsBadPortsAndOtherSchemes) {
  EXPECT_EQ(ParseWsUrl("wss://x/").status().code(), StatusCode::kUnsupported);
  EXPECT_FALSE(ParseWsUrl("http://x/").ok());
  EXPECT_FALSE(ParseWsUrl("ws://x:0/").ok());
  EXPECT_FALSE(ParseWsUrl("ws://x:70000/").ok());
  EXPECT_FALSE(ParseWsUrl("ws://:80/").ok());
  EXPECT_FALSE(ParseWsUrl("ws://[::1/").ok());
}

TEST(WsHandshake, AcceptIsTheRfcExample) {
  // RFC 6455 §1.3.
  EXPECT_EQ(WsAcceptFor("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WsHandshake, ChecksStatusUpgradeConnectionAndAccept) {
  const std::string key = "dGhlIHNhbXBsZSBub25jZQ==";
  const std::string good =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n"
      "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
  EXPECT_TRUE(CheckWsHandshakeResponse(good, key).ok());
  EXPECT_FALSE(CheckWsHandshakeResponse("HTTP/1.1 200 OK\r\n\r\n", key).ok());
  std::string wrong = good;
  wrong.replace(wrong.find("s3pP"), 4, "AAAA");
  EXPECT_FALSE(CheckWsHandshakeResponse(wrong, key).ok());
  std::string no_upgrade = good;
  no_upgrade.replace(no_upgrade.find("websocket"), 9, "h2c");
  EXPECT_FALSE(CheckWsHandshakeResponse(no_upgrade, key).ok());
  const std::string ext =
      good.substr(0, good.size() - 2) + "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n";
  EXPECT_FALSE(CheckWsHandshakeResponse(ext, key).ok());
  EXPECT_FALSE(CheckWsHandshakeResponse("", key).ok());
}

WsParse Parse(const Bytes& b, WsFrame* f, Status* err, size_t cap = 1 << 20, bool masked = false) {
  static std::vector<uint8_t> buf;
  return ParseWsFrame(b, cap, masked, f, &buf, err);
}

TEST(WsFrame, EncodedClientFramesParseBackAtEveryLengthForm) {
  for (size_t n : {0u, 5u, 125u, 126u, 65535u, 65536u, 100000u}) {
    Bytes payload(n);
    for (size_t i = 0; i < n; ++i) payload[i] = static_cast<uint8_t>(i * 7);
    Bytes frame;
    EncodeWsFrame(kWsText, true, payload, 0x12345678, &frame);
    WsFrame f;
    Status err;
    EXPECT_EQ(Parse(frame, &f, &err, 1 << 20, false), WsParse::kError) << "masked, n=" << n;
    ASSERT_EQ(Parse(frame, &f, &err, 1 << 20, true), WsParse::kFrame) << n;
    EXPECT_EQ(f.size, frame.size());
    EXPECT_TRUE(f.fin);
    EXPECT_EQ(f.opcode, kWsText);
    EXPECT_EQ(Bytes(f.payload.begin(), f.payload.end()), payload);
    // Every proper prefix needs more.
    for (size_t cut : {size_t{0}, size_t{1}, frame.size() / 2, frame.size() - 1}) {
      EXPECT_EQ(Parse(Bytes(frame.begin(), frame.begin() + cut), &f, &err, 1 << 20, true),
                WsParse::kNeedMore)
          << n << " cut " << cut;
    }
  }
}

TEST(WsFrame, ServerFrameIsUnmasked) {
  WsFrame f;
  Status err;
  const Bytes in = {0x81, 3, 'a', 'b', 'c', 0x89};
  ASSERT_EQ(Parse(in, &f, &err), WsParse::kFrame);
  EXPECT_EQ(f.size, 5u);
  EXPECT_EQ(std::string(f.payload.begin(), f.payload.end()), "abc");
}

TEST(WsFrame, HostileHeadersAreErrors) {
  WsFrame f;
  Status err;
  EXPECT_EQ(Parse({0xC1, 0}, &f, &err), WsParse::kError);  // RSV1 without an extension
  EXPECT_EQ(Parse({0x83, 0}, &f, &err), WsParse::kError);  // opcode 3 is reserved
  EXPECT_EQ(Parse({0x09, 0}, &f, &err), WsParse::kError);  // fragmented ping
  Bytes long_ping = {0x89, 126, 0, 126};
  long_ping.resize(4 + 126);
  EXPECT_EQ(Parse(long_ping, &f, &err), WsParse::kError);  // control frame over 125
  // A 64-bit length with the top bit set, and one over the cap: refused
  // from the header alone, before any payload arrives.
  EXPECT_EQ(Parse({0x81, 127, 0x80, 0, 0, 0, 0, 0, 0, 1}, &f, &err), WsParse::kError);
  EXPECT_EQ(Parse({0x81, 127, 0, 0, 0, 1, 0, 0, 0, 0}, &f, &err), WsParse::kError);
  EXPECT_EQ(err.code(), StatusCode::kLimitExceeded);
  EXPECT_EQ(Parse({0x81, 126, 0x04, 0x01}, &f, &err, 1024), WsParse::kError);
  EXPECT_EQ(Parse({0x81, 126, 0x04, 0x00}, &f, &err, 1024), WsParse::kNeedMore);
}

// ---------------------------------------------------------------- against a real server

const char* kServer = VIGIA_SOURCE_DIR "/src/live/testdata/ws_server.py";

bool HaveWebsockets() {
  return std::system("/usr/bin/python3 -c 'import websockets' >/dev/null 2>&1") == 0;
}

// python3 ws_server.py in its own process group; killed and reaped.
class WsServer {
 public:
  WsServer(const std::string& mode, const std::string& file = "") {
    dir_ = fs::temp_directory_path() /
           ("vigia_ws_test_" + std::to_string(::getpid()) + "_" + std::to_string(++count_));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    portfile_ = (dir_ / "port").string();
    std::vector<std::string> argv = {"/usr/bin/python3", kServer, portfile_, mode};
    if (!file.empty()) argv.push_back(file);
    daemon_ = std::make_unique<test_util::Daemon>(std::move(argv), dir_ / "log");
    test_util::WaitFor([this] { return fs::exists(portfile_); }, 10s);
    std::ifstream in(portfile_);
    in >> port_;
  }
  ~WsServer() {
    daemon_.reset();
    fs::remove_all(dir_);
  }
  int port() const { return port_; }
  std::string url() const { return "ws://127.0.0.1:" + std::to_string(port_) + "/v1/ws/"; }
  std::string Read(const std::string& suffix) const {
    std::ifstream in(portfile_ + suffix);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

 private:
  static inline int count_ = 0;
  fs::path dir_;
  std::string portfile_;
  std::unique_ptr<test_util::Daemon> daemon_;
  int port_ = 0;
};

// Runs the client until done() or 15 s.
template <typename F>
void RunUntil(RisLiveClient* c, F done) {
  const auto end = std::chrono::steady_clock::now() + 15s;
  while (!done() && std::chrono::steady_clock::now() < end) {
    ASSERT_TRUE(c->RunOnce(50ms).ok());
  }
}

#define REQUIRE_WEBSOCKETS()                                                                    \
  if (!HaveWebsockets()) {                                                                      \
    GTEST_SKIP() << "python3-websockets is not installed (apt-get install python3-websockets)"; \
  }

RisLiveClientOptions Options(const WsServer& s) {
  RisLiveClientOptions o;
  o.url = s.url();
  o.subscribe = R"({"host":"rrc99","type":"UPDATE","includeRaw":true})";
  o.backoff_min = 100ms;
  o.backoff_max = 400ms;
  return o;
}

TEST(RisLiveClientReal, StreamsTheRealRisLiveLinesAndSubscribes) {
  REQUIRE_WEBSOCKETS();
  const std::string file =
      std::string(VIGIA_SHARED_DATA) + "/mrt/libbgpstream-testdata/ris-live-stream.json";
  if (!fs::exists(file)) GTEST_SKIP() << file << " is absent";
  WsServer server("lines", file);
  ASSERT_GT(server.port(), 0) << "the websocket server did not start";
  test::RouteRecorder rec;
  RisLiveClient client(Options(server), &rec);
  RunUntil(&client, [&] { return client.counters().messages >= 7; });
  EXPECT_TRUE(client.open());
  EXPECT_GE(client.fd(), 0);
  EXPECT_EQ(client.counters().messages, 7u);  // every line of the file
  EXPECT_EQ(client.stats().updates, 1u);
  EXPECT_EQ(client.stats().from_raw, 1u);
  EXPECT_EQ(client.stats().sessions_down, 1u);
  EXPECT_EQ(rec.Origin(0, "45.161.192.0/23", 0), 268481u);
  EXPECT_EQ(server.Read(".sub"),
            "{\"type\":\"ris_subscribe\",\"data\":{\"host\":\"rrc99\",\"type\":\"UPDATE\","
            "\"includeRaw\":true}}\n");
}

TEST(RisLiveClientReal, ReassemblesFragmentedMessages) {
  REQUIRE_WEBSOCKETS();
  WsServer server("fragment");
  ASSERT_GT(server.port(), 0);
  test::RouteRecorder rec;
  RisLiveClient client(Options(server), &rec);
  RunUntil(&client, [&] { return rec.Count() >= 2; });
  EXPECT_EQ(client.counters().messages, 2u);
  EXPECT_EQ(rec.Origin(0, "198.51.100.0/24", 0), 64501u);
  EXPECT_EQ(rec.Origin(0, "203.0.113.0/24", 0), 64501u);
  EXPECT_TRUE(rec.problems().empty()) << rec.problems().front();
}

TEST(RisLiveClientReal, AnswersPingWithPong) {
  REQUIRE_WEBSOCKETS();
  WsServer server("ping");
  ASSERT_GT(server.port(), 0);
  test::RouteRecorder rec;
  RisLiveClient client(Options(server), &rec);
  // The server sends its route only once our pong came back.
  RunUntil(&client, [&] { return rec.Count() >= 1; });
  EXPECT_EQ(client.counters().pings, 1u);
  EXPECT_EQ(rec.Count(), 1u);
}

TEST(RisLiveClientReal, ServerCloseIsAnsweredAndTheClientReconnects) {
  REQUIRE_WEBSOCKETS();
  WsServer server("close");
  ASSERT_GT(server.port(), 0);
  test::RouteRecorder rec;
  RisLiveClient client(Options(server), &rec);
  RunUntil(&client, [&] {
    const std::string subs = server.Read(".sub");
    return std::count(subs.begin(), subs.end(), '\n') >= 2;
  });
  EXPECT_GE(client.counters().closes, 1u);
  EXPECT_EQ(client.counters().errors, 0u);
  EXPECT_GE(client.counters().handshakes, 2u);
  bool told = false;
  for (const std::string& p : rec.problems()) {
    told = told || p.find("server closed the websocket (code 4000: bye)") != std::string::npos;
  }
  EXPECT_TRUE(told);
  // The subscription is sent again on every connection.
  const std::string subs = server.Read(".sub");
  EXPECT_GE(std::count(subs.begin(), subs.end(), '\n'), 2);
}

TEST(RisLiveClientReal, OversizedFrameDropsTheConnectionThenRecovers) {
  REQUIRE_WEBSOCKETS();
  WsServer server("oversized");
  ASSERT_GT(server.port(), 0);
  test::RouteRecorder rec;
  RisLiveClientOptions o = Options(server);
  o.max_frame = 65536;  // the server's first message is 70,000 octets
  RisLiveClient client(o, &rec);
  RunUntil(&client, [&] { return rec.Count() >= 1; });
  EXPECT_EQ(client.counters().errors, 1u);
  EXPECT_EQ(rec.Count(), 1u);  // from the second connection
  bool told = false;
  for (const std::string& p : rec.problems()) {
    told = told || p.find("exceeds the cap of 65536") != std::string::npos;
  }
  EXPECT_TRUE(told);
}

TEST(RisLiveClientReal, NobodyListeningBacksOffAndRetries) {
  test::RouteRecorder rec;
  RisLiveClientOptions o;
  o.url = "ws://127.0.0.1:1/";  // nothing listens on port 1
  o.backoff_min = 20ms;
  o.backoff_max = 40ms;
  RisLiveClient client(o, &rec);
  RunUntil(&client, [&] { return client.counters().connects >= 3; });
  EXPECT_GE(client.counters().errors, 3u);
  EXPECT_FALSE(client.open());
  EXPECT_EQ(client.fd(), -1);
  RisLiveClientOptions bad;
  bad.url = "http://x/";
  RisLiveClient b(bad, &rec);
  EXPECT_FALSE(b.RunOnce(1ms).ok());
}

}  // namespace
}  // namespace vigia::live
