// See config.h. yaml-cpp reports errors by throwing; every call into it is
// inside ParseWatchConfig's try block, which turns them into a Status (STYLE:
// no exceptions past a module's edge).
#include "watch/config.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unordered_set>

#include "core/asn.h"
#include "core/ip.h"
#include "core/printable.h"

namespace vigia::watch {

namespace {

constexpr std::array<std::string_view, 11> kRules = {
    live::kRuleHijack,         live::kRuleSubprefixHijack, live::kRuleRouteLeak,
    live::kRuleRpkiInvalid,    live::kRuleBogonPrefix,     live::kRuleBogonAsn,
    live::kRuleVisibilityLoss, live::kRuleNewUpstream,     live::kRuleNewDownstream,
    live::kRulePathPattern,    live::kRuleRoaDisappeared};

size_t FlowDepth(std::string_view text) {
  size_t depth = 0, worst = 0;
  for (char c : text) {
    if (c == '[' || c == '{') worst = std::max(worst, ++depth);
    if ((c == ']' || c == '}') && depth) --depth;
  }
  return worst;
}

// Walks the document; the first fault ends the walk with a message naming
// file:line:column.
class Reader {
 public:
  explicit Reader(const std::string& name) : name_(name) {}

  Status Err(const YAML::Node& n, std::string_view what) const {
    const YAML::Mark m = n.Mark();
    if (m.is_null()) return Status::InvalidArgument(fmt::format("{}: {}", name_, what));
    return Status::InvalidArgument(
        fmt::format("{}:{}:{}: {}", name_, m.line + 1, m.column + 1, what));
  }

  // Every key of map `n` must be one of `known`.
  Status Keys(const YAML::Node& n, std::string_view where,
              std::initializer_list<std::string_view> known) const {
    if (!n.IsMap()) return Err(n, fmt::format("{} must be a mapping", where));
    for (const auto& kv : n) {
      if (!kv.first.IsScalar())
        return Err(kv.first, fmt::format("{}: a key must be a name", where));
      const std::string& k = kv.first.Scalar();
      if (std::find(known.begin(), known.end(), k) == known.end()) {
        std::string list;
        for (std::string_view s : known) list += (list.empty() ? "" : ", ") + std::string(s);
        return Err(kv.first, fmt::format("{}: unknown key '{}' (known: {})", where,
                                         PrintableHead(k, 64), list));
      }
    }
    return Status::Ok();
  }

  Status Str(const YAML::Node& n, std::string_view what, std::string* out) const {
    if (!n.IsScalar()) return Err(n, fmt::format("{} must be a string", what));
    if (n.Scalar().size() > 4096) return Err(n, fmt::format("{} is over 4096 bytes", what));
    *out = n.Scalar();
    return Status::Ok();
  }

  Status Bool(const YAML::Node& n, std::string_view what, bool* out) const {
    if (n.IsScalar()) {
      const std::string& s = n.Scalar();
      if (s == "true" || s == "yes" || s == "on") return *out = true, Status::Ok();
      if (s == "false" || s == "no" || s == "off") return *out = false, Status::Ok();
    }
    return Err(n, fmt::format("{} must be true or false", what));
  }

  Status Uint(const YAML::Node& n, std::string_view what, uint64_t max, uint64_t* out) const {
    uint64_t v = 0;
    if (!n.IsScalar() || !ParseDecimal(n.Scalar(), max, &v))
      return Err(n, fmt::format("{} must be a whole number from 0 to {}", what, max));
    *out = v;
    return Status::Ok();
  }

  template <typename T>
  Status UintAs(const YAML::Node& n, std::string_view what, uint64_t max, T* out) const {
    uint64_t v = 0;
    if (Status s = Uint(n, what, max, &v); !s.ok()) return s;
    *out = static_cast<T>(v);
    return Status::Ok();
  }

  Status Duration(const YAML::Node& n, std::string_view what,
                  std::chrono::milliseconds* out) const {
    std::optional<std::chrono::milliseconds> d;
    if (n.IsScalar()) d = ParseDuration(n.Scalar());
    if (!d) return Err(n, fmt::format("{} must be a duration like 30s, 5m, 8h, 1d or 500ms", what));
    *out = *d;
    return Status::Ok();
  }

  Status AsnOf(const YAML::Node& n, std::string_view what, Asn* out) const {
    std::optional<Asn> a;
    if (n.IsScalar()) a = ParseAsn(n.Scalar(), kAsnPlain);
    if (!a) return Err(n, fmt::format("{} must be an AS number (64500 or AS64500)", what));
    *out = *a;
    return Status::Ok();
  }

  // A scalar or a sequence of scalars.
  Status StrList(const YAML::Node& n, std::string_view what, size_t cap,
                 std::vector<std::string>* out) const {
    if (n.IsScalar()) {
      out->push_back(n.Scalar());
      return Status::Ok();
    }
    if (!n.IsSequence()) return Err(n, fmt::format("{} must be a string or a list", what));
    if (n.size() > cap) return Err(n, fmt::format("{}: more than {} entries", what, cap));
    for (const YAML::Node& e : n) {
      std::string s;
      if (Status st = Str(e, what, &s); !st.ok()) return st;
      out->push_back(std::move(s));
    }
    return Status::Ok();
  }

