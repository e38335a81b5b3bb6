// See channels.h: the JSON-lines file channel and QueuedChannel.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "alert/channels.h"

namespace vigia::alert {

JsonLinesFileChannel::~JsonLinesFileChannel() {
  if (fd_ >= 0) ::close(fd_);
}

Status JsonLinesFileChannel::Deliver(const Alert& a) {
  std::lock_guard lock(mu_);
  if (fd_ < 0) {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd_ < 0) return Status::IoError(path_ + ": open: " + std::strerror(errno));
  }
  const std::string line = AlertToJson(a) + "\n";
  const ssize_t n = ::write(fd_, line.data(), line.size());
  if (n != static_cast<ssize_t>(line.size())) {
    const int e = n < 0 ? errno : ENOSPC;
    ::close(fd_);
    fd_ = -1;  // reopen next time (the file may have been rotated away)
    return Status::IoError(path_ + ": write: " + std::strerror(e));
  }
  return Status::Ok();
}

QueuedChannel::QueuedChannel(std::unique_ptr<Channel> inner, size_t capacity)
    : inner_(std::move(inner)), capacity_(capacity == 0 ? 1 : capacity) {
  worker_ = std::thread([this] { Run(); });
}

QueuedChannel::~QueuedChannel() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  worker_.join();
}

Status QueuedChannel::Deliver(const Alert& a) {
  {
    std::lock_guard lock(mu_);
    if (queue_.size() >= capacity_) {
      ++dropped_;
      return Status::LimitExceeded(std::string(inner_->name()) + ": queue full (" +
                                   std::to_string(capacity_) + "), alert dropped");
    }
    queue_.push_back(a);
  }
  cv_.notify_all();
  return Status::Ok();
}

void QueuedChannel::Drain() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return queue_.empty() && !busy_; });
}

uint64_t QueuedChannel::dropped() const {
  std::lock_guard lock(mu_);
  return dropped_;
}

uint64_t QueuedChannel::failed() const {
  std::lock_guard lock(mu_);
  return failed_;
}

void QueuedChannel::Run() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stop_ and nothing left
    Alert a = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    const Status s = inner_->Deliver(a);
    lock.lock();
    busy_ = false;
    if (!s.ok()) ++failed_;
    cv_.notify_all();
  }
}

}  // namespace vigia::alert
