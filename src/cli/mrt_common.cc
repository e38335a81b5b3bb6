#include "cli/mrt_common.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>

#include "bgp/attr_table.h"

namespace vigia::cli {

std::string ReasonKey(const Status& s) {
  // The rule cited (up to the first ':') groups messages of one kind.
  std::string m = s.message();
  size_t colon = m.find(": ");
  std::string key = std::string(StatusCodeName(s.code()));
  if (colon != std::string::npos && colon < 40) key += ": " + m.substr(0, colon);
  return key;
}

namespace {

class Progress {
 public:
  explicit Progress(bool enabled) : enabled_(enabled && isatty(STDERR_FILENO)) {}
  ~Progress() { Done(); }
  void Update(const std::string& name, uint64_t done, uint64_t total) {
    if (!enabled_) return;
    auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(200)) return;
    last_ = now;
    shown_ = true;
    if (total > 0) {
      int pct = static_cast<int>(100.0 * static_cast<double>(done) / static_cast<double>(total));
      int bars = pct / 4;
      std::fprintf(stderr, "\r%-40.40s [%-25s] %3d%%", name.c_str(),
                   std::string(static_cast<size_t>(bars), '#').c_str(), pct);
    } else {
      std::fprintf(stderr, "\r%-40.40s %llu MB", name.c_str(),
                   static_cast<unsigned long long>(done >> 20));
    }
  }
  void Done() {
    if (shown_) std::fprintf(stderr, "\r%-80s\r", "");
    shown_ = false;
  }

 private:
  bool enabled_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace

WalkResult WalkFiles(const std::vector<std::string>& files, const WalkOptions& opts,
                     const std::function<void(const mrt::Decoder&)>& on_entry) {
  WalkResult res;
  Progress progress(opts.progress && !opts.quiet);
  for (const std::string& path : files) {
    ++res.files;
    mrt::ReaderOptions ro;
    ro.io.threaded = opts.threaded;
    auto reader = mrt::MrtReader::Open(path, ro);
    if (!reader.ok()) {
      std::fprintf(stderr, "vigia: %s\n", reader.status().message().c_str());
      ++res.unreadable_files;
      continue;
    }
    mrt::MrtReader& r = **reader;
    size_t messages = 0, suppressed = 0;
    auto say = [&](uint64_t offset, const std::string& text) {
      if (opts.quiet) return;
      if (messages++ < opts.max_messages_per_file) {
        progress.Done();
        std::fprintf(stderr, "vigia: %s: offset %llu: %s\n", path.c_str(),
                     static_cast<unsigned long long>(offset), text.c_str());
      } else {
        ++suppressed;
      }
    };
    r.set_problem_handler([&](const mrt::Problem& p) {
      switch (p.kind) {
        case mrt::ProblemKind::kNote:
          say(p.offset, "note: " + p.message);
          return;
        case mrt::ProblemKind::kFraming:
        case mrt::ProblemKind::kTruncated:
          ++res.skip_reasons["framing: " + p.message.substr(0, p.message.find(':'))];
          break;
        case mrt::ProblemKind::kStream:
          ++res.skip_reasons["stream: decompression error"];
          break;
      }
      say(p.offset, p.message);
    });
    mrt::Decoder dec;
    mrt::Record rec;
    uint64_t n = 0;
    while (r.Next(&rec)) {
      ++res.records;
      Status s = dec.Decode(rec);
      if (!s.ok()) {
        ++res.skipped_records;
        ++res.skip_reasons[ReasonKey(s)];
        say(rec.offset,
            fmt::format("{}/{} record skipped: {}", mrt::TypeName(rec.header.type),
                        mrt::SubtypeName(rec.header.type, rec.header.subtype), s.message()));
        continue;
      }
      const bgp::PathAttributes* last = nullptr;
      if (dec.has_route_problems())
        mrt::ForEachRouteProblem(dec, [&](const mrt::RouteProblem& p) {
          if (p.error->action == bgp::AttrAction::kTreatAsWithdraw) {
            if (p.attrs != last) ++res.routes_withdrawn;
            last = p.attrs;
          } else {
            ++res.attributes_discarded;
          }
          ++res.rfc7606[fmt::format("{} {}", p.error->rule, bgp::AttrActionName(p.error->action))];
          say(rec.offset, p.ToString());
        });
      if (!dec.warning().empty()) {
        ++res.repaired_records;
        say(rec.offset,
            fmt::format("{}/{} record repaired: {}", mrt::TypeName(rec.header.type),
                        mrt::SubtypeName(rec.header.type, rec.header.subtype), dec.warning()));
      }
      on_entry(dec);
      if ((++n & 4095) == 0) {
        progress.Update(path, r.input().compressed_bytes_read(), r.input().compressed_size());
      }
    }
    if (!r.stream_status().ok()) ++res.stream_errors;
    res.skipped_bytes += r.stats().skipped_bytes;
    res.length_fixes += r.stats().length_fixes;
    // A compressed stream cut short is a stream error already; a plain one
    // is seen only by the framing.
    if (r.stats().truncated_tail && r.stream_status().ok()) ++res.truncated_files;
    if (suppressed && !opts.quiet) {
      std::fprintf(stderr, "vigia: %s: %zu more messages not shown\n", path.c_str(), suppressed);
    }
  }
  return res;
}

}  // namespace vigia::cli
