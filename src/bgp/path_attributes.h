// BGP path attributes of one UPDATE (RFC 4271 §4.3, §5) and their decoder.
//
// PathAttributes is a reusable decode target: Clear() resets it but keeps
// the capacity of its vectors, so a reader that decodes millions of
// attribute sets allocates almost nothing after warm-up. Spans inside it
// (unknown attributes, raw NLRI) point into the caller's buffer and are valid
// only as long as that buffer is. Not thread-safe.
//
// Decoding walks the attribute table (attr_table.h) and applies RFC 7606:
// a malformed attribute is either discarded (its field left unset) or makes
// the whole route "treat-as-withdraw"; every action taken is listed in
// errors with the rule that names it. Session reset, the third action, does
// not exist for recorded data: where the RFC names it, treat-as-withdraw is
// applied instead. Nothing is read past the buffer.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/asn.h"
#include "core/ip.h"
#include "core/limits.h"
#include "core/status.h"

namespace vigia::bgp {

// Attribute type codes (IANA "BGP Path Attributes").
enum AttrType : uint8_t {
  kAttrOrigin = 1,
  kAttrAsPath = 2,
  kAttrNextHop = 3,
  kAttrMed = 4,
  kAttrLocalPref = 5,
  kAttrAtomicAggregate = 6,
  kAttrAggregator = 7,
  kAttrCommunities = 8,
  kAttrOriginatorId = 9,
  kAttrClusterList = 10,
  kAttrMpReach = 14,
  kAttrMpUnreach = 15,
  kAttrExtCommunities = 16,
  kAttrAs4Path = 17,
  kAttrAs4Aggregator = 18,
  kAttrLargeCommunities = 32,
  kAttrOtc = 35,
};

inline constexpr uint8_t kFlagOptional = 0x80;
inline constexpr uint8_t kFlagTransitive = 0x40;
inline constexpr uint8_t kFlagPartial = 0x20;
inline constexpr uint8_t kFlagExtendedLength = 0x10;

enum AsSegmentType : uint8_t {
  kAsSet = 1,
  kAsSequence = 2,
  kAsConfedSequence = 3,
  kAsConfedSet = 4,
};

// An AS_PATH as segments over one flat ASN array (no allocation per segment).
struct AsPath {
  struct Segment {
    uint8_t type;
    uint16_t count;  // ASNs in this segment
  };
  std::vector<Segment> segments;
  std::vector<Asn> asns;
  // The attribute did not parse (bad segment type, or a segment longer than
  // the attribute). bgpdump prints such a path as "! Error !".
  bool malformed = false;

  void Clear() {
    segments.clear();
    asns.clear();
    malformed = false;
  }
  bool empty() const { return segments.empty(); }
  // RFC 4271 §9.1.2.2 path length as bgpdump counts it: each set (and
  // confederation set) counts 1, each sequence its length.
  size_t HopCount() const;
  // The origin AS: last ASN of a trailing AS_SEQUENCE, or 0 when the path is
  // empty or ends in a set (an AS_SET origin never matches, RFC 6811 §2).
  Asn Origin() const;
  // "701 3549 {64512,64513}" as bgpdump prints it.
  std::string ToString() const;
  // The same text written at out; needs kMaxAsPathText bytes of room. Like
  // bgpdump, the text is cut with "..." once it passes 7,900 characters
  // (about 1,300 ASNs).
  char* Format(char* out) const { return Format(out, kAsPathTextCut); }
  // The whole text, never cut; needs FullTextRoom() bytes.
  char* FormatFull(char* out) const { return Format(out, SIZE_MAX); }
  size_t FullTextRoom() const { return asns.size() * 11 + segments.size() * 3 + 16; }

  static constexpr size_t kAsPathTextCut = 7900;

