// The whois query answerer (irr/whois_query.h) on arbitrary bytes. The input
// is an optional RPSL dump, ended by a line "%%", and then query lines, all
// answered on one session against a fixed set of objects plus the dump.
// Beyond memory safety: every `!` answer is framed as IRRd frames it
// ("A<len>\n" and exactly len bytes ending in a newline then "C\n", or "C\n",
// "D\n", one "F ...\n" line, or nothing for "!!" and "!q"), and the length
// caps hold.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "irr/irr_index.h"
#include "irr/whois_query.h"

namespace {

constexpr std::string_view kBase =
    "as-set: AS-A\nmembers: AS1, AS-B\nsource: X\n\n"
    "as-set: AS-B\nmembers: AS-A, AS2, AS-C\nsource: Y\n\n"
    "route: 192.0.2.0/24\norigin: AS1\nsource: X\n\n"
    "route6: 2001:db8::/32\norigin: AS2\nsource: Y\n";

bool WellFramed(std::string_view a) {
  if (a.empty() || a == "C\n" || a == "D\n") return true;
  if (a.size() >= 3 && a[0] == 'F' && a[1] == ' ') {
    return a.find('\n') == a.size() - 1;
  }
  if (a[0] != 'A') return false;
  const size_t nl = a.find('\n');
  if (nl == std::string_view::npos || nl < 2 || nl > 12) return false;
  uint64_t len = 0;
  for (size_t i = 1; i < nl; ++i) {
    if (a[i] < '0' || a[i] > '9') return false;
    len = len * 10 + static_cast<uint64_t>(a[i] - '0');
  }
  return len >= 1 && a.size() == nl + 1 + len + 2 && a[nl + len] == '\n' &&
         a.substr(nl + 1 + len) == "C\n";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  vigia::irr::IrrDatabase db;
  (void)db.LoadText(kBase, "base");
  const size_t sep = in.find("\n%%\n");
  if (sep != std::string_view::npos) {
    (void)db.LoadText(in.substr(0, sep + 1), "fuzz");
    in.remove_prefix(sep + 4);
  }
  db.Build();
  vigia::irr::WhoisLimits limits;
  limits.max_answer = 4096;
  limits.max_depth = 4;
  vigia::irr::WhoisSession session;
  size_t start = 0;
  while (start < in.size()) {
    size_t nl = in.find('\n', start);
    if (nl == std::string_view::npos) nl = in.size();
    const std::string_view line = in.substr(start, nl - start);
    std::string out;
    vigia::irr::AnswerWhoisQuery(db, line, limits, &session, &out);
    size_t lead = 0;
    while (lead < line.size() && (line[lead] == ' ' || line[lead] == '\t')) ++lead;
    const bool bang = lead < line.size() && line[lead] == '!';
    if (line.size() > vigia::irr::kMaxWhoisQuery && out != "F query too long\n") std::abort();
    if (bang && !WellFramed(out)) std::abort();
    if (out.size() > limits.max_answer + 64) std::abort();
    if (session.timeout_seconds < 1 || session.timeout_seconds > vigia::irr::kMaxWhoisTimeout) {
      std::abort();
    }
    start = nl + 1;
  }
  return 0;
}
