// `vigia watch init --asn N`: a starting `vigia watch` config for one AS,
// from what the routing data says it holds (BGPalerter's auto-configuration,
// but from RIBs, the IRR and RPKI rather than a web API).
//
// Own prefixes = the prefixes the RIB shows AS N originating (from any
// peer, at any time in the files), plus the prefixes of N's route objects
// in the IRR, plus the prefixes of N's VRPs. Each prefix's origins = N plus
// the other ASes the IRR (route objects of the exact prefix) and RPKI (VRPs
// of the exact prefix, AS0 excluded, RFC 6483 §4) authorise for it. Other
// origins seen only in the RIB are NOT added (they may be the very hijack
// to watch for); the YAML lists them in a comment for the operator to judge.
//
// Ownership: plain values. Thread safety: none needed. Inputs are read
// through the existing readers (mrt, irr, rpki, snapshot), which cap them.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "core/asn.h"
#include "core/ip.h"
#include "core/status.h"

namespace vigia::watch {

// Most prefixes one generated config lists (a large transit AS originates
// tens of thousands; kMaxWatchedPrefixes in config.h is the reader's cap).
inline constexpr size_t kMaxInitPrefixes = 200'000;

struct InitOptions {
  Asn asn = 0;
  std::vector<std::string> ribs;       // MRT files (RIB dumps or updates)
  std::vector<std::string> irr_files;  // RPSL or ARIN-WHOIS JSON
  std::vector<std::string> vrp_files;  // VRPs (rpki-client JSON, CSV)
  std::string snapshot_dir;            // a snapshot: its MRT, IRR and VRPs too
};

struct InitPrefix {
  Prefix prefix;
  std::set<Asn> origins;     // N and the IRR/RPKI-authorised others
  std::set<Asn> rib_others;  // other origins seen in the RIB only (commented)
  uint32_t rib_peers = 0;    // peers that saw N originate it (0: not in the RIB)
  bool in_irr = false, in_rpki = false;
};

struct InitResult {
  Asn asn = 0;
  std::vector<InitPrefix> prefixes;  // sorted (IPv4 first)
  uint64_t rib_prefixes = 0, irr_prefixes = 0, vrp_prefixes = 0;
  std::vector<std::string> sources;   // what was read, for the header comment
  std::vector<std::string> problems;  // first problems of the inputs
};

// Reads the inputs and collects AS N's prefixes. Fails when an input
// cannot be opened or when nothing at all was given.
Result<InitResult> BuildInit(const InitOptions& options);

// The commented YAML config (parses with ParseWatchConfig).
std::string RenderInitYaml(const InitResult& r, int64_t now_unix);

}  // namespace vigia::watch
