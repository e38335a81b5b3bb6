// Skeleton, replaced by the real command.
#include "cli/commands.h"

namespace vigia::cli {

void RegisterRpkiAspa(CLI::App& rpki, int* exit_code) {
  (void)rpki;
  (void)exit_code;
}

}  // namespace vigia::cli