 private:
  char* Format(char* out, size_t cut) const;
};

// bgpdump cuts AS path text after 7,900 characters with "..."; the room
// Format() needs is bounded by that.
inline constexpr size_t kMaxAsPathText = 8000;

struct NlriEntry {
  Prefix prefix;
  uint32_t path_id = 0;  // RFC 7911, when ADD-PATH is in use
  // Labeled NLRI only (SAFI 4, RFC 8277; SAFI 128, RFC 4364 §4.3.4): the
  // 20-bit MPLS labels in stack order, and the route distinguisher's 8
  // octets as a big-endian number (0 = none: unicast, or SAFI 4).
  uint8_t label_count = 0;
  uint32_t labels[kMaxLabelStack] = {};
  uint64_t rd = 0;
};

// A route distinguisher as text (RFC 4364 §4.2): type 0 "asn2:n4", type 1
// "a.b.c.d:n2", type 2 "asn4:n2" (the forms tshark and IOS print); another
// type as "type:hex".
std::string FormatRd(uint64_t rd);

// Address family identifiers (IANA).
inline constexpr uint16_t kAfiIpv4 = 1;
inline constexpr uint16_t kAfiIpv6 = 2;
inline constexpr uint8_t kSafiUnicast = 1;
inline constexpr uint8_t kSafiMulticast = 2;
inline constexpr uint8_t kSafiUnicastMulticast = 3;  // obsolete, still seen in old dumps
inline constexpr uint8_t kSafiLabeled = 4;           // RFC 8277 labeled unicast
inline constexpr uint8_t kSafiMplsVpn = 128;         // RFC 4364 VPN-IPv4, RFC 4659 VPN-IPv6

// The SAFIs whose NLRI carry labels (and, for 128, a route distinguisher).
// Consumers that want only the global unicast table skip these.
inline bool IsLabeledSafi(uint8_t safi) { return safi == kSafiLabeled || safi == kSafiMplsVpn; }

// MP_REACH_NLRI (RFC 4760 §3) or its MRT abbreviation (RFC 6396 §4.3.4).
struct MpReach {
  uint16_t afi = 0;
  uint8_t safi = 0;
  // As encoded: 4, 16 or 32 (global + link-local); for SAFI 128 the same
  // with an 8-octet route distinguisher (always 0) before each address: 12,
  // 24 or 48 (RFC 4364 §4.3.2, RFC 4659 §3.2.1). A 16/32-octet next hop for
  // AFI 1 is RFC 8950's IPv6 next hop for IPv4 NLRI.
  uint8_t next_hop_length = 0;
  IpAddress next_hop;
  IpAddress next_hop_link_local;
  bool abbreviated = false;  // MRT RIB form: next hop only, no AFI/SAFI/NLRI
  bool supported = false;    // AFI/SAFI that we decode NLRI for (IPv4/IPv6, SAFI 1-4, 128)
  std::vector<NlriEntry> nlri;
};

struct MpUnreach {
  uint16_t afi = 0;
  uint8_t safi = 0;
  bool supported = false;
  std::vector<NlriEntry> nlri;
};

struct LargeCommunity {
  uint32_t global_admin, local1, local2;
  friend bool operator==(const LargeCommunity&, const LargeCommunity&) = default;
};

struct RawAttribute {
  uint8_t flags;
  uint8_t type;
  std::span<const uint8_t> data;
};

// RFC 7606 §2 error actions, mildest first.
enum class AttrAction : uint8_t {
  kNone,
  kAttributeDiscard,  // the attribute is ignored, the route kept
  kTreatAsWithdraw,   // the route is handled as a withdrawal of its prefixes
};

// One RFC 7606 action taken while decoding a block.
struct AttrError {
  uint8_t type = 0;  // attribute type code (0 when the block itself is damaged)
  AttrAction action = AttrAction::kNone;
  const char* rule = "";  // "RFC 7606 §7.7"
  std::string message;    // what was wrong, with the attribute's offset
};

// Where the attributes come from decides how some of them are encoded.
struct AttrContext {
  int as_size = 4;        // AS_PATH/AGGREGATOR width: 2 (old sessions, MRT v1) or 4
  bool add_path = false;  // RFC 7911 path identifiers in MP NLRI
  // An MRT RIB entry (RFC 6396 §4.2, §4.3.4): the abbreviated MP_REACH is
  // allowed, and attribute flags are not checked (RFC 7606 §3 c is about
  // what a peer sent; a RIB dump's flags are the dumper's).
  bool mrt_rib = false;
};

class PathAttributes {
 public:
  void Clear();

  // Decodes a path attribute block. Returns OK when the route stands
  // (possibly with attributes discarded, see errors); otherwise the Status
  // of the first error that makes the route treat-as-withdraw. Decoding goes
  // on after a treat-as-withdraw error while the block can be walked, so
  // that MP_REACH_NLRI / MP_UNREACH_NLRI prefixes are still known.
  Status Decode(std::span<const uint8_t> data, const AttrContext& ctx);

  // The strongest action in errors.
  AttrAction action() const { return action_; }
  bool withdrawn() const { return action_ == AttrAction::kTreatAsWithdraw; }
  // Every RFC 7606 action taken, in block order. Empty for a clean block.
  const std::vector<AttrError>& errors() const { return errors_; }

