#include "peeringdb/peeringdb.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <memory>

#include "core/printable.h"
#include "io/input_stream.h"

namespace vigia::peeringdb {

namespace {

constexpr std::string_view kTableNames[kTableCount] = {"net",   "org",      "ix", "ixlan",
                                                       "ixpfx", "netixlan", "poc"};

// A scalar field of one record; strings point into the parser's buffer,
// valid while the document is.
struct Value {
  enum Kind : uint8_t { kMissing, kNull, kInt, kString, kBool, kOther } kind = kMissing;
  int64_t i = 0;
  bool b = false;
  std::string_view s;
};

struct Field {
  std::string_view key;
  Value value;
};

// The scalar fields of one record, found by key.
class Record {
 public:
  void Clear() { fields_.clear(); }
  void Add(std::string_view key, Value v) { fields_.push_back({key, v}); }
  const Value& Get(std::string_view key) const {
    static const Value kMissingValue;
    for (const Field& f : fields_) {
      if (f.key == key) return f.value;
    }
    return kMissingValue;
  }

 private:
  std::vector<Field> fields_;
};

std::string Cut(std::string_view s) { return std::string(s.substr(0, kMaxStringBytes)); }

// The table a file name stands for: "ixlan-0.json.gz" -> ixlan.
std::optional<Table> TableFromFileName(const std::string& path) {
  std::string stem = std::filesystem::path(path).filename().string();
  for (std::string_view ext : {".gz", ".bz2", ".xz", ".zst"}) {
    if (stem.ends_with(ext)) stem.resize(stem.size() - ext.size());
  }
  if (!stem.ends_with(".json")) return std::nullopt;
  stem.resize(stem.size() - 5);
  const size_t dash = stem.rfind('-');
  if (dash != std::string::npos && dash + 1 < stem.size() &&
      std::all_of(stem.begin() + static_cast<std::ptrdiff_t>(dash) + 1, stem.end(),
                  [](char c) { return c >= '0' && c <= '9'; })) {
    stem.resize(dash);
  }
  return TableFromName(stem);
}

bool IsJsonName(const std::string& path) {
  const std::string name = std::filesystem::path(path).filename().string();
  return name.find(".json") != std::string::npos;
}

}  // namespace

std::string_view TableName(Table t) { return kTableNames[static_cast<size_t>(t)]; }

std::optional<Table> TableFromName(std::string_view name) {
  for (size_t i = 0; i < kTableCount; ++i) {
    if (kTableNames[i] == name) return static_cast<Table>(i);
  }
  return std::nullopt;
}

void PeeringDb::Problem(std::string where, std::string message) {
  problems_.Add(std::move(where), std::move(message));
}

// Walks one JSON document with simdjson's On-Demand API and hands each
// record to the builder of its table.
class Loader {
 public:
  Loader(PeeringDb* db, const std::string& name) : db_(db), name_(name) {}

