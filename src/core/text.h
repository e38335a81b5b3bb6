// Text from input made safe to print: in error messages, on a terminal and
// in log lines. Input bytes are never printed raw: an ANSI escape would
// reach the terminal, a NUL would cut the message, a newline would forge
// a log line.
//
// EscapeText keeps printable ASCII and valid UTF-8 (but the C1 controls
// U+0080..U+009F) and writes everything else as an escape: \n \r \t \\ and
// \xNN for other control bytes and bytes that are not valid UTF-8. The
// result is valid UTF-8 without control characters, and a different input
// never gives the same output.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace vigia {

// `text` escaped; cut after `max_bytes` bytes of input with "..." added.
std::string EscapeText(std::string_view text, size_t max_bytes = 4096);

}  // namespace vigia
