// Progress of `vigia update`'s downloads, grouped by source tag (fetcher.h's
// Progress). On a terminal, one line per tag redrawn in place on stderr
// (files done/total, bytes, rate, ETA), at most five redraws a second;
// otherwise one summary line per tag when all its files are done:
//
//   ris: 42 files, 1.2 GB in 35 s (34 MB/s), 2 from cache, 1 failed
//
// quiet: nothing at all (--json prints the report instead).
//
// Thread safety: called from the fetcher's thread only.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "acquire/fetcher.h"

namespace vigia::acquire {

// tty: redraw in place; else summary lines. Writes to `out` (stderr).
std::unique_ptr<Progress> MakeProgress(bool tty, bool quiet, FILE* out = stderr);

// "1.2 GB", "340 kB", "12 B" (decimal units); "34 MB/s" with the suffix.
std::string HumanBytes(double bytes);

}  // namespace vigia::acquire
