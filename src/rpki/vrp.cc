#include "rpki/vrp.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cctype>
#include <charconv>
#include <cstring>
#include <memory>
#include <optional>
#include <thread>

#include "core/json_cursor.h"
#include "core/printable.h"
#include "io/input_stream.h"

namespace vigia::rpki {

namespace {
// A JSON number or "AS64496"/"64496" string; other values are skipped.
// False on a bad value (the cursor is past it) or a broken document
// (cursor failed).
bool JsonAsn(JsonCursor& c, Asn* out) {
  const JsonCursor::Type t = c.Peek();
  if (t == JsonCursor::Type::kNumber) {
    uint64_t n = 0;
    if (!c.Uint64(&n)) return false;
    if (n > 0xFFFFFFFFull) return false;
    *out = static_cast<Asn>(n);
    return true;
  }
  if (t == JsonCursor::Type::kString) {
    std::string_view sv;
    return c.String(&sv) && ParseAsn(sv, out);
  }
  c.Skip();
  return false;
}
}  // namespace

bool VrpSet::Add(const Prefix& prefix, uint8_t max_length, Asn asn, const std::string& ta) {
  // RFC 6482 §3.3: maxLength is at least the prefix length and at most the
  // address width.
  if (max_length < prefix.length() || max_length > prefix.address().bit_width()) return false;
  vrps_.push_back({prefix.Masked(), max_length, asn, TaIndex(ta)});
  dirty_ = true;
  return true;
}

uint16_t VrpSet::TaIndex(std::string_view ta) {
  if (ta.empty()) return 0;
  for (size_t i = 1; i < trust_anchors_.size(); ++i) {
    if (trust_anchors_[i] == ta) return static_cast<uint16_t>(i);
  }
  if (trust_anchors_.size() >= 65535) return 0;
  trust_anchors_.emplace_back(ta);
  return static_cast<uint16_t>(trust_anchors_.size() - 1);
}

void VrpSet::Problem(std::string where, std::string message) {
  problems_.Add(std::move(where), std::move(message));
}

Status VrpSet::LoadFile(const std::string& path) {
  auto in = io::InputStream::Open(path, {.threaded = false});
  if (!in.ok()) return in.status();
  // One uninitialised buffer sized up front (compressed input grows it).
  const uint64_t hint = (*in)->compressed_size();
  size_t cap =
      static_cast<size_t>((*in)->compression() == io::Compression::kNone ? hint : hint * 4) +
      (1 << 16);
  // Uninitialised, huge-page backed (core/large_alloc.h).
  struct Free {
    size_t bytes;
    void operator()(char* p) const { FreeLarge(p, bytes); }
  };
  auto alloc = [](size_t bytes) {
    return std::unique_ptr<char[], Free>(static_cast<char*>(AllocateLarge(bytes)), Free{bytes});
  };
  auto buf = alloc(cap);
  size_t size = 0, n;
  do {
    if (cap - size < (1 << 16)) {
      // The file is parsed from memory, so its decompressed size is what it
      // costs: a gzip of zeros must not take all of it.
      if (size > kMaxVrpFileBytes) {
        return Status::LimitExceeded(
            fmt::format("{}: more than {} MiB after decompression (kMaxVrpFileBytes); not read",
                        Printable(path), kMaxVrpFileBytes >> 20));
      }
      const size_t bigger = std::min<size_t>(cap * 2, kMaxVrpFileBytes + (1 << 17));
      auto grown = alloc(bigger);
      std::memcpy(grown.get(), buf.get(), size);
      buf = std::move(grown);
      cap = bigger;
    }
    n = (*in)->Read(reinterpret_cast<std::byte*>(buf.get() + size), cap - size);
    size += n;
  } while (n > 0);
  if (!(*in)->status().ok()) return (*in)->status();
  return LoadBuffer(buf.get(), size, path);
}

Status VrpSet::LoadText(const std::string& text, const std::string& name) {
  return LoadBuffer(text.data(), text.size(), name);
}

Status VrpSet::LoadBuffer(const char* data, size_t size, const std::string& name) {
  const std::string_view text(data, size);
  const size_t i = text.find_first_not_of(" \t\r\n");
  Status s =
      (i != std::string_view::npos && text[i] == '{') ? LoadJson(text, name) : LoadCsv(text, name);
  Build();
  return s;
}

// Reads the arrays of one JSON document into a VrpSet. The functions
// return false when the rest of the document is to be ignored.
class JsonLoader {
 public:
  JsonLoader(VrpSet* set, JsonCursor* c, const std::string& name)
      : set_(*set), c_(*c), name_(name) {}
  bool Roas(std::string_view text);
  bool Aspas(const std::string& label);
  // The "roas" array read without the cursor; see vrp.cc.
  size_t FastRoas(std::string_view text, size_t pos);
  void Broken(const std::string& where) {
    Problem(where, "malformed JSON (" + c_.error() + "); the rest of the file is ignored");
  }

