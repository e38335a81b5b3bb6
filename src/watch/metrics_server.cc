// See metrics_server.h. cpp-httplib (Debian's) does the HTTP.
#include "watch/metrics_server.h"

#include <httplib.h>

#include <thread>

namespace vigia::watch {

struct MetricsServer::Impl {
  httplib::Server server;
  std::thread thread;
};

MetricsServer::MetricsServer(std::function<std::string()> render) : render_(std::move(render)) {}

MetricsServer::~MetricsServer() { Stop(); }

Status MetricsServer::Start(const std::string& listen) {
  std::string host = listen, port_text;
  if (const size_t colon = listen.rfind(':'); colon != std::string::npos) {
    host = listen.substr(0, colon);
    port_text = listen.substr(colon + 1);
  }
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  int port = 0;
  try {
    port = std::stoi(port_text);
  } catch (...) {
    return Status::InvalidArgument("prometheus listen: want ADDR:PORT, not " + listen);
  }
  impl_ = std::make_unique<Impl>();
  impl_->server.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(render_(), "text/plain; version=0.0.4; charset=utf-8");
  });
  port_ = port == 0 ? impl_->server.bind_to_any_port(host)
                    : (impl_->server.bind_to_port(host, port) ? port : -1);
  if (port_ <= 0) {
    impl_.reset();
    return Status::IoError("prometheus listen: cannot bind " + listen);
  }
  impl_->thread = std::thread([this] { impl_->server.listen_after_bind(); });
  return Status::Ok();
}

void MetricsServer::Stop() {
  if (!impl_) return;
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
  impl_.reset();
}

}  // namespace vigia::watch
