// vigia rtr serve: an RTR cache (RFC 8210 version 1, RFC 6810 version 0,
// draft-ietf-sidrops-8210bis-10 version 2 with ASPA) over a VRP file or
// the newest snapshot of a store (SPEC C11, issue 16 item 3). The protocol
// and the event loop are rpki/rtr_server.h; this file is where the data
// comes from and when it is reloaded.
//
// Threads: the server's loop (the main thread), a loader that polls the
// data source every --refresh seconds (or at once on SIGHUP) and hands any
// new set to the loop, and one that waits for the signals. A reload that
// fails (a file half-written, unreadable, a SLURM file that no longer
// parses) keeps the data being served and says why on stderr; the next
// poll tries again.
#include <pthread.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "cli/commands.h"
#include "cli/rpki_common.h"
#include "rpki/rtr_server.h"
#include "rpki/slurm.h"
#include "snapshot/layout.h"
#include "store/store.h"

namespace vigia::cli {

namespace {

namespace rtr = rpki::rtr;

struct RtrServeArgs {
  std::vector<std::string> vrp_files;
  std::string db;
  std::vector<std::string> slurm_files;
  std::vector<std::string> listen;
  int refresh = 10;
  size_t max_clients = 10'000;
  int client_timeout = 60;
  uint32_t rtr_refresh = rtr::kDefaultRefresh;
  uint32_t rtr_retry = rtr::kDefaultRetry;
  uint32_t rtr_expire = rtr::kDefaultExpire;
};

void LogLine(const std::string& line) {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
  std::fprintf(stderr, "%s vigia rtr: %s\n", stamp, line.c_str());
}

// What identifies a version of a file without reading it: a rewrite in
// place changes the time and usually the size; a rename changes the inode.
struct FileStamp {
  dev_t dev = 0;
  ino_t ino = 0;
  off_t size = -1;
  timespec mtime{};
  bool operator==(const FileStamp& o) const {
    return dev == o.dev && ino == o.ino && size == o.size && mtime.tv_sec == o.mtime.tv_sec &&
           mtime.tv_nsec == o.mtime.tv_nsec;
  }
};

FileStamp Stamp(const std::string& path) {
  FileStamp s;
  struct stat st {};
  if (stat(path.c_str(), &st) == 0) {
    s.dev = st.st_dev;
    s.ino = st.st_ino;
    s.size = st.st_size;
    s.mtime = st.st_mtim;
  }
  return s;
}

// Loads VRP files and applies SLURM files (RFC 8416 §4); every file must
// load, so that a half-written file never shrinks the set routers get.
Result<std::shared_ptr<const rtr::RtrPayload>> LoadPayload(const std::vector<std::string>& files,
                                                           const std::vector<std::string>& slurms) {
  rpki::VrpSet set;
  for (const std::string& f : files) {
    if (Status s = set.LoadFile(f); !s.ok()) return s;
  }
  if (set.problems().count() > 0) {
    LogLine(std::to_string(set.problems().count()) + " bad VRP entries skipped, the first: " +
            (set.problems().kept().empty()
                 ? std::string("?")
                 : set.problems().kept()[0].where + ": " + set.problems().kept()[0].message));
  }
  std::vector<rpki::Slurm> parsed;
  for (const std::string& f : slurms) {
    auto s = rpki::Slurm::LoadFile(f);
    if (!s.ok()) return s.status();
    parsed.push_back(std::move(s).value());
  }
  if (Status st = rpki::Slurm::CheckOverlap(parsed); !st.ok()) return st;
  for (const rpki::Slurm& s : parsed) {
    const rpki::Slurm::Applied a = s.Apply(&set);
    LogLine(s.name + ": " + std::to_string(a.vrps_filtered) + " VRPs filtered, " +
            std::to_string(a.vrps_added) + " asserted; " + std::to_string(a.aspas_filtered) +
            " ASPAs filtered, " + std::to_string(a.aspas_added) + " asserted");
  }
  return std::make_shared<const rtr::RtrPayload>(rtr::RtrPayload::FromVrpSet(set));
}

// The data source: files (reloaded when one of them changes) or a store
// (reloaded when its newest snapshot changes: that snapshot directory's
// rpki/ files, its SLURM files and --slurm applied).
class Source {
 public:
  explicit Source(const RtrServeArgs& a) : a_(a) {}

  Status Open() {
    if (a_.db.empty()) return Status::Ok();
    auto s = store::Store::Open(a_.db);
    if (!s.ok()) return s.status();
    store_ = std::move(s).value();
    return Status::Ok();
  }

