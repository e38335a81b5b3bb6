// vigia topo rel / cone / stats: AS relationships (CAIDA serial-1/serial-2,
// TopoScope), siblings from CAIDA as2org, and customer cones.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "topology/as2org.h"
#include "topology/as_relationships.h"
#include "topology/customer_cone.h"

namespace vigia::cli {

namespace {

using nlohmann::ordered_json;
using topology::AsRelationships;
using topology::Relation;

struct TopoArgs {
  std::vector<std::string> rel_files;
  std::string as2org_file;
  std::string a, b;
  bool json = false;
  bool list = false;
  size_t top = 10;
};

void PrintProblems(const ProblemLog& log, size_t from) {
  const auto& items = log.kept();
  for (size_t i = from; i < items.size(); ++i) {
    std::fprintf(stderr, "vigia: %s: %s (skipped)\n", items[i].where.c_str(),
                 items[i].message.c_str());
  }
}

// Loads every relationship file and the as2org file; problems go to stderr.
// False when no relationship file could be read.
bool Load(const TopoArgs& a, AsRelationships* g, topology::As2Org* orgs, bool* skipped) {
  bool any = false;
  for (const std::string& f : a.rel_files) {
    const size_t before = g->problems().kept().size();
    Status s = g->LoadFile(f);
    PrintProblems(g->problems(), before);
    if (!s.ok()) {
      std::fprintf(stderr, "vigia: %s\n", s.message().c_str());
      *skipped = true;
    }
    // A damaged compressed file still gave the links before the damage.
    if (s.ok() || s.code() != StatusCode::kIoError) any = true;
  }
  if (g->problems().count() > 0) *skipped = true;
  if (g->problems().count() > g->problems().kept().size()) {
    std::fprintf(stderr, "vigia: %zu more relationship problems not shown\n",
                 g->problems().count() - g->problems().kept().size());
  }
  if (!a.as2org_file.empty()) {
    Status s = orgs->LoadFile(a.as2org_file);
    PrintProblems(orgs->problems(), 0);
    if (!s.ok()) {
      std::fprintf(stderr, "vigia: %s\n", s.message().c_str());
      *skipped = true;
    }
    if (orgs->problems().count() > 0) *skipped = true;
  }
  return any;
}

bool ParseAsnArg(const std::string& text, Asn* out) {
  if (ParseAsn(text, out)) return true;
  std::fprintf(stderr, "vigia: '%s' is not an AS number\n", text.c_str());
  return false;
}

ordered_json OrgJson(const topology::As2Org& orgs, Asn asn) {
  const topology::Org* o = orgs.OrgOf(asn);
  if (!o) return nullptr;
  ordered_json j;
  j["org_id"] = o->id;
  j["name"] = o->name;
  j["country"] = o->country;
  j["source"] = o->source;
  return j;
}

std::string OrgText(const topology::As2Org& orgs, Asn asn) {
  const topology::Org* o = orgs.OrgOf(asn);
  if (!o) return "";
  return " [" + o->name + (o->country.empty() ? "" : ", " + o->country) + "]";
}

std::string Where(const AsRelationships& g, const topology::Link& l) {
  if (l.file == topology::kNoFile) return "";
  return g.files()[l.file].name + ":" + std::to_string(l.line);
}

int RunRel(const TopoArgs& a) {
  Asn x, y;
  if (!ParseAsnArg(a.a, &x) || !ParseAsnArg(a.b, &y)) return kExitFailed;
  AsRelationships g;
  topology::As2Org orgs;
  bool skipped = false;
  if (!Load(a, &g, &orgs, &skipped)) return kExitFailed;
  const topology::Link* link = nullptr;
  const Relation r = g.RelationOf(x, y, &link);
  const bool siblings = orgs.AreSiblings(x, y);
  // The answer: the link's relationship when there is one, else "sibling"
  // when as2org puts both in one organisation, else "none".
  const std::string answer = r != Relation::kNone ? std::string(topology::RelationName(r))
                             : siblings           ? "sibling"
                                                  : "none";
  if (a.json) {
    ordered_json j;
    j["a"] = x;
    j["b"] = y;
    j["relation"] = answer;
    j["siblings"] = siblings;
    if (link) {
      ordered_json l;
      l["type"] = link->type == topology::LinkType::kP2c ? "p2c" : "p2p";
      if (link->type == topology::LinkType::kP2c) {
        l["provider"] = g.AsnAt(link->a);
        l["customer"] = g.AsnAt(link->b);
      }
      if (link->file != topology::kNoFile) {
        l["file"] = g.files()[link->file].name;
        l["line"] = link->line;
      }
      if (link->source) l["source"] = g.sources()[link->source];
      j["link"] = l;
    } else {
      j["link"] = nullptr;
    }
    if (!a.as2org_file.empty()) {
      j["org_a"] = OrgJson(orgs, x);
      j["org_b"] = OrgJson(orgs, y);
    }
    std::cout << j.dump() << "\n";
  } else {
    std::string what;
    if (r == Relation::kProvider) what = "is a provider of";
    if (r == Relation::kCustomer) what = "is a customer of";
    if (r == Relation::kPeer) what = "is a peer of";
    if (r == Relation::kNone)
      what = siblings ? "is a sibling of" : "has no known relationship with";
    std::printf("AS%u%s %s AS%u%s\n", x, OrgText(orgs, x).c_str(), what.c_str(), y,
                OrgText(orgs, y).c_str());
    if (link) {
      std::printf("  link %s%s%s\n", Where(g, *link).c_str(), link->source ? " source " : "",
                  link->source ? g.sources()[link->source].c_str() : "");
    }
    if (r != Relation::kNone && siblings) {
      std::printf("  both ASes belong to organisation %s (as2org)\n", orgs.OrgOf(x)->id.c_str());
    }
  }
  return skipped ? kExitSkipped : kExitOk;
}

int RunCone(const TopoArgs& a) {
  Asn asn;
  if (!ParseAsnArg(a.a, &asn)) return kExitFailed;
  AsRelationships g;
  topology::As2Org orgs;
  bool skipped = false;
  if (!Load(a, &g, &orgs, &skipped)) return kExitFailed;
  const auto index = g.Index(asn);
  if (!index) {
    std::fprintf(stderr, "vigia: AS%u is in none of the relationship files\n", asn);
    return kExitFailed;
  }
  topology::CustomerCones cones(g);
  const uint32_t size = cones.Size(*index);
  // Rank: one more than the number of ASes with a strictly larger cone.
  size_t rank = 1;
  for (uint32_t s : cones.sizes()) rank += s > size;
  std::vector<Asn> members;
  if (a.list) members = cones.Members(asn);
  if (a.json) {
    ordered_json j;
    j["asn"] = asn;
    j["cone_size"] = size;
    j["rank"] = rank;
    j["ases"] = g.as_count();
    j["providers"] = g.Providers(*index).size();
    j["customers"] = g.Customers(*index).size();
    j["peers"] = g.Peers(*index).size();
    if (!a.as2org_file.empty()) j["org"] = OrgJson(orgs, asn);
    if (a.list) j["members"] = members;
    std::cout << j.dump() << "\n";
  } else {
    std::printf("AS%u%s: customer cone of %u ASes (rank %zu of %zu)\n", asn,
                OrgText(orgs, asn).c_str(), size, rank, g.as_count());
    std::printf("  %zu providers, %zu customers, %zu peers\n", g.Providers(*index).size(),
                g.Customers(*index).size(), g.Peers(*index).size());
    for (Asn m : members) std::printf("AS%u\n", m);
  }
  return skipped ? kExitSkipped : kExitOk;
}

int RunStats(const TopoArgs& a) {
  AsRelationships g;
  topology::As2Org orgs;
  bool skipped = false;
  if (!Load(a, &g, &orgs, &skipped)) return kExitFailed;
  const auto t0 = std::chrono::steady_clock::now();
  topology::CustomerCones cones(g);
  const double cone_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  const auto cycles = cones.ProviderCycles();

  ordered_json j;
  j["files"] = ordered_json::array();
  for (const topology::RelFile& f : g.files()) {
    ordered_json fj;
    fj["name"] = f.name;
    fj["format"] = f.format;
    fj["links"] = f.links;
    fj["duplicates"] = f.duplicates;
    fj["conflicts"] = f.conflicts;
    fj["skipped"] = f.skipped;
    fj["clique"] = f.clique;
    fj["ixp_ases"] = f.ixp_ases;
    j["files"].push_back(fj);
  }
  size_t transit = 0, no_provider = 0;
  for (uint32_t i = 0; i < g.as_count(); ++i) {
    transit += !g.Customers(i).empty();
    no_provider += g.Providers(i).empty();
  }
  j["ases"] = g.as_count();
  j["links"] = g.link_count();
  j["p2c"] = g.p2c_count();
  j["p2p"] = g.p2p_count();
  j["ases_with_customers"] = transit;
  j["ases_without_providers"] = no_provider;
  j["provider_cycles"] = cycles.size();
  j["largest_provider_cycle"] = cycles.empty() ? ordered_json::array() : ordered_json(cycles[0]);
  j["cone_ms"] = static_cast<int64_t>(cone_ms * 10 + 0.5) / 10.0;
  std::vector<uint32_t> order(g.as_count());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  const size_t top = std::min(a.top, order.size());
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(top), order.end(),
                    [&](uint32_t x, uint32_t y) {
                      return cones.Size(x) != cones.Size(y) ? cones.Size(x) > cones.Size(y)
                                                            : g.AsnAt(x) < g.AsnAt(y);
                    });
  j["largest_cones"] = ordered_json::array();
  for (size_t i = 0; i < top; ++i) {
    ordered_json c;
    c["asn"] = g.AsnAt(order[i]);
    c["cone_size"] = cones.Size(order[i]);
    if (const topology::Org* o = orgs.OrgOf(g.AsnAt(order[i]))) c["org"] = o->name;
    j["largest_cones"].push_back(c);
  }
  if (!a.as2org_file.empty()) {
    size_t multi = 0;
    for (const topology::Org& o : orgs.orgs()) multi += o.ases.size() > 1;
    ordered_json oj;
    oj["orgs"] = orgs.orgs().size();
    oj["ases"] = orgs.as_count();
    oj["orgs_with_several_ases"] = multi;
    j["as2org"] = oj;
  }
  j["problems"] = g.problems().count() + orgs.problems().count();

