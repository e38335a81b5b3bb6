#include "detect/scenario_file.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "bgp/path_attributes.h"
#include "core/asn.h"
#include "core/limits.h"
#include "core/time_format.h"
#include "detect/incident_type.h"
#include "mrt/writer.h"

namespace vigia::detect::scenario {

namespace {

namespace fs = std::filesystem;

// Splits on blanks; "..." keeps blanks inside one token.
std::vector<std::string> Tokens(const std::string& line) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < line.size()) {
    if (line[i] == ' ' || line[i] == '\t' || line[i] == '\r') {
      ++i;
      continue;
    }
    std::string t;
    if (line[i] == '"') {
      const size_t q = line.find('"', i + 1);
      t = line.substr(i + 1, q == std::string::npos ? std::string::npos : q - i - 1);
      i = q == std::string::npos ? line.size() : q + 1;
    } else {
      while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
        t += line[i++];
    }
    out.push_back(t);
  }
  return out;
}

std::optional<std::string> ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::string text(kMaxScenarioBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxScenarioBytes) return std::nullopt;
  return text;
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.pop_back();
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  return s.substr(i);
}

class Parser {
 public:
  Parser(Scenario* s, fs::path include_dir) : s_(s), include_dir_(std::move(include_dir)) {}

  std::optional<ParseError> Parse(const std::string& text, const std::string& file, int depth) {
    std::istringstream in(text);
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
      ++number;
      if (const size_t h = line.find('#'); h != std::string::npos) line.resize(h);
      const std::vector<std::string> t = Tokens(line);
      if (t.empty()) continue;
      const Where at{file, number};
      if (t[0] == "include") {
        if (t.size() != 2) return ParseError{at, "include needs one NAME"};
        if (depth >= kMaxIncludeDepth) return ParseError{at, "includes nested too deep"};
        const fs::path p = include_dir_ / (t[1] + ".inc");
        auto inc = ReadFile(p);
        if (!inc) return ParseError{at, "cannot read include " + p.string()};
        if (auto err = Parse(*inc, p.string(), depth + 1)) return err;
        continue;
      }
      std::string rest = Trim(line.substr(line.find(t[0]) + t[0].size()));
      if (std::string err = Statement(t, rest, at); !err.empty()) {
        return ParseError{at, fmt::format("{} (in '{}')", err, Trim(line))};
      }
    }
    return std::nullopt;
  }

 private:
  std::optional<uint32_t> Time(const std::string& s) const {
    if (s == "end") return s_->window_end;
    unsigned h = 0, m = 0;
    char c = 0;
    if (s.size() < 2 || s[0] != '+' || std::sscanf(s.c_str() + 1, "%u:%u%c", &h, &m, &c) != 2 ||
        m > 59 || h > 24 * 366) {
      return std::nullopt;
    }
    return s_->window_start + h * 3600 + m * 60;
  }

  std::string Path(const std::vector<std::string>& t, size_t from, PathDef* out) const {
    for (size_t i = from; i < t.size(); ++i) {
      if (t[i].front() == '{') {
        if (t[i].back() != '}') return "AS_SET not closed: " + t[i];
        std::vector<Asn> set;
        std::stringstream ss(t[i].substr(1, t[i].size() - 2));
        for (std::string a; std::getline(ss, a, ',');) {
          auto asn = ParseAsn(a);
          if (!asn) return "bad ASN in set: " + a;
          set.push_back(*asn);
        }
        out->segments.push_back({bgp::kAsSet, std::move(set)});
        continue;
      }
      auto asn = ParseAsn(t[i]);
      if (!asn) return "bad ASN: " + t[i];
      if (out->segments.empty() || out->segments.back().first != bgp::kAsSequence) {
        out->segments.push_back({bgp::kAsSequence, {}});
      }
      out->segments.back().second.push_back(*asn);
    }
    if (out->segments.empty()) return "empty AS path";
    return "";
  }

  static std::string KnownType(const std::string& name) {
    if (FindIncidentType(name) != nullptr) return "";
    return fmt::format("unknown incident type '{}' (registered: {})", name, IncidentTypeNames());
  }

  // Empty on success, else why not. `rest` is the line after the keyword.
  std::string Statement(const std::vector<std::string>& t, const std::string& rest,
                        const Where& at) {
    const std::string& op = t[0];
    auto need = [&](size_t n) { return t.size() >= n; };
    if (op == "rule" && need(2)) {
      s_->rule += (s_->rule.empty() ? "" : " ") + rest;
      return "";
    }
    if (op == "gap" && need(2)) {
      s_->gap = s_->gap ? *s_->gap + " " + rest : rest;
      return "";
    }
    if (op == "checks" && need(2)) {
      for (size_t i = 1; i < t.size(); ++i) {
        if (std::string err = KnownType(t[i]); !err.empty()) return err;
        s_->checks.push_back(t[i]);
      }
      return "";
    }
    if (op == "window" && need(3)) {
      auto a = ParseIsoTime(t[1]), b = ParseIsoTime(t[2]);
      if (!a || !b || *b <= *a) return "bad window";
      s_->window_start = static_cast<uint32_t>(*a);
      s_->window_end = static_cast<uint32_t>(*b);
      return "";
    }
    if (op == "peer" && need(5)) {
      auto asn = ParseAsn(t[3]);
      auto ip = IpAddress::Parse(t[4]);
      if (!asn || !ip) return "bad peer";
      if (!s_->peers.contains(t[1])) s_->peer_order.push_back(t[1]);
      s_->peers[t[1]] = {t[2], *asn, *ip};
      return "";
    }
    if ((op == "rib" && need(4)) ||
        ((op == "announce" && need(5)) || (op == "withdraw" && need(4)))) {
      if (s_->window_start == 0) return "no window yet";
      RouteEvent e;
      e.rib = op == "rib";
      e.withdraw = op == "withdraw";
      size_t i = 1;
      if (e.rib) {
        e.time = s_->window_start;
      } else {
        auto when = Time(t[i++]);
        if (!when) return "bad time";
        e.time = *when;
      }
      e.peer = t[i++];
      if (!s_->peers.contains(e.peer)) return "no peer " + e.peer;
      auto p = Prefix::Parse(t[i++]);
      if (!p) return "bad prefix";
      e.prefix = *p;
      if (!e.withdraw) {
        if (std::string err = Path(t, i, &e.path); !err.empty()) return err;
      } else if (i != t.size()) {
        return "withdraw takes no path";
      }
      if (e.prefix.family() == Family::kIpv6 && !s_->peers[e.peer].ip.is_v6()) {
        return "an IPv6 prefix needs an IPv6 peer here";
      }
      s_->events.push_back(std::move(e));
      return "";
    }
    if (op == "vrp" && t.size() == 4) {
      auto p = Prefix::Parse(t[1]);
      auto asn = ParseAsn(t[3]);
      uint64_t max_length = 0;
      if (!p || !asn || !ParseDecimal(t[2], 128, &max_length)) return "bad vrp";
      s_->vrps.emplace_back(*p, static_cast<int>(max_length), *asn);
      return "";
    }
    if (op == "irr" && t.size() == 4) {
      auto p = Prefix::Parse(t[1]);
      auto asn = ParseAsn(t[2]);
      if (!p || !asn) return "bad irr";
      s_->irr.emplace_back(*p, *asn, t[3]);
      return "";
    }
    if (op == "rel" && t.size() == 2) {
      s_->rels.push_back(t[1]);
      return "";
    }
    if (op == "org" && t.size() == 3) {
      auto asn = ParseAsn(t[1]);
      if (!asn) return "bad org";
      s_->orgs.emplace_back(*asn, t[2]);
      return "";
    }
    if (op == "delegated" && t.size() == 2) {
      s_->delegated.push_back(t[1]);
      return "";
    }
    if (op == "history" && t.size() == 3) {
      auto p = Prefix::Parse(t[1]);
      if (!p) return "bad history prefix";
      std::stringstream ss(t[2]);
      for (std::string a; std::getline(ss, a, ',');) {
        auto asn = ParseAsn(a);
        if (!asn) return "bad history ASN " + a;
        s_->history[*p].push_back(*asn);
      }
      return "";
    }
    if (op == "expect" && t.size() == 2 && t[1] == "none") {
      s_->expect_none = true;
      return "";
    }
    if (op == "expect" && need(3)) {
      if (s_->window_start == 0) return "no window yet";
      Expected x;
      x.type = t[1];
      x.kind = t[2];
      x.where = at;
      if (std::string err = KnownType(x.type); !err.empty()) return err;
      bool have_culprit = false, have_propagator = false;
      for (size_t i = 3; i < t.size(); ++i) {
        const size_t eq = t[i].find('=');
        if (eq == std::string::npos) return "expected key=value: " + t[i];
        const std::string k = t[i].substr(0, eq), v = t[i].substr(eq + 1);
        if (k == "culprit") {
          auto a = ParseAsn(v);
          if (!a) return "bad culprit";
          x.culprit = *a;
          have_culprit = true;
        } else if (k == "propagator") {
          have_propagator = true;
          if (v != "none") {
            auto a = ParseAsn(v);
            if (!a) return "bad propagator";
            x.propagator = *a;
          }
        } else if (k == "prefixes") {
          std::stringstream ss(v);
          for (std::string p; std::getline(ss, p, ',');) {
            auto pp = Prefix::Parse(p);
            if (!pp) return "bad prefix " + p;
            x.prefixes.push_back(*pp);
          }
          std::sort(x.prefixes.begin(), x.prefixes.end());
        } else if (k == "start" || k == "end") {
          auto when = Time(v);
          if (!when) return "bad time " + v;
          (k == "start" ? x.start : x.end) = *when;
        } else if (k == "origins") {
          std::stringstream ss(v);
          std::vector<Asn> origins;
          for (std::string a; std::getline(ss, a, ',');) {
            auto asn = ParseAsn(a);
            if (!asn) return "bad origin " + a;
            origins.push_back(*asn);
          }
          std::sort(origins.begin(), origins.end());
          x.origins = std::move(origins);
        } else if (k == "victims") {
          std::vector<Asn> victims;
          std::stringstream ss(v == "none" ? std::string() : v);
          for (std::string a; std::getline(ss, a, ',');) {
            auto asn = ParseAsn(a);
            if (!asn) return "bad victim " + a;
            victims.push_back(*asn);
          }
          std::sort(victims.begin(), victims.end());
          x.victims = std::move(victims);
        } else if (k == "confidence") {
          char* end = nullptr;
          const double c = std::strtod(v.c_str(), &end);
          if (v.empty() || end != v.c_str() + v.size() || !(c >= 0 && c <= 1))
            return "bad confidence " + v;
          x.confidence = c;
        } else {
          return "unknown key " + k;
        }
      }
      if (!have_culprit || !have_propagator || x.prefixes.empty()) {
        return "expect needs culprit=, propagator= and prefixes=";
      }
      s_->expected.push_back(std::move(x));
      return "";
    }
    return "unknown or short statement '" + op + "'";
  }

  Scenario* s_;
  fs::path include_dir_;
};

}  // namespace

