// vigia collect: the live route collector (issue [5/7] item 1). A BMP
// station (--bmp), a passive BGP speaker (--bgp --asn), pcap replays
// (--pcap) feed collect::Collector, which writes MRT the way RIS does
// (--out: update files every --rotate, RIB dumps every --rib-every, each
// renamed into place only when complete). SIGINT/SIGTERM or --duration
// stop it cleanly; a status line goes to stderr every --status-every
// seconds and --json prints a summary at exit. With only --pcap inputs it
// replays, writes the updates and a RIB dump of the final state, and exits.
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "bmp/station.h"
#include "cli/commands.h"
#include "collect/collector.h"

namespace vigia::cli {

namespace {

std::atomic<bool> g_stop{false};
void OnStop(int) { g_stop = true; }

struct CollectArgs {
  std::string bmp, bgp, out, name = "vigia", rotate = "5m", rib_every = "8h", layout = "archive";
  std::string bgp_id = "192.0.2.1";
  uint32_t asn = 0;
  std::vector<std::string> pcaps, ris_live;
  double duration = 0, status_every = 5;
  bool json = false;
};

// "300", "300s", "5m", "8h", "1d" -> seconds; nothing on a bad text.
std::optional<int64_t> ParseDuration(const std::string& t) {
  if (t.empty()) return std::nullopt;
  size_t used = 0;
  long long v = 0;
  try {
    v = std::stoll(t, &used);
  } catch (...) {
    return std::nullopt;
  }
  const std::string unit = t.substr(used);
  int64_t mult = 0;
  if (unit.empty() || unit == "s") mult = 1;
  if (unit == "m") mult = 60;
  if (unit == "h") mult = 3600;
  if (unit == "d") mult = 86400;
  if (mult == 0 || v <= 0 || v > 365LL * 86400) return std::nullopt;
  return v * mult;
}

int RunCollect(const CollectArgs& a) {
  auto fail = [](const std::string& m) {
    std::fprintf(stderr, "vigia: collect: %s\n", m.c_str());
    return kExitFailed;
  };
  collect::CollectorOptions o;
  o.name = a.name;
  if (!a.bmp.empty()) o.bmp_listen = a.bmp;
  if (!a.bgp.empty()) o.bgp_listen = a.bgp;
  o.asn = a.asn;
  auto id = IpAddress::Parse(a.bgp_id);
  if (!id || !id->is_v4()) return fail("--bgp-id " + a.bgp_id + ": want an IPv4 address");
  o.bgp_id = *id;
  o.out_dir = a.out;
  auto rotate = ParseDuration(a.rotate);
  if (!rotate) return fail("--rotate " + a.rotate + ": want a duration like 300, 5m, 1h");
  auto rib = ParseDuration(a.rib_every);
  if (!rib) return fail("--rib-every " + a.rib_every + ": want a duration like 8h, 30m");
  o.rotate = std::chrono::seconds(*rotate);
  o.rib_every = std::chrono::seconds(*rib);
  if (a.layout == "archive") {
    o.layout = collect::ArchiveLayout::kArchive;
  } else if (a.layout == "snapshot") {
    o.layout = collect::ArchiveLayout::kSnapshot;
  } else {
    return fail("--layout " + a.layout + ": want archive or snapshot");
  }
  o.pcaps = a.pcaps;
  o.ris_live = a.ris_live;
  if (!a.bgp.empty() && a.asn == 0) return fail("--bgp needs --asn N (our AS)");
  if (a.bmp.empty() && a.bgp.empty() && a.pcaps.empty() && a.ris_live.empty())
    return fail("nothing to collect: give --bmp, --bgp, --pcap or --ris-live");
  const bool live = !a.bmp.empty() || !a.bgp.empty() || !a.ris_live.empty();

  struct sigaction sa {};
  sa.sa_handler = OnStop;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);

