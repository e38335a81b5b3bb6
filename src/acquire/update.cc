// Update: one date's snapshot from the public archives (update.h). Plans
// every chosen source, fetches all their files in one FetchAll (so --jobs
// runs across sources), places each file in OUT.partial/, writes
// manifest.json with each source's status, then renames OUT.partial to OUT.
//
// Thread safety: Update runs on the calling thread.
#include "acquire/update.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "acquire/source.h"
#include "core/limits.h"
#include "core/sha256.h"
#include "core/time_format.h"
#include "snapshot/layout.h"

namespace vigia::acquire {

namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

// A reason lists at most this many failed items; the rest are counted.
constexpr size_t kReasonItems = 3;
// One error message in a reason is cut to this many characters.
constexpr size_t kReasonErrorChars = 120;

std::string Shorten(std::string s, size_t n) {
  if (s.size() > n) s = s.substr(0, n - 3) + "...";
  return s;
}

std::string JoinReason(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size() && i < kReasonItems; ++i) out += (i ? "; " : "") + items[i];
  if (items.size() > kReasonItems) out += fmt::format("; and {} more", items.size() - kReasonItems);
  return out;
}

// A plan's destination must name a file inside one part of the layout.
bool SafeDest(const std::string& dest) {
  snapshot::Part p{};
  if (dest.empty() || !snapshot::PartOfPath(dest, &p)) return false;
  const fs::path rel(dest);
  if (rel.is_absolute() || !rel.has_filename()) return false;
  for (const auto& c : rel) {
    if (c == ".." || c == ".") return false;
  }
  return true;
}

// Hard link from the cache (no copy of a 150 MB RIB), else a copy.
Status Place(const std::string& from, const fs::path& to) {
  std::error_code ec;
  fs::create_directories(to.parent_path(), ec);
  if (ec) return Status::IoError(fmt::format("{}: {}", to.parent_path().string(), ec.message()));
  fs::remove(to, ec);
  fs::create_hard_link(from, to, ec);
  if (ec) {
    ec.clear();
    fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
    if (ec) return Status::IoError(fmt::format("{} -> {}: {}", from, to.string(), ec.message()));
  }
  // Read-only: a snapshot file is usually the cache's own inode (a hard
  // link), and an edit in place would change what later dates reuse. The
  // cache replaces objects by rename, which the mode does not stop.
  fs::permissions(to, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read,
                  fs::perm_options::replace, ec);
  return Status::Ok();
}

std::string Sha256Of(const std::string& path) {
  auto s = Sha256File(path);
  return s.ok() ? *s : std::string();
}

// One source in the run.
struct Run {
  const SourceInfo* info = nullptr;
  std::string base;
  SourcePlan plan;
  std::string plan_error;
  size_t first = 0;  // its files' index in the FetchAll request list
};

struct Placed {
  std::string path, source, url, sha256, fetched, source_date;
  uint64_t size = 0;
};

}  // namespace

bool UpdateReport::complete() const {
  return std::all_of(sources.begin(), sources.end(),
                     [](const SourceOutcome& s) { return s.status == "complete"; });
}

Result<std::time_t> ParseDate(const std::string& date) {
  int y = 0, m = 0, d = 0;
  char extra = 0;
  if (date.size() != 10 || std::sscanf(date.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &extra) != 3 ||
      date[4] != '-' || date[7] != '-') {
    return Status::InvalidArgument(fmt::format("date '{}': want YYYY-MM-DD", date));
  }
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = m - 1;
  tm.tm_mday = d;
  const std::time_t t = timegm(&tm);
  std::tm back{};
  gmtime_r(&t, &back);
  if (y < 1990 || back.tm_year != y - 1900 || back.tm_mon != m - 1 || back.tm_mday != d)
    return Status::InvalidArgument(fmt::format("date '{}': no such day", date));
  return t;
}