std::optional<ParseError> ParseScenario(const std::string& text, const std::string& name,
                                        const fs::path& include_dir, Scenario* out) {
  *out = Scenario{};
  out->where = {name, 0};
  Parser parser(out, include_dir);
  if (auto err = parser.Parse(text, name, 0)) return err;
  const Where file{name, 0};
  if (out->rule.empty())
    return ParseError{file, "no 'rule' line: every scenario names the rule it checks"};
  if (out->checks.empty())
    return ParseError{file, "no 'checks' line: which incident types is it about?"};
  if (out->window_start == 0) return ParseError{file, "no window"};
  if (out->expected.empty() && !out->expect_none) {
    return ParseError{file, "no 'expect' line: give the incidents, or 'expect none'"};
  }
  if (!out->expected.empty() && out->expect_none) {
    return ParseError{out->expected.front().where,
                      "'expect none' and expect lines in one scenario"};
  }
  return std::nullopt;
}

std::optional<ParseError> ParseScenarioFile(const fs::path& file, const fs::path& include_dir,
                                            Scenario* out) {
  auto text = ReadFile(file);
  if (!text) return ParseError{{file.string(), 0}, "cannot read (or larger than 1 MiB)"};
  return ParseScenario(*text, file.string(), include_dir, out);
}

namespace {

std::string Date(uint32_t t) {
  std::string d = IsoTime(t).substr(0, 10);
  d.erase(std::remove(d.begin(), d.end(), '-'), d.end());
  return d;
}

Status WriteText(const fs::path& p, const std::string& text) {
  std::error_code ec;
  fs::create_directories(p.parent_path(), ec);
  std::ofstream out(p, std::ios::binary);
  out << text;
  out.close();
  if (!out.good()) return Status::IoError(p.string() + ": cannot write");
  return Status::Ok();
}

void SetPath(const PathDef& path, bgp::PathAttributes* at) {
  at->Set(bgp::kAttrOrigin);
  at->origin = 0;  // IGP
  at->Set(bgp::kAttrAsPath);
  for (const auto& [type, asns] : path.segments) {
    at->as_path.segments.push_back({type, static_cast<uint16_t>(asns.size())});
    at->as_path.asns.insert(at->as_path.asns.end(), asns.begin(), asns.end());
  }
}

// mrt/COLLECTOR.bview.DATE.0000.gz (TABLE_DUMP_V2, as sim/rib_builder.cc
// writes it) and mrt/COLLECTOR.updates.DATE.0000.gz (BGP4MP_ET MESSAGE_AS4,
// as sim/snapshot.cc writes them).
Status WriteMrt(const Scenario& s, const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::IoError(dir.string() + ": " + ec.message());
  std::map<std::string, std::vector<std::string>> by_collector;  // peer names
  for (const std::string& name : s.peer_order)
    by_collector[s.peers.at(name).collector].push_back(name);
  const std::string date = Date(s.window_start);
  for (const auto& [collector, names] : by_collector) {
    bool used = false;
    for (const RouteEvent& e : s.events) used |= s.peers.at(e.peer).collector == collector;
    if (!used) continue;

    // The RIB dump.
    auto w = mrt::MrtWriter::Create(
        (dir / fmt::format("{}.bview.{}.0000.gz", collector, date)).string());
    if (!w.ok()) return w.status();
    mrt::PeerIndexTable table;
    table.collector_id = *IpAddress::Parse("193.0.4.28");
    table.view_name = collector;
    std::map<std::string, uint16_t> index;
    for (const std::string& name : names) {
      const PeerDef& p = s.peers.at(name);
      mrt::PeerEntry e;
      e.bgp_id = *IpAddress::Parse(fmt::format("10.255.0.{}", table.peers.size() + 1));
      e.ip = p.ip;
      e.asn = p.asn;
      index[name] = static_cast<uint16_t>(table.peers.size());
      table.peers.push_back(e);
    }
    if (Status st = (*w)->WritePeerIndexTable(s.window_start, table); !st.ok()) return st;
    std::map<Prefix, std::vector<const RouteEvent*>> rib;
    for (const RouteEvent& e : s.events) {
      if (e.rib && s.peers.at(e.peer).collector == collector) rib[e.prefix].push_back(&e);
    }
    uint32_t sequence = 0;
    for (const auto& [prefix, entries] : rib) {
      mrt::Rib r;
      const bool v6 = prefix.family() == Family::kIpv6;
      r.afi = v6 ? bgp::kAfiIpv6 : bgp::kAfiIpv4;
      r.safi = bgp::kSafiUnicast;
      r.prefix = prefix;
      r.sequence = sequence++;
      r.entries.resize(entries.size());
      r.entry_count = entries.size();
      for (size_t i = 0; i < entries.size(); ++i) {
        mrt::RibEntry& e = r.entries[i];
        const PeerDef& peer = s.peers.at(entries[i]->peer);
        e.peer_index = index[entries[i]->peer];
        e.originated_time = s.window_start;
        e.attrs.Clear();
        SetPath(entries[i]->path, &e.attrs);
        if (v6) {
          // RFC 6396 §4.3.4: only the next hop.
          bgp::MpReach& m = e.attrs.AddMpReach();
          m.abbreviated = true;
          m.next_hop = peer.ip;
          m.next_hop_length = 16;
        } else {
          e.attrs.Set(bgp::kAttrNextHop);
          e.attrs.next_hop = peer.ip;
        }
      }
      if (Status st = (*w)->WriteRib(s.window_start, r); !st.ok()) return st;
    }
    if (Status st = (*w)->Close(); !st.ok()) return st;

    // The updates, in time order.
    std::vector<const RouteEvent*> updates;
    for (const RouteEvent& e : s.events) {
      if (!e.rib && s.peers.at(e.peer).collector == collector) updates.push_back(&e);
    }
    std::stable_sort(updates.begin(), updates.end(),
                     [](const RouteEvent* a, const RouteEvent* b) { return a->time < b->time; });
    auto u = mrt::MrtWriter::Create(
        (dir / fmt::format("{}.updates.{}.0000.gz", collector, date)).string());
    if (!u.ok()) return u.status();
    for (const RouteEvent* e : updates) {
      const PeerDef& peer = s.peers.at(e->peer);
      const bool v6 = peer.ip.is_v6();
      mrt::Bgp4mpMessage m;
      m.peer_as = peer.asn;
      m.local_as = 12654;  // the RIPE NCC RIS collectors' AS
      m.as4 = true;
      m.afi = v6 ? bgp::kAfiIpv6 : bgp::kAfiIpv4;
      m.peer_ip = peer.ip;
      m.local_ip = *IpAddress::Parse(v6 ? "2001:7f8:1::a501:2654:1" : "185.1.0.254");
      m.message.type = 2;  // UPDATE
      bgp::Update& up = m.message.update;
      up.attrs.Clear();
      std::vector<bgp::NlriEntry> list = {{e->prefix, 0}};
      const bool mp = e->prefix.family() == Family::kIpv6;
      if (e->withdraw) {
        if (mp) {
          bgp::MpUnreach& mu = up.attrs.AddMpUnreach();
          mu.afi = bgp::kAfiIpv6;
          mu.safi = bgp::kSafiUnicast;
          mu.supported = true;
          mu.nlri = std::move(list);
        } else {
          up.withdrawn = std::move(list);
        }
      } else {
        SetPath(e->path, &up.attrs);
        if (mp) {
          bgp::MpReach& mr = up.attrs.AddMpReach();
          mr.afi = bgp::kAfiIpv6;
          mr.safi = bgp::kSafiUnicast;
          mr.next_hop = peer.ip;
          mr.next_hop_length = 16;
          mr.supported = true;
          mr.nlri = std::move(list);
        } else {
          up.attrs.Set(bgp::kAttrNextHop);
          up.attrs.next_hop = peer.ip;
          up.nlri = std::move(list);
        }
      }
      if (Status st = (*u)->WriteBgp4mpUpdate(e->time, 0, m); !st.ok()) return st;
    }
    if (Status st = (*u)->Close(); !st.ok()) return st;
  }
  return Status::Ok();
}

}  // namespace

