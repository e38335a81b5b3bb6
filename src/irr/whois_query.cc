#include "irr/whois_query.h"

#include <algorithm>
#include <charconv>
#include <optional>

#include "core/asn.h"
#include "core/ip.h"
#include "irr/rpsl_lexer.h"

namespace vigia::irr {

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

void Fail(std::string_view message, std::string* out) {
  out->append("F ");
  out->append(message);
  out->push_back('\n');
}

// "A<len>\n<data>\nC\n": data is one line of items; len counts the newline.
void Frame(std::string_view data, const WhoisLimits& limits, std::string* out) {
  if (data.empty()) {
    out->append("D\n");
    return;
  }
  if (data.size() + 1 > limits.max_answer) {
    Fail("answer too large", out);
    return;
  }
  out->append("A");
  out->append(std::to_string(data.size() + 1));
  out->push_back('\n');
  out->append(data);
  out->append("\nC\n");
}

bool SourceAllowed(const WhoisSession& s, SourceId id) {
  return s.sources.empty() || std::find(s.sources.begin(), s.sources.end(), id) != s.sources.end();
}

std::optional<Asn> AsnArg(std::string_view text) { return ParseAsn(Trim(text), kAsnAny); }

// The prefixes of the route (v4) or route6 (v6) objects of asn, sorted and
// unique, space-separated.
std::string OriginPrefixes(const IrrDatabase& db, Asn asn, Family family,
                           const WhoisSession& session) {
  std::vector<Prefix> found;
  for (uint32_t i : db.RoutesByOrigin(asn)) {
    const RouteObject& r = db.routes()[i];
    if (r.prefix.family() == family && SourceAllowed(session, r.source)) found.push_back(r.prefix);
  }
  std::sort(found.begin(), found.end());
  found.erase(std::unique(found.begin(), found.end()), found.end());
  std::string data;
  for (const Prefix& p : found) {
    if (!data.empty()) data.push_back(' ');
    data += p.ToString();
  }
  return data;
}

std::string AsnText(Asn a) { return "AS" + std::to_string(a); }

void AnswerSources(const IrrDatabase& db, std::string_view arg, const WhoisLimits& limits,
                   WhoisSession* session, std::string* out) {
  if (arg == "-lc") {
    std::string data;
    for (SourceId id : session->sources.empty() ? db.AllSources() : session->sources) {
      if (!data.empty()) data.push_back(',');
      data += db.sources()[id];
    }
    Frame(data, limits, out);
    return;
  }
  std::vector<SourceId> order;
  size_t start = 0;
  while (start <= arg.size()) {
    size_t comma = arg.find(',', start);
    if (comma == std::string_view::npos) comma = arg.size();
    const std::string_view name = Trim(arg.substr(start, comma - start));
    if (!name.empty()) {
      const std::optional<SourceId> id = db.FindSource(name);
      if (!id) {
        Fail("Unknown source " + std::string(name.substr(0, 64)), out);
        return;
      }
      if (std::find(order.begin(), order.end(), *id) == order.end()) order.push_back(*id);
    }
    start = comma + 1;
  }
  if (order.empty()) {
    Fail("!s needs a source list", out);
    return;
  }
  session->sources = std::move(order);
  out->append("C\n");
}

// !i<set> and !i<set>,1.
void AnswerMembers(const IrrDatabase& db, std::string_view arg, const WhoisLimits& limits,
                   const WhoisSession& session, std::string* out) {
  bool recursive = false;
  if (arg.size() >= 2 && arg.substr(arg.size() - 2) == ",1") {
    recursive = true;
    arg.remove_suffix(2);
  }
  arg = Trim(arg);
  if (arg.empty()) return Fail("!i needs a set name", out);
  if (!recursive) {
    const AsSetObject* set = db.FindAsSet(arg, session.sources);
    if (set == nullptr) return out->append("D\n"), void();
    std::string data;
    for (const AsSetMemberRef& m : db.Members(*set)) {
      if (!data.empty()) data.push_back(' ');
      data += m.is_set ? std::string(db.strings().Get(m.value)) : AsnText(m.value);
    }
    return Frame(data, limits, out);
  }
  ExpandOptions opts;
  opts.sources = session.sources;
  opts.max_depth = limits.max_depth;
  opts.prefixes = false;
  const ExpandResult r = ExpandAsSet(db, arg, opts);
  if (!r.found || r.root_is_asn) return out->append("D\n"), void();
  if (!r.depth_limited.empty()) return Fail("expansion depth limit exceeded", out);
  std::string data;
  for (Asn a : r.asns) {
    if (!data.empty()) data.push_back(' ');
    data += AsnText(a);
    if (data.size() > limits.max_answer) return Fail("answer too large", out);
  }
  Frame(data, limits, out);
}

// !a<set>, !a4<set>, !a6<set>.
void AnswerSetPrefixes(const IrrDatabase& db, std::string_view arg, const WhoisLimits& limits,
                       const WhoisSession& session, std::string* out) {
  bool v4 = true, v6 = true;
  if (!arg.empty() && arg[0] == '4') {
    v6 = false;
    arg.remove_prefix(1);
  } else if (!arg.empty() && arg[0] == '6') {
    v4 = false;
    arg.remove_prefix(1);
  }
  arg = Trim(arg);
  if (arg.empty())  // bgpq4 probes for !a support with an empty !a and matches this text.
    return Fail("Missing required set name for A query", out);
  ExpandOptions opts;
  opts.sources = session.sources;
  opts.max_depth = limits.max_depth;
  const ExpandResult r = ExpandAsSet(db, arg, opts);
  if (!r.found) return out->append("D\n"), void();
  if (!r.depth_limited.empty()) return Fail("expansion depth limit exceeded", out);
  std::string data;
  auto add = [&](const std::vector<Prefix>& ps) {
    for (const Prefix& p : ps) {
      if (!data.empty()) data.push_back(' ');
      data += p.ToString();
      if (data.size() > limits.max_answer) return false;
    }
    return true;
  };
  if ((v4 && !add(r.ipv4)) || (v6 && !add(r.ipv6))) return Fail("answer too large", out);
  Frame(data, limits, out);
}

// RPSL text of a route object.
void RouteText(const IrrDatabase& db, const RouteObject& r, bool keys_only, std::string* out) {
  out->append(r.prefix.family() == Family::kIpv4 ? "route:          " : "route6:         ");
  out->append(r.prefix.ToString());
  out->append("\norigin:         ");
  out->append(AsnText(r.origin));
  out->push_back('\n');
  if (!keys_only) {
    if (r.mnt_by != 0) {
      out->append("mnt-by:         ");
      out->append(db.strings().Get(r.mnt_by));
      out->push_back('\n');
    }
    out->append("source:         ");
    out->append(db.sources()[r.source]);
    out->push_back('\n');
  }
  out->push_back('\n');
}

// RPSL text of an as-set object.
void AsSetText(const IrrDatabase& db, const AsSetObject& set, bool keys_only, std::string* out) {
  out->append("as-set:         ");
  out->append(db.strings().Get(set.name));
  out->push_back('\n');
  if (!keys_only) {
    for (const AsSetMemberRef& m : db.Members(set)) {
      out->append("members:        ");
      out->append(m.is_set ? std::string(db.strings().Get(m.value)) : AsnText(m.value));
      out->push_back('\n');
    }
    if (set.mnt_by != 0) {
      out->append("mnt-by:         ");
      out->append(db.strings().Get(set.mnt_by));
      out->push_back('\n');
    }
    out->append("source:         ");
    out->append(db.sources()[set.source]);
    out->push_back('\n');
  }
  out->push_back('\n');
}

bool MaintainedBy(const IrrDatabase& db, uint32_t mnt_by, std::string_view upper_mntner) {
  bool hit = false;
  ForEachToken(db.strings().Get(mnt_by), [&](std::string_view m) {
    if (!hit && ToUpper(m) == upper_mntner) hit = true;
  });
  return hit;
}

// !o<mntner>: the route, route6 and as-set objects it maintains, as RPSL.
void AnswerMaintained(const IrrDatabase& db, std::string_view arg, const WhoisLimits& limits,
                      const WhoisSession& session, std::string* out) {
  const std::string mntner = ToUpper(Trim(arg));
  if (mntner.empty()) return Fail("!o needs a maintainer name", out);
  std::string data;
  for (const RouteObject& r : db.routes()) {
    if (r.mnt_by != 0 && SourceAllowed(session, r.source) && MaintainedBy(db, r.mnt_by, mntner)) {
      RouteText(db, r, false, &data);
      if (data.size() > limits.max_answer) return Fail("answer too large", out);
    }
  }
  for (const AsSetObject& set : db.as_sets()) {
    if (set.mnt_by != 0 && SourceAllowed(session, set.source) &&
        MaintainedBy(db, set.mnt_by, mntner)) {
      AsSetText(db, set, false, &data);
      if (data.size() > limits.max_answer) return Fail("answer too large", out);
    }
  }
  if (data.empty()) return out->append("D\n"), void();
  data.pop_back();  // Frame adds the final newline
  Frame(data, limits, out);
}

// !m<class>,<key>: the one object of that class and key, as RPSL (IRRd's
// exact-match query). Route keys are written "<prefix><origin>", as IRRd
// does: "!mroute,192.0.2.0/24AS65000".
void AnswerExact(const IrrDatabase& db, std::string_view arg, const WhoisLimits& limits,
                 const WhoisSession& session, std::string* out) {
  const size_t comma = arg.find(',');
  if (comma == std::string_view::npos) return Fail("!m needs <object class>,<key>", out);
  const std::string cls = ToUpper(Trim(arg.substr(0, comma)));
  const std::string_view key = Trim(arg.substr(comma + 1));
  if (key.empty()) return Fail("!m needs <object class>,<key>", out);
  std::string data;
  if (cls == "ROUTE" || cls == "ROUTE6") {
    const std::string upper = ToUpper(key);
    const size_t as = upper.rfind("AS");
    if (as == std::string::npos) return Fail("route key must be <prefix><origin>", out);
    const std::optional<Prefix> p = Prefix::Parse(std::string_view(upper).substr(0, as));
    const std::optional<Asn> origin = ParseAsn(std::string_view(upper).substr(as), kAsnAny);
    if (!p || !origin) return Fail("route key must be <prefix><origin>", out);
    if ((p->family() == Family::kIpv4) != (cls == "ROUTE")) return out->append("D\n"), void();
    db.ForEachCoveringRoute(*p, [&](uint32_t r) {
      const RouteObject& o = db.routes()[r];
      if (o.prefix == *p && o.origin == *origin && SourceAllowed(session, o.source) && data.empty())
        RouteText(db, o, false, &data);
    });
  } else if (cls == "AUT-NUM") {
    const std::optional<Asn> asn = ParseAsn(key, kAsnAny);
    if (!asn) return Fail("invalid AS number", out);
    if (const AutNumObject* a = db.FindAutNum(*asn, session.sources)) {
      data += "aut-num:        " + AsnText(a->asn) + "\n";
      if (a->as_name != 0)
        data += "as-name:        " + std::string(db.strings().Get(a->as_name)) + "\n";
      data += "source:         " + db.sources()[a->source] + "\n\n";
    }
  } else if (cls == "AS-SET") {
    if (const AsSetObject* set = db.FindAsSet(key, session.sources))
      AsSetText(db, *set, false, &data);
  } else {
    return Fail("unsupported object class for !m (route, route6, aut-num, as-set)", out);
  }
  if (data.empty()) return out->append("D\n"), void();
  data.pop_back();  // Frame adds the final newline
  Frame(data, limits, out);
}

// !j<sources> or !j-*: the serial state of each source. Files are not
// mirrored, so each is "<SOURCE>:N:0-0" (not mirrored, no serials).
void AnswerSerials(const IrrDatabase& db, std::string_view arg, const WhoisLimits& limits,
                   std::string* out) {
  arg = Trim(arg);
  std::vector<SourceId> ids;
  if (arg == "-*") {
    ids = db.AllSources();
  } else {
    WhoisSession picked;
    std::string res;
    AnswerSources(db, arg, limits, &picked, &res);
    if (res != "C\n") return out->append(res), void();
    ids = picked.sources;
  }
  std::string data;
  for (SourceId id : ids) {
    if (!data.empty()) data.push_back('\n');
    data += db.sources()[id] + ":N:0-0";
  }
  Frame(data, limits, out);
}

void AnswerBang(const IrrDatabase& db, std::string_view q, const WhoisLimits& limits,
                WhoisSession* session, std::string* out) {
  if (q.empty()) return Fail("empty command", out);
  const char cmd = q[0];
  const std::string_view arg = q.substr(1);
  switch (cmd) {
    case '!':
      session->persistent = true;
      return;
    case 'q':
      session->quit = true;
      return;
    case 'v':
      return Frame("Vigia IRRd-compatible whois server 1.0", limits, out);
    case 'n':  // client identification
      out->append("C\n");
      return;
    case 't': {
      int secs = 0;
      const std::string_view t = Trim(arg);
      const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), secs);
      if (ec != std::errc() || end != t.data() + t.size() || secs < 1 || secs > kMaxWhoisTimeout) {
        return Fail("!t needs a timeout of 1 to 3600 seconds", out);
      }
      session->timeout_seconds = secs;
      out->append("C\n");
      return;
    }
    case 's':
      return AnswerSources(db, Trim(arg), limits, session, out);
    case 'g':
    case '6': {
      const std::optional<Asn> asn = AsnArg(arg);
      if (!asn) return Fail("invalid AS number", out);
      return Frame(OriginPrefixes(db, *asn, cmd == 'g' ? Family::kIpv4 : Family::kIpv6, *session),
                   limits, out);
    }
    case 'i':
      return AnswerMembers(db, arg, limits, *session, out);
    case 'a':
      return AnswerSetPrefixes(db, arg, limits, *session, out);
    case 'o':
      return AnswerMaintained(db, arg, limits, *session, out);
    case 'm':
      return AnswerExact(db, arg, limits, *session, out);
    case 'j':
      return AnswerSerials(db, arg, limits, out);
    default:
      return Fail("unrecognised command", out);
  }
}

