// Members files: IX-F Member Export (JSON), arouteserver clients (YAML),
// PeeringDB dumps, and the overrides file. See members.h.
//
// yaml-cpp reports errors by exception; they are caught here, at the edge
// of the library, and turned into a Status naming the file and the line,
// so nothing above this file sees one.
#include "ixp/members.h"

#include <fmt/format.h>
#include <simdjson.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <set>

#include "core/printable.h"
#include "io/input_stream.h"
#include "peeringdb/peeringdb.h"

namespace vigia::ixp {
namespace {

// Caps on what a members file may make us hold. The largest real exports
// (AMS-IX: 1,660 route-server client entries, 785 ASNs, in ~400 KB of YAML)
// are far below each.
constexpr size_t kMaxFileBytes = size_t{64} << 20;
constexpr size_t kMaxEntries = 200'000;         // client / connection entries of one file
constexpr size_t kMaxAddressesPerMember = 256;  // router addresses of one ASN
constexpr size_t kMaxAsSetsPerMember = 64;      // as-sets of one ASN
constexpr size_t kMaxAsSetName = 128;           // characters of one as-set name
constexpr size_t kMaxYamlFlowDepth = 64;        // [ { nesting refused before yaml-cpp sees it

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// An as-set name or "AS<n>" as the IRR knows it (RFC 2622 §5.1: an as-set
// name is "AS-" then letters, digits, "_" and "-", optionally in a
// hierarchy "AS123:AS-FOO"), upper-cased. A "SOURCE::" prefix, as
// PeeringDB's irr_as_set often carries ("RIPE::AS-FOO"), is dropped.
std::optional<std::string> NormalizeAsSet(std::string_view raw) {
  std::string_view s = Trim(raw);
  if (const size_t p = s.find("::"); p != std::string_view::npos) s = s.substr(p + 2);
  if (s.empty() || s.size() > kMaxAsSetName) return std::nullopt;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != ':')
      return std::nullopt;
  std::string up = Upper(s);
  if (up.rfind("AS", 0) != 0) return std::nullopt;
  // Each component of a hierarchical name is an ASN or an as-set name.
  size_t start = 0;
  while (start <= up.size()) {
    const size_t end = std::min(up.find(':', start), up.size());
    const std::string_view part = std::string_view(up).substr(start, end - start);
    if (part.empty()) return std::nullopt;
    if (part.rfind("AS-", 0) != 0 && !ParseAsn(part, kAsnRpsl)) return std::nullopt;
    start = end + 1;
  }
  return up;
}

// One entry of a file before merging by ASN.
struct Entry {
  Asn asn = 0;
  std::string name;
  std::vector<IpAddress> addresses;
  std::vector<std::string> as_sets;
  std::optional<uint32_t> max4, max6;
};

class Builder {
 public:
  Builder(const std::string& file, ProblemLog* problems) : file_(file), problems_(problems) {}

  void Problem(const std::string& where, const std::string& why) {
    ++skipped_;
    if (problems_) problems_->Add(file_ + ": " + where, why);
  }
  // A problem that skips nothing (a bad field of a kept entry).
  void Note(const std::string& where, const std::string& why) {
    if (problems_) problems_->Add(file_ + ": " + where, why);
  }

  bool AcceptAsn(uint64_t v, const std::string& where, Asn* out) {
    // RFC 7607: AS 0 is never a valid peer; RFC 6793 §9: AS_TRANS is a
    // placeholder, never a network's own ASN.
    if (v == 0 || v > 0xFFFFFFFFull) {
      Problem(where, fmt::format("ASN {} is not a valid peer ASN (RFC 7607, RFC 6793)", v));
      return false;
    }
    if (v == kAsTrans) {
      Problem(where, "ASN 23456 is AS_TRANS (RFC 6793 §9), never a peer's own ASN");
      return false;
    }
    *out = static_cast<Asn>(v);
    return true;
  }

  void AddAsSet(Entry* e, std::string_view raw, const std::string& where) {
    const std::optional<std::string> n = NormalizeAsSet(raw);
    if (!n) {
      Note(where, fmt::format("as-set \"{}\" is not an RPSL as-set name or ASN; ignored",
                              PrintableHead(raw)));
      return;
    }
    e->as_sets.push_back(*n);
  }

