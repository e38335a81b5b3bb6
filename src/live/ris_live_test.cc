// RIS Live JSON as route events: the real stream of ../shared/data read
// through raw and through the JSON fields, both equal to python3's json
// reading; UPDATEs whose raw is made by our encoder; hostile lines.
#include "live/ris_live.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>

#include "bgp/encode.h"

namespace vigia::live {
namespace {

namespace fs = std::filesystem;

// "A host peer asn prefix nh path origin communities med" / "W host peer asn prefix" / "D ...".
struct TextSink : bgp::RouteSink {
  std::vector<std::string> names;
  std::multiset<std::string> routes;
  std::vector<std::string> problems;
  void Peer(bgp::PeerHandle h, const bgp::PeerInfo& i) override {
    if (names.size() <= h) names.resize(h + 1);
    names[h] = std::string(i.collector) + " " + i.ip.ToString() + " " + std::to_string(i.asn);
  }
  void Announce(const bgp::Route& r, const bgp::PathAttributes& a) override {
    std::string nh =
        a.Has(bgp::kAttrNextHop) && r.afi == bgp::kAfiIpv4 ? a.next_hop.ToString() : "";
    for (size_t i = 0; i < a.mp_reach_count; ++i) {
      if (a.mp_reach[i].afi == r.afi) nh = a.mp_reach[i].next_hop.ToString();
    }
    std::string comms;
    for (uint32_t c : a.communities) {
      comms +=
          (comms.empty() ? "" : ",") + std::to_string(c >> 16) + ":" + std::to_string(c & 0xFFFF);
    }
    routes.insert("A " + names[r.peer] + " " + r.prefix.ToString() + " " + nh + " [" +
                  a.as_path.ToString() + "] " + std::to_string(a.origin) + " [" + comms + "] " +
                  (a.Has(bgp::kAttrMed) ? std::to_string(a.med) : "-") + " t" +
                  std::to_string(r.time.seconds) + "." + std::to_string(r.time.microseconds));
  }
  void Withdraw(const bgp::Route& r, bgp::WithdrawCause) override {
    routes.insert("W " + names[r.peer] + " " + r.prefix.ToString());
  }
  void SessionDown(bgp::PeerHandle p, bgp::RouteTime) override { routes.insert("D " + names[p]); }
  void Problem(const bgp::FeedProblem& p) override { problems.push_back(p.ToString()); }
};

// python3's json module reading the same fields, printed like TextSink.
std::multiset<std::string> PythonReading(const std::string& file) {
  static const char* kScript = R"PY(
import ipaddress, json, sys
for line in open(sys.argv[1]):
    try:
        m = json.loads(line)
    except ValueError:
        continue
    if m.get("type") != "ris_message":
        continue
    d = m["data"]
    who = "%s %s %s" % (d["host"], ipaddress.ip_address(d["peer"]), int(d["peer_asn"]))
    if d.get("type") == "RIS_PEER_STATE" and d.get("state") == "down":
        print("D " + who)
    if d.get("type") != "UPDATE":
        continue
    ts = d["timestamp"]
    sec = int(ts)
    usec = min(999999, round((ts - sec) * 1e6))
    path = " ".join("{" + ",".join(str(x) for x in e) + "}" if isinstance(e, list) else str(e)
                    for e in d.get("path", []))
    origin = {"igp": 0, "egp": 1, "incomplete": 2}.get(d.get("origin", "igp").lower(), 0)
    comms = ",".join("%d:%d" % (a, b) for a, b in d.get("community", []))
    med = str(d["med"]) if "med" in d else "-"
    for w in d.get("withdrawals", []):
        print("W %s %s" % (who, ipaddress.ip_network(w, strict=False)))
    for a in d.get("announcements", []):
        nh = str(ipaddress.ip_address(a["next_hop"].split(",")[0]))
        for p in a["prefixes"]:
            print("A %s %s %s [%s] %d [%s] %s t%d.%d" %
                  (who, ipaddress.ip_network(p, strict=False), nh, path, origin, comms, med,
                   sec, usec))
)PY";
  const fs::path script =
      fs::temp_directory_path() / ("vigia_rislive_" + std::to_string(::getpid()) + ".py");
  std::ofstream(script) << kScript;
  const std::string cmd = "python3 '" + script.string() + "' '" + file + "'";
  std::unique_ptr<FILE, int (*)(FILE*)> f(popen(cmd.c_str(), "r"), pclose);
  std::string text;
  char buf[4096];
  for (size_t n; f && (n = fread(buf, 1, sizeof buf, f.get())) > 0;) text.append(buf, n);
  f.reset();
  fs::remove(script);
  std::multiset<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.insert(line);
  }
  return out;
}

