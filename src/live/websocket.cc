#include "live/websocket.h"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace vigia::live {

namespace {

// RFC 6455 §1.3.
constexpr std::string_view kWsGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// Whether a comma-separated header value lists token (case-insensitive).
bool ListsToken(std::string_view value, std::string_view token) {
  const std::string v = Lower(value), t = Lower(token);
  size_t at = 0;
  while (at <= v.size()) {
    size_t comma = v.find(',', at);
    if (comma == std::string::npos) comma = v.size();
    if (Trim(std::string_view(v).substr(at, comma - at)) == t) return true;
    at = comma + 1;
  }
  return false;
}

}  // namespace

Result<WsUrl> ParseWsUrl(std::string_view url) {
  WsUrl out;
  if (url.substr(0, 6) == "wss://") {
    return Status::Unsupported("websocket URL " + std::string(url) +
                               ": wss:// (TLS) is not supported");
  }
  if (url.substr(0, 5) != "ws://") {
    return Status::InvalidArgument("websocket URL " + std::string(url) +
                                   " does not start with ws://");
  }
  std::string_view rest = url.substr(5);
  const size_t slash = rest.find('/');
  std::string_view hostport = rest.substr(0, slash);
  if (slash != std::string_view::npos) out.path = std::string(rest.substr(slash));
  std::string_view port;
  if (!hostport.empty() && hostport.front() == '[') {
    const size_t close = hostport.find(']');
    if (close == std::string_view::npos) {
      return Status::InvalidArgument("websocket URL " + std::string(url) + ": unclosed [");
    }
    out.host = std::string(hostport.substr(1, close - 1));
    std::string_view after = hostport.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        return Status::InvalidArgument("websocket URL " + std::string(url) + ": junk after ]");
      }
      port = after.substr(1);
    }
  } else {
    const size_t colon = hostport.find(':');
    out.host = std::string(hostport.substr(0, colon));
    if (colon != std::string_view::npos) port = hostport.substr(colon + 1);
  }
  if (out.host.empty()) {
    return Status::InvalidArgument("websocket URL " + std::string(url) + " has no host");
  }
  if (!port.empty()) {
    unsigned p = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (ec != std::errc() || end != port.data() + port.size() || p == 0 || p > 65535) {
      return Status::InvalidArgument("websocket URL " + std::string(url) + ": bad port");
    }
    out.port = static_cast<uint16_t>(p);
  }
  return out;
}

std::string WsHandshakeRequest(const WsUrl& url, std::string_view key_base64) {
  const bool v6 = url.host.find(':') != std::string::npos;
  const std::string host = v6 ? "[" + url.host + "]" : url.host;
  return fmt::format(
      "GET {} HTTP/1.1\r\nHost: {}:{}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: {}\r\nSec-WebSocket-Version: 13\r\nUser-Agent: vigia\r\n\r\n",
      url.path, host, url.port, key_base64);
}

std::string WsAcceptFor(std::string_view key_base64) {
  std::string in(key_base64);
  in += kWsGuid;
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(in.data()), in.size(), digest);
  unsigned char out[4 * ((SHA_DIGEST_LENGTH + 2) / 3) + 1];
  const int n = EVP_EncodeBlock(out, digest, SHA_DIGEST_LENGTH);
  return std::string(reinterpret_cast<const char*>(out), static_cast<size_t>(n));
}

// RFC 6455 §4.1, the client's checks of the server's handshake (items 1-6
// of the list after "Once the client's opening handshake has been sent").
Status CheckWsHandshakeResponse(std::string_view head, std::string_view key_base64) {
  const size_t eol = head.find("\r\n");
  const std::string_view status = head.substr(0, eol);
  // "HTTP/1.1 101 Switching Protocols"
  if (status.size() < 12 || status.substr(0, 5) != "HTTP/" || status.substr(8, 4) != " 101") {
    return Status::Corrupt("RFC 6455 §4.1: handshake answered \"" + std::string(status) +
                           "\", not 101");
  }
  bool upgrade = false, connection = false, accept = false;
  size_t at = eol == std::string_view::npos ? head.size() : eol + 2;
  while (at < head.size()) {
    size_t end = head.find("\r\n", at);
    if (end == std::string_view::npos) end = head.size();
    const std::string_view line = head.substr(at, end - at);
    at = end + 2;
    if (line.empty()) break;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string name = Lower(Trim(line.substr(0, colon)));
    const std::string_view value = Trim(line.substr(colon + 1));
    if (name == "upgrade") upgrade = ListsToken(value, "websocket");
    if (name == "connection") connection = ListsToken(value, "upgrade");
    if (name == "sec-websocket-accept") {
      if (value != WsAcceptFor(key_base64)) {
        return Status::Corrupt("RFC 6455 §4.1: Sec-WebSocket-Accept " + std::string(value) +
                               " does not match the key");
      }
      accept = true;
    }
    if (name == "sec-websocket-extensions" && !value.empty()) {
      return Status::Corrupt("RFC 6455 §4.1: server chose extension \"" + std::string(value) +
                             "\" that was not offered");
    }
  }
  if (!upgrade) return Status::Corrupt("RFC 6455 §4.1: no \"Upgrade: websocket\" in the handshake");
  if (!connection) {
    return Status::Corrupt("RFC 6455 §4.1: no \"Connection: Upgrade\" in the handshake");
  }
  if (!accept) return Status::Corrupt("RFC 6455 §4.1: no Sec-WebSocket-Accept in the handshake");
  return Status::Ok();
}

