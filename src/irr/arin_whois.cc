#include "irr/arin_whois.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <string_view>
#include <vector>

#include "core/printable.h"
#include "irr/irr_index.h"

namespace vigia::irr {

namespace {

// One v4 or v6 array. False when the document itself is broken (the rest
// cannot be read); bad records are reported and skipped.
bool LoadRecords(simdjson::ondemand::array records, bool v6, const std::string& name, uint16_t file,
                 SourceId source, IrrDatabase* db) {
  uint32_t index = 0;
  std::vector<std::string_view> origin_tokens;
  std::string origin_text;
  for (auto item : records) {
    const uint32_t i = index++;
    auto where = [&] { return fmt::format("{}: whois_records.{}[{}]", name, v6 ? "v6" : "v4", i); };
    if (db->route_count() >= kMaxRoutes) {
      db->problems().Add(where(), "more than 100,000,000 route objects; the rest is ignored");
      ++db->counts().skipped;
      return true;
    }
    simdjson::ondemand::object o;
    if (const auto err = item.get_object().get(o)) {
      if (err != simdjson::INCORRECT_TYPE) return false;
      db->problems().Add(where(), "record is not an object");
      ++db->counts().skipped;
      continue;
    }
    std::string prefix_text, net_name;
    origin_text.clear();
    bool have_prefix = false, have_origin = false;
    for (auto field : o) {
      std::string_view key, sv;
      if (field.unescaped_key().get(key)) return false;
      simdjson::ondemand::value v;
      if (field.value().get(v)) return false;
      if (key == "prefix") {
        have_prefix = !v.get_string().get(sv);
        if (have_prefix) prefix_text.assign(sv);
      } else if (key == "originas") {
        have_origin = !v.get_string().get(sv);
        if (have_origin) origin_text.assign(sv);
      } else if (key == "name") {
        if (!v.get_string().get(sv)) net_name.assign(sv.substr(0, 256));
      }
    }
    if (!have_prefix || !have_origin) {
      db->problems().Add(where(), "record lacks a \"prefix\" or \"originas\" string");
      ++db->counts().skipped;
      continue;
    }
    auto prefix = Prefix::Parse(prefix_text);
    if (!prefix) {
      db->problems().Add(where(), fmt::format("bad prefix \"{}\"", prefix_text));
      ++db->counts().skipped;
      continue;
    }
    // ARIN lets a network list several origin ASes, separated by white
    // space or commas.
    origin_tokens.clear();
    ForEachToken(origin_text, [&](std::string_view t) { origin_tokens.push_back(t); });
    std::vector<Asn> origins;
    bool bad = origin_tokens.empty();
    for (std::string_view t : origin_tokens) {
      Asn a;
      if (!ParseAsn(t, &a, kAsnRpsl)) {
        bad = true;
        break;
      }
      origins.push_back(a);
    }
    if (bad) {
      db->problems().Add(where(), fmt::format("bad originas \"{}\"", origin_text));
      ++db->counts().skipped;
      continue;
    }
    RouteObject r;
    r.prefix = *prefix;
    r.source = source;
    r.place = {file, (v6 ? 0x80000000u : 0u) | (i & 0x7FFFFFFFu)};
    r.name = db->strings().Intern(net_name);
    for (Asn a : origins) {
      r.origin = a;
      db->AddRoute(r);
    }
    ++(v6 ? db->counts().arin_v6 : db->counts().arin_v4);
  }
  return true;
}

// A document cut short (a download interrupted, a truncated archive) no
// longer parses at all. This keeps what came before the cut: the text up to
// the end of the last complete array element or object member nested in the
// top-level object, closed with the brackets still open there. Empty when
// there is no such point (not JSON, or cut before the first element).
std::string CloseTruncatedJson(std::string_view s) {
  std::string open;  // '{' and '[' not yet closed
  std::string open_at_cut;
  size_t cut = 0;
  bool in_string = false, escaped = false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      open.push_back(c);
    } else if (c == '}' || c == ']') {
      if (open.empty()) return {};
      open.pop_back();
      if (open.empty()) return {};  // the document was complete after all
      cut = i + 1;
      open_at_cut = open;
    }
  }
  if (cut == 0) return {};
  std::string out(s.substr(0, cut));
  for (auto it = open_at_cut.rbegin(); it != open_at_cut.rend(); ++it) {
    out.push_back(*it == '{' ? '}' : ']');
  }
  return out;
}

}  // namespace

Status LoadArinWhoisJson(const char* data, size_t size, size_t capacity, const std::string& name,
                         IrrDatabase* db) {
  simdjson::ondemand::parser parser;
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
    const std::string closed = CloseTruncatedJson(std::string_view(data, size));
    bool salvaged = false;
    if (!closed.empty()) {
      copy = simdjson::padded_string(closed);
      view = copy;
      salvaged = !parser.iterate(view).get(doc) && !doc.get_object().get(top);
    }
    if (!salvaged) {
      return Status::Corrupt(
          fmt::format("{}: not ARIN-WHOIS originAS JSON (no top-level object; {} bytes)",
                      Printable(name), size));
    }
    db->problems().Add(name, fmt::format("JSON ends at byte {} inside an unfinished value: "
                                         "truncated; the records before the cut were read",
                                         size));
    ++db->counts().skipped;
  }
  const uint16_t file = db->AddFile(name, /*json=*/true);
  std::string source_name = kArinWhoisSource;
  bool have_records = false, broken = false;
  for (auto field : top) {
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
    if (key == "source") {
      std::string_view sv;
      if (!v.get_string().get(sv) && !sv.empty() && sv.size() < 64) source_name.assign(sv);
    } else if (key == "whois_records") {
      simdjson::ondemand::object records;
      if (v.get_object().get(records)) {
        broken = true;
        break;
      }
      have_records = true;
      const SourceId source = db->InternSource(source_name);
      for (auto list : records) {
        std::string_view family;
        simdjson::ondemand::value lv;
        simdjson::ondemand::array arr;
        if (list.unescaped_key().get(family) || list.value().get(lv)) {
          broken = true;
          break;
        }
        if (family != "v4" && family != "v6") continue;
        if (lv.get_array().get(arr) || !LoadRecords(arr, family == "v6", name, file, source, db)) {
          broken = true;
          break;
        }
      }
      if (broken) break;
    }
  }
  if (broken) {
    const char* at = nullptr;
    const size_t offset = !doc.current_location().get(at) && at >= view.data()
                              ? static_cast<size_t>(at - view.data())
                              : size;
    db->problems().Add(name, fmt::format("malformed JSON near byte {}; the rest of the file is "
                                         "ignored, the records before it were read",
                                         offset));
    ++db->counts().skipped;
  }
  if (!have_records && !broken) {
    return Status::Corrupt(name + ": not ARIN-WHOIS originAS JSON (no \"whois_records\" object)");
  }
  return Status::Ok();
}

}  // namespace vigia::irr
