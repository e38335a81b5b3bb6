#include "live/live_rpki.h"

#include <sys/eventfd.h>
#include <unistd.h>

namespace vigia::live {

LiveRpki::LiveRpki(rpki::rtr::RtrClientOptions options, LiveDetector* detector)
    : detector_(detector) {
  notify_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  auto user = std::move(options.on_sync);
  const int fd = notify_fd_;
  options.on_sync = [user, fd](std::shared_ptr<const rpki::rtr::RtrSnapshot> s) {
    if (fd >= 0) {
      const uint64_t one = 1;
      // A full counter only means a wake-up is already pending.
      (void)!write(fd, &one, sizeof one);
    }
    if (user) user(std::move(s));
  };
  client_ = std::make_unique<rpki::rtr::RtrClient>(std::move(options));
}

LiveRpki::~LiveRpki() {
  Stop();
  client_.reset();
  if (notify_fd_ >= 0) close(notify_fd_);
}

void LiveRpki::Start() { client_->Start(); }

void LiveRpki::Stop() {
  if (client_) client_->Stop();
}

bool LiveRpki::Poll() {
  if (notify_fd_ >= 0) {
    uint64_t n = 0;
    (void)!read(notify_fd_, &n, sizeof n);
  }
  const auto snap = client_->snapshot();
  if (!snap || snap->generation <= applied_) return false;
  detector_->SetVrps(snap->ToVrpSet());
  applied_ = snap->generation;
  serial_ = snap->serial;
  vrps_ = snap->vrps.size();
  return true;
}

}  // namespace vigia::live