  Status Run(simdjson::padded_string_view json, std::optional<Table> hint) {
    simdjson::ondemand::parser parser;
    simdjson::ondemand::document doc;
    simdjson::ondemand::object top;
    // simdjson indexes the whole text first, so a truncated or otherwise
    // malformed document is refused here, before any record is read.
    simdjson::error_code err = parser.iterate(json).get(doc);
    if (!err) err = doc.get_object().get(top);
    if (err) {
      return Status::Corrupt(fmt::format("{}: not PeeringDB JSON (no top-level object: {})", name_,
                                         simdjson::error_message(err)));
    }
    bool any_table = false, api_data_unknown = false;
    for (auto field : top) {
      std::string_view key;
      if (field.unescaped_key().get(key)) return Malformed();
      if (key == "data") {
        // API form: the table comes from the caller or the file name.
        if (!hint) {
          api_data_unknown = true;
          continue;
        }
        simdjson::ondemand::value v;
        if (field.value().get(v)) return Malformed();
        any_table = true;
        if (Status s = ReadTable(*hint, v); !s.ok()) return s;
        continue;
      }
      if (key == "meta") continue;
      const std::optional<Table> t = TableFromName(key);
      if (!t) {
        db_->ignored_.push_back(fmt::format("{}: {}", name_, key));
        continue;
      }
      // Full-dump form: {"net": {"data": [...]}}; a bare array is accepted too.
      simdjson::ondemand::value v;
      if (field.value().get(v)) return Malformed();
      simdjson::ondemand::json_type type;
      if (v.type().get(type)) return Malformed();
      any_table = true;
      if (type == simdjson::ondemand::json_type::array) {
        if (Status s = ReadTable(*t, v); !s.ok()) return s;
        continue;
      }
      simdjson::ondemand::object o;
      if (v.get_object().get(o)) {
        db_->Problem(fmt::format("{}: {}", name_, key), "table is neither an object nor an array");
        continue;
      }
      bool found = false;
      for (auto inner : o) {
        std::string_view ik;
        if (inner.unescaped_key().get(ik)) return Malformed();
        if (ik != "data") continue;
        simdjson::ondemand::value d;
        if (inner.value().get(d)) return Malformed();
        found = true;
        if (Status s = ReadTable(*t, d); !s.ok()) return s;
      }
      if (!found) db_->Problem(fmt::format("{}: {}", name_, key), "table has no \"data\" array");
    }
    if (!any_table) {
      if (api_data_unknown) {
        return Status::InvalidArgument(
            name_ +
            ": API-form file whose name names no PeeringDB table (net, org, ix, ixlan, "
            "ixpfx, netixlan, poc)");
      }
      return Status::Corrupt(name_ + ": no PeeringDB table in this JSON");
    }
    return Status::Ok();
  }

 private:
  Status Malformed() {
    return Status::Corrupt(name_ + ": malformed JSON; the rest of the file is ignored");
  }

  Status ReadTable(Table t, simdjson::ondemand::value v) {
    TableStats& st = db_->stats_[static_cast<size_t>(t)];
    ++st.files;
    simdjson::ondemand::array arr;
    if (v.get_array().get(arr)) {
      db_->Problem(fmt::format("{}: {}", name_, TableName(t)), "\"data\" is not an array");
      return Status::Ok();
    }
    size_t index = 0;
    for (auto item : arr) {
      const size_t i = index++;
      auto where = [&] { return fmt::format("{}: {}[{}]", name_, TableName(t), i); };
      simdjson::ondemand::object o;
      if (const auto err = item.get_object().get(o)) {
        if (err != simdjson::INCORRECT_TYPE) {
          db_->Problem(where(), "malformed JSON; the rest of the file is ignored");
          return Status::Corrupt(name_ + ": malformed JSON");
        }
        db_->Problem(where(), "record is not an object");
        ++st.skipped;
        continue;
      }
      if (!Collect(o)) {
        db_->Problem(where(), "malformed JSON; the rest of the file is ignored");
        return Status::Corrupt(name_ + ": malformed JSON");
      }
      if (TableSize(t) >= kMaxRecordsPerTable) {
        db_->Problem(where(), fmt::format("more than {} records; the rest of the table is ignored",
                                          kMaxRecordsPerTable));
        return Status::Ok();
      }
      if (rec_.Get("status").kind == Value::kString && rec_.Get("status").s == "deleted") {
        ++st.deleted;
        continue;
      }
      std::string why = Build(t);
      if (why.empty()) {
        ++st.records;
      } else {
        db_->Problem(where(), why);
        ++st.skipped;
      }
    }
    return Status::Ok();
  }

  size_t TableSize(Table t) const {
    switch (t) {
      case Table::kNet:
        return db_->nets_.size();
      case Table::kOrg:
        return db_->orgs_.size();
      case Table::kIx:
        return db_->ixs_.size();
      case Table::kIxLan:
        return db_->ixlans_.size();
      case Table::kIxPfx:
        return db_->ixpfxs_.size();
      case Table::kNetIxLan:
        return db_->netixlans_.size();
      case Table::kPoc:
        return db_->pocs_.size();
    }
    return 0;
  }

