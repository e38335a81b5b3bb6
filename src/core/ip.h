// IP addresses and prefixes, IPv4 and IPv6 in one value type.
//
// IpAddress stores 16 octets in network order plus the family; an IPv4
// address uses the first four octets and leaves the rest zero, so that
// equality and ordering are plain byte comparisons. Prefix pairs an address
// with a length. Both are trivially copyable values; no thread concerns.
//
// Text forms: ToString() gives the RFC 5952 canonical IPv6 form (what
// inet_ntop prints) and dotted-quad IPv4.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace vigia {

enum class Family : uint8_t { kIpv4 = 4, kIpv6 = 6 };

class IpAddress {
 public:
  IpAddress() = default;
  static IpAddress V4(uint32_t host_order) {
    IpAddress a;
    a.family_ = Family::kIpv4;
    a.bytes_[0] = static_cast<uint8_t>(host_order >> 24);
    a.bytes_[1] = static_cast<uint8_t>(host_order >> 16);
    a.bytes_[2] = static_cast<uint8_t>(host_order >> 8);
    a.bytes_[3] = static_cast<uint8_t>(host_order);
    return a;
  }
  // From network-order octets: 4 for IPv4, 16 for IPv6.
  static IpAddress FromBytes(Family f, const uint8_t* p) {
    IpAddress a;
    a.family_ = f;
    std::memcpy(a.bytes_.data(), p, f == Family::kIpv4 ? 4 : 16);
    return a;
  }
  // Parses dotted-quad IPv4 or any inet_pton IPv6 form.
  static std::optional<IpAddress> Parse(std::string_view text);

  Family family() const { return family_; }
  bool is_v4() const { return family_ == Family::kIpv4; }
  bool is_v6() const { return family_ == Family::kIpv6; }
  int bit_width() const { return is_v4() ? 32 : 128; }
  const uint8_t* bytes() const { return bytes_.data(); }
  uint8_t* mutable_bytes() { return bytes_.data(); }
  uint32_t v4() const {
    return (uint32_t{bytes_[0]} << 24) | (uint32_t{bytes_[1]} << 16) | (uint32_t{bytes_[2]} << 8) |
           bytes_[3];
  }
  bool IsZero() const {
    for (uint8_t b : bytes_)
      if (b) return false;
    return true;
  }

  std::string ToString() const;
  // Writes the text form at out (room for 46 bytes); returns the end.
  char* Format(char* out) const;

  friend bool operator==(const IpAddress&, const IpAddress&) = default;
  friend auto operator<=>(const IpAddress&, const IpAddress&) = default;

 private:
  Family family_ = Family::kIpv4;
  std::array<uint8_t, 16> bytes_{};
};

class Prefix {
 public:
  Prefix() = default;
  Prefix(IpAddress addr, uint8_t length) : addr_(addr), length_(length) {}
  // "192.0.2.0/24" or "2001:db8::/32"; host bits must be zero unless lenient.
  static std::optional<Prefix> Parse(std::string_view text, bool lenient = false);

  const IpAddress& address() const { return addr_; }
  uint8_t length() const { return length_; }
  Family family() const { return addr_.family(); }
  // The same prefix with every bit past the length cleared.
  Prefix Masked() const;
  bool HasHostBits() const { return !(Masked().addr_ == addr_); }
  bool Contains(const Prefix& other) const;

  std::string ToString() const;
  char* Format(char* out) const;

  friend bool operator==(const Prefix&, const Prefix&) = default;
  friend auto operator<=>(const Prefix&, const Prefix&) = default;

 private:
  IpAddress addr_;
  uint8_t length_ = 0;
};

// For unordered containers keyed by prefix.
struct PrefixHash {
  size_t operator()(const Prefix& p) const {
    uint64_t a = 0, b = 0;
    std::memcpy(&a, p.address().bytes(), 8);
    std::memcpy(&b, p.address().bytes() + 8, 8);
    uint64_t h = (a * 0x9E3779B97F4A7C15ull) ^ (b + 0x632BE59BD9B4E019ull + (h_mix(p) << 6));
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ull;
    return static_cast<size_t>(h ^ (h >> 32));
  }
  static uint64_t h_mix(const Prefix& p) {
    return uint64_t{p.length()} << 1 | (p.family() == Family::kIpv6 ? 1u : 0u);
  }
};

}  // namespace vigia