  if (a.json) {
    std::cout << j.dump(2) << "\n";
    return skipped ? kExitSkipped : kExitOk;
  }
  for (const auto& fj : j["files"]) {
    std::printf("%s: %s, %zu links, %zu duplicates, %zu conflicts, %zu skipped",
                fj["name"].get<std::string>().c_str(), fj["format"].get<std::string>().c_str(),
                fj["links"].get<size_t>(), fj["duplicates"].get<size_t>(),
                fj["conflicts"].get<size_t>(), fj["skipped"].get<size_t>());
    if (!fj["clique"].empty()) std::printf(", clique of %zu", fj["clique"].size());
    if (!fj["ixp_ases"].empty()) std::printf(", %zu IXP ASes", fj["ixp_ases"].size());
    std::printf("\n");
  }
  std::printf("%-28s %zu\n", "ases", g.as_count());
  std::printf("%-28s %zu (%zu p2c, %zu p2p)\n", "links", g.link_count(), g.p2c_count(),
              g.p2p_count());
  std::printf("%-28s %zu\n", "ases with customers", transit);
  std::printf("%-28s %zu\n", "ases without providers", no_provider);
  std::printf("%-28s %zu", "provider cycles", cycles.size());
  if (!cycles.empty()) std::printf(" (largest: %zu ASes)", cycles[0].size());
  std::printf("\n%-28s %.1f ms\n", "customer cones computed in", cone_ms);
  if (!a.as2org_file.empty()) {
    std::printf("%-28s %zu organisations, %zu ASes, %zu with several ASes\n", "as2org",
                orgs.orgs().size(), orgs.as_count(),
                j["as2org"]["orgs_with_several_ases"].get<size_t>());
  }
  std::printf("largest customer cones:\n");
  for (const auto& c : j["largest_cones"]) {
    std::printf("  AS%-10u %7u%s%s\n", c["asn"].get<Asn>(), c["cone_size"].get<uint32_t>(),
                c.contains("org") ? "  " : "",
                c.contains("org") ? c["org"].get<std::string>().c_str() : "");
  }
  return skipped ? kExitSkipped : kExitOk;
}

void AddCommon(CLI::App* cmd, TopoArgs* a) {
  cmd->add_option("--rel", a->rel_files,
                  "AS relationship files: CAIDA serial-1/serial-2 as-rel, TopoScope (any "
                  "compression); repeat --rel or separate with commas; conflicting links keep "
                  "the first file's")
      ->required()
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->delimiter(',');
  cmd->add_option("--as2org", a->as2org_file, "CAIDA as2org file (as-org2info) for organisations");
  cmd->add_flag("--json", a->json, "print JSON");
}

}  // namespace

