// Listing: the small texts an archive publishes about its files, parsed
// without any I/O (the sources fetch them through PlanContext::fetch_text):
//
//   - directory listings as the archives serve them over HTTP(S): Apache
//     mod_autoindex pages (data.ris.ripe.net, archive.routeviews.org,
//     publicdata.caida.org, ftp.ripe.net), in its <pre> form and its
//     HTMLTable form, and nginx autoindex pages (the test mirror). An entry
//     is an href: URL-decoded (RFC 3986 §2.1), HTML entities undone, with
//     the parent-directory link, the column-sort links ("?C=N;O=D"),
//     absolute and off-site links left out; its size and modification time
//     when the page shows them (Apache's "4.2M" is approximate: it is kept
//     apart from an exact byte count, which only nginx prints);
//   - published checksum lists: BSD style "MD5 (file) = hex", coreutils
//     style "hex  file" and "hex *file" (md5sum, sha256sum), and the bare
//     "hex" of a one-file .md5 such as the RIRs publish beside their
//     delegated statistics (the RIR statistics exchange format: "published
//     under a matching name, with file extension .md5 appended"). MD5 (32
//     hex digits) and SHA-256 (64) alike; digests come out lower-case.
//
// Inputs are capped: kMaxFetchedTextBytes of text, kMaxListingEntries
// entries (core/limits.h); more is an error, never a silently short list.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <ctime>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace vigia::acquire {

struct ListingEntry {
  std::string name;  // decoded, without a trailing '/'
  bool is_dir = false;
  std::optional<uint64_t> size;         // exact bytes (nginx autoindex)
  std::optional<uint64_t> approx_size;  // Apache's human-readable size ("4.2M" -> 4404019)
  std::optional<std::time_t> mtime;     // UTC, as the page shows it (minute precision)
};

// The entries of one directory listing page, in page order, each name once.
Result<std::vector<ListingEntry>> ParseListing(std::string_view html);

// name -> lower-case hex digest. A bare digest (one-file .md5) is stored
// under `default_name` (the file it was published beside).
using ChecksumList = std::map<std::string, std::string>;
Result<ChecksumList> ParseChecksums(std::string_view text, std::string_view default_name = "");

// The digest a list gives for `file` (matched on its last path component),
// or "" when it names no such file.
std::string DigestFor(const ChecksumList& list, std::string_view file);

// "%XX" sequences decoded (RFC 3986 §2.1); a malformed one is kept as is.
std::string UrlDecode(std::string_view s);

}  // namespace vigia::acquire