  Status AsnList(const YAML::Node& n, std::string_view what, size_t cap,
                 std::vector<Asn>* out) const {
    if (n.IsScalar()) {
      Asn a = 0;
      if (Status s = AsnOf(n, what, &a); !s.ok()) return s;
      out->push_back(a);
      return Status::Ok();
    }
    if (!n.IsSequence()) return Err(n, fmt::format("{} must be an AS number or a list", what));
    if (n.size() > cap) return Err(n, fmt::format("{}: more than {} entries", what, cap));
    for (const YAML::Node& e : n) {
      Asn a = 0;
      if (Status s = AsnOf(e, what, &a); !s.ok()) return s;
      if (std::find(out->begin(), out->end(), a) == out->end()) out->push_back(a);
    }
    return Status::Ok();
  }

  // "HOST:PORT" or "[V6]:PORT" into host and port.
  // allow_zero: a listener's port 0 (the system picks a free one).
  Status HostPort(const YAML::Node& n, std::string_view what, std::string* host, int* port,
                  bool allow_zero = false) const {
    std::string s;
    if (Status st = Str(n, what, &s); !st.ok()) return st;
    std::string h, p;
    if (!s.empty() && s[0] == '[') {
      const size_t close = s.find(']');
      if (close != std::string::npos && close + 1 < s.size() && s[close + 1] == ':') {
        h = s.substr(1, close - 1);
        p = s.substr(close + 2);
      }
    } else if (const size_t colon = s.rfind(':');
               colon != std::string::npos && s.find(':') == colon) {
      h = s.substr(0, colon);
      p = s.substr(colon + 1);
    }
    uint64_t v = 0;
    if (h.empty() || !ParseDecimal(p, 65535, &v) || (v == 0 && !allow_zero))
      return Err(n, fmt::format("{} must be HOST:PORT (or [IPv6]:PORT), not '{}'", what,
                                PrintableHead(s, 64)));
    *host = h;
    *port = static_cast<int>(v);
    return Status::Ok();
  }

  // HostPort, kept as the text "ADDR:PORT" (the collector's listener form).
  Status Listen(const YAML::Node& n, std::string_view what, std::string* out) const {
    std::string h;
    int p = 0;
    if (Status s = HostPort(n, what, &h, &p, /*allow_zero=*/true); !s.ok()) return s;
    if (!IpAddress::Parse(h))
      return Err(n, fmt::format("{}: '{}' is not an IP address", what, PrintableHead(h, 64)));
    *out = n.Scalar();
    return Status::Ok();
  }

  Status Severity(const YAML::Node& n, alert::Severity* out) const {
    if (n.IsScalar()) {
      for (auto s : {alert::Severity::kInfo, alert::Severity::kWarning, alert::Severity::kCritical})
        if (n.Scalar() == alert::SeverityName(s)) return *out = s, Status::Ok();
    }
    return Err(n, "severity must be info, warning or critical");
  }

