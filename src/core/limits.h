// Every cap on what input may make Vigía hold or do, in one place
// (rpki-client's extern.h MAX_* is the model). A file, a feed or a request
// that goes past a cap is cut or refused with a message naming the cap; it
// never makes us allocate without bound. docs/robustness.md has the same
// list as a table, with the reason for each figure.
//
// The caps are grouped by the namespace of the code that enforces them, so
// that code uses them by their short names (irr::kMaxFiles is not
// topology::kMaxFiles). Not here: sizes that bound no input (I/O buffer and
// pool sizes in src/io, output lengths such as bgp::kMaxAsPathText or
// score::kMaxFixItems) and protocol ranges a peer must respect (RTR timers
// in rpki/rtr_pdu.h).
//
// Constants only; safe from any thread.
#pragma once

#include <cstddef>
#include <cstdint>

namespace vigia {

// Problems kept verbatim per loader (core/problem_log.h); the rest are
// counted. A thousand lines of "bad prefix" are already more than a reader
// reads; the count says how bad the file is.
inline constexpr size_t kMaxProblemsKept = 1000;
// Nesting of a JSON document read by core/json_cursor.h (the cursor
// recurses): real documents nest < 10 deep; 512 keeps the stack small.
inline constexpr size_t kMaxJsonDepth = 512;

}  // namespace vigia

namespace vigia::bgp {

// One BGP message, header included: the RFC 8654 extended-message maximum
// (the 2-octet length field cannot say more).
inline constexpr size_t kMaxMessageSize = 65535;
// ASNs of one AS_PATH. Longer paths are not malformed (RFC 4271 puts no
// bound) but no real one nears 100 hops; a longer one is treated as
// withdrawn for that route alone (rule "cap kMaxAsPathAsns"), so a 4,097-hop
// path cannot blow up memory or the bgpdump text of the other routes.
inline constexpr size_t kMaxAsPathAsns = 4096;
// Labels of one labeled NLRI entry (RFC 8277 §2): without the Multiple
// Labels capability a route has exactly one; deployments that stack them use
// two or three. A longer stack makes the NLRI list malformed.
inline constexpr size_t kMaxLabelStack = 3;

}  // namespace vigia::bgp

namespace vigia::mrt {

// One MRT record (RFC 6396 §2 allows 2^32-1 octets): the largest real ones,
// RIB records of prefixes seen by hundreds of peers, are < 1 MB. Default of
// ReaderOptions::max_record_size; a longer header is damaged framing.
inline constexpr size_t kMaxRecordBytes = size_t{16} << 20;
// Bytes scanned for the next plausible header after damaged framing before
// the rest of the file is given up (a resync over garbage is O(n)).
inline constexpr size_t kMaxResyncScan = size_t{64} << 20;
// Peers of a PEER_INDEX_TABLE and entries of one RIB record: the 2-octet
// counts of RFC 6396 §4.3 cannot say more.
inline constexpr size_t kMaxPeers = 65535;
inline constexpr size_t kMaxRibEntries = 65535;

}  // namespace vigia::mrt

namespace vigia::rpki {

// Decompressed bytes of one VRP file (rpki-client JSON or CSV), which is
// parsed from memory. A full rpki-client JSON export is about 100 MB; a
// 1 GiB gzip of zeros must fail here rather than take 2 GB.
inline constexpr uint64_t kMaxVrpFileBytes = uint64_t{512} << 20;
// About 20x the VRPs of the whole RPKI today (~800k).
inline constexpr size_t kMaxVrps = 20'000'000;
// ASPA objects in one load, and providers per ASPA (RFC 9582 puts no bound;
// real ones list at most a few hundred).
inline constexpr size_t kMaxAspas = 1'000'000;
inline constexpr size_t kMaxAspaProviders = 10'000;
// One SLURM file (RFC 8416), read whole, and its filters plus assertions.
inline constexpr size_t kMaxSlurmBytes = 64 << 20;
inline constexpr size_t kMaxSlurmEntries = 1'000'000;

}  // namespace vigia::rpki

