#include "core/ip.h"

#include <arpa/inet.h>

#include <charconv>

namespace vigia {

std::optional<IpAddress> IpAddress::Parse(std::string_view text) {
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
  IpAddress a = addr_;
  uint8_t* b = a.mutable_bytes();
  int width = addr_.bit_width() / 8;
  for (int i = 0; i < width; ++i) {
    int bits_here = static_cast<int>(length_) - i * 8;
    if (bits_here >= 8) continue;
    if (bits_here <= 0) {
      b[i] = 0;
    } else {
      b[i] &= static_cast<uint8_t>(0xFF << (8 - bits_here));
    }
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