  // Reads the scalar fields of one record; false on malformed JSON.
  bool Collect(simdjson::ondemand::object& o) {
    rec_.Clear();
    for (auto field : o) {
      std::string_view key;
      if (field.unescaped_key().get(key)) return false;
      simdjson::ondemand::value v;
      if (field.value().get(v)) return false;
      simdjson::ondemand::json_type type;
      if (v.type().get(type)) return false;
      Value val;
      switch (type) {
        case simdjson::ondemand::json_type::number: {
          int64_t n;
          if (!v.get_int64().get(n)) {
            val.kind = Value::kInt;
            val.i = n;
          } else {
            val.kind = Value::kOther;  // a fraction or out of range
          }
          break;
        }
        case simdjson::ondemand::json_type::string:
          if (v.get_string().get(val.s)) return false;
          val.kind = Value::kString;
          break;
        case simdjson::ondemand::json_type::boolean:
          if (v.get_bool().get(val.b)) return false;
          val.kind = Value::kBool;
          break;
        case simdjson::ondemand::json_type::null:
          val.kind = Value::kNull;
          break;
        default:
          val.kind = Value::kOther;  // objects and arrays (social_media) are not kept
          break;
      }
      rec_.Add(key, val);
    }
    return true;
  }

  // Field readers: an empty string says the field is fine.
  std::string Id(std::string_view key, uint32_t* out, bool required) {
    const Value& v = rec_.Get(key);
    if (v.kind == Value::kMissing || v.kind == Value::kNull) {
      *out = 0;
      return required ? fmt::format("no \"{}\"", key) : "";
    }
    if (v.kind != Value::kInt || v.i <= 0 || v.i > 0xFFFFFFFFll) {
      return fmt::format("\"{}\" is not a positive 32-bit integer", key);
    }
    *out = static_cast<uint32_t>(v.i);
    return "";
  }
  std::string AsnField(std::string_view key, Asn* out, bool required) {
    const Value& v = rec_.Get(key);
    if (v.kind == Value::kMissing || v.kind == Value::kNull) {
      *out = 0;
      return required ? fmt::format("no \"{}\"", key) : "";
    }
    if (v.kind == Value::kInt && v.i >= 0 && v.i <= 0xFFFFFFFFll) {
      *out = static_cast<Asn>(v.i);
      return "";
    }
    if (v.kind == Value::kString && ParseAsn(v.s, out)) return "";
    return fmt::format("\"{}\" is not an AS number", key);
  }
  std::string Str(std::string_view key) const {
    const Value& v = rec_.Get(key);
    return v.kind == Value::kString ? Cut(v.s) : std::string();
  }
  bool Present(std::string_view key) const {
    const Value& v = rec_.Get(key);
    return v.kind == Value::kString && !v.s.empty();
  }
  bool Bool(std::string_view key, bool dflt) const {
    const Value& v = rec_.Get(key);
    return v.kind == Value::kBool ? v.b : dflt;
  }
  int64_t Int(std::string_view key, int64_t dflt) const {
    const Value& v = rec_.Get(key);
    return v.kind == Value::kInt ? v.i : dflt;
  }
  std::string Address(std::string_view key, Family family, std::optional<IpAddress>* out) const {
    const Value& v = rec_.Get(key);
    if (v.kind == Value::kMissing || v.kind == Value::kNull ||
        (v.kind == Value::kString && v.s.empty())) {
      return "";
    }
    std::optional<IpAddress> a;
    if (v.kind == Value::kString) a = IpAddress::Parse(v.s);
    if (!a || a->family() != family) {
      return fmt::format("\"{}\" is not an IPv{} address", key, family == Family::kIpv4 ? 4 : 6);
    }
    *out = a;
    return "";
  }

  // Keeps a record unless its id was seen before in this table.
  template <typename T>
  std::string Keep(Table t, std::vector<T>* table, T&& rec) {
    auto& ids = db_->by_id_[static_cast<size_t>(t)];
    if (!ids.try_emplace(rec.id, static_cast<uint32_t>(table->size())).second) {
      return fmt::format("id {} seen before (the first is kept)", rec.id);
    }
    table->push_back(std::move(rec));
    return "";
  }

