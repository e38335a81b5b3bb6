// vigia irr check / expand: the IRR status of an announcement, and
// recursive as-set expansion (SPEC C4). Both load RPSL dumps and ARIN-WHOIS
// originAS JSON given with --irr (any compression, recognised by content).
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "core/output_buffer.h"
#include "irr/as_set_expander.h"
#include "irr/irr_index.h"
#include "irr/route_check.h"

namespace vigia::cli {

namespace {

struct IrrArgs {
  std::vector<std::string> files;
  std::vector<std::string> sources;
  std::string default_source;
  std::string prefix;
  std::string asn;
  std::string set;
  int depth = irr::kDefaultExpandDepth;
  bool asns_only = false;
  bool json = false;
};

// Loads every file, printing its problems. False when nothing could be
// read.
bool Load(const IrrArgs& a, irr::IrrDatabase* db, bool* skipped) {
  bool any = false;
  irr::LoadOptions opts;
  opts.default_source = a.default_source;
  size_t printed = 0;
  for (const std::string& f : a.files) {
    Status s = db->LoadFile(f, opts);
    if (!s.ok()) {
      std::fprintf(stderr, "vigia: %s\n", s.message().c_str());
      *skipped = true;
    } else {
      any = true;
    }
    for (; printed < db->problems().kept().size(); ++printed) {
      const LoadProblem& p = db->problems().kept()[printed];
      std::fprintf(stderr, "vigia: %s: %s (skipped)\n", p.where.c_str(), p.message.c_str());
    }
  }
  if (db->problems().count() > 0) *skipped = true;
  if (db->problems().count() > printed) {
    std::fprintf(stderr, "vigia: %zu more problems not shown\n", db->problems().count() - printed);
  }
  db->Build();
  return any;
}

// --sources names to ids, in the order given. False (and a message) when a
// name is not among the loaded sources.
bool ResolveSources(const IrrArgs& a, const irr::IrrDatabase& db, std::vector<irr::SourceId>* out) {
  for (const std::string& name : a.sources) {
    auto id = db.FindSource(name);
    if (!id) {
      std::string loaded;
      for (const std::string& s : db.sources()) loaded += (loaded.empty() ? "" : ", ") + s;
      std::fprintf(stderr, "vigia: source '%s' is not in the loaded files (loaded: %s)\n",
                   name.c_str(), loaded.empty() ? "none" : loaded.c_str());
      return false;
    }
    out->push_back(*id);
  }
  return true;
}

// CLI11 lets the many-valued --irr swallow the positional arguments when
// an option follows them (`--irr a.db b.db 192.0.2.0/24 AS1 --json`), so the
// positionals are optional to CLI11 and the missing ones are taken back
// from the end of the file list here. False (and a message) when there are
// not enough values for them.
bool TakePositionals(std::vector<std::string>* files,
                     std::vector<std::pair<std::string*, const char*>> slots) {
  size_t missing = 0;
  for (auto& [slot, name] : slots) missing += slot->empty();
  if (missing == 0)
    return !files->empty() || (std::fprintf(stderr, "vigia: --irr needs a file\n"), false);
  if (files->size() < missing + 1) {
    std::string names;
    for (auto& [slot, name] : slots) {
      if (slot->empty()) names += (names.empty() ? "" : " and ") + std::string(name);
    }
    std::fprintf(stderr, "vigia: %s %s required (after the --irr files)\n", names.c_str(),
                 missing > 1 ? "are" : "is");
    return false;
  }
  for (auto it = slots.rbegin(); it != slots.rend(); ++it) {
    if (!it->first->empty()) continue;
    *it->first = files->back();
    files->pop_back();
  }
  return true;
}

nlohmann::ordered_json RouteJson(const irr::IrrDatabase& db, const irr::RouteObject& r) {
  nlohmann::ordered_json j;
  j["class"] = r.prefix.family() == Family::kIpv4 ? "route" : "route6";
  j["prefix"] = r.prefix.ToString();
  j["origin"] = r.origin;
  j["source"] = db.sources()[r.source];
  nlohmann::ordered_json mnt = nlohmann::json::array();
  irr::ForEachToken(db.strings().Get(r.mnt_by), [&](std::string_view m) { mnt.push_back(m); });
  j["mnt_by"] = std::move(mnt);
  if (r.name) j["name"] = db.strings().Get(r.name);
  j["where"] = db.Where(r.place);
  return j;
}

int RunCheck(IrrArgs a) {
  if (!TakePositionals(&a.files, {{&a.prefix, "PREFIX"}, {&a.asn, "ASN"}})) return kExitFailed;
  auto prefix = Prefix::Parse(a.prefix, /*lenient=*/true);
  if (!prefix) {
    std::fprintf(stderr, "vigia: '%s' is not a prefix\n", a.prefix.c_str());
    return kExitFailed;
  }
  Asn asn = 0;
  if (!ParseAsn(a.asn, &asn, kAsnAny)) {
    std::fprintf(stderr, "vigia: '%s' is not an AS number\n", a.asn.c_str());
    return kExitFailed;
  }
  irr::IrrDatabase db;
  bool skipped = false;
  if (!Load(a, &db, &skipped)) return kExitFailed;
  std::vector<irr::SourceId> sources;
  if (!ResolveSources(a, db, &sources)) return kExitFailed;
  const irr::IrrCheckResult r = irr::CheckRoute(db, *prefix, asn, sources);
  const Prefix p = prefix->Masked();
  if (a.json) {
    nlohmann::ordered_json j;
    j["prefix"] = p.ToString();
    j["origin"] = asn;
    j["state"] = std::string(irr::IrrStateName(r.state));
    j["objects"] = nlohmann::json::array();
    for (uint32_t i : r.objects) j["objects"].push_back(RouteJson(db, db.routes()[i]));
    std::cout << j.dump() << "\n";
  } else {
    std::printf("%s AS%u: %s\n", p.ToString().c_str(), asn,
                std::string(irr::IrrStateName(r.state)).c_str());
    for (uint32_t i : r.objects) {
      const irr::RouteObject& o = db.routes()[i];
      std::string extra;
      if (o.mnt_by) extra += " mnt-by " + std::string(db.strings().Get(o.mnt_by));
      if (o.name) extra += " net " + std::string(db.strings().Get(o.name));
      std::printf("  %s %s AS%u %s%s (%s)\n",
                  o.prefix.family() == Family::kIpv4 ? "route" : "route6",
                  o.prefix.ToString().c_str(), o.origin, db.sources()[o.source].c_str(),
                  extra.c_str(), db.Where(o.place).c_str());
    }
  }
  return skipped ? kExitSkipped : kExitOk;
}

std::string SourceList(const irr::IrrDatabase& db, const std::vector<irr::SourceId>& ids) {
  std::string s;
  for (irr::SourceId id : ids) s += (s.empty() ? "" : ", ") + db.sources()[id];
  return s;
}

int RunExpand(IrrArgs a) {
  if (!TakePositionals(&a.files, {{&a.set, "AS-SET"}})) return kExitFailed;
  if (a.depth < 1 || a.depth > irr::kMaxExpandDepth) {
    std::fprintf(stderr, "vigia: --depth must be between 1 and %d\n", irr::kMaxExpandDepth);
    return kExitFailed;
  }
  irr::IrrDatabase db;
  bool skipped = false;
  if (!Load(a, &db, &skipped)) return kExitFailed;
  irr::ExpandOptions opts;
  if (!ResolveSources(a, db, &opts.sources)) return kExitFailed;
  opts.max_depth = a.depth;
  opts.prefixes = !a.asns_only;
  const irr::ExpandResult r = irr::ExpandAsSet(db, a.set, opts);
  const std::vector<irr::SourceId> searched = opts.sources.empty() ? db.AllSources() : opts.sources;
  if (!r.found) {
    std::fprintf(stderr, "vigia: %s: no such as-set in %s\n", a.set.c_str(),
                 searched.empty() ? "the loaded files" : SourceList(db, searched).c_str());
    return kExitFailed;
  }
  const std::string name = r.root_is_asn ? a.set : irr::ToUpper(a.set);
  if (a.json) {
    nlohmann::ordered_json j;
    j["set"] = name;
    if (!r.root_is_asn) j["source"] = db.sources()[r.root_source];
    j["sources"] = nlohmann::json::array();
    for (irr::SourceId id : searched) j["sources"].push_back(db.sources()[id]);
    j["depth_limit"] = a.depth;
    j["sets_expanded"] = r.sets_expanded;
    j["asns"] = r.asns;
    if (!a.asns_only) {
      j["ipv4"] = nlohmann::json::array();
      for (const Prefix& p : r.ipv4) j["ipv4"].push_back(p.ToString());
      j["ipv6"] = nlohmann::json::array();
      for (const Prefix& p : r.ipv6) j["ipv6"].push_back(p.ToString());
    }
    j["unresolved"] = nlohmann::json::array();
    for (const auto& [set, parent] : r.unresolved) {
      j["unresolved"].push_back({{"set", set}, {"member_of", parent}});
    }
    j["cycles"] = r.cycles;
    j["depth_limited"] = nlohmann::json::array();
    for (const auto& [set, parent] : r.depth_limited) {
      j["depth_limited"].push_back({{"set", set}, {"member_of", parent}});
    }
    std::cout << j.dump() << "\n";
    return skipped ? kExitSkipped : kExitOk;
  }
  OutputBuffer out(1);
  out.Append(name);
  if (!r.root_is_asn) {
    out.Append(" (source ");
    out.Append(db.sources()[r.root_source]);
    out.Append(")");
  }
  out.Append(": ");
  out.AppendU64(r.asns.size());
  out.Append(" ASNs");
  if (!a.asns_only) {
    out.Append(", ");
    out.AppendU64(r.ipv4.size());
    out.Append(" IPv4 prefixes, ");
    out.AppendU64(r.ipv6.size());
    out.Append(" IPv6 prefixes");
  }
  out.Append("; ");
  out.AppendU64(r.sets_expanded);
  out.Append(" sets expanded from ");
  out.Append(SourceList(db, searched));
  out.Append("\nasns:\n");
  for (Asn x : r.asns) {
    out.Append("  AS");
    out.AppendU64(x);
    out.Append('\n');
    out.MaybeFlush();
  }
  if (!a.asns_only) {
    for (const auto& [title, list] :
         {std::pair{"ipv4:\n", &r.ipv4}, std::pair{"ipv6:\n", &r.ipv6}}) {
      out.Append(title);
      for (const Prefix& p : *list) {
        out.Append("  ");
        out.Commit(p.Format(out.Reserve(64)));
        out.Append('\n');
        out.MaybeFlush();
      }
    }
  }
  if (!r.unresolved.empty()) {
    out.Append("unresolved (no such as-set in the sources):\n");
    for (const auto& [set, parent] : r.unresolved) {
      out.Append("  " + set + " (member of " + parent + ")\n");
    }
  }
  if (!r.cycles.empty()) {
    out.Append("cycles (followed once):\n");
    for (const auto& cycle : r.cycles) {
      out.Append(" ");
      for (size_t i = 0; i < cycle.size(); ++i) out.Append((i ? " -> " : " ") + cycle[i]);
      out.Append('\n');
    }
  }
  if (!r.depth_limited.empty()) {
    out.Append("depth limit " + std::to_string(a.depth) + " reached; not expanded:\n");
    for (const auto& [set, parent] : r.depth_limited) {
      out.Append("  " + set + " (member of " + parent + ")\n");
    }
  }
  (void)out.Flush();
  return skipped ? kExitSkipped : kExitOk;
}

void AddLoadOptions(CLI::App* cmd, IrrArgs* a) {
  cmd->add_option("--irr", a->files,
                  "RPSL dumps and ARIN-WHOIS originAS JSON files (any compression; recognised by "
                  "content)")
      ->required();
  cmd->add_option("--sources", a->sources,
                  "only these sources, most preferred first (comma-separated, e.g. RIPE,RADB)")
      ->delimiter(',');
  cmd->add_option("--default-source", a->default_source,
                  "source of RPSL objects without a source: attribute (default: the file name "
                  "up to its first '.', upper-cased)");
  cmd->add_flag("--json", a->json, "print a JSON object");
}

}  // namespace

void RegisterIrr(CLI::App& app, int* exit_code) {
  CLI::App* irr = app.add_subcommand("irr", "IRR: route objects and as-set expansion");
  irr->require_subcommand(1);

  auto ca = std::make_shared<IrrArgs>();
  CLI::App* check = irr->add_subcommand("check", "IRR status of PREFIX originated by ASN");
  AddLoadOptions(check, ca.get());
  check->add_option("PREFIX", ca->prefix, "the announced prefix (required)");
  check->add_option("ASN", ca->asn, "the origin AS, AS64496 or 64496 (required)");
  check->footer(
      "States, first that applies: exact (a route object for this prefix and origin), "
      "less-specific (a covering route object of this origin), other-origin (route objects "
      "for the prefix or a less-specific, none of this origin), not-found. Exit status: 0, or 1 "
      "when input was skipped, 2 when nothing could be read.");
  check->callback([ca, exit_code] { *exit_code = RunCheck(*ca); });

  auto ea = std::make_shared<IrrArgs>();
  CLI::App* expand = irr->add_subcommand(
      "expand", "Recursive expansion of an as-set (or an AS) into ASNs and route prefixes");
  AddLoadOptions(expand, ea.get());
  expand
      ->add_option("--depth", ea->depth,
                   "most levels of nested sets to follow (1 = the set's own members)")
      ->capture_default_str();
  expand->add_flag("--asns-only", ea->asns_only, "list the ASNs only, no prefixes");
  expand->add_option("AS-SET", ea->set,
                     "an as-set name (AS-FOO, AS64496:AS-BAR) or an AS (required)");
  expand->footer(
      "With --sources, each set is taken from the first listed source that has it, and route "
      "objects from the listed sources only. Cycles and sets cut by the depth limit are "
      "reported. Exit status: 0, or 1 when input was skipped, 2 when nothing could be read or "
      "the set does not exist.");
  expand->callback([ea, exit_code] { *exit_code = RunExpand(*ea); });
  RegisterIrrServe(*irr, exit_code);
}

}  // namespace vigia::cli
