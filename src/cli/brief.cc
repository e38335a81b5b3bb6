// vigia brief --db DB --country CC --lang en|es|pt --out FILE.pdf [--date D]: the two-page
// country brief for decision makers (issue [3/7] item 4; web/src/pages/brief.ts, docs/brief.md)
// printed to PDF by Debian's headless Chromium.
//
// The dashboard page is the single source of the brief's layout and numbers, so the PDF is that
// page printed: this command checks what it can here (the store opens, the country is in the
// snapshot, Chromium, node and the renderer exist), then runs web/scripts/brief-pdf.mjs, which
// starts `vigia serve` (this same program) on a free loopback port, waits for the page's ready
// marker with playwright-core, prints, and stops the server. The renderer is Playwright rather
// than `chromium --print-to-pdf --virtual-time-budget` because a time budget only guesses when the
// page's API calls are done; the ready marker knows, and an error page fails instead of printing.
// Single-threaded; the child processes are waited for before returning.
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "report/report.h"
#include "serve/server.h"
#include "store/backends.h"

extern char** environ;

namespace vigia::cli {

namespace {

struct BriefArgs {
  std::string db = "sqlite:vigia.db";
  std::string country, lang = "en", out, date, web;
  int timeout = 90;
};

// The first executable of `names` in $PATH, or "".
std::string FindInPath(const std::vector<std::string>& names) {
  const char* path = std::getenv("PATH");
  std::string p = path ? path : "/usr/bin:/bin";
  for (const std::string& name : names) {
    for (size_t b = 0; b <= p.size();) {
      size_t e = p.find(':', b);
      if (e == std::string::npos) e = p.size();
      const std::string cand = (e > b ? p.substr(b, e - b) : ".") + "/" + name;
      if (::access(cand.c_str(), X_OK) == 0) return cand;
      b = e + 1;
    }
  }
  return {};
}

int Fail(const std::string& msg) {
  std::fprintf(stderr, "vigia: brief: %s\n", msg.c_str());
  return kExitFailed;
}

int RunBrief(BriefArgs a) {
  namespace fs = std::filesystem;
  for (char& c : a.country) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (a.country.size() != 2 || !std::isalpha(static_cast<unsigned char>(a.country[0])) ||
      !std::isalpha(static_cast<unsigned char>(a.country[1])))
    return Fail("--country must be a two-letter ISO 3166 code");

  // The store and the country first: their errors are clearer here than from the browser.
  {
    auto st = store::Store::Open(a.db);
    if (!st.ok()) return Fail(st.status().message());
    report::ReportOptions o;
    o.kind = "country";
    o.id = a.country;
    o.date = a.date;
    o.max_members = 0;
    auto r = report::BuildReport(**st, o);
    if (!r.ok()) return Fail(a.db + ": " + r.status().message());
  }

  std::string chromium;
  if (const char* env = std::getenv("CHROMIUM"); env && *env) {
    chromium = env;
  } else if (::access("/usr/bin/chromium", X_OK) == 0) {
    chromium = "/usr/bin/chromium";
  } else {
    chromium = FindInPath({"chromium", "chromium-browser"});
  }
  if (chromium.empty() || ::access(chromium.c_str(), X_OK) != 0)
    return Fail("Chromium is missing" + (chromium.empty() ? "" : " at " + chromium) +
                ": the PDF is printed by headless Chromium (apt-get install chromium, or set "
                "CHROMIUM=/path/to/chromium)");
  const std::string node = FindInPath({"node", "nodejs"});
  if (node.empty())
    return Fail("node is missing: the PDF renderer is a node script (apt-get install nodejs)");
  const std::string dist = serve::FindWebApp(a.web);
  if (dist.empty())
    return Fail("the web app is not built (cd web && npm ci && npm run build), or give --web DIR");
  const fs::path script = fs::path(dist) / ".." / "scripts" / "brief-pdf.mjs";
  std::error_code ec;
  if (!fs::is_regular_file(script, ec))
    return Fail("the renderer " + script.lexically_normal().string() +
                " is missing beside the web app " + dist);
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return Fail("cannot find this program: /proc/self/exe: " + ec.message());

  std::vector<std::string> args = {node,         script.lexically_normal().string(),
                                   "--vigia",    self.string(),
                                   "--db",       a.db,
                                   "--web",      dist,
                                   "--country",  a.country,
                                   "--lang",     a.lang,
                                   "--out",      a.out,
                                   "--chromium", chromium,
                                   "--timeout",  std::to_string(a.timeout)};
  if (!a.date.empty()) {
    args.push_back("--date");
    args.push_back(a.date);
  }
  std::vector<char*> argv;
  for (std::string& s : args) argv.push_back(s.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (int err = ::posix_spawn(&pid, node.c_str(), nullptr, nullptr, argv.data(), environ); err != 0)
    return Fail("cannot run " + node + ": " + std::strerror(err));
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return Fail(std::string("waitpid: ") + std::strerror(errno));
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return kExitOk;
  return Fail("the PDF was not written (the renderer's message is above)");
}

}  // namespace

void RegisterBrief(CLI::App& app, int* exit_code) {
  auto a = std::make_shared<BriefArgs>();
  CLI::App* cmd = app.add_subcommand(
      "brief", "Print a country's two-page brief (summary, method and sources) to PDF");
  cmd->add_option("--db", a->db, "Store: sqlite:PATH")->capture_default_str();
  cmd->add_option("--country", a->country, "ISO 3166 alpha-2 code of the country")->required();
  cmd->add_option("--lang", a->lang, "Language of the brief")
      ->check(CLI::IsMember({"en", "es", "pt"}))
      ->capture_default_str();
  cmd->add_option("--out", a->out, "The PDF to write")->required();
  cmd->add_option("--date", a->date, "Snapshot date YYYY-MM-DD (default: the newest)");
  cmd->add_option("--web", a->web, "The built web app (default: web/dist beside the program)");
  cmd->add_option("--timeout", a->timeout, "Seconds to wait for the server and the page")
      ->check(CLI::Range(5, 3600))
      ->capture_default_str();
  cmd->footer(
      "Needs Debian's chromium (or CHROMIUM=path), node and web/node_modules (playwright-core). "
      "Exit status 2 when any is missing, the country is not in the snapshot, or the page does "
      "not render. See docs/brief.md.");
  cmd->callback([a, exit_code] { *exit_code = RunBrief(*a); });
}

}  // namespace vigia::cli
