// The route archive: tables, loads and their markers, the RowBinary writer
// and the history reads (archive/route_archive.h).
#include "archive/route_archive.h"

#include <fmt/format.h>
#include <httplib.h>
#include <sys/random.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <ctime>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "store/clickhouse_sql.h"

namespace vigia::archive {

namespace ch = store::clickhouse;
using ch::SqlInt;
using ch::SqlString;
using ch::TsvRow;

namespace {

// The data tables: columns in the order the writer sends them, the sorting
// key each question needs.
struct Table {
  const char* name;
  const char* columns;
  const char* order;
};
constexpr Table kRoutes = {
    "archive_routes",
    "day Date, load UInt64, prefix String, origin UInt32, path Array(UInt32), has_set UInt8, "
    "collector String, peer_ip String, peer_asn UInt32, first_seen DateTime, last_seen DateTime, "
    "sightings UInt32",
    "(prefix, day, origin)"};
constexpr Table kOrigins = {
    "archive_origins",
    "day Date, load UInt64, origin UInt32, prefix String, peers UInt32, paths UInt32, first_seen "
    "DateTime, last_seen DateTime",
    "(origin, day, prefix)"};
// Held whole by every node of a cluster: readers on any node must see the
// same markers.
constexpr Table kLoads = {
    "archive_loads",
    "day Date, date String, load UInt64, started UInt64, committed UInt64, routes UInt64, origins "
    "UInt64, prefixes UInt64",
    "(day, load)"};

// A load's rows stay until a commit ten minutes after it was superseded
// (readers resolve a day's load and read it within one request); a load
// without a marker a day after it began was abandoned (a writer killed; a
// full-size day takes minutes, not a day).
constexpr int64_t kSupersededSeconds = 600;
constexpr int64_t kAbandonedSeconds = 86400;

int64_t I(const TsvRow& r, size_t c) {
  return c < r.size() && r[c] ? std::strtoll(r[c]->c_str(), nullptr, 10) : 0;
}
uint64_t U(const TsvRow& r, size_t c) {
  return c < r.size() && r[c] ? std::strtoull(r[c]->c_str(), nullptr, 10) : 0;
}
std::string S(const TsvRow& r, size_t c) { return c < r.size() && r[c] ? *r[c] : std::string(); }

uint32_t Random32() {
  uint32_t n = 0;
  if (getrandom(&n, sizeof n, 0) != static_cast<ssize_t>(sizeof n)) {
    n = static_cast<uint32_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  }
  return n;
}

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// RowBinary pieces clickhouse_sql.h's RowBinary lacks (little-endian).
void PutU32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void PutU64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void PutU16(std::string& out, uint16_t v) {
  out.push_back(static_cast<char>(v & 0xff));
  out.push_back(static_cast<char>(v >> 8));
}
void PutVarUInt(std::string& out, uint64_t n) {
  do {
    uint8_t b = n & 0x7f;
    n >>= 7;
    if (n) b |= 0x80;
    out.push_back(static_cast<char>(b));
  } while (n);
}
void PutString(std::string& out, std::string_view s) {
  PutVarUInt(out, s.size());
  out.append(s);
}

// FNV-1a over the prefix's text: the writer's record of prefixes added.
uint64_t PrefixHash(const std::string& text) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

// "a, b, c" of numbers, for IN lists.
std::string IdList(const std::vector<uint64_t>& ids) {
  std::string out;
  for (uint64_t id : ids) out += (out.empty() ? "" : ", ") + fmt::format("{}", id);
  return out;
}

}  // namespace

struct RouteArchive::Impl {
  ch::ServerUrl url;
  httplib::Client http;
  std::string name, qdb;

  // An open load: its id, when it began, what was sent, and the prefixes
  // added (sorted hashes).
  struct Load {
    uint64_t id = 0;
    uint16_t day = 0;
    int64_t started_ns = 0;
    uint64_t routes = 0, origins = 0;
    std::vector<uint64_t> prefixes;
  };
  std::map<std::string, Load> open;  // by date
  std::string routes_buf, origins_buf;
  size_t flush_bytes = kFlushBytes;
  int64_t superseded_seconds = kSupersededSeconds, abandoned_seconds = kAbandonedSeconds;

