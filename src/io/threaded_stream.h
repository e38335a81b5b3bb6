// ThreadedStream: an InputStream that decodes on a private thread into a
// ring of four chunks, so that the caller's parsing of one chunk overlaps the
// decompression of the next ones. Memory: four chunk_size buffers (pooled)
// plus the decoder's own.
//
// Ownership: the stream owns its decoder and its thread; the destructor stops
// and joins the thread, waiting for the chunk being decoded.
//
// Thread safety: as InputStream (one reader thread at a time). Internal to
// src/io.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "io/decoder.h"
#include "io/input_stream.h"

namespace vigia::io::internal {

std::unique_ptr<InputStream> NewThreadedStream(std::unique_ptr<Decoder> decoder, size_t chunk_size,
                                               uint64_t compressed_size);

}  // namespace vigia::io::internal
