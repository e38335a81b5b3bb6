// vigia irr serve: an IRRd-compatible whois server over the IRR files given
// with --irr (SPEC C11, issue 16 item 4). Speaks IRRd's `!` commands and the
// RIPE-style flags that bgpq4 and operators use; the query language is
// irr/whois_query.h, this file is only the TCP side.
//
// One thread and a poll loop: every connection has an input buffer, an
// output buffer and a WhoisSession. Queries are answered in the order they
// arrive (pipelining), line by line. Without "!!" (or "-k") a connection is
// closed after its first answer, as IRRd does. Hostile input is bounded: a
// line longer than kMaxWhoisQuery (or one that never ends) gets "F query too
// long" and the connection is closed; an answer backlog beyond kMaxBacklog
// stops reading from that client until it drains; a connection idle for its
// timeout (300 s, "!t" changes it) is closed; connections beyond
// --max-clients get an F line and are closed. SIGINT or SIGTERM stop it.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "irr/irr_index.h"
#include "irr/whois_query.h"

namespace vigia::cli {

namespace {

constexpr size_t kMaxBacklog = size_t{64} << 20;  // unsent answer bytes per client
constexpr size_t kReadChunk = 64 * 1024;

volatile std::sig_atomic_t g_stop = 0;
void OnStopSignal(int) { g_stop = 1; }

struct ServeArgs {
  std::vector<std::string> files;
  std::vector<std::string> sources;
  std::string default_source;
  std::string listen = "127.0.0.1:43";
  int max_clients = 256;
  int depth = irr::kDefaultExpandDepth;
};

struct Client {
  int fd = -1;
  std::string in;
  std::string out;
  size_t out_pos = 0;
  irr::WhoisSession session;
  std::chrono::steady_clock::time_point last;
  bool closing = false;  // close once out is sent
};

// "HOST:PORT" or "[V6]:PORT" to a socket address. False on a bad form.
bool ParseListen(const std::string& text, sockaddr_storage* addr, socklen_t* len) {
  std::string host, port;
  if (!text.empty() && text[0] == '[') {
    const size_t close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return false;
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string::npos) return false;
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
  addrinfo* res = nullptr;
  if (getaddrinfo(host.empty() ? nullptr : host.c_str(), port.c_str(), &hints, &res) != 0) {
    return false;
  }
  std::memcpy(addr, res->ai_addr, res->ai_addrlen);
  *len = res->ai_addrlen;
  freeaddrinfo(res);
  return true;
}

std::string AddressText(const sockaddr_storage& a) {
  char host[INET6_ADDRSTRLEN] = {};
  if (a.ss_family == AF_INET6) {
    const auto* s = reinterpret_cast<const sockaddr_in6*>(&a);
    inet_ntop(AF_INET6, &s->sin6_addr, host, sizeof host);
    return "[" + std::string(host) + "]:" + std::to_string(ntohs(s->sin6_port));
  }
  const auto* s = reinterpret_cast<const sockaddr_in*>(&a);
  inet_ntop(AF_INET, &s->sin_addr, host, sizeof host);
  return std::string(host) + ":" + std::to_string(ntohs(s->sin_port));
}

size_t Backlog(const Client& c) { return c.out.size() - c.out_pos; }

// Answers the complete lines in c->in, in order, until the unsent backlog
// reaches kMaxBacklog (the rest waits until it drains).
void Process(const irr::IrrDatabase& db, const irr::WhoisLimits& limits, Client* c) {
  size_t start = 0;
  while (!c->closing && Backlog(*c) < kMaxBacklog) {
    const size_t nl = c->in.find('\n', start);
    if (nl == std::string::npos) break;
    irr::AnswerWhoisQuery(db, std::string_view(c->in).substr(start, nl - start), limits,
                          &c->session, &c->out);
    start = nl + 1;
    if (c->session.quit || !c->session.persistent) c->closing = true;
  }
  c->in.erase(0, start);
  if (c->closing) {
    c->in.clear();
  } else if (c->in.size() > irr::kMaxWhoisQuery + 1 && c->in.find('\n') > irr::kMaxWhoisQuery + 1) {
    c->out.append("F query too long\n");
    c->in.clear();
    c->closing = true;
  }
}

// Sends what it can. False when the connection is broken.
bool Flush(Client* c) {
  while (c->out_pos < c->out.size()) {
    const ssize_t n = send(c->fd, c->out.data() + c->out_pos, c->out.size() - c->out_pos,
                           MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      c->out_pos += static_cast<size_t>(n);
      c->last = std::chrono::steady_clock::now();
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      break;
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      return false;
    }
  }
  if (c->out_pos == c->out.size()) {
    c->out.clear();
    c->out_pos = 0;
  } else if (c->out_pos > (size_t{1} << 20)) {
    c->out.erase(0, c->out_pos);
    c->out_pos = 0;
  }
  return true;
}

int RunServe(const ServeArgs& a) {
  if (a.max_clients < 1 || a.max_clients > 10000) {
    std::fprintf(stderr, "vigia: --max-clients must be between 1 and 10000\n");
    return kExitFailed;
  }
  if (a.depth < 1 || a.depth > irr::kMaxExpandDepth) {
    std::fprintf(stderr, "vigia: --depth must be between 1 and %d\n", irr::kMaxExpandDepth);
    return kExitFailed;
  }
  irr::IrrDatabase db;
  irr::LoadOptions lopts;
  lopts.default_source = a.default_source;
  bool any = false;
  for (const std::string& f : a.files) {
    const Status s = db.LoadFile(f, lopts);
    if (!s.ok()) {
      std::fprintf(stderr, "vigia: %s\n", s.message().c_str());
    } else {
      any = true;
    }
  }
  if (!any) return kExitFailed;
  if (db.problems().count() > 0) {
    std::fprintf(stderr, "vigia: %zu malformed objects skipped\n",
                 static_cast<size_t>(db.problems().count()));
  }
  db.Build();
  irr::WhoisSession initial;
  for (const std::string& name : a.sources) {
    const auto id = db.FindSource(name);
    if (!id) {
      std::fprintf(stderr, "vigia: unknown source %s\n", name.c_str());
      return kExitFailed;
    }
    initial.sources.push_back(*id);
  }
  irr::WhoisLimits limits;
  limits.max_depth = a.depth;

  sockaddr_storage addr{};
  socklen_t addr_len = 0;
  if (!ParseListen(a.listen, &addr, &addr_len)) {
    std::fprintf(stderr, "vigia: --listen %s: expected HOST:PORT or [V6]:PORT\n", a.listen.c_str());
    return kExitFailed;
  }
  const int lfd = socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  const int one = 1;
  if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
      bind(lfd, reinterpret_cast<sockaddr*>(&addr), addr_len) != 0 || listen(lfd, 1024) != 0) {
    std::fprintf(stderr, "vigia: cannot listen on %s: %s\n", a.listen.c_str(),
                 std::strerror(errno));
    if (lfd >= 0) close(lfd);
    return kExitFailed;
  }
  sockaddr_storage bound{};
  socklen_t bound_len = sizeof bound;
  getsockname(lfd, reinterpret_cast<sockaddr*>(&bound), &bound_len);
  std::printf("vigia: whois listening on %s\n", AddressText(bound).c_str());
  std::fflush(stdout);

