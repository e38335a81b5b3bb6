#include "irr/rpsl_object.h"

#include <fmt/format.h>

namespace vigia::irr {

namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c; }

// The mnt-by and source attributes every kept class shares. True when the
// attribute was one of them.
bool DecodeCommon(const RpslAttribute& a, CommonFields* out, Notes* notes) {
  if (KeyIs(a.key, "mnt-by")) {
    ForEachToken(a.raw, [&](std::string_view t) {
      if (out->mnt_by.size() < kMaxMembers) out->mnt_by.push_back(t);
    });
    return true;
  }
  if (KeyIs(a.key, "source")) {
    // RFC 2622 §3: source is single-valued; the first one counts.
    if (out->source.empty()) {
      out->source = FirstToken(a.raw);
    } else {
      notes->emplace_back(a.line, "second source attribute ignored (RFC 2622 §3: single-valued)");
    }
    return true;
  }
  return false;
}

// The one token of a single-valued attribute, or "" (and a reason) when
// there is none or more than one.
std::string_view OnlyToken(std::string_view raw, const char** why) {
  std::string_view first;
  size_t n = 0;
  ForEachToken(raw, [&](std::string_view t) {
    if (n++ == 0) first = t;
  });
  if (n == 0) *why = "empty";
  if (n > 1) *why = "more than one value";
  return n == 1 ? first : std::string_view();
}

}  // namespace