 private:
  const std::string& name_;
};

int64_t Ms(std::chrono::milliseconds d) { return d.count(); }

Status ReadCollector(const Reader& r, const YAML::Node& n, WatchConfig* c) {
  if (Status s = r.Keys(n, "collector",
                        {"name", "bmp", "bgp", "pcap", "ris_live", "mrt_replay", "archive"});
      !s.ok())
    return s;
  collect::CollectorOptions& o = c->collect;
  if (n["name"]) {
    if (Status s = r.Str(n["name"], "collector.name", &o.name); !s.ok()) return s;
    if (o.name.empty() || o.name.size() > 64)
      return r.Err(n["name"], "collector.name must be 1 to 64 bytes");
  }
  if (n["bmp"]) {
    std::string v;
    if (Status s = r.Listen(n["bmp"], "collector.bmp", &v); !s.ok()) return s;
    o.bmp_listen = v;
  }
  if (const YAML::Node b = n["bgp"]) {
    if (Status s = r.Keys(b, "collector.bgp", {"listen", "asn", "router_id", "peers"}); !s.ok())
      return s;
    if (!b["listen"] || !b["asn"])
      return r.Err(b, "collector.bgp needs listen (ADDR:PORT) and asn (our AS for the sessions)");
    std::string v;
    if (Status s = r.Listen(b["listen"], "collector.bgp.listen", &v); !s.ok()) return s;
    o.bgp_listen = v;
    if (Status s = r.AsnOf(b["asn"], "collector.bgp.asn", &o.asn); !s.ok()) return s;
    if (o.asn == 0) return r.Err(b["asn"], "collector.bgp.asn must not be 0");
    if (b["router_id"]) {
      std::string id;
      if (Status s = r.Str(b["router_id"], "collector.bgp.router_id", &id); !s.ok()) return s;
      const auto ip = IpAddress::Parse(id);
      if (!ip || !ip->is_v4())
        return r.Err(b["router_id"], "collector.bgp.router_id must be an IPv4 address");
      o.bgp_id = *ip;
    }
    if (const YAML::Node ps = b["peers"]) {
      if (!ps.IsSequence()) return r.Err(ps, "collector.bgp.peers must be a list of {ip, asn}");
      if (ps.size() > kMaxInputs)
        return r.Err(ps, fmt::format("collector.bgp.peers: more than {}", kMaxInputs));
      for (const YAML::Node& p : ps) {
        if (Status s = r.Keys(p, "collector.bgp.peers entry", {"ip", "asn"}); !s.ok()) return s;
        live::AllowedPeer ap;
        if (p["ip"]) {
          std::string t;
          if (Status s = r.Str(p["ip"], "peer ip", &t); !s.ok()) return s;
          ap.ip = IpAddress::Parse(t);
          if (!ap.ip) return r.Err(p["ip"], "peer ip must be an IP address");
        }
        if (p["asn"])
          if (Status s = r.AsnOf(p["asn"], "peer asn", &ap.asn); !s.ok()) return s;
        o.bgp_peers.push_back(ap);
      }
    }
  }
  if (n["pcap"])
    if (Status s = r.StrList(n["pcap"], "collector.pcap", kMaxInputs, &o.pcaps); !s.ok()) return s;
  if (n["ris_live"])
    if (Status s = r.StrList(n["ris_live"], "collector.ris_live", kMaxInputs, &o.ris_live); !s.ok())
      return s;
  if (n["mrt_replay"])
    if (Status s = r.StrList(n["mrt_replay"], "collector.mrt_replay", kMaxInputs, &c->mrt_replay);
        !s.ok())
      return s;
  if (const YAML::Node a = n["archive"]) {
    if (Status s = r.Keys(a, "collector.archive", {"dir", "rotate", "rib_every"}); !s.ok())
      return s;
    if (a["dir"])
      if (Status s = r.Str(a["dir"], "collector.archive.dir", &o.out_dir); !s.ok()) return s;
    std::chrono::milliseconds d{};
    if (a["rotate"]) {
      if (Status s = r.Duration(a["rotate"], "collector.archive.rotate", &d); !s.ok()) return s;
      if (d < std::chrono::seconds(60) || d > std::chrono::hours(24))
        return r.Err(a["rotate"], "collector.archive.rotate must be from 1m to 24h");
      o.rotate = std::chrono::duration_cast<std::chrono::seconds>(d);
    }
    if (a["rib_every"]) {
      if (Status s = r.Duration(a["rib_every"], "collector.archive.rib_every", &d); !s.ok())
        return s;
      if (d < std::chrono::seconds(60) || d > std::chrono::hours(24 * 7))
        return r.Err(a["rib_every"], "collector.archive.rib_every must be from 1m to 7d");
      o.rib_every = std::chrono::duration_cast<std::chrono::seconds>(d);
    }
  }
  return Status::Ok();
}

Status ReadPrefixes(const Reader& r, const YAML::Node& n, WatchConfig* c) {
  // BGPalerter's prefixes.yml shape: a mapping from prefix to its settings.
  if (!n.IsMap())
    return r.Err(n, "prefixes must be a mapping of PREFIX: {description, origins, ...}");
  if (n.size() > kMaxWatchedPrefixes)
    return r.Err(n, fmt::format("prefixes: more than {} entries", kMaxWatchedPrefixes));
  std::unordered_set<Prefix, PrefixHash> seen;
  for (const auto& kv : n) {
    std::string text;
    if (Status s = r.Str(kv.first, "a prefix", &text); !s.ok()) return s;
    const auto p = Prefix::Parse(text);
    if (!p) {
      if (const auto loose = Prefix::Parse(text, /*lenient=*/true))
        return r.Err(kv.first, fmt::format("'{}' has host bits set; did you mean {}?",
                                           PrintableHead(text, 64), loose->Masked().ToString()));
      return r.Err(kv.first,
                   fmt::format("'{}' is not a prefix (ADDR/LEN)", PrintableHead(text, 64)));
    }
    if (!seen.insert(*p).second)
      return r.Err(kv.first, fmt::format("prefix {} listed twice", text));
    live::WatchedPrefix w;
    w.prefix = *p;
    const YAML::Node v = kv.second;
    bool ignore = false;
    if (!v.IsNull()) {
      if (Status s = r.Keys(v, "prefix " + text,
                            {"description", "origins", "asn", "ignore_more_specifics",
                             "ignoreMorespecifics", "ignore", "group"});
          !s.ok())
        return s;
      if (v["description"])
        if (Status s = r.Str(v["description"], "description", &w.description); !s.ok()) return s;
      for (const char* k : {"origins", "asn"})
        if (v[k])
          if (Status s = r.AsnList(v[k], "origins", kMaxOriginsPerPrefix, &w.origins); !s.ok())
            return s;
      for (const char* k : {"ignore_more_specifics", "ignoreMorespecifics"})
        if (v[k])
          if (Status s = r.Bool(v[k], k, &w.ignore_more_specifics); !s.ok()) return s;
      if (v["ignore"])
        if (Status s = r.Bool(v["ignore"], "ignore", &ignore); !s.ok()) return s;
      if (v["group"]) {
        std::string g;
        if (Status s = r.Str(v["group"], "group", &g); !s.ok()) return s;
      }
    }
    if (!ignore) c->rules.prefixes.push_back(std::move(w));
  }
  return Status::Ok();
}

Status ReadAsns(const Reader& r, const YAML::Node& n, WatchConfig* c) {
  // A list, or BGPalerter's monitorASns mapping (ASN: {group}).
  if (n.IsMap()) {
    if (n.size() > kMaxWatchedAsns)
      return r.Err(n, fmt::format("asns: more than {}", kMaxWatchedAsns));
    for (const auto& kv : n) {
      Asn a = 0;
      if (Status s = r.AsnOf(kv.first, "asns key", &a); !s.ok()) return s;
      c->rules.asns.push_back(a);
    }
    return Status::Ok();
  }
  return r.AsnList(n, "asns", kMaxWatchedAsns, &c->rules.asns);
}

bool* RuleSwitch(live::LiveRules& lr, std::string_view rule) {
  if (rule == live::kRuleHijack) return &lr.hijack;
  if (rule == live::kRuleSubprefixHijack) return &lr.subprefix_hijack;
  if (rule == live::kRuleRouteLeak) return &lr.route_leak;
  if (rule == live::kRuleRpkiInvalid) return &lr.rpki_invalid;
  if (rule == live::kRuleBogonPrefix) return &lr.bogon_prefix;
  if (rule == live::kRuleBogonAsn) return &lr.bogon_asn;
  if (rule == live::kRuleVisibilityLoss) return &lr.visibility_loss;
  if (rule == live::kRuleNewUpstream) return &lr.new_upstream;
  if (rule == live::kRuleNewDownstream) return &lr.new_downstream;
  if (rule == live::kRuleRoaDisappeared) return &lr.roa_disappeared;
  return nullptr;  // path_pattern: on when patterns are configured
}

Status ReadRules(const Reader& r, const YAML::Node& n, WatchConfig* c) {
  if (!n.IsMap()) return r.Err(n, "rules must be a mapping of RULE: {enabled, min_peers, ...}");
  for (const auto& kv : n) {
    std::string rule;
    if (Status s = r.Str(kv.first, "a rule name", &rule); !s.ok()) return s;
    if (std::find(kRules.begin(), kRules.end(), rule) == kRules.end()) {
      std::string list;
      for (std::string_view k : kRules) list += (list.empty() ? "" : ", ") + std::string(k);
      return r.Err(kv.first,
                   fmt::format("unknown rule '{}' (known: {})", PrintableHead(rule, 64), list));
    }
    if (c->rule_settings.count(rule))
      return r.Err(kv.first, fmt::format("rule {} listed twice", rule));
    RuleSettings rs;
    rs.severity = DefaultSeverity(rule);
    const YAML::Node v = kv.second;
    if (!v.IsNull()) {
      if (Status s = r.Keys(v, "rule " + rule,
                            {"enabled", "min_peers", "severity", "channels", "patterns"});
          !s.ok())
        return s;
      if (v["enabled"])
        if (Status s = r.Bool(v["enabled"], "enabled", &rs.enabled); !s.ok()) return s;
      if (v["min_peers"])
        if (Status s = r.UintAs(v["min_peers"], "min_peers", 100'000, &rs.min_peers); !s.ok())
          return s;
      if (v["severity"])
        if (Status s = r.Severity(v["severity"], &rs.severity); !s.ok()) return s;
      if (v["channels"])
        if (Status s = r.StrList(v["channels"], "channels", kMaxChannels, &rs.channels); !s.ok())
          return s;
      if (const YAML::Node ps = v["patterns"]) {
        if (rule != live::kRulePathPattern)
          return r.Err(ps, "patterns belongs to rule path_pattern");
        if (!ps.IsSequence()) return r.Err(ps, "patterns must be a list of {name, regex}");
        if (ps.size() > kMaxPathPatterns)
          return r.Err(ps, fmt::format("patterns: more than {}", kMaxPathPatterns));
        for (const YAML::Node& p : ps) {
          if (Status s = r.Keys(p, "a pattern", {"name", "regex"}); !s.ok()) return s;
          if (!p["regex"]) return r.Err(p, "a pattern needs regex");
          live::PathPattern pp;
          if (Status s = r.Str(p["regex"], "regex", &pp.regex); !s.ok()) return s;
          if (p["name"])
            if (Status s = r.Str(p["name"], "name", &pp.name); !s.ok()) return s;
          if (pp.name.empty()) pp.name = pp.regex;
          c->rules.path_patterns.push_back(std::move(pp));
        }
      }
    }
    if (bool* sw = RuleSwitch(c->rules, rule)) *sw = rs.enabled;
    // Keep the anchor of each channel reference for the check after channels are read.
    c->rule_settings.emplace(rule, std::move(rs));
  }
  return Status::Ok();
}

Status ReadChannel(const Reader& r, const std::string& name, const YAML::Node& v,
                   ChannelConfig* ch) {
  if (!v.IsMap() || !v["type"]) return r.Err(v, fmt::format("channel {} needs a type", name));
  std::string type;
  if (Status s = r.Str(v["type"], "type", &type); !s.ok()) return s;
  const std::string where = "channel " + name;
  std::chrono::milliseconds d{};
  if (type == "webhook" || type == "slack" || type == "mattermost") {
    ch->kind = ChannelKind::kWebhook;
    if (Status s = r.Keys(
            v, where,
            {"type", "url", "format", "retries", "backoff", "max_backoff", "timeout", "dedup"});
        !s.ok())
      return s;
    if (!v["url"]) return r.Err(v, where + " needs url");
    if (Status s = r.Str(v["url"], "url", &ch->webhook.url); !s.ok()) return s;
    if (ch->webhook.url.rfind("http://", 0) != 0 && ch->webhook.url.rfind("https://", 0) != 0)
      return r.Err(v["url"], "url must start with http:// or https://");
    std::string format = type == "webhook" ? "json" : type;
    if (v["format"])
      if (Status s = r.Str(v["format"], "format", &format); !s.ok()) return s;
    if (format == "json")
      ch->webhook.format = alert::WebhookFormat::kJson;
    else if (format == "slack")
      ch->webhook.format = alert::WebhookFormat::kSlack;
    else if (format == "mattermost")
      ch->webhook.format = alert::WebhookFormat::kMattermost;
    else
      return r.Err(v["format"] ? v["format"] : v, "format must be json, slack or mattermost");
    if (v["retries"]) {
      uint64_t n = 0;
      if (Status s = r.Uint(v["retries"], "retries", 20, &n); !s.ok()) return s;
      ch->webhook.max_attempts = static_cast<int>(n) + 1;
    }
    struct {
      const char* key;
      int64_t* out;
    } durations[] = {{"backoff", &ch->webhook.initial_backoff_ms},
                     {"max_backoff", &ch->webhook.max_backoff_ms},
                     {"timeout", &ch->webhook.timeout_ms},
                     {"dedup", &ch->webhook.dedup_window_ms}};
    for (auto& du : durations)
      if (v[du.key]) {
        if (Status s = r.Duration(v[du.key], du.key, &d); !s.ok()) return s;
        *du.out = Ms(d);
      }
  } else if (type == "smtp" || type == "email") {
    ch->kind = ChannelKind::kSmtp;
    if (Status s = r.Keys(v, where,
                          {"type", "server", "from", "to", "starttls", "username", "password",
                           "ca_file", "verify_peer", "timeout", "helo"});
        !s.ok())
      return s;
    if (!v["server"] || !v["from"] || !v["to"])
      return r.Err(v, where + " needs server, from and to");
    if (Status s = r.HostPort(v["server"], "server", &ch->smtp.host, &ch->smtp.port); !s.ok())
      return s;
    if (Status s = r.Str(v["from"], "from", &ch->smtp.from); !s.ok()) return s;
    if (Status s = r.StrList(v["to"], "to", 100, &ch->smtp.to); !s.ok()) return s;
    if (ch->smtp.to.empty()) return r.Err(v["to"], "to must name at least one address");
    for (const std::string& a : ch->smtp.to)
      if (a.find('@') == std::string::npos || a.find_first_of("\r\n<>") != std::string::npos)
        return r.Err(v["to"], fmt::format("'{}' is not an e-mail address", PrintableHead(a, 64)));
    if (ch->smtp.from.find('@') == std::string::npos ||
        ch->smtp.from.find_first_of("\r\n<>") != std::string::npos)
      return r.Err(v["from"], "from must be an e-mail address");
    if (const YAML::Node t = v["starttls"]) {
      if (t.IsScalar() && t.Scalar() == "try") {
        ch->smtp.tls = alert::SmtpTls::kTryStartTls;
      } else {
        bool on = false;
        if (Status s = r.Bool(t, "starttls (true, false or try)", &on); !s.ok()) return s;
        ch->smtp.tls = on ? alert::SmtpTls::kStartTls : alert::SmtpTls::kNone;
      }
    }
    if (v["username"])
      if (Status s = r.Str(v["username"], "username", &ch->smtp.username); !s.ok()) return s;
    if (v["password"])
      if (Status s = r.Str(v["password"], "password", &ch->smtp.password); !s.ok()) return s;
    if (v["ca_file"])
      if (Status s = r.Str(v["ca_file"], "ca_file", &ch->smtp.ca_file); !s.ok()) return s;
    if (v["verify_peer"])
      if (Status s = r.Bool(v["verify_peer"], "verify_peer", &ch->smtp.verify_peer); !s.ok())
        return s;
    if (v["helo"])
      if (Status s = r.Str(v["helo"], "helo", &ch->smtp.helo_domain); !s.ok()) return s;
    if (v["timeout"]) {
      if (Status s = r.Duration(v["timeout"], "timeout", &d); !s.ok()) return s;
      ch->smtp.timeout_ms = Ms(d);
    }
  } else if (type == "syslog") {
    ch->kind = ChannelKind::kSyslog;
    if (Status s =
            r.Keys(v, where,
                   {"type", "server", "transport", "facility", "hostname", "app_name", "timeout"});
        !s.ok())
      return s;
    if (!v["server"]) return r.Err(v, where + " needs server (HOST:PORT)");
    if (Status s = r.HostPort(v["server"], "server", &ch->syslog.host, &ch->syslog.port); !s.ok())
      return s;
    if (!IpAddress::Parse(ch->syslog.host))
      return r.Err(v["server"], "syslog server must be an IP address");
    if (const YAML::Node t = v["transport"]) {
      std::string tr;
      if (Status s = r.Str(t, "transport", &tr); !s.ok()) return s;
      if (tr == "udp")
        ch->syslog.transport = alert::SyslogTransport::kUdp;
      else if (tr == "tcp")
        ch->syslog.transport = alert::SyslogTransport::kTcp;
      else
        return r.Err(t, "transport must be udp or tcp");
    }
    if (v["facility"])
      if (Status s =
              r.UintAs(v["facility"], "facility (RFC 5424 §6.2.1)", 23, &ch->syslog.facility);
          !s.ok())
        return s;
    if (v["hostname"])
      if (Status s = r.Str(v["hostname"], "hostname", &ch->syslog.hostname); !s.ok()) return s;
    if (v["app_name"])
      if (Status s = r.Str(v["app_name"], "app_name", &ch->syslog.app_name); !s.ok()) return s;
    if (v["timeout"]) {
      if (Status s = r.Duration(v["timeout"], "timeout", &d); !s.ok()) return s;
      ch->syslog.timeout_ms = Ms(d);
    }
  } else if (type == "file") {
    ch->kind = ChannelKind::kFile;
    if (Status s = r.Keys(v, where, {"type", "path"}); !s.ok()) return s;
    if (!v["path"]) return r.Err(v, where + " needs path");
    if (Status s = r.Str(v["path"], "path", &ch->file_path); !s.ok()) return s;
    if (ch->file_path.empty()) return r.Err(v["path"], "path must not be empty");
  } else if (type == "prometheus") {
    ch->kind = ChannelKind::kPrometheus;
    if (Status s = r.Keys(v, where, {"type", "listen", "textfile"}); !s.ok()) return s;
    if (v["listen"])
      if (Status s = r.Listen(v["listen"], "listen", &ch->prometheus_listen); !s.ok()) return s;
    if (v["textfile"])
      if (Status s = r.Str(v["textfile"], "textfile", &ch->prometheus_textfile); !s.ok()) return s;
    if (ch->prometheus_listen.empty() && ch->prometheus_textfile.empty())
      return r.Err(v, where + " needs listen (ADDR:PORT) or textfile (PATH)");
  } else {
    return r.Err(v["type"],
                 fmt::format("unknown channel type '{}' (known: webhook, slack, mattermost, "
                             "smtp, syslog, file, prometheus)",
                             PrintableHead(type, 64)));
  }
  return Status::Ok();
}

Status ReadDocument(const Reader& r, const YAML::Node& doc, WatchConfig* c) {
  if (Status s = r.Keys(doc, "the config",
                        {"collector", "reference", "rtr", "store", "state_file", "prefixes", "asns",
                         "monitor", "rules", "channels", "gate"});
      !s.ok())
    return s;
  if (doc["collector"])
    if (Status s = ReadCollector(r, doc["collector"], c); !s.ok()) return s;
  if (doc["reference"])
    if (Status s = r.Str(doc["reference"], "reference", &c->reference_dir); !s.ok()) return s;
  if (doc["rtr"]) {
    std::string h;
    int p = 0;
    if (Status s = r.HostPort(doc["rtr"], "rtr", &h, &p); !s.ok()) return s;
    c->rtr = doc["rtr"].Scalar();
  }
  if (doc["store"]) {
    if (Status s = r.Str(doc["store"], "store", &c->db); !s.ok()) return s;
    if (c->db.find(':') == std::string::npos)
      return r.Err(doc["store"], "store must be a URL like sqlite:/var/lib/vigia/vigia.db");
  }
  if (doc["state_file"])
    if (Status s = r.Str(doc["state_file"], "state_file", &c->state_file); !s.ok()) return s;
  if (doc["prefixes"])
    if (Status s = ReadPrefixes(r, doc["prefixes"], c); !s.ok()) return s;
  if (doc["asns"])
    if (Status s = ReadAsns(r, doc["asns"], c); !s.ok()) return s;
  if (const YAML::Node m = doc["monitor"]) {
    if (Status s =
            r.Keys(m, "monitor", {"only_watched", "min_peers", "visibility_min_peers", "warmup"});
        !s.ok())
      return s;
    if (m["only_watched"])
      if (Status s = r.Bool(m["only_watched"], "only_watched", &c->rules.only_watched); !s.ok())
        return s;
    if (m["min_peers"])
      if (Status s = r.UintAs(m["min_peers"], "min_peers", 100'000, &c->rules.min_peers); !s.ok())
        return s;
    if (m["visibility_min_peers"])
      if (Status s = r.UintAs(m["visibility_min_peers"], "visibility_min_peers", 100'000,
                              &c->rules.visibility_min_peers);
          !s.ok())
        return s;
    if (m["warmup"]) {
      std::chrono::milliseconds d{};
      if (Status s = r.Duration(m["warmup"], "warmup", &d); !s.ok()) return s;
      c->rules.warmup = std::chrono::duration_cast<std::chrono::seconds>(d);
    }
  }
  if (doc["rules"])
    if (Status s = ReadRules(r, doc["rules"], c); !s.ok()) return s;
  if (const YAML::Node chs = doc["channels"]) {
    if (!chs.IsMap()) return r.Err(chs, "channels must be a mapping of NAME: {type, ...}");
    if (chs.size() > kMaxChannels)
      return r.Err(chs, fmt::format("channels: more than {}", kMaxChannels));
    for (const auto& kv : chs) {
      ChannelConfig ch;
      if (Status s = r.Str(kv.first, "a channel name", &ch.name); !s.ok()) return s;
      for (const ChannelConfig& o : c->channels)
        if (o.name == ch.name)
          return r.Err(kv.first, fmt::format("channel {} listed twice", ch.name));
      if (Status s = ReadChannel(r, ch.name, kv.second, &ch); !s.ok()) return s;
      c->channels.push_back(std::move(ch));
    }
  }
  if (const YAML::Node g = doc["gate"]) {
    if (Status s = r.Keys(g, "gate", {"summary_every", "restore_grace", "queue"}); !s.ok())
      return s;
    std::chrono::milliseconds d{};
    if (g["summary_every"]) {
      if (Status s = r.Duration(g["summary_every"], "summary_every", &d); !s.ok()) return s;
      c->gate.summary_every_ms = Ms(d);
    }
    if (g["restore_grace"]) {
      if (Status s = r.Duration(g["restore_grace"], "restore_grace", &d); !s.ok()) return s;
      c->restore_grace = std::chrono::duration_cast<std::chrono::seconds>(d);
    }
    if (g["queue"])
      if (Status s = r.UintAs(g["queue"], "queue", 10'000'000, &c->queue_capacity); !s.ok())
        return s;
    if (c->queue_capacity == 0) return r.Err(g["queue"], "queue must be at least 1");
  }
  // Rules may only name channels that exist.
  if (const YAML::Node rules = doc["rules"]) {
    for (const auto& kv : rules) {
      const YAML::Node chs = kv.second.IsMap() ? kv.second["channels"] : YAML::Node();
      if (!chs) continue;
      for (const std::string& name : c->rule_settings[kv.first.Scalar()].channels) {
        const bool found = std::any_of(c->channels.begin(), c->channels.end(),
                                       [&](const ChannelConfig& ch) { return ch.name == name; });
        if (!found)
          return r.Err(chs,
                       fmt::format("rule {} names channel '{}', which channels does not define",
                                   kv.first.Scalar(), PrintableHead(name, 64)));
      }
    }
  }
  // The detector raises at the lowest threshold any rule asks for; the
  // alerter applies each rule's own (alerter.h).
  for (const auto& [rule, rs] : c->rule_settings)
    if (rs.min_peers > 0) c->rules.min_peers = std::min(c->rules.min_peers, rs.min_peers);
  if (c->rules.prefixes.empty() && c->rules.asns.empty() && c->rules.only_watched)
    return r.Err(doc, "nothing to watch: give prefixes or asns (or monitor.only_watched: false)");
  return Status::Ok();
}

}  // namespace

std::string_view ChannelKindName(ChannelKind k) {
  switch (k) {
    case ChannelKind::kWebhook:
      return "webhook";
    case ChannelKind::kSmtp:
      return "smtp";
    case ChannelKind::kSyslog:
      return "syslog";
    case ChannelKind::kFile:
      return "file";
    case ChannelKind::kPrometheus:
      return "prometheus";
  }
  return "?";
}

alert::Severity DefaultSeverity(std::string_view rule) {
  if (rule == live::kRuleHijack || rule == live::kRuleSubprefixHijack)
    return alert::Severity::kCritical;
  if (rule == live::kRuleNewUpstream || rule == live::kRuleNewDownstream ||
      rule == live::kRulePathPattern)
    return alert::Severity::kInfo;
  return alert::Severity::kWarning;
}

RuleSettings WatchConfig::Rule(std::string_view rule) const {
  if (auto it = rule_settings.find(rule); it != rule_settings.end()) return it->second;
  RuleSettings rs;
  rs.severity = DefaultSeverity(rule);
  return rs;
}

std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  uint64_t v = 0;
  if (digits == 0 || !ParseDecimal(text.substr(0, digits), 1'000'000'000, &v)) return std::nullopt;
  const std::string_view unit = text.substr(digits);
  uint64_t ms_per = 0;
  if (unit.empty() || unit == "s")
    ms_per = 1000;
  else if (unit == "ms")
    ms_per = 1;
  else if (unit == "m")
    ms_per = 60'000;
  else if (unit == "h")
    ms_per = 3'600'000;
  else if (unit == "d")
    ms_per = 86'400'000;
  else
    return std::nullopt;
  // 1e9 days stays far below int64 milliseconds (9.2e18).
  return std::chrono::milliseconds(static_cast<int64_t>(v * ms_per));
}

Result<WatchConfig> ParseWatchConfig(std::string_view text, const std::string& name) {
  if (text.size() > kMaxConfigBytes)
    return Status::LimitExceeded(fmt::format("{}: over {} bytes; not read", name, kMaxConfigBytes));
  if (FlowDepth(text) > kMaxYamlFlowDepth)
    return Status::LimitExceeded(
        fmt::format("{}: YAML nested deeper than {} levels; not read", name, kMaxYamlFlowDepth));
  WatchConfig c;
  c.path = name;
  Reader r(name);
  try {
    const YAML::Node doc = YAML::Load(std::string(text));
    if (!doc || doc.IsNull()) return Status::InvalidArgument(name + ": empty config");
    if (Status s = ReadDocument(r, doc, &c); !s.ok()) return s;
  } catch (const YAML::Exception& ex) {
    return Status::Corrupt(fmt::format("{}:{}:{}: YAML: {}", name, ex.mark.line + 1,
                                       ex.mark.column + 1, Printable(ex.msg)));
  } catch (const std::exception& ex) {
    return Status::Corrupt(fmt::format("{}: YAML: {}", name, Printable(ex.what())));
  }
  return c;
}

Result<WatchConfig> LoadWatchConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError(path + ": cannot open");
  std::string text;
  text.resize(kMaxConfigBytes + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (in.bad()) return Status::IoError(path + ": read error");
  return ParseWatchConfig(text, path);
}

std::string WatchConfigToJson(const WatchConfig& c) {
  using nlohmann::json;
  json j;
  j["path"] = c.path;
  const collect::CollectorOptions& o = c.collect;
  json col{{"name", o.name},
           {"out_dir", o.out_dir},
           {"rotate_s", o.rotate.count()},
           {"rib_every_s", o.rib_every.count()},
           {"pcap", o.pcaps},
           {"ris_live", o.ris_live},
           {"mrt_replay", c.mrt_replay}};
  if (o.bmp_listen) col["bmp"] = *o.bmp_listen;
  if (o.bgp_listen) {
    col["bgp"] = {{"listen", *o.bgp_listen}, {"asn", o.asn}, {"router_id", o.bgp_id.ToString()}};
    json peers = json::array();
    for (const auto& p : o.bgp_peers)
      peers.push_back({{"ip", p.ip ? p.ip->ToString() : "any"}, {"asn", p.asn}});
    col["bgp"]["peers"] = peers;
  }
  j["collector"] = col;
  j["reference"] = c.reference_dir;
  j["rtr"] = c.rtr;
  j["store"] = c.db;
  j["state_file"] = c.state_file;
  json prefixes = json::array();
  for (const auto& w : c.rules.prefixes)
    prefixes.push_back({{"prefix", w.prefix.ToString()},
                        {"description", w.description},
                        {"origins", w.origins},
                        {"ignore_more_specifics", w.ignore_more_specifics}});
  j["prefixes"] = prefixes;
  j["asns"] = c.rules.asns;
  j["monitor"] = {{"only_watched", c.rules.only_watched},
                  {"min_peers", c.rules.min_peers},
                  {"visibility_min_peers", c.rules.visibility_min_peers},
                  {"warmup_s", c.rules.warmup.count()}};
  json rules = json::object();
  for (std::string_view rule : kRules) {
    const RuleSettings rs = c.Rule(rule);
    json e{{"enabled", rs.enabled},
           {"min_peers", rs.min_peers},
           {"severity", alert::SeverityName(rs.severity)},
           {"channels", rs.channels}};
    if (rule == live::kRulePathPattern) {
      json ps = json::array();
      for (const auto& p : c.rules.path_patterns)
        ps.push_back({{"name", p.name}, {"regex", p.regex}});
      e["patterns"] = ps;
    }
    rules[std::string(rule)] = e;
  }
  j["rules"] = rules;
  json chs = json::array();
  for (const ChannelConfig& ch : c.channels) {
    json e{{"name", ch.name}, {"type", ChannelKindName(ch.kind)}};
    switch (ch.kind) {
      case ChannelKind::kWebhook: {
        static constexpr const char* kFormats[] = {"json", "slack", "mattermost"};
        e["url"] = ch.webhook.url;
        e["format"] = kFormats[static_cast<int>(ch.webhook.format)];
        e["retries"] = ch.webhook.max_attempts - 1;
        e["backoff_ms"] = ch.webhook.initial_backoff_ms;
        e["timeout_ms"] = ch.webhook.timeout_ms;
        e["dedup_ms"] = ch.webhook.dedup_window_ms;
        break;
      }
      case ChannelKind::kSmtp: {
        static constexpr const char* kTls[] = {"none", "starttls", "try"};
        e["server"] = ch.smtp.host + ":" + std::to_string(ch.smtp.port);
        e["from"] = ch.smtp.from;
        e["to"] = ch.smtp.to;
        e["starttls"] = kTls[static_cast<int>(ch.smtp.tls)];
        e["username"] = ch.smtp.username;
        e["password"] = ch.smtp.password.empty() ? "" : "***";
        break;
      }
      case ChannelKind::kSyslog:
        e["server"] = ch.syslog.host + ":" + std::to_string(ch.syslog.port);
        e["transport"] = ch.syslog.transport == alert::SyslogTransport::kUdp ? "udp" : "tcp";
        e["facility"] = ch.syslog.facility;
        break;
      case ChannelKind::kFile:
        e["path"] = ch.file_path;
        break;
      case ChannelKind::kPrometheus:
        e["listen"] = ch.prometheus_listen;
        e["textfile"] = ch.prometheus_textfile;
        break;
    }
    chs.push_back(e);
  }
  j["channels"] = chs;
  j["gate"] = {{"summary_every_ms", c.gate.summary_every_ms},
               {"restore_grace_s", c.restore_grace.count()},
               {"queue", c.queue_capacity}};
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace vigia::watch
