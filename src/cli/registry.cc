// vigia bogons: the full-bogon list (special-purpose ∪ administrative), bogon
// AS numbers, and the comparison with another bogon list.
// vigia registry lookup / stats / special: who holds an ASN or prefix, a
// summary of the delegated stats, the built-in special-purpose table.
#include "registry/registry.h"

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/commands.h"

namespace vigia::cli {

namespace {

using registry::BogonKind;
using registry::DelegatedRecord;
using registry::Registry;
using registry::Uint128;

struct RegistryArgs {
  std::string dir;
  std::vector<std::string> delegated;  // extra delegated files
  std::vector<std::string> compare;    // prefix lists to compare with
  std::vector<std::string> queries;
  bool v4 = false, v6 = false, json = false, special_only = false, asn = false;
};

void PrintProblems(const ProblemLog& problems, const char* suffix) {
  for (const LoadProblem& p : problems) {
    std::fprintf(stderr, "vigia: %s%s%s%s\n", p.where.c_str(), p.where.empty() ? "" : ": ",
                 p.message.c_str(), suffix);
  }
}

// Loads the directory and extra files; problems go to stderr. Returns false
// when nothing usable was found (the caller exits 2).
bool LoadRegistry(const RegistryArgs& a, Registry* reg, bool* skipped) {
  if (!a.dir.empty()) {
    Status s = reg->Load(a.dir);
    if (!s.ok()) {
      std::fprintf(stderr, "vigia: %s\n", s.message().c_str());
      return false;
    }
  }
  for (const std::string& f : a.delegated) {
    Status s = reg->AddDelegatedFile(f);
    if (!s.ok()) {
      std::fprintf(stderr, "vigia: %s\n", s.message().c_str());
      return false;
    }
  }
  if (reg->delegated_files().empty() && reg->iana_files().empty()) {
    std::fprintf(stderr, "vigia: %s: no registry file could be read\n", a.dir.c_str());
    PrintProblems(reg->file_problems(), "");
    return false;
  }
  PrintProblems(reg->file_problems(), " (skipped)");
  PrintProblems(reg->stats().problems(), " (skipped)");
  PrintProblems(reg->iana().problems(), " (skipped)");
  for (const LoadProblem& w : reg->stats().warnings()) {
    std::fprintf(stderr, "vigia: %s: warning: %s\n", w.where.c_str(), w.message.c_str());
  }
  *skipped =
      !reg->file_problems().empty() || reg->stats().skipped() > 0 || reg->iana().skipped() > 0;
  return true;
}

std::string DateText(uint32_t d) {
  if (d == 0) return "";
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04u-%02u-%02u", d / 10000, d / 100 % 100, d % 100);
  return buf;
}

std::vector<Family> Families(const RegistryArgs& a) {
  if (a.v4 && !a.v6) return {Family::kIpv4};
  if (a.v6 && !a.v4) return {Family::kIpv6};
  return {Family::kIpv4, Family::kIpv6};
}

std::string FamilyName(Family f) { return f == Family::kIpv4 ? "ipv4" : "ipv6"; }

std::string AsnRangeText(Asn first, Asn last) {
  return first == last ? std::to_string(first) : std::to_string(first) + "-" + std::to_string(last);
}

// --- vigia bogons --------------------------------------------------------

int RunCompare(const RegistryArgs& a, const Registry& reg, bool skipped) {
  registry::PrefixListFile theirs;
  for (const std::string& f : a.compare) {
    Status s = registry::LoadPrefixList(f, &theirs);
    if (!s.ok()) {
      std::fprintf(stderr, "vigia: %s\n", s.message().c_str());
      return kExitFailed;
    }
  }
  for (const LoadProblem& p : theirs.problems) {
    std::fprintf(stderr, "vigia: %s: %s (skipped)\n", p.where.c_str(), p.message.c_str());
  }
  skipped |= !theirs.problems.empty();
  const registry::BogonList& bogons = reg.bogons();
  nlohmann::ordered_json rows = nlohmann::json::array();
  for (Family f : Families(a)) {
    const registry::RangeSet ours = bogons.All(f);
    const registry::RangeSet& other = f == Family::kIpv4 ? theirs.v4 : theirs.v6;
    registry::RangeSet all(f), covered(f);
    all.Add(0, registry::MaxAddress(f));
    std::vector<std::pair<std::string, registry::RangeSet>> regions;
    for (const std::string& rir : bogons.covered_rirs(f)) {
      registry::RangeSet region = registry::RirRegion(reg.iana(), rir, f);
      covered.Add(region);
      regions.emplace_back(rir, std::move(region));
    }
    regions.emplace_back("elsewhere", all.Subtract(covered));
    for (const auto& [name, region] : regions) {
      const registry::Agreement g = registry::Compare(ours, other, region);
      const Uint128 differ = g.only_ours + g.only_theirs;
      const Uint128 union_size = g.both + differ;
      const double agree =
          g.region == 0 ? 1.0 : 1.0 - static_cast<double>(differ) / static_cast<double>(g.region);
      const double jaccard =
          union_size == 0 ? 1.0 : static_cast<double>(g.both) / static_cast<double>(union_size);
      nlohmann::ordered_json j;
      j["region"] = name;
      j["family"] = FamilyName(f);
      j["region_addresses"] = registry::FormatUint128(g.region);
      j["both"] = registry::FormatUint128(g.both);
      j["only_ours"] = registry::FormatUint128(g.only_ours);
      j["only_theirs"] = registry::FormatUint128(g.only_theirs);
      j["neither"] = registry::FormatUint128(g.neither);
      j["agreement"] = agree;
      j["bogon_jaccard"] = jaccard;
      rows.push_back(j);
    }
  }
  if (a.json) {
    nlohmann::ordered_json out;
    out["compared_with"] = a.compare;
    out["rows"] = rows;
    std::cout << out.dump(2) << "\n";
  } else {
    std::printf("%-10s %-5s %40s %40s %40s %40s %10s %8s\n", "region", "fam", "region-addresses",
                "both-bogon", "only-ours", "only-theirs", "agreement", "jaccard");
    for (const auto& r : rows) {
      std::printf("%-10s %-5s %40s %40s %40s %40s %9.5f%% %8.5f\n",
                  r["region"].get<std::string>().c_str(), r["family"].get<std::string>().c_str(),
                  r["region_addresses"].get<std::string>().c_str(),
                  r["both"].get<std::string>().c_str(), r["only_ours"].get<std::string>().c_str(),
                  r["only_theirs"].get<std::string>().c_str(), 100 * r["agreement"].get<double>(),
                  r["bogon_jaccard"].get<double>());
    }
  }
  return skipped ? kExitSkipped : kExitOk;
}

int RunBogons(const RegistryArgs& a) {
  Registry reg;
  bool skipped = false;
  if (!LoadRegistry(a, &reg, &skipped)) return kExitFailed;
  reg.Build({.special_only = a.special_only});
  if (!a.compare.empty()) return RunCompare(a, reg, skipped);
  const registry::BogonList& bogons = reg.bogons();
  const auto& reasons = bogons.reasons();

  if (a.asn) {
    if (a.json) {
      nlohmann::ordered_json arr = nlohmann::json::array();
      for (const registry::AsnBogon& b : bogons.asns()) {
        nlohmann::ordered_json j;
        j["first"] = b.first;
        j["last"] = b.last;
        j["class"] = std::string(registry::BogonClassName(reasons[b.reason].kind));
        j["kind"] = std::string(registry::BogonKindName(reasons[b.reason].kind));
        j["reason"] = reasons[b.reason].detail;
        arr.push_back(j);
      }
      nlohmann::ordered_json out;
      out["asns"] = arr;
      std::cout << out.dump(2) << "\n";
    } else {
      for (const registry::AsnBogon& b : bogons.asns()) {
        std::printf("%s\t%s\t%s\n", AsnRangeText(b.first, b.last).c_str(),
                    std::string(registry::BogonClassName(reasons[b.reason].kind)).c_str(),
                    reasons[b.reason].detail.c_str());
      }
    }
    return skipped ? kExitSkipped : kExitOk;
  }

  if (a.json) {
    nlohmann::ordered_json out;
    out["delegated_files"] = reg.delegated_files();
    out["iana_files"] = reg.iana_files();
    for (Family f : Families(a)) {
      out["rir_regions_checked"][FamilyName(f)] = bogons.covered_rirs(f);
    }
    for (Family f : Families(a)) {
      nlohmann::ordered_json arr = nlohmann::json::array();
      for (const registry::BogonPrefix& b : bogons.Prefixes(f)) {
        nlohmann::ordered_json j;
        j["prefix"] = b.prefix.ToString();
        j["class"] = std::string(registry::BogonClassName(reasons[b.reason].kind));
        j["kind"] = std::string(registry::BogonKindName(reasons[b.reason].kind));
        j["reason"] = reasons[b.reason].detail;
        arr.push_back(std::move(j));
      }
      out[FamilyName(f)] = std::move(arr);
    }
    std::cout << out.dump(1) << "\n";
  } else {
    std::string buf;
    char pfx[64];
    for (Family f : Families(a)) {
      for (const registry::BogonPrefix& b : bogons.Prefixes(f)) {
        buf.append(pfx, b.prefix.Format(pfx));
        buf += '\t';
        buf += registry::BogonClassName(reasons[b.reason].kind);
        buf += '\t';
        buf += reasons[b.reason].detail;
        buf += '\n';
        if (buf.size() > (1 << 16)) {
          std::fwrite(buf.data(), 1, buf.size(), stdout);
          buf.clear();
        }
      }
    }
    std::fwrite(buf.data(), 1, buf.size(), stdout);
  }
  return skipped ? kExitSkipped : kExitOk;
}

// --- vigia registry lookup -----------------------------------------------

nlohmann::ordered_json RecordJson(const Registry& reg, const DelegatedRecord& r) {
  nlohmann::ordered_json j;
  j["registry"] = r.registry;
  j["cc"] = r.cc;
  j["type"] = std::string(registry::ResourceTypeName(r.type));
  j["start"] = r.StartText();
  j["value"] = r.value;
  if (r.type == registry::ResourceType::kAsn) {
    j["range"] = AsnRangeText(static_cast<Asn>(r.first), static_cast<Asn>(r.last));
  } else {
    j["range"] = registry::IntToAddress(r.family(), r.first).ToString() + " - " +
                 registry::IntToAddress(r.family(), r.last).ToString();
  }
  j["date"] = DateText(r.date);
  j["status"] = std::string(registry::DelegationStatusName(r.status));
  j["opaque_id"] = r.opaque_id;
  if (!r.extensions.empty()) j["extensions"] = r.extensions;
  j["file"] = reg.stats().files()[r.file].path;
  j["line"] = r.line;
  j["text"] = r.text;
  return j;
}

// Delegations listed when a prefix is larger than any one of them.
constexpr size_t kMaxInsideShown = 10;

// One lookup as JSON; the text form is printed from it.
std::optional<nlohmann::ordered_json> Lookup(const Registry& reg, const std::string& q) {
  nlohmann::ordered_json j;
  j["query"] = q;
  const registry::BogonList& bogons = reg.bogons();
  if (auto asn = ParseAsn(q)) {
    j["type"] = "asn";
    j["asn"] = *asn;
    nlohmann::ordered_json recs = nlohmann::json::array();
    for (const DelegatedRecord* r : reg.ForAsn(*asn)) recs.push_back(RecordJson(reg, *r));
    j["delegations"] = recs;
    const registry::SpecialAsnRange* sp = registry::FindSpecialAsn(*asn);
    j["special_purpose"] = nlohmann::json::array();
    if (sp) {
      j["special_purpose"].push_back({{"range", AsnRangeText(sp->first, sp->last)},
                                      {"name", std::string(sp->name)},
                                      {"rfc", std::string(sp->rfc)}});
    }
    const registry::BogonReason* why = bogons.ClassifyAsn(*asn);
    nlohmann::ordered_json b;
    b["bogon"] = why != nullptr;
    if (why) {
      b["class"] = std::string(registry::BogonClassName(why->kind));
      b["reason"] = why->detail;
    }
    j["bogon"] = b;
    return j;
  }
  std::optional<Prefix> p;
  if (q.find('/') != std::string::npos) {
    p = Prefix::Parse(q, /*lenient=*/true);
    if (p) p = p->Masked();
  } else if (auto addr = IpAddress::Parse(q)) {
    p = Prefix(*addr, static_cast<uint8_t>(addr->bit_width()));
  }
  if (!p) return std::nullopt;
  j["type"] = q.find('/') != std::string::npos ? "prefix" : "address";
  j["prefix"] = p->ToString();
  nlohmann::ordered_json recs = nlohmann::json::array();
  for (const DelegatedRecord* r : reg.Covering(*p)) recs.push_back(RecordJson(reg, *r));
  j["delegations"] = recs;
  if (recs.empty()) {
    // Larger than any one delegation: say what lies inside.
    nlohmann::ordered_json inside = nlohmann::json::array();
    size_t total = 0;
    for (const DelegatedRecord* r : reg.Covered(*p, kMaxInsideShown, &total)) {
      inside.push_back(RecordJson(reg, *r));
    }
    if (!inside.empty()) {
      j["delegations_inside_total"] = total;
      j["delegations_inside"] = inside;
    }
  }
  const registry::IanaBlock* ib = reg.iana().Find(*p);
  if (ib) {
    j["iana"] = {{"prefix", ib->prefix.ToString()},
                 {"designation", ib->designation},
                 {"date", ib->date},
                 {"whois", ib->whois},
                 {"status", std::string(registry::IanaStatusName(ib->status))},
                 {"rir", ib->rir},
                 {"line", ib->file + ":" + std::to_string(ib->line)}};
  } else {
    j["iana"] = nullptr;
  }
  nlohmann::ordered_json sp = nlohmann::json::array();
  for (const registry::SpecialPurposeBlock* b : registry::SpecialPurposeCovering(*p)) {
    sp.push_back(
        {{"prefix", b->prefix.ToString()},
         {"name", std::string(b->name)},
         {"rfc", std::string(b->rfc)},
         {"forwardable", std::string(registry::ReachabilityName(b->forwardable))},
         {"globally_reachable", std::string(registry::ReachabilityName(b->globally_reachable))},
         {"bogon", b->bogon}});
  }
  j["special_purpose"] = sp;
  // Which bogon reasons the prefix meets, and whether it lies wholly in them.
  registry::RangeSet q_set(p->family());
  q_set.Add(*p);
  nlohmann::ordered_json hits = nlohmann::json::array();
  Uint128 bogon_addresses = 0;
  for (uint32_t i = 0; i < bogons.reasons().size(); ++i) {
    const registry::RangeSet& s = bogons.Addresses(i);
    if (s.family() != p->family() || s.empty()) continue;
    const Uint128 n = s.Intersect(q_set).AddressCount();
    if (n == 0) continue;
    bogon_addresses += n;
    nlohmann::ordered_json hit = {
        {"class", std::string(registry::BogonClassName(bogons.reasons()[i].kind))},
        {"reason", bogons.reasons()[i].detail}};
    // Several entries share a name (the three RFC 1918 blocks).
    if (std::find(hits.begin(), hits.end(), hit) == hits.end()) hits.push_back(std::move(hit));
  }
  nlohmann::ordered_json b;
  const Uint128 size = q_set.AddressCount();
  b["bogon"] = hits.empty() ? "no" : (bogon_addresses == size ? "yes" : "partly");
  b["reasons"] = hits;
  j["bogon"] = b;
  return j;
}

void PrintLookupText(const nlohmann::ordered_json& j) {
  std::printf("%s\n", j["query"].get<std::string>().c_str());
  auto field = [](const char* k, const std::string& v) {
    if (!v.empty()) std::printf("  %-10s %s\n", k, v.c_str());
  };
  auto print_record = [&](const nlohmann::ordered_json& r, const char* label) {
    field(label, r["registry"].get<std::string>() + " " +
                     (r["cc"].get<std::string>().empty() ? "--" : r["cc"].get<std::string>()) +
                     " " + r["status"].get<std::string>() + " " + r["range"].get<std::string>());
    field("date", r["date"].get<std::string>());
    field("opaque-id", r["opaque_id"].get<std::string>());
    field("line", r["file"].get<std::string>() + ":" + std::to_string(r["line"].get<uint32_t>()) +
                      ": " + r["text"].get<std::string>());
  };
  if (j["delegations"].empty()) field("delegation", "none in the loaded stats");
  for (const auto& r : j["delegations"]) print_record(r, "delegation");
  if (j.contains("delegations_inside")) {
    field("inside", std::to_string(j["delegations_inside_total"].get<size_t>()) +
                        " delegations, the first " +
                        std::to_string(j["delegations_inside"].size()) + ":");
    for (const auto& r : j["delegations_inside"]) {
      std::printf("    %s\n", r["text"].get<std::string>().c_str());
    }
  }
  if (j.contains("iana") && !j["iana"].is_null()) {
    const auto& i = j["iana"];
    field("iana",
          i["prefix"].get<std::string>() + " " + i["designation"].get<std::string>() + " " +
              i["status"].get<std::string>() + " " + i["date"].get<std::string>() +
              (i["whois"].get<std::string>().empty() ? "" : " " + i["whois"].get<std::string>()));
  }
  for (const auto& s : j["special_purpose"]) {
    std::string text =
        s.contains("prefix") ? s["prefix"].get<std::string>() : s["range"].get<std::string>();
    text += " " + s["name"].get<std::string>() + " (" + s["rfc"].get<std::string>() + ")";
    if (s.contains("globally_reachable")) {
      text += " globally-reachable=" + s["globally_reachable"].get<std::string>();
    }
    field("special", text);
  }
  const auto& b = j["bogon"];
  if (j["type"] == "asn") {
    field("bogon", b["bogon"].get<bool>() ? "yes: " + b["class"].get<std::string>() + ": " +
                                                b["reason"].get<std::string>()
                                          : "no");
  } else {
    std::string text = b["bogon"].get<std::string>();
    for (const auto& r : b["reasons"]) {
      text += "; " + r["class"].get<std::string>() + ": " + r["reason"].get<std::string>();
    }
    field("bogon", text);
  }
}

int RunLookup(const RegistryArgs& a) {
  Registry reg;
  bool skipped = false;
  if (!LoadRegistry(a, &reg, &skipped)) return kExitFailed;
  reg.Build();
  nlohmann::ordered_json all = nlohmann::json::array();
  for (const std::string& q : a.queries) {
    auto j = Lookup(reg, q);
    if (!j) {
      std::fprintf(stderr, "vigia: '%s' is not an AS number, address or prefix\n", q.c_str());
      return kExitFailed;
    }
    all.push_back(std::move(*j));
  }
  if (a.json) {
    std::cout << (all.size() == 1 ? all[0] : all).dump(2) << "\n";
  } else {
    for (const auto& j : all) PrintLookupText(j);
  }
  return skipped ? kExitSkipped : kExitOk;
}

// --- vigia registry stats ------------------------------------------------

int RunStats(const RegistryArgs& a) {
  Registry reg;
  bool skipped = false;
  if (!LoadRegistry(a, &reg, &skipped)) return kExitFailed;
  nlohmann::ordered_json out;
  nlohmann::ordered_json files = nlohmann::json::array();
  for (const registry::DelegatedFileInfo& f : reg.stats().files()) {
    nlohmann::ordered_json j;
    j["path"] = f.path;
    j["version"] = f.header.version;
    j["registry"] = f.header.registry;
    j["serial"] = f.header.serial;
    j["header_records"] = f.header.records;
    for (int t = 0; t < 3; ++t) {
      const std::string name(registry::ResourceTypeName(static_cast<registry::ResourceType>(t)));
      j["records"][name] = f.records[t];
      if (f.have_summary[t]) j["summary"][name] = f.summary[t];
    }
    files.push_back(j);
  }
  out["files"] = files;
  // registry -> type -> status -> records
  std::map<std::string, std::map<std::string, std::map<std::string, uint64_t>>> counts;
  for (const DelegatedRecord& r : reg.stats().records()) {
    ++counts[r.registry][std::string(registry::ResourceTypeName(r.type))]
            [std::string(registry::DelegationStatusName(r.status))];
  }
  out["records"] = counts;
  out["records_total"] = reg.stats().records().size();
  out["iana_blocks"] = reg.iana().blocks().size();
  out["skipped"] = reg.stats().skipped() + reg.iana().skipped();
  if (a.json) {
    std::cout << out.dump(2) << "\n";
  } else {
    for (const auto& f : files) {
      std::printf("%s: version %s, %s, serial %s, %llu records\n",
                  f["path"].get<std::string>().c_str(), f["version"].get<std::string>().c_str(),
                  f["registry"].get<std::string>().c_str(), f["serial"].get<std::string>().c_str(),
                  static_cast<unsigned long long>(f["header_records"].get<uint64_t>()));
    }
    for (const auto& [rir, types] : counts) {
      for (const auto& [type, statuses] : types) {
        for (const auto& [status, n] : statuses) {
          std::printf("  %-8s %-4s %-10s %llu\n", rir.c_str(), type.c_str(), status.c_str(),
                      static_cast<unsigned long long>(n));
        }
      }
    }
    std::printf("records %zu, IANA blocks %zu, skipped lines %zu\n", reg.stats().records().size(),
                reg.iana().blocks().size(), reg.stats().skipped() + reg.iana().skipped());
  }
  return skipped ? kExitSkipped : kExitOk;
}

// --- vigia registry special ----------------------------------------------

int RunSpecial(const RegistryArgs& a) {
  nlohmann::ordered_json arr = nlohmann::json::array();
  for (const registry::SpecialPurposeBlock& b : registry::SpecialPurposeBlocks()) {
    if ((a.v4 && !a.v6 && b.prefix.family() != Family::kIpv4) ||
        (a.v6 && !a.v4 && b.prefix.family() != Family::kIpv6)) {
      continue;
    }
    arr.push_back(
        {{"prefix", b.prefix.ToString()},
         {"name", std::string(b.name)},
         {"rfc", std::string(b.rfc)},
         {"forwardable", std::string(registry::ReachabilityName(b.forwardable))},
         {"globally_reachable", std::string(registry::ReachabilityName(b.globally_reachable))},
         {"bogon", b.bogon}});
  }
  nlohmann::ordered_json asns = nlohmann::json::array();
  for (const registry::SpecialAsnRange& r : registry::SpecialAsnRanges()) {
    asns.push_back({{"range", AsnRangeText(r.first, r.last)},
                    {"name", std::string(r.name)},
                    {"rfc", std::string(r.rfc)}});
  }
  if (a.json) {
    std::cout << nlohmann::ordered_json{{"prefixes", arr}, {"asns", asns}}.dump(2) << "\n";
    return kExitOk;
  }
  for (const auto& b : arr) {
    std::printf("%-20s %-6s fwd=%-5s global=%-5s %s (%s)\n", b["prefix"].get<std::string>().c_str(),
                b["bogon"].get<bool>() ? "bogon" : "routed",
                b["forwardable"].get<std::string>().c_str(),
                b["globally_reachable"].get<std::string>().c_str(),
                b["name"].get<std::string>().c_str(), b["rfc"].get<std::string>().c_str());
  }
  for (const auto& r : asns) {
    std::printf("AS%-18s bogon  %s (%s)\n", r["range"].get<std::string>().c_str(),
                r["name"].get<std::string>().c_str(), r["rfc"].get<std::string>().c_str());
  }
  return kExitOk;
}

void AddSourceOptions(CLI::App* cmd, RegistryArgs* a, bool dir_required) {
  auto* opt =
      cmd->add_option("--registry", a->dir,
                      "directory searched recursively for delegated-* files (RIR stats, "
                      "any compression) and the IANA ipv4-address-space / "
                      "ipv6-unicast-address-assignments CSVs, e.g. ../shared/data/registry");
  if (dir_required) opt->required();
  cmd->add_option("--delegated", a->delegated,
                  "a further delegated-stats file, e.g. an NRO combined file (repeatable)");
}

}  // namespace

void RegisterBogons(CLI::App& app, int* exit_code) {
  auto a = std::make_shared<RegistryArgs>();
  CLI::App* cmd = app.add_subcommand(
      "bogons", "Full bogons: special-purpose space and space not delegated by IANA or the RIRs");
  AddSourceOptions(cmd, a.get(), /*dir_required=*/true);
  cmd->add_flag("--v4", a->v4, "IPv4 only");
  cmd->add_flag("--v6", a->v6, "IPv6 only");
  cmd->add_flag("--json", a->json, "print JSON");
  cmd->add_flag("--special-only", a->special_only,
                "only the special-purpose part (RFC 6890 registries)");
  cmd->add_flag("--asn", a->asn, "print bogon AS numbers instead of prefixes");
  cmd->add_option("--compare", a->compare,
                  "a bogon prefix list (e.g. Team Cymru fullbogons) to compare with, address by "
                  "address, per RIR region with data and elsewhere (repeatable)");
  cmd->footer(
      "Each line: PREFIX<TAB>special|administrative<TAB>reason. Space IANA gave to an RIR whose "
      "delegated file is absent counts as allocated. See docs/bogons.md.\nExit status: 0, 1 when "
      "input lines were skipped, 2 when nothing could be read.");
  cmd->callback([a, exit_code] { *exit_code = RunBogons(*a); });
}

void RegisterRegistry(CLI::App& app, int* exit_code) {
  CLI::App* reg = app.add_subcommand("registry", "RIR delegated stats and IANA registries");
  reg->require_subcommand(1);

  auto la = std::make_shared<RegistryArgs>();
  CLI::App* lookup = reg->add_subcommand(
      "lookup", "RIR, country, status and delegation line of ASNs, addresses or prefixes");
  AddSourceOptions(lookup, la.get(), /*dir_required=*/true);
  lookup->add_option("QUERY", la->queries, "AS64496, 64496, 192.0.2.1 or 2001:db8::/32")
      ->required();
  lookup->add_flag("--json", la->json, "print JSON (an object, or an array for several queries)");
  lookup->footer("Exit status: 0, 1 when input lines were skipped, 2 on a bad query or no data.");
  lookup->callback([la, exit_code] { *exit_code = RunLookup(*la); });

  auto sa = std::make_shared<RegistryArgs>();
  CLI::App* stats = reg->add_subcommand("stats", "Summarise the delegated stats files");
  AddSourceOptions(stats, sa.get(), /*dir_required=*/true);
  stats->add_flag("--json", sa->json, "print JSON");
  stats->callback([sa, exit_code] { *exit_code = RunStats(*sa); });

  auto pa = std::make_shared<RegistryArgs>();
  CLI::App* special =
      reg->add_subcommand("special", "The built-in special-purpose address and AS number tables");
  special->add_flag("--v4", pa->v4, "IPv4 only");
  special->add_flag("--v6", pa->v6, "IPv6 only");
  special->add_flag("--json", pa->json, "print JSON");
  special->callback([pa, exit_code] { *exit_code = RunSpecial(*pa); });
}

}  // namespace vigia::cli
