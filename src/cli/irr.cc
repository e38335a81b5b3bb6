// Skeleton, replaced by the real command.
#include "cli/commands.h"

namespace vigia::cli {

void RegisterIrr(CLI::App& app, int* exit_code) {
  (void)app;
  (void)exit_code;
}

}  // namespace vigia::cli
