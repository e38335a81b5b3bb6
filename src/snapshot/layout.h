// The snapshot directory (SPEC §1): the one place that names every
// sub-directory and file kind. The simulator writes it (sim/snapshot.cc),
// scripts/real-snapshot.sh assembles it from real data, the loader
// (snapshot/loader.h) reads it; docs/snapshot.md is this header for people.
//
//   SNAP/manifest.json   format "vigia-snapshot/1": date, window {start,
//                        end}, generator, and every file's path, size and
//                        sha256 (verified by snapshot/manifest.h)
//   SNAP/truth.json      simulated snapshots only: what was injected
//   SNAP/mrt/            MRT files (RFC 6396), any compression io/ reads:
//                        RIB dumps (names holding "bview" or "rib") first,
//                        then the rest in name order; a file's collector is
//                        its name up to the first '.'
//   SNAP/rpki/           VRPs (rpki-client JSON, RIPE-validator CSV, ...);
//                        files with "slurm" in the name are SLURM (RFC 8416)
//                        exceptions, applied to the VRPs of the others
//   SNAP/irr/            RPSL dumps, one per IRR source; ARIN-WHOIS JSON
//   SNAP/registry/       delegated-extended statistics, IANA registries
//   SNAP/topology/       CAIDA as-rel ("as-rel" in the name) and as2org
//                        ("as-org2info" in the name)
//   SNAP/peeringdb/      a PeeringDB dump (one file, or one per table)
//   SNAP/extra/          MANRS participants ("manrs" in the name) and
//                        CAIDA Spoofer sessions ("spoof" in the name), CSV
//
// Thread safety: constants and pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace vigia::snapshot {

inline constexpr std::string_view kFormat = "vigia-snapshot/1";
inline constexpr std::string_view kManifestFile = "manifest.json";
inline constexpr std::string_view kTruthFile = "truth.json";

// The sub-directories, in the order they are listed above.
enum class Part : uint8_t { kMrt, kRpki, kIrr, kRegistry, kTopology, kPeeringDb, kExtra };
inline constexpr size_t kPartCount = 7;

struct PartInfo {
  Part part;
  const char* dir;      // "rpki"
  const char* holds;    // for docs and messages
  const char* affects;  // what has no data when the part is missing or damaged
};
const std::array<PartInfo, kPartCount>& Parts();
const PartInfo& InfoOf(Part p);
// The part a manifest path ("rpki/vrps.json") lies in, if any.
bool PartOfPath(std::string_view relative_path, Part* out);

// File kinds, by name (the loaders' rules; the writers follow them).
bool IsRibDump(std::string_view file_name);           // mrt/: "bview" or "rib"
std::string CollectorOf(std::string_view file_name);  // mrt/: up to the first '.'
bool IsAsRelFile(std::string_view file_name);         // topology/
bool IsAs2OrgFile(std::string_view file_name);        // topology/
bool IsManrsFile(std::string_view file_name);         // extra/, case-insensitive
bool IsSpooferFile(std::string_view file_name);       // extra/, case-insensitive
bool IsSlurmFile(std::string_view file_name);  // rpki/: "slurm" in the name, case-insensitive

// The names the simulator gives its files (YYYYMMDD dates).
std::string RibDumpName(std::string_view collector, uint32_t yyyymmdd);   // c.bview.D.0000.gz
std::string UpdatesName(std::string_view collector, uint32_t yyyymmdd);   // c.updates.D.gz
inline constexpr std::string_view kVrpFile = "vrps.json";                 // rpki/
inline constexpr std::string_view kPeeringDbFile = "peeringdb.json";      // peeringdb/
inline constexpr std::string_view kManrsFile = "manrs_isps.csv";          // extra/
inline constexpr std::string_view kSpooferFile = "spoofer-sessions.csv";  // extra/
std::string AsRelName(uint32_t yyyymmdd);                                 // D.as-rel2.txt
std::string As2OrgName(uint32_t yyyymmdd);                                // D.as-org2info.txt

}  // namespace vigia::snapshot
