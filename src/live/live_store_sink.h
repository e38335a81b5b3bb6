// StoreEventSink: a LiveEventSink that writes every event to the store
// (store.h LiveEventRow, table live_events), as `vigia watch` keeps its
// history. A write that fails is counted and its error kept; the feed goes
// on (a store that is down must not stop detection).
//
// Thread safety: as LiveEventSink (the detector's thread); the Store is
// borrowed and used from that thread only.
#pragma once

#include <cstdint>

#include "core/status.h"
#include "live/live_event.h"
#include "store/store.h"

namespace vigia::live {

// The row of an event: the incident's fields, the phase as "raised" or
// "cleared", the route time in seconds.
store::LiveEventRow ToLiveEventRow(const LiveEvent& e);

class StoreEventSink : public LiveEventSink {
 public:
  explicit StoreEventSink(store::Store* store) : store_(store) {}
  void OnEvent(const LiveEvent& e) override;

  uint64_t written() const { return written_; }
  uint64_t failed() const { return failed_; }
  const Status& last_error() const { return last_error_; }

 private:
  store::Store* store_;
  uint64_t written_ = 0, failed_ = 0;
  Status last_error_;
};

}  // namespace vigia::live
