// A score or metric value as every JSON output of Vigía gives it (reports,
// vigia serve, analyze): rounded to 2 decimals; null when there is none.
// Header-only; the caller links nlohmann_json.
//
// Thread safety: a pure function.
#pragma once

#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>

namespace vigia {

inline nlohmann::ordered_json ScoreJson(const std::optional<double>& v) {
  return v ? nlohmann::ordered_json(std::round(*v * 100) / 100) : nlohmann::ordered_json(nullptr);
}

}  // namespace vigia
