// LoadSnapshot: a snapshot directory into memory (snapshot/snapshot.h).
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <thread>

#include "core/time_format.h"
#include "rpki/slurm.h"
#include "snapshot/manifest.h"
#include "snapshot/provenance.h"
#include "snapshot/snapshot.h"

namespace vigia::snapshot {

namespace {

namespace fs = std::filesystem;

// The regular files of DIR, sorted. An entry that cannot be examined (a
// symlink loop, a dangling link, no permission) is damage of the part, not
// an exception: std::filesystem's throwing calls are never used here.
std::vector<fs::path> FilesIn(const fs::path& root, Part part, std::vector<std::string>* damage) {
  const fs::path dir = root / InfoOf(part).dir;
  std::vector<fs::path> out;
  std::error_code ec;
  auto it = fs::directory_iterator(dir, ec);
  if (ec) {
    if (ec != std::errc::no_such_file_or_directory)
      damage->push_back(fmt::format("{}/: {}", InfoOf(part).dir, ec.message()));
    return out;
  }
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    std::error_code fe;
    if (it->is_regular_file(fe)) {
      out.push_back(it->path());
    } else if (fe) {
      damage->push_back(
          fmt::format("{}/{}: {}", InfoOf(part).dir, it->path().filename().string(), fe.message()));
    } else if (!it->is_directory(fe) && !it->exists(fe)) {
      damage->push_back(
          fmt::format("{}/{}: a dangling link", InfoOf(part).dir, it->path().filename().string()));
    }
  }
  if (ec) damage->push_back(fmt::format("{}/: {}", InfoOf(part).dir, ec.message()));
  std::sort(out.begin(), out.end());
  return out;
}

// RFC 8416 §4: the local exceptions in rpki/ (`vigia update --slurm`),
// filters then assertions, each file's effect noted. Files that cannot be
// read, or that overlap (§4.2), are applied not at all and damage rpki/:
// the VRPs would otherwise not be the ones the operator asked for.
void ApplySlurm(const std::vector<std::string>& files, Snapshot* s,
                std::vector<std::string>* damage) {
  if (files.empty()) return;
  std::vector<rpki::Slurm> slurms;
  for (const std::string& f : files) {
    auto one = rpki::Slurm::LoadFile(f);
    if (!one.ok()) {
      s->problems.push_back(one.status().message());
      damage->push_back(fmt::format("rpki/{}: unreadable SLURM", fs::path(f).filename().string()));
      return;
    }
    slurms.push_back(std::move(one).value());
  }
  if (Status st = rpki::Slurm::CheckOverlap(slurms); !st.ok()) {
    s->problems.push_back(st.message());
    damage->push_back("rpki/: SLURM files overlap (RFC 8416 §4.2); none applied");
    return;
  }
  for (const rpki::Slurm& one : slurms) {
    const rpki::Slurm::Applied a = one.Apply(&s->vrps);
    s->skipped.push_back(fmt::format(
        "rpki/{}: SLURM applied: {} VRPs filtered, {} asserted; {} ASPAs filtered, {} asserted",
        fs::path(one.name).filename().string(), a.vrps_filtered, a.vrps_added, a.aspas_filtered,
        a.aspas_added));
  }
}

// RPKI, IRR, registry and topology: everything but the MRT files. Damage is
// collected per part and applied by the caller once the threads are done.
void LoadReference(const fs::path& root, Snapshot* s,
                   std::array<std::vector<std::string>, kPartCount>* damage) {
  auto dmg = [&](Part p) { return &(*damage)[static_cast<size_t>(p)]; };
  // Loads every file of part p with load(path); with none, `none` is
  // skipped; a file that fails to load is a problem and damages p.
  auto load_files = [&](Part p, const char* none, auto&& load) {
    const auto files = FilesIn(root, p, dmg(p));
    if (files.empty()) s->skipped.push_back(none);
    for (const fs::path& f : files) {
      if (Status st = load(f.string()); !st.ok()) {
        s->problems.push_back(st.message());
        dmg(p)->push_back(fmt::format("{}/{}: unreadable", InfoOf(p).dir, f.filename().string()));
      }
    }
  };
  std::vector<std::string> slurm_files;
  load_files(Part::kRpki, "rpki/: no VRP file; RPKI states are not-found",
             [&](const std::string& f) {
               if (IsSlurmFile(fs::path(f).filename().string())) {
                 slurm_files.push_back(f);
                 return Status::Ok();
               }
               return s->vrps.LoadFile(f);
             });
  for (const auto& p : s->vrps.problems()) s->problems.push_back(p.where + ": " + p.message);
  // A VRP file with unreadable records lacks VRPs that may validate routes
  // or excuse origins: scores from it would be better than the data.
  if (!s->vrps.problems().empty()) {
    dmg(Part::kRpki)
        ->push_back(fmt::format("rpki/: {} unreadable VRP records", s->vrps.problems().count()));
  }
  s->vrps.Build();
  ApplySlurm(slurm_files, s, dmg(Part::kRpki));

  load_files(Part::kIrr, "irr/: no RPSL dump; IRR states are not-found",
             [&](const std::string& f) { return s->irr.LoadFile(f); });
  s->irr.Build();

  const fs::path reg = root / InfoOf(Part::kRegistry).dir;
  std::error_code ec;
  if (fs::is_directory(reg, ec)) {
    if (Status st = s->registry.Load(reg.string()); st.ok()) {
      s->registry.Build();
      s->have_registry = true;
    } else {
      s->skipped.push_back("registry/: " + st.message() +
                           "; bogons are special-purpose space only");
    }
  } else {
    s->skipped.push_back("registry/: absent; bogons are special-purpose space only");
  }
  if (!s->have_registry) {
    s->registry.Build();  // the built-in special-purpose registries
  }

  bool rel = false;
  for (const fs::path& f : FilesIn(root, Part::kTopology, dmg(Part::kTopology))) {
    const std::string n = f.filename().string();
    if (IsAsRelFile(n)) {
      if (Status st = s->relations.LoadFile(f.string()); !st.ok()) {
        s->problems.push_back(st.message());
      } else {
        rel = true;
      }
    } else if (IsAs2OrgFile(n)) {
      if (Status st = s->orgs.LoadFile(f.string()); !st.ok()) s->problems.push_back(st.message());
    }
  }
  if (!rel) s->skipped.push_back("topology/: no AS relationships; no route-leak detection");

  // The loaders' own problem logs: bad lines and records, file:line.
  for (const auto& p : s->irr.problems().kept()) s->problems.push_back(p.where + ": " + p.message);
  for (const auto& p : s->registry.file_problems())
    s->problems.push_back(p.where + ": " + p.message);
  for (const auto& p : s->registry.stats().problems())
    s->problems.push_back(p.where + ": " + p.message);
  for (const auto& p : s->relations.problems().kept())
    s->problems.push_back(p.where + ": " + p.message);
  for (const auto& p : s->orgs.problems().kept()) s->problems.push_back(p.where + ": " + p.message);
}

// The MRT files: RIB dumps first, then the rest in name order (layout.h).
Status LoadMrtInto(const fs::path& root, observe::ObservedRoutes* routes, unsigned threads,
                   std::vector<std::string>* damage) {
  std::vector<fs::path> files = FilesIn(root, Part::kMrt, damage);
  if (files.empty())
    return Status::NotFound((root / InfoOf(Part::kMrt).dir).string() + ": no MRT files");
  std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) {
    const bool ra = IsRibDump(a.filename().string()), rb = IsRibDump(b.filename().string());
    return ra != rb ? ra : a.filename() < b.filename();
  });
  std::vector<observe::ObservedRoutes::File> in;
  for (const fs::path& f : files) in.push_back({f.string(), CollectorOf(f.filename().string())});
  // Decoded on mrt_threads threads, applied in this order: the same routes
  // as one file after the other (observed_routes.h).
  return routes->AddFiles(in, threads);
}