  struct sigaction sa {};
  sa.sa_handler = OnStopSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);

  std::vector<std::unique_ptr<Client>> clients;
  std::vector<pollfd> fds;
  std::vector<char> buf(kReadChunk);
  while (!g_stop) {
    fds.clear();
    fds.push_back({lfd, POLLIN, 0});
    for (const auto& c : clients) {
      short ev = 0;
      if (!c->closing && Backlog(*c) < kMaxBacklog) ev |= POLLIN;
      if (c->out_pos < c->out.size()) ev |= POLLOUT;
      fds.push_back({c->fd, ev, 0});
    }
    const int n = poll(fds.data(), fds.size(), 500);
    if (n < 0 && errno != EINTR) break;
    const auto now = std::chrono::steady_clock::now();
    if (n > 0 && (fds[0].revents & POLLIN)) {
      for (int k = 0; k < 64; ++k) {
        const int cfd = accept4(lfd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (cfd < 0) break;
        if (clients.size() >= static_cast<size_t>(a.max_clients)) {
          static constexpr char kBusy[] = "F too many connections\n";
          (void)!send(cfd, kBusy, sizeof kBusy - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
          close(cfd);
          continue;
        }
        auto c = std::make_unique<Client>();
        c->fd = cfd;
        c->session = initial;
        c->last = now;
        clients.push_back(std::move(c));
      }
    }
    for (size_t i = 0; i < clients.size(); ++i) {
      Client* c = clients[i].get();
      bool dead = false;
      if (i + 1 < fds.size() && fds[i + 1].fd == c->fd) {
        const short re = fds[i + 1].revents;
        if (re & (POLLIN | POLLHUP | POLLERR)) {
          const ssize_t r = recv(c->fd, buf.data(), buf.size(), MSG_DONTWAIT);
          if (r > 0) {
            c->last = now;
            c->in.append(buf.data(), static_cast<size_t>(r));
            Process(db, limits, c);
          } else if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
            // The peer is gone (or half-closed): answer nothing more.
            c->closing = true;
            if (r < 0) dead = true;
          }
        }
      }
      if (!dead && !Flush(c)) dead = true;
      // Lines held back by a full backlog, now that some of it is sent.
      if (!dead && !c->closing && !c->in.empty() && Backlog(*c) < kMaxBacklog) {
        Process(db, limits, c);
        if (!Flush(c)) dead = true;
      }
      if (c->closing && c->out_pos >= c->out.size()) dead = true;
      if (now - c->last > std::chrono::seconds(c->session.timeout_seconds)) dead = true;
      if (dead) {
        close(c->fd);
        clients[i] = std::move(clients.back());
        clients.pop_back();
        --i;
      }
    }
  }
  for (const auto& c : clients) close(c->fd);
  close(lfd);
  std::fprintf(stderr, "vigia: whois server stopped\n");
  return kExitOk;
}

}  // namespace

