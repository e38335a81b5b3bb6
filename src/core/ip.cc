#include "core/ip.h"

#include <arpa/inet.h>

#include <charconv>

namespace vigia {

namespace {
// Dotted-quad IPv4 without a copy or a libc call: VRP and IRR files hold
// millions of these.
bool ParseV4(std::string_view t, uint8_t out[4]) {
  size_t i = 0;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (i >= t.size() || t[i] != '.') return false;
      ++i;
    }
    unsigned v = 0;
    size_t digits = 0;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9' && digits < 4) {
      v = v * 10 + static_cast<unsigned>(t[i] - '0');
      ++i;
      ++digits;
    }
    // inet_pton rejects leading zeros ("01"); so do we.
    if (digits == 0 || digits > 3 || v > 255 || (digits > 1 && t[i - digits] == '0')) return false;
    out[part] = static_cast<uint8_t>(v);
  }
  return i == t.size();
}
}  // namespace

std::optional<IpAddress> IpAddress::Parse(std::string_view text) {
  if (text.find(':') == std::string_view::npos) {
    uint8_t raw[4];
    if (!ParseV4(text, raw)) return std::nullopt;
    return FromBytes(Family::kIpv4, raw);
  }
  char buf[64];
  if (text.empty() || text.size() >= sizeof buf) return std::nullopt;
  if (text.find('\0') != std::string_view::npos) return std::nullopt;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  uint8_t raw[16];
  if (text.find(':') == std::string_view::npos) {
    if (inet_pton(AF_INET, buf, raw) != 1) return std::nullopt;
    return FromBytes(Family::kIpv4, raw);
  }
  if (inet_pton(AF_INET6, buf, raw) != 1) return std::nullopt;
  return FromBytes(Family::kIpv6, raw);
}

char* IpAddress::Format(char* out) const {
  if (is_v4()) {
    for (int i = 0; i < 4; ++i) {
      out = std::to_chars(out, out + 3, bytes_[i]).ptr;
      if (i != 3) *out++ = '.';
    }
    return out;
  }
  char buf[INET6_ADDRSTRLEN];
  inet_ntop(AF_INET6, bytes_.data(), buf, sizeof buf);
  size_t n = std::strlen(buf);
  std::memcpy(out, buf, n);
  return out + n;
}

std::string IpAddress::ToString() const {
  char buf[64];
  return std::string(buf, Format(buf));
}

std::optional<Prefix> Prefix::Parse(std::string_view text, bool lenient) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto addr = IpAddress::Parse(text.substr(0, slash));
  if (!addr) return std::nullopt;
  std::string_view len_text = text.substr(slash + 1);
  unsigned len = 0;
  auto [p, ec] = std::from_chars(len_text.data(), len_text.data() + len_text.size(), len);
  if (ec != std::errc() || p != len_text.data() + len_text.size() || len_text.empty()) {
    return std::nullopt;
  }
  if (len > static_cast<unsigned>(addr->bit_width())) return std::nullopt;
  Prefix pfx(*addr, static_cast<uint8_t>(len));
  if (!lenient && pfx.HasHostBits()) return std::nullopt;
  return pfx;
}

Prefix Prefix::Masked() const {
  // Whole octets are kept or cleared; only the octet the length falls in
  // needs a mask.
  IpAddress a = addr_;
  uint8_t* b = a.mutable_bytes();
  const int width = addr_.bit_width() / 8;
  const int full = length_ / 8;
  if (full < width) {
    if (const int rest = length_ % 8) b[full] &= static_cast<uint8_t>(0xFF << (8 - rest));
    const int from = full + (length_ % 8 ? 1 : 0);
    if (from < width) std::memset(b + from, 0, static_cast<size_t>(width - from));
  }
  return Prefix(a, length_);
}

bool Prefix::Contains(const Prefix& other) const {
  if (family() != other.family() || other.length_ < length_) return false;
  return Prefix(other.addr_, length_).Masked().addr_ == Masked().addr_;
}

char* Prefix::Format(char* out) const {
  out = addr_.Format(out);
  *out++ = '/';
  return std::to_chars(out, out + 3, length_).ptr;
}

std::string Prefix::ToString() const {
  char buf[64];
  return std::string(buf, Format(buf));
}

}  // namespace vigia