std::string Hex(const std::vector<uint8_t>& b) {
  static const char* d = "0123456789ABCDEF";
  std::string s;
  for (uint8_t x : b) {
    s += d[x >> 4];
    s += d[x & 15];
  }
  return s;
}

// Messages with both raw (made by our encoder from the same attributes)
// and fields: AS_SET, communities, MED, IPv6 with a link-local next hop,
// withdrawals.
std::string Synthetic() {
  std::string out;
  auto add = [&](const std::string& fields, const bgp::Update& u) {
    std::vector<uint8_t> raw;
    bgp::EncodeUpdate(u, bgp::AttrContext{}, &raw);
    out += R"({"type":"ris_message","data":{"timestamp":1700000001.25,"peer":"2001:db8::7",)"
           R"("peer_asn":64510,"id":"x","host":"rrc21","type":"UPDATE",)" +
           fields + R"(,"raw":")" + Hex(raw) + "\"}}\n";
  };
  {
    bgp::Update u;
    bgp::PathAttributes& a = u.attrs;
    a.origin = 2;
    a.Set(bgp::kAttrOrigin);
    a.as_path.segments = {{bgp::kAsSequence, 2}, {bgp::kAsSet, 2}};
    a.as_path.asns = {64510, 3356, 65001, 65002};
    a.Set(bgp::kAttrAsPath);
    a.next_hop = *IpAddress::Parse("192.0.2.9");
    a.Set(bgp::kAttrNextHop);
    a.med = 50;
    a.Set(bgp::kAttrMed);
    a.communities = {3356u << 16 | 2, 64510u << 16 | 100};
    a.Set(bgp::kAttrCommunities);
    u.nlri = {{*Prefix::Parse("198.51.100.0/24")}, {*Prefix::Parse("203.0.113.128/25")}};
    u.withdrawn = {{*Prefix::Parse("192.0.2.0/24")}};
    add(R"("path":[64510,3356,[65001,65002]],"origin":"incomplete","med":50,)"
        R"("community":[[3356,2],[64510,100]],"withdrawals":["192.0.2.0/24"],)"
        R"("announcements":[{"next_hop":"192.0.2.9","prefixes":["198.51.100.0/24","203.0.113.128/25"]}])",
        u);
  }
  {
    bgp::Update u;
    bgp::PathAttributes& a = u.attrs;
    a.Set(bgp::kAttrOrigin);
    a.as_path.segments = {{bgp::kAsSequence, 3}};
    a.as_path.asns = {64510, 6939, 4200000000u};
    a.Set(bgp::kAttrAsPath);
    bgp::MpReach& m = a.AddMpReach();
    m.afi = bgp::kAfiIpv6;
    m.safi = bgp::kSafiUnicast;
    m.next_hop = *IpAddress::Parse("2001:db8::7");
    m.next_hop_link_local = *IpAddress::Parse("fe80::7");
    m.next_hop_length = 32;
    m.nlri = {{*Prefix::Parse("2001:db8:100::/48")}};
    bgp::MpUnreach& w = a.AddMpUnreach();
    w.afi = bgp::kAfiIpv6;
    w.safi = bgp::kSafiUnicast;
    w.nlri = {{*Prefix::Parse("2001:db8:200::/48")}};
    add(R"("path":[64510,6939,4200000000],"origin":"igp","withdrawals":["2001:db8:200::/48"],)"
        R"("announcements":[{"next_hop":"2001:db8::7,fe80::7","prefixes":["2001:db8:100::/48"]}])",
        u);
  }
  return out;
}

