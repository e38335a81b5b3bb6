#include "snapshot/manifest.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "core/sha256.h"
#include "core/time_format.h"

namespace vigia::snapshot {

namespace fs = std::filesystem;

Result<Manifest> ReadManifest(const std::string& dir) {
  const fs::path file = fs::path(dir) / kManifestFile;
  std::error_code ec;
  const auto st = fs::status(file, ec);
  if (ec || !fs::exists(st)) return Status::NotFound(file.string() + ": absent");
  if (!fs::is_regular_file(st)) return Status::Corrupt(file.string() + ": not a regular file");
  const auto size = fs::file_size(file, ec);
  if (ec) return Status::IoError(fmt::format("{}: {}", file.string(), ec.message()));
  if (size > kMaxManifestBytes) {
    return Status::LimitExceeded(
        fmt::format("{}: {} bytes, over the cap of {}", file.string(), size, kMaxManifestBytes));
  }
  std::ifstream in(file, std::ios::binary);
  std::string text(static_cast<size_t>(size), '\0');
  if (!in.read(text.data(), static_cast<std::streamsize>(size)))
    return Status::IoError(file.string() + ": read failed");
  const auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object())
    return Status::Corrupt(file.string() + ": not a snapshot manifest (not a JSON object)");
  Manifest m;
  auto str = [&](const nlohmann::json& o, const char* k) {
    return o.contains(k) && o[k].is_string() ? o[k].get<std::string>() : std::string();
  };
  m.format = str(j, "format");
  m.date = str(j, "date");
  m.simulated =
      j.contains("simulated") && j["simulated"].is_boolean() && j["simulated"].get<bool>();
  if (j.contains("window") && j["window"].is_object()) {
    m.window_start = static_cast<uint32_t>(ParseIsoTime(str(j["window"], "start")).value_or(0));
    m.window_end = static_cast<uint32_t>(ParseIsoTime(str(j["window"], "end")).value_or(0));
  } else {
    return Status::Corrupt(file.string() + ": not a snapshot manifest (no window)");
  }
  if (j.contains("files")) {
    if (!j["files"].is_array())
      return Status::Corrupt(file.string() + ": \"files\" is not an array");
    if (j["files"].size() > kMaxManifestFiles) {
      return Status::LimitExceeded(fmt::format("{}: {} files, over the cap of {}", file.string(),
                                               j["files"].size(), kMaxManifestFiles));
    }
    for (const auto& f : j["files"]) {
      if (!f.is_object() || !f.contains("path") || !f["path"].is_string() || !f.contains("size") ||
          !f["size"].is_number_unsigned()) {
        return Status::Corrupt(file.string() + ": a file entry without a path and a size");
      }
      m.files.push_back({f["path"].get<std::string>(), f["size"].get<uint64_t>(), str(f, "sha256"),
                         str(f, "source"), str(f, "url"), str(f, "fetched"), str(f, "source_date"),
                         str(f, "date")});
    }
  }
  if (j.contains("sources")) {
    if (!j["sources"].is_array())
      return Status::Corrupt(file.string() + ": \"sources\" is not an array");
    if (j["sources"].size() > kMaxManifestSources) {
      return Status::LimitExceeded(fmt::format("{}: {} sources, over the cap of {}", file.string(),
                                               j["sources"].size(), kMaxManifestSources));
    }
    for (const auto& o : j["sources"]) {
      if (!o.is_object() || str(o, "name").empty() || str(o, "status").empty())
        return Status::Corrupt(file.string() + ": a source entry without a name and a status");
      ManifestSource src;
      src.name = str(o, "name");
      src.part = str(o, "part");
      src.status = str(o, "status");
      src.reason = str(o, "reason");
      src.base = str(o, "base");
      auto num = [&](const char* k) {
        return o.contains(k) && o[k].is_number_unsigned() ? o[k].get<uint64_t>() : uint64_t{0};
      };
      src.files = num("files");
      src.bytes = num("bytes");
      if (o.contains("notes") && o["notes"].is_array()) {
        for (const auto& n : o["notes"]) {
          if (n.is_string() && src.notes.size() < kMaxManifestSources)
            src.notes.push_back(n.get<std::string>());
        }
      }
      m.sources.push_back(std::move(src));
    }
  }
  return m;
}

std::vector<Damage> VerifyManifest(const std::string& dir, const Manifest& m) {
  const fs::path root(dir);
  std::vector<Damage> out;
  std::map<Part, bool> dir_gone;  // a part directory found absent: named once
  std::set<std::string> seen;     // a path listed twice is checked (and hashed) once
  for (const ManifestFile& f : m.files) {
    if (!seen.insert(f.path).second) continue;
    Part part{};
    const bool in_part = PartOfPath(f.path, &part);
    const std::optional<Part> where = in_part ? std::optional<Part>(part) : std::nullopt;
    const fs::path rel(f.path);
    bool climbs = rel.is_absolute() || f.path.empty();
    for (const auto& c : rel) climbs |= c == "..";
    if (climbs) {
      out.push_back({where, f.path + ": not a path inside the snapshot; not checked"});
      continue;
    }
    std::error_code ec;
    if (in_part) {
      auto [it, fresh] = dir_gone.try_emplace(part, false);
      if (fresh) {
        const auto ds = fs::status(root / InfoOf(part).dir, ec);
        it->second = ec || !fs::is_directory(ds);
        if (it->second) out.push_back({where, std::string(InfoOf(part).dir) + "/: absent"});
      }
      if (it->second) continue;
    }
    const fs::path p = root / rel;
    const auto st = fs::status(p, ec);  // follows symlinks; a loop is ec, not a throw
    if (ec && ec != std::errc::no_such_file_or_directory) {
      out.push_back({where, fmt::format("{}: {}", f.path, ec.message())});
      continue;
    }
    if (!fs::exists(st)) {
      out.push_back({where, f.path + ": absent"});
      continue;
    }
    if (!fs::is_regular_file(st)) {
      out.push_back({where, f.path + ": not a regular file"});
      continue;
    }
    const auto size = fs::file_size(p, ec);
    if (ec) {
      out.push_back({where, fmt::format("{}: {}", f.path, ec.message())});
      continue;
    }
    if (size != f.size) {
      out.push_back(
          {where, fmt::format("{}: {} bytes, the manifest says {}", f.path, size, f.size)});
      continue;
    }
    if (f.sha256.empty()) continue;
    auto sum = Sha256File(p.string());
    if (!sum.ok()) {
      out.push_back({where, f.path + ": " + sum.status().message()});
    } else if (*sum != f.sha256) {
      out.push_back({where, f.path + ": sha256 differs from the manifest"});
    }
  }
  return out;
}

}  // namespace vigia::snapshot
