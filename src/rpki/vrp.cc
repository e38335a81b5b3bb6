#include "rpki/vrp.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <simdjson.h>

#include <cstring>
#include <memory>
#include <optional>

#include "io/input_stream.h"

namespace vigia::rpki {

bool ParseAsn(std::string_view t, Asn* out) {
  if (t.size() > 2 && (t[0] == 'A' || t[0] == 'a') && (t[1] == 'S' || t[1] == 's')) t.remove_prefix(2);
  if (t.empty()) return false;
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || p != t.data() + t.size() || v > 0xFFFFFFFFull) return false;
  *out = static_cast<Asn>(v);
  return true;
}

namespace {
// A JSON number or "AS64496"/"64496" string.
bool JsonAsn(simdjson::ondemand::value& v, Asn* out) {
  simdjson::ondemand::json_type type;
  if (v.type().get(type)) return false;
  uint64_t n = 0;
  std::string_view sv;
  if (type == simdjson::ondemand::json_type::number && !v.get_uint64().get(n)) {
    if (n > 0xFFFFFFFFull) return false;
    *out = static_cast<Asn>(n);
    return true;
  }
  if (type == simdjson::ondemand::json_type::string && !v.get_string().get(sv)) {
    return ParseAsn(sv, out);
  }
  return false;
}
}  // namespace

bool VrpSet::Add(const Prefix& prefix, uint8_t max_length, Asn asn, const std::string& ta) {
  // RFC 6482 §3.3: maxLength is at least the prefix length and at most the
  // address width.
  if (max_length < prefix.length() || max_length > prefix.address().bit_width()) return false;
  uint16_t ta_index = 0;
  if (!ta.empty()) {
    for (size_t i = 1; i < trust_anchors_.size(); ++i) {
      if (trust_anchors_[i] == ta) ta_index = static_cast<uint16_t>(i);
    }
    if (ta_index == 0 && trust_anchors_.size() < 65535) {
      trust_anchors_.push_back(ta);
      ta_index = static_cast<uint16_t>(trust_anchors_.size() - 1);
    }
  }
  vrps_.push_back({prefix.Masked(), max_length, asn, ta_index});
  dirty_ = true;
  return true;
}

void VrpSet::Problem(std::string where, std::string message) {
  if (problems_.size() < kMaxProblemsKept) {
    problems_.push_back({std::move(where), std::move(message)});
  } else if (problems_.size() == kMaxProblemsKept) {
    problems_.push_back({"", "more problems not kept"});
  }
}

Status VrpSet::LoadFile(const std::string& path) {
  auto in = io::InputStream::Open(path, {.threaded = false});
  if (!in.ok()) return in.status();
  // One uninitialised buffer sized up front (compressed input grows it),
  // with the padding simdjson reads into: no copy, no zero-filling.
  const uint64_t hint = (*in)->compressed_size();
  size_t cap = static_cast<size_t>(
                   (*in)->compression() == io::Compression::kNone ? hint : hint * 4) +
               (1 << 16) + kJsonPadding;
  auto buf = std::make_unique_for_overwrite<char[]>(cap);
  size_t size = 0, n;
  do {
    if (cap - size - kJsonPadding < (1 << 16)) {
      const size_t bigger = cap * 2;
      auto grown = std::make_unique_for_overwrite<char[]>(bigger);
      std::memcpy(grown.get(), buf.get(), size);
      buf = std::move(grown);
      cap = bigger;
    }
    n = (*in)->Read(reinterpret_cast<std::byte*>(buf.get() + size), cap - size - kJsonPadding);
    size += n;
  } while (n > 0);
  if (!(*in)->status().ok()) return (*in)->status();
  return LoadBuffer(buf.get(), size, cap, path);
}

Status VrpSet::LoadText(const std::string& text, const std::string& name) {
  return LoadBuffer(text.data(), text.size(), text.capacity(), name);
}

Status VrpSet::LoadBuffer(const char* data, size_t size, size_t capacity,
                          const std::string& name) {
  const std::string_view text(data, size);
  const size_t i = text.find_first_not_of(" \t\r\n");
  Status s = (i != std::string_view::npos && text[i] == '{') ? LoadJson(data, size, capacity, name)
                                                             : LoadCsv(text, name);
  Build();
  return s;
}

// Reads the arrays of one JSON document into a VrpSet. The functions
// return false when the rest of the document is to be ignored.
class JsonLoader {
 public:
  explicit JsonLoader(VrpSet* set) : set_(*set) {}
  bool Roas(simdjson::ondemand::array& roas, size_t size_hint, const std::string& name);
  bool Aspas(simdjson::ondemand::array& list, const std::string& name, const std::string& label);