 private:
  void Problem(std::string where, std::string message) {
    set_.Problem(std::move(where), std::move(message));
  }
  // Walks the array at the cursor: an entry that is not an object is
  // reported and skipped; for each object, entry(where) runs inside it
  // (after BeginObject). Stops, false, when full() says a cap is reached
  // or the document is broken.
  template <typename Full, typename Entry>
  bool EachObject(const std::string& label, Full full, const char* full_message, Entry entry) {
    c_.BeginArray();
    for (size_t index = 0; c_.NextElement() == JsonCursor::Step::kItem; ++index) {
      auto where = [&] { return fmt::format("{}: {}[{}]", name_, label, index); };
      if (full()) {
        Problem(where(), full_message);
        return false;
      }
      if (c_.Peek() != JsonCursor::Type::kObject) {
        if (!c_.Skip()) return false;
        Problem(where(), "entry is not an object");
        continue;
      }
      c_.BeginObject();
      entry(where);
      if (c_.failed()) return false;
    }
    return !c_.failed();
  }
  VrpSet& set_;
  JsonCursor& c_;
  const std::string& name_;
};

// rpki-client and Routinator JSON: {"roas": [{"asn": 64496 | "AS64496",
// "prefix": "192.0.2.0/24", "maxLength": 24, "ta": "ripe"}, ...], "aspas":
// [...]}. The top-level members may come in any order; others are skipped.
//
// Read with JsonCursor (core/json_cursor.h) rather than a general parser:
// a full global set is ~40 MB of JSON in one document, and the buffers a
// general parser builds for it cost more, in page faults, than the parse.
Status VrpSet::LoadJson(std::string_view text, const std::string& name) {
  JsonCursor c(text);
  if (c.Peek() != JsonCursor::Type::kObject) {
    return Status::Corrupt(name + ": not VRP JSON (not a JSON object)");
  }
  c.BeginObject();
  JsonLoader loader(this, &c, name);
  bool found = false;
  std::string_view key;
  JsonCursor::Step step;
  while ((step = c.NextMember(&key)) == JsonCursor::Step::kItem) {
    bool go_on = true;
    if (key == "roas") {
      found = true;
      if (c.Peek() != JsonCursor::Type::kArray) {
        Problem(name + ": roas", "not an array");
        go_on = c.Skip();
      } else {
        go_on = loader.Roas(text);
      }
    } else if (key == "aspas") {
      // rpki-client 8.4 and later: [{"customer_asid": 64496, "providers": [...]}]
      // ("customer" is accepted too).
      found = true;
      if (c.Peek() != JsonCursor::Type::kArray) {
        Problem(name + ": aspas", "not an array");
        go_on = c.Skip();
      } else {
        go_on = loader.Aspas("aspas");
      }
    } else if (key == "provider_authorizations") {
      // rpki-client 7.x/8.0-8.3 and StayRTR: {"ipv4": [...], "ipv6": [...]}
      // with "customer_asid". The ASPA profile has since dropped the address
      // family, so both lists merge into one provider set per customer.
      found = true;
      if (c.Peek() != JsonCursor::Type::kObject) {
        Problem(name + ": provider_authorizations", "not an object");
        go_on = c.Skip();
      } else {
        c.BeginObject();
        std::string_view afi;
        JsonCursor::Step s2;
        while (go_on && (s2 = c.NextMember(&afi)) == JsonCursor::Step::kItem) {
          const std::string label = "provider_authorizations." + std::string(afi);
          if (c.Peek() != JsonCursor::Type::kArray) {
            Problem(name + ": " + label, "not an array");
            go_on = c.Skip();
          } else {
            go_on = loader.Aspas(label);
          }
        }
        if (go_on && s2 == JsonCursor::Step::kError) go_on = false;
      }
    } else {
      go_on = c.Skip();
    }
    if (!go_on) break;
  }
  if (c.failed()) {
    loader.Broken(name);
  } else {
    c.AtEnd();
    if (c.failed()) loader.Broken(name);
  }
  if (!found) {
    return Status::Corrupt(name + ": not VRP JSON (no \"roas\" or \"aspas\" array)");
  }
  return Status::Ok();
}

bool JsonLoader::Roas(std::string_view text) {
  const size_t size_hint = text.size();
  LargeVector<Vrp>& vrps = set_.vrps_;
  // The shortest entry, {"asn":1,"prefix":"1.0.0.0/8","maxLength":8}, is
  // 45 bytes: this bound is never exceeded, and the pages of a large
  // vector are only touched as they are filled (core/large_alloc.h).
  vrps.reserve(std::min(kMaxVrps, vrps.size() + size_hint / 45 + 16));
  std::string ta_text;
  // The fast path; on anything it does not take, what it added is undone
  // and the cursor reads the array again.
  const size_t vrps_before = vrps.size(), tas_before = set_.trust_anchors_.size();
  if (const size_t end = set_.json_fast_path_ ? FastRoas(text, c_.offset()) : 0) {
    c_.SkipParsed(end);
    set_.dirty_ = true;
    return true;
  }
  vrps.resize(vrps_before);
  set_.trust_anchors_.resize(tas_before);
  using Type = JsonCursor::Type;
  auto full = [&] { return vrps.size() >= kMaxVrps; };
  return EachObject(
      "roas", full, "more than 20,000,000 VRPs; the rest is ignored", [&](const auto& where) {
        bool have_asn = false, asn_ok = false, have_prefix = false, have_max = false;
        Asn asn = 0;
        std::optional<Prefix> prefix;
        std::string_view prefix_text;
        std::string prefix_copy;
        uint64_t max = 0;
        bool max_ok = false;
        ta_text.clear();
        std::string_view key;
        JsonCursor::Step step;
        while ((step = c_.NextMember(&key)) == JsonCursor::Step::kItem) {
          if (key == "asn") {
            have_asn = true;
            asn_ok = JsonAsn(c_, &asn);
          } else if (key == "prefix") {
            have_prefix = true;
            if (c_.Peek() == Type::kString) {
              if (!c_.String(&prefix_text)) break;
              prefix = Prefix::Parse(prefix_text);
              if (!prefix) prefix_copy.assign(prefix_text);
            } else if (!c_.Skip()) {
              break;
            }
          } else if (key == "maxLength") {
            have_max = true;
            if (c_.Peek() == Type::kNumber) {
              bool ok = c_.Uint64(&max);
              if (!ok && c_.failed()) {
                // Not an unsigned integer: JsonCursor refused it without
                // consuming it, which is fatal for the document.
                break;
              }
              max_ok = ok && max <= 255;
            } else if (!c_.Skip()) {
              break;
            }
          } else if (key == "ta") {
            std::string_view sv;
            if (c_.Peek() == Type::kString) {
              if (!c_.String(&sv)) break;
              ta_text.assign(sv);
            } else if (!c_.Skip()) {
              break;
            }
          } else if (!c_.Skip()) {
            break;
          }
          if (c_.failed()) break;
        }
        if (c_.failed()) return;
        if (!have_asn || !have_prefix || !have_max) {
          Problem(where(), "entry lacks prefix, asn or maxLength");
        } else if (!asn_ok) {
          Problem(where(), "bad asn");
        } else if (!prefix) {
          Problem(where(), "bad prefix \"" + prefix_copy + "\"");
        } else if (!max_ok) {
          Problem(where(), "bad maxLength");
        } else if (!set_.Add(*prefix, static_cast<uint8_t>(max), asn, ta_text)) {
          Problem(where(), fmt::format("RFC 6482 §3.3: maxLength {} outside [{}, {}]", max,
                                       prefix->length(), prefix->address().bit_width()));
        }
      });
}

namespace {
bool JsonSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// Dotted-quad IPv4 "a.b.c.d/len" in canonical form only (no leading zeros,
// a length of one or two digits, no host bits): a subset of what
// Prefix::Parse accepts, with the same value. Anything else goes to
// Prefix::Parse.
std::optional<Prefix> FastPrefix(std::string_view t) {
  const char* p = t.data();
  const char* end = p + t.size();
  uint32_t addr = 0;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (p == end || *p != '.') return Prefix::Parse(t);
      ++p;
    }
    unsigned v = 0;
    const char* start = p;
    while (p != end && p - start < 4 && *p >= '0' && *p <= '9') v = v * 10 + unsigned(*p++ - '0');
    const long digits = p - start;
    if (digits == 0 || digits > 3 || v > 255 || (digits > 1 && *start == '0')) {
      return Prefix::Parse(t);
    }
    addr = addr << 8 | v;
  }
  if (p == end || *p != '/') return Prefix::Parse(t);
  ++p;
  unsigned len = 0;
  const char* start = p;
  while (p != end && p - start < 3 && *p >= '0' && *p <= '9') len = len * 10 + unsigned(*p++ - '0');
  if (p != end || p == start || p - start > 2 || len > 32) return Prefix::Parse(t);
  if (len < 32 && (addr & (0xFFFFFFFFu >> len)) != 0) return Prefix::Parse(t);
  return Prefix(IpAddress::V4(addr), static_cast<uint8_t>(len));
}
}  // namespace

