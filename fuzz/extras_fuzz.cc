// The scoring stage's CSV readers (score/extras.h) on arbitrary bytes: the
// MANRS participant list, CAIDA Spoofer sessions, and the CSV line
// splitter. Byte 0 picks the reader (0 MANRS, 1 Spoofer, 2 both); the rest
// is the file. Beyond memory safety:
// - a reader that fails says why, naming the file;
// - at most 100 problems are kept, each naming the file and a line;
// - every MANRS ASN is in the participants' set and vice versa;
// - every Spoofer tally has at least one session, and blocked + received
//   never exceeds the outcome columns times the sessions;
// - SplitCsvLine of a line with no quote gives exactly its commas + 1
//   fields, which joined with commas give the line back.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "score/extras.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t which = data[0] % 3;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  using namespace vigia::score;
  if (which == 0 || which == 2) {
    ManrsList l;
    const vigia::Status st = ParseManrsCsv(text, "m.csv", &l);
    if (!st.ok()) Check(st.message().find("m.csv") != std::string::npos);
    Check(l.problems.kept().size() <= vigia::kMaxProblemsKept);
    Check(l.problems.kept().size() <= l.problems.count());
    for (const auto& p : l.problems) Check(p.where.rfind("m.csv:", 0) == 0);
    std::set<vigia::Asn> all;
    for (const auto& o : l.orgs) all.insert(o.asns.begin(), o.asns.end());
    Check(all == l.asns);
  }
  if (which == 1 || which == 2) {
    SpooferResults r;
    const vigia::Status st = ParseSpooferCsv(text, "s.csv", &r);
    if (!st.ok()) Check(st.message().find("s.csv") != std::string::npos);
    Check(r.problems.kept().size() <= vigia::kMaxProblemsKept);
    const size_t fields = std::count(text.begin(), text.end(), ',') + 1;
    for (const auto& [asn, t] : r.by_asn) {
      Check(t.sessions > 0);
      Check(uint64_t{t.blocked} + t.received <= uint64_t{t.sessions} * fields);
    }
  }
  // The splitter on the first line.
  const std::string_view line = text.substr(0, std::min(text.find('\n'), text.size()));
  const auto f = SplitCsvLine(line);
  Check(!f.empty());
  if (line.find('"') == std::string_view::npos) {
    Check(f.size() == static_cast<size_t>(std::count(line.begin(), line.end(), ',')) + 1);
    std::string joined;
    for (size_t i = 0; i < f.size(); ++i) joined += (i ? "," : "") + f[i];
    Check(joined == line);
  }
  return 0;
}
