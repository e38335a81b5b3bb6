#include "topology/as2org.h"

#include <fmt/format.h>

#include <algorithm>

#include "topology/line_reader.h"

namespace vigia::topology {

namespace {

std::vector<std::string_view> SplitBars(std::string_view line, size_t max_fields) {
  std::vector<std::string_view> f;
  size_t start = 0;
  while (f.size() <= max_fields) {
    const size_t bar = line.find('|', start);
    f.push_back(line.substr(start, bar == std::string_view::npos ? bar : bar - start));
    if (bar == std::string_view::npos) break;
    start = bar + 1;
  }
  return f;
}

std::string Field(std::string_view s) { return std::string(s.substr(0, kMaxFieldBytes)); }

enum class Section { kNone, kOrg, kAut, kUnknown };

// Column positions of one section, from its "# format:" line.
struct Columns {
  int id = -1, changed = -1, name = -1, country = -1, source = -1, org_id = -1;
  size_t count = 0;
};

}  // namespace

uint32_t As2Org::InternOrg(std::string_view id) {
  auto it = by_org_id_.find(std::string(id));
  if (it != by_org_id_.end()) return it->second;
  const auto i = static_cast<uint32_t>(orgs_.size());
  orgs_.push_back({});
  orgs_.back().id = std::string(id);
  by_org_id_.emplace(orgs_.back().id, i);
  return i;
}

Status As2Org::LoadFile(const std::string& path) {
  auto in = io::InputStream::Open(path);
  if (!in.ok()) return in.status();
  return LoadStream(in->get(), path);
}

Status As2Org::LoadText(std::string_view text, const std::string& name) {
  auto in = io::InputStream::FromMemory(std::as_bytes(std::span(text.data(), text.size())));
  return LoadStream(in.get(), name);
}

Status As2Org::LoadStream(io::InputStream* in, const std::string& name) {
  LineReader reader(in);
  std::string_view line;
  Section section = Section::kNone;
  Columns col;
  bool any_format = false;
  while (reader.Next(&line)) {
    const std::string where = fmt::format("{}:{}", name, reader.line_number());
    if (reader.too_long()) {
      problems_.Add(where, fmt::format("line longer than {} bytes (skipped)", kMaxLineBytes));
      continue;
    }
    if (line.empty()) continue;
    if (line[0] == '#') {
      std::string_view body = line.substr(1);
      while (!body.empty() && body.front() == ' ') body.remove_prefix(1);
      if (!body.starts_with("format:")) continue;
      body.remove_prefix(7);
      any_format = true;
      const std::vector<std::string_view> names = SplitBars(body, 32);
      col = Columns{};
      col.count = names.size();
      for (size_t i = 0; i < names.size(); ++i) {
        const int c = static_cast<int>(i);
        const std::string_view h = names[i];
        if (h == "org_id") (names[0] == "aut" ? col.org_id : col.id) = c;
        if (h == "aut") col.id = c;
        if (h == "changed") col.changed = c;
        if (h == "org_name" || h == "aut_name" || h == "name") col.name = c;
        if (h == "country") col.country = c;
        if (h == "source") col.source = c;
      }
      if (names[0] == "aut" && col.org_id >= 0) {
        section = Section::kAut;
      } else if (names[0] == "org_id" && col.name >= 0) {
        section = Section::kOrg;
      } else {
        section = Section::kUnknown;
        problems_.Add(where,
                      fmt::format("unknown section format '{}'; its lines are skipped", body));
      }
      continue;
    }
    if (section == Section::kUnknown) continue;  // reported once at its header
    if (section == Section::kNone) {
      problems_.Add(where, "data before any '# format:' line (skipped)");
      continue;
    }
    const std::vector<std::string_view> f = SplitBars(line, col.count);
    if (f.size() != col.count) {
      problems_.Add(where, fmt::format("{}{} fields, the format line names {} (skipped)",
                                       f.size() > col.count ? "more than " : "",
                                       std::min(f.size(), col.count), col.count));
      continue;
    }
    auto at = [&](int c) { return c >= 0 ? f[static_cast<size_t>(c)] : std::string_view(); };
    if (section == Section::kOrg) {
      const std::string_view id = at(col.id);
      if (id.empty()) {
        problems_.Add(where, "empty org_id (skipped)");
        continue;
      }
      if (orgs_.size() >= kMaxOrgs && !FindOrg(id)) {
        problems_.Add(where, fmt::format("more than {} organisations (skipped)", kMaxOrgs));
        continue;
      }
      Org& o = orgs_[InternOrg(id)];
      if (o.described) {
        problems_.Add(where, fmt::format("organisation {} listed again (the first is kept)", id));
        continue;
      }
      o.described = true;
      o.name = Field(at(col.name));
      o.country = Field(at(col.country));
      o.source = Field(at(col.source));
      o.changed = Field(at(col.changed));
    } else {
      Asn asn;
      if (!ParseAsn(at(col.id), &asn)) {
        problems_.Add(where, fmt::format("bad AS number '{}' (skipped)", at(col.id)));
        continue;
      }
      const std::string_view org_id = at(col.org_id);
      if (org_id.empty()) {
        problems_.Add(where, fmt::format("AS{} has an empty org_id (skipped)", asn));
        continue;
      }
      if (by_asn_.contains(asn)) {
        problems_.Add(where, fmt::format("AS{} listed again (the first is kept)", asn));
        continue;
      }
      if (by_asn_.size() >= kMaxOrgAses || (orgs_.size() >= kMaxOrgs && !FindOrg(org_id))) {
        problems_.Add(where, "too many ASes or organisations (skipped)");
        continue;
      }
      const uint32_t org = InternOrg(org_id);
      by_asn_.emplace(asn, AsOrg{org, Field(at(col.name)), Field(at(col.source))});
      orgs_[org].ases.push_back(asn);
    }
  }
  for (Org& o : orgs_) std::sort(o.ases.begin(), o.ases.end());
  if (!in->status().ok()) return in->status();
  if (!any_format) {
    return Status::Corrupt(name + ": not an as2org file (no '# format:' line)");
  }
  return Status::Ok();
}

const AsOrg* As2Org::Find(Asn asn) const {
  auto it = by_asn_.find(asn);
  return it == by_asn_.end() ? nullptr : &it->second;
}

const Org* As2Org::OrgOf(Asn asn) const {
  const AsOrg* a = Find(asn);
  return a ? &orgs_[a->org] : nullptr;
}

const Org* As2Org::FindOrg(std::string_view org_id) const {
  auto it = by_org_id_.find(std::string(org_id));
  return it == by_org_id_.end() ? nullptr : &orgs_[it->second];
}

std::vector<Asn> As2Org::Siblings(Asn asn) const {
  std::vector<Asn> out;
  if (const Org* o = OrgOf(asn)) {
    for (Asn s : o->ases) {
      if (s != asn) out.push_back(s);
    }
  }
  return out;
}

bool As2Org::AreSiblings(Asn a, Asn b) const {
  const AsOrg* x = Find(a);
  const AsOrg* y = Find(b);
  return a != b && x && y && x->org == y->org;
}

}  // namespace vigia::topology
