// The ClickHouse store (SPEC C9; issue 18 item 3): the store.h interface
// over ClickHouse's HTTP interface (Debian's clickhouse-server 18.16,
// through cpp-httplib), for observatories whose history outgrows one SQLite
// file. URL: clickhouse://HOST:PORT/DB[?cluster=NAME] (PORT: the HTTP port,
// 8123 by default). docs/clickhouse.md has the table design and the limits.
//
// On a cluster (?cluster=NAME, a <remote_servers> entry of the servers'
// config, with ZooKeeper and {shard}/{replica} macros) the tables are
// created ON CLUSTER: the data tables as NAME_local (ReplicatedMergeTree)
// under a Distributed NAME, sharded at random; `snapshots`, `claims`,
// `claim_releases` and `schema` as one ReplicatedMergeTree every node
// holds. Every insert waits for a quorum of 2 (both replicas of a shard:
// a committed snapshot is whole on every replica a read may be sent to) and
// every read is sequentially consistent (it sees every quorum insert, so
// the claim protocol below holds across nodes). With a replica down, its
// shard takes no writes (they fail; nothing of them is visible) and reads
// go on through the other replica.
//
// ClickHouse has no transactions, no unique keys and no auto-increment, so
// this store does each explicitly:
//
//   Atomic     a snapshot's rows are inserted carrying its id; the row in
//   snapshots  `snapshots` is its commit marker, inserted last, alone (one
//              INSERT of one row is atomic in ClickHouse). Every read of
//              snapshot data first resolves the snapshot in `snapshots`, so
//              rows without a marker are never read, and a writer destroyed
//              without Commit() (or killed) leaves only invisible rows,
//              which an ALTER ... DELETE removes (at once, or by the next
//              BeginSnapshot once they are an hour old).
//   Ids        an id (snapshot, contest, review, token, audit, check, live
//              event) is the next number after the highest claimed one,
//              taken by inserting a claim row (kind, key, random nonce) and
//              reading back the claims of that key: a claimer that sees no
//              other live claim has it; one that does releases its own (a
//              row in claim_releases) and tries again after a random pause.
//              Two claimers cannot both win: each inserts before it reads,
//              so the second to read sees the first. Ids are never reused:
//              a crashed writer's rows stay invisible for good.
//   Unique     the same claim on a key gives one review per contest, one
//              token per name and one revocation per token.
//   Duplicates within a snapshot (an incident id, a metric of an AS, ...)
//              are refused by the writer, which keeps each key it was given
//              (memory: about 100 bytes per row of those kinds).
//   Immutable  rows are only inserted; contests, reviews, the audit log,
//              tokens (with revocations as rows of their own), route-server
//              checks and live events are append-only tables.
//
// Inserts are RowBinary (no SQL text, exact doubles), buffered per table
// and sent every 4 MiB and at Commit(); every value a query holds goes
// through clickhouse_sql.h. Filters ClickHouse 18.16 cannot say simply
// (prefix containment, the country of a culprit, contest states) are
// applied here on the rows a keyed query returns, in the order SQLite's
// queries give, so that every answer equals the SQLite store's.
//
// Thread safety: as store.h says, one ClickHouseStore per thread (its HTTP
// connection and its cache of committed snapshots are its own). Several
// processes may write at once: their ids and unique keys are claimed as
// above.
#pragma once

#include <memory>
#include <string>

#include "store/store.h"

namespace vigia::store {

// The registry's entry (store/backends.cc): REST is "//HOST:PORT/DB", the
// URL after "clickhouse:". Creates the database and its tables if absent.
// kInvalidArgument for a malformed URL; kIoError when the server does not
// answer.
Result<std::unique_ptr<Store>> OpenClickHouseStore(const std::string& rest);

}  // namespace vigia::store
