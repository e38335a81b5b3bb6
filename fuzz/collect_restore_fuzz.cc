// Fuzz target for `vigia collect`'s restart reader (collect/mrt_archive.h):
// the input is written into a fresh output directory both as the newest
// RIB dump and as an update file after it, and MrtArchive::Restore()
// rebuilds the RIB from them through a MuxSink, as Collector::Start() does;
// then the archive dumps what it holds and the files are read back. The
// first line of the input is also tried as an archive file name.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "collect/mrt_archive.h"
#include "collect/mux_sink.h"
#include "count_sink.h"
#include "mrt/route_feed.h"

namespace {

namespace fs = std::filesystem;

using Count = vigia::fuzz::CountSink;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > (size_t{1} << 20)) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  vigia::collect::ArchiveName name;
  (void)vigia::collect::ParseArchiveName(text.substr(0, text.find('\n')), &name);

  // In memory where there is a tmpfs: every input creates, fsyncs and
  // removes a directory tree, which on a disk costs 3-4x the run time.
  static const fs::path dir =
      (fs::is_directory("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path()) /
      ("vigia-collect-restore-fuzz-" + std::to_string(::getpid()));
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir / "2026.12/RIBS");
  fs::create_directories(dir / "2026.12/UPDATES");
  for (const char* f :
       {"2026.12/RIBS/bview.20261207.0000.gz", "2026.12/UPDATES/updates.20261207.0005.gz"}) {
    std::ofstream(dir / f, std::ios::binary).write(text.data(), static_cast<std::streamsize>(size));
  }
  vigia::collect::ArchiveOptions o;
  o.out_dir = dir.string();
  o.clock = [] { return uint32_t{1796608000}; };
  vigia::collect::MrtArchive archive(o);
  vigia::collect::MuxSink mux({&archive});
  (void)archive.Restore(mux.Input("restore", vigia::collect::MuxSink::InputKind::kRestore));
  (void)archive.DumpRib();
  (void)archive.Close();
  Count count;
  vigia::mrt::RouteFeed feed("readback");
  for (const std::string& f : archive.written()) (void)feed.ReadFile(f, &count);
  fs::remove_all(dir, ec);
  return 0;
}