  const auto t0 = std::chrono::steady_clock::now();
  collect::Collector c(o, nullptr);
  if (Status st = c.Start(); !st.ok()) {
    (void)c.Stop();
    return fail(st.message());
  }
  if (c.bmp_port()) std::fprintf(stderr, "vigia: collect: BMP station on port %u\n", c.bmp_port());
  if (c.bgp_port()) std::fprintf(stderr, "vigia: collect: BGP speaker on port %u\n", c.bgp_port());
  auto status_line = [&] {
    const collect::CollectorStats& s = c.stats();
    std::string line = fmt::format("vigia: collect: peers {}, routes {}", s.peers, s.rib_entries);
    if (c.speaker()) line += fmt::format(", bgp established {}", c.speaker()->EstablishedCount());
    if (c.station()) line += fmt::format(", bmp routers {}", c.station()->router_count());
    line += fmt::format(", announces {}, withdraws {}, files {} updates + {} ribs, problems {}",
                        s.announces, s.withdraws, s.update_files, s.rib_files, s.problems);
    std::fprintf(stderr, "%s\n", line.c_str());
  };
  Status run_error;
  if (live) {
    auto last_status = t0;
    while (!g_stop) {
      if (Status st = c.RunOnce(100); !st.ok()) {
        run_error = st;
        std::fprintf(stderr, "vigia: collect: %s\n", st.message().c_str());
      }
      const auto now = std::chrono::steady_clock::now();
      if (a.duration > 0 && std::chrono::duration<double>(now - t0).count() >= a.duration) break;
      if (a.status_every > 0 &&
          std::chrono::duration<double>(now - last_status).count() >= a.status_every) {
        status_line();
        last_status = now;
      }
    }
  } else if (!a.out.empty()) {
    // A replay: the final state as a RIB dump beside the updates.
    if (Status st = c.DumpRib(); !st.ok()) run_error = st;
  }
  Status stop = c.Stop();
  if (!stop.ok()) std::fprintf(stderr, "vigia: collect: %s\n", stop.message().c_str());
  status_line();
  const collect::CollectorStats& s = c.stats();
  if (a.json) {
    nlohmann::ordered_json j;
    j["name"] = a.name;
    j["out"] = a.out;
    j["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    j["peers"] = s.peers;
    j["announces"] = s.announces;
    j["withdraws"] = s.withdraws;
    j["sessions_down"] = s.sessions_down;
    j["problems"] = s.problems;
    j["rib_entries"] = s.rib_entries;
    j["update_files"] = s.update_files;
    j["rib_files"] = s.rib_files;
    if (const collect::MrtArchive* ar = c.archive()) {
      const collect::ArchiveStats& as = ar->stats();
      j["prefixes"] = as.prefixes;
      j["attr_sets"] = as.attr_sets;
      j["rib_bytes"] = ar->MemoryBytes();
      j["records"] = as.records;
      j["restored_files"] = as.restored_files;
      j["restore_problems"] = as.restore_problems;
      j["removed_tmp"] = as.removed_tmp;
      j["files"] = ar->written();
      auto probs = nlohmann::json::array();
      const auto& p = ar->problems();
      for (size_t i = p.size() > 20 ? p.size() - 20 : 0; i < p.size(); ++i) probs.push_back(p[i]);
      j["problem_sample"] = probs;
    }
    std::printf("%s\n", j.dump(2).c_str());
  }
  if (!stop.ok()) return kExitFailed;
  if (!run_error.ok()) return kExitSkipped;
  return s.problems ? kExitSkipped : kExitOk;
}

}  // namespace

void RegisterCollect(CLI::App& app, int* exit_code) {
  auto a = std::make_shared<CollectArgs>();
  CLI::App* cmd = app.add_subcommand(
      "collect", "Route collector: BMP station, passive BGP speaker, pcap replay -> MRT files");
  cmd->add_option("--bmp", a->bmp, "BMP station address ADDR:PORT or [V6]:PORT (RFC 7854)");
  cmd->add_option("--bgp", a->bgp, "passive BGP speaker address ADDR:PORT (needs --asn)");
  cmd->add_option("--asn", a->asn, "our AS number for the BGP speaker");
  cmd->add_option("--bgp-id", a->bgp_id, "our BGP Identifier (IPv4)")->capture_default_str();
  cmd->add_option("--out", a->out, "MRT output directory (none: nothing written)");
  cmd->add_option("--layout", a->layout,
                  "archive: OUT/YYYY.MM/{UPDATES,RIBS}/; snapshot: OUT/mrt/NAME.* "
                  "(`vigia analyze OUT` reads it)")
      ->capture_default_str();
  cmd->add_option("--rotate", a->rotate, "update file interval (300, 5m, 1h)")
      ->capture_default_str();
  cmd->add_option("--rib-every", a->rib_every, "RIB dump interval")->capture_default_str();
  cmd->add_option("--pcap", a->pcaps, "replay BMP sessions captured in a pcap file (repeatable)");
  cmd->add_option("--ris-live", a->ris_live, "RIS Live JSON file or ws:// URL (repeatable)");
  cmd->add_option("--name", a->name, "collector name (MRT view name, file prefix)")
      ->capture_default_str();
  cmd->add_option("--duration", a->duration, "stop after S seconds (0: until SIGINT/SIGTERM)");
  cmd->add_option("--status-every", a->status_every, "status line to stderr every S seconds")
      ->capture_default_str();
  cmd->add_flag("--json", a->json, "print a JSON summary at exit");
  cmd->footer(
      "Files are written under OUT/.tmp/ and renamed into place only when complete; a restart "
      "rebuilds the RIB from the newest RIB dump and the update files after it. SIGINT or "
      "SIGTERM stop it cleanly. Exit 0, 1 when input was skipped (problems), 2 on errors.");
  cmd->callback([a, exit_code] { *exit_code = RunCollect(*a); });
}

}  // namespace vigia::cli
