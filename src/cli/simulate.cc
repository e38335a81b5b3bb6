// vigia simulate: writes the snapshot directory of a simulated Internet,
// with truth.json (SPEC C14, issue [3/5]). See docs/simulation.md.
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "sim/snapshot.h"

namespace vigia::cli {

namespace {

int RunSimulate(const sim::SimulateOptions& opts_in, bool json) {
  sim::SimulateOptions opts = opts_in;
  const bool tty = isatty(STDERR_FILENO);
  const auto t0 = std::chrono::steady_clock::now();
  if (!json || tty) {
    opts.progress = [t0, tty](std::string_view step) {
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::fprintf(stderr, "%svigia: simulate: %.*s (%.1f s)%s", tty ? "\r\033[K" : "",
                   static_cast<int>(step.size()), step.data(), s, tty ? "" : "\n");
      std::fflush(stderr);
    };
  }
  auto r = sim::Simulate(opts);
  if (tty) std::fputs("\r\033[K", stderr);
  if (!r.ok()) {
    std::fprintf(stderr, "vigia: simulate: %s\n", r.status().message().c_str());
    return kExitFailed;
  }
  const sim::SimulateReport& rep = *r;
  double total = 0;
  for (const auto& s : rep.steps) total += s.seconds;
  if (json) {
    nlohmann::ordered_json j;
    j["out"] = opts.out;
    j["ases"] = rep.ases;
    j["links"] = rep.links;
    j["prefixes"] = rep.prefixes;
    j["peers"] = rep.peers;
    j["collectors"] = rep.collectors;
    j["rib_entries"] = rep.rib_entries;
    j["update_messages"] = rep.update_messages;
    if (opts.churn != 0) j["churn_prefix_updates"] = rep.churn_prefix_updates;
    j["roas"] = rep.roas;
    j["aspas"] = rep.aspas;
    j["route_objects"] = rep.route_objects;
    j["incidents"] = rep.incidents;
    j["benign"] = rep.benign;
    j["events"] = rep.events;
    j["shortfall"] = rep.shortfall;
    nlohmann::ordered_json steps = nlohmann::ordered_json::object();
    for (const auto& s : rep.steps) steps[s.name] = s.seconds;
    j["seconds"] = steps;
    j["files"] = rep.files;
    std::printf("%s\n", j.dump(1).c_str());
  } else {
    std::printf("wrote %s: %zu files\n", opts.out.c_str(), rep.files.size());
    std::printf("  internet     %zu ASes, %zu links, %zu prefixes\n", rep.ases, rep.links,
                rep.prefixes);
    std::printf("  collectors   %zu with %zu peer ASes: %llu RIB entries, %llu update messages\n",
                rep.collectors, rep.peers, static_cast<unsigned long long>(rep.rib_entries),
                static_cast<unsigned long long>(rep.update_messages));
    if (opts.churn != 0) {
      std::printf("  churn        %llu prefix updates over %u day(s)\n",
                  static_cast<unsigned long long>(rep.churn_prefix_updates), opts.days);
    }
    std::printf("  registered   %zu ROAs, %zu ASPAs, %zu route objects\n", rep.roas, rep.aspas,
                rep.route_objects);
    std::printf("  injected     %zu incidents, %zu benign lookalikes, %zu routing events\n",
                rep.incidents, rep.benign, rep.events);
    std::string steps;
    for (const auto& s : rep.steps) steps += fmt::format(" {} {:.2f} s,", s.name, s.seconds);
    if (!steps.empty()) steps.pop_back();
    std::printf("  time         %.2f s:%s\n", total, steps.c_str());
  }
  if (!rep.shortfall.empty()) {
    std::fprintf(stderr, "vigia: simulate: fewer events than planned (too few candidates): %s\n",
                 rep.shortfall.c_str());
  }
  return kExitOk;
}

}  // namespace

void RegisterSimulate(CLI::App& app, int* exit_code) {
  auto opts = std::make_shared<sim::SimulateOptions>();
  auto json = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand(
      "simulate",
      "Write the snapshot directory of a simulated Internet with injected incidents and their "
      "ground truth (truth.json)");
  cmd->footer(
      "Incidents: --incidents NAME=COUNT,... with NAME one of hijack, subprefix_hijack, "
      "route_leak, bogon_prefix, bogon_asn, rpki_invalid, sibling_moas, ddos_protection, "
      "customer_subprefix, flaps; or 'none'. Unnamed kinds keep their default count.\n"
      "Real inputs: --asrel FILE (CAIDA as-rel) with optional --as2org FILE and --pfx2as FILE "
      "(ip-location-db ASN CSV or pyasn).\nSee docs/simulation.md.");
  cmd->add_option("--out", opts->out, "Snapshot directory to write")->required();
  cmd->add_option("--ases", opts->ases, "ASes of the synthetic Internet")->capture_default_str();
  cmd->add_option("--prefixes", opts->prefixes, "Announced prefixes (IPv4 and IPv6)")
      ->capture_default_str();
  cmd->add_option("--peers", opts->peers, "Collector peer ASes")->capture_default_str();
  cmd->add_option("--collectors", opts->collectors, "Route collectors")->capture_default_str();
  cmd->add_option("--days", opts->days, "Days in the observation window")->capture_default_str();
  cmd->add_option("--seed", opts->seed, "Random seed: the same seed gives identical files")
      ->capture_default_str();
  cmd->add_option("--date", opts->date, "First day of the window, YYYYMMDD")->capture_default_str();
  cmd->add_option("--incidents", opts->incidents, "What to inject (see below)");
  cmd->add_option("--asrel", opts->asrel, "Real AS relationships (CAIDA serial-1/serial-2)");
  cmd->add_option("--as2org", opts->as2org, "CAIDA as2org for --asrel");
  cmd->add_option("--pfx2as", opts->pfx2as, "Real prefix -> origin table for --asrel");
  cmd->add_option("--threads", opts->threads,
                  "Threads for routing and for writing collectors' files (0: one per core; the "
                  "output does not depend on it)")
      ->capture_default_str();
  cmd->add_option("--ipv6-share", opts->ipv6_share,
                  "Share of IPv6 among the synthetic prefixes (RIS and RouteViews today: about "
                  "0.18-0.2)")
      ->capture_default_str();
  cmd->add_option("--churn", opts->churn,
                  "Background churn: prefix updates per day over all collectors (flaps, path "
                  "changes, withdrawals; a few noisy peers send most); 0: only injected events. "
                  "The real collectors see 100-300 M a day")
      ->capture_default_str();
  cmd->add_option("--collector-names", opts->collector_names,
                  "sim (sim00, sim01, ...) or real (rrc00, route-views2, rrc01, ...)")
      ->capture_default_str();
  cmd->add_option("--gzip-level", opts->gzip_level,
                  "gzip level of the MRT files, 1 (fastest) to 9 (smallest)")
      ->capture_default_str();
  cmd->add_flag("--force", opts->force, "Replace SNAP if it exists");
  cmd->add_flag("--json", *json, "Print the summary as JSON");
  cmd->callback([opts, json, exit_code] { *exit_code = RunSimulate(*opts, *json); });
}

}  // namespace vigia::cli
