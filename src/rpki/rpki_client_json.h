// Writing VRPs, ASPAs and router keys as rpki-client JSON, the format
// rpki-client(8) writes with -j and StayRTR, Vigía's VrpSet::LoadFile and
// most relying-party tooling read:
//
//   {"metadata": {"buildtime": "...", "generated": N, "vrps": N, "vaps": N, ...},
//    "roas": [{"asn": N, "prefix": "...", "maxLength": N, "ta": "..."}],
//    "bgpsec_keys": [{"asn": N, "ski": "hex", "pubkey": "base64", "ta": "..."}],
//    "aspas": [{"customer_asid": N, "providers": [N, ...]}]}
//
// "aspas" with "customer_asid" is what rpki-client 8.x and later write (the
// profile is address-family independent). StayRTR 0.5 reads only the older
// "provider_authorizations" {"ipv4": [...], "ipv6": [...]} form; set
// legacy_aspa to write that too.
//
// The text is formatted by hand, one entry per line as rpki-client does:
// a full global set is ~500,000 VRPs. Functions only; no state.
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/status.h"
#include "rpki/rtr_client.h"
#include "rpki/rtr_pdu.h"
#include "rpki/vrp.h"

namespace vigia::rpki {

struct RpkiClientJsonMetadata {
  time_t build_time = 0;  // "buildtime" (ISO 8601 UTC) and "generated"
  std::string source;     // e.g. "rtr://192.0.2.1:323"; "" = none
  // Where the data came from RTR: session, serial and version.
  std::optional<uint16_t> rtr_session_id;
  std::optional<uint32_t> rtr_serial;
  std::optional<uint8_t> rtr_version;
  // Also write "provider_authorizations" (ipv4 and ipv6 lists) for readers
  // that predate "aspas", such as StayRTR 0.5.
  bool legacy_aspa = false;
};

// The JSON text for a VrpSet (its VRPs with their trust anchors, and its
// ASPAs) plus router keys.
std::string FormatRpkiClientJson(const VrpSet& set, const RpkiClientJsonMetadata& meta,
                                 std::span<const rtr::RouterKey> router_keys = {});

// The JSON text for what an RTR session delivered: trust anchor "rtr",
// metadata naming the cache, session, serial and version.
std::string FormatRpkiClientJson(const rtr::RtrSnapshot& snapshot, const std::string& source,
                                 bool legacy_aspa = false);

// Writes content to path atomically: a temporary file beside it, fsync,
// rename. Readers see the old file or the new one, never a part.
Status WriteFileAtomically(const std::string& path, std::string_view content);

}  // namespace vigia::rpki
