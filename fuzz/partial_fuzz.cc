// The detection state of a partial file (`vigia analyze --partition I/N`,
// detect::PartitionedDetect::Merge) on arbitrary bytes: merged into a state
// and finished against a snapshot of two peers. Beyond memory safety: a
// state that merges finishes, and finishing twice the same saved state
// gives the same incidents (Save and Merge round-trip).
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string_view>

#include "detect/detect.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vigia;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) return 0;
  static detect::Snapshot* s = [] {
    auto* snap = new detect::Snapshot;
    snap->routes.AdoptSummary(
        {},
        {{"rrc00", IpAddress::V4(0x0a000001), 64500}, {"rrc01", IpAddress::V4(0x0a000002), 64501}},
        {}, {});
    return snap;
  }();
  const detect::RouteView view(std::vector<detect::OriginRoute>{}, 0);
  detect::PartitionedDetect a;
  if (!a.Merge(j).ok()) return 0;
  const nlohmann::json saved = a.Save();
  const auto first = a.Finish(*s, view);
  detect::PartitionedDetect b;
  if (!b.Merge(saved).ok()) std::abort();  // what Save() writes merges
  const auto second = b.Finish(*s, view);
  if (first.size() != second.size()) std::abort();
  for (size_t i = 0; i < first.size(); ++i) {
    if (first[i].evidence != second[i].evidence || first[i].type != second[i].type) std::abort();
  }
  return 0;
}