  void AddAddress(Entry* e, std::string_view raw, const std::string& where) {
    const std::optional<IpAddress> a = IpAddress::Parse(Trim(raw));
    if (!a) {
      Note(where, fmt::format("\"{}\" is not an IP address; ignored", PrintableHead(raw)));
      return;
    }
    e->addresses.push_back(*a);
  }

  bool Add(Entry e, const std::string& where) {
    if (entries_ >= kMaxEntries) {
      if (!capped_)
        Problem(where, fmt::format("more than {} entries; the rest are not read", kMaxEntries));
      capped_ = true;
      return false;
    }
    ++entries_;
    Member& m = by_asn_[e.asn];
    m.asn = e.asn;
    if (m.name.empty()) m.name = e.name;
    for (const IpAddress& a : e.addresses) {
      auto [it, fresh] = owner_.emplace(a, e.asn);
      if (!fresh && it->second != e.asn) {
        Note(where, fmt::format("address {} already belongs to AS{}; not given to AS{}",
                                a.ToString(), it->second, e.asn));
        continue;
      }
      if (std::find(m.addresses.begin(), m.addresses.end(), a) != m.addresses.end()) continue;
      if (m.addresses.size() >= kMaxAddressesPerMember) {
        Note(where, fmt::format("AS{} has more than {} addresses; the rest are ignored", e.asn,
                                kMaxAddressesPerMember));
        break;
      }
      m.addresses.push_back(a);
    }
    for (std::string& s : e.as_sets) {
      if (std::find(m.as_sets.begin(), m.as_sets.end(), s) != m.as_sets.end()) continue;
      if (m.as_sets.size() >= kMaxAsSetsPerMember) {
        Note(where, fmt::format("AS{} has more than {} as-sets; the rest are ignored", e.asn,
                                kMaxAsSetsPerMember));
        break;
      }
      m.as_sets.push_back(std::move(s));
    }
    // One entry per address in arouteserver's file: the limits agree, but
    // if they do not, the larger one is the member's.
    if (e.max4) m.max_prefix4 = std::max(m.max_prefix4.value_or(0), *e.max4);
    if (e.max6) m.max_prefix6 = std::max(m.max_prefix6.value_or(0), *e.max6);
    return true;
  }

  void Finish(MemberList* list) {
    list->members.clear();
    for (auto& [asn, m] : by_asn_) {
      std::sort(m.addresses.begin(), m.addresses.end());
      std::sort(m.as_sets.begin(), m.as_sets.end());
      list->members.push_back(std::move(m));
    }
    list->skipped += skipped_;
  }

