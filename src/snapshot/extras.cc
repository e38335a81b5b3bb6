#include "snapshot/extras.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "core/limits.h"
#include "io/input_stream.h"
#include "snapshot/layout.h"

namespace vigia::snapshot {

namespace {

namespace fs = std::filesystem;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '"'))
    s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '"')) {
    s.remove_suffix(1);
  }
  return s;
}

std::vector<std::string_view> SplitAny(std::string_view s, std::string_view seps) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i <= s.size()) {
    const size_t j = s.find_first_of(seps, i);
    const std::string_view part = Trim(s.substr(i, j == std::string_view::npos ? s.npos : j - i));
    if (!part.empty()) out.push_back(part);
    if (j == std::string_view::npos) break;
    i = j + 1;
  }
  return out;
}

template <typename F>
void ForEachLine(std::string_view text, F&& f) {
  size_t line = 0, i = 0;
  while (i < text.size()) {
    size_t j = text.find('\n', i);
    if (j == std::string_view::npos) j = text.size();
    std::string_view l = text.substr(i, j - i);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    f(++line, l);
    i = j + 1;
  }
}

// A reader's kept problems as "where: message" lines, then the count of
// those past its cap.
void AppendProblems(const ProblemLog& log, std::string_view reader, std::vector<std::string>* out) {
  for (const LoadProblem& p : log) out->push_back(p.where + ": " + p.message);
  if (log.count() > log.kept().size()) {
    out->push_back(
        fmt::format("{}: {} more problems not listed", reader, log.count() - log.kept().size()));
  }
}

Result<std::string> ReadAll(const fs::path& path) {
  auto in = io::InputStream::Open(path.string());
  if (!in.ok()) return in.status();
  std::string out;
  std::byte buf[1 << 16];
  while (size_t n = (*in)->Read(buf, sizeof buf)) {
    if (out.size() + n > kMaxExtraFileBytes) {
      return Status::InvalidArgument(
          fmt::format("{}: larger than {} bytes", path.string(), kMaxExtraFileBytes));
    }
    out.append(reinterpret_cast<const char*>(buf), n);
  }
  if (!(*in)->status().ok()) return (*in)->status();
  return out;
}

}  // namespace

std::vector<std::string> SplitCsvLine(std::string_view line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        out.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        out.back() += c;
      }
    } else if (c == '"' && out.back().empty()) {
      quoted = true;
    } else if (c == ',') {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

Status ParseManrsCsv(std::string_view text, const std::string& name, ManrsList* out) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 BOM
  int org_col = -1, areas_col = -1, asn_col = -1;
  bool header = false;
  ForEachLine(text, [&](size_t line, std::string_view l) {
    if (Trim(l).empty()) return;
    const auto f = SplitCsvLine(l);
    if (!header) {
      for (size_t i = 0; i < f.size(); ++i) {
        const std::string k = Lower(Trim(f[i]));
        if (k.rfind("organization", 0) == 0 || k.rfind("organisation", 0) == 0)
          org_col = static_cast<int>(i);
        if (k == "areas" || k == "area") areas_col = static_cast<int>(i);
        if (k == "asns" || k == "asn") asn_col = static_cast<int>(i);
      }
      header = true;
      return;
    }
    if (asn_col < 0 || static_cast<size_t>(asn_col) >= f.size()) {
      out->problems.Add(fmt::format("{}:{}", name, line), "no ASNs column");
      return;
    }
    ManrsParticipant p;
    if (org_col >= 0 && static_cast<size_t>(org_col) < f.size())
      p.org = std::string(Trim(f[org_col]));
    if (areas_col >= 0 && static_cast<size_t>(areas_col) < f.size()) {
      for (auto a : SplitAny(f[areas_col], ";")) p.areas.emplace_back(a);
    }
    for (auto a : SplitAny(f[asn_col], "; ")) {
      Asn asn = 0;
      if (ParseAsn(Trim(a), &asn)) {
        p.asns.push_back(asn);
        out->asns.insert(asn);
      } else {
        out->problems.Add(fmt::format("{}:{}", name, line), fmt::format("'{}' is not an ASN", a));
      }
    }
    out->orgs.push_back(std::move(p));
  });
  if (!header || asn_col < 0) {
    return Status::InvalidArgument(name +
                                   ": not a MANRS participant list (no ASNs column in the header)");
  }
  return Status::Ok();
}

