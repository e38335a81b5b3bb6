// vigia: the command-line entry point. Exceptions stop here.
#include <cstdio>
#include <exception>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"Vigía: an open routing-security observatory and IXP toolkit", "vigia"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "vigia 0.1.0");
  int exit_code = vigia::cli::kExitOk;

  CLI::App* mrt = app.add_subcommand("mrt", "Read MRT routing dumps (RFC 6396)");
  mrt->require_subcommand(1);
  vigia::cli::RegisterMrtDump(*mrt, &exit_code);
  vigia::cli::RegisterMrtStats(*mrt, &exit_code);
  vigia::cli::RegisterMrtGenerate(*mrt, &exit_code);
  vigia::cli::RegisterRpki(app, &exit_code);
  vigia::cli::RegisterIrr(app, &exit_code);
  vigia::cli::RegisterBogons(app, &exit_code);
  vigia::cli::RegisterRegistry(app, &exit_code);
  vigia::cli::RegisterTopo(app, &exit_code);
  vigia::cli::RegisterPeeringDb(app, &exit_code);
  vigia::cli::RegisterSimulate(app, &exit_code);
  vigia::cli::RegisterAnalyze(app, &exit_code);
  vigia::cli::RegisterDemo(app, &exit_code);
  vigia::cli::RegisterReport(app, &exit_code);
  vigia::cli::RegisterServe(app, &exit_code);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : vigia::cli::kExitFailed;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vigia: %s\n", e.what());
    return vigia::cli::kExitFailed;
  }
  return exit_code;
}