// RFC 6455 §5.2 base framing.
WsParse ParseWsFrame(std::span<const uint8_t> data, size_t max_payload, bool allow_masked,
                     WsFrame* out, std::vector<uint8_t>* unmask_buf, Status* error) {
  if (data.size() < 2) return WsParse::kNeedMore;
  const uint8_t b0 = data[0], b1 = data[1];
  out->fin = b0 & 0x80;
  out->opcode = b0 & 0x0F;
  if (b0 & 0x70) {
    *error = Status::Corrupt("RFC 6455 §5.2: reserved bits set without a negotiated extension");
    return WsParse::kError;
  }
  const uint8_t op = out->opcode;
  if (op != kWsContinuation && op != kWsText && op != kWsBinary && op != kWsClose &&
      op != kWsPing && op != kWsPong) {
    *error = Status::Corrupt(fmt::format("RFC 6455 §5.2: unknown opcode 0x{:x}", op));
    return WsParse::kError;
  }
  const bool masked = b1 & 0x80;
  if (masked && !allow_masked) {
    *error = Status::Corrupt("RFC 6455 §5.1: a server frame is masked");
    return WsParse::kError;
  }
  uint64_t len = b1 & 0x7F;
  size_t at = 2;
  if (len == 126) {
    if (data.size() < 4) return WsParse::kNeedMore;
    len = uint64_t{data[2]} << 8 | data[3];
    at = 4;
  } else if (len == 127) {
    if (data.size() < 10) return WsParse::kNeedMore;
    len = 0;
    for (int i = 0; i < 8; ++i) len = len << 8 | data[2 + i];
    at = 10;
    if (len >> 63) {
      *error = Status::Corrupt("RFC 6455 §5.2: 64-bit payload length with the top bit set");
      return WsParse::kError;
    }
  }
  if (op >= kWsClose && (!out->fin || len > 125)) {
    *error = Status::Corrupt(fmt::format(
        "RFC 6455 §5.5: control frame 0x{:x} fragmented or {} octets long (at most 125)", op, len));
    return WsParse::kError;
  }
  if (len > max_payload) {
    *error = Status::LimitExceeded(
        fmt::format("websocket frame of {} octets exceeds the cap of {}", len, max_payload));
    return WsParse::kError;
  }
  uint8_t key[4] = {0, 0, 0, 0};
  if (masked) {
    if (data.size() < at + 4) return WsParse::kNeedMore;
    std::copy_n(data.data() + at, 4, key);
    at += 4;
  }
  if (data.size() - at < len) return WsParse::kNeedMore;
  out->payload = data.subspan(at, static_cast<size_t>(len));
  out->size = at + static_cast<size_t>(len);
  if (masked) {
    unmask_buf->assign(out->payload.begin(), out->payload.end());
    for (size_t i = 0; i < unmask_buf->size(); ++i) (*unmask_buf)[i] ^= key[i & 3];
    out->payload = *unmask_buf;
  }
  return WsParse::kFrame;
}

void EncodeWsFrame(uint8_t opcode, bool fin, std::span<const uint8_t> payload, uint32_t mask_key,
                   std::vector<uint8_t>* out) {
  out->push_back(static_cast<uint8_t>((fin ? 0x80 : 0) | (opcode & 0x0F)));
  const size_t n = payload.size();
  if (n < 126) {
    out->push_back(static_cast<uint8_t>(0x80 | n));
  } else if (n <= 0xFFFF) {
    out->push_back(0x80 | 126);
    out->push_back(static_cast<uint8_t>(n >> 8));
    out->push_back(static_cast<uint8_t>(n));
  } else {
    out->push_back(0x80 | 127);
    for (int s = 56; s >= 0; s -= 8) out->push_back(static_cast<uint8_t>(uint64_t{n} >> s));
  }
  const uint8_t key[4] = {static_cast<uint8_t>(mask_key >> 24),
                          static_cast<uint8_t>(mask_key >> 16), static_cast<uint8_t>(mask_key >> 8),
                          static_cast<uint8_t>(mask_key)};
  out->insert(out->end(), key, key + 4);
  for (size_t i = 0; i < n; ++i) out->push_back(payload[i] ^ key[i & 3]);
}

}  // namespace vigia::live
