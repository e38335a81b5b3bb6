// The parts of a snapshot directory that only scoring reads (SPEC C8):
// PeeringDB (M6 contacts, IXP members), the MANRS participant list
// (participants vs all) and CAIDA Spoofer results (M5), from peeringdb/ and
// extra/ (snapshot/layout.h). Each is optional; what is absent is named in
// `skipped`. Read by LoadExtras, on its own thread beside LoadSnapshot.
//
// Thread safety: an Extras is filled by one thread, then only read.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/asn.h"
#include "core/problem_log.h"
#include "core/status.h"
#include "peeringdb/peeringdb.h"

namespace vigia::snapshot {

// One organisation of the MANRS participant list (the CSV the MANRS site
// publishes: "Organization Name,Areas,ASNs,Action 1: Filtering,...", ASNs
// and areas ';'-separated, an optional UTF-8 BOM).
struct ManrsParticipant {
  std::string org;
  std::vector<std::string> areas;
  std::vector<Asn> asns;
};

struct ManrsList {
  std::vector<ManrsParticipant> orgs;
  std::set<Asn> asns;
  ProblemLog problems;  // where "file:line"
};
// Parses the list; rows that cannot be read are reported and skipped.
Status ParseManrsCsv(std::string_view text, const std::string& name, ManrsList* out);

// CAIDA Spoofer results per AS. A session tests whether spoofed packets
// with private (privaddr) and routable (routable) sources leave the
// client's network, over IPv4 and IPv6. Each outcome is "blocked",
// "rewritten" (by a NAT: the spoofed source did not leave), "received" (the
// spoofed packet left: the network does not filter) or "unknown".
struct SpooferTally {
  uint32_t sessions = 0;
  uint32_t blocked = 0;   // outcomes blocked or rewritten
  uint32_t received = 0;  // outcomes received
};
struct SpooferResults {
  std::map<Asn, SpooferTally> by_asn;
  ProblemLog problems;  // where "file:line"
};
// Reads a CSV with a header naming an AS column ("asn", "asn4" or "asn6";
// several ASNs may be ';' or ' ' separated) and outcome columns whose names
// start with "privaddr" or "routable" (the Spoofer project's export).
Status ParseSpooferCsv(std::string_view text, const std::string& name, SpooferResults* out);

struct Extras {
  peeringdb::PeeringDb peeringdb;
  bool have_peeringdb = false;
  ManrsList manrs;
  bool have_manrs = false;
  SpooferResults spoofer;
  bool have_spoofer = false;
  std::vector<std::string> skipped;
  // Whole files that could not be read, then the kept problems of each
  // reader ("where: message") and, past a reader's cap, how many more there
  // were: the same lines as snapshot::Snapshot::problems.
  std::vector<std::string> problems;
};
// Reads SNAP/peeringdb/ and SNAP/extra/ (manrs*.csv, *spoofer*.csv). Never
// throws: a file system error (a symlink loop included) is a problem.
void LoadExtras(const std::string& snapshot_dir, Extras* out);

// Splits one CSV line (RFC 4180 quoting) into fields.
std::vector<std::string> SplitCsvLine(std::string_view line);

}  // namespace vigia::snapshot
