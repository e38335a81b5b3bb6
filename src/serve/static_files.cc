// The web app's static files (serve/server.h).
#include <filesystem>
#include <vector>

#include "serve/server.h"

namespace vigia::serve {

std::string FindWebApp(const std::string& configured) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!configured.empty()) return fs::is_directory(configured, ec) ? configured : std::string();
  std::vector<fs::path> candidates;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    candidates.push_back(exe.parent_path() / "../../web/dist");      // build/<preset>/vigia
    candidates.push_back(exe.parent_path() / "../share/vigia/web");  // installed
  }
  candidates.push_back("web/dist");
  for (const auto& c : candidates) {
    if (fs::is_regular_file(c / "index.html", ec)) return fs::weakly_canonical(c, ec).string();
  }
  return {};
}

}  // namespace vigia::serve
