// vigia rpki fetch: sync with an RTR cache (RFC 8210, version 2 with ASPA)
// and write what it delivered as rpki-client JSON.
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/commands.h"
#include "rpki/rpki_client_json.h"
#include "rpki/rtr_client.h"

namespace vigia::cli {

namespace {

struct FetchArgs {
  std::string rtr;
  std::string out;
  int version = rpki::rtr::kMaxVersion;
  double timeout = 30;
  double follow = 0;
  bool json = false;
  bool legacy_aspa = false;
  bool verbose = false;
};

void Report(const FetchArgs& a, const std::string& source, const rpki::rtr::RtrSnapshot& s) {
  // RTR version 2 carries an ASPA per address family; the file holds one
  // per customer.
  const size_t aspas = s.MergedAspas().size();
  if (a.json) {
    nlohmann::ordered_json j;
    j["source"] = source;
    j["out"] = a.out;
    j["version"] = s.version;
    j["session_id"] = s.session_id;
    j["serial"] = s.serial;
    j["incremental"] = s.incremental;
    j["vrps"] = s.vrps.size();
    j["aspas"] = aspas;
    j["aspa_records"] = s.aspas.size();
    j["router_keys"] = s.router_keys.size();
    j["refresh"] = s.refresh;
    j["retry"] = s.retry;
    j["expire"] = s.expire;
    j["errors_sent"] = s.stats.errors_sent;
    j["errors_received"] = s.stats.errors_received;
    std::cout << j.dump() << std::endl;
  } else {
    std::printf(
        "%s: version %u, session %u, serial %u%s: %zu VRPs, %zu ASPAs, %zu router keys -> %s\n",
        source.c_str(), s.version, s.session_id, s.serial, s.incremental ? " (delta)" : "",
        s.vrps.size(), aspas, s.router_keys.size(), a.out.c_str());
    std::fflush(stdout);
  }
}

int RunFetch(const FetchArgs& a) {
  using std::chrono::milliseconds;
  rpki::rtr::RtrClientOptions o;
  std::string error;
  if (!rpki::rtr::ParseHostPort(a.rtr, &o.host, &o.port, &error)) {
    std::fprintf(stderr, "vigia: --rtr %s\n", error.c_str());
    return kExitFailed;
  }
  if (a.timeout <= 0) {
    std::fprintf(stderr, "vigia: --timeout must be positive\n");
    return kExitFailed;
  }
  const std::string source = "rtr://" +
                             (o.host.find(':') != std::string::npos ? "[" + o.host + "]" : o.host) +
                             ":" + std::to_string(o.port);
  o.version = static_cast<uint8_t>(a.version);
  const milliseconds timeout(static_cast<int64_t>(a.timeout * 1000));
  o.connect_timeout = timeout;
  o.response_timeout = std::max(timeout, milliseconds(10'000));
  // A cache that is still starting gets a quick second try; one that
  // fails while followed, its Retry interval up to 30 s.
  o.initial_retry_delay = milliseconds(200);
  o.max_retry_delay = milliseconds(30'000);
  if (a.verbose) {
    o.on_log = [](const std::string& line) {
      std::fprintf(stderr, "vigia: rtr: %s\n", line.c_str());
    };
  }
  rpki::rtr::RtrClient client(o);
  client.Start();
  std::shared_ptr<const rpki::rtr::RtrSnapshot> snap = client.WaitForSync(0, timeout);
  if (!snap) {
    client.Stop();
    const std::string why = client.last_error();
    std::fprintf(stderr, "vigia: no data from %s within %g s%s%s\n", source.c_str(), a.timeout,
                 why.empty() ? "" : ": ", why.c_str());
    return kExitFailed;
  }
  auto write = [&](const rpki::rtr::RtrSnapshot& s) {
    Status st =
        rpki::WriteFileAtomically(a.out, rpki::FormatRpkiClientJson(s, source, a.legacy_aspa));
    if (!st.ok()) {
      std::fprintf(stderr, "vigia: %s\n", st.message().c_str());
      return false;
    }
    Report(a, source, s);
    return true;
  };
  if (!write(*snap)) {
    client.Stop();
    return kExitFailed;
  }
  // --follow: keep the session and rewrite the file at each End of Data.
  const auto end =
      std::chrono::steady_clock::now() + milliseconds(static_cast<int64_t>(a.follow * 1000));
  while (a.follow > 0 && std::chrono::steady_clock::now() < end) {
    const auto left =
        std::chrono::duration_cast<milliseconds>(end - std::chrono::steady_clock::now());
    auto next = client.WaitForSync(snap->generation, left);
    if (!next || next->generation == snap->generation) continue;
    snap = next;
    if (snap->expired) {
      // RFC 8210 §6: expired data must not be used; the file keeps the last
      // good set.
      std::fprintf(stderr, "vigia: data from %s expired (no refresh within %u s); %s not updated\n",
                   source.c_str(), snap->expire, a.out.c_str());
      continue;
    }
    if (!write(*snap)) {
      client.Stop();
      return kExitFailed;
    }
  }
  client.Stop();
  const rpki::rtr::RtrStats st = client.stats();
  if (st.errors_sent > 0 || st.errors_received > 0) {
    std::fprintf(
        stderr, "vigia: %s: %llu error reports sent, %llu received during the session (last: %s)\n",
        source.c_str(), static_cast<unsigned long long>(st.errors_sent),
        static_cast<unsigned long long>(st.errors_received), client.last_error().c_str());
    return kExitSkipped;
  }
  return kExitOk;
}

}  // namespace

void RegisterRpkiFetch(CLI::App& rpki, int* exit_code) {
  auto a = std::make_shared<FetchArgs>();
  CLI::App* fetch = rpki.add_subcommand(
      "fetch", "Sync with an RTR cache (RFC 8210; version 2 with ASPA) and write rpki-client JSON");
  fetch->add_option("--rtr", a->rtr, "the cache: HOST:PORT, [IPv6]:PORT or HOST (port 323)")
      ->required();
  fetch->add_option("--out", a->out, "the rpki-client JSON file to write (atomically)")->required();
  fetch
      ->add_option("--version", a->version,
                   "the RTR version to offer first (2: draft-ietf-sidrops-8210bis with ASPA, 1: "
                   "RFC 8210, 0: RFC 6810); lower ones follow if the cache asks")
      ->check(CLI::Range(0, static_cast<int>(rpki::rtr::kMaxVersion)))
      ->capture_default_str();
  fetch->add_option("--timeout", a->timeout, "seconds to wait for the first full sync")
      ->capture_default_str();
  fetch->add_option("--follow", a->follow,
                    "then stay connected this many seconds, following Serial Notify and the "
                    "Refresh timer, rewriting the file at each update");
  fetch->add_flag("--json", a->json, "print one JSON object per file written");
  fetch->add_flag("--legacy-aspa", a->legacy_aspa,
                  "also write ASPAs as \"provider_authorizations\" (for StayRTR 0.5 and other "
                  "older readers)");
  fetch->add_flag("-v,--verbose", a->verbose, "log connections, errors and resets to stderr");
  fetch->footer(
      "Example: vigia rpki fetch --rtr rtr.example.net:8282 --out vrps.json --follow 3600\n"
      "Exit status: 0; 1 when the session saw Error Reports (data was still written); 2 when no "
      "full set arrived in time or the file could not be written.");
  fetch->callback([a, exit_code] { *exit_code = RunFetch(*a); });
}

}  // namespace vigia::cli