  std::string Build(Table t) {
    std::string e;
    switch (t) {
      case Table::kNet: {
        Net n;
        if (!(e = Id("id", &n.id, true)).empty() || !(e = Id("org_id", &n.org_id, false)).empty() ||
            !(e = AsnField("asn", &n.asn, true)).empty()) {
          return e;
        }
        n.name = Str("name");
        n.aka = Str("aka");
        n.website = Str("website");
        n.irr_as_set = Str("irr_as_set");
        n.info_type = Str("info_type");
        n.policy_general = Str("policy_general");
        n.status = Str("status");
        n.info_prefixes4 = Int("info_prefixes4", -1);
        n.info_prefixes6 = Int("info_prefixes6", -1);
        return Keep(t, &db_->nets_, std::move(n));
      }
      case Table::kOrg: {
        Organisation o;
        if (!(e = Id("id", &o.id, true)).empty()) return e;
        o.name = Str("name");
        o.country = Str("country");
        o.city = Str("city");
        o.website = Str("website");
        o.status = Str("status");
        return Keep(t, &db_->orgs_, std::move(o));
      }
      case Table::kIx: {
        Ix x;
        if (!(e = Id("id", &x.id, true)).empty() || !(e = Id("org_id", &x.org_id, false)).empty()) {
          return e;
        }
        x.name = Str("name");
        x.name_long = Str("name_long");
        x.city = Str("city");
        x.country = Str("country");
        x.region_continent = Str("region_continent");
        x.website = Str("website");
        x.status = Str("status");
        x.has_tech_email = Present("tech_email");
        x.has_policy_email = Present("policy_email");
        return Keep(t, &db_->ixs_, std::move(x));
      }
      case Table::kIxLan: {
        IxLan l;
        if (!(e = Id("id", &l.id, true)).empty() || !(e = Id("ix_id", &l.ix_id, true)).empty() ||
            !(e = AsnField("rs_asn", &l.rs_asn, false)).empty()) {
          return e;
        }
        l.name = Str("name");
        const int64_t mtu = Int("mtu", 0);
        l.mtu = mtu > 0 && mtu <= 0xFFFFFFFFll ? static_cast<uint32_t>(mtu) : 0;
        return Keep(t, &db_->ixlans_, std::move(l));
      }
      case Table::kIxPfx: {
        IxPfx p;
        if (!(e = Id("id", &p.id, true)).empty() ||
            !(e = Id("ixlan_id", &p.ixlan_id, true)).empty()) {
          return e;
        }
        const Value& v = rec_.Get("prefix");
        std::optional<Prefix> prefix;
        if (v.kind == Value::kString) prefix = Prefix::Parse(v.s);
        if (!prefix) {
          return v.kind == Value::kString ? fmt::format("bad prefix \"{}\"", v.s.substr(0, 100))
                                          : std::string("no \"prefix\" string");
        }
        const std::string proto = Str("protocol");
        if ((proto == "IPv4" && prefix->family() != Family::kIpv4) ||
            (proto == "IPv6" && prefix->family() != Family::kIpv6)) {
          return fmt::format("prefix {} is not {}", prefix->ToString(), proto);
        }
        p.prefix = *prefix;
        p.in_dfz = Bool("in_dfz", false);
        return Keep(t, &db_->ixpfxs_, std::move(p));
      }
      case Table::kNetIxLan: {
        NetIxLan n;
        if (!(e = Id("id", &n.id, true)).empty() || !(e = Id("net_id", &n.net_id, true)).empty() ||
            !(e = Id("ix_id", &n.ix_id, false)).empty() ||
            !(e = Id("ixlan_id", &n.ixlan_id, true)).empty() ||
            !(e = AsnField("asn", &n.asn, true)).empty() ||
            !(e = Address("ipaddr4", Family::kIpv4, &n.ipaddr4)).empty() ||
            !(e = Address("ipaddr6", Family::kIpv6, &n.ipaddr6)).empty()) {
          return e;
        }
        const int64_t speed = Int("speed", 0);
        n.speed = speed > 0 ? static_cast<uint64_t>(speed) : 0;
        n.is_rs_peer = Bool("is_rs_peer", false);
        n.operational = Bool("operational", true);
        return Keep(t, &db_->netixlans_, std::move(n));
      }
      case Table::kPoc: {
        Poc p;
        if (!(e = Id("id", &p.id, true)).empty() || !(e = Id("net_id", &p.net_id, true)).empty()) {
          return e;
        }
        p.role = Str("role");
        p.visible = Str("visible");
        p.has_name = Present("name");
        p.has_email = Present("email");
        p.has_phone = Present("phone");
        p.has_url = Present("url");
        return Keep(t, &db_->pocs_, std::move(p));
      }
    }
    return "unknown table";
  }

