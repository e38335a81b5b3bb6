// vigia mrt dump: MRT records as bgpdump -m / -M text or JSON lines.
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

#include "cli/commands.h"
#include "cli/mrt_common.h"
#include "core/output_buffer.h"
#include "mrt/bgpdump_format.h"
#include "mrt/json_format.h"

namespace vigia::cli {

namespace {

struct DumpArgs {
  bool unix_time = false;
  bool human_time = false;
  bool json = false;
  bool quiet = false;
  bool single_thread = false;
  bool summary = false;
  std::vector<std::string> files;
};

int RunDump(const DumpArgs& a) {
  OutputBuffer out(STDOUT_FILENO);
  mrt::BgpdumpFormatter text(a.human_time ? mrt::BgpdumpMode::kHumanTime
                                          : mrt::BgpdumpMode::kUnixTime);
  mrt::JsonFormatter json;
  uint64_t lines = 0;
  WalkOptions wo;
  wo.threaded = !a.single_thread;
  wo.quiet = a.quiet;
  WalkResult res = WalkFiles(a.files, wo, [&](const mrt::Decoder& d) {
    lines += a.json ? json.Format(d, &out) : text.Format(d, &out);
    out.MaybeFlush();
  });
  if (!out.Flush().ok()) {
    // A closed pipe (dump | head) is not an error of the input.
    return res.anything_skipped() ? kExitSkipped : kExitOk;
  }
  if (a.summary || (res.anything_skipped() && !a.quiet)) {
    std::fprintf(stderr,
                 "vigia: %llu files, %llu records, %llu entries printed, %llu records skipped, "
                 "%llu bytes skipped, %llu stream errors, %llu truncated files, %llu attributes "
                 "discarded, %llu routes withdrawn\n",
                 static_cast<unsigned long long>(res.files),
                 static_cast<unsigned long long>(res.records),
                 static_cast<unsigned long long>(lines),
                 static_cast<unsigned long long>(res.skipped_records),
                 static_cast<unsigned long long>(res.skipped_bytes),
                 static_cast<unsigned long long>(res.stream_errors),
                 static_cast<unsigned long long>(res.truncated_files),
                 static_cast<unsigned long long>(res.attributes_discarded),
                 static_cast<unsigned long long>(res.routes_withdrawn));
  }
  if (res.unreadable_files == res.files) return kExitFailed;
  return res.anything_skipped() ? kExitSkipped : kExitOk;
}

}  // namespace

void RegisterMrtDump(CLI::App& mrt, int* exit_code) {
  auto args = std::make_shared<DumpArgs>();
  CLI::App* cmd = mrt.add_subcommand(
      "dump", "Print MRT records, one line per route entry (bgpdump -m/-M compatible) or JSON");
  cmd->footer(
      "Output is byte-identical to Debian bgpdump 1.6.2 (-m / -M) where bgpdump reads the file\n"
      "correctly; see docs/bgpdump-compatibility.md. Compressed input (.gz .bz2 .xz .zst) is\n"
      "detected by its magic bytes.\n"
      "Routes with malformed attributes follow RFC 7606: the attribute is discarded or the\n"
      "route treated as withdrawn (not printed); each action is reported on stderr.\n"
      "Exit status: 0 all read, 1 something was skipped (reported on stderr), 2 nothing could be "
      "read.");
  auto* m = cmd->add_flag("-m", args->unix_time, "one line per entry, unix timestamps (default)");
  auto* M = cmd->add_flag("-M", args->human_time, "one line per entry, human-readable timestamps");
  auto* j = cmd->add_flag("--json", args->json, "one JSON object per entry (docs/mrt-json.md)");
  m->excludes(M)->excludes(j);
  M->excludes(j);
  cmd->add_flag("-q,--quiet", args->quiet, "do not report skipped records");
  cmd->add_flag("--summary", args->summary, "print a one-line summary on stderr");
  cmd->add_flag("--single-thread", args->single_thread,
                "decompress on the main thread (default: on a second thread; bzip2 blocks on two)");
  cmd->add_option("FILE", args->files, "MRT files (\"-\" for stdin)")->required();
  cmd->callback([args, exit_code] { *exit_code = RunDump(*args); });
}

}  // namespace vigia::cli
