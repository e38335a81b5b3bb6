// vigia ixp check RIB.mrt... --members FILE: the routes a route server
// accepted that MANRS for IXPs Action 1 says it should have rejected, per
// member, from an MRT dump of its RIB (ixp/rs_check.h). Text or --json (the
// CONTRACT of docs/ixp.md); --db URL --ixp ID stores the report for the
// dashboard's IXP page.
//
// Exit status: 0 no bad route accepted; 1 bad routes accepted; 2 usage or
// input error, including a damaged RIB with no bad route found (an
// incomplete RIB is never reported clean).
#include <fmt/format.h>

#include <cstdio>
#include <ctime>
#include <fstream>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/mrt_common.h"
#include "cli/rpki_common.h"
#include "irr/irr_index.h"
#include "ixp/members.h"
#include "ixp/rs_check.h"
#include "registry/bogons.h"
#include "rpki/vrp.h"
#include "store/store.h"

namespace vigia::cli {
namespace {

struct CheckArgs {
  std::vector<std::string> ribs;
  std::string members, overrides, ix;
  std::vector<std::string> vrps, irr;
  std::string bogons;
  std::optional<Asn> rs_asn;
  size_t max_as_path = 0;
  bool irr_allow_more_specific = false, irr_prefix_origin = false;
  bool json = false;
  bool quiet = false;
  std::string db, ixp;
};

// The date a VRP file states for itself: rpki-client's metadata.buildtime,
// Routinator's metadata.generatedTime or generated (seconds); "" when none.
std::string VrpFileDate(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::string head(8192, '\0');
  f.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(f.gcount()));
  std::smatch m;
  static const std::regex kIso(R"re("(buildtime|generatedTime)"\s*:\s*"(\d{4}-\d{2}-\d{2}))re");
  if (std::regex_search(head, m, kIso)) return m[2];
  static const std::regex kEpoch(R"re("generated"\s*:\s*(\d{9,11}))re");
  if (std::regex_search(head, m, kEpoch)) {
    const time_t t = static_cast<time_t>(std::stoll(m[1]));
    struct tm tm {};
    gmtime_r(&t, &tm);
    char buf[16];
    std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
    return buf;
  }
  return "";
}

// Days from a to b (YYYY-MM-DD), or nothing when either is not a date.
std::optional<long> DaysBetween(const std::string& a, const std::string& b) {
  auto parse = [](const std::string& s) -> std::optional<time_t> {
    struct tm tm {};
    if (s.size() != 10 || strptime(s.c_str(), "%Y-%m-%d", &tm) == nullptr) return std::nullopt;
    return timegm(&tm);
  };
  auto x = parse(a), y = parse(b);
  if (!x || !y) return std::nullopt;
  return static_cast<long>((*y - *x) / 86400);
}

// An input dated more than a month from the RIB judges it by other data.
void DateWarning(const std::string& what, const std::string& date, const std::string& rib_date,
                 std::vector<std::string>* warnings) {
  if (date.empty()) {
    warnings->push_back(what + " states no date: its match with the RIB's date (" +
                        (rib_date.empty() ? "unknown" : rib_date) + ") is unknown");
    return;
  }
  auto d = DaysBetween(rib_date, date);
  if (d && (*d > 31 || *d < -31)) {
    warnings->push_back(
        fmt::format("{} dated {}, {} days {} the RIB ({}): results for it are "
                    "approximate",
                    what, date, *d < 0 ? -*d : *d, *d < 0 ? "before" : "after", rib_date));
  }
}

int RunCheck(const CheckArgs& a) {
  if (a.db.empty() != a.ixp.empty()) {
    std::fprintf(stderr, "vigia: --db and --ixp go together (the store and the IXP's id)\n");
    return kExitFailed;
  }
  // Members.
  ProblemLog member_problems;
  auto loaded = ixp::LoadMembers(a.members, &member_problems, a.ix);
  if (!loaded.ok()) {
    std::fprintf(stderr, "vigia: %s\n", loaded.status().message().c_str());
    return kExitFailed;
  }
  ixp::MemberList members = std::move(loaded).value();
  if (!a.overrides.empty()) {
    if (Status s = ixp::ApplyOverrides(a.overrides, &members, &member_problems); !s.ok()) {
      std::fprintf(stderr, "vigia: %s\n", s.message().c_str());
      return kExitFailed;
    }
  }
  for (const LoadProblem& p : member_problems)
    std::fprintf(stderr, "vigia: %s: %s (skipped)\n", p.where.c_str(), p.message.c_str());
  if (members.members.empty()) {
    std::fprintf(stderr, "vigia: %s: no members read; nothing to check routes against\n",
                 a.members.c_str());
    return kExitFailed;
  }

  ixp::CheckInputs in;
  in.members = &members;
  in.policy.rs_asn = a.rs_asn;
  if (a.max_as_path > 0) in.policy.max_as_path = a.max_as_path;
  in.policy.irr_allow_more_specific = a.irr_allow_more_specific;
  in.policy.irr_prefix_origin = a.irr_prefix_origin;

  // VRPs (RFC 6811).
  rpki::VrpSet vrps;
  if (!a.vrps.empty()) {
    bool skipped = false;
    if (!LoadVrpFiles(a.vrps, &vrps, &skipped)) return kExitFailed;
    vrps.Build();
    in.vrps = &vrps;
  }
  // IRR.
  irr::IrrDatabase irr;
  if (!a.irr.empty()) {
    for (const std::string& f : a.irr) {
      if (Status s = irr.LoadFile(f); !s.ok()) {
        std::fprintf(stderr, "vigia: %s\n", s.message().c_str());
        return kExitFailed;
      }
    }
    size_t shown = 0;
    for (const LoadProblem& p : irr.problems()) {
      if (shown++ >= 20) break;
      std::fprintf(stderr, "vigia: %s: %s (skipped)\n", p.where.c_str(), p.message.c_str());
    }
    irr.Build();
    in.irr = &irr;
  }
  // Extra bogons.
  registry::PrefixListFile bogons;
  if (!a.bogons.empty()) {
    if (Status s = registry::LoadPrefixList(a.bogons, &bogons); !s.ok()) {
      std::fprintf(stderr, "vigia: %s\n", s.message().c_str());
      return kExitFailed;
    }
    for (const LoadProblem& p : bogons.problems)
      std::fprintf(stderr, "vigia: %s: %s (skipped)\n", p.where.c_str(), p.message.c_str());
    in.bogons4 = &bogons.v4;
    in.bogons6 = &bogons.v6;
  }

  // The RIB, streamed: progress on a terminal, damage on stderr.
  ixp::RsCheck check(in);
  WalkOptions wo;
  wo.quiet = a.quiet;
  const WalkResult walk = WalkFiles(a.ribs, wo, [&](const mrt::Decoder& d) { check.Add(d); });
  ixp::CheckReport r = check.Finish();
  r.rib_file = a.ribs.size() == 1 ? a.ribs[0] : fmt::format("{}", fmt::join(a.ribs, ", "));
  r.members_file = a.members;
  r.members_format = std::string(ixp::MemberFormatName(members.format));
  r.members_date = members.date;
  r.members_count = members.members.size();
  if (in.vrps) {
    std::string date;
    for (const std::string& f : a.vrps) {
      date = VrpFileDate(f);
      if (!date.empty()) break;
    }
    r.vrps = ixp::InputFile{fmt::format("{}", fmt::join(a.vrps, ", ")), date, vrps.size()};
    DateWarning("VRPs", date, r.rib_date, &r.warnings);
  }
  for (const std::string& f : a.irr) r.irr.push_back({f, "", 0});
  if (!a.irr.empty()) DateWarning("IRR data", "", r.rib_date, &r.warnings);
  r.bogons = a.bogons.empty() ? "built-in" : "file";
  if (!members.date.empty()) DateWarning("members", members.date, r.rib_date, &r.warnings);

  const bool damaged = walk.anything_skipped();
  if (walk.unreadable_files == walk.files || (r.rib_format.empty() && r.rib_routes == 0)) {
    std::fprintf(stderr, "vigia: %s: no RIB records (TABLE_DUMP_V2 or TABLE_DUMP) read\n",
                 r.rib_file.c_str());
    return kExitFailed;
  }
  if (r.rib_routes == 0) r.warnings.push_back("the RIB holds no routes");
  if (damaged)
    r.warnings.push_back(fmt::format(
        "the RIB is damaged ({} records skipped, {} unreadable files, {} truncated, {} stream "
        "errors): the report covers what could be read",
        walk.skipped_records, walk.unreadable_files, walk.truncated_files, walk.stream_errors));

  const std::string json = ixp::ReportJson(r, 2);
  if (a.json) {
    std::fwrite(json.data(), 1, json.size(), stdout);
    std::fputc('\n', stdout);
  } else {
    const std::string text = ixp::ReportText(r);
    std::fwrite(text.data(), 1, text.size(), stdout);
  }

  if (!a.db.empty()) {
    auto st = store::Store::Open(a.db);
    if (!st.ok()) {
      std::fprintf(stderr, "vigia: %s\n", st.status().message().c_str());
      return kExitFailed;
    }
    auto put = (*st)->PutRsCheck({0, a.ixp, "", r.rib_file, r.rib_date, ixp::ReportJson(r)});
    if (!put.ok()) {
      std::fprintf(stderr, "vigia: %s\n", put.status().message().c_str());
      return kExitFailed;
    }
    std::fprintf(stderr, "vigia: report stored in %s for IXP %s (check %lld)\n", a.db.c_str(),
                 a.ixp.c_str(), static_cast<long long>(put->id));
  }
  const int rc = ixp::ReportExitCode(r);
  if (rc == 0 && damaged) return kExitFailed;  // never clean on a partial RIB
  return rc;
}

}  // namespace

