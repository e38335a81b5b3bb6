// BgpdumpFormatter: the one-line text of `bgpdump -m` and `bgpdump -M`.
//
// bgpdump's one-line format is the field's lingua franca, so Vigía prints
// it byte for byte as Debian's bgpdump 1.6.2 does, quirks included (each
// quirk is named where it is reproduced). Where bgpdump stops reading a
// file or misreads it, Vigía reads on; the differences are listed in
// docs/bgpdump-compatibility.md.
//
// The formatter keeps scratch strings and a time cache; one per thread.
#pragma once

#include <cstdint>
#include <string>

#include "core/output_buffer.h"
#include "mrt/decoder.h"

namespace vigia::mrt {

enum class BgpdumpMode {
  kUnixTime,   // -m: unix timestamps and every field
  kHumanTime,  // -M: MM/DD/YY HH:MM:SS and the short form
};

class BgpdumpFormatter {
 public:
  explicit BgpdumpFormatter(BgpdumpMode mode) : mode_(mode) {}

  // Appends the lines bgpdump prints for the decoded entry (none for
  // entries it does not print, such as PEER_INDEX_TABLE or KEEPALIVE).
  // Returns the number of lines.
  size_t Format(const Decoder& d, OutputBuffer* out);

 private:
  void SetTime(const RecordHeader& h, bool with_microseconds);
  size_t FormatTableDump(const Decoder& d, OutputBuffer* out);
  size_t FormatRib(const Decoder& d, OutputBuffer* out);
  size_t FormatBgp4mp(const Decoder& d, OutputBuffer* out);
  size_t FormatStateChange(const Decoder& d, OutputBuffer* out, const char* type_name);
  size_t FormatLegacyBgp(const Decoder& d, OutputBuffer* out);

  BgpdumpMode mode_;
  std::string time_;
  uint32_t time_ts_ = 0;
  uint32_t time_us_ = 0;
  int time_kind_ = -1;  // which form time_ holds
  std::string head_;    // scratch: line head shared by an update's lines
  std::string tail_;    // scratch: attribute tail shared by a block's lines
};

// bgpdump's own IPv6 text form (it differs from RFC 5952: a single zero
// group is compressed too, and ::a.b.c.d is used for compatible addresses).
char* FormatIpv6Bgpdump(const uint8_t bytes[16], char* out);

}  // namespace vigia::mrt
