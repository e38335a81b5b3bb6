// The detection rule scenarios (tests/scenarios/*.scn; the format is in
// tests/scenarios/README.md): one gtest per file, found when the binary
// starts, named Scenarios.<file name>. Each is parsed, written as a real
// snapshot directory, loaded with LoadSnapshot() and run through Detect();
// the incidents must equal its expect lines, nothing missing, nothing
// extra. A parse error or a difference fails at the .scn file's line.
//
// A scenario marked `gap` (a documented outcome the detectors do not give
// yet) is skipped with the difference; when it starts to pass, the test
// says to drop the mark.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "detect/detect.h"
#include "detect/incident_type.h"
#include "detect/scenario_file.h"

namespace vigia::detect::scenario {
namespace {

namespace fs = std::filesystem;

fs::path ScenarioDir() { return fs::path(VIGIA_SOURCE_DIR) / "tests" / "scenarios"; }
fs::path IncludeDir() { return ScenarioDir() / "include"; }

std::vector<fs::path> ScenarioFiles() {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(ScenarioDir(), ec)) {
    if (e.is_regular_file() && e.path().extension() == ".scn") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// A gtest name from a file name: letters, digits and '_'.
std::string TestName(const fs::path& file) {
  std::string n = file.stem().string();
  for (char& c : n) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return n;
}

// The server-made text of every incident is translatable (issue 15): each
// reason has a key with arguments in the evidence, the key is defined in
// every web/src/locales/server-detect.*.json, and each placeholder of its
// text is one of the arguments.
void CheckReasonKeys(const fs::path& file, const std::vector<Incident>& detected) {
  static const std::map<std::string, nlohmann::json> locales = [] {
    std::map<std::string, nlohmann::json> out;
    for (const char* lang : {"en", "es", "pt"}) {
      std::ifstream in(fs::path(VIGIA_SOURCE_DIR) / "web" / "src" / "locales" /
                       fmt::format("server-detect.{}.json", lang));
      out[lang] = nlohmann::json::parse(in, nullptr, false);
    }
    return out;
  }();
  const std::regex placeholder(R"(\{(\w+)\})");
  for (const Incident& in : detected) {
    const auto e = nlohmann::json::parse(in.evidence, nullptr, false);
    ASSERT_TRUE(e.is_object() && e.contains("reason_keys")) << in.evidence;
    ASSERT_EQ(e["reason_keys"].size(), e["reasons"].size()) << in.evidence;
    for (const auto& k : e["reason_keys"]) {
      const std::string key = k["key"];
      EXPECT_NE(key, "detect.reason.text") << file << ": a reason with no key: " << k.dump();
      for (const auto& [lang, texts] : locales) {
        ASSERT_TRUE(texts.is_object()) << "server-detect." << lang << ".json does not parse";
        ASSERT_TRUE(texts.contains(key)) << key << " missing from server-detect." << lang;
        const std::string text = texts[key];
        for (auto m = std::sregex_iterator(text.begin(), text.end(), placeholder);
             m != std::sregex_iterator(); ++m) {
          EXPECT_TRUE(k["args"].contains((*m)[1].str()))
              << lang << " " << key << " needs {" << (*m)[1].str() << "}: " << k.dump();
        }
      }
    }
  }
}

void RunScenario(const fs::path& file) {
  Scenario s;
  if (auto err = ParseScenarioFile(file, IncludeDir(), &s)) {
    ADD_FAILURE_AT(err->where.file.c_str(), err->where.line)
        << "scenario parse error: " << err->message;
    return;
  }
  ::testing::Test::RecordProperty("rule", s.rule);
  const fs::path dir =
      fs::temp_directory_path() / fmt::format("vigia_rules_test_{}_{}", getpid(), TestName(file));
  fs::remove_all(dir);
  struct Cleanup {
    fs::path dir;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } cleanup{dir};
  const Status written = WriteScenarioSnapshot(s, dir);
  ASSERT_TRUE(written.ok()) << written.message();

  Snapshot snap;
  const Status st = LoadSnapshot(dir.string(), &snap);
  ASSERT_TRUE(st.ok()) << st.message();
  // The scenario's files must read cleanly, or the test proves nothing.
  for (const std::string& p : snap.problems)
    ADD_FAILURE_AT(file.c_str(), 0) << "snapshot problem: " << p;
  ASSERT_EQ(snap.window_start, s.window_start);
  ASSERT_EQ(snap.window_end, s.window_end);
  ASSERT_EQ(snap.routes.stats().records_skipped, 0u);
  size_t routes = 0;
  for (const RouteEvent& e : s.events) routes += e.rib ? 1 : 0;
  ASSERT_EQ(snap.routes.stats().rib_entries, routes);
  ASSERT_EQ(snap.have_registry, !s.delegated.empty());
  snap.history = s.history;

  const std::vector<Incident> detected = Detect(snap);
  CheckReasonKeys(file, detected);
  const std::vector<Mismatch> diff = CompareIncidents(s, detected);
  if (s.gap) {
    if (!diff.empty()) {
      std::string text;
      for (const Mismatch& m : diff)
        text += fmt::format("\n  {}:{}: {}", m.where.file, m.where.line, m.message);
      GTEST_SKIP() << "known gap: " << *s.gap << "\n  rule: " << s.rule << text;
    }
    ADD_FAILURE_AT(file.c_str(), 0)
        << "now behaves as documented: drop its 'gap' line (" << *s.gap << ")";
    return;
  }
  for (const Mismatch& m : diff) {
    ADD_FAILURE_AT(m.where.file.c_str(), m.where.line) << m.message << "\n  rule: " << s.rule;
  }
}

class ScenarioTest : public ::testing::Test {
 public:
  explicit ScenarioTest(fs::path file) : file_(std::move(file)) {}
  void TestBody() override { RunScenario(file_); }

 private:
  fs::path file_;
};

// One test per file, registered before main() runs the tests.
const bool kRegistered = [] {
  for (const fs::path& f : ScenarioFiles()) {
    ::testing::RegisterTest("Scenarios", TestName(f).c_str(), nullptr, nullptr, f.c_str(), 1,
                            [f]() -> ::testing::Test* { return new ScenarioTest(f); });
  }
  return true;
}();

TEST(ScenarioRunner, FindsTheScenarios) {
  ASSERT_TRUE(kRegistered);
  EXPECT_GE(ScenarioFiles().size(), 40u) << ScenarioDir();
}

// Every registered incident type (the built-in ones: this binary adds none)
// has a scenario about it (`checks`) that expects one, and one that
// expects none of it.
TEST(ScenarioRunner, EveryTypeHasPositiveAndNegativeScenarios) {
  std::map<std::string, int> positive, negative;
  for (const fs::path& f : ScenarioFiles()) {
    Scenario s;
    auto err = ParseScenarioFile(f, IncludeDir(), &s);
    ASSERT_FALSE(err) << err->where.file << ":" << err->where.line << ": " << err->message;
    if (s.gap) continue;
    for (const std::string& type : s.checks) {
      const bool expects = std::any_of(s.expected.begin(), s.expected.end(),
                                       [&](const Expected& x) { return x.type == type; });
      ++(expects ? positive : negative)[type];
    }
  }
  ASSERT_GE(IncidentTypes().size(), 7u);
  for (const IncidentType& t : IncidentTypes()) {
    EXPECT_GT(positive[std::string(t.name)], 0) << t.name << ": no scenario expects one";
    EXPECT_GT(negative[std::string(t.name)], 0)
        << t.name << ": no scenario checks it and expects none";
  }
}

// The parser's own errors name the file and line, and types come from the
// registry.
TEST(ScenarioRunner, ParseErrorsNameTheLine) {
  Scenario s;
  const std::string head = "rule test\nchecks hijack\ninclude base\n";
  auto err = ParseScenario(head + "rib p1000 85.10.0.0/16 1000 x\nexpect none\n", "t.scn",
                           IncludeDir(), &s);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->where.file, "t.scn");
  EXPECT_EQ(err->where.line, 4);
  EXPECT_NE(err->message.find("bad ASN: x"), std::string::npos) << err->message;

  err =
      ParseScenario(head + "expect hijacking exact culprit=1 propagator=none prefixes=10.0.0.0/8\n",
                    "t.scn", IncludeDir(), &s);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->where.line, 4);
  EXPECT_NE(err->message.find("unknown incident type 'hijacking'"), std::string::npos)
      << err->message;

