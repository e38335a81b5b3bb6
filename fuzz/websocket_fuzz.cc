// Fuzz target for the websocket pieces (src/live/websocket.h): the first
// byte picks the frame payload cap (small, to reach the cap checks) and
// whether masked frames are allowed; the rest is parsed as a sequence of
// frames, and also checked as a handshake response and as a URL.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "live/websocket.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t cap = size_t{1} << (data[0] & 15);
  const bool masked = data[0] & 0x80;
  std::span<const uint8_t> rest(data + 1, size - 1);
  std::vector<uint8_t> unmask;
  size_t total = 0;
  for (;;) {
    vigia::live::WsFrame f;
    vigia::Status err;
    const auto st = vigia::live::ParseWsFrame(rest, cap, masked, &f, &unmask, &err);
    if (st != vigia::live::WsParse::kFrame) break;
    if (f.size == 0 || f.size > rest.size() || f.payload.size() > cap) __builtin_trap();
    for (uint8_t b : f.payload) total += b;
    rest = rest.subspan(f.size);
  }
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  (void)vigia::live::CheckWsHandshakeResponse(text, "dGhlIHNhbXBsZSBub25jZQ==");
  (void)vigia::live::ParseWsUrl(text);
  return static_cast<int>(total & 0);
}
