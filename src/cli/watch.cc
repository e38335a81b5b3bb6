// vigia watch: the operator's live monitor (issue [5/7] item 3; BGPalerter
// is the model). `vigia watch --config F` runs collect::Collector (BMP
// station, BGP speaker, pcap and RIS Live replays, MRT archive) with a
// live::LiveDetector as its tee, whose events go through watch::Alerter to
// the configured channels, in one loop on one thread; VRPs follow an RTR
// cache when `rtr:` is set. SIGINT/SIGTERM stop it cleanly (queued alerts
// delivered, gate state saved). `vigia watch init --asn N` writes a
// starting config from RIBs, the IRR and VRPs.
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "collect/collector.h"
#include "live/live_detector.h"
#include "live/live_rpki.h"
#include "live/live_store_sink.h"
#include "mrt/route_feed.h"
#include "snapshot/snapshot.h"
#include "store/store.h"
#include "watch/alerter.h"
#include "watch/config.h"
#include "watch/init.h"
#include "watch/metrics_server.h"

namespace vigia::cli {

namespace {

volatile std::sig_atomic_t g_stop = 0;
void OnStop(int) { g_stop = 1; }

struct WatchArgs {
  std::string config;
  bool dry_run = false, json = false;
  double duration = 0, status_every = 60;
};

struct InitArgs {
  uint32_t asn = 0;
  std::vector<std::string> ribs, irr, vrps;
  std::string snapshot, out;
  bool json = false;
};

void Log(const std::string& line) {
  std::fprintf(stderr, "vigia watch: %s\n", line.c_str());
  std::fflush(stderr);
}

// Tees the collector's route events into the detector, stamping each with
// the arrival time of the bytes that carried it (for the alert latency).
class ArrivalTee : public bgp::RouteSink {
 public:
  explicit ArrivalTee(live::LiveDetector* d) : d_(d) {}
  void set_collector(const collect::Collector* c) { c_ = c; }
  void Peer(bgp::PeerHandle h, const bgp::PeerInfo& info) override { d_->Peer(h, info); }
  void Announce(const bgp::Route& r, const bgp::PathAttributes& a) override {
    Stamp();
    d_->Announce(r, a);
  }
  void Withdraw(const bgp::Route& r, bgp::WithdrawCause c) override {
    Stamp();
    d_->Withdraw(r, c);
  }
  void SessionDown(bgp::PeerHandle p, bgp::RouteTime t) override {
    Stamp();
    d_->SessionDown(p, t);
  }

 private:
  void Stamp() {
    if (c_) d_->SetArrival(c_->arrival_ns());
  }
  live::LiveDetector* d_;
  const collect::Collector* c_ = nullptr;
};

// MRT files replayed at start: their peers get handles above the
// collector's so that the two never share one.
class ReplayShift : public bgp::RouteSink {
 public:
  explicit ReplayShift(bgp::RouteSink* out) : out_(out) {}
  static constexpr bgp::PeerHandle kBase = 0x80000000u;
  void Peer(bgp::PeerHandle h, const bgp::PeerInfo& i) override { out_->Peer(h | kBase, i); }
  void Announce(const bgp::Route& r, const bgp::PathAttributes& a) override {
    bgp::Route s = r;
    s.peer |= kBase;
    out_->Announce(s, a);
  }
  void Withdraw(const bgp::Route& r, bgp::WithdrawCause c) override {
    bgp::Route s = r;
    s.peer |= kBase;
    out_->Withdraw(s, c);
  }
  void SessionDown(bgp::PeerHandle p, bgp::RouteTime t) override {
    out_->SessionDown(p | kBase, t);
  }

