// MrtReader: splits a (decompressed) byte stream into MRT records.
//
// It owns the input stream and one growable buffer; each Record it returns
// points into that buffer and stays valid until the next call to Next().
// Memory is bounded by the largest record, whatever the file size.
//
// Framing problems never end a run early: a header that cannot be a record
// header starts a scan for the next plausible one (RFC 6396 §2 gives no sync
// marker, so plausibility is judged from type, length and timestamp, and the
// header after it), and every skip is reported with its byte offset. Known
// historical quirks are corrected: RIPE RIS TABLE_DUMP files of 2000 declare
// each record 4 bytes shorter than written.
//
// Not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/limits.h"
#include "core/status.h"
#include "io/input_stream.h"
#include "mrt/record.h"

namespace vigia::mrt {

struct ReaderOptions {
  // Records longer than this are treated as framing damage.
  size_t max_record_size = kMaxRecordBytes;
  // Starting size of the record buffer; it grows to the largest record.
  size_t initial_buffer = 256 << 10;
  // Correct the RIS 2000 TABLE_DUMP length bug when it is detected.
  bool legacy_length_fix = true;
  // 256 KiB chunks: a smaller ring faults in faster, which short files feel.
  io::OpenOptions io{.threaded = true, .chunk_size = 256 << 10};
};

struct ReaderStats {
  uint64_t records = 0;
  uint64_t bytes = 0;          // decompressed bytes consumed
  uint64_t skipped_bytes = 0;  // bytes passed over while resynchronising
  uint64_t resyncs = 0;
  uint64_t length_fixes = 0;    // records read with the +4 legacy correction
  uint64_t truncated_tail = 0;  // 1 when the stream ended inside a record
};

// Something wrong in the input, with where it was.
enum class ProblemKind {
  kNote,       // a quirk detected and corrected; nothing lost
  kFraming,    // bytes skipped between records
  kTruncated,  // the stream ends inside a record (always an error)
  kStream,     // the decompressor stopped (truncated or corrupt stream)
};

struct Problem {
  ProblemKind kind = ProblemKind::kFraming;
  uint64_t offset = 0;  // in the decompressed stream
  std::string message;
};

class MrtReader {
 public:
  MrtReader(std::unique_ptr<io::InputStream> in, std::string name, ReaderOptions opts = {});
  static Result<std::unique_ptr<MrtReader>> Open(const std::string& path, ReaderOptions opts = {});

  // Fills rec with the next record; false at the end of the data.
  bool Next(Record* rec);

  // Called for every framing problem (and once for a decompression error).
  void set_problem_handler(std::function<void(const Problem&)> h) { on_problem_ = std::move(h); }

  const ReaderStats& stats() const { return stats_; }
  const std::string& name() const { return name_; }
  // The decompression status once Next() has returned false.
  const Status& stream_status() const { return in_->status(); }
  const io::InputStream& input() const { return *in_; }

 private:
  // Makes at least n bytes available from head_ if the stream has them;
  // returns how many are available.
  size_t Fill(size_t n);
  bool ParseHeader(size_t at, RecordHeader* h) const;
  bool Plausible(const RecordHeader& h) const;
  // Is there a plausible header rel bytes past head_, whose successor is
  // plausible too (or is the clean end of the stream)?
  bool PlausibleChain(size_t rel);
  void Resync();
  // Offset (from head_, below limit) of a plausible record chain inside
  // the current record, or 0.
  size_t FindInnerChain(size_t limit);
  void SkipDamaged(const RecordHeader& h, size_t inner);
  void Report(ProblemKind kind, uint64_t offset, std::string message);

  std::unique_ptr<io::InputStream> in_;
  std::string name_;
  ReaderOptions opts_;
  std::vector<uint8_t> buf_;
  size_t head_ = 0;  // first unconsumed byte in buf_
  size_t tail_ = 0;  // end of valid data in buf_
  bool eof_ = false;
  uint64_t base_offset_ = 0;  // stream offset of buf_[0]
  uint32_t last_timestamp_ = 0;
  bool have_timestamp_ = false;
  bool legacy_fix_active_ = false;
  bool reported_stream_error_ = false;
  ReaderStats stats_;
  std::function<void(const Problem&)> on_problem_;
};

}  // namespace vigia::mrt
