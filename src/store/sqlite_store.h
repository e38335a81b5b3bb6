// The embedded store (SPEC C9): one SQLite file, zero set-up.
//
//   Schema    versioned with PRAGMA user_version; Open() applies the
//             migrations a file lacks, each in its own transaction, and
//             refuses a file made by a newer Vigía.
//   Journal   WAL: readers go on while a snapshot is written; a crash or a
//             kill never damages committed snapshots.
//   Writes    one IMMEDIATE transaction per snapshot (BeginSnapshot ..
//             Commit); every statement is prepared with bound parameters.
//
// Readers   OpenReader: query_only connections for vigia serve, one per
//           request in flight, each read in one read transaction
//           (BeginRead .. EndRead) so that an answer never mixes two states.
//
// Thread safety: as store.h says, one SqliteStore per thread (or calls
// serialised by the caller); SQLite serialises writers across processes,
// and a writer waits up to 5 s for another to finish.
#pragma once

#include <memory>
#include <string>

#include "store/store.h"

struct sqlite3;

namespace vigia::store {

struct StmtCache;  // sqlite_store.cc

// The registry's entry (store/backends.cc): PATH is the file, created if
// absent.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path);

class SqliteStore : public Store {
 public:
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& path);
  // A connection for reads only (vigia serve's pool): PRAGMA query_only,
  // a small page cache of its own (the OS page cache is shared by all),
  // no migration (the file must be at this program's schema already:
  // kInvalidArgument otherwise).
  static Result<std::unique_ptr<SqliteStore>> OpenReader(const std::string& path);
  ~SqliteStore() override;

  int schema_version() const override;
  static int latest_schema_version();
  Result<std::unique_ptr<SnapshotWriter>> BeginSnapshot(const SnapshotInfo& info) override;
  Result<std::vector<SnapshotInfo>> Snapshots() override;
  Result<std::vector<IncidentRow>> Incidents(const IncidentQuery& q) override;
  Result<int64_t> CountIncidents(const IncidentQuery& q) override;
  Result<std::vector<MetricRow>> Metrics(int64_t snapshot, Asn asn) override;
  Result<std::map<std::string, int64_t>> IncidentCounts(int64_t snapshot) override;
  Result<std::vector<ScoreRow>> Scores(int64_t snapshot, const std::string& entity_kind,
                                       const std::string& entity) override;
  Result<std::optional<EntityRow>> Entity(int64_t snapshot, const std::string& kind,
                                          const std::string& id) override;
  Result<std::vector<std::pair<EntityRow, ScoreRow>>> Ranking(int64_t snapshot,
                                                              const std::string& kind, size_t limit,
                                                              size_t offset) override;
  Result<std::vector<HistoryPoint>> History(const std::string& kind, const std::string& id,
                                            bool monthly) override;
  Result<std::vector<OriginRow>> KnownOrigins(const std::string& before_date) override;
  Result<ContestRow> AddContest(const ContestRow& c) override;
  Result<std::vector<ContestRow>> Contests(int64_t snapshot, int64_t incident,
                                           std::optional<Asn> asn, size_t limit) override;
  Result<std::vector<RouteRefRow>> RouteRefs(int64_t snapshot,
                                             const std::vector<std::string>& prefixes) override;
  Result<std::optional<RouteRefTotals>> RouteRefTotalsOf(int64_t snapshot) override;
  Result<std::vector<RouteSeenRow>> RoutesSeen(int64_t snapshot,
                                               const std::string& prefix) override;
  Result<std::vector<OriginRow>> OriginsOf(const std::string& prefix) override;
  Result<std::vector<ContestRow>> ListContests(const ContestQuery& q) override;
  Result<ReviewRow> AddReview(const ReviewRow& r) override;
  Result<TokenRow> AddToken(const TokenRow& t) override;
  Result<std::vector<TokenRow>> Tokens() override;
  Status RevokeToken(int64_t id) override;
  Result<AuditRow> AddAudit(const AuditRow& a) override;
  Result<std::vector<AuditRow>> Audit(size_t limit, size_t offset) override;
  Result<RsCheckRow> PutRsCheck(const RsCheckRow& r) override;
  Result<std::optional<RsCheckRow>> LatestRsCheck(const std::string& ixp_id) override;
  Result<LiveEventRow> AddLiveEvent(const LiveEventRow& e) override;
  Result<std::vector<LiveEventRow>> LiveEvents(const LiveEventQuery& q) override;
  Result<std::vector<EntityRow>> Search(int64_t snapshot, const std::string& text,
                                        size_t limit) override;
  // BEGIN, then PRAGMA data_version (which starts the read transaction:
  // every read until EndRead sees the WAL snapshot of that moment).
  Result<std::optional<uint64_t>> BeginRead() override;
  void EndRead() override;  // COMMIT (a read transaction: nothing to write)

  // "PATH: what: SQLite's message".
  Status Error(const std::string& what) const;

 private:
  SqliteStore() = default;
  static Result<std::unique_ptr<SqliteStore>> OpenConnection(const std::string& path, bool reader);
  Status Exec(const char* sql, const std::string& what);
  Status Migrate();

  sqlite3* db_ = nullptr;
  std::unique_ptr<StmtCache> stmts_;  // prepared statements kept for the next call
  std::string path_;
  int version_ = 0;
};

}  // namespace vigia::store
