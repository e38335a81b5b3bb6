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

struct ManifestFile {
  std::string path;  // relative, '/'-separated
  uint64_t size = 0;
  std::string sha256;  // lower-case hex; "" = not given
};

struct Manifest {
  std::string format, date;
  uint32_t window_start = 0, window_end = 0;  // 0 = not given
  std::vector<ManifestFile> files;
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