 private:
  void Problem(std::string where, std::string message) {
    set_.Problem(std::move(where), std::move(message));
  }
  VrpSet& set_;
};

// rpki-client and Routinator JSON: {"roas": [{"asn": 64496 | "AS64496",
// "prefix": "192.0.2.0/24", "maxLength": 24, "ta": "ripe"}, ...], "aspas":
// [...]}. Parsed with simdjson's On-Demand API: a full global set is ~40 MB
// of JSON, which a DOM library takes seconds to read and hundreds of MB to
// hold. The top-level members are walked in document order, so "roas",
// "aspas" and "provider_authorizations" may come in any order.
Status VrpSet::LoadJson(const char* data, size_t size, size_t capacity,
                        const std::string& name) {
  simdjson::ondemand::parser parser;
  // The caller's buffer is used when it has the padding simdjson reads past
  // the end; otherwise the text is copied once.
  simdjson::padded_string copy;
  simdjson::padded_string_view view;
  if (capacity >= size + simdjson::SIMDJSON_PADDING) {
    view = simdjson::padded_string_view(data, size, capacity);
  } else {
    copy = simdjson::padded_string(data, size);
    view = copy;
  }
  simdjson::ondemand::document doc;
  simdjson::ondemand::object top;
  if (parser.iterate(view).get(doc) || doc.get_object().get(top)) {
    return Status::Corrupt(name + ": not VRP JSON (not a JSON object)");
  }
  bool found = false;
  JsonLoader loader(this);
  for (auto field : top) {
    std::string_view key;
    if (field.unescaped_key().get(key)) {
      Problem(name, "malformed JSON; the rest of the file is ignored");
      break;
    }
    bool go_on = true;
    if (key == "roas") {
      found = true;
      simdjson::ondemand::array roas;
      if (field.value().get_array().get(roas)) {
        Problem(name + ": roas", "not an array");
        break;
      }
      go_on = loader.Roas(roas, size, name);
    } else if (key == "aspas") {
      // rpki-client 8.4 and later: [{"customer": 64496, "providers": [...]}].
      found = true;
      simdjson::ondemand::array aspas;
      if (field.value().get_array().get(aspas)) {
        Problem(name + ": aspas", "not an array");
        break;
      }
      go_on = loader.Aspas(aspas, name, "aspas");
    } else if (key == "provider_authorizations") {
      // rpki-client 7.x/8.0-8.3 and StayRTR: {"ipv4": [...], "ipv6": [...]}
      // with "customer_asid". The ASPA profile has since dropped the address
      // family, so both lists merge into one provider set per customer.
      found = true;
      simdjson::ondemand::object by_afi;
      if (field.value().get_object().get(by_afi)) {
        Problem(name + ": provider_authorizations", "not an object");
        break;
      }
      for (auto afi : by_afi) {
        std::string_view afi_key;
        simdjson::ondemand::array list;
        if (afi.unescaped_key().get(afi_key) || afi.value().get_array().get(list)) {
          Problem(name + ": provider_authorizations", "malformed; the rest is ignored");
          go_on = false;
          break;
        }
        const std::string label = "provider_authorizations." + std::string(afi_key);
        if (!(go_on = loader.Aspas(list, name, label))) break;
      }
    }
    if (!go_on) break;
  }
  if (!found) {
    return Status::Corrupt(name + ": not VRP JSON (no \"roas\" or \"aspas\" array)");
  }
  return Status::Ok();
}