  bool Has(uint8_t type) const { return (present_[type >> 6] >> (type & 63)) & 1; }
  // Marks an attribute present, for code that builds attributes to encode.
  void Set(uint8_t type) { present_[type >> 6] |= uint64_t{1} << (type & 63); }
  void Unset(uint8_t type) { present_[type >> 6] &= ~(uint64_t{1} << (type & 63)); }
  // Appends an MP_REACH / MP_UNREACH block to fill in (reusing storage).
  MpReach& AddMpReach() {
    Set(kAttrMpReach);
    return NextMpReach();
  }
  MpUnreach& AddMpUnreach() {
    Set(kAttrMpUnreach);
    return NextMpUnreach();
  }

  // RFC 4271 §5.1.1: 0 IGP, 1 EGP, 2 INCOMPLETE.
  uint8_t origin = 0;
  // The effective AS path: AS_PATH merged with AS4_PATH per RFC 6793 §4.2.3.
  AsPath as_path;
  AsPath as4_path;  // as received, when present
  IpAddress next_hop = IpAddress::V4(0xFFFFFFFF);
  uint32_t med = 0;
  uint32_t local_pref = 0;
  // AGGREGATOR after the RFC 6793 AS4_AGGREGATOR merge.
  Asn aggregator_as = 0;
  IpAddress aggregator_addr = IpAddress::V4(0xFFFFFFFF);
  std::vector<uint32_t> communities;
  std::vector<uint64_t> ext_communities;  // 8 octets each, network order packed big-endian
  std::vector<LargeCommunity> large_communities;
  IpAddress originator_id;
  std::vector<uint32_t> cluster_list;
  uint32_t otc = 0;  // RFC 9234 Only-To-Customer
  // MP_REACH / MP_UNREACH blocks in the order they appeared.
  std::vector<MpReach> mp_reach;
  std::vector<MpUnreach> mp_unreach;
  std::vector<RawAttribute> unknown;
  size_t mp_reach_count = 0;
  size_t mp_unreach_count = 0;
  // Total size of the attribute block, in bytes.
  size_t length = 0;
  // MP NLRI carried RFC 7911 path identifiers although the context said not.
  bool add_path_detected = false;
  // Set when something was decoded with a repair; empty otherwise.
  std::string warning;

 private:
  friend struct AttrCodec;  // the decode and encode functions of attr_table.cc
  void AddError(uint8_t type, AttrAction action, const char* rule, std::string message);
  Status DecodeMpReach(std::span<const uint8_t> body, const AttrContext& ctx);
  Status DecodeMpUnreach(std::span<const uint8_t> body, const AttrContext& ctx);
  void MergeAs4(const AttrContext& ctx);
  Status DecodeMpNlri(std::span<const uint8_t> data, Family f, uint8_t safi, bool reach,
                      const AttrContext& ctx, std::vector<NlriEntry>* out);
  MpReach& NextMpReach();
  MpUnreach& NextMpUnreach();

  uint64_t present_[4] = {0, 0, 0, 0};
  AttrAction action_ = AttrAction::kNone;
  std::vector<AttrError> errors_;
  Asn as4_aggregator_as_ = 0;
  IpAddress as4_aggregator_addr_;
};

// Decodes an NLRI list (RFC 4271 §4.3, RFC 4760 §5, RFC 7911 §3) into out
// (appending). Prefix lengths over the family's width are an error.
Status DecodeNlri(std::span<const uint8_t> data, Family family, bool add_path,
                  std::vector<NlriEntry>* out);

// Decodes a labeled NLRI list (RFC 8277 §2, RFC 4364 §4.3.4 with vpn, RFC
// 7911 §3 with add_path) into out (appending): each entry's length counts
// the label stack, the route distinguisher and the prefix. Labels are read
// up to the bottom-of-stack bit (at most kMaxLabelStack); in a withdrawal
// (reach false) the RFC 8277 §2.4 compatibility value 0x800000 or 0 ends
// the stack too.
Status DecodeLabeledNlri(std::span<const uint8_t> data, Family family, bool vpn, bool reach,
                         bool add_path, std::vector<NlriEntry>* out);

// kMaxAsPathAsns (core/limits.h) caps an AS_PATH: a longer one is not
// malformed, but the route is treated as withdrawn (reported with the rule
// "cap kMaxAsPathAsns"); the other routes of the record are unaffected.

}  // namespace vigia::bgp