namespace {
// The reader of the fast path: JSON of one shape, refusing (false or
// nullptr) anything else rather than reporting it.
struct FastReader {
  const char* p;
  const char* end;

  void Space() {
    while (p != end && JsonSpace(*p)) ++p;
  }
  // A string without escapes or control characters.
  bool String(std::string_view* out) {
    if (p == end || *p != '"') return false;
    const char* s = ++p;
    if constexpr (std::endian::native == std::endian::little) {
      // Eight bytes at a time to the first '"', '\\' or control character:
      // a byte's flag is exact for the lowest flagged byte.
      constexpr uint64_t k01 = 0x0101010101010101ull, k80 = 0x8080808080808080ull;
      while (end - p >= 8) {
        uint64_t w;
        std::memcpy(&w, p, 8);
        const uint64_t q = w ^ (k01 * '"'), b = w ^ (k01 * '\\');
        const uint64_t hit = (((q - k01) & ~q) | ((b - k01) & ~b) | ((w - k01 * 0x20) & ~w)) & k80;
        if (hit != 0) {
          p += __builtin_ctzll(hit) / 8;
          break;
        }
        p += 8;
      }
    }
    while (p != end && *p != '"') {
      if (*p == '\\' || static_cast<unsigned char>(*p) < 0x20) return false;
      ++p;
    }
    if (p == end) return false;
    *out = std::string_view(s, static_cast<size_t>(p - s));
    ++p;
    return true;
  }
  // 0 or [1-9][0-9]*, at most 19 digits, with no fraction or exponent.
  bool Number(uint64_t* out) {
    const char* s = p;
    uint64_t v = 0;
    while (p != end && *p >= '0' && *p <= '9' && p - s < 20) v = v * 10 + uint64_t(*p++ - '0');
    const long digits = p - s;
    if (digits == 0 || digits > 19 || (digits > 1 && *s == '0')) return false;
    if (p != end && (*p == '.' || *p == 'e' || *p == 'E' || (*p >= '0' && *p <= '9'))) return false;
    *out = v;
    return true;
  }
  static bool Is(std::string_view key, const char (&word)[4]) {
    return key.size() == 3 && std::memcmp(key.data(), word, 3) == 0;
  }
  // One entry at p, "{...}", that the cursor path would load without a
  // problem: asn, prefix and maxLength once each (RFC 6482 §3.3 bounds),
  // ta at most once, other members with string or integer values.
  bool Entry(Vrp* out, std::string_view* ta) {
    if (p == end || *p != '{') return false;
    ++p;
    bool have_asn = false, have_prefix = false, have_max = false, have_ta = false;
    uint64_t max = 0;
    *ta = {};
    while (true) {
      Space();
      std::string_view key;
      if (!String(&key)) return false;  // also an empty object: the cursor reports it
      Space();
      if (p == end || *p != ':') return false;
      ++p;
      Space();
      if (p == end) return false;
      const bool is_string = *p == '"';
      std::string_view sv;
      uint64_t n = 0;
      if (is_string ? !String(&sv) : !Number(&n)) return false;
      if (Is(key, "asn")) {
        if (have_asn) return false;
        have_asn = true;
        if (is_string) {
          if (!ParseAsn(sv, &out->asn)) return false;
        } else {
          if (n > 0xFFFFFFFFull) return false;
          out->asn = static_cast<Asn>(n);
        }
      } else if (key.size() == 6 && std::memcmp(key.data(), "prefix", 6) == 0) {
        if (have_prefix || !is_string) return false;
        have_prefix = true;
        const std::optional<Prefix> prefix = FastPrefix(sv);
        if (!prefix) return false;
        out->prefix = *prefix;
      } else if (key.size() == 9 && std::memcmp(key.data(), "maxLength", 9) == 0) {
        if (have_max || is_string) return false;
        have_max = true;
        max = n;
      } else if (key.size() == 2 && key[0] == 't' && key[1] == 'a') {
        if (have_ta || !is_string) return false;
        have_ta = true;
        *ta = sv;
      }
      Space();
      if (p == end) return false;
      if (*p == ',') {
        ++p;
        continue;
      }
      if (*p != '}') return false;
      ++p;
      break;
    }
    if (!have_asn || !have_prefix || !have_max || max < out->prefix.length() ||
        max > static_cast<uint64_t>(out->prefix.address().bit_width())) {
      return false;
    }
    out->max_length = static_cast<uint8_t>(max);
    return true;
  }