void RegisterTopo(CLI::App& app, int* exit_code) {
  CLI::App* topo =
      app.add_subcommand("topo", "AS topology: relationships, siblings, customer cones");
  topo->require_subcommand(1);
  const char* kExit =
      "Exit status: 0, or 1 when input lines were skipped or conflicted, 2 when nothing could "
      "be read.";

  auto ra = std::make_shared<TopoArgs>();
  CLI::App* rel = topo->add_subcommand("rel",
                                       "What AS A is to AS B: provider, customer, peer, "
                                       "sibling (with --as2org) or none");
  AddCommon(rel, ra.get());
  rel->add_option("A", ra->a, "first AS (AS64496 or 64496)")->required();
  rel->add_option("B", ra->b, "second AS")->required();
  rel->footer(kExit);
  rel->callback([ra, exit_code] { *exit_code = RunRel(*ra); });

  auto ca = std::make_shared<TopoArgs>();
  CLI::App* cone = topo->add_subcommand(
      "cone", "Customer cone of ASN: the AS and every AS below it through p2c links");
  AddCommon(cone, ca.get());
  cone->add_option("ASN", ca->a, "the AS")->required();
  cone->add_flag("--list", ca->list, "list the members of the cone");
  cone->footer(kExit);
  cone->callback([ca, exit_code] { *exit_code = RunCone(*ca); });

  auto sa = std::make_shared<TopoArgs>();
  CLI::App* stats = topo->add_subcommand("stats", "Summarise relationship files and cones");
  AddCommon(stats, sa.get());
  stats->add_option("--top", sa->top, "how many of the largest cones to list")
      ->check(CLI::Range(0, 100000));
  stats->footer(kExit);
  stats->callback([sa, exit_code] { *exit_code = RunStats(*sa); });
}

}  // namespace vigia::cli
