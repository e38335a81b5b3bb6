#include "rpki/slurm.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>

#include "core/printable.h"
#include "io/input_stream.h"

namespace vigia::rpki {

namespace {

using Json = nlohmann::json;

// A failure names the file and the member, e.g.
// "local.slurm: locallyAddedAssertions.prefixAssertions[2]: bad prefix".
Status Bad(const std::string& name, const std::string& where, const std::string& why) {
  return Status::Corrupt(
      fmt::format("{}: {}: {} (RFC 8416 §3)", Printable(name), Printable(where), Printable(why)));
}

bool GetAsn(const Json& j, Asn* out) {
  if (!j.is_number_unsigned()) return false;
  const uint64_t v = j.get<uint64_t>();
  if (v > 0xFFFFFFFFull) return false;
  *out = static_cast<Asn>(v);
  return true;
}

// Only these members may appear in an object (RFC 8416 §3.2 ff. list the
// members of each; anything else makes the file invalid).
Status OnlyMembers(const Json& o, std::initializer_list<const char*> allowed,
                   const std::string& name, const std::string& where) {
  if (!o.is_object()) return Bad(name, where, "not an object");
  for (auto it = o.begin(); it != o.end(); ++it) {
    bool ok = false;
    for (const char* a : allowed) ok |= it.key() == a;
    if (!ok) return Bad(name, where, "unknown member \"" + it.key() + "\"");
  }
  return Status::Ok();
}

Status GetComment(const Json& o, std::string* out, const std::string& name,
                  const std::string& where) {
  auto it = o.find("comment");
  if (it == o.end()) return Status::Ok();
  if (!it->is_string()) return Bad(name, where, "comment is not a string");
  *out = it->get<std::string>();
  return Status::Ok();
}

// RFC 8416 §3.3.1, §3.4.1: a prefix in canonical form (no host bits).
Status GetPrefix(const Json& o, Prefix* out, const std::string& name, const std::string& where) {
  const Json& p = o["prefix"];
  if (!p.is_string()) return Bad(name, where, "prefix is not a string");
  auto parsed = Prefix::Parse(p.get<std::string>());
  if (!parsed) return Bad(name, where, "bad prefix \"" + p.get<std::string>() + "\"");
  if (!(parsed->Masked() == *parsed)) {
    return Bad(name, where, "prefix \"" + p.get<std::string>() + "\" has host bits set");
  }
  *out = *parsed;
  return Status::Ok();
}

const Json* Array(const Json& parent, const char* key, Status* st, const std::string& name,
                  const std::string& where) {
  auto it = parent.find(key);
  if (it == parent.end()) {
    *st = Bad(name, where, std::string("missing member \"") + key + "\"");
    return nullptr;
  }
  if (!it->is_array()) {
    *st = Bad(name, where + "." + key, "not an array");
    return nullptr;
  }
  if (it->size() > kMaxSlurmEntries) {
    *st = Bad(name, where + "." + key, "too many entries");
    return nullptr;
  }
  return &*it;
}

bool Overlap(const Prefix& a, const Prefix& b) { return a.Contains(b) || b.Contains(a); }

}  // namespace

bool PrefixFilter::Matches(const Vrp& v) const {
  if (asn && v.asn != *asn) return false;
  if (prefix && !prefix->Contains(v.prefix)) return false;
  return prefix || asn;
}

Result<Slurm> Slurm::LoadFile(const std::string& path) {
  auto in = io::InputStream::Open(path, {.threaded = false});
  if (!in.ok()) return in.status();
  std::string text;
  std::byte buf[1 << 16];
  size_t n;
  while ((n = (*in)->Read(buf, sizeof buf)) > 0) {
    if (text.size() + n > kMaxSlurmBytes) {
      return Status::Corrupt(path + ": larger than 64 MiB; not a SLURM file");
    }
    text.append(reinterpret_cast<const char*>(buf), n);
  }
  if (!(*in)->status().ok()) return (*in)->status();
  return Parse(text, path);
}

Result<Slurm> Slurm::Parse(std::string_view text, const std::string& name) {
  Json doc = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Status::Corrupt(name + ": not JSON");
  Slurm s;
  s.name = name;
  // RFC 8416 §3.2: exactly these three members.
  if (Status st =
          OnlyMembers(doc, {"slurmVersion", "validationOutputFilters", "locallyAddedAssertions"},
                      name, "top level");
      !st.ok()) {
    return st;
  }
  if (!doc.contains("slurmVersion") || !doc["slurmVersion"].is_number_unsigned()) {
    return Bad(name, "slurmVersion", "missing or not a number");
  }
  // Version 1 is RFC 8416; version 2 adds the ASPA members
  // (draft-ietf-sidrops-aspa-slurm).
  const uint64_t version = doc["slurmVersion"].get<uint64_t>();
  if (version != 1 && version != 2) {
    return Bad(name, "slurmVersion", fmt::format("unsupported version {}", version));
  }
  s.version = static_cast<int>(version);
  const bool v2 = version == 2;
  Status st;

  // §3.3: validationOutputFilters.
  if (!doc.contains("validationOutputFilters")) {
    return Bad(name, "top level", "missing member \"validationOutputFilters\"");
  }
  const Json& filters = doc["validationOutputFilters"];
  if (v2) {
    st = OnlyMembers(filters, {"prefixFilters", "bgpsecFilters", "aspaFilters"}, name,
                     "validationOutputFilters");
  } else {
    st = OnlyMembers(filters, {"prefixFilters", "bgpsecFilters"}, name, "validationOutputFilters");
  }
  if (!st.ok()) return st;
  const Json* pf = Array(filters, "prefixFilters", &st, name, "validationOutputFilters");
  if (!pf) return st;
  for (size_t i = 0; i < pf->size(); ++i) {
    const Json& o = (*pf)[i];
    const std::string where = fmt::format("validationOutputFilters.prefixFilters[{}]", i);
    if (!(st = OnlyMembers(o, {"prefix", "asn", "comment"}, name, where)).ok()) return st;
    PrefixFilter f;
    if (o.contains("prefix")) {
      Prefix p;
      if (!(st = GetPrefix(o, &p, name, where)).ok()) return st;
      f.prefix = p;
    }
    if (o.contains("asn")) {
      Asn a;
      if (!GetAsn(o["asn"], &a)) return Bad(name, where, "bad asn");
      f.asn = a;
    }
    // §3.3.1: at least one of prefix and asn.
    if (!f.prefix && !f.asn) return Bad(name, where, "neither prefix nor asn");
    if (!(st = GetComment(o, &f.comment, name, where)).ok()) return st;
    s.prefix_filters.push_back(std::move(f));
  }
  const Json* bf = Array(filters, "bgpsecFilters", &st, name, "validationOutputFilters");
  if (!bf) return st;
  s.bgpsec_filters = bf->size();
  if (v2 && filters.contains("aspaFilters")) {
    const Json* af = Array(filters, "aspaFilters", &st, name, "validationOutputFilters");
    if (!af) return st;
    for (size_t i = 0; i < af->size(); ++i) {
      const Json& o = (*af)[i];
      const std::string where = fmt::format("validationOutputFilters.aspaFilters[{}]", i);
      if (!(st = OnlyMembers(o, {"customerAsid", "comment"}, name, where)).ok()) return st;
      AspaFilter f;
      if (!o.contains("customerAsid") || !GetAsn(o["customerAsid"], &f.customer)) {
        return Bad(name, where, "missing or bad customerAsid");
      }
      if (!(st = GetComment(o, &f.comment, name, where)).ok()) return st;
      s.aspa_filters.push_back(std::move(f));
    }
  }

  // §3.4: locallyAddedAssertions.
  if (!doc.contains("locallyAddedAssertions")) {
    return Bad(name, "top level", "missing member \"locallyAddedAssertions\"");
  }
  const Json& adds = doc["locallyAddedAssertions"];
  if (v2) {
    st = OnlyMembers(adds, {"prefixAssertions", "bgpsecAssertions", "aspaAssertions"}, name,
                     "locallyAddedAssertions");
  } else {
    st =
        OnlyMembers(adds, {"prefixAssertions", "bgpsecAssertions"}, name, "locallyAddedAssertions");
  }
  if (!st.ok()) return st;
  const Json* pa = Array(adds, "prefixAssertions", &st, name, "locallyAddedAssertions");
  if (!pa) return st;
  for (size_t i = 0; i < pa->size(); ++i) {
    const Json& o = (*pa)[i];
    const std::string where = fmt::format("locallyAddedAssertions.prefixAssertions[{}]", i);
    if (!(st = OnlyMembers(o, {"prefix", "asn", "maxPrefixLength", "comment"}, name, where)).ok()) {
      return st;
    }
    PrefixAssertion a;
    if (!o.contains("prefix")) return Bad(name, where, "missing prefix");
    if (!(st = GetPrefix(o, &a.prefix, name, where)).ok()) return st;
    if (!o.contains("asn") || !GetAsn(o["asn"], &a.asn))
      return Bad(name, where, "missing or bad asn");
    if (o.contains("maxPrefixLength")) {
      const Json& m = o["maxPrefixLength"];
      // §3.4.1: at least the prefix length, at most the address width.
      if (!m.is_number_unsigned() || m.get<uint64_t>() < a.prefix.length() ||
          m.get<uint64_t>() > static_cast<uint64_t>(a.prefix.address().bit_width())) {
        return Bad(name, where, "maxPrefixLength outside [prefix length, address width]");
      }
      a.max_prefix_length = static_cast<uint8_t>(m.get<uint64_t>());
    }
    if (!(st = GetComment(o, &a.comment, name, where)).ok()) return st;
    s.prefix_assertions.push_back(std::move(a));
  }
  const Json* ba = Array(adds, "bgpsecAssertions", &st, name, "locallyAddedAssertions");
  if (!ba) return st;
  s.bgpsec_assertions = ba->size();
  if (v2 && adds.contains("aspaAssertions")) {
    const Json* aa = Array(adds, "aspaAssertions", &st, name, "locallyAddedAssertions");
    if (!aa) return st;
    for (size_t i = 0; i < aa->size(); ++i) {
      const Json& o = (*aa)[i];
      const std::string where = fmt::format("locallyAddedAssertions.aspaAssertions[{}]", i);
      if (!(st = OnlyMembers(o, {"customerAsid", "providerSet", "comment"}, name, where)).ok()) {
        return st;
      }
      AspaAssertion a;
      if (!o.contains("customerAsid") || !GetAsn(o["customerAsid"], &a.customer) ||
          a.customer == 0) {
        return Bad(name, where, "missing or bad customerAsid");
      }
      if (!o.contains("providerSet") || !o["providerSet"].is_array() ||
          o["providerSet"].size() > kMaxAspaProviders) {
        return Bad(name, where, "missing or bad providerSet");
      }
      for (const Json& p : o["providerSet"]) {
        Asn x;
        if (!GetAsn(p, &x)) return Bad(name, where, "providerSet holds a non-ASN");
        a.providers.push_back(x);
      }
      if (!(st = GetComment(o, &a.comment, name, where)).ok()) return st;
      s.aspa_assertions.push_back(std::move(a));
    }
  }
  return s;
}

Status Slurm::CheckOverlap(const std::vector<Slurm>& files) {
  // RFC 8416 §4.2: prefixes of filters and assertions of different files
  // must not overlap. Files are few and small; pairs are compared directly.
  auto prefixes = [](const Slurm& s) {
    std::vector<Prefix> out;
    for (const PrefixFilter& f : s.prefix_filters) {
      if (f.prefix) out.push_back(*f.prefix);
    }
    for (const PrefixAssertion& a : s.prefix_assertions) out.push_back(a.prefix);
    return out;
  };
  auto customers = [](const Slurm& s) {
    std::vector<Asn> out;
    for (const AspaFilter& f : s.aspa_filters) out.push_back(f.customer);
    for (const AspaAssertion& a : s.aspa_assertions) out.push_back(a.customer);
    return out;
  };
  for (size_t i = 0; i < files.size(); ++i) {
    const std::vector<Prefix> pi = prefixes(files[i]);
    const std::vector<Asn> ci = customers(files[i]);
    for (size_t j = i + 1; j < files.size(); ++j) {
      for (const Prefix& b : prefixes(files[j])) {
        for (const Prefix& a : pi) {
          if (Overlap(a, b)) {
            return Status::Corrupt(fmt::format(
                "{} and {}: {} overlaps {}; the files cannot be used together (RFC 8416 §4.2)",
                files[i].name, files[j].name, a.ToString(), b.ToString()));
          }
        }
      }
      for (Asn b : customers(files[j])) {
        if (std::find(ci.begin(), ci.end(), b) != ci.end()) {
          return Status::Corrupt(
              fmt::format("{} and {}: both have ASPA members for AS{}; the files cannot be used "
                          "together (RFC 8416 §4.2)",
                          files[i].name, files[j].name, b));
        }
      }
    }
  }
  return Status::Ok();
}

Slurm::Applied Slurm::Apply(VrpSet* set) const {
  Applied r;
  // §4.1 step 1: drop what the filters match.
  if (!prefix_filters.empty()) {
    r.vrps_filtered = set->RemoveIf([&](const Vrp& v) {
      for (const PrefixFilter& f : prefix_filters) {
        if (f.Matches(v)) return true;
      }
      return false;
    });
  }
  for (const AspaFilter& f : aspa_filters) r.aspas_filtered += set->aspas().Remove(f.customer);
  // §4.1 step 2: add the assertions.
  for (const PrefixAssertion& a : prefix_assertions) {
    const uint8_t max = a.max_prefix_length.value_or(a.prefix.length());
    r.vrps_added += set->Add(a.prefix, max, a.asn, "slurm");
  }
  for (const AspaAssertion& a : aspa_assertions) {
    set->aspas().Add(a.customer, a.providers);
    ++r.aspas_added;
  }
  set->Build();
  return r;
}

}  // namespace vigia::rpki