  err = ParseScenario(head, "t.scn", IncludeDir(), &s);
  ASSERT_TRUE(err);
  EXPECT_NE(err->message.find("expect none"), std::string::npos) << err->message;

  err = ParseScenario("checks hijack\ninclude base\nexpect none\n", "t.scn", IncludeDir(), &s);
  ASSERT_TRUE(err);
  EXPECT_NE(err->message.find("rule"), std::string::npos) << err->message;

  err = ParseScenario("include nosuchblock\n", "t.scn", IncludeDir(), &s);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->where.line, 1);
}

// A difference names the expect line it concerns.
TEST(ScenarioRunner, MismatchesNameTheExpectLine) {
  Scenario s;
  auto err = ParseScenario(
      "rule test\nchecks hijack\ninclude base\n"
      "expect hijack exact culprit=3400 propagator=2200 prefixes=85.10.0.0/16\n",
      "t.scn", IncludeDir(), &s);
  ASSERT_FALSE(err) << err->message;
  Incident other;
  other.type = std::string(kRouteLeak);
  other.kind = "rfc7908_type1";
  other.culprit = 3500;
  other.prefixes = {*Prefix::Parse("85.30.0.0/16")};
  const auto diff = CompareIncidents(s, {other});
  ASSERT_EQ(diff.size(), 2u);
  EXPECT_EQ(diff[0].where.line, 4);
  EXPECT_EQ(diff[0].message.rfind("missing: hijack", 0), 0u) << diff[0].message;
  EXPECT_EQ(diff[1].message.rfind("extra:   route_leak", 0), 0u) << diff[1].message;
}

}  // namespace
}  // namespace vigia::detect::scenario