Status ParseWindow(const std::string& text, uint32_t* start_minute, uint32_t* end_minute) {
  unsigned h1 = 0, m1 = 0, h2 = 0, m2 = 0;
  char extra = 0;
  if (std::sscanf(text.c_str(), "%2u:%2u-%2u:%2u%c", &h1, &m1, &h2, &m2, &extra) != 4 ||
      text.size() != 11 || m1 > 59 || m2 > 59) {
    return Status::InvalidArgument(fmt::format("window '{}': want HH:MM-HH:MM", text));
  }
  const uint32_t a = h1 * 60 + m1, b = h2 * 60 + m2;
  if (a >= 24 * 60 || b > 24 * 60 || b <= a)
    return Status::InvalidArgument(
        fmt::format("window '{}': want 00:00 <= start < end <= 24:00", text));
  *start_minute = a;
  *end_minute = b;
  return Status::Ok();
}

Result<std::vector<std::string>> ChooseSources(const std::vector<std::string>& names) {
  std::vector<std::string> out;
  if (names.empty()) {
    for (const SourceInfo& s : Sources()) {
      if (s.default_on) out.push_back(s.name);
    }
    return out;
  }
  std::set<std::string> seen;
  for (const std::string& n : names) {
    if (FindSource(n) == nullptr) {
      std::string known;
      for (const SourceInfo& s : Sources()) known += (known.empty() ? "" : ", ") + s.name;
      return Status::InvalidArgument(fmt::format("unknown source '{}' (known: {})", n, known));
    }
    if (seen.insert(n).second) out.push_back(n);
  }
  if (out.size() > kMaxSources)
    return Status::LimitExceeded(
        fmt::format("{} sources, over the cap of {}", out.size(), kMaxSources));
  return out;
}