  // A new payload when the source changed since the last call (or `force`),
  // nullptr when it did not; an error when it changed but cannot be read.
  Result<std::shared_ptr<const rtr::RtrPayload>> Poll(bool force) {
    std::vector<std::string> files = a_.vrp_files, slurms;
    if (store_) {
      auto info = store_->SnapshotFor("");
      if (!info.ok()) return info.status();
      if (!force && info.value().id == snapshot_id_)
        return std::shared_ptr<const rtr::RtrPayload>();
      if (info.value().dir.empty()) {
        return Status::NotFound("snapshot " + info.value().date +
                                " was stored without its directory; no VRPs to serve");
      }
      const std::filesystem::path rpki = std::filesystem::path(info.value().dir) / "rpki";
      std::error_code ec;
      for (const auto& e : std::filesystem::directory_iterator(rpki, ec)) {
        if (!e.is_regular_file()) continue;
        (snapshot::IsSlurmFile(e.path().filename().string()) ? slurms : files)
            .push_back(e.path().string());
      }
      if (ec || files.empty()) {
        return Status::NotFound("snapshot " + info.value().date + ": no VRP files in " +
                                rpki.string());
      }
      std::sort(files.begin(), files.end());
      std::sort(slurms.begin(), slurms.end());
      auto p = LoadPayload(files, Concat(slurms, a_.slurm_files));
      if (p.ok()) {
        snapshot_id_ = info.value().id;
        LogLine("store snapshot " + std::to_string(snapshot_id_) + " (" + info.value().date +
                "): " + rpki.string());
      }
      return p;
    }
    std::vector<FileStamp> stamps;
    for (const std::string& f : Concat(files, a_.slurm_files)) stamps.push_back(Stamp(f));
    if (!force && stamps == stamps_) return std::shared_ptr<const rtr::RtrPayload>();
    auto p = LoadPayload(files, a_.slurm_files);
    if (p.ok()) stamps_ = std::move(stamps);
    return p;
  }

 private:
  static std::vector<std::string> Concat(std::vector<std::string> a,
                                         const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  }

  const RtrServeArgs& a_;
  std::unique_ptr<store::Store> store_;
  int64_t snapshot_id_ = -1;
  std::vector<FileStamp> stamps_;
};

int RunRtrServe(const RtrServeArgs& a) {
  if (a.vrp_files.empty() == a.db.empty()) {
    std::fprintf(stderr, "vigia: give either --vrps FILE or --db URL\n");
    return kExitFailed;
  }
  if (a.refresh < 1 || a.refresh > 86400) {
    std::fprintf(stderr, "vigia: --refresh must be between 1 and 86400 seconds\n");
    return kExitFailed;
  }
  if (a.client_timeout < 1 || a.client_timeout > 86400) {
    std::fprintf(stderr, "vigia: --client-timeout must be between 1 and 86400 seconds\n");
    return kExitFailed;
  }
  if (a.max_clients < 1 || a.max_clients > 1'000'000) {
    std::fprintf(stderr, "vigia: --max-clients must be between 1 and 1000000\n");
    return kExitFailed;
  }
  // RFC 8210 §6: the ranges a router accepts.
  if (a.rtr_refresh < rtr::kMinRefresh || a.rtr_refresh > rtr::kMaxRefresh ||
      a.rtr_retry < rtr::kMinRetry || a.rtr_retry > rtr::kMaxRetry ||
      a.rtr_expire < rtr::kMinExpire || a.rtr_expire > rtr::kMaxExpire ||
      a.rtr_expire <= a.rtr_refresh || a.rtr_expire <= a.rtr_retry) {
    std::fprintf(stderr,
                 "vigia: RFC 8210 §6: --rtr-refresh 1-86400, --rtr-retry 1-7200, --rtr-expire "
                 "600-172800 and larger than both\n");
    return kExitFailed;
  }
  // A thousand routers need a thousand descriptors; take what the hard
  // limit allows.
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }

  // Signals are taken by one thread with sigwait; every other thread
  // blocks them. Blocked before anything else runs, so that threads the
  // loaders start (and keep) inherit the mask too.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGHUP);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);

  Source source(a);
  if (Status s = source.Open(); !s.ok()) {
    std::fprintf(stderr, "vigia: %s\n", s.message().c_str());
    return kExitFailed;
  }
  auto first = source.Poll(true);
  if (!first.ok() && a.db.empty()) {
    std::fprintf(stderr, "vigia: %s\n", first.status().message().c_str());
    return kExitFailed;
  }
  if (!first.ok()) LogLine(first.status().message() + "; answering No Data Available until then");

