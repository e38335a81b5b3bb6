#include "registry/special_purpose.h"

#include <algorithm>
#include <vector>

namespace vigia::registry {

namespace {

constexpr Reachability T = Reachability::kTrue;
constexpr Reachability F = Reachability::kFalse;
constexpr Reachability NA = Reachability::kNotApplicable;

struct Row {
  const char* prefix;
  std::string_view name;
  std::string_view rfc;
  Reachability forwardable;
  Reachability global;
};

// Transcribed from the IANA IPv4 and IPv6 Special-Purpose Address Registries
// (RFC 6890 §2.2.2 and §2.2.3 as updated by RFC 8190), plus the multicast
// blocks, which those registries leave to their own registries.
constexpr Row kRows[] = {
    {"0.0.0.0/8", "\"This network\"", "RFC 791 §3.2", F, F},
    {"0.0.0.0/32", "\"This host on this network\"", "RFC 1122 §3.2.1.3", F, F},
    {"10.0.0.0/8", "Private-Use", "RFC 1918", T, F},
    {"100.64.0.0/10", "Shared Address Space", "RFC 6598", T, F},
    {"127.0.0.0/8", "Loopback", "RFC 1122 §3.2.1.3", F, F},
    {"169.254.0.0/16", "Link Local", "RFC 3927", F, F},
    {"172.16.0.0/12", "Private-Use", "RFC 1918", T, F},
    {"192.0.0.0/24", "IETF Protocol Assignments", "RFC 6890 §2.1", F, F},
    {"192.0.0.0/29", "IPv4 Service Continuity Prefix", "RFC 7335", T, F},
    {"192.0.0.8/32", "IPv4 dummy address", "RFC 7600", F, F},
    {"192.0.0.9/32", "Port Control Protocol Anycast", "RFC 7723", T, T},
    {"192.0.0.10/32", "Traversal Using Relays around NAT Anycast", "RFC 8155", T, T},
    {"192.0.0.170/32", "NAT64/DNS64 Discovery", "RFC 8880, RFC 7050 §2.2", F, F},
    {"192.0.0.171/32", "NAT64/DNS64 Discovery", "RFC 8880, RFC 7050 §2.2", F, F},
    {"192.0.2.0/24", "Documentation (TEST-NET-1)", "RFC 5737", F, F},
    {"192.31.196.0/24", "AS112-v4", "RFC 7535", T, T},
    {"192.52.193.0/24", "AMT", "RFC 7450", T, T},
    {"192.88.99.0/24", "Deprecated (6to4 Relay Anycast)", "RFC 7526", NA, NA},
    {"192.88.99.2/32", "6a44-relay anycast address", "RFC 6751", T, T},
    {"192.168.0.0/16", "Private-Use", "RFC 1918", T, F},
    {"192.175.48.0/24", "Direct Delegation AS112 Service", "RFC 7534", T, T},
    {"198.18.0.0/15", "Benchmarking", "RFC 2544", T, F},
    {"198.51.100.0/24", "Documentation (TEST-NET-2)", "RFC 5737", F, F},
    {"203.0.113.0/24", "Documentation (TEST-NET-3)", "RFC 5737", F, F},
    {"224.0.0.0/4", "Multicast", "RFC 5771", F, F},
    {"240.0.0.0/4", "Reserved", "RFC 1112 §4", F, F},
    {"255.255.255.255/32", "Limited Broadcast", "RFC 8190, RFC 919 §7", F, F},

    {"::/128", "Unspecified Address", "RFC 4291", F, F},
    {"::1/128", "Loopback Address", "RFC 4291", F, F},
    {"::ffff:0:0/96", "IPv4-mapped Address", "RFC 4291", F, F},
    {"64:ff9b::/96", "IPv4-IPv6 Translat.", "RFC 6052", T, T},
    {"64:ff9b:1::/48", "IPv4-IPv6 Translat. (local use)", "RFC 8215", T, F},
    {"100::/64", "Discard-Only Address Block", "RFC 6666", T, F},
    {"100:0:0:1::/64", "Dummy IPv6 Prefix", "RFC 9780", F, F},
    {"2001::/23", "IETF Protocol Assignments", "RFC 2928", F, F},
    {"2001::/32", "TEREDO", "RFC 4380, RFC 8190", T, NA},
    {"2001:1::1/128", "Port Control Protocol Anycast", "RFC 7723", T, T},
    {"2001:1::2/128", "Traversal Using Relays around NAT Anycast", "RFC 8155", T, T},
    {"2001:1::3/128", "DNS-SD Service Registration Protocol Anycast", "RFC 9665", T, T},
    {"2001:2::/48", "Benchmarking", "RFC 5180", T, F},
    {"2001:3::/32", "AMT", "RFC 7450", T, T},
    {"2001:4:112::/48", "AS112-v6", "RFC 7535", T, T},
    {"2001:10::/28", "Deprecated (previously ORCHID)", "RFC 4843", F, F},
    {"2001:20::/28", "ORCHIDv2", "RFC 7343", T, T},
    {"2001:30::/28", "Drone Remote ID Protocol Entity Tags (DETs) Prefix", "RFC 9374", T, T},
    {"2001:db8::/32", "Documentation", "RFC 3849", F, F},
    {"2002::/16", "6to4", "RFC 3056", T, NA},
    {"2620:4f:8000::/48", "Direct Delegation AS112 Service", "RFC 7534", T, T},
    {"3fff::/20", "Documentation", "RFC 9637", F, F},
    {"5f00::/16", "Segment Routing (SRv6) SIDs", "RFC 9602", T, F},
    {"fc00::/7", "Unique-Local", "RFC 4193, RFC 8190", T, F},
    {"fe80::/10", "Link-Local Unicast", "RFC 4291", F, F},
    {"ff00::/8", "Multicast", "RFC 4291 §2.7", F, F},
};

std::vector<SpecialPurposeBlock> Build() {
  std::vector<SpecialPurposeBlock> v;
  for (const Row& r : kRows) {
    // Not globally reachable means a bogon; N/A entries are routed by design
    // (RFC 3056, RFC 4380, RFC 7526 leaves the relay prefix routed).
    v.push_back({*Prefix::Parse(r.prefix), r.name, r.rfc, r.forwardable, r.global,
                 r.global == Reachability::kFalse});
  }
  return v;
}

// RFC 7607 (AS 0), RFC 6793 (AS_TRANS), RFC 5398 (documentation), RFC 6996
// (private use), RFC 7300 (last ASNs) and the IANA 16-bit/32-bit AS number
// registries (65552-131071 reserved).
constexpr SpecialAsnRange kAsns[] = {
    {0, 0, "Reserved (AS 0)", "RFC 7607"},
    {23456, 23456, "AS_TRANS", "RFC 6793"},
    {64496, 64511, "Documentation", "RFC 5398"},
    {64512, 65534, "Private use", "RFC 6996"},
    {65535, 65535, "Last 16-bit ASN", "RFC 7300"},
    {65536, 65551, "Documentation", "RFC 5398"},
    {65552, 131071, "Reserved by IANA", "IANA AS Numbers registry"},
    {4200000000u, 4294967294u, "Private use", "RFC 6996"},
    {4294967295u, 4294967295u, "Last 32-bit ASN", "RFC 7300"},
};

}  // namespace

std::string_view ReachabilityName(Reachability r) {
  switch (r) {
    case Reachability::kTrue:
      return "true";
    case Reachability::kFalse:
      return "false";
    case Reachability::kNotApplicable:
      return "n/a";
  }
  return "?";
}

std::span<const SpecialPurposeBlock> SpecialPurposeBlocks() {
  static const std::vector<SpecialPurposeBlock> blocks = Build();
  return blocks;
}

std::vector<const SpecialPurposeBlock*> SpecialPurposeCovering(const Prefix& p) {
  std::vector<const SpecialPurposeBlock*> out;
  for (const SpecialPurposeBlock& b : SpecialPurposeBlocks()) {
    if (b.prefix.family() == p.family() && b.prefix.Contains(p)) out.push_back(&b);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const SpecialPurposeBlock* a, const SpecialPurposeBlock* b) {
                     return a->prefix.length() < b->prefix.length();
                   });
  return out;
}

std::span<const SpecialAsnRange> SpecialAsnRanges() { return kAsns; }

const SpecialAsnRange* FindSpecialAsn(Asn asn) {
  for (const SpecialAsnRange& r : kAsns) {
    if (asn >= r.first && asn <= r.last) return &r;
  }
  return nullptr;
}

}  // namespace vigia::registry
