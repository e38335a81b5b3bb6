// PlanPartitions and the memory helpers (pipeline/partition_plan.h).
#include "pipeline/partition_plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>

namespace vigia::pipeline {

namespace {

uint64_t Estimate(const BucketCount& b) {
  return b.rib * kBytesPerRibEntry + b.updates * kBytesPerUpdate;
}

uint64_t StatusField(const char* name) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::string key = std::string(name) + ":";
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0)
      return std::strtoull(line.c_str() + key.size(), nullptr, 10) * 1024;
  }
  return 0;
}

}  // namespace

Result<PartitionPlan> PlanPartitions(const std::vector<BucketCount>& buckets, uint64_t budget,
                                     uint32_t count, uint64_t fixed, const std::string& setting,
                                     uint32_t first_bucket) {
  PartitionPlan plan;
  plan.budget = budget;
  uint64_t total = 0;
  size_t largest = 0;
  for (size_t b = 0; b < buckets.size(); ++b) {
    total += Estimate(buckets[b]);
    if (Estimate(buckets[b]) > Estimate(buckets[largest])) largest = b;
  }
  if (count == 0 && !buckets.empty() && Estimate(buckets[largest]) > budget) {
    const BucketCount& b = buckets[largest];
    return Status::InvalidArgument(fmt::format(
        "--memory {} is too small: bucket {} holds {} RIB entries and {} updates (~{}), which "
        "cannot be split, and the rest of the analysis takes {}; at least {} is needed",
        setting, observe::BucketName(static_cast<uint32_t>(largest) + first_bucket), b.rib,
        b.updates, SizeText(Estimate(b)), SizeText(fixed),
        SizeText(fixed + Estimate(b) + (64u << 20))));
  }
  // With a count: each range about an equal share of what is left.
  PartitionRange r;
  uint64_t left = total;
  for (uint32_t b = 0; b < buckets.size(); ++b) {
    const uint64_t e = Estimate(buckets[b]);
    bool full = false;
    if (count > 0) {
      const uint64_t ranges_left = count - plan.ranges.size();
      full = ranges_left > 1 && r.estimate > 0 && r.estimate + e / 2 > left / ranges_left;
    } else {
      full = r.estimate > 0 && r.estimate + e > budget;
    }
    if (full) {
      r.last = b;
      left -= r.estimate;
      plan.ranges.push_back(r);
      r = PartitionRange{};
      r.first = b;
    }
    r.rib += buckets[b].rib;
    r.updates += buckets[b].updates;
    r.estimate += e;
  }
  r.last = static_cast<uint32_t>(buckets.size());
  plan.ranges.push_back(r);
  while (count > 0 && plan.ranges.size() < count) {
    PartitionRange empty;
    empty.first = empty.last = static_cast<uint32_t>(buckets.size());
    plan.ranges.push_back(empty);
  }
  return plan;
}

std::optional<uint64_t> ParseSize(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || !(v > 0) || !std::isfinite(v)) return std::nullopt;
  std::string unit(end);
  if (!unit.empty() && (unit.back() == 'B' || unit.back() == 'b')) unit.pop_back();
  if (unit.size() > 1 && (unit.back() == 'i' || unit.back() == 'I')) unit.pop_back();
  double mult = 1;
  if (unit.empty()) {
    mult = 1;
  } else if (unit == "K" || unit == "k") {
    mult = 1024.0;
  } else if (unit == "M" || unit == "m") {
    mult = 1024.0 * 1024;
  } else if (unit == "G" || unit == "g") {
    mult = 1024.0 * 1024 * 1024;
  } else if (unit == "T" || unit == "t") {
    mult = 1024.0 * 1024 * 1024 * 1024;
  } else {
    return std::nullopt;
  }
  const double bytes = v * mult;
  if (bytes >= 1.8e19) return std::nullopt;
  return static_cast<uint64_t>(bytes);
}

std::string SizeText(uint64_t bytes) {
  if (bytes >= (1ull << 30)) return fmt::format("{:.1f} GiB", bytes / double(1ull << 30));
  return fmt::format("{:.0f} MiB", bytes / double(1ull << 20));
}

uint64_t CurrentRss() { return StatusField("VmRSS"); }
uint64_t PeakRss() { return StatusField("VmHWM"); }

void ResetPeakRss() {
  // Linux: writing 5 to clear_refs resets the peak resident set (VmHWM).
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
}

}  // namespace vigia::pipeline