Result<UpdateReport> Update(const UpdateOptions& o, Progress* progress) {
  const auto t0 = std::chrono::steady_clock::now();
  // 1. The options.
  auto day = ParseDate(o.date);
  if (!day.ok()) return day.status();
  if (o.out.empty()) return Status::InvalidArgument("no output directory (--out)");
  if (o.window_end_minute > 24 * 60 || o.window_start_minute >= o.window_end_minute)
    return Status::InvalidArgument("window: want 00:00 <= start < end <= 24:00");
  if (o.fetch.cache_dir.empty()) return Status::InvalidArgument("no cache directory (--cache)");
  auto chosen = ChooseSources(o.sources);
  if (!chosen.ok()) return chosen.status();
  for (const auto& [name, url] : o.mirrors) {
    if (FindSource(name) == nullptr)
      return Status::InvalidArgument(fmt::format("--mirror {}: unknown source", name));
    if (url.empty()) return Status::InvalidArgument(fmt::format("--mirror {}: empty URL", name));
  }
  for (const auto& [name, items] : o.only) {
    if (FindSource(name) == nullptr)
      return Status::InvalidArgument(fmt::format("--collectors {}: unknown source", name));
  }
  for (const std::string& f : o.slurm) {
    std::error_code ec;
    if (!fs::is_regular_file(f, ec))
      return Status::InvalidArgument(fmt::format("--slurm {}: not a readable file", f));
  }
  for (const auto& [name, files] : o.local) {
    if (FindSource(name) == nullptr)
      return Status::InvalidArgument(fmt::format("--local {}: unknown source", name));
    for (const std::string& f : files) {
      std::error_code ec;
      if (!fs::is_regular_file(f, ec))
        return Status::InvalidArgument(fmt::format("--local {}={}: not a readable file", name, f));
    }
  }
  fs::path out = fs::path(o.out).lexically_normal();
  if (!out.has_filename()) out = out.parent_path();  // "snap/"
  if (!out.has_filename() || out.filename() == "." || out.filename() == "..")
    return Status::InvalidArgument("--out " + o.out + ": names no directory");
  const fs::path partial = fs::path(out.string() + ".partial");

  const std::time_t now = std::time(nullptr);
  const bool today = IsoTime(now).substr(0, 10) == o.date;
  Fetcher fetcher(o.fetch);

  // 2. The plans.
  std::vector<Run> runs;
  std::vector<FetchRequest> requests;
  std::vector<const PlannedFile*> planned;
  for (const std::string& name : *chosen) {
    Run r;
    r.info = FindSource(name);
    auto mirror = o.mirrors.find(name);
    r.base = mirror != o.mirrors.end() ? mirror->second : r.info->default_base;
    while (!r.base.empty() && r.base.back() == '/') r.base.pop_back();
    PlanContext ctx;
    ctx.date = o.date;
    ctx.yyyymmdd = static_cast<uint32_t>(
        std::stoul(o.date.substr(0, 4) + o.date.substr(5, 2) + o.date.substr(8, 2)));
    ctx.window_start = *day + static_cast<std::time_t>(o.window_start_minute) * 60;
    ctx.window_end = *day + static_cast<std::time_t>(o.window_end_minute) * 60;
    ctx.today = today;
    ctx.base = r.base;
    if (auto it = o.only.find(name); it != o.only.end()) ctx.only = it->second;
    if (auto it = o.local.find(name); it != o.local.end()) ctx.local_files = it->second;
    if (r.info->part == snapshot::Part::kRpki)
      ctx.local_files.insert(ctx.local_files.end(), o.slurm.begin(), o.slurm.end());
    ctx.fetch_text = [&fetcher](const std::string& url) { return fetcher.FetchText(url); };
    if (r.info->plan == nullptr) {
      r.plan_error = "no plan function";
    } else {
      auto p = r.info->plan(ctx);
      if (p.ok()) {
        r.plan = std::move(*p);
      } else {
        r.plan_error = p.status().message();
      }
    }
    if (r.plan.files.size() > kMaxPlannedFiles) {
      r.plan_error = fmt::format("{} files planned, over the cap of {}", r.plan.files.size(),
                                 kMaxPlannedFiles);
      r.plan.files.clear();
    }
    runs.push_back(std::move(r));
  }
  for (Run& r : runs) {
    r.first = requests.size();
    if (!r.plan_error.empty() || !r.plan.unavailable.empty()) continue;
    for (const PlannedFile& f : r.plan.files) {
      FetchRequest q;
      q.url = f.url;
      q.tag = r.info->name;
      q.size = f.size;
      q.md5 = f.md5;
      q.sha256 = f.sha256;
      q.max_age_seconds = f.max_age_seconds;
      requests.push_back(std::move(q));
      planned.push_back(&f);
    }
  }

  // 3. The downloads, every source at once.
  std::vector<FetchResult> results;
  if (!requests.empty()) results = fetcher.FetchAll(requests, progress);
  results.resize(requests.size());

  // 4. OUT.partial: the files, then the manifest.
  std::error_code ec;
  fs::remove_all(partial, ec);
  if (ec) return Status::IoError(fmt::format("{}: {}", partial.string(), ec.message()));
  if (!out.parent_path().empty()) fs::create_directories(out.parent_path(), ec);
  fs::create_directories(partial, ec);
  if (ec) return Status::IoError(fmt::format("{}: {}", partial.string(), ec.message()));
  struct Cleanup {
    fs::path p;
    bool done = false;
    ~Cleanup() {
      std::error_code e;
      if (!done) fs::remove_all(p, e);
    }
  } cleanup{partial};

  UpdateReport rep;
  rep.out = out.string();
  rep.date = o.date;
  std::vector<Placed> placed;
  std::set<std::string> dests;
  ordered_json sources = ordered_json::array();
  for (Run& r : runs) {
    SourceOutcome so;
    so.name = r.info->name;
    so.part = snapshot::InfoOf(r.info->part).dir;
    so.notes = r.plan.notes;
    std::vector<std::string> failed_required, failed_optional;
    const bool planned_ok = r.plan_error.empty() && r.plan.unavailable.empty();
    if (planned_ok) {
      for (size_t i = 0; i < r.plan.files.size(); ++i) {
        const PlannedFile& f = r.plan.files[i];
        const FetchResult& fr = results[r.first + i];
        FileOutcome fo;
        fo.source = so.name;
        fo.item = f.item;
        fo.url = f.url;
        fo.dest = f.dest;
        fo.required = f.required;
        fo.ok = fr.ok;
        fo.from_cache = fr.from_cache;
        fo.resumed = fr.resumed;
        fo.attempts = fr.attempts;
        fo.http_status = fr.http_status;
        fo.size = fr.size;
        fo.sha256 = fr.sha256;
        fo.error = fr.error;
        fo.events = fr.events;
        const std::string label = f.item.empty()
                                      ? fs::path(f.dest).filename().string()
                                      : f.item + " " + fs::path(f.dest).filename().string();
        if (fr.ok && !SafeDest(f.dest)) {
          fo.ok = false;
          fo.error = "the plan's destination is not a file of the layout";
        } else if (fr.ok && !dests.insert(f.dest).second) {
          fo.ok = false;
          fo.error = "another file of the plan has the same destination";
        }
        if (!fo.ok) {
          const std::string e = Shorten(fo.error.empty() ? "failed" : fo.error, kReasonErrorChars);
          (f.required ? failed_required : failed_optional).push_back(label + ": " + e);
          ++so.failed;
        }
        rep.file_outcomes.push_back(std::move(fo));
      }
    }
    for (const std::string& p : r.plan.problems) failed_optional.push_back(p);
    if (!r.plan_error.empty()) {
      so.status = "absent";
      so.reason = "plan: " + Shorten(r.plan_error, kReasonErrorChars);
    } else if (!r.plan.unavailable.empty()) {
      so.status = "absent";
      so.reason = r.plan.unavailable;
    } else if (!failed_required.empty()) {
      so.status = "absent";
      so.reason = JoinReason(failed_required);
    } else {
      // Place the files that came; then the status says what did not.
      for (size_t i = 0; i < r.plan.files.size(); ++i) {
        const PlannedFile& f = r.plan.files[i];
        const FetchResult& fr = results[r.first + i];
        const FileOutcome& fo =
            rep.file_outcomes[rep.file_outcomes.size() - r.plan.files.size() + i];
        if (!fo.ok) continue;
        if (Status st = Place(fr.path, partial / f.dest); !st.ok()) return st;
        const std::string fetched = IsoTime(fr.fetched ? fr.fetched : now);
        placed.push_back({f.dest, so.name, f.url, fr.sha256.empty() ? Sha256Of(fr.path) : fr.sha256,
                          fetched, f.source_date.empty() ? fetched : f.source_date, fr.size});
        ++so.files;
        so.bytes += fr.size;
        rep.from_cache += fr.from_cache;
      }
      for (const auto& [path, dest] : r.plan.local) {
        if (!SafeDest(dest) || !dests.insert(dest).second) {
          failed_optional.push_back(dest + ": not a free file of the layout");
          continue;
        }
        std::error_code e;
        fs::create_directories((partial / dest).parent_path(), e);
        fs::copy_file(path, partial / dest, fs::copy_options::overwrite_existing, e);
        if (e) {
          failed_optional.push_back(fmt::format("{}: {}", path, e.message()));
          continue;
        }
        const uint64_t size = fs::file_size(partial / dest, e);
        const std::string t = IsoTime(now);
        placed.push_back({dest, so.name, "file://" + fs::absolute(path).string(),
                          Sha256Of((partial / dest).string()), t, t, size});
        ++so.files;
        so.bytes += size;
      }
      if (so.files == 0) {
        so.status = "absent";
        so.reason = failed_optional.empty() ? "nothing to fetch for this date"
                                            : JoinReason(failed_optional);
      } else if (!failed_optional.empty()) {
        so.status = "partial";
        so.reason = JoinReason(failed_optional);
      } else {
        so.status = "complete";
      }
    }
    rep.files += so.files;
    rep.bytes += so.bytes;
    ordered_json sj;
    sj["name"] = so.name;
    sj["part"] = so.part;
    sj["status"] = so.status;
    if (!so.reason.empty()) sj["reason"] = so.reason;
    sj["files"] = so.files;
    sj["bytes"] = so.bytes;
    sj["base"] = r.base;
    if (!so.notes.empty()) sj["notes"] = so.notes;
    sources.push_back(std::move(sj));
    rep.sources.push_back(std::move(so));
  }

  std::sort(placed.begin(), placed.end(),
            [](const Placed& a, const Placed& b) { return a.path < b.path; });
  ordered_json m;
  m["format"] = snapshot::kFormat;
  m["date"] = o.date;
  m["window"] = {{"start", IsoTime(*day + static_cast<std::time_t>(o.window_start_minute) * 60)},
                 {"end", IsoTime(*day + static_cast<std::time_t>(o.window_end_minute) * 60)}};
  ordered_json opts;
  opts["sources"] = *chosen;
  opts["mirrors"] = o.mirrors;
  if (!o.only.empty()) opts["collectors"] = o.only;
  if (!o.slurm.empty()) {
    std::vector<std::string> names;
    for (const auto& f : o.slurm) names.push_back(fs::path(f).filename().string());
    opts["slurm"] = names;
  }
  for (const auto& [name, files] : o.local) {
    std::vector<std::string> names;
    for (const auto& f : files) names.push_back(fs::path(f).filename().string());
    opts["local"][name] = names;
  }
  opts["jobs"] = o.fetch.jobs;
  opts["per_host"] = o.fetch.per_host;
  opts["retries"] = o.fetch.retries;
  m["generator"] = {{"name", "vigia update"}, {"version", "0.1.0"}, {"options", opts}};
  m["simulated"] = false;
  m["sources"] = std::move(sources);
  ordered_json fl = ordered_json::array();
  for (const Placed& p : placed) {
    fl.push_back({{"path", p.path},
                  {"size", p.size},
                  {"sha256", p.sha256},
                  {"source", p.source},
                  {"url", p.url},
                  {"fetched", p.fetched},
                  {"source_date", p.source_date}});
  }
  m["files"] = std::move(fl);
  {
    std::ofstream f(partial / snapshot::kManifestFile, std::ios::binary | std::ios::trunc);
    f << m.dump(1) << "\n";
    if (!f.flush())
      return Status::IoError((partial / snapshot::kManifestFile).string() + ": write failed");
  }

  // 5. The rename: an existing OUT is replaced only now.
  const fs::path old = fs::path(out.string() + fmt::format(".old.{}", getpid()));
  const bool had = fs::exists(out, ec);
  if (had) {
    fs::rename(out, old, ec);
    if (ec)
      return Status::IoError(fmt::format("{}: cannot move aside: {}", out.string(), ec.message()));
  }
  fs::rename(partial, out, ec);
  if (ec) {
    std::error_code e2;
    if (had) fs::rename(old, out, e2);
    return Status::IoError(
        fmt::format("{}: cannot rename to {}: {}", partial.string(), out.string(), ec.message()));
  }
  cleanup.done = true;
  if (had) fs::remove_all(old, ec);
  rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return rep;
}