Status LoadMrt(const fs::path& root, Snapshot* s, std::vector<std::string>* damage) {
  if (s->skip_routes) {
    FilesIn(root, Part::kMrt, damage);
    return Status::Ok();
  }
  return LoadMrtInto(root, &s->routes, s->mrt_threads, damage);
}

template <typename F>
Status NoThrow(const std::string& what, F&& f) {
  try {
    return f();
  } catch (const std::exception& e) {
    return Status::IoError(what + ": " + e.what());
  }
}

}  // namespace

Status LoadRoutes(const std::string& dir, observe::ObservedRoutes* routes, unsigned threads) {
  std::vector<std::string> damage;  // reported by LoadSnapshot already
  return NoThrow(dir, [&] { return LoadMrtInto(fs::path(dir), routes, threads, &damage); });
}

Status LoadSnapshot(const std::string& dir, Snapshot* s) {
  const fs::path root(dir);
  s->dir = dir;
  // The window: from the manifest, else from the data.
  auto manifest = ReadManifest(dir);
  if (manifest.ok()) {
    s->window_start = manifest->window_start;
    s->window_end = manifest->window_end;
  } else if (manifest.status().code() == StatusCode::kNotFound) {
    s->skipped.push_back(
        "manifest.json: absent; the window is taken from the MRT data, no file is verified");
  } else {
    s->problems.push_back(manifest.status().message());
    s->missing.push_back(manifest.status().message());  // nothing can be verified
  }

  // The MRT files on a thread of their own (and its mrt_threads decoding
  // threads), the manifest check on another,
  // the reference data meanwhile: they touch different members of *s.
  // Hashing reads each file once more but no route is visited twice; at
  // full scale it ends before the MRT decoding does.
  Status routes_status;
  std::vector<std::string> mrt_damage;
  std::vector<Damage> manifest_damage;
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  std::thread mrt([&] {
    routes_status = NoThrow(dir, [&] { return LoadMrt(root, s, &mrt_damage); });
    s->mrt_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  });
  std::thread verify([&] {
    if (!manifest.ok()) return;
    Status st = NoThrow(dir, [&] {
      manifest_damage = VerifyManifest(dir, *manifest);
      return Status::Ok();
    });
    if (!st.ok()) manifest_damage.push_back({std::nullopt, st.message()});
  });
  std::array<std::vector<std::string>, kPartCount> damage;
  Status ref = NoThrow(dir, [&] {
    LoadReference(root, s, &damage);
    return Status::Ok();
  });
  s->reference_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  mrt.join();
  verify.join();
  if (!ref.ok()) {
    s->problems.push_back(ref.message());
    s->missing.push_back(ref.message());
  }
  if (!routes_status.ok()) return routes_status;
  damage[static_cast<size_t>(Part::kMrt)] = std::move(mrt_damage);
  for (Damage& d : manifest_damage) {
    if (d.part) {
      damage[static_cast<size_t>(*d.part)].push_back(std::move(d.what));
    } else {
      s->missing.push_back(std::move(d.what));
    }
  }
  // What `vigia update` could not fetch (manifest "sources"): a source
  // that is not complete damages its part, so the metrics that need it say
  // "no data". MRT is the exception: the routes read are still routes, so a
  // missing collector makes the snapshot partial without damaging mrt/
  // (the loader has returned above when no MRT at all could be read).
  if (manifest.ok()) {
    for (const ManifestSource& src : manifest->sources) {
      if (src.status == "complete") continue;
      const std::string what = fmt::format("{}/: source {} {}: {}", src.part, src.name, src.status,
                                           src.reason.empty() ? "-" : src.reason);
      Part part{};
      if (!PartOfPath(src.part + "/", &part)) {
        s->missing.push_back(what);
      } else if (part == Part::kMrt) {
        s->missing.push_back(what);
      } else {
        damage[static_cast<size_t>(part)].push_back(what);
      }
    }
  }
  for (const PartInfo& p : Parts()) {
    for (std::string& what : damage[static_cast<size_t>(p.part)])
      s->MarkDamaged(p.part, std::move(what));
  }
  for (const std::string& p : s->routes.problems()) s->problems.push_back(p);
  uint32_t last = s->window_end;
  if (last == 0) {
    for (const auto& x : s->routes.sightings()) last = std::max(last, x.start + 1);
  }
  s->routes.Finish(last);
  if (s->window_end == 0) s->window_end = last;
  if (s->window_start == 0) {
    uint32_t first = UINT32_MAX;
    for (const auto& x : s->routes.sightings()) first = std::min(first, x.start);
    s->window_start = first == UINT32_MAX ? 0 : first;
  }
  s->provenance =
      ProvenanceJson(manifest.ok() ? &*manifest : nullptr, IsoTime(s->window_start).substr(0, 10));
  return Status::Ok();
}

}  // namespace vigia::snapshot