  PeeringDb* db_;
  const std::string& name_;
  Record rec_;
};

Status PeeringDb::LoadText(std::string_view text, const std::string& name,
                           std::optional<Table> table_hint) {
  if (!table_hint) table_hint = TableFromFileName(name);
  simdjson::padded_string copy(text.data(), text.size());
  Status s = Loader(this, name).Run(copy, table_hint);
  Reindex();
  return s;
}

Status PeeringDb::LoadFile(const std::string& path, std::optional<Table> table_hint) {
  if (!table_hint) table_hint = TableFromFileName(path);
  auto in = io::InputStream::Open(path, {.threaded = false});
  if (!in.ok()) return in.status();
  // One buffer, grown by doubling, with the padding simdjson reads past the
  // end; no copy after reading.
  const uint64_t hint = (*in)->compressed_size();
  size_t cap =
      static_cast<size_t>(std::min<uint64_t>(
          (*in)->compression() == io::Compression::kNone ? hint : hint * 8, kMaxFileBytes)) +
      (1 << 16) + simdjson::SIMDJSON_PADDING;
  auto buf = std::make_unique_for_overwrite<char[]>(cap);
  size_t size = 0, n;
  do {
    if (cap - size - simdjson::SIMDJSON_PADDING < (1 << 16)) {
      if (size >= kMaxFileBytes) {
        return Status::LimitExceeded(fmt::format(
            "{}: more than {} MiB of JSON after decompression (kMaxFileBytes); not read",
            Printable(path), kMaxFileBytes >> 20));
      }
      const size_t bigger =
          std::min<size_t>(cap * 2, kMaxFileBytes + (1 << 17) + simdjson::SIMDJSON_PADDING);
      auto grown = std::make_unique_for_overwrite<char[]>(bigger);
      std::memcpy(grown.get(), buf.get(), size);
      buf = std::move(grown);
      cap = bigger;
    }
    n = (*in)->Read(reinterpret_cast<std::byte*>(buf.get() + size),
                    cap - size - simdjson::SIMDJSON_PADDING);
    size += n;
  } while (n > 0);
  if (!(*in)->status().ok()) return (*in)->status();
  std::memset(buf.get() + size, 0, simdjson::SIMDJSON_PADDING);
  Status s = Loader(this, path).Run(simdjson::padded_string_view(buf.get(), size, cap), table_hint);
  Reindex();
  return s;
}

Status PeeringDb::Load(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_directory(path, ec)) {
    if (!std::filesystem::exists(path, ec)) {
      return Status::IoError(path + ": no such file or directory");
    }
    return LoadFile(path);
  }
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(path, ec)) {
    if (!e.is_regular_file()) continue;
    if (files.size() >= kMaxFilesPerDirectory) {
      return Status::LimitExceeded(
          fmt::format("{}: more than {} files", path, kMaxFilesPerDirectory));
    }
    files.push_back(e.path().string());
  }
  if (ec) return Status::IoError(path + ": " + ec.message());
  std::sort(files.begin(), files.end());
  bool any = false;
  for (const std::string& f : files) {
    const std::optional<Table> t = TableFromFileName(f);
    if (!t && !IsJsonName(f)) {
      ignored_.push_back(f);
      continue;
    }
    const size_t before = ignored_.size();
    Status s = LoadFile(f, t);
    if (!t && !s.ok() && s.code() != StatusCode::kIoError) {
      // A *.json that is no table file and no full dump: not ours.
      ignored_.resize(before);
      ignored_.push_back(f);
      continue;
    }
    if (!s.ok()) {
      std::string message = s.message();
      if (message.starts_with(f + ": ")) message.erase(0, f.size() + 2);
      Problem(f, message);
      continue;
    }
    any = true;
  }
  if (!any) return Status::NotFound(path + ": no PeeringDB table files");
  return Status::Ok();
}