std::string ReportJson(const UpdateReport& r) {
  ordered_json j;
  j["out"] = r.out;
  j["date"] = r.date;
  j["complete"] = r.complete();
  j["files"] = r.files;
  j["from_cache"] = r.from_cache;
  j["bytes"] = r.bytes;
  j["seconds"] = r.seconds;
  ordered_json s = ordered_json::array();
  for (const SourceOutcome& o : r.sources) {
    s.push_back({{"name", o.name},
                 {"part", o.part},
                 {"status", o.status},
                 {"reason", o.reason},
                 {"files", o.files},
                 {"failed", o.failed},
                 {"bytes", o.bytes},
                 {"notes", o.notes}});
  }
  j["sources"] = std::move(s);
  ordered_json f = ordered_json::array();
  for (const FileOutcome& o : r.file_outcomes) {
    f.push_back({{"source", o.source},
                 {"item", o.item},
                 {"url", o.url},
                 {"dest", o.dest},
                 {"ok", o.ok},
                 {"required", o.required},
                 {"from_cache", o.from_cache},
                 {"resumed", o.resumed},
                 {"attempts", o.attempts},
                 {"http_status", o.http_status},
                 {"size", o.size},
                 {"sha256", o.sha256},
                 {"error", o.error},
                 {"events", o.events}});
  }
  j["file_outcomes"] = std::move(f);
  return j.dump(1);
}

}  // namespace vigia::acquire
