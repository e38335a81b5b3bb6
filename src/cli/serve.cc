// vigia serve [--db URL] [--listen ADDR]: the observatory's HTTP API
// (serve/server.h).
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "core/printable.h"
#include "serve/server.h"

namespace vigia::cli {

void RegisterServe(CLI::App& app, int* exit_code) {
  auto o = std::make_shared<serve::ServeOptions>();
  CLI::App* cmd = app.add_subcommand(
      "serve", "Serve the observatory's web dashboard and JSON API over a store");
  cmd->add_option("--db", o->db, "Store: sqlite:PATH")->capture_default_str();
  cmd->add_option("--listen", o->listen, "HOST:PORT to listen on (port 0: any free port)")
      ->capture_default_str();
  cmd->add_option("--max-page", o->max_page, "Largest page size a request may ask for")
      ->check(CLI::Range(size_t{1}, size_t{100000}))
      ->capture_default_str();
  cmd->add_option("--max-connections", o->max_connections,
                  "Open connections at most; one more is answered 503 and closed")
      ->check(CLI::Range(size_t{1}, size_t{100000}))
      ->capture_default_str();
  cmd->add_option(
         "--request-timeout", o->request_timeout,
         "Seconds a request may take to arrive whole; a slower one is answered 408 and closed")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  cmd->add_option("--workers", o->workers,
                  "Threads answering requests; each reads through a store connection of its own")
      ->check(CLI::Range(size_t{1}, size_t{1024}))
      ->capture_default_str();
  cmd->add_option("--cache-mb", o->cache_mb,
                  "MiB of read answers kept until the store changes (0: no cache)")
      ->check(CLI::Range(size_t{0}, size_t{65536}))
      ->capture_default_str();
  cmd->add_option("--archive", o->archive,
                  "The route archive for /api/history/prefix and /api/history/asn: "
                  "clickhouse://HOST:PORT/DB[?cluster=NAME], as given to vigia analyze --archive");
  cmd->add_option("--web", o->web,
                  "The built web app to serve at / (default: web/dist beside the program or here)");
  // The one shared token of earlier versions is gone: tokens live in the
  // store, one per operator or reviewer (vigia token create). The option
  // stays only to say so instead of "unknown option".
  auto token_file = std::make_shared<std::string>();
  cmd->add_option("--token-file", *token_file,
                  "Removed: the write API's tokens are in the store (vigia token create)")
      ->group("");
  auto quiet = std::make_shared<bool>(false);
  cmd->add_flag("--no-access-log", *quiet, "Do not log each request on stderr");
  cmd->footer(
      "Prints 'vigia: serving http://HOST:PORT' once listening; SIGINT or SIGTERM stop it after "
      "the "
      "requests in flight. The API: GET /api/openapi.json. Writes (contests, reviews) take "
      "bearer tokens made with 'vigia token create'. Exit status 2 when the store cannot be "
      "opened or the address cannot be bound.");
  cmd->callback([o, exit_code, quiet, token_file] {
    o->access_log = !*quiet;
    if (!token_file->empty()) {
      std::fprintf(stderr,
                   "vigia: serve: --token-file is gone: the write API takes per-operator and "
                   "reviewer tokens from the store; make them with 'vigia token create' "
                   "(docs/contests.md)\n");
      *exit_code = kExitFailed;
      return;
    }
    if (std::getenv("VIGIA_TOKEN")) {
      std::fprintf(stderr,
                   "vigia: serve: VIGIA_TOKEN is ignored: tokens are in the store (vigia token "
                   "create)\n");
    }
    *exit_code = serve::Serve(*o);
  });
}

}  // namespace vigia::cli