bool JsonLoader::Roas(simdjson::ondemand::array& roas, size_t size_hint,
                      const std::string& name) {
  std::vector<Vrp>& vrps = set_.vrps_;
  vrps.reserve(vrps.size() + size_hint / 80);
  size_t i = 0;
  std::string ta_text;
  for (auto item : roas) {
    const size_t index = i++;
    auto where = [&] { return fmt::format("{}: roas[{}]", name, index); };
    if (vrps.size() >= kMaxVrps) {
      Problem(where(), "more than 20,000,000 VRPs; the rest is ignored");
      return false;
    }
    simdjson::ondemand::object o;
    if (auto err = item.get_object().get(o)) {
      // A malformed document (not just a bad entry) ends the array.
      if (err != simdjson::INCORRECT_TYPE) {
        Problem(where(), "malformed JSON; the rest of the file is ignored");
        return false;
      }
      Problem(where(), "entry is not an object");
      continue;
    }
    bool have_asn = false, asn_ok = false, have_prefix = false, have_max = false;
    Asn asn = 0;
    std::optional<Prefix> prefix;
    std::string prefix_text, bad;
    uint64_t max = 0;
    bool max_ok = false;
    ta_text.clear();
    bool broken = false;
    for (auto field : o) {
      std::string_view key;
      if (field.unescaped_key().get(key)) {
        broken = true;
        break;
      }
      simdjson::ondemand::value v;
      if (field.value().get(v)) {
        broken = true;
        break;
      }
      if (key == "asn") {
        have_asn = true;
        if (!(asn_ok = JsonAsn(v, &asn))) bad = "bad asn";
      } else if (key == "prefix") {
        have_prefix = true;
        std::string_view sv;
        if (!v.get_string().get(sv)) {
          prefix = Prefix::Parse(sv);
          prefix_text.assign(sv);
        }
      } else if (key == "maxLength") {
        have_max = true;
        max_ok = !v.get_uint64().get(max) && max <= 255;
      } else if (key == "ta") {
        std::string_view sv;
        if (!v.get_string().get(sv)) ta_text.assign(sv);
      }
    }
    if (broken) {
      Problem(where(), "malformed JSON; the rest of the file is ignored");
      return false;
    }
    if (!have_asn || !have_prefix || !have_max) {
      Problem(where(), "entry lacks prefix, asn or maxLength");
    } else if (!asn_ok) {
      Problem(where(), bad);
    } else if (!prefix) {
      Problem(where(), "bad prefix \"" + prefix_text + "\"");
    } else if (!max_ok) {
      Problem(where(), "bad maxLength");
    } else if (!set_.Add(*prefix, static_cast<uint8_t>(max), asn, ta_text)) {
      Problem(where(), fmt::format("RFC 6482 §3.3: maxLength {} outside [{}, {}]", max,
                                   prefix->length(), prefix->address().bit_width()));
    }
  }
  return true;
}

// One ASPA list: [{"customer" | "customer_asid": N, "providers": [N |
// "ASN" | {"asid": N}, ...], "expires": T}, ...].
bool JsonLoader::Aspas(simdjson::ondemand::array& list, const std::string& name,
                       const std::string& label) {
  AspaSet& aspas = set_.aspas_;
  size_t i = 0;
  std::vector<Asn> providers;
  for (auto item : list) {
    const size_t index = i++;
    auto where = [&] { return fmt::format("{}: {}[{}]", name, label, index); };
    if (aspas.size() >= kMaxAspas) {
      Problem(where(), "more than 1,000,000 ASPAs; the rest is ignored");
      return false;
    }
    simdjson::ondemand::object o;
    if (auto err = item.get_object().get(o)) {
      if (err != simdjson::INCORRECT_TYPE) {
        Problem(where(), "malformed JSON; the rest of the file is ignored");
        return false;
      }
      Problem(where(), "entry is not an object");
      continue;
    }
    bool have_customer = false, customer_ok = false, have_providers = false, bad_provider = false;
    bool broken = false;
    Asn customer = 0;
    providers.clear();
    for (auto field : o) {
      std::string_view key;
      simdjson::ondemand::value v;
      if (field.unescaped_key().get(key) || field.value().get(v)) {
        broken = true;
        break;
      }
      if (key == "customer" || key == "customer_asid") {
        have_customer = true;
        customer_ok = JsonAsn(v, &customer);
      } else if (key == "providers" || key == "provider_set") {
        have_providers = true;
        simdjson::ondemand::array arr;
        if (v.get_array().get(arr)) {
          bad_provider = true;
          continue;
        }
        for (auto p : arr) {
          simdjson::ondemand::value pv;
          Asn a = 0;
          if (p.get(pv)) {
            broken = true;
            break;
          }
          simdjson::ondemand::object po;
          simdjson::ondemand::json_type type;
          if (pv.type().get(type)) {
            broken = true;
            break;
          }
          bool ok;
          if (type == simdjson::ondemand::json_type::object) {
            // Early profile drafts: {"asid": N, "afi_limit": "ipv4"}.
            simdjson::ondemand::value asid;
            ok = !pv.get_object().get(po) && !po["asid"].get(asid) && JsonAsn(asid, &a);
          } else {
            ok = JsonAsn(pv, &a);
          }
          if (!ok) {
            bad_provider = true;
            continue;
          }
          if (providers.size() >= kMaxAspaProviders) {
            bad_provider = true;
            break;
          }
          providers.push_back(a);
        }
        if (broken) break;
      }
    }
    if (broken) {
      Problem(where(), "malformed JSON; the rest of the file is ignored");
      return false;
    }
    if (!have_customer || !have_providers) {
      Problem(where(), "entry lacks customer or providers");
    } else if (!customer_ok) {
      Problem(where(), "bad customer ASN");
    } else if (bad_provider) {
      Problem(where(), fmt::format("bad provider list (not ASNs, or more than {})",
                                   kMaxAspaProviders));
    } else if (customer == 0) {
      // draft-ietf-sidrops-aspa-profile §3.2: the customer is never AS 0.
      Problem(where(), "customer AS0");
    } else {
      aspas.Add(customer, providers);
    }
  }
  return true;
}

