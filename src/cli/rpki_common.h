// What the `vigia rpki` sub-commands share.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "rpki/vrp.h"

namespace vigia::cli {

// Loads every file into *vrps; each problem goes to stderr as
// "vigia: FILE: where: message (skipped)" and sets *skipped. Then applies
// the SLURM files (RFC 8416), which must all be valid and must not overlap.
// False, with the reason on stderr, when no VRP file could be read or a
// SLURM file is unusable.
bool LoadVrpFiles(const std::vector<std::string>& files, rpki::VrpSet* vrps, bool* skipped,
                  const std::vector<std::string>& slurm_files = {});

// Adds a file-list option that takes one file per use (repeat it, or
// separate files with commas), so that it cannot swallow the positional
// arguments after it.
CLI::Option* AddFilesOption(CLI::App* cmd, const std::string& name, std::vector<std::string>* files,
                            const std::string& help);

// Adds --slurm FILE... to a command.
void AddSlurmOption(CLI::App* cmd, std::vector<std::string>* slurm_files);

}  // namespace vigia::cli
