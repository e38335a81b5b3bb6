#include "rpki/vrp.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <simdjson.h>

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
  std::string text;
  std::vector<std::byte> buf(1 << 20);
  size_t n;
  while ((n = (*in)->Read(buf.data(), buf.size())) > 0) {
    text.append(reinterpret_cast<const char*>(buf.data()), n);
  }
  if (!(*in)->status().ok()) return (*in)->status();
  return LoadText(text, path);
}

Status VrpSet::LoadText(const std::string& text, const std::string& name) {
  size_t i = text.find_first_not_of(" \t\r\n");
  Status s = (i != std::string::npos && text[i] == '{') ? LoadJson(text, name) : LoadCsv(text, name);
  Build();
  return s;
}

// rpki-client and Routinator JSON: {"roas": [{"asn": 64496 | "AS64496",
// "prefix": "192.0.2.0/24", "maxLength": 24, "ta": "ripe"}, ...]}.
// Parsed with simdjson: a full global set is ~40 MB of JSON, which a DOM
// library building std::map nodes takes seconds to read.
Status VrpSet::LoadJson(const std::string& text, const std::string& name) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  simdjson::dom::element doc;
  if (parser.parse(padded).get(doc) != simdjson::SUCCESS) {
    return Status::Corrupt(name + ": not valid JSON");
  }
  simdjson::dom::array roas;
  if (doc["roas"].get_array().get(roas) != simdjson::SUCCESS) {
    return Status::Corrupt(name + ": JSON without a \"roas\" array");
  }
  size_t i = 0;
  std::string ta_text;
  for (simdjson::dom::element r : roas) {
    const size_t index = i++;
    auto where = [&] { return fmt::format("{}: roas[{}]", name, index); };
    if (vrps_.size() >= kMaxVrps) {
      Problem(where(), "more than 20,000,000 VRPs; the rest is ignored");
      break;
    }
    simdjson::dom::object o;
    if (r.get_object().get(o) != simdjson::SUCCESS) {
      Problem(where(), "entry is not an object");
      continue;
    }
    simdjson::dom::element a, pf, ml;
    if (o["asn"].get(a) || o["prefix"].get(pf) || o["maxLength"].get(ml)) {
      Problem(where(), "entry lacks prefix, asn or maxLength");
      continue;
    }
    Asn asn = 0;
    bool asn_ok = false;
    uint64_t n = 0;
    std::string_view sv;
    if (a.get_uint64().get(n) == simdjson::SUCCESS) {
      asn_ok = n <= 0xFFFFFFFFull;
      asn = static_cast<Asn>(n);
    } else if (a.get_string().get(sv) == simdjson::SUCCESS) {
      asn_ok = ParseAsn(sv, &asn);
    }
    if (!asn_ok) {
      Problem(where(), "bad asn " + simdjson::minify(a));
      continue;
    }
    std::optional<Prefix> prefix;
    if (pf.get_string().get(sv) == simdjson::SUCCESS) prefix = Prefix::Parse(sv);
    if (!prefix) {
      Problem(where(), "bad prefix " + simdjson::minify(pf));
      continue;
    }
    uint64_t max = 0;
    if (ml.get_uint64().get(max) != simdjson::SUCCESS || max > 255) {
      Problem(where(), "bad maxLength " + simdjson::minify(ml));
      continue;
    }
    ta_text.clear();
    simdjson::dom::element ta;
    if (o["ta"].get(ta) == simdjson::SUCCESS && ta.get_string().get(sv) == simdjson::SUCCESS) {
      ta_text.assign(sv);
    }
    if (!Add(*prefix, static_cast<uint8_t>(max), asn, ta_text)) {
      Problem(where(), fmt::format("RFC 6482 §3.3: maxLength {} outside [{}, {}]", max,
                                   prefix->length(), prefix->address().bit_width()));
    }
  }
  return Status::Ok();
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
Status VrpSet::LoadCsv(const std::string& text, const std::string& name) {
  std::string_view all(text);
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
