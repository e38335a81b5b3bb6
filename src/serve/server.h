// vigia serve (SPEC C10, issue [5/5]): the read API over a store, on
// cpp-httplib. Every parameter is validated (a bad one gets 400 with a
// JSON error), page sizes are capped, every request is logged, and
// SIGINT/SIGTERM stop the server after the requests in flight. Slow and
// hostile clients meet the caps of serve/http_server.h (connections,
// header count and size, a deadline per request).
//
//   GET /healthz                    liveness and the newest snapshot
//   GET /metrics                    Prometheus text: requests by route and status, latency
//   GET /api/openapi.json           the OpenAPI 3 document of this API
//   GET /api/snapshots              the stored snapshots, newest first
//   GET /api/overview               global and per-region readiness, incidents per type
//   GET /api/{as|country|region|ixp|group}/{id}
//                                   the report of report/report.h
//   GET /api/incidents              search by type, AS and prefix, paged
//   GET /api/ranking                entities of a kind by overall score, paged; ?format=csv
//   GET /api/search                 ASes, countries and IXPs by id or name
//   GET /api/compare                ASes or countries side by side; ?format=csv
//   GET /api/incidents/{id}         one incident with its contests
//   POST /api/incidents/{id}/contest
//                                   contest an incident (operator token of its ASNs)
//   GET /api/contests               contests with their state (reviewer: all; operator: its ASNs)
//   POST /api/contests/{id}/review  accept or reject a contest (reviewer token); accepting
//                                   re-analyses its date without the incident
//   GET /api/audit                  the append-only log of every write (reviewer token)
//   GET /api/history/prefix?p=P     a prefix's origins and paths per day (--archive)
//   GET /api/history/asn?a=N        the prefixes an AS originated per day (--archive)
//   GET /                           the web app (web/dist), when built
//
// Reads run in parallel, each on a store connection of its own inside one
// read view: an answer shows the store before a write or after it, never a
// mix. The public read answers are cached until the store changes.
//
// Every table has CSV: ?format=csv on ranking, incidents, compare and the
// reports.
#pragma once

#include <string>

#include "core/limits.h"

namespace vigia::serve {

struct ServeOptions {
  std::string db = "sqlite:vigia.db";
  std::string listen = "127.0.0.1:8080";  // HOST:PORT; port 0 picks a free one
  size_t max_page = kMaxPage;
  bool access_log = true;  // one line per request on stderr
  // The built web app (web/dist) served at "/"; "" = look beside the
  // program (../../web/dist, ../share/vigia/web) and in ./web/dist.
  std::string web;
  // Open connections at most; one more is answered 503 and closed
  // (serve/http_server.h holds the other limits).
  size_t max_connections = kMaxConnections;
  // Seconds a request may take to arrive whole from its first byte; a
  // slower one is answered 408 and closed.
  int request_timeout = kRequestSeconds;
  // Threads answering requests, and store connections at most (one per
  // request in flight).
  size_t workers = 64;
  // MiB of answers kept per store generation (serve/read_pool.h
  // ResponseCache); 0: none.
  size_t cache_mb = 128;
  // The route archive of /api/history/* (clickhouse://HOST:PORT/DB
  // [?cluster=NAME], archive/route_archive.h); "" = none, they answer 404.
  std::string archive;
};

// The web app directory Serve would use for `configured` ("" = search).
std::string FindWebApp(const std::string& configured);

// Serves until SIGINT or SIGTERM. Prints "vigia: serving http://HOST:PORT"
// on stdout once listening. Returns the exit status.
int Serve(const ServeOptions& opts);

}  // namespace vigia::serve