struct Readings {
  TextSink raw, fields;
  std::multiset<std::string> python;
  RisLiveStats raw_stats, field_stats;
};

Readings ReadAllWays(const std::string& file) {
  Readings r;
  std::vector<std::string> problems;
  EXPECT_TRUE(FeedRisLiveFile(file, &r.raw, &problems, {}, &r.raw_stats).ok());
  RisLiveOptions no_raw;
  no_raw.prefer_raw = false;
  EXPECT_TRUE(FeedRisLiveFile(file, &r.fields, nullptr, no_raw, &r.field_stats).ok());
  r.python = PythonReading(file);
  return r;
}

TEST(RisLiveFileReal, RawAndFieldsEqualPythonsReading) {
  const std::string file =
      std::string(VIGIA_SHARED_DATA) + "/mrt/libbgpstream-testdata/ris-live-stream.json";
  if (!fs::exists(file)) GTEST_SKIP() << file << " is absent";
  const Readings r = ReadAllWays(file);
  EXPECT_EQ(r.raw_stats.messages, 7u);
  EXPECT_EQ(r.raw_stats.updates, 1u);
  EXPECT_EQ(r.raw_stats.from_raw, 1u);
  EXPECT_EQ(r.field_stats.from_fields, 1u);
  EXPECT_EQ(r.raw_stats.sessions_down, 1u);
  EXPECT_EQ(r.raw.routes, r.python);
  EXPECT_EQ(r.fields.routes, r.python);
  EXPECT_TRUE(r.raw.routes.count(
      "A rrc00 72.22.223.9 11708 45.161.192.0/23 72.22.223.9 [11708 32097 1299 52320 263009 "
      "263009 263009 263009 263009 52993 268481 268481] 0 [] - t1553627987.890000"));
  // The ris_error line is a note naming the line; the last line of the
  // file is cut (its closing brace is missing).
  ASSERT_EQ(r.raw.problems.size(), 2u) << r.raw.problems.back();
  EXPECT_NE(r.raw.problems[1].find("line 7: not a JSON object"), std::string::npos)
      << r.raw.problems[1];
  EXPECT_NE(r.raw.problems[0].find("line 3: ris_error: this is a test error message"),
            std::string::npos)
      << r.raw.problems[0];
  std::printf("ris-live-stream.json: %zu route events; raw vs python: %s, fields vs python: %s\n",
              r.python.size(), r.raw.routes == r.python ? "equal" : "DIFFER",
              r.fields.routes == r.python ? "equal" : "DIFFER");
}

TEST(RisLiveFile, EncodedRawAndFieldsGiveTheSameRoutes) {
  const fs::path file =
      fs::temp_directory_path() / ("vigia_rislive_" + std::to_string(::getpid()) + ".json");
  std::ofstream(file) << Synthetic();
  const Readings r = ReadAllWays(file.string());
  fs::remove(file);
  EXPECT_EQ(r.raw_stats.from_raw, 2u);
  EXPECT_EQ(r.field_stats.from_fields, 2u);
  EXPECT_EQ(r.raw.routes.size(), 5u);  // 2 withdrawals, 3 announcements
  EXPECT_EQ(r.raw.routes, r.fields.routes);
  EXPECT_EQ(r.raw.routes, r.python);
  EXPECT_TRUE(r.raw.problems.empty()) << r.raw.problems.front();
  EXPECT_TRUE(r.fields.problems.empty()) << r.fields.problems.front();
}