 private:
  const std::string& file_;
  ProblemLog* problems_;
  std::map<Asn, Member> by_asn_;
  std::map<IpAddress, Asn> owner_;
  size_t entries_ = 0, skipped_ = 0;
  bool capped_ = false;
};

// ---------------------------------------------------------------- IX-F

std::optional<uint32_t> JsonMaxPrefix(simdjson::dom::element e) {
  uint64_t v;
  if (e["max_prefix"].get_uint64().get(v) != simdjson::SUCCESS) return std::nullopt;
  if (v == 0 || v > 0xFFFFFFFFull) return std::nullopt;
  return static_cast<uint32_t>(v);
}

// IX-F Member Export, https://github.com/euro-ix/json-schemas (0.6 .. 1.0):
// member_list[].{asnum, name, connection_list[].{ixp_id,
// vlan_list[].{ipv4,ipv6}.{address, as_macro, max_prefix, routeserver}}}.
Status ParseIxf(simdjson::dom::element doc, const std::string& name, const std::string& ix,
                ProblemLog* problems, MemberList* list) {
  list->format = MemberFormat::kIxf;
  std::string_view ts;
  if (doc["timestamp"].get_string().get(ts) == simdjson::SUCCESS && ts.size() >= 10)
    list->date = std::string(ts.substr(0, 10));

  // The exchange(s): all, or the one `ix` names by ixp_id or shortname.
  std::set<uint64_t> wanted;
  bool any_ixp = ix.empty();
  simdjson::dom::array ixps;
  if (doc["ixp_list"].get_array().get(ixps) == simdjson::SUCCESS) {
    for (simdjson::dom::element x : ixps) {
      uint64_t id = 0;
      std::string_view shortname;
      if (x["ixp_id"].get_uint64().get(id) != simdjson::SUCCESS) id = 0;
      if (x["shortname"].get_string().get(shortname) != simdjson::SUCCESS) shortname = {};
      if (ix.empty() || ix == std::to_string(id) || IEquals(ix, shortname)) {
        wanted.insert(id);
        if (list->ixp_name.empty()) list->ixp_name = std::string(shortname);
      }
    }
  }
  if (!ix.empty() && wanted.empty())
    return Status::NotFound(fmt::format(
        "{}: no exchange \"{}\" in ixp_list (by ixp_id or shortname)", name, Printable(ix)));
  if (ix.empty()) any_ixp = true;

  simdjson::dom::array members;
  if (doc["member_list"].get_array().get(members) != simdjson::SUCCESS)
    return Status::Corrupt(name + ": IX-F export without a member_list array");

  Builder b(name, problems);
  size_t i = 0;
  for (simdjson::dom::element m : members) {
    const std::string where = fmt::format("member_list[{}]", i++);
    uint64_t asnum = 0;
    if (m["asnum"].get_uint64().get(asnum) != simdjson::SUCCESS) {
      b.Problem(where, "no asnum (a number) ; entry skipped");
      continue;
    }
    Entry e;
    if (!b.AcceptAsn(asnum, where, &e.asn)) continue;
    std::string_view nm;
    if (m["name"].get_string().get(nm) == simdjson::SUCCESS) e.name = Printable(nm);
    simdjson::dom::array conns;
    if (m["connection_list"].get_array().get(conns) != simdjson::SUCCESS) {
      b.Problem(where, "no connection_list array; entry skipped");
      continue;
    }
    size_t ci = 0;
    for (simdjson::dom::element c : conns) {
      const std::string cwhere = fmt::format("{}.connection_list[{}]", where, ci++);
      uint64_t ixp_id = 0;
      if (!any_ixp &&
          (c["ixp_id"].get_uint64().get(ixp_id) != simdjson::SUCCESS || !wanted.count(ixp_id)))
        continue;
      simdjson::dom::array vlans;
      if (c["vlan_list"].get_array().get(vlans) != simdjson::SUCCESS) continue;
      size_t vi = 0;
      for (simdjson::dom::element v : vlans) {
        const std::string vwhere = fmt::format("{}.vlan_list[{}]", cwhere, vi++);
        for (const char* fam : {"ipv4", "ipv6"}) {
          simdjson::dom::element f;
          if (v[fam].get(f) != simdjson::SUCCESS || !f.is_object()) continue;
          // IX-F 0.7+: "routeserver": false says this address does not peer
          // with the route server.
          bool rs = true;
          if (f["routeserver"].get_bool().get(rs) == simdjson::SUCCESS && !rs) continue;
          std::string_view addr;
          if (f["address"].get_string().get(addr) == simdjson::SUCCESS)
            b.AddAddress(&e, addr, vwhere + "." + fam + ".address");
          std::string_view macro;
          if (f["as_macro"].get_string().get(macro) == simdjson::SUCCESS && !Trim(macro).empty())
            b.AddAsSet(&e, macro, vwhere + "." + fam + ".as_macro");
          const std::optional<uint32_t> mp = JsonMaxPrefix(f);
          if (std::strcmp(fam, "ipv4") == 0) {
            if (mp) e.max4 = std::max(e.max4.value_or(0), *mp);
          } else if (mp) {
            e.max6 = std::max(e.max6.value_or(0), *mp);
          }
        }
      }
    }
    if (e.addresses.empty()) {
      b.Problem(where, fmt::format("AS{} has no route-server address; entry skipped", e.asn));
      continue;
    }
    if (!b.Add(std::move(e), where)) break;
  }
  b.Finish(list);
  return Status::Ok();
}

// ---------------------------------------------------------------- PeeringDB

Status SelectPeeringDb(const peeringdb::PeeringDb& db, const std::string& name,
                       const std::string& ix, ProblemLog* problems, MemberList* list) {
  list->format = MemberFormat::kPeeringDb;
  if (!db.loaded(peeringdb::Table::kNetIxLan))
    return Status::Corrupt(name + ": PeeringDB data without a netixlan table (the ports)");
  if (ix.empty())
    return Status::InvalidArgument(
        name + ": a PeeringDB dump holds many exchanges; name one with --ix ID|NAME");
  const peeringdb::Ix* chosen = nullptr;
  uint64_t id = 0;
  if (ParseDecimal(ix, 0xFFFFFFFFull, &id)) chosen = db.IxById(static_cast<uint32_t>(id));
  if (!chosen)
    for (const peeringdb::Ix& x : db.ixs())
      if (IEquals(x.name, ix) || IEquals(x.name_long, ix)) {
        chosen = &x;
        break;
      }
  uint32_t ix_id = chosen ? chosen->id : static_cast<uint32_t>(id);
  if (!chosen && id == 0)
    return Status::NotFound(
        fmt::format("{}: no exchange \"{}\" (by id or name)", name, Printable(ix)));
  if (chosen) list->ixp_name = chosen->name;

  Builder b(name, problems);
  for (const peeringdb::NetIxLan* p : db.PortsAt(ix_id)) {
    const std::string where = fmt::format("netixlan[id {}]", p->id);
    // arouteserver's clients-from-peeringdb takes the ports that say they
    // peer with the route server.
    if (!p->is_rs_peer || !p->operational) continue;
    Entry e;
    if (!b.AcceptAsn(p->asn, where, &e.asn)) continue;
    if (p->ipaddr4) e.addresses.push_back(*p->ipaddr4);
    if (p->ipaddr6) e.addresses.push_back(*p->ipaddr6);
    if (e.addresses.empty()) {
      b.Problem(where, fmt::format("AS{} port without an address; skipped", e.asn));
      continue;
    }
    if (const peeringdb::Net* net = db.NetByAsn(p->asn)) {
      e.name = net->name;
      // irr_as_set is free text: "AS-FOO", "RIPE::AS-FOO ARIN::AS-BAR", "AS-A, AS-B".
      std::string_view rest = net->irr_as_set;
      while (!rest.empty()) {
        const size_t cut = rest.find_first_of(" ,;\t");
        const std::string_view tok = rest.substr(0, cut);
        if (!Trim(tok).empty()) b.AddAsSet(&e, tok, where + ": net.irr_as_set");
        if (cut == std::string_view::npos) break;
        rest.remove_prefix(cut + 1);
      }
      // 0 is what PeeringDB shows when a network left the field alone.
      if (net->info_prefixes4 > 0)
        e.max4 = static_cast<uint32_t>(std::min<int64_t>(net->info_prefixes4, 0xFFFFFFFF));
      if (net->info_prefixes6 > 0)
        e.max6 = static_cast<uint32_t>(std::min<int64_t>(net->info_prefixes6, 0xFFFFFFFF));
    }
    if (!b.Add(std::move(e), where)) break;
  }
  b.Finish(list);
  return Status::Ok();
}

// ---------------------------------------------------------------- YAML

size_t FlowDepth(std::string_view text) {
  size_t depth = 0, worst = 0;
  for (char c : text) {
    if (c == '[' || c == '{') worst = std::max(worst, ++depth);
    if ((c == ']' || c == '}') && depth) --depth;
  }
  return worst;
}

std::string YamlWhere(const YAML::Node& n, const std::string& what) {
  const YAML::Mark m = n.Mark();
  if (m.is_null()) return what;
  return fmt::format("line {}: {}", m.line + 1, what);
}

// A scalar as an unsigned number, or nullopt.
std::optional<uint64_t> YamlUint(const YAML::Node& n) {
  if (!n || !n.IsScalar()) return std::nullopt;
  uint64_t v = 0;
  if (!ParseDecimal(Trim(n.Scalar()), 0xFFFFFFFFull, &v)) return std::nullopt;
  return v;
}

YAML::Node Child(const YAML::Node& n, const char* key) {
  if (!n || !n.IsMap()) return YAML::Node();
  return n[key];
}

// Reads one arouteserver client (or override) into e. False when the entry
// is unusable (reported).
bool ReadClient(Builder& b, const YAML::Node& c, const std::string& where, bool need_address,
                Entry* e, bool* has_ip, bool* has_as_sets) {
  if (!c.IsMap()) {
    b.Problem(YamlWhere(c, where), "not a mapping; entry skipped");
    return false;
  }
  const std::optional<uint64_t> asn = YamlUint(c["asn"]);
  if (!asn) {
    b.Problem(YamlWhere(c, where), "no asn (a number); entry skipped");
    return false;
  }
  if (!b.AcceptAsn(*asn, YamlWhere(c, where), &e->asn)) return false;
  if (const YAML::Node d = c["description"]; d && d.IsScalar()) e->name = Printable(d.Scalar());
  const YAML::Node ip = c["ip"];
  *has_ip = ip && !ip.IsNull();
  if (ip && ip.IsScalar()) {
    b.AddAddress(e, ip.Scalar(), YamlWhere(ip, where + ".ip"));
  } else if (ip && ip.IsSequence()) {
    for (const YAML::Node& a : ip)
      if (a.IsScalar()) b.AddAddress(e, a.Scalar(), YamlWhere(a, where + ".ip"));
  }
  if (need_address && e->addresses.empty()) {
    b.Problem(YamlWhere(c, where), fmt::format("AS{} without a usable ip; entry skipped", e->asn));
    return false;
  }
  const YAML::Node filtering = Child(Child(c, "cfg"), "filtering");
  const YAML::Node sets = Child(Child(filtering, "irrdb"), "as_sets");
  *has_as_sets = sets && sets.IsSequence();
  if (sets && sets.IsSequence())
    for (const YAML::Node& s : sets)
      if (s.IsScalar()) b.AddAsSet(e, s.Scalar(), YamlWhere(s, where + ".as_sets"));
  const YAML::Node mp = Child(filtering, "max_prefix");
  if (const auto v = YamlUint(Child(mp, "limit_ipv4")); v && *v > 0)
    e->max4 = static_cast<uint32_t>(*v);
  if (const auto v = YamlUint(Child(mp, "limit_ipv6")); v && *v > 0)
    e->max6 = static_cast<uint32_t>(*v);
  return true;
}

Result<YAML::Node> ParseYaml(std::string_view text, const std::string& name) {
  if (FlowDepth(text) > kMaxYamlFlowDepth)
    return Status::LimitExceeded(
        fmt::format("{}: YAML nested deeper than {} levels; not read", name, kMaxYamlFlowDepth));
  try {
    return YAML::Load(std::string(text));
  } catch (const YAML::Exception& ex) {
    return Status::Corrupt(fmt::format("{}: line {} column {}: YAML: {}", name, ex.mark.line + 1,
                                       ex.mark.column + 1, Printable(ex.msg)));
  } catch (const std::exception& ex) {
    return Status::Corrupt(fmt::format("{}: YAML: {}", name, Printable(ex.what())));
  }
}

// "# Data fetched from ... at 2017-09-05T18:08:42 UTC", the header
// arouteserver's clients-from-euroix writes.
std::string YamlHeaderDate(std::string_view text) {
  const size_t line_end = std::min(text.find('\n'), text.size());
  const std::string_view first = text.substr(0, line_end);
  const size_t at = first.rfind(" at ");
  if (first.rfind("#", 0) != 0 || at == std::string_view::npos) return "";
  const std::string_view d = first.substr(at + 4);
  if (d.size() < 10 || d[4] != '-' || d[7] != '-') return "";
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (!std::isdigit(static_cast<unsigned char>(d[i]))) return "";
  return std::string(d.substr(0, 10));
}

Status ParseArouteserver(std::string_view text, const std::string& name, ProblemLog* problems,
                         MemberList* list) {
  list->format = MemberFormat::kArouteserver;
  Result<YAML::Node> doc = ParseYaml(text, name);
  if (!doc.ok()) return doc.status();
  try {
    const YAML::Node clients = Child(*doc, "clients");
    if (!clients || !clients.IsSequence())
      return Status::Corrupt(
          name + ": neither JSON nor an arouteserver clients file (no \"clients:\" list)");
    list->date = YamlHeaderDate(text);
    Builder b(name, problems);
    size_t i = 0;
    for (const YAML::Node& c : clients) {
      const std::string where = fmt::format("clients[{}]", i++);
      Entry e;
      bool has_ip = false, has_sets = false;
      if (!ReadClient(b, c, where, true, &e, &has_ip, &has_sets)) continue;
      if (!b.Add(std::move(e), where)) break;
    }
    b.Finish(list);
  } catch (const YAML::Exception& ex) {
    return Status::Corrupt(fmt::format("{}: YAML: {}", name, Printable(ex.what())));
  }
  return Status::Ok();
}

Result<std::string> ReadCapped(const std::string& path) {
  auto in = io::InputStream::Open(path, {.threaded = false});
  if (!in.ok()) return in.status();
  std::string text;
  size_t n = 0;
  do {
    const size_t old = text.size();
    if (old > kMaxFileBytes)
      return Status::LimitExceeded(
          fmt::format("{}: more than {} MiB; not read", Printable(path), kMaxFileBytes >> 20));
    text.resize(old + (1 << 16));
    n = (*in)->Read(reinterpret_cast<std::byte*>(text.data() + old), 1 << 16);
    text.resize(old + n);
  } while (n > 0);
  if (!(*in)->status().ok()) return (*in)->status();
  return text;
}

}  // namespace