  // The INSERTs go out on a thread of their own (with a connection of its
  // own) while Add() builds the next batch: at most one batch waits and
  // one is in flight, so the writer holds at most four batches (two being
  // filled). The first failed INSERT fails every later Add() and Commit().
  httplib::Client send_http;
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::pair<const Table*, std::string>> queue;  // under mu
  bool sending = false, stop = false;                      // under mu
  Status send_error;                                       // under mu
  std::thread sender;

  explicit Impl(ch::ServerUrl u)
      : url(std::move(u)), http(url.host, url.port), send_http(url.host, url.port) {
    for (httplib::Client* c : {&http, &send_http}) {
      c->set_connection_timeout(5, 0);
      c->set_read_timeout(600, 0);
      c->set_write_timeout(600, 0);
      c->set_keep_alive(true);
    }
    name = fmt::format("clickhouse://{}:{}/{}", url.host, url.port, url.db);
    qdb = *ch::SqlName(url.db);
  }
  ~Impl() {
    {
      std::lock_guard<std::mutex> l(mu);
      stop = true;
    }
    cv.notify_all();
    if (sender.joinable()) sender.join();
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  // Queues a batch for the sender; waits while one is already waiting.
  Status Queue(const Table& t, std::string rows) {
    if (rows.empty()) return Status::Ok();
    std::unique_lock<std::mutex> l(mu);
    cv.wait(l, [&] { return queue.empty() || !send_error.ok(); });
    if (!send_error.ok()) return send_error;
    queue.emplace_back(&t, std::move(rows));
    if (!sender.joinable()) sender = std::thread([this] { SendLoop(); });
    cv.notify_all();
    return Status::Ok();
  }
  void SendLoop() {
    std::unique_lock<std::mutex> l(mu);
    for (;;) {
      cv.wait(l, [&] { return stop || !queue.empty(); });
      if (queue.empty()) return;
      auto [table, rows] = std::move(queue.front());
      queue.pop_front();
      const bool failed = !send_error.ok();
      sending = true;
      cv.notify_all();
      l.unlock();
      Status st = failed ? Status::Ok() : Insert(send_http, *table, rows);
      l.lock();
      sending = false;
      if (!st.ok() && send_error.ok()) send_error = std::move(st);
      cv.notify_all();
    }
  }
  // Waits until every queued batch was sent; the first error.
  Status Drain() {
    std::unique_lock<std::mutex> l(mu);
    cv.wait(l, [&] { return queue.empty() && !sending; });
    return send_error;
  }

  bool cluster() const { return !url.cluster.empty(); }
  std::string T(const Table& t) const { return qdb + "." + t.name; }
  // The table a mutation applies to: the local one, on every node.
  std::string Local(const Table& t) const {
    return cluster()
               ? fmt::format("{}.{}_local ON CLUSTER {}", qdb, t.name, *ch::SqlName(url.cluster))
               : T(t);
  }
  // The markers are one replicated table every node holds: a mutation on
  // one node reaches every replica through ZooKeeper.
  std::string LoadsLocal() const { return T(kLoads); }

  Result<std::string> Post(std::string params, const std::string& body, const std::string& what) {
    return PostWith(http, std::move(params), body, what);
  }
  Result<std::string> PostWith(httplib::Client& client, std::string params, const std::string& body,
                               const std::string& what) {
    std::string path = "/" + params;
    if (cluster()) {
      // As the store: an insert returns once both replicas of its shard
      // have it, so a marker is only inserted after every row it covers is
      // on every replica a read may be sent to; reads see every such insert.
      path += (params.empty() ? "?" : "&") +
              std::string(
                  "insert_quorum=2&insert_quorum_timeout=60000&insert_distributed_sync=1&"
                  "select_sequential_consistency=1");
    }
    auto res = client.Post(path, body, "application/octet-stream");
    for (int retry = 0;
         cluster() && retry < 50 && res && res->status != 200 &&
         res->body.find("quorum") != std::string::npos && body.rfind("SELECT", 0) == 0;
         ++retry) {
      // A replica that has not yet fetched a part a quorum confirmed.
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      res = client.Post(path, body, "application/octet-stream");
    }
    if (!res) {
      return Status::IoError(
          fmt::format("{}: {}: {}", name, what, httplib::to_string(res.error())));
    }
    if (res->status != 200) {
      std::string m = res->body.substr(0, std::min<size_t>(res->body.find('\n'), 400));
      return Status::IoError(fmt::format("{}: {}: HTTP {}: {}", name, what, res->status, m));
    }
    return std::move(res->body);
  }
  Status Exec(const std::string& sql, const std::string& what, const std::string& params = "") {
    auto r = Post(params, sql, what);
    return r.ok() ? Status::Ok() : r.status();
  }
  Result<std::vector<TsvRow>> Rows(const std::string& sql, const std::string& what) {
    auto r = Post("", sql + " FORMAT TabSeparated", what);
    if (!r.ok()) return r.status();
    auto rows = ch::ParseTsv(*r);
    if (!rows.ok())
      return Status::IoError(fmt::format("{}: {}: {}", name, what, rows.status().message()));
    return rows;
  }
  Status Insert(httplib::Client& client, const Table& t, const std::string& rows) {
    if (rows.empty()) return Status::Ok();
    const std::string q = "INSERT INTO " + T(t) + " FORMAT RowBinary";
    auto r = PostWith(client, "?query=" + ch::UrlEncode(q), rows, fmt::format("insert {}", t.name));
    return r.ok() ? Status::Ok() : r.status();
  }

  Status CreateSchema() {
    const std::string on = cluster() ? " ON CLUSTER " + *ch::SqlName(url.cluster) : "";
    // DDL only when a table is missing: ON CLUSTER waits for every node.
    auto have = Rows(fmt::format("SELECT count() FROM system.tables WHERE database = {} AND name "
                                 "LIKE 'archive\\\\_%'",
                                 SqlString(url.db)),
                     "list tables");
    if (!have.ok()) return have.status();
    const int64_t want = cluster() ? 5 : 3;
    if (!have->empty() && I((*have)[0], 0) >= want) return Status::Ok();
    if (Status st = Exec("CREATE DATABASE IF NOT EXISTS " + qdb + on, "create database"); !st.ok())
      return st;
    for (const Table* t : {&kRoutes, &kOrigins, &kLoads}) {
      const bool everywhere = t == &kLoads;
      std::string sql;
      if (!cluster()) {
        sql = fmt::format(
            "CREATE TABLE IF NOT EXISTS {} ({}) ENGINE = MergeTree PARTITION BY toYYYYMM(day) "
            "ORDER BY {}",
            T(*t), t->columns, t->order);
      } else {
        const std::string local = everywhere ? T(*t) : T(*t) + "_local";
        const std::string zk =
            everywhere ? fmt::format("/clickhouse/vigia/{}/all/{}", url.db, t->name)
                       : fmt::format("/clickhouse/vigia/{}/{{shard}}/{}", url.db, t->name);
        sql = fmt::format(
            "CREATE TABLE IF NOT EXISTS {}{} ({}) ENGINE = ReplicatedMergeTree({}, '{{replica}}') "
            "PARTITION BY toYYYYMM(day) ORDER BY {}",
            local, on, t->columns, SqlString(zk), t->order);
      }
      if (Status st = Exec(sql, fmt::format("create table {}", t->name)); !st.ok()) return st;
      if (cluster() && !everywhere) {
        // Sharded by prefix: a prefix's rows (of both tables) on one shard.
        const std::string dist = fmt::format(
            "CREATE TABLE IF NOT EXISTS {0}{1} AS {0}_local ENGINE = Distributed({2}, {3}, "
            "{4}_local, cityHash64(prefix))",
            T(*t), on, *ch::SqlName(url.cluster), qdb, t->name);
        if (Status st = Exec(dist, fmt::format("create table {}", t->name)); !st.ok()) return st;
      }
    }
    return Status::Ok();
  }

  Status FlushRoutes() {
    std::string rows;
    rows.swap(routes_buf);
    routes_buf.reserve(flush_bytes + (flush_bytes >> 4));
    return Queue(kRoutes, std::move(rows));
  }
  Status FlushOrigins() {
    std::string rows;
    rows.swap(origins_buf);
    return Queue(kOrigins, std::move(rows));
  }

  // Deletes the rows of loads (their markers too when `markers`); errors
  // ignored, as the rows are invisible.
  void Delete(const std::vector<uint64_t>& loads, bool markers) {
    if (loads.empty()) return;
    // In a cluster a node that is down gets the mutation when it is back;
    // do not wait for it.
    const std::string params = cluster() ? "?distributed_ddl_task_timeout=5" : "";
    for (const Table* t : {&kRoutes, &kOrigins}) {
      static_cast<void>(
          Exec(fmt::format("ALTER TABLE {} DELETE WHERE load IN ({})", Local(*t), IdList(loads)),
               "delete loads", params));
    }
    if (markers) {
      static_cast<void>(
          Exec(fmt::format("ALTER TABLE {} DELETE WHERE load IN ({})", LoadsLocal(), IdList(loads)),
               "delete load markers", params));
    }
  }

  // Loads superseded over kSupersededSeconds ago, and abandoned loads of
  // `day`, deleted.
  void Clean(const std::string& date) {
    const int64_t now = NowNs() / 1'000'000'000;
    auto superseded = Rows(
        fmt::format("SELECT load FROM {0} WHERE (day, committed) NOT IN (SELECT day, "
                    "max(committed) FROM {0} GROUP BY day) AND day IN (SELECT day FROM {0} GROUP "
                    "BY day HAVING max(committed) < {1})",
                    T(kLoads), SqlInt(NowNs() - superseded_seconds * 1'000'000'000)),
        "find superseded loads");
    if (superseded.ok()) {
      std::vector<uint64_t> ids;
      for (const TsvRow& r : *superseded) ids.push_back(U(r, 0));
      Delete(ids, true);
    }
    // A load id's high half is the second it began.
    auto abandoned =
        Rows(fmt::format(
                 "SELECT DISTINCT load FROM {} WHERE day = toDate({}) AND load NOT IN (SELECT load "
                 "FROM {}) AND intDiv(load, 4294967296) < {}",
                 T(kOrigins), SqlString(date), T(kLoads), SqlInt(now - abandoned_seconds)),
             "find abandoned loads");
    if (abandoned.ok()) {
      std::vector<uint64_t> ids;
      for (const TsvRow& r : *abandoned) ids.push_back(U(r, 0));
      Delete(ids, false);
    }
  }

  // "day >= toDate(..) AND day <= toDate(..)" of a query's bounds, or "1".
  static std::string DayRange(const HistoryQuery& q) {
    std::string out = "1";
    if (!q.from.empty()) out += " AND day >= toDate(" + SqlString(q.from) + ")";
    if (!q.to.empty()) out += " AND day <= toDate(" + SqlString(q.to) + ")";
    return out;
  }
  // The newest committed load of each day in range, as "load IN (...)".
  Result<std::string> Visible(const HistoryQuery& q) {
    auto rows = Rows(fmt::format("SELECT argMax(load, committed) FROM {} WHERE {} GROUP BY day",
                                 T(kLoads), DayRange(q)),
                     "resolve loads");
    if (!rows.ok()) return rows.status();
    std::vector<uint64_t> ids;
    for (const TsvRow& r : *rows) ids.push_back(U(r, 0));
    if (ids.empty()) return std::string("0");
    return DayRange(q) + " AND load IN (" + IdList(ids) + ")";
  }
};

RouteArchive::RouteArchive(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RouteArchive::RouteArchive(RouteArchive&&) noexcept = default;
RouteArchive& RouteArchive::operator=(RouteArchive&&) noexcept = default;

RouteArchive::~RouteArchive() {
  if (!impl_ || impl_->open.empty()) return;
  static_cast<void>(impl_->Drain());  // no batch of the load may arrive after the delete
  std::vector<uint64_t> ids;
  for (const auto& [date, load] : impl_->open) ids.push_back(load.id);
  impl_->Delete(ids, false);
}

const std::string& RouteArchive::name() const { return impl_->name; }

void RouteArchive::SetCleanDelays(int64_t superseded_seconds, int64_t abandoned_seconds) {
  impl_->superseded_seconds = superseded_seconds;
  impl_->abandoned_seconds = abandoned_seconds;
}

Result<RouteArchive> RouteArchive::Open(const std::string& url, size_t flush_bytes) {
  auto u = ch::ParseServerUrl(url);
  if (!u.ok()) return u.status();
  auto impl = std::make_unique<Impl>(std::move(u).value());
  impl->flush_bytes = std::max<size_t>(flush_bytes, 1);
  if (Status st = impl->CreateSchema(); !st.ok()) return st;
  return RouteArchive(std::move(impl));
}

Status RouteArchive::Add(const observe::ObservedRoutes& routes, const std::string& date) {
  Impl& m = *impl_;
  const uint16_t day = ch::DayNumber(date);
  if (day == 0) {
    return Status::InvalidArgument(
        fmt::format("{}: archive: date '{}' is not YYYY-MM-DD", m.name, date));
  }
  const auto& sightings = routes.sightings();
  const auto& prefixes = routes.prefixes();
  const auto& peers = routes.peers();
  const auto& paths = routes.paths();

  // The order to read sightings in: by prefix then peer. After Finish()
  // they are; otherwise an order of indices (4 bytes per sighting).
  bool sorted = true;
  for (size_t i = 1; i < sightings.size() && sorted; ++i) {
    const auto& a = sightings[i - 1];
    const auto& b = sightings[i];
    sorted = a.prefix < b.prefix || (a.prefix == b.prefix && a.peer <= b.peer);
  }
  std::vector<uint32_t> order;
  if (!sorted) order = observe::OrderByPrefix(sightings, prefixes.size(), /*by_start=*/false);
  auto at = [&](size_t k) -> const observe::Sighting& {
    return sorted ? sightings[k] : sightings[order[k]];
  };

  // The prefixes of this call (those with sightings), refused if an earlier
  // call of the same date had one.
  std::vector<uint64_t> added;
  for (size_t k = 0; k < sightings.size(); ++k) {
    if (k > 0 && at(k).prefix == at(k - 1).prefix) continue;
    added.push_back(PrefixHash(prefixes[at(k).prefix].ToString()));
  }
  std::sort(added.begin(), added.end());
  if (std::adjacent_find(added.begin(), added.end()) != added.end()) {
    return Status::InvalidArgument(
        fmt::format("{}: archive: two prefixes of one Add() have the same text", m.name));
  }
  auto it = m.open.find(date);
  if (it != m.open.end()) {
    std::vector<uint64_t> both;
    std::set_intersection(added.begin(), added.end(), it->second.prefixes.begin(),
                          it->second.prefixes.end(), std::back_inserter(both));
    if (!both.empty()) {
      return Status::InvalidArgument(fmt::format(
          "{}: archive: {} prefix(es) of {} were already added to this load (Add() takes "
          "disjoint prefix sets)",
          m.name, both.size(), date));
    }
  } else {
    Impl::Load l;
    l.started_ns = NowNs();
    l.id = (static_cast<uint64_t>(l.started_ns / 1'000'000'000) << 32) | Random32();
    l.day = day;
    it = m.open.emplace(date, std::move(l)).first;
  }
  Impl::Load& load = it->second;
  {
    std::vector<uint64_t> merged;
    merged.reserve(load.prefixes.size() + added.size());
    std::merge(load.prefixes.begin(), load.prefixes.end(), added.begin(), added.end(),
               std::back_inserter(merged));
    load.prefixes = std::move(merged);
  }

  // One prefix at a time: its (peer, path) rows, and per origin the
  // distinct peers and paths.
  struct PeerPath {
    uint32_t peer, path, first, last, count;
  };
  std::vector<PeerPath> rows;
  std::string prefix_text;
  std::vector<std::string> peer_ips(peers.size());  // text, made once per peer
  for (size_t i = 0; i < peers.size(); ++i) peer_ips[i] = peers[i].ip.ToString();
  for (size_t k = 0; k < sightings.size();) {
    const uint32_t prefix = at(k).prefix;
    rows.clear();
    size_t peer_rows = 0;  // where the rows of the current peer begin
    for (; k < sightings.size() && at(k).prefix == prefix; ++k) {
      const observe::Sighting& s = at(k);
      if (rows.empty() || rows.back().peer != s.peer) peer_rows = rows.size();
      // Sightings come by peer: its paths are the rows since peer_rows.
      auto r = std::find_if(rows.begin() + static_cast<ptrdiff_t>(peer_rows), rows.end(),
                            [&](const PeerPath& x) { return x.path == s.path; });
      if (r == rows.end()) {
        rows.push_back({s.peer, s.path, s.start, s.end, 1});
      } else {
        r->first = std::min(r->first, s.start);
        r->last = std::max(r->last, s.end);
        ++r->count;
      }
    }
    prefix_text = prefixes[prefix].ToString();
    for (const PeerPath& r : rows) {
      const observe::Peer& peer = peers[r.peer];
      const auto asns = paths.Get(r.path);
      std::string& b = m.routes_buf;
      PutU16(b, day);
      PutU64(b, load.id);
      PutString(b, prefix_text);
      PutU32(b, paths.Origin(r.path));
      PutVarUInt(b, asns.size());
      for (Asn a : asns) PutU32(b, a);
      b.push_back(paths.HasSet(r.path) ? 1 : 0);
      PutString(b, peer.collector);
      PutString(b, peer_ips[r.peer]);
      PutU32(b, peer.asn);
      PutU32(b, r.first);
      PutU32(b, r.last);
      PutU32(b, r.count);
      ++load.routes;
    }
    // Per origin: rows sorted by (origin, peer, path) then counted.
    std::sort(rows.begin(), rows.end(), [&](const PeerPath& a, const PeerPath& b) {
      const Asn oa = paths.Origin(a.path), ob = paths.Origin(b.path);
      return std::tie(oa, a.peer, a.path) < std::tie(ob, b.peer, b.path);
    });
    std::vector<uint32_t> origin_paths;
    for (size_t i = 0; i < rows.size();) {
      const Asn origin = paths.Origin(rows[i].path);
      uint32_t npeers = 0, first = UINT32_MAX, last = 0;
      origin_paths.clear();
      size_t j = i;
      for (; j < rows.size() && paths.Origin(rows[j].path) == origin; ++j) {
        if (j == i || rows[j].peer != rows[j - 1].peer) ++npeers;
        origin_paths.push_back(rows[j].path);
        first = std::min(first, rows[j].first);
        last = std::max(last, rows[j].last);
      }
      i = j;
      std::sort(origin_paths.begin(), origin_paths.end());
      const auto npaths = static_cast<uint32_t>(
          std::unique(origin_paths.begin(), origin_paths.end()) - origin_paths.begin());
      std::string& b = m.origins_buf;
      PutU16(b, day);
      PutU64(b, load.id);
      PutU32(b, origin);
      PutString(b, prefix_text);
      PutU32(b, npeers);
      PutU32(b, npaths);
      PutU32(b, first);
      PutU32(b, last);
      ++load.origins;
    }
    if (m.routes_buf.size() >= m.flush_bytes) {
      if (Status st = m.FlushRoutes(); !st.ok()) return st;
    }
    if (m.origins_buf.size() >= m.flush_bytes) {
      if (Status st = m.FlushOrigins(); !st.ok()) return st;
    }
  }
  return Status::Ok();
}

Status RouteArchive::Commit() {
  Impl& m = *impl_;
  if (Status st = m.FlushRoutes(); !st.ok()) return st;
  if (Status st = m.FlushOrigins(); !st.ok()) return st;
  if (Status st = m.Drain(); !st.ok()) return st;
  if (m.open.empty()) return Status::Ok();
  // The markers: one INSERT after every row they cover.
  std::string b;
  const int64_t now = NowNs();
  for (const auto& [date, l] : m.open) {
    PutU16(b, l.day);
    PutString(b, date);
    PutU64(b, l.id);
    PutU64(b, static_cast<uint64_t>(l.started_ns));
    PutU64(b, static_cast<uint64_t>(now));
    PutU64(b, l.routes);
    PutU64(b, l.origins);
    PutU64(b, l.prefixes.size());
  }
  if (Status st = m.Insert(m.http, kLoads, b); !st.ok()) return st;
  std::vector<std::string> dates;
  for (const auto& [date, l] : m.open) dates.push_back(date);
  m.open.clear();
  for (const std::string& d : dates) m.Clean(d);
  return Status::Ok();
}

Result<std::vector<LoadInfo>> RouteArchive::Days(const HistoryQuery& q) {
  Impl& m = *impl_;
  auto rows = m.Rows(
      fmt::format("SELECT date, load, started, committed, routes, origins, prefixes FROM {} WHERE "
                  "(day, load) IN (SELECT day, argMax(load, committed) FROM {} WHERE {} GROUP BY "
                  "day) ORDER BY day DESC LIMIT {}",
                  m.T(kLoads), m.T(kLoads), Impl::DayRange(q),
                  SqlInt(static_cast<int64_t>(q.limit))),
      "list days");
  if (!rows.ok()) return rows.status();
  std::vector<LoadInfo> out;
  for (const TsvRow& r : *rows) {
    out.push_back({S(r, 0), U(r, 1), I(r, 2) / 1'000'000'000, I(r, 3) / 1'000'000'000, U(r, 4),
                   U(r, 5), U(r, 6)});
  }
  return out;
}

namespace {

// Rows beyond the limit are dropped and the history marked truncated.
template <typename T>
void Cap(History<T>* h, size_t limit) {
  if (h->rows.size() > limit) {
    h->rows.resize(limit);
    h->truncated = true;
  }
}

}  // namespace

Result<History<OriginDay>> RouteArchive::PrefixOrigins(const Prefix& p, const HistoryQuery& q) {
  Impl& m = *impl_;
  auto visible = m.Visible(q);
  if (!visible.ok()) return visible.status();
  auto rows = m.Rows(
      fmt::format(
          "SELECT toString(day), origin, uniqExact(collector, peer_ip, peer_asn), "
          "uniqExact(path, has_set), toUInt32(min(first_seen)), toUInt32(max(last_seen)) FROM "
          "{} WHERE prefix = {} AND {} GROUP BY day, origin ORDER BY day, origin LIMIT {}",
          m.T(kRoutes), SqlString(p.ToString()), *visible,
          SqlInt(static_cast<int64_t>(q.limit) + 1)),
      "prefix origins");
  if (!rows.ok()) return rows.status();
  History<OriginDay> h;
  for (const TsvRow& r : *rows) {
    h.rows.push_back({S(r, 0), static_cast<Asn>(U(r, 1)), U(r, 2), U(r, 3), I(r, 4), I(r, 5)});
  }
  Cap(&h, q.limit);
  return h;
}

Result<History<PathDay>> RouteArchive::PrefixPaths(const Prefix& p, const HistoryQuery& q) {
  Impl& m = *impl_;
  auto visible = m.Visible(q);
  if (!visible.ok()) return visible.status();
  auto rows = m.Rows(
      fmt::format(
          "SELECT toString(day), origin, arrayStringConcat(arrayMap(x -> toString(x), "
          "path), ' '), has_set, uniqExact(collector, peer_ip, peer_asn), "
          "toUInt32(min(first_seen)), toUInt32(max(last_seen)) FROM {} WHERE prefix = {} AND "
          "{} GROUP BY day, "
          "origin, path, has_set ORDER BY day, origin, path LIMIT {}",
          m.T(kRoutes), SqlString(p.ToString()), *visible,
          SqlInt(static_cast<int64_t>(q.limit) + 1)),
      "prefix paths");
  if (!rows.ok()) return rows.status();
  History<PathDay> h;
  for (const TsvRow& r : *rows) {
    PathDay d;
    d.date = S(r, 0);
    d.origin = static_cast<Asn>(U(r, 1));
    const std::string text = S(r, 2);
    for (size_t b = 0; b < text.size();) {
      size_t e = text.find(' ', b);
      if (e == std::string::npos) e = text.size();
      d.path.push_back(static_cast<Asn>(std::strtoull(text.substr(b, e - b).c_str(), nullptr, 10)));
      b = e + 1;
    }
    d.has_set = I(r, 3) != 0;
    d.peers = U(r, 4);
    d.first = I(r, 5);
    d.last = I(r, 6);
    h.rows.push_back(std::move(d));
  }
  Cap(&h, q.limit);
  return h;
}

Result<History<PrefixDay>> RouteArchive::AsnPrefixes(Asn asn, const HistoryQuery& q) {
  Impl& m = *impl_;
  auto visible = m.Visible(q);
  if (!visible.ok()) return visible.status();
  auto rows = m.Rows(
      fmt::format("SELECT toString(day), prefix, peers, paths, toUInt32(first_seen), "
                  "toUInt32(last_seen) FROM {} "
                  "WHERE origin = {} AND {} ORDER BY day, prefix LIMIT {}",
                  m.T(kOrigins), SqlInt(asn), *visible, SqlInt(static_cast<int64_t>(q.limit) + 1)),
      "asn prefixes");
  if (!rows.ok()) return rows.status();
  History<PrefixDay> h;
  for (const TsvRow& r : *rows) {
    h.rows.push_back({S(r, 0), S(r, 1), U(r, 2), U(r, 3), I(r, 4), I(r, 5)});
  }
  Cap(&h, q.limit);
  return h;
}

Status ArchiveDay(const std::string& url, const observe::ObservedRoutes& routes,
                  const std::string& date) {
  auto a = RouteArchive::Open(url);
  if (!a.ok()) return a.status();
  if (Status st = a->Add(routes, date); !st.ok()) return st;
  return a->Commit();
}

}  // namespace vigia::archive
