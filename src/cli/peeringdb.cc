// vigia peeringdb as / ix / stats: networks, exchanges, their LANs, ports
// and contacts from PeeringDB JSON (per-table API files or a full dump).
#include "peeringdb/peeringdb.h"

#include <charconv>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"

namespace vigia::cli {

namespace {

using nlohmann::ordered_json;
using peeringdb::PeeringDb;
using peeringdb::Table;

struct PdbArgs {
  std::vector<std::string> paths;
  std::string key;
  bool json = false;
  bool list = false;
};

constexpr Table kAllTables[] = {Table::kNet,   Table::kOrg,      Table::kIx, Table::kIxLan,
                                Table::kIxPfx, Table::kNetIxLan, Table::kPoc};

// Loads every path; problems go to stderr. False when nothing was read.
bool Load(const PdbArgs& a, PeeringDb* db, bool* skipped) {
  bool any = false;
  for (const std::string& p : a.paths) {
    const size_t before = db->problems().kept().size();
    Status s = db->Load(p);
    for (size_t i = before; i < db->problems().kept().size(); ++i) {
      const LoadProblem& q = db->problems().kept()[i];
      std::fprintf(stderr, "vigia: %s: %s (skipped)\n", q.where.c_str(), q.message.c_str());
    }
    if (!s.ok()) {
      std::fprintf(stderr, "vigia: %s\n", s.message().c_str());
      *skipped = true;
      continue;
    }
    any = true;
  }
  if (db->problem_count() > 0) *skipped = true;
  if (db->problem_count() > db->problems().kept().size()) {
    std::fprintf(stderr, "vigia: %zu more problems not shown\n",
                 db->problem_count() - db->problems().kept().size());
  }
  return any;
}

std::vector<std::string> Missing(const PeeringDb& db, std::initializer_list<Table> needed) {
  std::vector<std::string> out;
  for (Table t : needed) {
    if (!db.loaded(t)) out.emplace_back(peeringdb::TableName(t));
  }
  return out;
}

std::string Join(const std::vector<std::string>& v) {
  std::string s;
  for (const std::string& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

int RunAs(const PdbArgs& a) {
  Asn asn;
  if (!ParseAsn(a.key, &asn)) {
    std::fprintf(stderr, "vigia: '%s' is not an AS number\n", a.key.c_str());
    return kExitFailed;
  }
  PeeringDb db;
  bool skipped = false;
  if (!Load(a, &db, &skipped)) return kExitFailed;
  const peeringdb::Net* net = db.NetByAsn(asn);
  const peeringdb::Organisation* org = net ? db.OrgById(net->org_id) : nullptr;
  const auto ports = db.MembershipsOf(asn);
  const auto contacts = db.ContactsOf(asn);
  const auto missing = Missing(db, {Table::kNet, Table::kOrg, Table::kNetIxLan, Table::kPoc});

  ordered_json j;
  j["asn"] = asn;
  if (net) {
    ordered_json n;
    n["id"] = net->id;
    n["name"] = net->name;
    n["aka"] = net->aka;
    n["irr_as_set"] = net->irr_as_set;
    n["info_type"] = net->info_type;
    n["policy_general"] = net->policy_general;
    n["website"] = net->website;
    if (net->info_prefixes4 >= 0) n["info_prefixes4"] = net->info_prefixes4;
    if (net->info_prefixes6 >= 0) n["info_prefixes6"] = net->info_prefixes6;
    j["net"] = n;
  } else {
    j["net"] = nullptr;
  }
  if (org) {
    j["org"] = {{"id", org->id}, {"name", org->name}, {"country", org->country}};
  } else {
    j["org"] = nullptr;
  }
  j["ixps"] = ordered_json::array();
  for (const peeringdb::Membership& m : ports) {
    ordered_json p;
    p["ix_id"] = m.ix ? m.ix->id : m.port->ix_id;
    p["ix_name"] = m.ix ? m.ix->name : "";
    p["ixlan_id"] = m.port->ixlan_id;
    p["ipaddr4"] = m.port->ipaddr4 ? ordered_json(m.port->ipaddr4->ToString()) : nullptr;
    p["ipaddr6"] = m.port->ipaddr6 ? ordered_json(m.port->ipaddr6->ToString()) : nullptr;
    p["speed"] = m.port->speed;
    p["is_rs_peer"] = m.port->is_rs_peer;
    p["operational"] = m.port->operational;
    j["ixps"].push_back(p);
  }
  j["contacts"] = ordered_json::array();
  for (const peeringdb::Poc* c : contacts) {
    ordered_json p;
    p["role"] = c->role;
    p["visible"] = c->visible;
    p["has_name"] = c->has_name;
    p["has_email"] = c->has_email;
    p["has_phone"] = c->has_phone;
    p["has_url"] = c->has_url;
    j["contacts"].push_back(p);
  }
  j["tables_missing"] = missing;

  if (a.json) {
    std::cout << j.dump() << "\n";
    return skipped ? kExitSkipped : kExitOk;
  }
  if (net) {
    std::printf("AS%u %s (net %u)%s%s\n", asn, net->name.c_str(), net->id, org ? ", org " : "",
                org ? (org->name + " " + org->country).c_str() : "");
    if (!net->irr_as_set.empty()) std::printf("  irr_as_set %s\n", net->irr_as_set.c_str());
    if (!net->info_type.empty() || !net->policy_general.empty()) {
      std::printf("  type %s, policy %s\n", net->info_type.c_str(), net->policy_general.c_str());
    }
  } else {
    std::printf("AS%u: no network record\n", asn);
  }
  std::printf("  IXPs: %zu port%s\n", ports.size(), ports.size() == 1 ? "" : "s");
  for (const peeringdb::Membership& m : ports) {
    std::printf("    ix %u %s  %s %s  %llu Mbit/s%s\n", m.ix ? m.ix->id : m.port->ix_id,
                m.ix ? m.ix->name.c_str() : "(unknown ix)",
                m.port->ipaddr4 ? m.port->ipaddr4->ToString().c_str() : "-",
                m.port->ipaddr6 ? m.port->ipaddr6->ToString().c_str() : "-",
                static_cast<unsigned long long>(m.port->speed),
                m.port->is_rs_peer ? "  route-server peer" : "");
  }
  std::printf("  contacts: %zu\n", contacts.size());
  for (const peeringdb::Poc* c : contacts) {
    std::printf("    %-10s %-8s%s%s%s%s\n", c->role.c_str(), c->visible.c_str(),
                c->has_name ? " name" : "", c->has_email ? " email" : "",
                c->has_phone ? " phone" : "", c->has_url ? " url" : "");
  }
  if (!missing.empty()) std::printf("  (tables not loaded: %s)\n", Join(missing).c_str());
  return skipped ? kExitSkipped : kExitOk;
}

int RunIx(const PdbArgs& a) {
  uint32_t id = 0;
  {
    uint64_t v = 0;
    auto [p, ec] = std::from_chars(a.key.data(), a.key.data() + a.key.size(), v);
    if (ec != std::errc() || p != a.key.data() + a.key.size() || v == 0 || v > 0xFFFFFFFFull) {
      std::fprintf(stderr, "vigia: '%s' is not a PeeringDB ix id\n", a.key.c_str());
      return kExitFailed;
    }
    id = static_cast<uint32_t>(v);
  }
  PeeringDb db;
  bool skipped = false;
  if (!Load(a, &db, &skipped)) return kExitFailed;
  const peeringdb::Ix* ix = db.IxById(id);
  if (!ix) {
    std::fprintf(stderr, "vigia: no ix %u in %s\n", id,
                 db.loaded(Table::kIx) ? "the ix table" : "these files (ix table not loaded)");
    return kExitFailed;
  }
  const peeringdb::Organisation* org = db.OrgById(ix->org_id);
  const auto lans = db.LansOf(id);
  const auto ports = db.PortsAt(id);
  const auto members = db.MemberAsns(id);
  const auto missing = Missing(db, {Table::kIxLan, Table::kIxPfx, Table::kNetIxLan});

  ordered_json j;
  j["id"] = ix->id;
  j["name"] = ix->name;
  j["name_long"] = ix->name_long;
  j["city"] = ix->city;
  j["country"] = ix->country;
  j["region_continent"] = ix->region_continent;
  j["website"] = ix->website;
  j["org"] = org ? ordered_json(org->name) : nullptr;
  j["lans"] = ordered_json::array();
  for (const peeringdb::IxLan* l : lans) {
    ordered_json lj;
    lj["id"] = l->id;
    lj["name"] = l->name;
    lj["rs_asn"] = l->rs_asn ? ordered_json(l->rs_asn) : nullptr;
    lj["mtu"] = l->mtu ? ordered_json(l->mtu) : nullptr;
    lj["prefixes"] = ordered_json::array();
    for (const peeringdb::IxPfx* p : db.PrefixesOf(l->id)) {
      lj["prefixes"].push_back(p->prefix.ToString());
    }
    j["lans"].push_back(lj);
  }
  j["ports"] = ports.size();
  j["member_asns"] = members.size();
  if (a.list) j["members"] = members;
  j["tables_missing"] = missing;

  if (a.json) {
    std::cout << j.dump() << "\n";
    return skipped ? kExitSkipped : kExitOk;
  }
  std::printf("ix %u %s", ix->id, ix->name.c_str());
  if (!ix->name_long.empty() && ix->name_long != ix->name)
    std::printf(" (%s)", ix->name_long.c_str());
  std::printf("\n  %s%s%s\n", ix->city.c_str(), ix->city.empty() ? "" : ", ", ix->country.c_str());
  if (org) std::printf("  org %s\n", org->name.c_str());
  for (const peeringdb::IxLan* l : lans) {
    std::printf("  lan %u", l->id);
    if (l->rs_asn) std::printf(" route server AS%u", l->rs_asn);
    if (l->mtu) std::printf(" mtu %u", l->mtu);
    std::printf(":");
    for (const peeringdb::IxPfx* p : db.PrefixesOf(l->id)) {
      std::printf(" %s", p->prefix.ToString().c_str());
    }
    std::printf("\n");
  }
  std::printf("  members: %zu ASNs on %zu ports\n", members.size(), ports.size());
  if (a.list) {
    for (const peeringdb::NetIxLan* p : ports) {
      std::printf("    AS%-10u %-15s %s\n", p->asn,
                  p->ipaddr4 ? p->ipaddr4->ToString().c_str() : "-",
                  p->ipaddr6 ? p->ipaddr6->ToString().c_str() : "-");
    }
  }
  if (!missing.empty()) std::printf("  (tables not loaded: %s)\n", Join(missing).c_str());
  return skipped ? kExitSkipped : kExitOk;
}

int RunStats(const PdbArgs& a) {
  PeeringDb db;
  bool skipped = false;
  if (!Load(a, &db, &skipped)) return kExitFailed;
  ordered_json j;
  j["tables"] = ordered_json::object();
  for (Table t : kAllTables) {
    const peeringdb::TableStats& s = db.stats(t);
    if (!db.loaded(t)) continue;
    j["tables"][std::string(peeringdb::TableName(t))] = {
        {"files", s.files}, {"records", s.records}, {"skipped", s.skipped}, {"deleted", s.deleted}};
  }
  std::vector<std::string> missing;
  for (Table t : kAllTables) {
    if (!db.loaded(t)) missing.emplace_back(peeringdb::TableName(t));
  }
  j["tables_missing"] = missing;
  j["ignored"] = db.ignored();
  // Derived: what the scoring uses.
  std::map<Asn, bool> with_ports;
  for (const peeringdb::NetIxLan& p : db.netixlans()) with_ports[p.asn] = true;
  std::map<std::string, size_t> roles, visibility;
  size_t nets_with_contact = 0;
  for (const peeringdb::Net& n : db.nets()) nets_with_contact += !db.ContactsOf(n.asn).empty();
  for (const peeringdb::Poc& p : db.pocs()) {
    ++roles[p.role.empty() ? "(none)" : p.role];
    ++visibility[p.visible.empty() ? "(none)" : p.visible];
  }
  j["asns_at_ixps"] = with_ports.size();
  j["nets_with_contacts"] = nets_with_contact;
  j["contacts_by_role"] = roles;
  j["contacts_by_visibility"] = visibility;
  j["problems"] = db.problem_count();
  if (a.json) {
    std::cout << j.dump(2) << "\n";
    return skipped ? kExitSkipped : kExitOk;
  }
  for (Table t : kAllTables) {
    if (!db.loaded(t)) continue;
    const peeringdb::TableStats& s = db.stats(t);
    std::printf("%-9s %8zu records  (%zu file%s, %zu skipped, %zu deleted)\n",
                std::string(peeringdb::TableName(t)).c_str(), s.records, s.files,
                s.files == 1 ? "" : "s", s.skipped, s.deleted);
  }
  if (!missing.empty()) std::printf("not loaded: %s\n", Join(missing).c_str());
  for (const std::string& i : db.ignored()) std::printf("ignored: %s\n", i.c_str());
  if (db.loaded(Table::kNetIxLan)) std::printf("ASNs at IXPs: %zu\n", with_ports.size());
  if (db.loaded(Table::kPoc)) {
    std::printf("networks with contacts: %zu of %zu\n", nets_with_contact, db.nets().size());
    for (const auto& [r, n] : roles) std::printf("  role %-12s %zu\n", r.c_str(), n);
    for (const auto& [v, n] : visibility) std::printf("  visible %-9s %zu\n", v.c_str(), n);
  }
  return skipped ? kExitSkipped : kExitOk;
}

}  // namespace

void RegisterPeeringDb(CLI::App& app, int* exit_code) {
  CLI::App* pdb = app.add_subcommand("peeringdb", "PeeringDB: networks, IXPs, LANs, contacts");
  pdb->require_subcommand(1);
  const char* kPdbHelp =
      "PeeringDB JSON: a directory of per-table API files (net.json, ix-0.json, "
      "ixlan.json.gz, ...) or a full dump holding every table (any compression); repeat --pdb "
      "for more";
  const char* kExit =
      "Exit status: 0, or 1 when records were skipped, 2 when nothing could be read.";

  auto aa = std::make_shared<PdbArgs>();
  CLI::App* as =
      pdb->add_subcommand("as", "A network: its record, organisation, IXP ports and contacts");
  as->add_option("--pdb", aa->paths, kPdbHelp)
      ->required()
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  as->add_option("ASN", aa->key, "the AS (AS64496 or 64496)")->required();
  as->add_flag("--json", aa->json, "print a JSON object");
  as->footer(kExit);
  as->callback([aa, exit_code] { *exit_code = RunAs(*aa); });

  auto ia = std::make_shared<PdbArgs>();
  CLI::App* ix = pdb->add_subcommand("ix", "An exchange: its LANs and prefixes, and member count");
  ix->add_option("--pdb", ia->paths, kPdbHelp)
      ->required()
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  ix->add_option("ID", ia->key, "the PeeringDB ix id")->required();
  ix->add_flag("--json", ia->json, "print a JSON object");
  ix->add_flag("--list", ia->list, "list the member ports (ASNs in JSON)");
  ix->footer(kExit);
  ix->callback([ia, exit_code] { *exit_code = RunIx(*ia); });

  auto sa = std::make_shared<PdbArgs>();
  CLI::App* stats = pdb->add_subcommand("stats", "Tables loaded, record counts, contacts");
  stats->add_option("--pdb", sa->paths, kPdbHelp)
      ->required()
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  stats->add_flag("--json", sa->json, "print a JSON object");
  stats->footer(kExit);
  stats->callback([sa, exit_code] { *exit_code = RunStats(*sa); });
}

}  // namespace vigia::cli
