// JsonFormatter: MRT entries as JSON lines, one object per route entry,
// announcement, withdrawal or state change. The schema is in
// docs/mrt-json.md; fields absent from the input are left out.
//
// Written by hand into an OutputBuffer rather than through a JSON library:
// the objects are flat, their strings need no escaping except the view name,
// and this path runs millions of times per file. One per thread.
#pragma once

#include "core/output_buffer.h"
#include "mrt/decoder.h"

namespace vigia::mrt {

class JsonFormatter {
 public:
  // Appends one line per entry; returns the number of lines.
  size_t Format(const Decoder& d, OutputBuffer* out);
};

}  // namespace vigia::mrt