Status WriteScenarioSnapshot(const Scenario& s, const fs::path& root) {
  if (Status st = WriteMrt(s, root / "mrt"); !st.ok()) return st;
  const std::string date = Date(s.window_start);
  if (!s.vrps.empty()) {
    // rpki-client -j output.
    std::string roas;
    for (const auto& [prefix, max_length, asn] : s.vrps) {
      roas += fmt::format(
          "{}\t\t{{ \"asn\": {}, \"prefix\": \"{}\", \"maxLength\": {}, \"ta\": \"ripe\", "
          "\"expires\": {} }}",
          roas.empty() ? "" : ",\n", asn, prefix.ToString(), max_length, s.window_end + 86400);
    }
    if (Status st = WriteText(
            root / "rpki" / "vrps.json",
            fmt::format(
                "{{\n\t\"metadata\": {{\n\t\t\"buildmachine\": \"test\",\n\t\t\"buildtime\": "
                "\"{}\",\n\t\t\"generated\": {},\n\t\t\"roas\": {},\n\t\t\"vrps\": {}\n\t}},\n"
                "\t\"roas\": [\n{}\n\t]\n}}\n",
                IsoTime(s.window_start), s.window_start, s.vrps.size(), s.vrps.size(), roas));
        !st.ok())
      return st;
  }
  std::map<std::string, std::string> rpsl;
  for (const auto& [prefix, asn, source] : s.irr) {
    rpsl[source] += fmt::format(
        "{}:          {}\ndescr:          test route\norigin:         AS{}\n"
        "mnt-by:         MNT-AS{}\nsource:         {}\n\n",
        prefix.family() == Family::kIpv6 ? "route6" : "route", prefix.ToString(), asn, asn, source);
  }
  for (const auto& [source, text] : rpsl) {
    std::string lower = source;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    if (Status st = WriteText(root / "irr" / (lower + ".db"), text); !st.ok()) return st;
  }
  if (!s.rels.empty()) {
    std::string text = "# source:topology|BGP|" + date + "|test\n";
    for (const std::string& r : s.rels) text += r + "\n";
    if (Status st = WriteText(root / "topology" / (date + ".as-rel.txt"), text); !st.ok())
      return st;
  }
  if (!s.orgs.empty()) {
    std::string text = "# format:org_id|changed|org_name|country|source\n";
    std::vector<std::string> ids;
    for (const auto& [asn, org] : s.orgs) {
      if (std::find(ids.begin(), ids.end(), org) == ids.end()) ids.push_back(org);
    }
    for (const std::string& id : ids)
      text += fmt::format("{}|20240401|{} Networks|NL|RIPE\n", id, id);
    text += "# format:aut|changed|aut_name|org_id|opaque_id|source\n";
    for (const auto& [asn, org] : s.orgs)
      text += fmt::format("{}|20240401|AS{}-NET|{}||RIPE\n", asn, asn, org);
    if (Status st = WriteText(root / "topology" / (date + ".as-org2info.txt"), text); !st.ok())
      return st;
  }
  if (!s.delegated.empty()) {
    std::string text;
    for (const std::string& l : s.delegated) text += l + "\n";
    if (Status st = WriteText(root / "registry" / ("delegated-ripencc-" + date), text); !st.ok())
      return st;
  }
  nlohmann::json m;
  m["format"] = "vigia-snapshot/1";
  m["date"] = IsoTime(s.window_start).substr(0, 10);
  m["window"] = {{"start", IsoTime(s.window_start)}, {"end", IsoTime(s.window_end)}};
  return WriteText(root / "manifest.json", m.dump(1) + "\n");
}

