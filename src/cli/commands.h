// The sub-commands of the `vigia` program, one file each.
//
// Each Register* function adds its sub-command to the CLI11 app and arranges
// for its exit code to be stored in *exit_code when it runs.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace vigia::cli {

// Exit codes shared by every command.
inline constexpr int kExitOk = 0;
inline constexpr int kExitSkipped = 1;  // ran to the end, but input was skipped
inline constexpr int kExitFailed = 2;   // could not run (usage, unreadable file)

void RegisterMrtDump(CLI::App& mrt, int* exit_code);
void RegisterMrtStats(CLI::App& mrt, int* exit_code);
void RegisterMrtGenerate(CLI::App& mrt, int* exit_code);
void RegisterRpki(CLI::App& app, int* exit_code);        // rpki.cc: validate, stats
void RegisterRpkiAspa(CLI::App& rpki, int* exit_code);   // rpki_aspa.cc
void RegisterRpkiFetch(CLI::App& rpki, int* exit_code);  // rpki_fetch.cc
void RegisterIrr(CLI::App& app, int* exit_code);         // irr.cc: check, expand
void RegisterIrrServe(CLI::App& irr, int* exit_code);    // irr_serve.cc: irr serve
void RegisterRtr(CLI::App& app, int* exit_code);         // rtr_serve.cc: rtr serve
void RegisterCollect(CLI::App& app, int* exit_code);     // collect.cc
void RegisterBogons(CLI::App& app, int* exit_code);      // registry.cc: bogons
void RegisterRegistry(CLI::App& app, int* exit_code);    // registry.cc: registry lookup
void RegisterTopo(CLI::App& app, int* exit_code);        // topo.cc: rel, cone
void RegisterPeeringDb(CLI::App& app, int* exit_code);   // peeringdb.cc
void RegisterSimulate(CLI::App& app, int* exit_code);    // simulate.cc
void RegisterAnalyze(CLI::App& app, int* exit_code);     // analyze.cc
void RegisterIncidents(CLI::App& app, int* exit_code);   // incidents.cc
void RegisterDemo(CLI::App& app, int* exit_code);        // demo.cc
void RegisterReport(CLI::App& app, int* exit_code);      // report.cc
void RegisterServe(CLI::App& app, int* exit_code);       // serve.cc
void RegisterUpdate(CLI::App& app, int* exit_code);      // update.cc
void RegisterDaily(CLI::App& app, int* exit_code);       // daily.cc
void RegisterBrief(CLI::App& app, int* exit_code);       // brief.cc
void RegisterToken(CLI::App& app, int* exit_code);       // token.cc: create, list, revoke
void RegisterContest(CLI::App& app, int* exit_code);     // contest.cc: list, review
void RegisterIxp(CLI::App& app, int* exit_code);         // ixp.cc: the ixp group, ixp config
// ixp_check.cc: `vigia ixp check`, added to the ixp group by RegisterIxp.
void RegisterIxpCheck(CLI::App& ixp, int* exit_code);

// `vigia analyze SNAP --db DB [--json]`, for commands that chain it.
int Analyze(const std::string& snap, const std::string& db, bool json);

}  // namespace vigia::cli
