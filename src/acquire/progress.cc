#include "acquire/progress.h"

#include <fmt/format.h>

#include <chrono>
#include <map>
#include <vector>

namespace vigia::acquire {
namespace {

using Clock = std::chrono::steady_clock;

struct Tag {
  size_t files = 0, done = 0, cached = 0, failed = 0;
  uint64_t known_bytes = 0;  // published sizes of the files, when given
  uint64_t bytes = 0;        // downloaded so far
  uint64_t done_bytes = 0;   // of finished files, cached ones included
  Clock::time_point start = Clock::now();
  bool reported = false;
};

double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

std::string Summary(const std::string& name, const Tag& t) {
  const double s = Since(t.start);
  std::string line =
      fmt::format("{}: {} file{}, {} in {:.0f} s", name, t.files, t.files == 1 ? "" : "s",
                  HumanBytes(static_cast<double>(t.done_bytes)), s);
  if (s > 0 && t.bytes > 0)
    line += fmt::format(" ({}/s)", HumanBytes(static_cast<double>(t.bytes) / s));
  if (t.cached) line += fmt::format(", {} from cache", t.cached);
  if (t.failed) line += fmt::format(", {} failed", t.failed);
  return line;
}

class BaseProgress : public Progress {
 public:
  explicit BaseProgress(FILE* out) : out_(out) {}
  void Begin(const std::string& tag, size_t files, uint64_t known_bytes) override {
    auto [it, fresh] = tags_.try_emplace(tag);
    if (fresh) order_.push_back(tag);
    it->second.files += files;
    it->second.known_bytes += known_bytes;
    if (files > 0) it->second.reported = false;  // more to do: reported again when done
    Changed(false);
  }
  void Bytes(const std::string& tag, uint64_t delta) override {
    tags_[tag].bytes += delta;
    Changed(false);
  }
  void Done(const std::string& tag, const FetchRequest&, const FetchResult& r) override {
    Tag& t = tags_[tag];
    ++t.done;
    if (r.from_cache) ++t.cached;
    if (!r.ok) ++t.failed;
    t.done_bytes += r.size;
    Changed(t.done >= t.files);
  }

 protected:
  virtual void Changed(bool force) = 0;
  FILE* out_;
  std::map<std::string, Tag> tags_;
  std::vector<std::string> order_;
};

class SummaryProgress final : public BaseProgress {
 public:
  using BaseProgress::BaseProgress;
  void Finish() override {
    for (const std::string& name : order_) Report(name, tags_[name]);
  }

 private:
  void Changed(bool force) override {
    if (!force) return;
    for (const std::string& name : order_) {
      Tag& t = tags_[name];
      if (t.done >= t.files) Report(name, t);
    }
  }
  void Report(const std::string& name, Tag& t) {
    if (t.reported) return;
    t.reported = true;
    std::fprintf(out_, "%s\n", Summary(name, t).c_str());
    std::fflush(out_);
  }
};

class TtyProgress final : public BaseProgress {
 public:
  using BaseProgress::BaseProgress;
  void Finish() override { Draw(); }

 private:
  void Changed(bool force) override {
    if (!force && Since(last_) < 0.2) return;
    Draw();
  }
  std::string Line(const std::string& name, const Tag& t) const {
    if (t.done >= t.files) return Summary(name, t);
    const double s = Since(t.start);
    const double rate = s > 0 ? static_cast<double>(t.bytes) / s : 0;
    std::string line = fmt::format("{}: {}/{} files, {}", name, t.done, t.files,
                                   HumanBytes(static_cast<double>(t.bytes)));
    if (t.known_bytes) line += " of " + HumanBytes(static_cast<double>(t.known_bytes));
    line += fmt::format(", {}/s", HumanBytes(rate));
    double eta = -1;
    if (t.known_bytes > t.bytes && rate > 0) {
      eta = static_cast<double>(t.known_bytes - t.bytes) / rate;
    } else if (t.done > 0) {
      eta = s / static_cast<double>(t.done) * static_cast<double>(t.files - t.done);
    }
    if (eta >= 0) line += fmt::format(", ETA {:.0f} s", eta);
    return line;
  }
  void Draw() {
    last_ = Clock::now();
    std::string text;
    if (drawn_ > 0) text += fmt::format("\x1b[{}A", drawn_);  // back to the first line
    for (const std::string& name : order_) text += "\r\x1b[2K" + Line(name, tags_[name]) + "\n";
    drawn_ = order_.size();
    std::fputs(text.c_str(), out_);
    std::fflush(out_);
  }
  Clock::time_point last_{};
  size_t drawn_ = 0;
};

class QuietProgress final : public Progress {
 public:
  void Begin(const std::string&, size_t, uint64_t) override {}
  void Bytes(const std::string&, uint64_t) override {}
  void Done(const std::string&, const FetchRequest&, const FetchResult&) override {}
  void Finish() override {}
};

}  // namespace

std::string HumanBytes(double b) {
  static const char* const kUnits[] = {"B", "kB", "MB", "GB", "TB"};
  int u = 0;
  while (b >= 1000 && u < 4) {
    b /= 1000;
    ++u;
  }
  if (u == 0) return fmt::format("{:.0f} B", b);
  if (b < 10) return fmt::format("{:.1f} {}", b, kUnits[u]);
  return fmt::format("{:.0f} {}", b, kUnits[u]);
}

std::unique_ptr<Progress> MakeProgress(bool tty, bool quiet, FILE* out) {
  if (quiet) return std::make_unique<QuietProgress>();
  if (tty) return std::make_unique<TtyProgress>(out);
  return std::make_unique<SummaryProgress>(out);
}

}  // namespace vigia::acquire
