// The route archive (issue 18 item 4; docs/archive.md): every day's
// observed routes in ClickHouse, so that RIPEstat-style routing-history
// questions (which origins and paths did a prefix have on a past day,
// which prefixes did an AS originate) can be asked of any archived day.
//
// What is kept, per day (the snapshot's date): one row per (prefix,
// collector peer, AS path) that the peer used for the prefix during the
// snapshot's window, with the origin, the peer's address and AS, the
// collector, the first and last second it was seen (min start / max end of
// those sightings, observe/observed_routes.h) and how many sightings they
// were; beside it one row per (prefix, origin) with its peer and path
// counts, ordered by origin for the AS question. Tables (created if absent):
//
//   archive_routes   ORDER BY (prefix, day, origin)   the prefix question
//   archive_origins  ORDER BY (origin, day, prefix)   the AS question
//   archive_loads    one row per committed load: the commit marker
//
// all MergeTree PARTITION BY toYYYYMM(day). On a cluster (?cluster=NAME)
// the two data tables are NAME_local ReplicatedMergeTree under Distributed
// tables sharded by cityHash64(prefix), and archive_loads one
// ReplicatedMergeTree every node holds whole; inserts wait for a quorum of
// 2 and reads are sequentially consistent (as the ClickHouse store does,
// store/clickhouse_store.h).
//
// A day written twice is not doubled, and a day is visible only once
// complete: every write of a day is a "load" with an id of its own, its
// rows carry the id, and Commit() inserts the load's marker row last (one
// INSERT of one row is atomic in ClickHouse). Readers take, per day, the
// newest committed load only. Superseded loads (ten minutes after they
// were superseded, so that a reader that resolved one finishes first) and
// abandoned ones (no marker a day after they began, on the day being
// committed) are deleted by later commits (ALTER ... DELETE, a background
// mutation). Why not replace the day's slice of the partition: partitions
// are months, 18.16 can only drop or replace whole partitions, and a
// DELETE then INSERT would leave the day missing or half-there in between.
//
// Memory: rows are sent in RowBinary INSERTs of about kFlushBytes (a few
// hundred thousand rows), never a whole day; per open day the writer keeps
// one 64-bit hash per prefix added (8 bytes each: 10 MB at 1.2 M prefixes)
// to refuse a prefix given to Add() twice, which would double its rows.
//
// Thread safety: one RouteArchive per thread (its HTTP connection is its
// own). Several processes may write different days, or the same day (the
// newest commit wins), at once.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/asn.h"
#include "core/ip.h"
#include "core/status.h"
#include "observe/observed_routes.h"

namespace vigia::archive {

// Rows sent per INSERT, in bytes of RowBinary (about 80 bytes a row).
inline constexpr size_t kFlushBytes = 32 << 20;

// A committed load: the day it holds, when it was written, what it holds.
struct LoadInfo {
  std::string date;
  uint64_t load = 0;
  int64_t started = 0, committed = 0;  // seconds since the epoch
  uint64_t routes = 0, origins = 0, prefixes = 0;
};

// The bounds of a history read: dates YYYY-MM-DD ("" = open), and the
// rows at most (a read that had more says so: `truncated`).
struct HistoryQuery {
  std::string from, to;
  size_t limit = 1000;
};

// An origin of a prefix on a day, with its peers (distinct collector
// peers), its distinct paths and when it was seen.
struct OriginDay {
  std::string date;
  Asn origin = 0;
  uint64_t peers = 0, paths = 0;
  int64_t first = 0, last = 0;
};

// A path of a prefix on a day; has_set: it held an AS_SET (origin 0).
struct PathDay {
  std::string date;
  Asn origin = 0;
  std::vector<Asn> path;
  bool has_set = false;
  uint64_t peers = 0;
  int64_t first = 0, last = 0;
};

// A prefix an AS originated on a day.
struct PrefixDay {
  std::string date;
  std::string prefix;
  uint64_t peers = 0, paths = 0;
  int64_t first = 0, last = 0;
};

template <typename T>
struct History {
  std::vector<T> rows;
  bool truncated = false;  // more rows than the limit
};

class RouteArchive {
 public:
  // URL: clickhouse://HOST:PORT/DB[?cluster=NAME] (PORT the HTTP port).
  // Creates the database and tables when absent. kInvalidArgument for a bad
  // URL; kIoError when the server does not answer or refuses. flush_bytes:
  // the size of an INSERT (tests make it small).
  static Result<RouteArchive> Open(const std::string& url, size_t flush_bytes = kFlushBytes);
  RouteArchive(RouteArchive&&) noexcept;
  RouteArchive& operator=(RouteArchive&&) noexcept;
  // An open load not committed has its rows deleted (they were invisible).
  ~RouteArchive();

  // Adds the routes of `routes` (after Finish()) to the load of `date`
  // (YYYY-MM-DD), opening one on the first call for that date. May be
  // called several times for one date with routes holding disjoint sets of
  // prefixes (a prefix partition each); a prefix given twice is refused
  // (kInvalidArgument) before any of this call's rows is sent. Sightings
  // need not be sorted (they are ordered by prefix and peer here when not).
  // kIoError when an INSERT fails (the load stays invisible).
  Status Add(const observe::ObservedRoutes& routes, const std::string& date);
  // Sends what is buffered, then the marker of every open load: from now
  // on readers see those days as written by this load, whole. Then deletes
  // superseded and abandoned loads (errors there are ignored: the rows are
  // invisible and a later commit retries).
  Status Commit();

  // The committed loads of days in [from, to], newest day first, the one
  // readers use per day only.
  Result<std::vector<LoadInfo>> Days(const HistoryQuery& q);
  // A prefix's origins per day (day, then origin order), and their paths
  // (day, origin, path order); exact prefix match.
  Result<History<OriginDay>> PrefixOrigins(const Prefix& p, const HistoryQuery& q);
  Result<History<PathDay>> PrefixPaths(const Prefix& p, const HistoryQuery& q);
  // The prefixes an AS originated per day (day, then prefix order).
  Result<History<PrefixDay>> AsnPrefixes(Asn asn, const HistoryQuery& q);

  // How long a superseded load's rows stay (600 s) and when a load without
  // a marker counts as abandoned (86,400 s after it began); tests shorten
  // them.
  void SetCleanDelays(int64_t superseded_seconds, int64_t abandoned_seconds);

  // The URL without the query, for messages.
  const std::string& name() const;

 private:
  struct Impl;
  explicit RouteArchive(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// What `vigia analyze --archive URL` does with a loaded snapshot: Open,
// Add(routes, date), Commit, errors naming the archive.
Status ArchiveDay(const std::string& url, const observe::ObservedRoutes& routes,
                  const std::string& date);

}  // namespace vigia::archive
