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

#include "core/printable.h"
#include "core/time_format.h"
#include "serve/api.h"
#include "serve/http_server.h"
#include "store/store.h"

namespace vigia::serve {

namespace {

std::atomic<HttpServer*> g_server{nullptr};

void OnSignal(int) {
  if (HttpServer* s = g_server.load()) s->Stop();
}

}  // namespace

int Serve(const ServeOptions& opts) {
  const std::string listen = PrintableHead(opts.listen, 200);
  const size_t colon = opts.listen.rfind(':');
  if (colon == std::string::npos) {
    std::fprintf(stderr, "vigia: serve: --listen %s: want HOST:PORT\n", listen.c_str());
    return 2;
  }
  std::string host = opts.listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  const std::string port_text = opts.listen.substr(colon + 1);
  int port = -1;
  if (!port_text.empty() && port_text.size() <= 5 &&
      port_text.find_first_not_of("0123456789") == std::string::npos) {
    port = std::stoi(port_text);
  }
  if (port < 0 || port > 65535) {
    std::fprintf(stderr, "vigia: serve: --listen %s: bad port\n", listen.c_str());
    return 2;
  }
  auto st = store::Store::Open(opts.db);
  if (!st.ok()) {
    std::fprintf(stderr, "vigia: serve: %s\n", PrintableHead(st.status().message(), 4096).c_str());
    return 2;
  }
  HttpLimits limits;
  limits.max_connections = opts.max_connections;
  limits.request_seconds = opts.request_timeout;
  limits.workers = opts.workers;
  HttpServer svr(limits);
  Api api(std::move(*st), opts);
  api.Register(svr);
  const std::string web = FindWebApp(opts.web);
  if (!opts.web.empty() && web.empty()) {
    std::fprintf(stderr, "vigia: serve: --web %s: no such directory\n",
                 PrintableHead(opts.web, 1000).c_str());
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
  // A control character in a path is never part of a file or route name:
  // "/index.html%00.js" opened index.html (the C string ends at the NUL) and
  // served it as text/javascript (the name ends in .js).
  svr.set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    for (unsigned char c : req.path) {
      if (c < 0x20 || c == 0x7f) {
        static_cast<void>(Error(res, 400, "the path holds a control character"));
        return httplib::Server::HandlerResponse::Handled;
      }
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
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
    // Every field from the request escaped: a %0A in a path cannot add a
    // line, an ESC cannot reach the terminal.
    svr.set_logger([](const httplib::Request& req, const httplib::Response& res) {
      std::fprintf(stderr, "%s %s %s %s %d %zu\n", IsoTime(time(nullptr)).c_str(),
                   PrintableHead(req.remote_addr, 4096).c_str(),
                   PrintableHead(req.method, 100).c_str(), PrintableHead(req.path, 2000).c_str(),
                   res.status, res.body.size());
    });
  }
  auto bound = svr.Bind(host, port);
  if (!bound.ok()) {
    std::fprintf(stderr, "vigia: serve: cannot listen on %s: %s\n", listen.c_str(),
                 bound.status().message().c_str());
    return 2;
  }
  g_server = &svr;
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  std::printf("vigia: serving http://%s:%d\n",
              host.find(':') != std::string::npos ? ("[" + host + "]").c_str() : host.c_str(),
              *bound);
  std::fflush(stdout);
  const Status ran = svr.Run();
  g_server = nullptr;
  if (!ran.ok()) std::fprintf(stderr, "vigia: serve: %s\n", ran.message().c_str());
  std::fprintf(stderr, "vigia: serve: stopped\n");
  return ran.ok() ? 0 : 2;
}

}  // namespace vigia::serve
