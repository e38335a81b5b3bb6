// LiveRpki: the VRPs of a LiveDetector kept current over RTR (RFC 8210,
// draft-ietf-sidrops-8210bis): an rpki::rtr::RtrClient follows one cache
// (a `vigia rtr serve`, StayRTR, Routinator, ...) on its own thread, and
// every new End of Data (a new serial, a Cache Reset's full set, or the
// data expiring: RFC 8210 §6 Expire interval) is handed to the detector
// with LiveDetector::SetVrps() -- on the detector's thread, by Poll(),
// because the detector is not thread-safe.
//
// A caller that polls file descriptors waits on notify_fd() (readable when
// a new snapshot is waiting) and calls Poll(); one that does not calls
// Poll() from its loop (it is cheap when nothing changed).
//
// Thread safety: Start/Stop/Poll from the detector's thread; the client's
// thread only signals notify_fd().
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "live/live_detector.h"
#include "rpki/rtr_client.h"

namespace vigia::live {

class LiveRpki {
 public:
  // The detector is borrowed and must outlive this object. options.on_sync,
  // if set, is still called (on the client's thread).
  LiveRpki(rpki::rtr::RtrClientOptions options, LiveDetector* detector);
  ~LiveRpki();  // Stop()
  LiveRpki(const LiveRpki&) = delete;
  LiveRpki& operator=(const LiveRpki&) = delete;

  void Start();
  void Stop();
  // Applies the newest snapshot if it is newer than the last one applied;
  // true when SetVrps() was called.
  bool Poll();
  // An eventfd, readable while a snapshot waits for Poll(); -1 if none.
  int notify_fd() const { return notify_fd_; }
  // The generation (rpki::rtr::RtrSnapshot::generation) last applied, 0
  // before the first; the serial and VRP count of it.
  uint64_t generation() const { return applied_; }
  uint32_t serial() const { return serial_; }
  size_t vrps() const { return vrps_; }
  std::string last_error() const { return client_ ? client_->last_error() : ""; }

 private:
  LiveDetector* detector_;
  int notify_fd_ = -1;
  std::unique_ptr<rpki::rtr::RtrClient> client_;
  uint64_t applied_ = 0;
  uint32_t serial_ = 0;
  size_t vrps_ = 0;
};

}  // namespace vigia::live
