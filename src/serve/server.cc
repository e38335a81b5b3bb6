#include "serve/server.h"

#include <fmt/format.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/time_format.h"
#include "serve/api.h"
#include "store/store.h"

namespace vigia::serve {

namespace {

std::atomic<httplib::Server*> g_server{nullptr};

void OnSignal(int) {
  if (httplib::Server* s = g_server.load()) s->stop();
}

}  // namespace

int Serve(const ServeOptions& opts) {
  const size_t colon = opts.listen.rfind(':');
  if (colon == std::string::npos) {
    std::fprintf(stderr, "vigia: serve: --listen %s: want HOST:PORT\n", opts.listen.c_str());
    return 2;
  }
  std::string host = opts.listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  int port = 0;
  try {
    port = std::stoi(opts.listen.substr(colon + 1));
  } catch (...) {
    port = -1;
  }
  if (port < 0 || port > 65535) {
    std::fprintf(stderr, "vigia: serve: --listen %s: bad port\n", opts.listen.c_str());
    return 2;
  }
  auto st = store::Store::Open(opts.db);
  if (!st.ok()) {
    std::fprintf(stderr, "vigia: serve: %s\n", st.status().message().c_str());
    return 2;
  }
  httplib::Server svr;
  svr.set_payload_max_length(64 * 1024);
  svr.set_read_timeout(5, 0);
  svr.set_write_timeout(5, 0);
  // cpp-httplib writes the headers and the body with two send() calls; with
  // Nagle's algorithm on, the body waits for the client's delayed ACK of the
  // headers (40 ms on Linux) on every keep-alive request but the first.
  svr.set_tcp_nodelay(true);
  // cpp-httplib keeps a worker thread per keep-alive connection: with its
  // default of 8, a ninth client waits for an idle connection to close.
  svr.new_task_queue = [] { return new httplib::ThreadPool(64); };
  Api api(std::move(*st), opts);
  api.Register(svr);
  const std::string web = FindWebApp(opts.web);
  if (!opts.web.empty() && web.empty()) {
    std::fprintf(stderr, "vigia: serve: --web %s: no such directory\n", opts.web.c_str());
    return 2;
  }
  if (!web.empty()) {
    svr.set_mount_point("/", web);
  } else {
    std::fprintf(stderr,
                 "vigia: serve: no web app found (build it: cd web && npm ci && npm run build); "
                 "serving the API only\n");
  }
  // The app loads only its own scripts and data; ECharts sets inline styles.
  svr.set_default_headers(
      {{"X-Content-Type-Options", "nosniff"},
       {"Referrer-Policy", "no-referrer"},
       {"Content-Security-Policy",
        "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
        "frame-ancestors 'none'"}});
  svr.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.body.empty()) {
      static_cast<void>(
          Error(res, res.status, res.status == 404 ? "no such path" : "request refused"));
    }
  });
  svr.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        static_cast<void>(Error(res, 500, "internal error"));
      });
  if (opts.access_log) {
    svr.set_logger([](const httplib::Request& req, const httplib::Response& res) {
      std::fprintf(stderr, "%s %s %s %s %d %zu\n", IsoTime(time(nullptr)).c_str(),
                   req.remote_addr.c_str(), req.method.c_str(), req.path.c_str(), res.status,
                   res.body.size());
    });
  }
  const int bound =
      port == 0 ? svr.bind_to_any_port(host) : (svr.bind_to_port(host, port) ? port : -1);
  if (bound < 0) {
    std::fprintf(stderr, "vigia: serve: cannot listen on %s\n", opts.listen.c_str());
    return 2;
  }
  g_server = &svr;
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  std::printf("vigia: serving http://%s:%d\n",
              host.find(':') != std::string::npos ? ("[" + host + "]").c_str() : host.c_str(),
              bound);
  std::fflush(stdout);
  const bool ok = svr.listen_after_bind();
  g_server = nullptr;
  std::fprintf(stderr, "vigia: serve: stopped\n");
  return ok ? 0 : 2;
}

}  // namespace vigia::serve
