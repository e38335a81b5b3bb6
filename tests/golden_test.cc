// Golden tests: the output of `vigia` commands and API answers on fixed
// inputs, compared byte for byte with files under tests/golden/ (STYLE.md:
// expected outputs reviewed as diffs). The cases are data:
// tests/golden/cases.txt, one line each,
//
//   NAME  cmd  ARGS...      `vigia ARGS`: its exit status and standard output
//   NAME  get  PATH         GET PATH from `vigia serve` over the fixed store
//
// where ARGS and PATH may hold ${DATA} (../shared/data), ${SNAP} (a fixed
// simulated snapshot: `simulate --seed 7 --ases 300 --prefixes 3000
// --peers 6`) and ${DB} (its store after `analyze`). The expected output of
// NAME is tests/golden/NAME.out. Outputs are normalised before comparison:
// the temporary paths become ${SNAP}, ${DB} and ${DATA}, and JSON values that
// change from run to run (the store's creation time, durations) become
// "<volatile>" (kVolatileKeys).
//
// Regenerate after an intended change with scripts/update-golden.sh (it
// runs this program with VIGIA_UPDATE_GOLDEN=1, which writes the files), and
// review the diff. Cases that read ../shared/data are skipped with a message
// when it is absent.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/test_util.h"

namespace vigia {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test_util::Exit;
using test_util::RunCommand;
using test_util::Vigia;

const fs::path kGoldenDir = fs::path(VIGIA_SOURCE_DIR) / "tests" / "golden";

// JSON keys whose values depend on when and how fast the run was.
const std::set<std::string> kVolatileKeys = {"created",      "seconds",       "elapsed_seconds",
                                             "load_seconds", "mrt_seconds",   "reference_seconds",
                                             "time",         "uptime_seconds"};

struct Case {
  std::string name, kind, args;
  int line = 0;
};

// gtest prints a failing case's parameter with this.
void PrintTo(const Case& c, std::ostream* os) { *os << c.name << " (cases.txt:" << c.line << ")"; }

std::vector<Case> ReadCases() {
  std::vector<Case> cases;
  std::ifstream in(kGoldenDir / "cases.txt");
  int n = 0;
  for (std::string line; std::getline(in, line);) {
    ++n;
    if (line.empty() || line[0] == '#') continue;
    std::istringstream s(line);
    Case c;
    c.line = n;
    s >> c.name >> c.kind;
    std::getline(s >> std::ws, c.args);
    cases.push_back(c);
  }
  return cases;
}

// The fixed simulated snapshot and its store, made once per run.
struct Fixture {
  fs::path dir, snap, db;
  pid_t server = -1;
  int port = 0;
  std::string error;
};

Fixture& Shared() {
  static Fixture* f = [] {
    auto* x = new Fixture;
    x->dir = test_util::FreshTempDir("vigia_golden_");
    x->snap = x->dir / "snap";
    x->db = x->dir / "vigia.db";
    int status = 0;
    const std::string sim =
        RunCommand(Vigia() + " simulate --seed 7 --ases 300 --prefixes 3000 --peers 6 --out " +
                       x->snap.string() + " 2>&1",
                   &status);
    if (Exit(status) != 0) x->error = "simulate failed: " + sim;
    const std::string an = RunCommand(
        Vigia() + " analyze --db sqlite:" + x->db.string() + " " + x->snap.string() + " 2>&1",
        &status);
    if (x->error.empty() && Exit(status) != 0) x->error = "analyze failed: " + an;
    return x;
  }();
  return *f;
}

// Starts `vigia serve` over the fixture's store on a kernel-chosen port.
int ServerPort() {
  Fixture& f = Shared();
  if (f.port != 0 || !f.error.empty()) return f.port;
  f.server = test_util::StartVigia(
      "serve --no-access-log --listen 127.0.0.1:0 --db sqlite:" + f.db.string(),
      f.dir / "serve.out", &f.port);
  if (f.port == 0) f.error = "vigia serve did not start";
  return f.port;
}

void ReplaceAll(std::string* s, const std::string& from, const std::string& to) {
  if (from.empty()) return;
  for (size_t at = s->find(from); at != std::string::npos; at = s->find(from, at + to.size())) {
    s->replace(at, from.size(), to);
  }
}

std::string Expand(std::string s) {
  ReplaceAll(&s, "${DATA}", test_util::SharedData());
  ReplaceAll(&s, "${SNAP}", Shared().snap.string());
  ReplaceAll(&s, "${DB}", Shared().db.string());
  return s;
}

void MaskVolatile(json* j) {
  if (j->is_object()) {
    for (auto& [key, value] : j->items()) {
      if (kVolatileKeys.count(key) && !value.is_structured()) {
        value = "<volatile>";
      } else {
        MaskVolatile(&value);
      }
    }
  } else if (j->is_array()) {
    for (auto& v : *j) MaskVolatile(&v);
  }
}

// Each line that is a JSON document is masked and written back compactly;
// a whole-output JSON document is pretty-printed so that diffs are small.
std::string Normalise(std::string out) {
  ReplaceAll(&out, Shared().snap.string(), "${SNAP}");
  ReplaceAll(&out, Shared().db.string(), "${DB}");
  ReplaceAll(&out, fs::weakly_canonical(test_util::SharedData()).string(), "${DATA}");
  ReplaceAll(&out, test_util::SharedData(), "${DATA}");
  json whole = json::parse(out, nullptr, false);
  if (!whole.is_discarded() && whole.is_structured()) {
    MaskVolatile(&whole);
    return whole.dump(1) + "\n";
  }
  std::string result;
  for (const std::string& line : test_util::Lines(out)) {
    json j = (!line.empty() && line[0] == '{') ? json::parse(line, nullptr, false) : json();
    if (j.is_object()) {
      MaskVolatile(&j);
      result += j.dump() + "\n";
    } else {
      result += line + "\n";
    }
  }
  return result;
}

std::string RunCase(const Case& c) {
  if (c.kind == "cmd") {
    int status = 0;
    const std::string out = RunCommand(Vigia() + " " + Expand(c.args) + " 2>/dev/null", &status);
    return fmt::format("exit {}\n", Exit(status)) + Normalise(out);
  }
  httplib::Client client("127.0.0.1", ServerPort());
  client.set_read_timeout(30, 0);
  auto r = client.Get(Expand(c.args).c_str());
  if (!r) return "no answer\n";
  return fmt::format("status {}\n", r->status) + Normalise(r->body);
}

class Golden : public testing::TestWithParam<Case> {};

TEST_P(Golden, OutputMatches) {
  const Case& c = GetParam();
  if (c.args.find("${DATA}") != std::string::npos && !test_util::HaveSharedData()) {
    GTEST_SKIP() << "../shared/data is absent: " << c.name << " needs it";
  }
  if (c.args.find("${DATA}") == std::string::npos) {
    ASSERT_TRUE(Shared().error.empty()) << Shared().error;
  }
  const std::string got = RunCase(c);
  const fs::path file = kGoldenDir / (c.name + ".out");
  if (std::getenv("VIGIA_UPDATE_GOLDEN")) {
    std::ofstream(file, std::ios::binary) << got;
    return;
  }
  std::ifstream in(file, std::ios::binary);
  ASSERT_TRUE(in) << file << " is missing: run scripts/update-golden.sh (cases.txt:" << c.line
                  << ")";
  std::stringstream want;
  want << in.rdbuf();
  if (got != want.str()) {
    const fs::path actual = fs::temp_directory_path() / (c.name + ".actual");
    std::ofstream(actual, std::ios::binary) << got;
    FAIL() << "output of '" << c.kind << " " << c.args << "' (cases.txt:" << c.line
           << ") differs from " << file << "\n  diff -u " << file.string() << " " << actual.string()
           << "\n  (after an intended change: scripts/update-golden.sh, then review the diff)";
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, Golden, testing::ValuesIn(ReadCases()),
                         [](const testing::TestParamInfo<Case>& param_info) {
                           std::string n = param_info.param.name;
                           for (char& ch : n) {
                             if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return n;
                         });

// Stops the server and removes the fixture when every case has run.
class Cleanup : public testing::Environment {
 public:
  void TearDown() override {
    Fixture& f = Shared();
    if (f.server > 0) {
      kill(f.server, SIGTERM);
      waitpid(f.server, nullptr, 0);
    }
    std::error_code ec;
    fs::remove_all(f.dir, ec);
  }
};
const auto* const kCleanup = testing::AddGlobalTestEnvironment(new Cleanup);

}  // namespace
}  // namespace vigia