std::string_view MemberFormatName(MemberFormat f) {
  switch (f) {
    case MemberFormat::kIxf:
      return "ixf";
    case MemberFormat::kArouteserver:
      return "arouteserver";
    case MemberFormat::kPeeringDb:
      return "peeringdb";
  }
  return "unknown";
}

Result<MemberList> ParseMembers(std::string_view text, const std::string& name,
                                ProblemLog* problems, const std::string& ix) {
  MemberList list;
  list.source = name;
  if (text.size() > kMaxFileBytes)
    return Status::LimitExceeded(
        fmt::format("{}: more than {} MiB; not read", name, kMaxFileBytes >> 20));
  const std::string_view body = Trim(text);
  if (body.empty()) return Status::Corrupt(name + ": empty members file");
  if (body.front() == '{' || body.front() == '[') {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    const simdjson::padded_string padded(text);
    if (const auto err = parser.parse(padded).get(doc); err != simdjson::SUCCESS)
      return Status::Corrupt(fmt::format("{}: JSON: {}", name, simdjson::error_message(err)));
    simdjson::dom::element ml;
    if (doc.is_object() && doc["member_list"].get(ml) == simdjson::SUCCESS) {
      Status s = ParseIxf(doc, name, ix, problems, &list);
      if (!s.ok()) return s;
      return list;
    }
    peeringdb::PeeringDb db;
    Status s = db.LoadText(text, name);
    if (!s.ok())
      return Status::Corrupt(fmt::format(
          "{}: JSON that is neither an IX-F export (no member_list) nor PeeringDB data ({})", name,
          s.message()));
    if (problems) problems->Merge(db.problems());
    s = SelectPeeringDb(db, name, ix, problems, &list);
    if (!s.ok()) return s;
    return list;
  }
  Status s = ParseArouteserver(text, name, problems, &list);
  if (!s.ok()) return s;
  return list;
}

