// A driver for the fuzz targets without libFuzzer: it feeds every file under
// the directories (or the files) named on the command line to
// LLVMFuzzerTestOneInput, plus the empty input and a fixed set of
// pseudo-random inputs. The release and sanitizer test runs build each
// target with it, so that every committed regression input (fuzz/regressions/)
// is replayed by ctest, not only by the fuzz build (which needs clang).
//
// A target reports a failed check by aborting (its own assertions, or the
// sanitizers in the debug preset); this driver exits 0 when every input went
// through.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

void Feed(const std::vector<uint8_t>& bytes) {
  // A copy of exactly the input's size, so that ASan sees a read past it.
  // libFuzzer never passes a null pointer, not even for the empty input.
  if (bytes.empty()) {
    const auto one = std::make_unique<uint8_t[]>(1);
    LLVMFuzzerTestOneInput(one.get(), 0);
    return;
  }
  std::vector<uint8_t> copy(bytes);
  LLVMFuzzerTestOneInput(copy.data(), copy.size());
}

bool FeedFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "replay: cannot read %s\n", p.c_str());
    return false;
  }
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  std::printf("replay: %s (%zu bytes)\n", p.c_str(), bytes.size());
  std::fflush(stdout);
  Feed(bytes);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  size_t files = 0;
  bool ok = true;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path arg(argv[i]);
    std::error_code ec;
    if (std::filesystem::is_directory(arg, ec)) {
      std::vector<std::filesystem::path> paths;
      for (const auto& e : std::filesystem::directory_iterator(arg, ec)) {
        if (e.is_regular_file(ec)) paths.push_back(e.path());
      }
      std::sort(paths.begin(), paths.end());
      for (const auto& p : paths) ok &= FeedFile(p), ++files;
    } else if (std::filesystem::exists(arg, ec)) {
      ok &= FeedFile(arg), ++files;
    }
  }
  Feed({});
  // Deterministic noise: every target must take any bytes (xorshift64).
  uint64_t x = 0x9E3779B97F4A7C15u;
  for (int n = 0; n < 2000; ++n) {
    std::vector<uint8_t> bytes(static_cast<size_t>(n % 257));
    for (auto& b : bytes) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      b = static_cast<uint8_t>(x);
    }
    Feed(bytes);
  }
  std::printf("replay: %zu files, the empty input and 2000 random inputs went through\n", files);
  return ok ? 0 : 1;
}