TEST(RisLiveFile, HostileLinesAreProblemsWithLineNumbersAndTheFeedGoesOn) {
  const std::string good =
      R"({"type":"ris_message","data":{"timestamp":1.5,"peer":"192.0.2.1","peer_asn":"1","host":"h","type":"UPDATE","path":[1],"announcements":[{"next_hop":"192.0.2.1","prefixes":["10.0.0.0/8"]}]}})";
  const std::string text =
      "not json\n" +                                                                        // 1
      std::string(R"({"type":"ris_message","data":{"peer":"x","peer_asn":"1"}})") + "\n" +  // 2
      R"({"type":"ris_message","data":{"peer":"192.0.2.1","peer_asn":"1","host":"h","type":"UPDATE","raw":"ZZ","path":[1],"announcements":[{"next_hop":"192.0.2.1","prefixes":["10.1.0.0/16"]}]}})"
      "\n" +  // 3
      R"({"type":"ris_message","data":{"peer":"192.0.2.1","peer_asn":"1","host":"h","type":"UPDATE","path":"x","community":[[1]],"med":-1,"announcements":[{"next_hop":"bad","prefixes":["10.2.0.0/16"]},{"next_hop":"192.0.2.1","prefixes":["nope","10.3.0.0/16"]}]}})"
      "\n" +  // 4
      R"({"type":"ris_message","data":{"peer":"192.0.2.1","peer_asn":"1","host":"h","type":"UPDATE","raw":"FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001304"}})"
      "\n" +  // 5: a KEEPALIVE as raw
      "[1,2,3]\n" +
      std::string(100, '[') + "\n" + "\n" + good + "\n" + "{\"type\":";  // 6..10
  const fs::path file =
      fs::temp_directory_path() / ("vigia_rislive_bad_" + std::to_string(::getpid()) + ".json");
  std::ofstream(file) << text;
  TextSink sink;
  std::vector<std::string> problems;
  RisLiveStats stats;
  ASSERT_TRUE(FeedRisLiveFile(file.string(), &sink, &problems, {}, &stats).ok());
  fs::remove(file);
  // Routes: 10.1/16 (raw bad, fields used), 10.3/16 (line 4, despite its
  // bad neighbours), 10/8 (line 9).
  EXPECT_EQ(sink.routes.size(), 3u);
  auto has = [&](const char* what) {
    for (const std::string& p : problems) {
      if (p.find(what) != std::string::npos) return true;
    }
    return false;
  };
  EXPECT_TRUE(has("line 1: not a JSON object"));
  EXPECT_TRUE(has("line 2: ris_message without a valid peer"));
  EXPECT_TRUE(has("line 3: raw: raw is not an even-length hex string"));
  EXPECT_TRUE(has("line 4: field path has the wrong form"));
  EXPECT_TRUE(has("line 4: field community"));
  EXPECT_TRUE(has("line 4: field med"));
  EXPECT_TRUE(has("line 4: field announcements[].next_hop/prefixes"));
  EXPECT_TRUE(has("line 4: field announcements[].prefixes[]"));
  EXPECT_TRUE(has("line 5: raw: raw is a BGP message of type 4"));
  EXPECT_TRUE(has("line 6: not a JSON object"));
  EXPECT_TRUE(has("line 7: not a JSON object"));
  EXPECT_TRUE(has("line 10: not a JSON object"));
  EXPECT_EQ(stats.messages, 9u);  // the empty line 8 is not a message
}

TEST(RisLiveFile, OverlongLineIsSkippedWithoutBufferingIt) {
  const fs::path file =
      fs::temp_directory_path() / ("vigia_rislive_long_" + std::to_string(::getpid()) + ".json");
  {
    std::ofstream out(file);
    out << std::string(kMaxRisLiveMessage + 10, ' ') << "\n";
    out << R"({"type":"ris_message","data":{"peer":"192.0.2.1","peer_asn":"1","host":"h","type":"RIS_PEER_STATE","state":"down"}})"
        << "\n";
  }
  TextSink sink;
  std::vector<std::string> problems;
  ASSERT_TRUE(FeedRisLiveFile(file.string(), &sink, &problems).ok());
  fs::remove(file);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("line 1: line exceeds kMaxRisLiveMessage"), std::string::npos);
  EXPECT_EQ(sink.routes, (std::multiset<std::string>{"D h 192.0.2.1 1"}));
}

TEST(RisLiveFile, MissingFileIsAnIoError) {
  TextSink sink;
  EXPECT_FALSE(FeedRisLiveFile("/nonexistent/ris.json", &sink).ok());
}

}  // namespace
}  // namespace vigia::live
