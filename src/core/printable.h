// Printable: input text made safe to put in a message. Error messages and
// problem reports quote what they found in a file or on the network; raw,
// an ANSI escape in a hostile file reaches the user's terminal and a NUL
// cuts the message short where it is printed with printf("%s").
//
// Pure functions, safe from any thread.
#pragma once

#include <string>
#include <string_view>

namespace vigia {

// text with every control byte (0x00-0x1F, 0x7F), the C1 controls
// (U+0080..U+009F, whose bytes are each written), every byte that is not
// part of well-formed UTF-8 (RFC 3629 §3) and the backslash written as
// "\xHH" ("\\" for the backslash), so the result is printable, NUL-free,
// one line, and maps back to the input unambiguously. Printable text
// (including valid non-ASCII UTF-8) is returned unchanged.
std::string Printable(std::string_view text);

// Printable(text), cut to at most max_bytes of input with "..." appended
// when longer, for quoting a value that may be huge.
std::string PrintableHead(std::string_view text, size_t max_bytes = 64);

}  // namespace vigia
