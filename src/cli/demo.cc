// vigia demo: the whole pipeline on one machine with no network: simulate
// the demo-size Internet, analyze it into a local SQLite store, and compare
// what was found with what was injected (issue [4/5] item 8), then serve
// the dashboard and API over the store (issue [5/5] item 7).
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands.h"
#include "detect/incident_type.h"
#include "serve/server.h"
#include "sim/snapshot.h"
#include "store/store.h"
#include "store/tokens.h"

namespace vigia::cli {

namespace {

struct DemoArgs {
  std::string dir = "vigia-demo";
  uint64_t seed = 1;
  bool serve = true;
  std::string listen = "127.0.0.1:8080";
};

// A token of the demo's write API (store/tokens.h), made in the store and
// written to FILE (0600); "" when it could not be.
std::string MakeToken(const std::string& db, const std::filesystem::path& file,
                      const std::string& role, const std::vector<Asn>& asns) {
  auto token = store::NewToken();
  auto st = store::Store::Open(db);
  if (!token.ok() || !st.ok()) return {};
  // Named after the token's first digits: a demo run again on its
  // directory adds tokens beside the earlier ones.
  store::TokenRow t{
      0, "demo-" + role + "-" + token->substr(0, 8), role, asns, store::TokenHash(*token), "", ""};
  if (!(*st)->AddToken(t).ok()) return {};
  std::ofstream out(file, std::ios::trunc);
  if (!(out << *token << "\n")) return {};
  out.close();
  std::error_code ec;
  std::filesystem::permissions(
      file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
      std::filesystem::perm_options::replace, ec);
  return *token;
}

int RunDemo(const DemoArgs& a) {
  namespace fs = std::filesystem;
  const fs::path dir(a.dir);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    std::fprintf(stderr, "vigia: demo: %s: %s\n", a.dir.c_str(), ec.message().c_str());
    return kExitFailed;
  }
  const fs::path snap = dir / "snapshot";
  const fs::path db = dir / "vigia.db";
  std::printf("1. simulating a 2,000-AS Internet with injected incidents into %s\n", snap.c_str());
  sim::SimulateOptions o;
  o.out = snap.string();
  o.seed = a.seed;
  o.force = true;
  auto rep = sim::Simulate(o);
  if (!rep.ok()) {
    std::fprintf(stderr, "vigia: demo: %s\n", rep.status().message().c_str());
    return kExitFailed;
  }
  std::printf(
      "   %zu ASes, %zu prefixes, %llu RIB entries, %llu update messages, %zu incidents injected\n",
      rep->ases, rep->prefixes, static_cast<unsigned long long>(rep->rib_entries),
      static_cast<unsigned long long>(rep->update_messages), rep->incidents);
  std::printf("2. analyzing it into %s\n", db.c_str());
  fs::remove(db, ec);
  fs::remove(db.string() + "-wal", ec);
  fs::remove(db.string() + "-shm", ec);
  // The same run as `vigia analyze` (pipeline::Analyze), with its summary.
  if (int rc = Analyze(snap.string(), "sqlite:" + db.string(), false); rc != kExitOk) return rc;

  // 3. What was found against what was injected.
  std::ifstream in(snap / "truth.json");
  std::stringstream ss;
  ss << in.rdbuf();
  const auto truth = nlohmann::json::parse(ss.str(), nullptr, false);
  {
    auto store = store::Store::Open("sqlite:" + db.string());
    if (!store.ok() || !truth.is_object()) {
      std::fprintf(stderr, "vigia: demo: cannot read back %s\n", db.c_str());
      return kExitFailed;
    }
    auto newest = (*store)->SnapshotFor("");
    if (!newest.ok()) return kExitFailed;
    store::IncidentQuery q;
    q.snapshot = newest->id;
    q.limit = 100'000;
    auto rows = (*store)->Incidents(q);
    if (!rows.ok()) return kExitFailed;
    std::map<std::string, std::pair<size_t, size_t>> count;  // type -> (injected, found)
    for (const auto& t : truth["incidents"]) ++count[t["type"].get<std::string>()].first;
    for (const auto& r : *rows) ++count[r.type].second;
    std::printf("3. found / injected per type (benign lookalikes injected: %zu)\n",
                truth["benign"].size());
    const std::string unregistered(detect::kIrrUnregistered);
    for (const auto& [type, c] : count) {
      if (type == unregistered) continue;
      std::printf("   %-18s %4zu / %zu\n", type.c_str(), c.second, c.first);
    }
    if (count.contains(unregistered)) {
      std::printf(
          "   %-18s %4zu (routes without a route object, per origin: a registration state, not "
          "injected)\n",
          unregistered.c_str(), count[unregistered].second);
    }
    std::printf("\nNext: vigia incidents --db sqlite:%s --type hijack\n", db.c_str());
    std::printf("      vigia report region lacnic --db sqlite:%s\n", db.c_str());
    std::printf("      vigia report group manrs --db sqlite:%s\n", db.c_str());
  }
  if (!a.serve) return kExitOk;

  // 4. The dashboard and API over the store, until Ctrl-C.
  serve::ServeOptions so;
  so.db = "sqlite:" + db.string();
  so.listen = a.listen;
  so.access_log = false;
  // An operator token for the culprit of the first hijack (so that the
  // demo can contest it) and a reviewer token (docs/contests.md).
  std::vector<Asn> demo_asns;
  if (auto st = store::Store::Open(so.db); st.ok()) {
    store::IncidentQuery q;
    if (auto newest = (*st)->SnapshotFor(""); newest.ok()) q.snapshot = newest->id;
    q.type = "hijack";
    q.limit = 1;
    if (auto rows = (*st)->Incidents(q); rows.ok() && !rows->empty())
      demo_asns.push_back(rows->front().culprit);
  }
  const bool op =
      !demo_asns.empty() && !MakeToken(so.db, dir / "token", "operator", demo_asns).empty();
  const bool rev = !MakeToken(so.db, dir / "reviewer-token", "reviewer", {}).empty();
  std::printf("\n4. serving the dashboard and API over %s (Ctrl-C stops it)\n", db.c_str());
  if (op) {
    std::printf("   contesting AS%u's incidents takes the operator token in %s\n", demo_asns[0],
                (dir / "token").c_str());
  }
  if (rev) {
    std::printf("   reviewing contests takes the reviewer token in %s\n",
                (dir / "reviewer-token").c_str());
  }
  if (serve::FindWebApp("").empty()) {
    std::printf("   the web app is not built (cd web && npm ci && npm run build): the API only\n");
  }
  std::fflush(stdout);
  return serve::Serve(so);
}

}  // namespace

void RegisterDemo(CLI::App& app, int* exit_code) {
  auto a = std::make_shared<DemoArgs>();
  CLI::App* cmd = app.add_subcommand(
      "demo",
      "Simulate the demo-size Internet, analyze it into a local store, compare the "
      "incidents found with those injected, and serve the dashboard");
  cmd->add_option("--dir", a->dir, "Where the snapshot and the store go")->capture_default_str();
  cmd->add_option("--seed", a->seed, "Seed of the simulated Internet")->capture_default_str();
  cmd->add_option("--listen", a->listen,
                  "HOST:PORT to serve the dashboard on (port 0: any free port)")
      ->capture_default_str();
  auto no_serve = std::make_shared<bool>(false);
  cmd->add_flag("--no-serve", *no_serve,
                "Stop after the analysis instead of serving the dashboard");
  cmd->callback([a, exit_code, no_serve] {
    a->serve = !*no_serve;
    *exit_code = RunDemo(*a);
  });
}

}  // namespace vigia::cli
