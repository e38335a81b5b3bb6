// vigia update --date D --out SNAP [...]: one date's snapshot directory from
// the public archives (acquire/update.h), with a progress bar per source on
// a TTY, a summary line per source, or the report as JSON.
#include "acquire/update.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "acquire/progress.h"
#include "acquire/source.h"
#include "cli/commands.h"
#include "cli/update_options.h"
#include "core/printable.h"

namespace vigia::cli {

namespace {

struct Args {
  std::string date, out;
  bool list_sources = false;
  UpdateArgs u;
};

std::vector<std::string> SplitComma(const std::string& s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= s.size()) {
    size_t j = s.find(',', i);
    if (j == std::string::npos) j = s.size();
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

int RunUpdate(const Args& a) {
  if (a.list_sources) {
    std::fputs(SourcesHelp().c_str(), stdout);
    return kExitOk;
  }
  auto fail = [](const std::string& m) {
    std::fprintf(stderr, "vigia: update: %s\n", Printable(m).c_str());
    return kExitFailed;
  };
  if (a.date.empty() || a.out.empty()) return fail("--date and --out are required");
  acquire::UpdateOptions o;
  o.date = a.date;
  o.out = a.out;
  if (Status st = ToUpdateOptions(a.u, &o); !st.ok()) return fail(st.message());
  // --json: the report is the output; no progress lines mixed into stderr.
  auto progress = acquire::MakeProgress(isatty(STDERR_FILENO) != 0, a.u.quiet || a.u.json, stderr);
  auto r = acquire::Update(o, progress.get());
  if (!r.ok()) return fail(r.status().message());
  if (a.u.json) {
    std::printf("%s\n", acquire::ReportJson(*r).c_str());
  } else {
    PrintSummary(*r, stdout);
  }
  return r->complete() ? kExitOk : kExitSkipped;
}

}  // namespace

std::string DefaultCacheDir() {
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x != nullptr && *x == '/')
    return std::string(x) + "/vigia";
  if (const char* h = std::getenv("HOME"); h != nullptr && *h != '\0')
    return std::string(h) + "/.cache/vigia";
  return ".vigia-cache";
}

std::string SourcesHelp() {
  std::string s = "Sources (--sources NAME,...; --mirror NAME=URL replaces the base):\n";
  for (const acquire::SourceInfo& i : acquire::Sources()) {
    // A base of "https:" is completed by each file's host (a source of
    // several archives: "https://ftp.ripe.net/...").
    const std::string base = !i.default_base.empty() && i.default_base.back() == ':'
                                 ? i.default_base + "//HOST"
                             : i.default_base.empty() ? "-"
                                                      : i.default_base;
    s += fmt::format("  {:<12} {:<10} {:<42} {}{}\n", i.name,
                     std::string(snapshot::InfoOf(i.part).dir) + "/", base, i.what,
                     i.default_on ? "" : " (not by default)");
  }
  return s;
}

void PrintSummary(const acquire::UpdateReport& r, std::FILE* out) {
  for (const acquire::SourceOutcome& s : r.sources) {
    std::fprintf(out, "  %-12s %-9s %4zu %-5s %10s%s%s\n", s.name.c_str(), s.status.c_str(),
                 s.files, s.files == 1 ? "file" : "files",
                 acquire::HumanBytes(static_cast<double>(s.bytes)).c_str(),
                 s.reason.empty() ? "" : "  ", Printable(s.reason).c_str());
  }
  std::fprintf(out, "%s %s: %zu files (%zu from the cache), %s in %.1f s%s\n", r.date.c_str(),
               r.out.c_str(), r.files, r.from_cache,
               acquire::HumanBytes(static_cast<double>(r.bytes)).c_str(), r.seconds,
               r.complete() ? "" : ", PARTIAL");
}

void AddUpdateOptions(CLI::App* cmd, UpdateArgs* a) {
  cmd->add_option("--sources", a->sources,
                  "Sources to fetch, comma-separated (default: all "
                  "default ones; see --list-sources)");
  cmd->add_option("--mirror", a->mirrors, "NAME=URL: fetch source NAME from URL (repeatable)");
  cmd->add_option("--collectors", a->collectors,
                  "NAME=a,b: only these items of source NAME, e.g. ris=rrc00,rrc01 (repeatable)");
  cmd->add_option("--slurm", a->slurm, "A local SLURM file (RFC 8416) for rpki/ (repeatable)");
  cmd->add_option("--local", a->local,
                  "NAME=FILE: a local file for source NAME, e.g. manrs=participants.csv for a "
                  "source with no public export (repeatable)");
  cmd->add_option("--window", a->window, "The time window of the day, UTC, HH:MM-HH:MM")
      ->capture_default_str();
  cmd->add_option("--jobs", a->jobs, "Parallel downloads")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  cmd->add_option("--per-host", a->per_host, "Parallel downloads to one host")
      ->check(CLI::Range(1, 16))
      ->capture_default_str();
  cmd->add_option("--retries", a->retries, "Further attempts after a failed one")
      ->check(CLI::Range(0, 20))
      ->capture_default_str();
  cmd->add_option("--timeout", a->timeout, "Seconds for all the downloads (0: none)")
      ->check(CLI::Range(0.0, 86400.0))
      ->capture_default_str();
  cmd->add_option("--backoff", a->backoff,
                  "Seconds before the first retry (doubles each time, with jitter; a small value "
                  "is for tests and local mirrors)")
      ->check(CLI::Range(0.0, 3600.0))
      ->capture_default_str();
  cmd->add_option("--stall", a->stall_seconds,
                  "A transfer under --low-speed bytes/s for this many seconds is retried")
      ->check(CLI::Range(1.0, 3600.0))
      ->capture_default_str();
  cmd->add_option("--low-speed", a->low_speed, "Bytes per second under which a transfer stalls")
      ->capture_default_str();
  cmd->add_flag("--json", a->json, "Print the report as JSON on stdout");
  cmd->add_flag("--quiet", a->quiet, "No progress on stderr");
}

Status ToUpdateOptions(const UpdateArgs& a, acquire::UpdateOptions* o) {
  o->sources = SplitComma(a.sources);
  for (const std::string& m : a.mirrors) {
    const size_t eq = m.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == m.size())
      return Status::InvalidArgument(fmt::format("--mirror {}: want NAME=URL", m));
    o->mirrors[m.substr(0, eq)] = m.substr(eq + 1);
  }
  for (const std::string& c : a.collectors) {
    const size_t eq = c.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == c.size())
      return Status::InvalidArgument(fmt::format("--collectors {}: want NAME=a,b", c));
    auto& v = o->only[c.substr(0, eq)];
    for (const std::string& x : SplitComma(c.substr(eq + 1))) v.push_back(x);
  }
  o->slurm = a.slurm;
  for (const std::string& l : a.local) {
    const size_t eq = l.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == l.size())
      return Status::InvalidArgument(fmt::format("--local {}: want NAME=FILE", l));
    o->local[l.substr(0, eq)].push_back(l.substr(eq + 1));
  }
  if (Status st = acquire::ParseWindow(a.window, &o->window_start_minute, &o->window_end_minute);
      !st.ok())
    return st;
  o->fetch.cache_dir = a.cache.empty() ? DefaultCacheDir() : a.cache;
  o->fetch.jobs = a.jobs;
  o->fetch.per_host = a.per_host;
  o->fetch.retries = a.retries;
  o->fetch.total_timeout = a.timeout;
  o->fetch.backoff_initial = a.backoff;
  o->fetch.low_speed_seconds = a.stall_seconds;
  o->fetch.low_speed_limit = a.low_speed;
  return Status::Ok();
}

void RegisterUpdate(CLI::App& app, int* exit_code) {
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "update", "Fetch one date's snapshot directory from the public archives (or mirrors)");
  cmd->add_option("--date", a->date, "The date, YYYY-MM-DD (UTC)");
  cmd->add_option("--out", a->out, "The snapshot directory to write (via OUT.partial)");
  cmd->add_option("--cache", a->u.cache,
                  "Download cache, reused across dates and runs (default: "
                  "$XDG_CACHE_HOME/vigia or ~/.cache/vigia)");
  AddUpdateOptions(cmd, &a->u);
  cmd->add_flag("--list-sources", a->list_sources, "List the sources and exit");
  cmd->footer(SourcesHelp() +
              "\nExit status: 0 every source complete, 1 the snapshot is written but partial "
              "(the manifest and the summary say which source and why), 2 nothing written.");
  cmd->callback([a, exit_code] { *exit_code = RunUpdate(*a); });
}

}  // namespace vigia::cli