void RegisterIrrServe(CLI::App& irr, int* exit_code) {
  auto a = std::make_shared<ServeArgs>();
  CLI::App* cmd = irr.add_subcommand("serve", "IRRd-compatible whois server over the IRR files");
  cmd->add_option("--irr", a->files,
                  "RPSL dumps and ARIN-WHOIS originAS JSON files (any compression)")
      ->required();
  cmd->add_option("--listen", a->listen, "HOST:PORT or [V6]:PORT; port 0 picks a free one")
      ->capture_default_str();
  cmd->add_option("--max-clients", a->max_clients, "most concurrent connections")
      ->capture_default_str();
  cmd->add_option("--sources", a->sources, "default source order of every connection")
      ->delimiter(',');
  cmd->add_option("--default-source", a->default_source,
                  "source of RPSL objects without a source: attribute (default: from the file "
                  "name)");
  cmd->add_option("--depth", a->depth, "most levels of nested sets an expansion follows")
      ->capture_default_str();
  cmd->footer(
      "Queries: !! !q !v !n !t<s> !s<sources> !s-lc !g<AS> !6<AS> !i<set>[,1] !a[4|6]<set> "
      "!o<mntner> !j<sources>, and "
      "RIPE-style -i origin AS, -K, -k, -s SOURCES and plain keys (AS, prefix, as-set). Prints "
      "'vigia: whois listening on HOST:PORT' once listening; SIGINT or SIGTERM stop it.");
  cmd->callback([a, exit_code] { *exit_code = RunServe(*a); });
}

}  // namespace vigia::cli
