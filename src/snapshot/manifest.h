// A snapshot's manifest.json (snapshot/layout.h): the window and, for every
// file, its size and SHA-256, and the check that the directory still holds
// exactly those bytes. A snapshot whose files went missing or changed since
// it was made is analysed all the same, but marked partial with what was
// wrong (store.h SnapshotInfo::partial), so that scores are never computed
// from less data without saying so.
//
// Caps: the manifest is read only up to kMaxManifestBytes and lists at most
// kMaxManifestFiles files; a path that is absolute or climbs out of the
// directory ("..") is refused as damage, never opened.
//
// A manifest written by `vigia update` (acquire/update.h) also says, per
// file, where it came from (url, fetched, source_date), and per source
// whether it was fetched whole ("sources": status complete, partial or
// absent, and why). Both are optional; "vigia-snapshot/1" stays the format.
// The loader (snapshot.h) turns a source that is not complete into damage
// of its part, so the metrics that need it say "no data".
//
// Thread safety: functions over values; VerifyManifest reads files only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/limits.h"
#include "core/status.h"
#include "snapshot/layout.h"

namespace vigia::snapshot {

// kMaxManifestBytes and kMaxManifestFiles are in core/limits.h.

// At most this many "sources" entries are read (a cap of this header: the
// acquire sources are about twenty).
inline constexpr size_t kMaxManifestSources = 256;

struct ManifestFile {
  std::string path;  // relative, '/'-separated
  uint64_t size = 0;
  std::string sha256;  // lower-case hex; "" = not given
  // Written by `vigia update`; "" when not given.
  std::string source;       // the acquire source's name ("ris")
  std::string url;          // where the bytes came from
  std::string fetched;      // ISO 8601 UTC: when they were downloaded
  std::string source_date;  // ISO 8601 UTC: the data's own time
  // Written by scripts/real-snapshot.sh: the data's own date (YYYY-MM-DD
  // or YYYY-MM); "" when not given.
  std::string date;
};

// One source `vigia update` read (acquire/source.h).
struct ManifestSource {
  std::string name;    // "ris"
  std::string part;    // the layout directory it fills: "mrt"
  std::string status;  // "complete", "partial", "absent"
  std::string reason;  // why not complete
  uint64_t files = 0, bytes = 0;
  std::string base;  // the base URL used
  std::vector<std::string> notes;
};

struct Manifest {
  std::string format, date;
  uint32_t window_start = 0, window_end = 0;  // 0 = not given
  std::vector<ManifestFile> files;
  std::vector<ManifestSource> sources;  // empty for simulated snapshots
  bool simulated = false;               // "simulated": true (vigia simulate)
};

// Reads DIR/manifest.json: kNotFound when it is absent, kCorrupt (with the
// reason) when it is not a manifest, kLimitExceeded over the caps.
Result<Manifest> ReadManifest(const std::string& dir);

// One input that is not what the manifest says.
struct Damage {
  std::optional<Part> part;  // the sub-directory it lies in, if any
  std::string what;          // "rpki/: absent", "irr/x.db.gz: sha256 differs from the manifest"
};

// Checks every listed file: present (a directory the manifest has files in
// that is gone altogether is named once, "rpki/: absent"), a regular file
// (a symlink loop is damage, not an exception), the size, then the SHA-256.
std::vector<Damage> VerifyManifest(const std::string& dir, const Manifest& m);

}  // namespace vigia::snapshot