void RegisterIxpCheck(CLI::App& ixp, int* exit_code) {
  auto a = std::make_shared<CheckArgs>();
  CLI::App* cmd = ixp.add_subcommand(
      "check", "Routes a route server accepted that it should have rejected, per member");
  cmd->add_option("RIB", a->ribs,
                  "MRT dumps of the route server's RIB (TABLE_DUMP_V2 as BIRD writes it, "
                  "TABLE_DUMP as OpenBGPD writes it; any compression)")
      ->required();
  cmd->add_option("--members", a->members,
                  "members: IX-F Member Export JSON, arouteserver clients YAML, or a PeeringDB "
                  "dump directory (with --ix)")
      ->required();
  cmd->add_option("--ix", a->ix, "the exchange in a PeeringDB dump or multi-IXP IX-F export");
  cmd->add_option("--overrides", a->overrides,
                  "overrides file (YAML, arouteserver client keys, matched by ASN)");
  AddFilesOption(cmd, "--vrps", &a->vrps,
                 "VRP files (rpki-client / Routinator JSON or CSV) for RPKI origin validation "
                 "(RFC 6811); without them RPKI is listed as not checked");
  AddFilesOption(cmd, "--irr", &a->irr,
                 "IRR dumps (RPSL, ARIN-WHOIS JSON) for the members' as-sets and route "
                 "objects; without them IRR is listed as not checked");
  cmd->add_option("--bogons", a->bogons,
                  "extra bogon prefix list (one prefix a line, e.g. Team Cymru fullbogons); the "
                  "built-in special-purpose registries always apply");
  cmd->add_option("--rs-asn", a->rs_asn,
                  "the route server's ASN: a peer with it is the server seen by a client, and "
                  "RS_ASN:1101:x marks a route it filtered");
  cmd->add_option("--max-as-path", a->max_as_path, "AS_PATH length limit (default 64)");
  cmd->add_flag("--irr-allow-more-specific", a->irr_allow_more_specific,
                "a route inside one of the member's route objects passes irr_prefix (as "
                "`vigia ixp config --irr-allow-more-specific`); default: exact objects only");
  cmd->add_flag("--irr-prefix-origin", a->irr_prefix_origin,
                "also require a route object for the prefix with the route's own origin "
                "(reason prefix_not_in_origin)");
  cmd->add_flag("--json", a->json, "the report as JSON (docs/ixp.md)");
  cmd->add_flag("-q,--quiet", a->quiet, "no per-record messages about RIB damage");
  cmd->add_option("--db", a->db, "store the report in this store (sqlite:PATH or a path)");
  cmd->add_option("--ixp", a->ixp, "the IXP's id the stored report belongs to (with --db)");
  cmd->footer(
      "Reason keys: prefix_too_long prefix_too_short bogon bogon_asn as_path_too_long "
      "as_path_too_short first_as_not_peer next_hop_not_peer irr_prefix irr_origin "
      "prefix_not_in_origin rpki_invalid transit_free_asn (src/ixp/reason.h).\n"
      "Exit status: 0 no bad route accepted, 1 bad routes accepted, 2 usage or input error "
      "(also a damaged RIB with no bad route: a partial RIB is never clean).");
  cmd->callback([a, exit_code] { *exit_code = RunCheck(*a); });
}

}  // namespace vigia::cli
