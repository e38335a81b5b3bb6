// vigia serve [--db URL] [--listen ADDR]: the observatory's HTTP API
// (serve/server.h).
#include <memory>

#include "cli/commands.h"
#include "serve/server.h"

namespace vigia::cli {

void RegisterServe(CLI::App& app, int* exit_code) {
  auto o = std::make_shared<serve::ServeOptions>();
  CLI::App* cmd = app.add_subcommand("serve", "Serve the observatory's JSON API over a store");
  cmd->add_option("--db", o->db, "Store: sqlite:PATH")->capture_default_str();
  cmd->add_option("--listen", o->listen, "HOST:PORT to listen on (port 0: any free port)")->capture_default_str();
  cmd->add_option("--max-page", o->max_page, "Largest page size a request may ask for")
      ->check(CLI::Range(size_t{1}, size_t{100000}))
      ->capture_default_str();
  auto quiet = std::make_shared<bool>(false);
  cmd->add_flag("--no-access-log", *quiet, "Do not log each request on stderr");
  cmd->footer(
      "Prints 'vigia: serving http://HOST:PORT' once listening; SIGINT or SIGTERM stop it after the "
      "requests in flight. The API: GET /api/openapi.json. Exit status 2 when the store cannot be "
      "opened or the address cannot be bound.");
  cmd->callback([o, exit_code, quiet] {
    o->access_log = !*quiet;
    *exit_code = serve::Serve(*o);
  });
}

}  // namespace vigia::cli