void PeeringDb::Reindex() {
  net_by_asn_.clear();
  ports_by_asn_.clear();
  ports_by_ix_.clear();
  pocs_by_net_.clear();
  lans_by_ix_.clear();
  pfxs_by_lan_.clear();
  lan_trie_ = PrefixTrie<uint32_t>();
  for (uint32_t i = 0; i < nets_.size(); ++i) net_by_asn_.try_emplace(nets_[i].asn, i);
  for (uint32_t i = 0; i < netixlans_.size(); ++i) {
    ports_by_asn_.emplace(netixlans_[i].asn, i);
    if (const Ix* x = IxOf(netixlans_[i])) ports_by_ix_.emplace(x->id, i);
  }
  for (uint32_t i = 0; i < pocs_.size(); ++i) pocs_by_net_.emplace(pocs_[i].net_id, i);
  for (uint32_t i = 0; i < ixlans_.size(); ++i) lans_by_ix_.emplace(ixlans_[i].ix_id, i);
  for (uint32_t i = 0; i < ixpfxs_.size(); ++i) {
    pfxs_by_lan_.emplace(ixpfxs_[i].ixlan_id, i);
    lan_trie_.Insert(ixpfxs_[i].prefix, i);
  }
}

namespace {
template <typename T>
const T* ById(const std::unordered_map<uint32_t, uint32_t>& ids, const std::vector<T>& v,
              uint32_t id) {
  auto it = ids.find(id);
  return it == ids.end() ? nullptr : &v[it->second];
}

template <typename T>
std::vector<const T*> AllOf(const std::unordered_multimap<uint32_t, uint32_t>& m,
                            const std::vector<T>& v, uint32_t key) {
  std::vector<const T*> out;
  auto [b, e] = m.equal_range(key);
  for (auto it = b; it != e; ++it) out.push_back(&v[it->second]);
  std::sort(out.begin(), out.end(), [](const T* x, const T* y) { return x->id < y->id; });
  return out;
}
}  // namespace

const Net* PeeringDb::NetByAsn(Asn asn) const {
  auto it = net_by_asn_.find(asn);
  return it == net_by_asn_.end() ? nullptr : &nets_[it->second];
}
const Net* PeeringDb::NetById(uint32_t id) const {
  return ById(by_id_[static_cast<size_t>(Table::kNet)], nets_, id);
}
const Organisation* PeeringDb::OrgById(uint32_t id) const {
  return ById(by_id_[static_cast<size_t>(Table::kOrg)], orgs_, id);
}
const Ix* PeeringDb::IxById(uint32_t id) const {
  return ById(by_id_[static_cast<size_t>(Table::kIx)], ixs_, id);
}
const IxLan* PeeringDb::IxLanById(uint32_t id) const {
  return ById(by_id_[static_cast<size_t>(Table::kIxLan)], ixlans_, id);
}

const Ix* PeeringDb::IxOf(const NetIxLan& port) const {
  if (port.ix_id) return IxById(port.ix_id);
  const IxLan* lan = IxLanById(port.ixlan_id);
  return lan ? IxById(lan->ix_id) : nullptr;
}

std::vector<Membership> PeeringDb::MembershipsOf(Asn asn) const {
  std::vector<Membership> out;
  for (const NetIxLan* p : AllOf(ports_by_asn_, netixlans_, asn)) out.push_back({p, IxOf(*p)});
  return out;
}

std::vector<const Poc*> PeeringDb::ContactsOf(Asn asn) const {
  const Net* n = NetByAsn(asn);
  if (!n) return {};
  return AllOf(pocs_by_net_, pocs_, n->id);
}

std::vector<const IxLan*> PeeringDb::LansOf(uint32_t ix_id) const {
  return AllOf(lans_by_ix_, ixlans_, ix_id);
}

std::vector<const IxPfx*> PeeringDb::PrefixesOf(uint32_t ixlan_id) const {
  return AllOf(pfxs_by_lan_, ixpfxs_, ixlan_id);
}

std::vector<const NetIxLan*> PeeringDb::PortsAt(uint32_t ix_id) const {
  return AllOf(ports_by_ix_, netixlans_, ix_id);
}

std::vector<Asn> PeeringDb::MemberAsns(uint32_t ix_id) const {
  std::vector<Asn> out;
  for (const NetIxLan* p : PortsAt(ix_id)) out.push_back(p->asn);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

const IxPfx* PeeringDb::LanPrefixOf(const IpAddress& addr) const {
  const IxPfx* best = nullptr;
  lan_trie_.ForEachCovering(Prefix(addr, static_cast<uint8_t>(addr.bit_width())),
                            [&](const Prefix&, uint32_t i) { best = &ixpfxs_[i]; });
  return best;
}

}  // namespace vigia::peeringdb
