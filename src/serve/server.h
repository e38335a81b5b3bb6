// vigia serve (SPEC C10, issue [5/5]): the read API over a store, on
// cpp-httplib. Every parameter is validated (a bad one gets 400 with a
// JSON error), page sizes are capped, every request is logged, and
// SIGINT/SIGTERM stop the server after the requests in flight.
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
#pragma once

#include <string>

namespace vigia::serve {

struct ServeOptions {
  std::string db = "sqlite:vigia.db";
  std::string listen = "127.0.0.1:8080";  // HOST:PORT; port 0 picks a free one
  size_t max_page = 1000;
  bool access_log = true;  // one line per request on stderr
};

// Serves until SIGINT or SIGTERM. Prints "vigia: serving http://HOST:PORT"
// on stdout once listening. Returns the exit status.
int Serve(const ServeOptions& opts);

}  // namespace vigia::serve
