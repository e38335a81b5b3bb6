// vigia rpki aspa: ASPA verification of one AS_PATH
// (draft-ietf-sidrops-aspa-verification).
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/rpki_common.h"
#include "rpki/aspa.h"

namespace vigia::cli {

namespace {

struct AspaArgs {
  std::vector<std::string> vrp_files;
  std::vector<std::string> slurm_files;
  std::string path;
  std::string role = "customer";
  bool json = false;
};

// "64500 AS64501,64502 {64503,64504}": ASNs separated by spaces or commas;
// braces mark an AS_SET. False, with *error set, on anything else.
bool ParsePath(std::string_view text, std::vector<Asn>* path, bool* has_as_set,
               std::string* error) {
  size_t i = 0;
  bool in_set = false;
  while (i < text.size()) {
    const char c = text[i];
    if (c == ' ' || c == ',' || c == '\t') {
      ++i;
    } else if (c == '{' || c == '}') {
      if ((c == '{') == in_set) {
        *error = "unbalanced braces";
        return false;
      }
      in_set = c == '{';
      *has_as_set = true;
      ++i;
    } else {
      size_t j = i;
      while (j < text.size() && text[j] != ' ' && text[j] != ',' && text[j] != '\t' &&
             text[j] != '{' && text[j] != '}')
        ++j;
      Asn a;
      if (!ParseAsn(text.substr(i, j - i), &a)) {
        *error = "'" + std::string(text.substr(i, j - i)) + "' is not an AS number";
        return false;
      }
      if (!in_set) path->push_back(a);
      i = j;
    }
  }
  if (in_set) {
    *error = "unbalanced braces";
    return false;
  }
  if (path->empty() && !*has_as_set) {
    *error = "empty path";
    return false;
  }
  return true;
}

int RunAspa(const AspaArgs& a) {
  rpki::PeerRole role;
  if (!rpki::ParsePeerRole(a.role, &role)) {
    std::fprintf(stderr, "vigia: --role '%s': expected customer, peer, provider, rs-client or rs\n",
                 a.role.c_str());
    return kExitFailed;
  }
  std::vector<Asn> path;
  bool has_as_set = false;
  std::string error;
  if (!ParsePath(a.path, &path, &has_as_set, &error)) {
    std::fprintf(stderr, "vigia: --path '%s': %s\n", a.path.c_str(), error.c_str());
    return kExitFailed;
  }
  rpki::VrpSet vrps;
  bool skipped = false;
  if (!LoadVrpFiles(a.vrp_files, &vrps, &skipped, a.slurm_files)) return kExitFailed;
  const rpki::AspaSet& aspas = vrps.aspas();
  const rpki::AspaResult r = rpki::VerifyAsPath(aspas, path, role, has_as_set);
  const char* algorithm = r.upstream ? "upstream" : "downstream";
  if (a.json) {
    nlohmann::ordered_json j;
    j["state"] = rpki::AspaStateName(r.state);
    j["role"] = rpki::PeerRoleName(role);
    j["algorithm"] = algorithm;
    j["path"] = r.path;
    j["as_set"] = has_as_set;
    j["max_up_ramp"] = r.max_up_ramp;
    j["min_up_ramp"] = r.min_up_ramp;
    j["max_down_ramp"] = r.max_down_ramp;
    j["min_down_ramp"] = r.min_down_ramp;
    j["reason"] = r.reason;
    j["hops"] = nlohmann::json::array();
    for (Asn as : r.path) {
      nlohmann::ordered_json h;
      h["asn"] = as;
      const std::vector<Asn>* p = aspas.Providers(as);
      if (p) {
        h["providers"] = *p;
      } else {
        h["providers"] = nullptr;
      }
      j["hops"].push_back(h);
    }
    std::cout << j.dump() << "\n";
  } else {
    std::printf("%s (route from a %s: %s verification)\n", rpki::AspaStateName(r.state),
                rpki::PeerRoleName(role), algorithm);
    std::printf("  %s\n", r.reason.c_str());
    std::printf("  ramps over %zu ASes: max_up %zu, min_up %zu, max_down %zu, min_down %zu\n",
                r.path.size(), r.max_up_ramp, r.min_up_ramp, r.max_down_ramp, r.min_down_ramp);
    for (Asn as : r.path) {
      const std::vector<Asn>* p = aspas.Providers(as);
      std::printf("  AS%-10u ", as);
      if (!p) {
        std::printf("no ASPA\n");
        continue;
      }
      std::printf("providers");
      for (Asn x : *p) std::printf(" %u", x);
      std::printf("\n");
    }
  }
  return skipped ? kExitSkipped : kExitOk;
}

}  // namespace

void RegisterRpkiAspa(CLI::App& rpki, int* exit_code) {
  auto a = std::make_shared<AspaArgs>();
  CLI::App* cmd = rpki.add_subcommand(
      "aspa", "ASPA verification of an AS_PATH (draft-ietf-sidrops-aspa-verification)");
  AddFilesOption(cmd, "--vrps", &a->vrp_files,
                 "rpki-client JSON with \"aspas\" or \"provider_authorizations\" (any "
                 "compression)")
      ->required();
  cmd->add_option("--path", a->path,
                  "the AS_PATH as received, neighbour first, origin last: \"A B C\"; {X,Y} is "
                  "an AS_SET")
      ->required();
  cmd->add_option("--role", a->role,
                  "what the neighbour that sent the route is to us: customer, peer, provider, "
                  "rs-client or rs (default customer)");
  AddSlurmOption(cmd, &a->slurm_files);
  cmd->add_flag("--json", a->json, "print a JSON object");
  cmd->footer(
      "Routes from a customer, a lateral peer, a route server or an RS client get upstream "
      "verification; routes from a provider get downstream verification. States: valid, "
      "invalid, unknown. Exit status: 0, or 1 when entries of the files were skipped, 2 when "
      "nothing could be read.");
  cmd->callback([a, exit_code] { *exit_code = RunAspa(*a); });
}

}  // namespace vigia::cli