namespace {

std::string Offset(const Scenario& s, uint32_t t) {
  if (t == s.window_end) return "end";
  const int64_t d = int64_t{t} - s.window_start;
  return fmt::format("{}{:02}:{:02}{}", d < 0 ? "-" : "+", std::abs(d) / 3600,
                     std::abs(d) % 3600 / 60,
                     std::abs(d) % 60 ? fmt::format(":{:02}", std::abs(d) % 60) : "");
}

std::string AsnList(const std::vector<Asn>& v) {
  std::string out;
  for (Asn a : v) out += (out.empty() ? "" : ",") + std::to_string(a);
  return out;
}

std::string VictimList(const std::vector<Asn>& v) { return v.empty() ? "none" : AsnList(v); }

// The evidence repeats Incident::victims as "victims" (absent when none).
bool EvidenceVictimsAgree(const Incident& in) {
  const auto e = nlohmann::json::parse(in.evidence, nullptr, false);
  if (!e.is_object() || !e.contains("victims")) return in.victims.empty();
  return e["victims"] == nlohmann::json(in.victims);
}

// The origins of the incident's evidence paths (their last ASes), sorted.
std::vector<Asn> EvidenceOrigins(const Incident& in) {
  std::set<Asn> out;
  const auto e = nlohmann::json::parse(in.evidence, nullptr, false);
  if (!e.is_object() || !e.contains("example_paths")) return {};
  for (const auto& p : e["example_paths"]) {
    if (!p.is_string()) continue;
    const std::string s = p.get<std::string>();
    if (auto a = ParseAsn(s.substr(s.find_last_of(' ') + 1))) out.insert(*a);
  }
  return {out.begin(), out.end()};
}

std::string Describe(const Scenario& s, const Expected& x) {
  std::string prefixes;
  for (const Prefix& p : x.prefixes) prefixes += (prefixes.empty() ? "" : ",") + p.ToString();
  return fmt::format("{} \"{}\" culprit={} propagator={} prefixes={}{}{}{}{}{}", x.type, x.kind,
                     x.culprit, x.propagator ? std::to_string(*x.propagator) : std::string("none"),
                     prefixes, x.start ? " start=" + Offset(s, *x.start) : "",
                     x.end ? " end=" + Offset(s, *x.end) : "",
                     x.confidence ? fmt::format(" confidence={:.2f}", *x.confidence) : "",
                     x.origins ? " origins=" + AsnList(*x.origins) : "",
                     x.victims ? " victims=" + VictimList(*x.victims) : "");
}

bool Matches(const Expected& x, const Incident& in) {
  std::vector<Prefix> got = in.prefixes;
  std::sort(got.begin(), got.end());
  return x.type == in.type && x.kind == in.kind && x.culprit == in.culprit &&
         x.propagator == in.propagator && x.prefixes == got && (!x.start || *x.start == in.start) &&
         (!x.end || *x.end == in.end) &&
         (!x.confidence || std::abs(*x.confidence - in.confidence) < 1e-9) &&
         (!x.origins || *x.origins == EvidenceOrigins(in)) &&
         (!x.victims || *x.victims == in.victims) && EvidenceVictimsAgree(in);
}

}  // namespace