Result<MemberList> LoadMembers(const std::string& path, ProblemLog* problems,
                               const std::string& ix) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    peeringdb::PeeringDb db;
    Status s = db.Load(path);
    if (!s.ok()) return s;
    if (problems) problems->Merge(db.problems());
    MemberList list;
    list.source = path;
    s = SelectPeeringDb(db, path, ix, problems, &list);
    if (!s.ok()) return s;
    return list;
  }
  Result<std::string> text = ReadCapped(path);
  if (!text.ok()) return text.status();
  return ParseMembers(*text, path, problems, ix);
}

Status ParseOverrides(std::string_view text, const std::string& name, MemberList* list,
                      ProblemLog* problems) {
  Result<YAML::Node> doc = ParseYaml(text, name);
  if (!doc.ok()) return doc.status();
  try {
    const YAML::Node clients = Child(*doc, "clients");
    if (!clients || !clients.IsSequence())
      return Status::Corrupt(name +
                             ": an overrides file is a \"clients:\" list (arouteserver keys)");
    Builder b(name, problems);  // for messages and validation only
    std::map<Asn, size_t> index;
    for (size_t i = 0; i < list->members.size(); ++i) index[list->members[i].asn] = i;
    size_t i = 0;
    for (const YAML::Node& c : clients) {
      const std::string where = fmt::format("clients[{}]", i++);
      Entry e;
      bool has_ip = false, has_sets = false;
      if (!ReadClient(b, c, where, false, &e, &has_ip, &has_sets)) continue;
      auto it = index.find(e.asn);
      if (it == index.end()) {
        if (e.addresses.empty()) {
          b.Problem(
              YamlWhere(c, where),
              fmt::format("AS{} is not a member and the override gives no ip; skipped", e.asn));
          continue;
        }
        if (list->members.size() >= kMaxEntries) break;
        list->members.push_back(Member{.asn = e.asn});
        it = index.emplace(e.asn, list->members.size() - 1).first;
      }
      Member& m = list->members[it->second];
      if (!e.name.empty()) m.name = e.name;
      if (has_ip) {
        std::sort(e.addresses.begin(), e.addresses.end());
        e.addresses.erase(std::unique(e.addresses.begin(), e.addresses.end()), e.addresses.end());
        if (e.addresses.size() > kMaxAddressesPerMember) e.addresses.resize(kMaxAddressesPerMember);
        // An address keeps one owner: one given to another member is refused.
        std::erase_if(e.addresses, [&](const IpAddress& a) {
          const Member* owner = FindMemberByAddress(*list, a);
          if (owner == nullptr || owner->asn == e.asn) return false;
          b.Note(YamlWhere(c, where), fmt::format("address {} belongs to AS{}; not given to AS{}",
                                                  a.ToString(), owner->asn, e.asn));
          return true;
        });
        m.addresses = std::move(e.addresses);
      }
      if (has_sets) {
        std::sort(e.as_sets.begin(), e.as_sets.end());
        e.as_sets.erase(std::unique(e.as_sets.begin(), e.as_sets.end()), e.as_sets.end());
        if (e.as_sets.size() > kMaxAsSetsPerMember) e.as_sets.resize(kMaxAsSetsPerMember);
        m.as_sets = std::move(e.as_sets);
      }
      if (e.max4) m.max_prefix4 = e.max4;
      if (e.max6) m.max_prefix6 = e.max6;
    }
  } catch (const YAML::Exception& ex) {
    return Status::Corrupt(fmt::format("{}: YAML: {}", name, Printable(ex.what())));
  }
  std::sort(list->members.begin(), list->members.end(),
            [](const Member& a, const Member& b) { return a.asn < b.asn; });
  return Status::Ok();
}

Status ApplyOverrides(const std::string& path, MemberList* list, ProblemLog* problems) {
  Result<std::string> text = ReadCapped(path);
  if (!text.ok()) return text.status();
  return ParseOverrides(*text, path, list, problems);
}

const Member* FindMember(const MemberList& list, Asn asn) {
  auto it = std::lower_bound(list.members.begin(), list.members.end(), asn,
                             [](const Member& m, Asn a) { return m.asn < a; });
  return it != list.members.end() && it->asn == asn ? &*it : nullptr;
}

const Member* FindMemberByAddress(const MemberList& list, const IpAddress& address) {
  for (const Member& m : list.members)
    if (std::binary_search(m.addresses.begin(), m.addresses.end(), address)) return &m;
  return nullptr;
}

}  // namespace vigia::ixp
