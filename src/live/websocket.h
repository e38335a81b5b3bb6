// A minimal WebSocket client side (RFC 6455), enough for RIS Live: the
// HTTP/1.1 Upgrade handshake and the frame format. No extensions
// (permessage-deflate is not offered), no TLS (ws:// only).
//
// The pieces are pure functions over buffers so that they can be fuzzed
// and tested without a socket: ParseWsUrl, the handshake request and its
// response check, ParseWsFrame (one frame off the front of a buffer) and
// EncodeWsFrame (a masked client frame). The socket loop that uses them is
// RisLiveClient (live/ris_live.h).
//
// Caps: a frame's payload is at most max_payload octets (the caller's cap;
// a longer declared length is an error before anything is buffered), the
// handshake response at most kMaxWsHandshake octets.
//
// Stateless; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace vigia::live {

inline constexpr size_t kMaxWsHandshake = 16384;

struct WsUrl {
  std::string host;  // as written (a name, an IPv4 address or an IPv6 one without brackets)
  uint16_t port = 80;
  std::string path = "/";  // with the query
};
// "ws://host[:port][/path?query]"; wss:// is refused (no TLS here).
Result<WsUrl> ParseWsUrl(std::string_view url);

// RFC 6455 §4.1: the client's opening handshake with a 16-octet key in
// base64 (key_base64).
std::string WsHandshakeRequest(const WsUrl& url, std::string_view key_base64);
// RFC 6455 §4.2.2: Sec-WebSocket-Accept is base64(SHA-1(key + GUID)).
std::string WsAcceptFor(std::string_view key_base64);
// Checks a whole response head (up to and including the blank line):
// status 101, Upgrade: websocket, Connection: Upgrade, the right Accept,
// no extension the client did not ask for (RFC 6455 §4.1 items 1-6).
Status CheckWsHandshakeResponse(std::string_view head, std::string_view key_base64);

enum WsOpcode : uint8_t {
  kWsContinuation = 0x0,
  kWsText = 0x1,
  kWsBinary = 0x2,
  kWsClose = 0x8,
  kWsPing = 0x9,
  kWsPong = 0xA,
};

struct WsFrame {
  bool fin = false;
  uint8_t opcode = 0;
  std::span<const uint8_t> payload;  // unmasked; points into the buffer (or unmask_buf)
  size_t size = 0;                   // octets the frame took in the buffer
};

enum class WsParse : uint8_t { kFrame, kNeedMore, kError };

// Reads one frame from the front of data (RFC 6455 §5.2). Server frames
// must not be masked (§5.1); a masked one is unmasked into *unmask_buf and
// accepted only when allow_masked (the fuzz target and a server-side use).
// kError sets *error: reserved bits set (no extension was negotiated,
// §5.2), an unknown opcode, a control frame that is fragmented or longer
// than 125 octets (§5.5), a length not in its shortest form's range (the
// 64-bit form with the top bit set), or a payload over max_payload.
WsParse ParseWsFrame(std::span<const uint8_t> data, size_t max_payload, bool allow_masked,
                     WsFrame* out, std::vector<uint8_t>* unmask_buf, Status* error);

// Appends a client frame (RFC 6455 §5.3: masked with mask_key).
void EncodeWsFrame(uint8_t opcode, bool fin, std::span<const uint8_t> payload, uint32_t mask_key,
                   std::vector<uint8_t>* out);

}  // namespace vigia::live
