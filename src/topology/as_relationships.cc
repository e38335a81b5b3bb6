#include "topology/as_relationships.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "topology/line_reader.h"

namespace vigia::topology {

std::string_view RelationName(Relation r) {
  switch (r) {
    case Relation::kProvider:
      return "provider";
    case Relation::kCustomer:
      return "customer";
    case Relation::kPeer:
      return "peer";
    case Relation::kNone:
      break;
  }
  return "none";
}

std::optional<uint32_t> AsRelationships::Intern(Asn asn) {
  auto it = index_.find(asn);
  if (it != index_.end()) return it->second;
  if (asns_.size() >= kMaxAses) return std::nullopt;
  const auto i = static_cast<uint32_t>(asns_.size());
  asns_.push_back(asn);
  index_.emplace(asn, i);
  return i;
}

uint16_t AsRelationships::InternSource(std::string_view tag) {
  for (size_t i = 1; i < sources_.size(); ++i) {
    if (sources_[i] == tag) return static_cast<uint16_t>(i);
  }
  if (sources_.size() >= kMaxSources) return 0;
  sources_.emplace_back(tag);
  return static_cast<uint16_t>(sources_.size() - 1);
}

bool AsRelationships::AddLink(Asn a, Asn b, LinkType type, uint16_t file, uint32_t line,
                              uint16_t source) {
  if (links_.size() >= kMaxLinks) return false;
  auto ia = Intern(a), ib = Intern(b);
  if (!ia || !ib) return false;
  auto [it, fresh] = by_pair_.try_emplace(Key(*ia, *ib), static_cast<uint32_t>(links_.size()));
  if (!fresh) {
    const Link& old = links_[it->second];
    // p2p links are symmetric; p2c ones must name the same provider.
    return old.type == type && (type == LinkType::kP2p || old.a == *ia);
  }
  links_.push_back({*ia, *ib, type, file, source, line});
  p2c_ += type == LinkType::kP2c;
  dirty_ = true;
  return true;
}

void AsRelationships::Build() {
  const size_t n = asns_.size();
  for (Csr& c : adj_) {
    c.offset.assign(n + 1, 0);
    c.target.clear();
  }
  // Count, prefix-sum, fill: the usual two-pass CSR construction.
  auto each = [&](auto&& fn) {
    for (const Link& l : links_) {
      if (l.type == LinkType::kP2c) {
        fn(kCust, l.a, l.b);
        fn(kProv, l.b, l.a);
      } else {
        fn(kPeer, l.a, l.b);
        fn(kPeer, l.b, l.a);
      }
    }
  };
  each([&](Dir d, uint32_t from, uint32_t) { ++adj_[d].offset[from + 1]; });
  std::vector<uint32_t> fill[3];
  for (int d = 0; d < 3; ++d) {
    Csr& c = adj_[d];
    for (size_t i = 0; i < n; ++i) c.offset[i + 1] += c.offset[i];
    c.target.resize(c.offset[n]);
    fill[d].assign(c.offset.begin(), c.offset.end() - 1);
  }
  each([&](Dir d, uint32_t from, uint32_t to) { adj_[d].target[fill[d][from]++] = to; });
  for (Csr& c : adj_) {
    for (size_t i = 0; i < n; ++i) {
      std::sort(c.target.begin() + c.offset[i], c.target.begin() + c.offset[i + 1]);
    }
  }
  dirty_ = false;
}

Relation AsRelationships::RelationOf(Asn a, Asn b, const Link** link) const {
  if (link) *link = nullptr;
  auto ia = Index(a), ib = Index(b);
  if (!ia || !ib) return Relation::kNone;
  auto it = by_pair_.find(Key(*ia, *ib));
  if (it == by_pair_.end()) return Relation::kNone;
  const Link& l = links_[it->second];
  if (link) *link = &l;
  if (l.type == LinkType::kP2p) return Relation::kPeer;
  return l.a == *ia ? Relation::kProvider : Relation::kCustomer;
}

Status AsRelationships::LoadFile(const std::string& path) {
  auto in = io::InputStream::Open(path);
  if (!in.ok()) return in.status();
  return LoadStream(in->get(), path);
}

Status AsRelationships::LoadText(std::string_view text, const std::string& name) {
  auto in = io::InputStream::FromMemory(std::as_bytes(std::span(text.data(), text.size())));
  return LoadStream(in.get(), name);
}

Status AsRelationships::LoadStream(io::InputStream* in, const std::string& name) {
  if (files_.size() >= kMaxFiles) {
    return Status::LimitExceeded(
        fmt::format("{}: more than {} relationship files", name, kMaxFiles));
  }
  const auto file_index = static_cast<uint16_t>(files_.size());
  files_.push_back({});
  files_.back().name = name;
  LineReader reader(in);
  std::string_view line;
  while (reader.Next(&line)) {
    RelFile* f = &files_[file_index];
    const auto line_no = static_cast<uint32_t>(reader.line_number());
    if (reader.too_long()) {
      problems_.Add(fmt::format("{}:{}", name, line_no),
                    fmt::format("line longer than {} bytes", kMaxLineBytes));
      ++f->skipped;
      continue;
    }
    if (line.empty()) continue;
    if (line[0] == '#') {
      ParseHeader(line, f, fmt::format("{}:{}", name, line_no));
      continue;
    }
    ParseLine(line, f, file_index, line_no);
  }
  Build();
  return in->status();
}

namespace {

// Splits on '|' into at most N fields; returns the field count (N + 1 when
// there were more).
template <size_t N>
size_t Split(std::string_view line, std::string_view (&out)[N]) {
  size_t n = 0, start = 0;
  while (true) {
    const size_t bar = line.find('|', start);
    if (n == N) return N + 1;
    out[n++] = line.substr(start, bar == std::string_view::npos ? bar : bar - start);
    if (bar == std::string_view::npos) return n;
    start = bar + 1;
  }
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

void AsRelationships::ParseHeader(std::string_view line, RelFile* f, const std::string& where) {
  std::string_view body = Trim(line.substr(1));
  std::vector<Asn>* list = nullptr;
  for (std::string_view tag : {"input clique:", "inferred clique:"}) {
    if (body.starts_with(tag)) {
      list = &f->clique;
      body.remove_prefix(tag.size());
    }
  }
  if (body.starts_with("IXP ASes:")) {
    list = &f->ixp_ases;
    body.remove_prefix(9);
  }
  if (list == nullptr) return;  // other comments (source lists, dates) carry nothing we use
  size_t pos = 0;
  while (pos < body.size()) {
    const size_t sp = body.find_first_of(" \t", pos);
    std::string_view tok = body.substr(pos, sp == std::string_view::npos ? sp : sp - pos);
    pos = sp == std::string_view::npos ? body.size() : sp + 1;
    if (tok.empty()) continue;
    Asn asn;
    if (!ParseAsn(tok, &asn)) {
      problems_.Add(where, fmt::format("bad AS number '{}' in header list (ignored)", tok));
      continue;
    }
    if (list->size() >= kMaxHeaderAses) {
      problems_.Add(where, fmt::format("header list longer than {} ASes; the rest is ignored",
                                       kMaxHeaderAses));
      return;
    }
    list->push_back(asn);
  }
}

void AsRelationships::ParseLine(std::string_view line, RelFile* f, uint16_t file_index,
                                uint32_t line_no) {
  auto problem = [&](std::string message) {
    problems_.Add(fmt::format("{}:{}", f->name, line_no), std::move(message));
    ++f->skipped;
  };
  std::string_view field[4];
  const size_t n = Split(line, field);
  if (n != 3 && n != 4) {
    return problem(
        fmt::format("{} fields, expected 3 (serial-1: as1|as2|rel) or 4 (serial-2: "
                    "as1|as2|rel|source)",
                    n > 4 ? "more than 4" : std::to_string(n)));
  }
  Asn a, b;
  if (!ParseAsn(field[0], &a)) return problem(fmt::format("bad AS number '{}'", field[0]));
  if (!ParseAsn(field[1], &b)) return problem(fmt::format("bad AS number '{}'", field[1]));
  LinkType type;
  if (field[2] == "-1") {
    type = LinkType::kP2c;
  } else if (field[2] == "0") {
    type = LinkType::kP2p;
  } else {
    return problem(fmt::format(
        "relationship '{}' is neither -1 (provider to customer) nor 0 (peer)", field[2]));
  }
  if (a == b) return problem(fmt::format("AS{} linked to itself", a));
  uint16_t source = 0;
  if (n == 4) {
    if (field[3].empty()) return problem("empty serial-2 source field");
    source = InternSource(field[3]);
  }
  const char* format = n == 4 ? "serial-2" : "serial-1";
  if (f->format.empty()) f->format = format;
  const size_t before = links_.size();
  if (before >= kMaxLinks) {
    return problem(fmt::format("more than {} links; line ignored", kMaxLinks));
  }
  if (AddLink(a, b, type, file_index, line_no, source)) {
    if (links_.size() > before) {
      ++f->links;
    } else {
      ++f->duplicates;
    }
    return;
  }
  if (as_count() >= kMaxAses && (!Index(a) || !Index(b))) {
    return problem(fmt::format("more than {} ASes; line ignored", kMaxAses));
  }
  const Link* first = nullptr;
  const Relation kept = RelationOf(a, b, &first);
  std::string origin = "(added by the program)";
  if (first && first->file != kNoFile) {
    origin = fmt::format("{}:{}", files_[first->file].name, first->line);
  }
  ++f->conflicts;
  problems_.Add(
      fmt::format("{}:{}", f->name, line_no),
      fmt::format("AS{}|AS{}|{} conflicts with {} (AS{} is {} of AS{}); the first is kept", a, b,
                  field[2], origin, a, RelationName(kept), b));
}

}  // namespace vigia::topology
