// vigia mrt stats: what MRT files hold, and what could not be read.
#include <fmt/format.h>

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/mrt_common.h"
#include "mrt/stats.h"

namespace vigia::cli {

namespace {

struct StatsArgs {
  bool json = false;
  bool quiet = false;
  bool single_thread = false;
  std::vector<std::string> files;
};

int RunStats(const StatsArgs& a) {
  mrt::MrtStats st;
  WalkOptions wo;
  wo.threaded = !a.single_thread;
  wo.quiet = a.quiet;
  WalkResult res = WalkFiles(a.files, wo, [&](const mrt::Decoder& d) { st.Add(d); });
  if (a.json) {
    nlohmann::ordered_json j;
    j["files"] = res.files;
    j["records"] = res.records;
    j["records_by_type"] = st.records_by_type;
    j["rib_entries"] = st.rib_entries;
    j["announcements"] = st.announcements;
    j["withdrawals"] = st.withdrawals;
    j["state_changes"] = st.state_changes;
    j["other_messages"] = st.other_messages;
    j["add_path_entries"] = st.add_path_entries;
    j["peers"] = st.peers.size();
    j["ipv4_prefixes"] = st.ipv4_prefixes.size();
    j["ipv6_prefixes"] = st.ipv6_prefixes.size();
    j["unique_origins"] = st.origins.size();
    j["skipped_records"] = res.skipped_records;
    j["repaired_records"] = res.repaired_records;
    j["skipped_bytes"] = res.skipped_bytes;
    j["stream_errors"] = res.stream_errors;
    j["unreadable_files"] = res.unreadable_files;
    j["legacy_length_fixes"] = res.length_fixes;
    j["skip_reasons"] = res.skip_reasons;
    j["truncated_files"] = res.truncated_files;
    j["attributes_discarded"] = res.attributes_discarded;
    j["routes_withdrawn"] = res.routes_withdrawn;
    j["rfc7606"] = res.rfc7606;
    std::cout << j.dump(2) << "\n";
  } else {
    std::printf("files              %llu\n", static_cast<unsigned long long>(res.files));
    std::printf("records            %llu\n", static_cast<unsigned long long>(res.records));
    for (const auto& [k, v] : st.records_by_type) {
      std::printf("  %-40s %llu\n", k.c_str(), static_cast<unsigned long long>(v));
    }
    std::printf("entries            %llu\n",
                static_cast<unsigned long long>(st.rib_entries + st.announcements + st.withdrawals +
                                                st.state_changes));
    std::printf("  rib entries      %llu\n", static_cast<unsigned long long>(st.rib_entries));
    std::printf("  announcements    %llu\n", static_cast<unsigned long long>(st.announcements));
    std::printf("  withdrawals      %llu\n", static_cast<unsigned long long>(st.withdrawals));
    std::printf("  state changes    %llu\n", static_cast<unsigned long long>(st.state_changes));
    std::printf("  other messages   %llu\n", static_cast<unsigned long long>(st.other_messages));
    std::printf("  add-path entries %llu\n", static_cast<unsigned long long>(st.add_path_entries));
    std::printf("peers              %zu\n", st.peers.size());
    std::printf("ipv4 prefixes      %zu\n", st.ipv4_prefixes.size());
    std::printf("ipv6 prefixes      %zu\n", st.ipv6_prefixes.size());
    std::printf("unique origins     %zu\n", st.origins.size());
    std::printf("skipped records    %llu\n", static_cast<unsigned long long>(res.skipped_records));
    std::printf("repaired records   %llu\n", static_cast<unsigned long long>(res.repaired_records));
    std::printf("skipped bytes      %llu\n", static_cast<unsigned long long>(res.skipped_bytes));
    std::printf("stream errors      %llu\n", static_cast<unsigned long long>(res.stream_errors));
    if (res.length_fixes) {
      std::printf("legacy +4 fixes    %llu\n", static_cast<unsigned long long>(res.length_fixes));
    }
    for (const auto& [k, v] : res.skip_reasons) {
      std::printf("  skipped: %-50s %llu\n", k.c_str(), static_cast<unsigned long long>(v));
    }
    if (res.truncated_files) {
      std::printf("truncated files    %llu\n",
                  static_cast<unsigned long long>(res.truncated_files));
    }
    // RFC 7606: what was done to routes with malformed attributes.
    std::printf("attrs discarded    %llu\n",
                static_cast<unsigned long long>(res.attributes_discarded));
    std::printf("routes withdrawn   %llu\n", static_cast<unsigned long long>(res.routes_withdrawn));
    for (const auto& [k, v] : res.rfc7606) {
      std::printf("  %-50s %llu\n", k.c_str(), static_cast<unsigned long long>(v));
    }
  }
  if (res.unreadable_files == res.files) return kExitFailed;
  return res.anything_skipped() ? kExitSkipped : kExitOk;
}

}  // namespace

void RegisterMrtStats(CLI::App& mrt, int* exit_code) {
  auto args = std::make_shared<StatsArgs>();
  CLI::App* cmd =
      mrt.add_subcommand("stats", "Count what MRT files hold (parse only, no output per entry)");
  cmd->footer(
      "Exit status: 0 all read, 1 something was skipped (a damaged or truncated record, an\n"
      "attribute discarded or a route withdrawn under RFC 7606), 2 nothing could be read.");
  cmd->add_flag("--json", args->json, "print the counts as a JSON object");
  cmd->add_flag("-q,--quiet", args->quiet, "do not report skipped records");
  cmd->add_flag("--single-thread", args->single_thread,
                "decompress on the main thread (default: on a second thread; bzip2 blocks on two)");
  cmd->add_option("FILE", args->files, "MRT files (\"-\" for stdin)")->required();
  cmd->callback([args, exit_code] { *exit_code = RunStats(*args); });
}

}  // namespace vigia::cli