  // Entries from p, which is at the first one, to the array's end (returns
  // just past the ']') or to the entry that starts at `stop` (returns
  // stop). nullptr on anything the fast path does not take.
  template <typename TaIndex>
  const char* Entries(const char* stop, size_t cap, LargeVector<Vrp>* out, TaIndex ta_index) {
    std::string_view last_ta;
    uint16_t last_ta_index = 0;
    while (true) {
      if (p == stop) return stop;
      Vrp v;
      std::string_view ta;
      if (out->size() >= cap || !Entry(&v, &ta)) return nullptr;
      if (ta != last_ta) {
        last_ta_index = ta_index(ta);
        last_ta = ta;
      }
      v.ta = last_ta_index;
      out->push_back(v);
      Space();
      if (p == end) return nullptr;
      if (*p == ']') return p + 1;
      if (*p != ',') return nullptr;
      ++p;
      Space();
    }
  }
};

// Below this size the array is read on one thread.
constexpr size_t kSplitBytes = size_t{4} << 20;
}  // namespace

// The "roas" array of the common shape, read in tight passes rather than
// through the cursor: objects whose members have strings without escapes or
// non-negative integers as values, every entry good. Returns the offset
// past the closing ']', or 0 for anything else (other JSON, an entry that
// would be reported, the VRP cap reached): the cursor then reads the array
// again and gives its messages. What this accepts, the cursor path accepts
// with the same result (vrp_test and vrp_fuzz check the two against each
// other).
//
// A large array is read by two threads: the second starts at an entry
// boundary guessed past the middle ('{' after ','), the first reads up to
// it, and the guess holds only if the first arrives exactly there at the
// start of an entry (a guess inside a string is thereby refused, and the
// first thread reads on alone). The second thread numbers trust anchors on
// its own; they are renumbered in order of first appearance, as one thread
// would have.
//
// Measured on 600 k generated VRPs (41 MB): the cursor path took ~0.1 s of
// a 0.15 s load (bench/rov.sh).
size_t JsonLoader::FastRoas(std::string_view text, size_t pos) {
  const char* const begin = text.data();
  const char* const end = begin + text.size();
  LargeVector<Vrp>& vrps = set_.vrps_;
  FastReader r{begin + pos, end};
  if (r.p == end || *r.p != '[') return 0;
  ++r.p;
  r.Space();
  if (r.p != end && *r.p == ']') return static_cast<size_t>(r.p + 1 - begin);
  auto global_ta = [&](std::string_view ta) { return set_.TaIndex(ta); };

  const char* stop = nullptr;
  if (static_cast<size_t>(end - r.p) >= kSplitBytes && std::thread::hardware_concurrency() > 1) {
    const char* guess = r.p + (end - r.p) / 2;
    for (; guess != end; ++guess) {
      if (*guess != '{') continue;
      const char* q = guess;
      while (q != r.p && JsonSpace(q[-1])) --q;
      if (q != r.p && q[-1] == ',') break;
    }
    if (guess != end) stop = guess;
  }
  if (stop == nullptr) {
    const char* done = r.Entries(nullptr, kMaxVrps, &vrps, global_ta);
    return done ? static_cast<size_t>(done - begin) : 0;
  }
  LargeVector<Vrp> second;
  std::vector<std::string> second_tas;  // local numbers 1..n
  const char* second_done = nullptr;
  std::thread worker([&] {
    second.reserve(static_cast<size_t>(end - stop) / 45 + 16);
    FastReader r2{stop, end};
    second_done = r2.Entries(nullptr, kMaxVrps, &second, [&](std::string_view ta) -> uint16_t {
      if (ta.empty()) return 0;
      for (size_t i = 0; i < second_tas.size(); ++i) {
        if (second_tas[i] == ta) return static_cast<uint16_t>(i + 1);
      }
      if (second_tas.size() >= 65534) return 0xFFFF;  // renumbered below as the table says
      second_tas.emplace_back(ta);
      return static_cast<uint16_t>(second_tas.size());
    });
  });
  const char* first_done = r.Entries(stop, kMaxVrps, &vrps, global_ta);
  worker.join();
  if (first_done == nullptr) return 0;
  if (first_done != stop) return static_cast<size_t>(first_done - begin);  // the guess was wrong
  // The cap as one thread would apply it: fail when an entry finds the set full.
  if (second_done == nullptr || vrps.size() + second.size() > kMaxVrps ||
      second_tas.size() >= 65534) {
    return 0;
  }
  std::vector<uint16_t> renumber(second_tas.size() + 1, 0);
  for (size_t i = 0; i < second_tas.size(); ++i) renumber[i + 1] = set_.TaIndex(second_tas[i]);
  for (Vrp& v : second) v.ta = renumber[v.ta];
  vrps.insert(vrps.end(), second.begin(), second.end());
  return static_cast<size_t>(second_done - begin);
}

