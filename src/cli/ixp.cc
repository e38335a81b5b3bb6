// vigia ixp: the IXP toolkit's command group, and `vigia ixp config`, a
// route-server configuration (BIRD 2 or OpenBGPD) from a members file with
// the filters of MANRS for IXPs Action 1 (src/ixp/policy.h).
//
// `vigia ixp check` (src/cli/ixp_check.cc) joins the group through
// RegisterIxpCheck.
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "core/sha256.h"
#include "irr/irr_index.h"
#include "ixp/bird2.h"
#include "ixp/members.h"
#include "ixp/openbgpd.h"
#include "ixp/policy.h"
#include "registry/registry.h"

namespace vigia::cli {

namespace {

struct ConfigArgs {
  std::string members, overrides, ix, format = "bird2", out, rtr, registry_dir;
  std::string rs_address4, rs_address6, router_id, transit_free, max_prefix_action = "restart";
  std::string well_known = "rfc1997", prefix_len4 = "8-24", prefix_len6 = "16-48";
  std::vector<std::string> irr, irr_sources, bogons;
  uint32_t rs_asn = 0, max_as_path = ixp::kDefaultMaxAsPath;
  uint32_t max_prefix4 = ixp::kDefaultMaxPrefix4, max_prefix6 = ixp::kDefaultMaxPrefix6;
  uint32_t max_communities = ixp::kDefaultMaxCommunities;
  bool reject_rpki_unknown = false, add_path = false, json = false, irr_more_specific = false;
};

void PrintProblems(const ProblemLog& problems, const char* suffix) {
  for (const LoadProblem& p : problems)
    std::fprintf(stderr, "vigia: %s%s%s%s\n", p.where.c_str(), p.where.empty() ? "" : ": ",
                 p.message.c_str(), suffix);
  if (problems.count() > problems.kept().size())
    std::fprintf(stderr, "vigia: %zu more problems not shown\n",
                 problems.count() - problems.kept().size());
}

bool ParseLengths(const std::string& text, uint8_t* min, uint8_t* max, const char* flag) {
  const size_t dash = text.find('-');
  uint64_t a = 0, b = 0;
  if (dash == std::string::npos || !ParseDecimal(std::string_view(text).substr(0, dash), 128, &a) ||
      !ParseDecimal(std::string_view(text).substr(dash + 1), 128, &b)) {
    std::fprintf(stderr, "vigia: %s wants MIN-MAX (e.g. 8-24), not '%s'\n", flag, text.c_str());
    return false;
  }
  *min = static_cast<uint8_t>(a);
  *max = static_cast<uint8_t>(b);
  return true;
}

bool ParseAddress(const std::string& text, std::optional<IpAddress>* out, const char* flag) {
  if (text.empty()) return true;
  *out = IpAddress::Parse(text);
  if (!*out) std::fprintf(stderr, "vigia: %s: '%s' is not an IP address\n", flag, text.c_str());
  return out->has_value();
}

// Writes via a temporary file and a rename, so a reader (a daemon being
// reconfigured) never sees half a file.
bool WriteFileAtomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << text;
    if (!f.good()) {
      std::fprintf(stderr, "vigia: %s: cannot write\n", tmp.c_str());
      return false;
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::fprintf(stderr, "vigia: %s: %s\n", path.c_str(), ec.message().c_str());
    return false;
  }
  return true;
}

int RunConfig(ConfigArgs a) {
  if (a.format != "bird2" && a.format != "openbgpd") {
    std::fprintf(stderr, "vigia: --format is bird2 or openbgpd, not '%s'\n", a.format.c_str());
    return kExitFailed;
  }
  if (a.json && a.out.empty()) {
    std::fprintf(stderr, "vigia: --json prints a summary; give the config a file with --out\n");
    return kExitFailed;
  }
  ixp::PolicyOptions opts;
  opts.rs_asn = a.rs_asn;
  opts.max_as_path = a.max_as_path;
  opts.default_max_prefix4 = a.max_prefix4;
  opts.default_max_prefix6 = a.max_prefix6;
  opts.max_communities = a.max_communities;
  opts.reject_rpki_unknown = a.reject_rpki_unknown;
  opts.add_path = a.add_path;
  opts.irr_allow_more_specific = a.irr_more_specific;
  opts.irr_sources = a.irr_sources;
  if (!ParseAddress(a.rs_address4, &opts.rs_address4, "--rs-address") ||
      !ParseAddress(a.rs_address6, &opts.rs_address6, "--rs-address6") ||
      !ParseAddress(a.router_id, &opts.router_id, "--router-id") ||
      !ParseLengths(a.prefix_len4, &opts.min_length4, &opts.max_length4, "--prefix-len4") ||
      !ParseLengths(a.prefix_len6, &opts.min_length6, &opts.max_length6, "--prefix-len6"))
    return kExitFailed;
  if (const auto act = ixp::MaxPrefixActionFromName(a.max_prefix_action)) {
    opts.max_prefix_action = *act;
  } else {
    std::fprintf(stderr, "vigia: --max-prefix-action is restart, block, disable or warn\n");
    return kExitFailed;
  }
  if (a.well_known == "rfc1997") {
    opts.well_known = ixp::WellKnownPolicy::kRfc1997;
  } else if (a.well_known == "pass") {
    opts.well_known = ixp::WellKnownPolicy::kPass;
  } else {
    std::fprintf(stderr, "vigia: --well-known is rfc1997 or pass\n");
    return kExitFailed;
  }
  if (!a.rtr.empty()) {
    opts.rtr = ixp::ParseRtrServer(a.rtr);
    if (!opts.rtr) {
      std::fprintf(stderr, "vigia: --rtr wants HOST:PORT or [IPV6]:PORT, not '%s'\n",
                   a.rtr.c_str());
      return kExitFailed;
    }
  }
  if (!a.transit_free.empty()) {
    opts.transit_free.clear();
    if (a.transit_free != "none") {
      std::string_view rest = a.transit_free;
      while (!rest.empty()) {
        const size_t comma = rest.find(',');
        const std::string_view tok = rest.substr(0, comma);
        const std::optional<Asn> asn = ParseAsn(tok);
        if (!asn) {
          std::fprintf(stderr, "vigia: --transit-free: '%.*s' is not an ASN\n",
                       static_cast<int>(tok.size()), tok.data());
          return kExitFailed;
        }
        opts.transit_free.push_back(*asn);
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
      }
    }
  }

  bool skipped = false;
  ProblemLog problems;
  Result<ixp::MemberList> members = ixp::LoadMembers(a.members, &problems, a.ix);
  if (!members.ok()) {
    std::fprintf(stderr, "vigia: %s\n", members.status().message().c_str());
    return kExitFailed;
  }
  if (!a.overrides.empty()) {
    Status s = ixp::ApplyOverrides(a.overrides, &*members, &problems);
    if (!s.ok()) {
      std::fprintf(stderr, "vigia: %s\n", s.message().c_str());
      return kExitFailed;
    }
  }
  PrintProblems(problems, " (skipped)");
  skipped = !problems.empty();

  std::unique_ptr<irr::IrrDatabase> irr_db;
  if (!a.irr.empty()) {
    irr_db = std::make_unique<irr::IrrDatabase>();
    for (const std::string& f : a.irr) {
      Status s = irr_db->LoadFile(f);
      if (!s.ok()) {
        std::fprintf(stderr, "vigia: %s\n", s.message().c_str());
        return kExitFailed;
      }
    }
    PrintProblems(irr_db->problems(), " (skipped)");
    skipped = skipped || !irr_db->problems().empty();
    irr_db->Build();
  }

  registry::Registry reg;
  ixp::BogonInput bogons;
  bogons.files = a.bogons;
  if (!a.registry_dir.empty()) {
    Status s = reg.Load(a.registry_dir);
    if (!s.ok()) {
      std::fprintf(stderr, "vigia: %s\n", s.message().c_str());
      return kExitFailed;
    }
    reg.Build();
    bogons.registry = &reg.bogons();
  }

  ProblemLog notes;
  Result<ixp::Policy> policy = ixp::BuildPolicy(*members, opts, irr_db.get(), bogons, &notes);
  if (!policy.ok()) {
    std::fprintf(stderr, "vigia: %s\n", policy.status().message().c_str());
    return kExitFailed;
  }
  for (const LoadProblem& p : notes)
    std::fprintf(stderr, "vigia: %s: warning: %s\n", p.where.c_str(), p.message.c_str());

  const std::string text =
      a.format == "bird2" ? ixp::WriteBird2(*policy) : ixp::WriteOpenBgpd(*policy);
  if (a.out.empty()) {
    std::fwrite(text.data(), 1, text.size(), stdout);
  } else if (!WriteFileAtomically(a.out, text)) {
    return kExitFailed;
  }
  if (a.json) {
    size_t sessions4 = 0, sessions6 = 0, prefixes = 0;
    for (const ixp::MemberPolicy& mp : policy->members) {
      sessions4 += mp.next_hops4.size();
      sessions6 += mp.next_hops6.size();
      prefixes += mp.prefixes4.size() + mp.prefixes6.size();
    }
    nlohmann::ordered_json j;
    j["file"] = a.out;
    j["format"] = a.format;
    j["bytes"] = text.size();
    const Result<std::string> sum = Sha256File(a.out);
    j["sha256"] = sum.ok() ? nlohmann::ordered_json(*sum) : nlohmann::ordered_json(nullptr);
    j["members"] = {
        {"file", a.members},
        {"format", policy->members_format},
        {"date", policy->members_date.empty() ? nlohmann::ordered_json(nullptr)
                                              : nlohmann::ordered_json(policy->members_date)},
        {"count", policy->members.size()},
        {"skipped", members->skipped}};
    j["sessions"] = {{"ipv4", sessions4}, {"ipv6", sessions6}};
    j["irr"] = policy->irr ? nlohmann::ordered_json({{"files", a.irr}, {"prefixes", prefixes}})
                           : nlohmann::ordered_json(nullptr);
    j["rpki"] = opts.rtr ? nlohmann::ordered_json(a.rtr) : nlohmann::ordered_json(nullptr);
    j["bogons"] = {{"source", std::string(ixp::BogonSourceName(policy->bogon_source))},
                   {"ipv4", policy->bogons4.size()},
                   {"ipv6", policy->bogons6.size()},
                   {"asn_ranges", policy->bogon_asns.size()}};
    j["warnings"] = notes.count();
    std::printf("%s\n", j.dump(2).c_str());
  }
  return skipped ? kExitSkipped : kExitOk;
}

}  // namespace

