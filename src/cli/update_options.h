// The options `vigia update` and `vigia daily` share (cli/update.cc): the
// sources, mirrors, collectors, window and the download settings, as CLI11
// options and then as acquire::UpdateOptions.
//
// Thread safety: values; used on the main thread.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "acquire/fetcher.h"
#include "acquire/update.h"
#include "core/status.h"

namespace vigia::cli {

struct UpdateArgs {
  std::string sources;                  // "ris,rpki"; "" = the default ones
  std::vector<std::string> mirrors;     // NAME=URL
  std::vector<std::string> collectors;  // NAME=a,b
  std::vector<std::string> slurm;
  std::vector<std::string> local;  // NAME=FILE
  std::string window = "00:00-24:00";
  std::string cache;  // "" = $XDG_CACHE_HOME/vigia or ~/.cache/vigia
  int jobs = 4, per_host = 2, retries = 4;
  double timeout = 0;
  // For tests and local mirrors: the first retry's wait, and the stall rule.
  double backoff = 1.0, stall_seconds = 60;
  uint64_t low_speed = 1024;
  bool json = false, quiet = false;
};

// Adds the shared options to cmd (everything but --date, --out, --cache).
void AddUpdateOptions(CLI::App* cmd, UpdateArgs* a);
// The UpdateOptions they mean (date and out are left to the caller).
Status ToUpdateOptions(const UpdateArgs& a, acquire::UpdateOptions* o);
// $XDG_CACHE_HOME/vigia, else $HOME/.cache/vigia, else ./.vigia-cache.
std::string DefaultCacheDir();
// One line per source ("  ris        complete  12 files  3.4 MB") on out.
void PrintSummary(const acquire::UpdateReport& r, std::FILE* out);
// A help footer listing every source: name, part, default base, what.
std::string SourcesHelp();

}  // namespace vigia::cli
