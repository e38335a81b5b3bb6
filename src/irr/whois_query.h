// The whois query language of IRRd (its `!` commands) and the RIPE-style
// flags bgpq4 and operators use, answered from an IrrDatabase. No I/O: the
// server (src/cli/irr_serve.cc) feeds one line at a time and writes back
// what AnswerWhoisQuery appends.
//
// Framing of `!` answers, as IRRd does it: "A<len>\n<data>C\n" when there is
// data (len counts the data bytes, its final newline included), "C\n" for
// success without data, "D\n" when the key has no data, "F <message>\n" for
// an error. "!o<mntner>" gives the route, route6 and as-set objects the
// maintainer maintains, as RPSL; "!j" gives every source as not mirrored
// ("<SOURCE>:N:0-0": files have no serials). RIPE-style queries get RPSL text made from the index
// (route, route6, aut-num, as-set objects; only the attributes the index keeps), each object
// followed by a blank line, or "%  No entries found ...".
//
// Caps: a query line of kMaxWhoisQuery bytes, an answer of
// WhoisLimits::max_answer bytes and the expansion depth of
// WhoisLimits::max_depth; beyond them the answer is an F error. Cycles of
// as-sets terminate (the expander expands each set once).
//
// Thread-safety: the database must be built (IrrDatabase::Build) and is
// only read; a WhoisSession belongs to one connection.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "irr/as_set_expander.h"
#include "irr/irr_index.h"

namespace vigia::irr {

inline constexpr size_t kMaxWhoisQuery = 4096;

struct WhoisLimits {
  size_t max_answer = size_t{16} << 20;
  int max_depth = kDefaultExpandDepth;
};

// The state of one connection.
struct WhoisSession {
  bool persistent = false;        // "!!" (or RIPE-style "-k") given
  bool quit = false;              // "!q": close after this answer
  int timeout_seconds = 300;      // idle timeout; "!t" changes it
  std::vector<SourceId> sources;  // "!s": preference order; empty = all
};

inline constexpr int kMaxWhoisTimeout = 3600;

// Answers one query line (without its newline; a trailing '\r' is ignored)
// and appends the reply to *out. Updates *session.
void AnswerWhoisQuery(const IrrDatabase& db, std::string_view line, const WhoisLimits& limits,
                      WhoisSession* session, std::string* out);

}  // namespace vigia::irr