std::string Describe(const Scenario& s, const Incident& in) {
  std::string prefixes;
  for (const Prefix& p : in.prefixes) prefixes += (prefixes.empty() ? "" : ",") + p.ToString();
  return fmt::format(
      "{} \"{}\" culprit={} propagator={} prefixes={} start={} end={} confidence={:.2f} "
      "origins={} victims={}",
      in.type, in.kind, in.culprit,
      in.propagator ? std::to_string(*in.propagator) : std::string("none"), prefixes,
      Offset(s, in.start), Offset(s, in.end), in.confidence, AsnList(EvidenceOrigins(in)),
      VictimList(in.victims));
}

std::vector<Mismatch> CompareIncidents(const Scenario& s, const std::vector<Incident>& all) {
  const bool irr =
      std::find(s.checks.begin(), s.checks.end(), kIrrUnregistered) != s.checks.end() ||
      std::any_of(s.expected.begin(), s.expected.end(),
                  [](const Expected& x) { return x.type == kIrrUnregistered; });
  std::vector<const Incident*> found;
  for (const Incident& in : all) {
    if (irr || in.type != kIrrUnregistered) found.push_back(&in);
  }
  std::vector<bool> used(found.size(), false);
  std::vector<Mismatch> out;
  for (const Expected& x : s.expected) {
    bool hit = false;
    for (size_t i = 0; i < found.size() && !hit; ++i) {
      if (!used[i] && Matches(x, *found[i])) used[i] = hit = true;
    }
    if (!hit) out.push_back({x.where, "missing: " + Describe(s, x)});
  }
  const Where extra_at = s.expected.empty() ? s.where : s.expected.front().where;
  for (size_t i = 0; i < found.size(); ++i) {
    if (!used[i]) out.push_back({extra_at, "extra:   " + Describe(s, *found[i])});
  }
  if (!out.empty()) {
    std::string detected = "detected:";
    for (const Incident* in : found) detected += "\n    " + Describe(s, *in);
    if (found.empty()) detected += " nothing";
    for (Mismatch& m : out) m.message += "\n  " + detected;
  }
  return out;
}

}  // namespace vigia::detect::scenario
