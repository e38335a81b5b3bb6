// vigia rpki validate / stats: route origin validation (RFC 6811) and a
// summary of a VRP file.
#include <cstdio>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/rpki_common.h"
#include "rpki/origin_validation.h"

namespace vigia::cli {

namespace {

struct RpkiArgs {
  std::vector<std::string> vrp_files;
  std::vector<std::string> slurm_files;
  std::string prefix;
  std::string asn;
  bool json = false;
};

bool LoadVrps(const RpkiArgs& a, rpki::VrpSet* vrps, bool* skipped) {
  return LoadVrpFiles(a.vrp_files, vrps, skipped, a.slurm_files);
}

nlohmann::ordered_json VrpJson(const rpki::VrpSet& set, const rpki::Vrp& v) {
  nlohmann::ordered_json j;
  j["prefix"] = v.prefix.ToString();
  j["max_length"] = v.max_length;
  j["asn"] = v.asn;
  if (v.ta) j["ta"] = set.trust_anchors()[v.ta];
  return j;
}

int RunValidate(const RpkiArgs& a) {
  auto prefix = Prefix::Parse(a.prefix, /*lenient=*/true);
  Asn asn = 0;
  if (!prefix) {
    std::fprintf(stderr, "vigia: '%s' is not a prefix\n", a.prefix.c_str());
    return kExitFailed;
  }
  if (!ParseAsn(a.asn, &asn)) {
    std::fprintf(stderr, "vigia: '%s' is not an AS number\n", a.asn.c_str());
    return kExitFailed;
  }
  rpki::VrpSet vrps;
  bool skipped = false;
  if (!LoadVrps(a, &vrps, &skipped)) return kExitFailed;
  rpki::RovResult r = rpki::Validate(vrps, *prefix, asn);
  if (a.json) {
    nlohmann::ordered_json j;
    j["prefix"] = prefix->Masked().ToString();
    j["origin"] = asn;
    j["state"] = std::string(rpki::RovStateName(r.state));
    j["matched"] = nlohmann::json::array();
    for (const rpki::Vrp& v : r.matched) j["matched"].push_back(VrpJson(vrps, v));
    j["covering"] = nlohmann::json::array();
    for (const rpki::Vrp& v : r.covering) j["covering"].push_back(VrpJson(vrps, v));
    std::cout << j.dump() << "\n";
  } else {
    std::printf("%s AS%u: %s\n", prefix->Masked().ToString().c_str(), asn,
                std::string(rpki::RovStateName(r.state)).c_str());
    for (const rpki::Vrp& v : r.covering) {
      bool m = false;
      for (const rpki::Vrp& x : r.matched) m |= x == v;
      std::printf("  %s %s-%u AS%u%s%s\n", m ? "matched " : "covering", v.prefix.ToString().c_str(),
                  v.max_length, v.asn, v.ta ? " ta=" : "",
                  v.ta ? vrps.trust_anchors()[v.ta].c_str() : "");
    }
  }
  return skipped ? kExitSkipped : kExitOk;
}

int RunStats(const RpkiArgs& a) {
  rpki::VrpSet vrps;
  bool skipped = false;
  if (!LoadVrps(a, &vrps, &skipped)) return kExitFailed;
  size_t v4 = 0, v6 = 0, as0 = 0, loose = 0;
  std::map<std::string, size_t> per_ta;
  for (const rpki::Vrp& v : vrps.vrps()) {
    (v.prefix.family() == Family::kIpv4 ? v4 : v6) += 1;
    as0 += v.asn == 0;
    loose += v.max_length > v.prefix.length();
    ++per_ta[vrps.trust_anchors()[v.ta].empty() ? "(unknown)" : vrps.trust_anchors()[v.ta]];
  }
  nlohmann::ordered_json j;
  j["vrps"] = vrps.size();
  j["ipv4"] = v4;
  j["ipv6"] = v6;
  j["as0"] = as0;
  j["max_length_above_prefix_length"] = loose;
  j["per_trust_anchor"] = per_ta;
  j["aspas"] = vrps.aspas().size();
  size_t provider_links = 0;
  for (const rpki::Aspa& x : vrps.aspas().Sorted()) provider_links += x.providers.size();
  j["aspa_providers"] = provider_links;
  j["skipped"] = vrps.skipped();
  if (a.json) {
    std::cout << j.dump(2) << "\n";
  } else {
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (it.key() == "per_trust_anchor") {
        for (auto& [ta, n] : per_ta) std::printf("  ta %-28s %zu\n", ta.c_str(), n);
      } else {
        std::printf("%-32s %s\n", it.key().c_str(), it.value().dump().c_str());
      }
    }
  }
  return skipped ? kExitSkipped : kExitOk;
}

}  // namespace

void RegisterRpki(CLI::App& app, int* exit_code) {
  CLI::App* rpki = app.add_subcommand("rpki", "RPKI: VRPs and route origin validation");
  rpki->require_subcommand(1);

  auto va = std::make_shared<RpkiArgs>();
  CLI::App* validate =
      rpki->add_subcommand("validate", "RFC 6811 origin validation of PREFIX announced by ASN");
  AddFilesOption(validate, "--vrps", &va->vrp_files,
                 "VRP files: rpki-client/Routinator JSON, Routinator/RIPE CSV (any compression)")
      ->required();
  validate->add_option("PREFIX", va->prefix, "the announced prefix")->required();
  validate->add_option("ASN", va->asn, "the origin AS (AS64496 or 64496; 0 for an AS_SET origin)")
      ->required();
  AddSlurmOption(validate, &va->slurm_files);
  validate->add_flag("--json", va->json, "print a JSON object");
  validate->footer(
      "States: valid, invalid-origin, invalid-length, not-found. Exit status: 0, or 1 when "
      "VRP entries were skipped, 2 when nothing could be read.");
  validate->callback([va, exit_code] { *exit_code = RunValidate(*va); });

  auto sa = std::make_shared<RpkiArgs>();
  RegisterRpkiAspa(*rpki, exit_code);
  RegisterRpkiFetch(*rpki, exit_code);

  CLI::App* stats = rpki->add_subcommand("stats", "Summarise VRP files");
  AddFilesOption(stats, "--vrps", &sa->vrp_files, "VRP files")->required();
  AddSlurmOption(stats, &sa->slurm_files);
  stats->add_flag("--json", sa->json, "print a JSON object");
  stats->callback([sa, exit_code] { *exit_code = RunStats(*sa); });
}

}  // namespace vigia::cli
