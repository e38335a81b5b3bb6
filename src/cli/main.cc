// vigia: the command-line entry point. Exceptions stop here.
#include <cstdio>
#include <exception>
#include <optional>
#include <string>
#include <string_view>

#include "cli/commands.h"
#include "core/printable.h"

namespace {

// CLI11 takes a word that names no subcommand for an extra argument, and
// then prints the root help and exits 0 or says "A subcommand is required".
// This walks the words before it parses: at each level that has
// subcommands, the first word that is not an option must name one of them.
// Returns the first word that does not, with the command it was given to
// ("" at the top level), or nothing.
struct UnknownCommand {
  std::string parent;
  std::string word;
};

std::optional<UnknownCommand> FindUnknownCommand(CLI::App& app, int argc, char** argv) {
  CLI::App* level = &app;
  std::string path;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.starts_with("-")) continue;  // the command levels take flags only
    const auto subs = level->get_subcommands([](CLI::App*) { return true; });
    if (subs.empty()) break;  // a leaf command: the rest are its arguments
    CLI::App* next = nullptr;
    for (CLI::App* s : subs) {
      if (s->check_name(std::string(arg))) next = s;
    }
    if (next == nullptr) return UnknownCommand{path, std::string(arg)};
    path += (path.empty() ? "" : " ") + next->get_name();
    level = next;
  }
  return std::nullopt;
}

}  // namespace

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
  vigia::cli::RegisterRtr(app, &exit_code);
  vigia::cli::RegisterCollect(app, &exit_code);
  vigia::cli::RegisterBogons(app, &exit_code);
  vigia::cli::RegisterRegistry(app, &exit_code);
  vigia::cli::RegisterTopo(app, &exit_code);
  vigia::cli::RegisterPeeringDb(app, &exit_code);
  vigia::cli::RegisterSimulate(app, &exit_code);
  vigia::cli::RegisterAnalyze(app, &exit_code);
  vigia::cli::RegisterIncidents(app, &exit_code);
  vigia::cli::RegisterDemo(app, &exit_code);
  vigia::cli::RegisterReport(app, &exit_code);
  vigia::cli::RegisterServe(app, &exit_code);
  vigia::cli::RegisterUpdate(app, &exit_code);
  vigia::cli::RegisterDaily(app, &exit_code);
  vigia::cli::RegisterBrief(app, &exit_code);
  vigia::cli::RegisterToken(app, &exit_code);
  vigia::cli::RegisterContest(app, &exit_code);
  vigia::cli::RegisterIxp(app, &exit_code);

  if (auto u = FindUnknownCommand(app, argc, argv)) {
    const std::string where = u->parent.empty() ? "vigia" : "vigia " + u->parent;
    std::fprintf(stderr, "vigia: unknown command '%s'; see '%s --help'\n",
                 vigia::Printable(u->word).c_str(), where.c_str());
    return vigia::cli::kExitFailed;
  }

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