// One ASPA list: [{"customer" | "customer_asid": N, "providers": [N |
// "ASN" | {"asid": N}, ...], "expires": T}, ...].
bool JsonLoader::Aspas(const std::string& label) {
  AspaSet& aspas = set_.aspas_;
  using Type = JsonCursor::Type;
  std::vector<Asn> providers;
  auto full = [&] { return aspas.size() >= kMaxAspas; };
  return EachObject(
      label, full, "more than 1,000,000 ASPAs; the rest is ignored", [&](const auto& where) {
        bool have_customer = false, customer_ok = false, have_providers = false,
             bad_provider = false;
        Asn customer = 0;
        providers.clear();
        std::string_view key;
        while (c_.NextMember(&key) == JsonCursor::Step::kItem) {
          if (key == "customer" || key == "customer_asid") {
            have_customer = true;
            customer_ok = JsonAsn(c_, &customer);
          } else if (key == "providers" || key == "provider_set") {
            have_providers = true;
            if (c_.Peek() != Type::kArray) {
              bad_provider = true;
              if (!c_.Skip()) break;
              continue;
            }
            c_.BeginArray();
            while (c_.NextElement() == JsonCursor::Step::kItem) {
              Asn a = 0;
              bool ok = false;
              if (c_.Peek() == Type::kObject) {
                // Early profile drafts: {"asid": N, "afi_limit": "ipv4"}.
                c_.BeginObject();
                std::string_view k2;
                while (c_.NextMember(&k2) == JsonCursor::Step::kItem) {
                  if (k2 == "asid") {
                    ok = JsonAsn(c_, &a);
                  } else if (!c_.Skip()) {
                    break;
                  }
                }
              } else {
                ok = JsonAsn(c_, &a);
              }
              if (c_.failed()) break;
              if (!ok || providers.size() >= kMaxAspaProviders) {
                bad_provider = true;
                continue;
              }
              providers.push_back(a);
            }
          } else if (!c_.Skip()) {
            break;
          }
          if (c_.failed()) break;
        }
        if (c_.failed()) return;
        if (!have_customer || !have_providers) {
          Problem(where(), "entry lacks customer or providers");
        } else if (!customer_ok) {
          Problem(where(), "bad customer ASN");
        } else if (bad_provider) {
          Problem(where(),
                  fmt::format("bad provider list (not ASNs, or more than {})", kMaxAspaProviders));
        } else if (customer == 0) {
          // draft-ietf-sidrops-aspa-profile §3.2: the customer is never AS 0.
          Problem(where(), "customer AS0");
        } else {
          aspas.Add(customer, providers);
        }
      });
}

namespace {
std::vector<std::string_view> SplitCsv(std::string_view line) {
  std::vector<std::string_view> f;
  size_t start = 0;
  while (true) {
    size_t c = line.find(',', start);
    std::string_view v = line.substr(start, c == std::string_view::npos ? c : c - start);
    while (!v.empty() && (v.front() == ' ' || v.front() == '"')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '"' || v.back() == '\r'))
      v.remove_suffix(1);
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
        if (h == "max length" || h == "maxlength" || h == "max_length")
          col_max = static_cast<int>(i);
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
    std::string ta = col_ta >= 0 && col_ta < static_cast<int>(f.size())
                         ? std::string(f[static_cast<size_t>(col_ta)])
                         : "";
    if (!Add(*prefix, static_cast<uint8_t>(max), asn, ta)) {
      Problem(where, fmt::format("RFC 6482 §3.3: max length {} outside [{}, {}]", max,
                                 prefix->length(), prefix->address().bit_width()));
    }
  }
  if (col_asn < 0) return Status::Corrupt(name + ": empty VRP file");
  return Status::Ok();
}

}  // namespace vigia::rpki