Status ParseSpooferCsv(std::string_view text, const std::string& name, SpooferResults* out) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::vector<int> asn_cols, outcome_cols;
  bool header = false;
  ForEachLine(text, [&](size_t line, std::string_view l) {
    if (Trim(l).empty() || l[0] == '#') return;
    const auto f = SplitCsvLine(l);
    if (!header) {
      for (size_t i = 0; i < f.size(); ++i) {
        const std::string k = Lower(Trim(f[i]));
        if (k == "asn" || k == "asn4" || k == "asn6") asn_cols.push_back(static_cast<int>(i));
        if (k.rfind("privaddr", 0) == 0 || k.rfind("routable", 0) == 0)
          outcome_cols.push_back(static_cast<int>(i));
      }
      header = true;
      return;
    }
    std::set<Asn> asns;
    for (int c : asn_cols) {
      if (static_cast<size_t>(c) >= f.size()) continue;
      for (auto a : SplitAny(f[c], "; ")) {
        Asn asn = 0;
        if (ParseAsn(Trim(a), &asn)) asns.insert(asn);
      }
    }
    if (asns.empty()) {
      out->problems.Add(fmt::format("{}:{}", name, line), "no AS in the session");
      return;
    }
    SpooferTally t;
    t.sessions = 1;
    for (int c : outcome_cols) {
      if (static_cast<size_t>(c) >= f.size()) continue;
      const std::string v = Lower(Trim(f[c]));
      if (v == "blocked" || v == "rewritten") ++t.blocked;
      if (v == "received") ++t.received;
    }
    for (Asn a : asns) {
      SpooferTally& x = out->by_asn[a];
      x.sessions += t.sessions;
      x.blocked += t.blocked;
      x.received += t.received;
    }
  });
  if (!header || asn_cols.empty() || outcome_cols.empty()) {
    return Status::InvalidArgument(
        name +
        ": not a Spoofer export (the header needs an asn column and privaddr/routable columns)");
  }
  return Status::Ok();
}

namespace {

void LoadExtrasOrThrow(const std::string& snapshot_dir, Extras* out) {
  const fs::path root(snapshot_dir);
  const fs::path pdb = root / InfoOf(Part::kPeeringDb).dir;
  std::error_code ec;
  if (fs::is_directory(pdb, ec)) {
    Status st;
    try {  // peeringdb/'s reader may use std::filesystem's throwing calls
      st = out->peeringdb.Load(pdb.string());
    } catch (const std::exception& e) {
      st = Status::IoError(pdb.string() + ": " + e.what());
    }
    if (!st.ok()) {
      out->problems.push_back(st.message());
    } else {
      out->have_peeringdb = out->peeringdb.loaded(peeringdb::Table::kNet);
      AppendProblems(out->peeringdb.problems(), "peeringdb/", &out->problems);
    }
  }
  if (!out->have_peeringdb)
    out->skipped.push_back("peeringdb/: no net table; M6 and IXP aggregates have no data");

  std::vector<fs::path> files;
  const fs::path extra = root / InfoOf(Part::kExtra).dir;
  for (auto it = fs::directory_iterator(extra, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    std::error_code fe;
    if (it->is_regular_file(fe)) {
      files.push_back(it->path());
    } else if (fe) {
      out->problems.push_back(fmt::format("{}: {}", it->path().string(), fe.message()));
    }
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& f : files) {
    const std::string n = f.filename().string();
    const bool manrs = IsManrsFile(n);
    const bool spoofer = IsSpooferFile(n);
    if (!manrs && !spoofer) continue;
    auto text = ReadAll(f);
    if (!text.ok()) {
      out->problems.push_back(text.status().message());
      continue;
    }
    Status st = manrs ? ParseManrsCsv(*text, f.string(), &out->manrs)
                      : ParseSpooferCsv(*text, f.string(), &out->spoofer);
    if (!st.ok()) {
      out->problems.push_back(st.message());
      continue;
    }
    (manrs ? out->have_manrs : out->have_spoofer) = true;
  }
  AppendProblems(out->manrs.problems, "extra/ MANRS list", &out->problems);
  AppendProblems(out->spoofer.problems, "extra/ Spoofer CSV", &out->problems);
  if (!out->have_manrs)
    out->skipped.push_back("extra/: no MANRS participant list; no participants aggregate");
  if (!out->have_spoofer)
    out->skipped.push_back("extra/: no CAIDA Spoofer CSV; M5 (anti-spoofing) has no data");
}

}  // namespace

void LoadExtras(const std::string& snapshot_dir, Extras* out) {
  // The loaders below us may use std::filesystem's throwing calls; nothing
  // escapes from here (this runs on a thread, where it would abort).
  try {
    LoadExtrasOrThrow(snapshot_dir, out);
  } catch (const std::exception& e) {
    out->problems.push_back(snapshot_dir + ": " + e.what());
  }
}

}  // namespace vigia::snapshot