void RipeQuery(const IrrDatabase& db, std::string_view q, const WhoisLimits& limits,
               WhoisSession* session, std::string* out) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < q.size()) {
    while (i < q.size() && (q[i] == ' ' || q[i] == '\t')) ++i;
    size_t j = i;
    while (j < q.size() && q[j] != ' ' && q[j] != '\t') ++j;
    if (j > i) words.push_back(q.substr(i, j - i));
    i = j;
  }
  bool keys_only = false, by_origin = false;
  WhoisSession view = *session;  // -s applies to this query only
  std::string_view key;
  for (size_t w = 0; w < words.size(); ++w) {
    const std::string_view word = words[w];
    if (word == "-K") {
      keys_only = true;
    } else if (word == "-k") {
      session->persistent = true;
    } else if (word == "-r" || word == "-B" || word == "-G" || word == "-a") {
      // no recursion / no filtering / no grouping / all sources: nothing to change here
    } else if (word == "-i" || word == "-s" || word == "-T") {
      if (w + 1 >= words.size()) {
        out->append("%ERROR:106: no search key or argument for ");
        out->append(word);
        out->append("\n\n");
        return;
      }
      const std::string_view val = words[++w];
      if (word == "-i") {
        if (val != "origin") {
          out->append("%ERROR:107: only -i origin is supported\n\n");
          return;
        }
        by_origin = true;
      } else if (word == "-s") {
        std::string ignored;
        AnswerSources(db, val, limits, &view, &ignored);
        if (ignored.rfind("F", 0) == 0) {
          out->append("%ERROR:102: unknown source\n\n");
          return;
        }
      }
    } else if (!word.empty() && word[0] == '-') {
      out->append("%ERROR:111: invalid option supplied\n\n");
      return;
    } else if (key.empty()) {
      key = word;
    } else {
      out->append("%ERROR:106: more than one search key\n\n");
      return;
    }
  }
  if (key.empty()) {
    out->append("%ERROR:106: no search key specified\n\n");
    return;
  }
  const size_t start = out->size();
  const std::optional<Asn> asn = ParseAsn(key, kAsnAny);
  if (by_origin) {
    if (!asn) {
      out->append("%ERROR:106: invalid AS number\n\n");
      return;
    }
    for (uint32_t r : db.RoutesByOrigin(*asn)) {
      const RouteObject& o = db.routes()[r];
      if (SourceAllowed(view, o.source)) RouteText(db, o, keys_only, out);
      if (out->size() - start > limits.max_answer) {
        out->resize(start);
        out->append("%ERROR:201: answer too large\n\n");
        return;
      }
    }
  } else if (asn) {
    if (const AutNumObject* a = db.FindAutNum(*asn, view.sources)) {
      out->append("aut-num:        " + AsnText(a->asn) + "\n");
      if (!keys_only) {
        if (a->as_name != 0)
          out->append("as-name:        " + std::string(db.strings().Get(a->as_name)) + "\n");
        out->append("source:         " + db.sources()[a->source] + "\n");
      }
      out->push_back('\n');
    }
  } else if (const std::optional<Prefix> p = Prefix::Parse(key)) {
    db.ForEachCoveringRoute(*p, [&](uint32_t r) {
      const RouteObject& o = db.routes()[r];
      if (o.prefix == *p && SourceAllowed(view, o.source)) RouteText(db, o, keys_only, out);
    });
  } else if (const AsSetObject* s = db.FindAsSet(key, view.sources)) {
    AsSetText(db, *s, keys_only, out);
  }
  if (out->size() == start) out->append("%  No entries found for the selected source(s).\n\n");
}

}  // namespace

void AnswerWhoisQuery(const IrrDatabase& db, std::string_view line, const WhoisLimits& limits,
                      WhoisSession* session, std::string* out) {
  if (line.size() > kMaxWhoisQuery) return Fail("query too long", out);
  for (char c : line) {
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\r') || c == 0x7f) {
      return Fail("query contains control characters", out);
    }
  }
  const std::string_view q = Trim(line);
  if (q.empty()) return;
  db.EnsureBuilt();
  if (q[0] == '!') return AnswerBang(db, q.substr(1), limits, session, out);
  RipeQuery(db, q, limits, session, out);
}

}  // namespace vigia::irr