bool IsSetName(std::string_view t, std::string_view prefix) {
  if (t.empty()) return false;
  bool have_name = false;
  size_t i = 0;
  while (i <= t.size()) {
    size_t colon = t.find(':', i);
    if (colon == std::string_view::npos) colon = t.size();
    const std::string_view c = t.substr(i, colon - i);
    Asn ignored;
    if (c.size() > prefix.size() && Lower(c[0]) == prefix[0] && Lower(c[1]) == prefix[1] &&
        c[2] == '-') {
      for (char ch : c) {
        const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                        (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
        if (!ok) return false;
      }
      have_name = true;
    } else if (!ParseAsn(c, &ignored, kAsnRpsl)) {
      return false;
    }
    i = colon + 1;
  }
  return have_name;
}

bool IsRangeOperator(std::string_view op, int min, int width) {
  if (op.size() < 2 || op[0] != '^') return false;
  op.remove_prefix(1);
  if (op == "-" || op == "+") return true;
  const size_t dash = op.find('-');
  uint64_t n = 0, m = 0;
  if (!ParseDecimal(op.substr(0, dash), static_cast<uint64_t>(width), &n)) return false;
  m = n;
  if (dash != std::string_view::npos &&
      !ParseDecimal(op.substr(dash + 1), static_cast<uint64_t>(width), &m)) {
    return false;
  }
  return n >= static_cast<uint64_t>(min) && n <= m;
}

// RFC 2622 §4 (route) and RFC 4012 §2 (route6): the object is named by its
// prefix; origin is mandatory and single-valued.
Status DecodeRoute(const RpslObject& o, RouteFields* out, Notes* notes) {
  out->Clear();
  const bool v6 = o.class_name == "route6";
  const char* why = nullptr;
  const std::string_view ptext = OnlyToken(o.raw_key(), &why);
  if (ptext.empty()) return Status::Corrupt(fmt::format("{}: prefix is {}", o.class_name, why));
  auto prefix = Prefix::Parse(ptext);
  if (!prefix) {
    auto lenient = Prefix::Parse(ptext, /*lenient=*/true);
    return Status::Corrupt(lenient ? fmt::format("{} {}: host bits set", o.class_name, ptext)
                                   : fmt::format("{}: bad prefix \"{}\"", o.class_name, ptext));
  }
  if (prefix->address().is_v6() != v6) {
    return Status::Corrupt(
        fmt::format("{} {}: wrong address family (RFC 4012 §2: route6 holds IPv6, route IPv4)",
                    o.class_name, ptext));
  }
  out->prefix = *prefix;
  bool have_origin = false;
  for (size_t i = 1; i < o.attributes.size(); ++i) {
    const RpslAttribute& a = o.attributes[i];
    if (DecodeCommon(a, out, notes)) continue;
    if (!KeyIs(a.key, "origin")) continue;
    if (have_origin) {
      return Status::Corrupt(fmt::format("{} {}: more than one origin (RFC 2622 §4: single-valued)",
                                         o.class_name, ptext));
    }
    const std::string_view t = OnlyToken(a.raw, &why);
    if (t.empty() || !ParseAsn(t, &out->origin, kAsnRpsl)) {
      return Status::Corrupt(
          fmt::format("{} {}: bad origin \"{}\"", o.class_name, ptext, CleanValue(a.raw)));
    }
    have_origin = true;
  }
  if (!have_origin) {
    return Status::Corrupt(
        fmt::format("{} {}: no origin (RFC 2622 §4: origin is mandatory)", o.class_name, ptext));
  }
  return Status::Ok();
}

// RFC 2622 §6: aut-num is named by its AS number.
Status DecodeAutNum(const RpslObject& o, AutNumFields* out, Notes* notes) {
  out->Clear();
  out->as_name.clear();
  const char* why = nullptr;
  const std::string_view t = OnlyToken(o.raw_key(), &why);
  if (t.empty() || !ParseAsn(t, &out->asn, kAsnRpsl)) {
    return Status::Corrupt(fmt::format("aut-num: bad AS number \"{}\"", CleanValue(o.raw_key())));
  }
  for (size_t i = 1; i < o.attributes.size(); ++i) {
    const RpslAttribute& a = o.attributes[i];
    if (DecodeCommon(a, out, notes)) continue;
    if (KeyIs(a.key, "as-name") && out->as_name.empty()) out->as_name = CleanValue(a.raw);
  }
  return Status::Ok();
}

// RFC 2622 §3.1: mntner is named by a single word.
Status DecodeMntner(const RpslObject& o, MntnerFields* out, Notes* notes) {
  out->Clear();
  const char* why = nullptr;
  out->name = OnlyToken(o.raw_key(), &why);
  if (out->name.empty()) return Status::Corrupt(fmt::format("mntner: name is {}", why));
  for (size_t i = 1; i < o.attributes.size(); ++i) DecodeCommon(o.attributes[i], out, notes);
  return Status::Ok();
}

namespace {
// RFC 2622 §5: the name of an as-set or route-set is one token with the
// class's prefix ("as-", "rs-"), optionally hierarchical (AS64496:AS-FOO).
Status DecodeSetName(const RpslObject& o, const char* cls, const char* prefix,
                     std::string_view* name) {
  const char* why = nullptr;
  *name = OnlyToken(o.raw_key(), &why);
  if (name->empty()) return Status::Corrupt(fmt::format("{}: name is {}", cls, why));
  if (!IsSetName(*name, prefix)) {
    return Status::Corrupt(fmt::format(
        "{} \"{}\": not a {} name (RFC 2622 §5: \"{}\" prefix, optionally hierarchical)", cls,
        *name, cls, prefix));
  }
  return Status::Ok();
}
}  // namespace

// RFC 2622 §5.1: members of an as-set are AS numbers and as-set names.
// mbrs-by-ref / member-of (membership claimed by the member) are not used.
Status DecodeAsSet(const RpslObject& o, AsSetFields* out, Notes* notes) {
  out->Clear();
  out->members.clear();
  if (Status st = DecodeSetName(o, "as-set", "as-", &out->name); !st.ok()) return st;
  bool capped = false;
  for (size_t i = 1; i < o.attributes.size(); ++i) {
    const RpslAttribute& a = o.attributes[i];
    if (DecodeCommon(a, out, notes)) continue;
    if (!KeyIs(a.key, "members")) continue;
    ForEachToken(a.raw, [&](std::string_view t) {
      if (out->members.size() >= kMaxMembers) {
        if (!capped) notes->emplace_back(a.line, "more than 1,000,000 members; the rest ignored");
        capped = true;
        return;
      }
      AsSetMember m;
      if (ParseAsn(t, &m.asn, kAsnRpsl)) {
        out->members.push_back(m);
      } else if (IsSetName(t, "as-")) {
        m.is_set = true;
        m.name = t;
        out->members.push_back(m);
      } else {
        notes->emplace_back(
            a.line, fmt::format("as-set {}: member \"{}\" is neither an AS number nor an as-set "
                                "name (RFC 2622 §5.1)",
                                out->name, t));
      }
    });
  }
  return Status::Ok();
}

// RFC 2622 §5.2 and RFC 4012 §4.2: route-set members are prefixes, route-set
// names, as-set names and AS numbers, each optionally followed by a range
// operator; mp-members may hold IPv6 prefixes. Kept as written.
Status DecodeRouteSet(const RpslObject& o, RouteSetFields* out, Notes* notes) {
  out->Clear();
  out->members.clear();
  if (Status st = DecodeSetName(o, "route-set", "rs-", &out->name); !st.ok()) return st;
  bool capped = false;
  for (size_t i = 1; i < o.attributes.size(); ++i) {
    const RpslAttribute& a = o.attributes[i];
    if (DecodeCommon(a, out, notes)) continue;
    if (!KeyIs(a.key, "members") && !KeyIs(a.key, "mp-members")) continue;
    ForEachToken(a.raw, [&](std::string_view t) {
      if (out->members.size() >= kMaxMembers) {
        if (!capped) notes->emplace_back(a.line, "more than 1,000,000 members; the rest ignored");
        capped = true;
        return;
      }
      const size_t caret = t.find('^');
      const std::string_view base = t.substr(0, caret);
      const std::string_view op = caret == std::string_view::npos ? "" : t.substr(caret);
      RouteSetMember m;
      m.text = t;
      bool ok = false;
      Asn asn;
      if (base.find('/') != std::string_view::npos) {
        auto p = Prefix::Parse(base);
        if (p) {
          m.kind = RouteSetMemberKind::kPrefix;
          m.prefix = *p;
          ok = op.empty() || IsRangeOperator(op, p->length(), p->address().bit_width());
        }
      } else if (ParseAsn(base, &asn, kAsnRpsl)) {
        m.kind = RouteSetMemberKind::kAsn;
        ok = op.empty() || IsRangeOperator(op, 0, 128);
      } else if (IsSetName(base, "rs-")) {
        m.kind = RouteSetMemberKind::kRouteSet;
        ok = op.empty() || IsRangeOperator(op, 0, 128);
      } else if (IsSetName(base, "as-")) {
        m.kind = RouteSetMemberKind::kAsSet;
        ok = op.empty() || IsRangeOperator(op, 0, 128);
      }
      if (ok) {
        out->members.push_back(m);
      } else {
        notes->emplace_back(
            a.line, fmt::format("route-set {}: bad member \"{}\" (RFC 2622 §5.2: prefix, set "
                                "name or AS number, with an optional range operator)",
                                out->name, t));
      }
    });
  }
  return Status::Ok();
}

}  // namespace vigia::irr
