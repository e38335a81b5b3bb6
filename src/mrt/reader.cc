#include "mrt/reader.h"

#include <fmt/format.h>

#include <cstring>

#include "core/limits.h"

namespace vigia::mrt {

namespace {
uint32_t Be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}
uint16_t Be16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }

// How far a neighbouring record's timestamp may be from the last good one
// before a header found while resynchronising is judged implausible.
constexpr uint32_t kTimestampWindow = 7 * 86400;
// How far a resynchronisation scans before it gives up on the file:
// kMaxResyncScan (core/limits.h).
}  // namespace

MrtReader::MrtReader(std::unique_ptr<io::InputStream> in, std::string name, ReaderOptions opts)
    : in_(std::move(in)), name_(std::move(name)), opts_(opts) {
  buf_.resize(opts_.initial_buffer);
}

Result<std::unique_ptr<MrtReader>> MrtReader::Open(const std::string& path, ReaderOptions opts) {
  auto in = io::InputStream::Open(path, opts.io);
  if (!in.ok()) return in.status();
  return std::make_unique<MrtReader>(std::move(in).value(), path, opts);
}

size_t MrtReader::Fill(size_t n) {
  size_t avail = tail_ - head_;
  if (avail >= n || eof_) return avail;
  if (head_ > 0) {
    std::memmove(buf_.data(), buf_.data() + head_, avail);
    base_offset_ += head_;
    tail_ = avail;
    head_ = 0;
  }
  if (buf_.size() < n) buf_.resize(std::max(n, buf_.size() * 2));
  // Read in large blocks so that small records do not cost a call each.
  size_t want = buf_.size() - tail_;
  size_t got = in_->Read(reinterpret_cast<std::byte*>(buf_.data() + tail_), want);
  tail_ += got;
  if (got < want) eof_ = true;
  while (tail_ - head_ < n && !eof_) {
    want = buf_.size() - tail_;
    got = in_->Read(reinterpret_cast<std::byte*>(buf_.data() + tail_), want);
    tail_ += got;
    if (got < want) eof_ = true;
  }
  if (eof_ && !reported_stream_error_ && !in_->status().ok()) {
    reported_stream_error_ = true;
    Report(ProblemKind::kStream, base_offset_ + tail_, in_->status().message());
  }
  return tail_ - head_;
}

void MrtReader::Report(ProblemKind kind, uint64_t offset, std::string message) {
  if (on_problem_) on_problem_(Problem{kind, offset, std::move(message)});
}

bool MrtReader::ParseHeader(size_t at, RecordHeader* h) const {
  if (at > tail_ || tail_ - at < kHeaderSize) return false;
  const uint8_t* p = buf_.data() + at;
  h->timestamp = Be32(p);
  h->type = Be16(p + 4);
  h->subtype = Be16(p + 6);
  h->length = Be32(p + 8);
  h->microseconds = 0;
  return true;
}

bool MrtReader::Plausible(const RecordHeader& h) const {
  if (!IsKnownType(h.type) || h.subtype > 64 || h.length > opts_.max_record_size) return false;
  if (h.extended() && h.length < 4) return false;
  if (have_timestamp_) {
    uint32_t d = h.timestamp > last_timestamp_ ? h.timestamp - last_timestamp_
                                               : last_timestamp_ - h.timestamp;
    if (d > kTimestampWindow) return false;
  }
  return true;
}

bool MrtReader::PlausibleChain(size_t rel) {
  RecordHeader h;
  if (!ParseHeader(head_ + rel, &h) || !Plausible(h)) return false;
  const size_t next_rel = rel + kHeaderSize + h.length;
  Fill(next_rel + kHeaderSize);  // may move the buffer: positions are relative
  if (head_ + next_rel == tail_ && eof_) return true;
  RecordHeader n;
  return ParseHeader(head_ + next_rel, &n) && Plausible(n);
}

void MrtReader::Resync() {
  const uint64_t start = base_offset_ + head_;
  size_t scanned = 0;
  ++stats_.resyncs;
  while (true) {
    ++head_;
    ++scanned;
    size_t avail = Fill(kHeaderSize);
    if (avail < kHeaderSize) {
      stats_.skipped_bytes += scanned + avail;
      Report(ProblemKind::kFraming, start,
             fmt::format("RFC 6396 §2: no valid MRT header in the last {} bytes; skipped "
                         "them to the end of the stream",
                         scanned + avail));
      head_ = tail_;
      return;
    }
    if (scanned > kMaxResyncScan) {
      stats_.skipped_bytes += scanned;
      Report(ProblemKind::kFraming, start,
             fmt::format("RFC 6396 §2: no valid MRT header in {} bytes; giving up", scanned));
      head_ = tail_;
      eof_ = true;
      return;
    }
    if (PlausibleChain(0)) break;
  }
  stats_.skipped_bytes += scanned;
  Report(ProblemKind::kFraming, start,
         fmt::format("RFC 6396 §2: damaged record framing; skipped {} bytes to the next "
                     "valid header at offset {}",
                     scanned, base_offset_ + head_));
}