namespace vigia::rpki::rtr {

// No RTR PDU (RFC 8210) comes near this: the largest real ones are Router
// Keys (~120 octets) and ASPAs with a few hundred providers. Anything longer
// is refused before it is buffered.
inline constexpr uint32_t kMaxPduLength = 64 * 1024;
// Error Report: the copy of the offending PDU and the text we keep.
inline constexpr uint32_t kMaxErrorTextLength = 8 * 1024;
// Router Key: a P-256 SubjectPublicKeyInfo is 91 octets; room for others.
inline constexpr size_t kMaxSpkiLength = 4096;

}  // namespace vigia::rpki::rtr

namespace vigia::irr {

// The RPSL reader (rpsl_lexer.h): what one object, line, attribute value or
// class name may take. The largest real objects (as-sets of big transit
// networks) are a few MB.
inline constexpr size_t kMaxObjectBytes = 16 << 20;    // a kept object, all lines
inline constexpr size_t kMaxLineBytes = 16 << 20;      // one physical line
inline constexpr size_t kMaxAttributeBytes = 4 << 20;  // one value with its continuations
inline constexpr size_t kMaxAttributes = 1'000'000;    // per object
inline constexpr size_t kMaxClassNameBytes = 32;
// Members one as-set or route-set object may list.
inline constexpr size_t kMaxMembers = 1'000'000;
// The index (irr_index.h): sources, files, route objects (all IRRs together
// hold ~5M) and set objects.
inline constexpr size_t kMaxSources = 1024;
inline constexpr size_t kMaxFiles = 65535;
inline constexpr size_t kMaxRoutes = 100'000'000;
inline constexpr size_t kMaxSetObjects = 10'000'000;
// Decompressed bytes of one ARIN-WHOIS JSON file, parsed from memory (the
// real originAS export is ~60 MB).
inline constexpr uint64_t kMaxJsonBytes = uint64_t{2} << 30;
// as-set expansion: nesting depth, and loops named in the answer.
inline constexpr int kMaxExpandDepth = 10'000;
inline constexpr size_t kMaxCyclesReported = 100;

}  // namespace vigia::irr

namespace vigia::registry {

// RIR delegated-stats files: a line (real ones are < 200 bytes), the records
// of one load (~1M today) and the fields of a line.
inline constexpr size_t kMaxDelegatedLineLength = 4096;
inline constexpr size_t kMaxDelegatedRecords = 20'000'000;
inline constexpr size_t kMaxDelegatedFields = 32;
// Decompressed bytes of one delegated-stats file, which is parsed from
// memory (the largest, the NRO combined file, is ~60 MB).
inline constexpr uint64_t kMaxDelegatedFileBytes = uint64_t{256} << 20;
// Bogon prefix lists (Team Cymru fullbogons: ~100k lines), read line by line.
inline constexpr size_t kMaxPrefixListEntries = 10'000'000;
inline constexpr size_t kMaxPrefixListLineBytes = 4096;
// Decompressed bytes of one prefix list; it is streamed, so this bounds
// time, not memory (fullbogons is ~3 MB).
inline constexpr uint64_t kMaxPrefixListBytes = uint64_t{256} << 20;
// Files and directory depth of one registry directory.
inline constexpr size_t kMaxRegistryFiles = 1000;
inline constexpr int kMaxRegistryDepth = 16;
// IANA registry CSVs (a few hundred rows each) and one CSV field.
inline constexpr size_t kMaxIanaRows = 100'000;
inline constexpr size_t kMaxCsvFieldBytes = 64 * 1024;

}  // namespace vigia::registry

namespace vigia::peeringdb {

// Records per table (net: ~30k today), a string (longer ones are cut), the
// decompressed bytes of one JSON file, parsed from memory (a full dump is
// ~200 MB; a 1 GiB gzip of zeros must fail here), and files per directory.
inline constexpr size_t kMaxRecordsPerTable = 5'000'000;
inline constexpr size_t kMaxStringBytes = 4096;
inline constexpr uint64_t kMaxFileBytes = uint64_t{512} << 20;
inline constexpr size_t kMaxFilesPerDirectory = 10'000;

}  // namespace vigia::peeringdb