 private:
  bgp::RouteSink* out_;
};

nlohmann::json StatusJson(const collect::Collector& col, const live::LiveDetector& det,
                          const watch::Alerter& al, const live::StoreEventSink* store) {
  const collect::CollectorStats& c = col.stats();
  const live::LiveDetectorStats& d = det.stats();
  const watch::AlerterStats a = al.stats();
  const watch::LatencyHistogram& h = al.latency();
  return {
      {"collector",
       {{"peers", c.peers},
        {"announces", c.announces},
        {"withdraws", c.withdraws},
        {"sessions_down", c.sessions_down},
        {"problems", c.problems},
        {"update_files", c.update_files},
        {"rib_files", c.rib_files}}},
      {"detector",
       {{"announces", d.announces},
        {"withdraws", d.withdraws},
        {"raised", d.raised},
        {"cleared", d.cleared}}},
      {"alerts",
       {{"events", a.events},
        {"fired", a.fired},
        {"recovered", a.recovered},
        {"summaries", a.summaries},
        {"suppressed", a.suppressed},
        {"below_threshold", a.below_threshold},
        {"disabled", a.disabled},
        {"restored", a.restored},
        {"expired", a.expired},
        {"dropped", a.dropped},
        {"failed", a.failed},
        {"open", al.open()}}},
      {"latency_ms",
       {{"count", h.count()},
        {"p50", static_cast<double>(h.Quantile(0.5)) / 1e6},
        {"p99", static_cast<double>(h.Quantile(0.99)) / 1e6},
        {"max", static_cast<double>(h.max()) / 1e6}}},
      {"store", store ? nlohmann::json{{"written", store->written()}, {"failed", store->failed()}}
                      : nlohmann::json(nullptr)},
      {"bgp_port", col.bgp_port()},
      {"bmp_port", col.bmp_port()}};
}

int RunWatch(const WatchArgs& args) {
  auto cfg_r = watch::LoadWatchConfig(args.config);
  if (!cfg_r.ok()) {
    std::fprintf(stderr, "vigia watch: %s\n", cfg_r.status().message().c_str());
    return kExitFailed;
  }
  const watch::WatchConfig cfg = std::move(*cfg_r);
  if (args.dry_run) {
    std::printf("%s\n", nlohmann::json::parse(watch::WatchConfigToJson(cfg)).dump(2).c_str());
    return kExitOk;
  }

  snapshot::Snapshot reference;
  // The detector always gets a snapshot: an empty one without `reference`.
  const snapshot::Snapshot* ref = &reference;
  if (!cfg.reference_dir.empty()) {
    // The reference needs no MRT (the collector brings the routes):
    // LoadSnapshot's "no MRT" failure leaves the reference parts loaded.
    const Status s = snapshot::LoadSnapshot(cfg.reference_dir, &reference);
    if (!s.ok())
      Log("reference " + cfg.reference_dir + ": " + s.message() + " (reference data kept)");
    for (const std::string& m : reference.skipped) Log("reference: " + m);
    Log(fmt::format("reference {}: {} VRPs, {} route objects, registry {}", cfg.reference_dir,
                    reference.vrps.size(), reference.irr.route_count(),
                    reference.have_registry ? "yes" : "no"));
  }

  alert::PrometheusCounters counters;
  watch::Alerter alerter(cfg, &counters);
  alerter.AddConfiguredChannels();
  if (Status s = alerter.LoadState(watch::NowUnixMs()); !s.ok())
    Log(s.message() + " (starting without the saved state)");
  // Every event also goes to the store (live-event rows), unfiltered.
  std::unique_ptr<store::Store> db;
  std::unique_ptr<live::StoreEventSink> store_sink;
  if (!cfg.db.empty()) {
    auto opened = store::Store::Open(cfg.db);
    if (!opened.ok()) {
      std::fprintf(stderr, "vigia watch: store %s: %s\n", cfg.db.c_str(),
                   opened.status().message().c_str());
      return kExitFailed;
    }
    db = std::move(*opened);
    store_sink = std::make_unique<live::StoreEventSink>(db.get());
    alerter.SetAlsoSink(store_sink.get());
  }

  live::LiveDetector detector(cfg.rules, ref, &alerter);
  if (reference.vrps.size() > 0) detector.SetVrps(reference.vrps);
  ArrivalTee tee(&detector);
  collect::Collector collector(cfg.collect, &tee);
  tee.set_collector(&collector);

  std::vector<std::unique_ptr<watch::MetricsServer>> servers;
  auto render = [&counters, &alerter] {
    return counters.Render() + alerter.latency().RenderPrometheus();
  };
  for (const watch::ChannelConfig& ch : cfg.channels) {
    if (ch.kind != watch::ChannelKind::kPrometheus || ch.prometheus_listen.empty()) continue;
    auto srv = std::make_unique<watch::MetricsServer>(render);
    if (Status s = srv->Start(ch.prometheus_listen); !s.ok()) {
      std::fprintf(stderr, "vigia watch: channel %s: %s\n", ch.name.c_str(), s.message().c_str());
      return kExitFailed;
    }
    Log(fmt::format("metrics on {} (port {})", ch.prometheus_listen, srv->port()));
    servers.push_back(std::move(srv));
  }

  // VRPs kept current over RTR (RFC 8210) by live::LiveRpki.
  std::unique_ptr<live::LiveRpki> rtr;
  if (!cfg.rtr.empty()) {
    rpki::rtr::RtrClientOptions o;
    const size_t colon = cfg.rtr.rfind(':');
    o.host = cfg.rtr.substr(0, colon);
    if (o.host.size() > 2 && o.host.front() == '[') o.host = o.host.substr(1, o.host.size() - 2);
    o.port = static_cast<uint16_t>(std::stoi(cfg.rtr.substr(colon + 1)));
    o.on_log = [](const std::string& line) { Log("rtr: " + line); };
    rtr = std::make_unique<live::LiveRpki>(o, &detector);
    rtr->Start();
  }

  std::signal(SIGINT, OnStop);
  std::signal(SIGTERM, OnStop);
  if (Status s = collector.Start(); !s.ok()) {
    std::fprintf(stderr, "vigia watch: %s\n", s.message().c_str());
    return kExitFailed;
  }
  for (const std::string& f : cfg.mrt_replay) {
    ReplayShift shift(&tee);
    mrt::RouteFeed feed("replay");
    if (Status s = feed.ReadFile(f, &shift); !s.ok()) {
      std::fprintf(stderr, "vigia watch: %s\n", s.message().c_str());
      return kExitFailed;
    }
    Log("replayed " + f);
  }
  Log(fmt::format("watching {} prefixes, {} ASNs; bgp port {}, bmp port {}",
                  cfg.rules.prefixes.size(), cfg.rules.asns.size(), collector.bgp_port(),
                  collector.bmp_port()));

  const auto start = std::chrono::steady_clock::now();
  auto last_tick = start, last_status = start;
  int rc = kExitOk;
  while (!g_stop) {
    if (Status s = collector.RunOnce(100); !s.ok()) {
      Log(s.message());
      rc = kExitFailed;
      break;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now - last_tick >= std::chrono::seconds(1)) {
      last_tick = now;
      const int64_t unix_ms = watch::NowUnixMs();
      detector.Tick(bgp::RouteTime{static_cast<uint32_t>(unix_ms / 1000), 0});
      if (rtr && rtr->Poll())
        Log(fmt::format("rtr: serial {}, {} VRPs", rtr->serial(), rtr->vrps()));
      alerter.Tick(unix_ms);
      for (const watch::ChannelConfig& ch : cfg.channels)
        if (ch.kind == watch::ChannelKind::kPrometheus && !ch.prometheus_textfile.empty())
          (void)counters.WriteTextfile(ch.prometheus_textfile);
    }
    if (args.status_every > 0 &&
        now - last_status >= std::chrono::duration<double>(args.status_every)) {
      last_status = now;
      Log("status " + StatusJson(collector, detector, alerter, store_sink.get()).dump());
    }
    if (args.duration > 0 && now - start >= std::chrono::duration<double>(args.duration)) break;
  }
  if (Status s = collector.Stop(); !s.ok()) Log(s.message());
  if (rtr) rtr->Stop();
  alerter.Drain();
  if (Status s = alerter.SaveState(); !s.ok()) Log(s.message());
  for (auto& srv : servers) srv->Stop();
  const nlohmann::json st = StatusJson(collector, detector, alerter, store_sink.get());
  if (args.json) std::printf("%s\n", st.dump().c_str());
  Log("stopped: " + st.dump());
  return rc;
}

int RunInit(const InitArgs& a) {
  watch::InitOptions o;
  o.asn = a.asn;
  o.ribs = a.ribs;
  o.irr_files = a.irr;
  o.vrp_files = a.vrps;
  o.snapshot_dir = a.snapshot;
  auto r = watch::BuildInit(o);
  if (!r.ok()) {
    std::fprintf(stderr, "vigia watch init: %s\n", r.status().message().c_str());
    return kExitFailed;
  }
  const std::string yaml = watch::RenderInitYaml(*r, watch::NowUnixMs() / 1000);
  if (a.out.empty() || a.out == "-") {
    std::fwrite(yaml.data(), 1, yaml.size(), stdout);
  } else {
    const std::string tmp = a.out + ".tmp";
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << yaml;
    f.close();
    if (!f || std::rename(tmp.c_str(), a.out.c_str()) != 0) {
      std::fprintf(stderr, "vigia watch init: %s: cannot write\n", a.out.c_str());
      return kExitFailed;
    }
  }
  if (a.json) {
    nlohmann::json j{{"asn", r->asn},
                     {"prefixes", r->prefixes.size()},
                     {"rib_prefixes", r->rib_prefixes},
                     {"irr_prefixes", r->irr_prefixes},
                     {"vrp_prefixes", r->vrp_prefixes},
                     {"out", a.out},
                     {"problems", r->problems}};
    std::fprintf(a.out.empty() || a.out == "-" ? stderr : stdout, "%s\n", j.dump().c_str());
  }
  for (const std::string& p : r->problems)
    std::fprintf(stderr, "vigia watch init: %s\n", p.c_str());
  return kExitOk;
}

}  // namespace

void RegisterWatch(CLI::App& app, int* exit_code) {
  auto a = std::make_shared<WatchArgs>();
  CLI::App* cmd = app.add_subcommand(
      "watch", "Live monitor of own prefixes and ASNs: hijacks, leaks, RPKI, visibility -> alerts");
  cmd->add_option("--config", a->config,
                  "the YAML config (see docs/alerts.md; `vigia watch init` writes one)");
  cmd->add_flag("--dry-run", a->dry_run, "print the parsed config as JSON and exit");
  cmd->add_flag("--json", a->json,
                "print a JSON status (collector, detector, alerts, latency) at exit");
  cmd->add_option("--duration", a->duration, "stop after this many seconds (0: until a signal)");
  cmd->add_option("--status-every", a->status_every,
                  "seconds between status lines on stderr (0: none)")
      ->capture_default_str();
  cmd->footer(
      "SIGINT or SIGTERM stop it: queued alerts are delivered and the gate state saved, so a "
      "restart does not alert open conditions again. Exit status: 0 after a signal or --duration, "
      "2 when the config or an input cannot be used.");
  cmd->callback([a, exit_code, cmd] {
    if (cmd->get_subcommands().size() > 0) return;  // `watch init` ran
    if (a->config.empty()) {
      std::fprintf(stderr, "vigia watch: --config is required (or `vigia watch init --asn N`)\n");
      *exit_code = kExitFailed;
      return;
    }
    *exit_code = RunWatch(*a);
  });

  auto i = std::make_shared<InitArgs>();
  CLI::App* init = cmd->add_subcommand(
      "init",
      "Write a starting config for AS N: its prefixes from RIBs, IRR route objects and VRPs");
  init->add_option("--asn", i->asn, "the AS to watch")->required();
  init->add_option("--rib", i->ribs, "MRT RIB dumps or update files (repeatable)");
  init->add_option("--irr", i->irr, "IRR files: RPSL dumps or ARIN-WHOIS JSON (repeatable)");
  init->add_option("--vrps", i->vrps, "VRP files: rpki-client JSON or CSV (repeatable)");
  init->add_option("--snapshot", i->snapshot, "a snapshot directory: its MRT, IRR and VRPs");
  init->add_option("--out", i->out, "write the YAML here (default: standard output)");
  init->add_flag("--json", i->json, "print a JSON summary (counts per source)");
  init->footer(
      "Origins seen only in the RIBs are written as comments, not as origins: they may be the "
      "hijack itself. Exit 0, 2 when an input cannot be read.");
  init->callback([i, exit_code] { *exit_code = RunInit(*i); });
}

}  // namespace vigia::cli