  rtr::RtrServerOptions opts;
  if (!a.listen.empty()) opts.listen = a.listen;
  opts.max_clients = a.max_clients;
  opts.timers = {a.rtr_refresh, a.rtr_retry, a.rtr_expire};
  opts.client_timeout = std::chrono::seconds(a.client_timeout);
  opts.on_log = LogLine;
  rtr::RtrServer server(opts);
  if (Status s = server.Listen(); !s.ok()) {
    std::fprintf(stderr, "vigia: %s\n", s.message().c_str());
    return kExitFailed;
  }
  if (first.ok()) server.SetPayload(first.value());

  std::mutex mu;
  std::condition_variable cv;
  bool stop = false, reload = false;
  std::thread loader([&] {
    std::string last_error;
    std::unique_lock<std::mutex> lock(mu);
    while (!stop) {
      cv.wait_for(lock, std::chrono::seconds(a.refresh), [&] { return stop || reload; });
      if (stop) break;
      const bool force = reload;
      reload = false;
      lock.unlock();
      auto p = source.Poll(force);
      if (!p.ok()) {
        // Once per distinct failure, not once per poll.
        if (p.status().message() != last_error) {
          LogLine("reload failed, serving the previous data: " + p.status().message());
        }
        last_error = p.status().message();
      } else {
        last_error.clear();
        if (p.value()) server.SetPayload(p.value());
      }
      lock.lock();
    }
  });
  std::thread signals([&] {
    for (;;) {
      int sig = 0;
      if (sigwait(&sigs, &sig) != 0) continue;
      std::lock_guard<std::mutex> lock(mu);
      if (sig == SIGHUP && !stop) {
        LogLine("SIGHUP: reloading");
        reload = true;
        cv.notify_all();
        continue;
      }
      stop = true;
      cv.notify_all();
      server.Stop();
      return;
    }
  });

  for (const std::string& addr : server.addresses()) {
    std::printf("vigia: rtr listening on %s\n", addr.c_str());
  }
  std::fflush(stdout);
  server.Run();
  {
    std::lock_guard<std::mutex> lock(mu);
    if (!stop) pthread_kill(signals.native_handle(), SIGTERM);
  }
  signals.join();
  loader.join();
  const rtr::RtrServerStats st = server.stats();
  LogLine("stopped: " + std::to_string(st.accepted) + " clients served, " +
          std::to_string(st.reset_queries) + " Reset Queries, " +
          std::to_string(st.serial_queries) + " Serial Queries, serial " +
          std::to_string(st.serial));
  return kExitOk;
}

}  // namespace

void RegisterRtr(CLI::App& app, int* exit_code) {
  CLI::App* group = app.add_subcommand("rtr", "RPKI-to-Router (RFC 8210): the cache side");
  group->require_subcommand(1);
  auto a = std::make_shared<RtrServeArgs>();
  CLI::App* cmd = group->add_subcommand(
      "serve", "RTR cache (versions 0, 1 and 2 with ASPA) serving a VRP file or a store");
  AddFilesOption(cmd, "--vrps", &a->vrp_files,
                 "VRP files: rpki-client/Routinator JSON (with ASPAs), Routinator/RIPE CSV (any "
                 "compression)");
  cmd->add_option("--db", a->db,
                  "a store: serve the rpki/ files of its newest snapshot, and follow new ones");
  AddSlurmOption(cmd, &a->slurm_files);
  cmd->add_option("--listen", a->listen,
                  "HOST:PORT or [V6]:PORT (port 0 picks a free one); repeat for several "
                  "(default 127.0.0.1:8282)")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("--refresh", a->refresh,
                  "seconds between checks of the files (or the store) for new data")
      ->capture_default_str();
  cmd->add_option("--max-clients", a->max_clients, "most routers connected at once")
      ->capture_default_str();
  cmd->add_option("--client-timeout", a->client_timeout,
                  "seconds after which a client that sends no query, stops inside a PDU or "
                  "reads nothing is dropped")
      ->capture_default_str();
  cmd->add_option("--rtr-refresh", a->rtr_refresh, "End of Data Refresh Interval (RFC 8210 §6)")
      ->capture_default_str();
  cmd->add_option("--rtr-retry", a->rtr_retry, "End of Data Retry Interval")->capture_default_str();
  cmd->add_option("--rtr-expire", a->rtr_expire, "End of Data Expire Interval")
      ->capture_default_str();
  cmd->footer(
      "Prints 'vigia: rtr listening on ADDR:PORT' for each address once listening. A change of "
      "a file (or a new snapshot in the store) gives a new serial and a Serial Notify to every "
      "router within --refresh seconds; SIGHUP reloads at once; SIGINT or SIGTERM stop it. "
      "Exit status: 0 after a signal, 2 when the data or an address cannot be used at start.");
  cmd->callback([a, exit_code] { *exit_code = RunRtrServe(*a); });
}

}  // namespace vigia::cli