size_t MrtReader::FindInnerChain(size_t limit) {
  const size_t scan_end = std::min(limit, tail_ - head_);
  for (size_t q = kHeaderSize; q + kHeaderSize <= scan_end; ++q) {
    if (PlausibleChain(q)) return q;
  }
  return 0;
}

void MrtReader::SkipDamaged(const RecordHeader& h, size_t inner) {
  Report(ProblemKind::kFraming, base_offset_ + head_,
         fmt::format("RFC 6396 §2: {} record declares {} bytes but another record starts {} "
                     "bytes in; skipped {} bytes",
                     TypeName(h.type), h.length, inner, inner));
  stats_.skipped_bytes += inner;
  ++stats_.resyncs;
  head_ += inner;
}

bool MrtReader::Next(Record* rec) {
  while (true) {
    size_t avail = Fill(kHeaderSize);
    if (avail == 0) return false;
    if (avail < kHeaderSize) {
      Report(
          ProblemKind::kTruncated, base_offset_ + head_,
          fmt::format("RFC 6396 §2: stream ends inside a record header ({} of 12 bytes)", avail));
      stats_.truncated_tail = 1;
      head_ = tail_;
      return false;
    }
    RecordHeader h;
    (void)ParseHeader(head_, &h);
    // Timestamps are not checked here: concatenated dumps may jump by weeks.
    // Only a resynchronisation, which must guess, uses the time window.
    bool ok = IsKnownType(h.type) && h.length <= opts_.max_record_size &&
              (!h.extended() || h.length >= 4);
    if (!ok) {
      if (!have_timestamp_ && !IsKnownType(h.type)) {
        Report(ProblemKind::kFraming, base_offset_ + head_,
               fmt::format("RFC 6396 §2: unknown MRT type {} (not an MRT file?)", h.type));
      }
      Resync();
      continue;
    }
    size_t total = kHeaderSize + h.length;
    avail = Fill(total + kHeaderSize);
    if (avail < total) {
      // Either the stream was cut, or this length field is damaged and
      // records follow inside what it claims.
      if (size_t inner = FindInnerChain(avail)) {
        SkipDamaged(h, inner);
        continue;
      }
      Report(ProblemKind::kTruncated, base_offset_ + head_,
             fmt::format("RFC 6396 §2: stream ends inside a {} record: it declares {} bytes, {} "
                         "remain",
                         TypeName(h.type), h.length, avail - kHeaderSize));
      stats_.truncated_tail = 1;
      stats_.bytes += avail;
      head_ = tail_;
      return false;
    }
    if (h.type == kTypeTableDump && opts_.legacy_length_fix) {
      // RIS TABLE_DUMP files of 2000 (written by the MRT toolkit) declare
      // every record 4 bytes shorter than written. Detect it where the
      // declared end is not followed by a header and the corrected end is.
      RecordHeader next;
      bool at_end = avail == total && eof_;
      bool declared_ok = at_end || (ParseHeader(head_ + total, &next) && Plausible(next));
      if (!declared_ok || legacy_fix_active_) {
        Fill(total + 4 + kHeaderSize);
        avail = tail_ - head_;
        bool fixed_end = avail == total + 4 && eof_;
        bool fixed_ok = fixed_end || (ParseHeader(head_ + total + 4, &next) && Plausible(next));
        if (fixed_ok && (!declared_ok || legacy_fix_active_)) {
          if (!legacy_fix_active_) {
            Report(ProblemKind::kNote, base_offset_ + head_,
                   "TABLE_DUMP records declare 4 bytes less than written (RIS 2000 "
                   "MRT-toolkit bug); reading them with the +4 correction");
          }
          legacy_fix_active_ = true;
          h.length += 4;
          total += 4;
          ++stats_.length_fixes;
        }
      }
    }
    // A record whose declared end is not followed by a plausible header may
    // have a damaged length field. If a plausible chain of records starts
    // inside its body, the length is wrong: skip the damaged header and go
    // on from there instead of swallowing the records it covers.
    if (tail_ - head_ >= total + kHeaderSize) {
      RecordHeader next;
      last_timestamp_ = h.timestamp;
      have_timestamp_ = true;
      if (ParseHeader(head_ + total, &next) && !Plausible(next)) {
        if (size_t inner = FindInnerChain(total)) {
          SkipDamaged(h, inner);
          continue;
        }
      }
    }
    const uint8_t* body = buf_.data() + head_ + kHeaderSize;
    size_t body_len = h.length;
    if (h.extended()) {
      h.microseconds = Be32(body);
      body += 4;
      body_len -= 4;
    }
    rec->header = h;
    rec->body = {body, body_len};
    rec->offset = base_offset_ + head_;
    head_ += total;
    last_timestamp_ = h.timestamp;
    have_timestamp_ = true;
    ++stats_.records;
    stats_.bytes += total;
    return true;
  }
}

}  // namespace vigia::mrt