void RegisterIxp(CLI::App& app, int* exit_code) {
  CLI::App* ixp = app.add_subcommand("ixp", "IXP toolkit: route-server configuration and checks");
  ixp->require_subcommand(1);

  auto a = std::make_shared<ConfigArgs>();
  CLI::App* cmd = ixp->add_subcommand(
      "config", "A route-server configuration (BIRD 2 or OpenBGPD) with MANRS Action 1 filters");
  cmd->add_option("--members", a->members,
                  "members file: IX-F JSON export, arouteserver clients YAML, or PeeringDB "
                  "JSON/directory (with --ix)")
      ->required();
  cmd->add_option("--overrides", a->overrides,
                  "YAML with arouteserver client keys (clients: - asn, ip, description, "
                  "cfg.filtering.irrdb.as_sets, cfg.filtering.max_prefix.limit_ipv4/6), by ASN");
  cmd->add_option("--ix", a->ix, "the exchange: PeeringDB ix id or name; IX-F ixp_id or shortname");
  cmd->add_option("--rs-asn", a->rs_asn, "the route server's ASN")->required();
  cmd->add_option("--rs-address", a->rs_address4, "the route server's IPv4 address (router id)");
  cmd->add_option("--rs-address6", a->rs_address6, "the route server's IPv6 address");
  cmd->add_option("--router-id", a->router_id, "BGP router id (default: --rs-address)");
  cmd->add_option("--format", a->format, "bird2 or openbgpd")->capture_default_str();
  cmd->add_option("--irr", a->irr, "RPSL dumps or ARIN-WHOIS files to expand members' as-sets")
      ->expected(1, -1);
  cmd->add_option("--irr-sources", a->irr_sources, "IRR source order (default: every source)")
      ->delimiter(',');
  cmd->add_flag("--irr-allow-more-specific", a->irr_more_specific,
                "accept more-specifics of route objects, tagged RS_ASN:1001:3 (default: exact)");
  cmd->add_option("--rtr", a->rtr, "RPKI from this RTR cache, HOST:PORT (none: not checked)");
  cmd->add_flag("--reject-rpki-unknown", a->reject_rpki_unknown,
                "reject RPKI NotFound routes (reason 12) instead of tagging them");
  cmd->add_option("--bogons", a->bogons,
                  "full-bogon prefix lists (Team Cymru fullbogons format), added to the built-in "
                  "special-purpose list")
      ->expected(1, -1);
  cmd->add_option("--registry", a->registry_dir,
                  "RIR delegated stats and IANA CSVs: full bogons and bogon ASNs as `vigia "
                  "bogons` computes them");
  cmd->add_option("--prefix-len4", a->prefix_len4, "accepted IPv4 lengths MIN-MAX")
      ->capture_default_str();
  cmd->add_option("--prefix-len6", a->prefix_len6, "accepted IPv6 lengths MIN-MAX")
      ->capture_default_str();
  cmd->add_option("--max-as-path", a->max_as_path, "most ASNs in an AS_PATH")
      ->capture_default_str();
  cmd->add_option("--transit-free", a->transit_free,
                  "transit-free ASNs, comma-separated, or 'none' (default: arouteserver's list)");
  cmd->add_option("--max-prefix-action", a->max_prefix_action, "restart, block, disable or warn")
      ->capture_default_str();
  cmd->add_option("--max-prefix4", a->max_prefix4, "IPv4 limit of members that give none")
      ->capture_default_str();
  cmd->add_option("--max-prefix6", a->max_prefix6, "IPv6 limit of members that give none")
      ->capture_default_str();
  cmd->add_option("--max-communities", a->max_communities,
                  "most communities (standard + extended + large) on a route")
      ->capture_default_str();
  cmd->add_option("--well-known", a->well_known,
                  "NO_EXPORT/NO_ADVERTISE/NOPEER: rfc1997 (reject, reason 50) or pass")
      ->capture_default_str();
  cmd->add_flag("--add-path", a->add_path, "send all paths to clients (ADD-PATH tx, RFC 7911)");
  cmd->add_option("--out", a->out, "write the configuration here (default: standard output)");
  cmd->add_flag("--json", a->json, "print a JSON summary (needs --out)");
  cmd->footer(
      "Rejected routes get the large community RS_ASN:1101:<code> (IXP Manager's codes 1-15, "
      "Vigia's from 50; docs/ixp.md); accepted ones RS_ASN:1000:<n> (RPKI) and "
      "RS_ASN:1001:<n> (IRR). The output depends on the inputs only (no timestamps). Exit "
      "status: 0, 1 when input was skipped, 2 when nothing could be written.");
  cmd->callback([a, exit_code] { *exit_code = RunConfig(*a); });

  RegisterIxpCheck(*ixp, exit_code);
}

}  // namespace vigia::cli
