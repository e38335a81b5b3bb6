#include "core/status.h"

namespace vigia {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "ok";
    case StatusCode::kCorrupt:
      return "corrupt";
    case StatusCode::kTruncated:
      return "truncated";
    case StatusCode::kUnsupported:
      return "unsupported";
    case StatusCode::kInvalidArgument:
      return "invalid argument";
    case StatusCode::kIoError:
      return "I/O error";
    case StatusCode::kNotFound:
      return "not found";
    case StatusCode::kLimitExceeded:
      return "limit exceeded";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string s(StatusCodeName(code_));
  s += ": ";
  s += message_;
  return s;
}

}  // namespace vigia
