// The path attribute table: one row per attribute type code, saying how the
// attribute is named, flagged, decoded and encoded, and what RFC 7606 says
// to do when it is malformed (BIRD's bgp_attr_table is the model).
//
// PathAttributes::Decode and EncodeAttributes walk this table instead of
// switching on the type, so a new attribute is one row here, one decode and
// one encode function, and its field in PathAttributes. Types without a row
// (decode == nullptr) are kept raw in PathAttributes::unknown.
//
// Text formats are not rows of the table: bgpdump's line puts attributes in
// fixed columns (path, origin, next hop, ...) and docs/mrt-json.md fixes the
// key order, so the formatters (src/mrt/) read the decoded fields; they use
// the row names in their error text.
//
// The table is a constant array: thread-safe, no ownership.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "bgp/path_attributes.h"
#include "core/status.h"

namespace vigia::bgp {

struct AttrSpec {
  // IANA name ("AGGREGATOR"); nullptr for a type we do not decode.
  const char* name = nullptr;
  // The Optional and Transitive bits the attribute must carry (RFC 4271
  // §4.3, §5); the Partial and Extended Length bits are not checked.
  uint8_t flags = 0;
  // What RFC 7606 (or the attribute's own RFC) names for a malformed
  // attribute, including one with conflicting flags (RFC 7606 §3 c).
  AttrAction on_error = AttrAction::kTreatAsWithdraw;
  // The rule that names the action ("RFC 7606 §7.7").
  const char* rule = nullptr;
  // Decodes body into a; false, with the reason in *error, when the
  // attribute is malformed. A failed decode leaves the attribute's field
  // as it was before, so that an attribute discard needs no undo. (A bool
  // rather than a Status: the common case then builds no Status.)
  bool (*decode)(PathAttributes& a, std::span<const uint8_t> body, const AttrContext& ctx,
                 Status* error) = nullptr;
  // Appends the attribute (header and body) when a holds it.
  void (*encode)(const PathAttributes& a, const AttrContext& ctx,
                 std::vector<uint8_t>* out) = nullptr;
};

// The rows, indexed by type code (attr_table.cc).
extern const std::array<AttrSpec, 256> kAttrTable;

// The row of a type code; a row with decode == nullptr for unknown types.
inline const AttrSpec& AttrSpecFor(uint8_t type) { return kAttrTable[type]; }

// "AGGREGATOR", or "attribute 200" for a type without a row.
std::string AttrName(uint8_t type);

// "attribute discard", "treat-as-withdraw".
std::string_view AttrActionName(AttrAction a);

// Appends one attribute: flags, type, length (extended when the body needs
// it), body (RFC 4271 §4.3).
void AppendAttribute(uint8_t flags, uint8_t type, std::span<const uint8_t> body,
                     std::vector<uint8_t>* out);

}  // namespace vigia::bgp