namespace vigia::topology {

// CAIDA as-relationships: links (~500k today), ASes, files, the ASes of one
// "# input clique" / "# IXP ASes" header, distinct serial-2 source tags.
inline constexpr size_t kMaxLinks = 20'000'000;
inline constexpr size_t kMaxAses = 4'000'000;
inline constexpr size_t kMaxFiles = 4096;
inline constexpr size_t kMaxHeaderAses = 100'000;
inline constexpr size_t kMaxSources = 256;
// CAIDA as2org: organisations, AS rows, and one name field (longer is cut).
inline constexpr size_t kMaxOrgs = 10'000'000;
inline constexpr size_t kMaxOrgAses = 10'000'000;
inline constexpr size_t kMaxFieldBytes = 1024;
// One line of a CAIDA file; the longest real ones are the "# IXP ASes:"
// headers (a few hundred bytes).
inline constexpr size_t kMaxLineBytes = 64 * 1024;

}  // namespace vigia::topology

namespace vigia::snapshot {

// The manifest (snapshot/manifest.h), read whole: a line per file of the
// snapshot (~100 bytes), and its files (a real snapshot has a few hundred).
inline constexpr size_t kMaxManifestBytes = size_t{64} << 20;
inline constexpr size_t kMaxManifestFiles = 1'000'000;
// One extra/ file (MANRS list, Spoofer CSV), read whole; real ones are
// < 10 MB, so a runaway file is refused rather than held.
inline constexpr size_t kMaxExtraFileBytes = size_t{1} << 30;

}  // namespace vigia::snapshot

namespace vigia::acquire {

// What `vigia update` reads from the network before it trusts it: a text
// fetched whole (a directory listing, a published checksum list; RIPE's
// yearly listing is ~300 KB), the entries kept from one listing, the files
// one source may plan (RIS: 25 collectors x 289 files a day), and the bytes
// of one downloaded file (a full RouteViews RIB is ~150 MB, a PeeringDB
// dump ~300 MB; a server sending more is cut off and the file fails).
inline constexpr size_t kMaxFetchedTextBytes = size_t{16} << 20;
inline constexpr size_t kMaxListingEntries = 200'000;
inline constexpr size_t kMaxPlannedFiles = 100'000;
inline constexpr uint64_t kMaxDownloadBytes = uint64_t{16} << 30;
// A manifest's sources list (snapshot/manifest.h).
inline constexpr size_t kMaxSources = 256;

}  // namespace vigia::acquire

namespace vigia::detect::scenario {

// One .scn file, read whole: a scenario is a page, not a data set.
inline constexpr size_t kMaxScenarioBytes = 1 << 20;
// "include" nesting; deeper is an include loop in practice.
inline constexpr int kMaxIncludeDepth = 8;

}  // namespace vigia::detect::scenario

namespace vigia::serve {

// HttpLimits' defaults (serve/http_server.h); tests/serve_test.cc holds
// them against 500 slow sockets and a 200k-header flood.
// Open connections; one more is answered 503 and closed.
inline constexpr size_t kMaxConnections = 1024;
// Request line and headers together, and their count (real browsers send
// < 2 KB and ~20 headers); more is 431.
inline constexpr size_t kMaxHeaderBytes = 32 * 1024;
inline constexpr size_t kMaxHeaders = 100;
// A request body (only the contest API takes one: a short reason).
inline constexpr size_t kMaxBodyBytes = 64 * 1024;
// Seconds from a request's first byte to its last (408 after), an idle
// keep-alive connection may wait, and each write of an answer may take.
inline constexpr int kRequestSeconds = 10;
inline constexpr int kIdleSeconds = 5;
inline constexpr int kWriteSeconds = 5;
// Requests on one keep-alive connection.
inline constexpr size_t kMaxKeepAliveRequests = 100;
// Rows one API page may ask for (?limit=).
inline constexpr size_t kMaxPage = 1000;

}  // namespace vigia::serve

namespace vigia::sim {

// pfx2as rows in one table (~1.2M today).
inline constexpr size_t kMaxPrefixOrigins = 20'000'000;
// `vigia simulate` options: ASes, the tier-1 clique and prefixes the
// generator can place (the real Internet: ~75k ASes, ~1.2M prefixes), and
// more-specifics carved from one allocation.
inline constexpr uint32_t kMaxAses = 300'000;
inline constexpr uint32_t kMaxTier1 = 100;
inline constexpr uint32_t kMaxPrefixes = 5'000'000;
inline constexpr uint32_t kMaxPrefixesPerAllocation = 4096;

}  // namespace vigia::sim