namespace {
std::vector<std::string_view> SplitCsv(std::string_view line) {
  std::vector<std::string_view> f;
  size_t start = 0;
  while (true) {
    size_t c = line.find(',', start);
    std::string_view v = line.substr(start, c == std::string_view::npos ? c : c - start);
    while (!v.empty() && (v.front() == ' ' || v.front() == '"')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '"' || v.back() == '\r')) v.remove_suffix(1);
    f.push_back(v);
    if (c == std::string_view::npos) break;
    start = c + 1;
  }
  return f;
}
}  // namespace

// Routinator CSV (ASN,IP Prefix,Max Length,Trust Anchor) and the RIPE NCC
// validator export (URI,ASN,IP Prefix,Max Length,Not Before,Not After): the
// header names the columns.
Status VrpSet::LoadCsv(std::string_view all, const std::string& name) {
  size_t pos = 0, line_no = 0;
  int col_asn = -1, col_prefix = -1, col_max = -1, col_ta = -1;
  while (pos < all.size()) {
    size_t nl = all.find('\n', pos);
    std::string_view line = all.substr(pos, nl == std::string_view::npos ? nl : nl - pos);
    pos = nl == std::string_view::npos ? all.size() : nl + 1;
    ++line_no;
    if (line.empty() || line == "\r" || line[0] == '#') continue;
    std::vector<std::string_view> f = SplitCsv(line);
    if (col_asn < 0) {
      for (size_t i = 0; i < f.size(); ++i) {
        std::string h(f[i]);
        for (char& c : h) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (h == "asn") col_asn = static_cast<int>(i);
        if (h == "ip prefix" || h == "prefix") col_prefix = static_cast<int>(i);
        if (h == "max length" || h == "maxlength" || h == "max_length") col_max = static_cast<int>(i);
        if (h == "trust anchor" || h == "ta") col_ta = static_cast<int>(i);
      }
      if (col_asn < 0 || col_prefix < 0 || col_max < 0) {
        return Status::Corrupt(fmt::format(
            "{}:{}: not a VRP file (no JSON \"roas\", and no CSV header naming ASN, IP Prefix "
            "and Max Length)",
            name, line_no));
      }
      continue;
    }
    const std::string where = fmt::format("{}:{}", name, line_no);
    const int need = std::max({col_asn, col_prefix, col_max});
    if (static_cast<int>(f.size()) <= need) {
      Problem(where, fmt::format("{} fields, expected at least {}", f.size(), need + 1));
      continue;
    }
    if (vrps_.size() >= kMaxVrps) {
      Problem(where, "more than 20,000,000 VRPs; the rest is ignored");
      break;
    }
    Asn asn;
    if (!ParseAsn(f[static_cast<size_t>(col_asn)], &asn)) {
      Problem(where, "bad ASN '" + std::string(f[static_cast<size_t>(col_asn)]) + "'");
      continue;
    }
    auto prefix = Prefix::Parse(f[static_cast<size_t>(col_prefix)]);
    if (!prefix) {
      Problem(where, "bad prefix '" + std::string(f[static_cast<size_t>(col_prefix)]) + "'");
      continue;
    }
    unsigned max = 0;
    std::string_view mt = f[static_cast<size_t>(col_max)];
    auto [p, ec] = std::from_chars(mt.data(), mt.data() + mt.size(), max);
    if (ec != std::errc() || p != mt.data() + mt.size() || max > 255) {
      Problem(where, "bad max length '" + std::string(mt) + "'");
      continue;
    }
    std::string ta =
        col_ta >= 0 && col_ta < static_cast<int>(f.size()) ? std::string(f[static_cast<size_t>(col_ta)]) : "";
    if (!Add(*prefix, static_cast<uint8_t>(max), asn, ta)) {
      Problem(where, fmt::format("RFC 6482 §3.3: max length {} outside [{}, {}]", max,
                                 prefix->length(), prefix->address().bit_width()));
    }
  }
  if (col_asn < 0) return Status::Corrupt(name + ": empty VRP file");
  return Status::Ok();
}

}  // namespace vigia::rpki
