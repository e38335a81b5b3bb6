// Validated ROA Payloads (RFC 6811 §2) and the loaders for the formats
// relying-party software writes: rpki-client JSON, Routinator JSON and CSV,
// and the RIPE NCC validator CSV.
//
// A VrpSet owns its VRPs and a VrpIndex over them. Loading never stops at
// a bad entry: each is reported with file and line (or JSON index), skipped
// and counted. Built once, then read-only and safe to share between threads.
// A large JSON file is parsed by two threads for the duration of the load
// (vrp.cc: the fast path).
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "core/asn.h"
#include "core/ip.h"
#include "core/large_alloc.h"
#include "core/limits.h"
#include "core/problem_log.h"
#include "core/status.h"
#include "rpki/aspa.h"
#include "rpki/vrp_index.h"

namespace vigia::rpki {

struct Vrp {
  Prefix prefix;
  uint8_t max_length = 0;
  Asn asn = 0;
  uint16_t ta = 0;  // index into VrpSet::trust_anchors(); 0 = unknown
  friend bool operator==(const Vrp&, const Vrp&) = default;
};

class VrpSet {
 public:
  VrpSet() { trust_anchors_.push_back(""); }

  // Adds a VRP; false (and nothing added) when max_length is outside
  // [prefix length, address width] (RFC 6482 §3.3).
  bool Add(const Prefix& prefix, uint8_t max_length, Asn asn, const std::string& ta = "");

  // Loads a file, recognising the format from its content: JSON with a
  // "roas" array (rpki-client, Routinator) or CSV with a header naming
  // ASN, IP Prefix and Max Length columns (Routinator, RIPE validator).
  // Fails only when the file cannot be read or has no recognisable form.
  Status LoadFile(const std::string& path);
  // The same from text in memory; name is used in messages.
  Status LoadText(const std::string& text, const std::string& name);
  // The same from a buffer.
  Status LoadBuffer(const char* data, size_t size, const std::string& name);

  // For tests and fuzzing: false reads JSON "roas" arrays with the general
  // cursor path only (the fast path must give the same result; vrp.cc).
  void set_json_fast_path(bool on) { json_fast_path_ = on; }

  // Removes the VRPs for which pred(vrp) is true; returns how many.
  template <class Pred>
  size_t RemoveIf(Pred pred) {
    const auto it = std::remove_if(vrps_.begin(), vrps_.end(), pred);
    const size_t n = static_cast<size_t>(vrps_.end() - it);
    vrps_.erase(it, vrps_.end());
    dirty_ = dirty_ || n > 0;
    return n;
  }

  size_t size() const { return vrps_.size(); }
  const LargeVector<Vrp>& vrps() const { return vrps_; }
  const std::vector<std::string>& trust_anchors() const { return trust_anchors_; }
  // The covering-VRP index. Loading builds it; after Add(), call Build()
  // before sharing the set between threads (queries build it on demand).
  const VrpIndex& index() const {
    if (dirty_) const_cast<VrpSet*>(this)->Build();
    return index_;
  }
  void Build() {
    index_.Build(vrps_);
    dirty_ = false;
  }
  // ASPA objects found in the same files (rpki-client "aspas" or the older
  // "provider_authorizations").
  const AspaSet& aspas() const { return aspas_; }
  AspaSet& aspas() { return aspas_; }
  // Bad entries, where is "file:line" or "file: roas[i]".
  const ProblemLog& problems() const { return problems_; }
  size_t skipped() const { return problems_.count(); }

 private:
  Status LoadJson(std::string_view text, const std::string& name);
  Status LoadCsv(std::string_view text, const std::string& name);
  friend class JsonLoader;  // vrp.cc: the "roas" and "aspas" arrays
  void Problem(std::string where, std::string message);
  // The index of trust anchor ta, added if new (0 when the table is full).
  uint16_t TaIndex(std::string_view ta);

  LargeVector<Vrp> vrps_;
  std::vector<std::string> trust_anchors_;
  VrpIndex index_;
  AspaSet aspas_;
  bool dirty_ = false;
  bool json_fast_path_ = true;
  ProblemLog problems_;
};

// Caps: core/limits.h.

}  // namespace vigia::rpki
