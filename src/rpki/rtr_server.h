// The RTR cache: the cache side of RFC 8210 (version 1), RFC 6810
// (version 0) and draft-ietf-sidrops-8210bis-10 (version 2, with ASPA),
// serving VRPs and ASPAs to routers over plain TCP.
//
// Three layers:
//
//   RtrPayload  the data of one serial: VRPs (prefix, max length, AS) and
//               ASPAs (customer, providers), sorted and unique. Values.
//   RtrCache    the serial history and the encoded answers; no I/O. Each
//               Update() that changes the data takes the next serial (RFC
//               1982 arithmetic, so it wraps at 2^32), keeps the difference
//               to the previous serial (a bounded history: kMaxHistory
//               differences, and no more entries in all than the full set
//               holds), and drops the encoded answers. Answers are encoded
//               once per (serial, version), or per (from serial, version)
//               for a delta, and shared by every client that asks: the full
//               set of 600 k VRPs is about 13 MB per version, encoded once,
//               not once per client.
//   RtrServer   the TCP side: one thread, one epoll loop, non-blocking
//               sockets. Each client holds a queue of (shared answer,
//               offset) chunks, so a thousand clients syncing the same full
//               set cost one copy of it plus their own offsets.
//
// The protocol rules the server follows (cited again where implemented):
//   - Version negotiation (RFC 8210 §7): the client's first PDU fixes the
//     session's version (0, 1 or 2); a higher version gets an Error Report
//     "Unsupported Protocol Version" in version 2 and the connection is
//     closed; later PDUs of another version get an Error Report and close.
//   - Session ID (§5.1): random per server start, the same for every
//     client, in every Cache Response, End of Data and Serial Notify.
//   - Reset Query (§8.1) -> Cache Response, every record, End of Data (with
//     the Refresh, Retry and Expire intervals from version 1 on, §5.8).
//   - Serial Query (§8.2) -> Cache Response, the changes since that serial
//     (withdrawals, then announcements), End of Data; Cache Reset (§8.3)
//     when the Session ID differs or the serial is not in the history.
//   - Serial Notify (§5.2) to every client whose version is agreed, each
//     time the data changes; never inside a response.
//   - ASPA PDUs only to version 2 clients. No Router Keys.
//   - No data yet (--db with an empty store): Error Report "No Data
//     Available" (§8.4, §12), connection kept; a Serial Notify follows once
//     data arrives.
//   - Error Reports from a client (§5.11) are logged; all but "No Data
//     Available" are fatal, and the connection is closed. The server never
//     answers an Error Report with another.
//
// Bounds against hostile or broken clients: a PDU longer than
// kMaxPduLength breaks the framing (Error Report, close); a client that
// does not read is not read from once kPauseReadChunks answers wait for
// it, and is dropped when kMaxQueuedChunks wait or when nothing could be
// sent to it for client_timeout; a connection that sends no query, or
// half a PDU, for client_timeout is closed; connections beyond
// max_clients are accepted and closed at once.
//
// Thread safety: RtrPayload and RtrCache are not thread-safe (RtrServer
// uses its cache on its loop thread only). RtrServer::SetPayload, Stop and
// stats may be called from any thread; Run blocks the calling thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "rpki/aspa.h"
#include "rpki/rtr_pdu.h"
#include "rpki/vrp.h"

namespace vigia::rpki::rtr {

struct RtrVrp {
  Prefix prefix;
  uint8_t max_length = 0;
  Asn asn = 0;
  friend bool operator==(const RtrVrp&, const RtrVrp&) = default;
  friend auto operator<=>(const RtrVrp&, const RtrVrp&) = default;
};

struct RtrPayload {
  std::vector<RtrVrp> vrps;  // sorted, unique
  std::vector<Aspa> aspas;   // sorted by customer; providers sorted, unique

  // The VRPs (trust anchors merged away: RTR does not carry them) and the
  // ASPAs of a set.
  static RtrPayload FromVrpSet(const VrpSet& set);
};

using SharedBytes = std::shared_ptr<const std::vector<uint8_t>>;

// Timers of End of Data (RFC 8210 §5.8, §6), from version 1 on.
struct RtrTimers {
  uint32_t refresh = kDefaultRefresh;
  uint32_t retry = kDefaultRetry;
  uint32_t expire = kDefaultExpire;
};

class RtrCache {
 public:
  // Differences kept for Serial Queries; older serials get a Cache Reset.
  static constexpr size_t kMaxHistory = 64;

  RtrCache(uint16_t session_id, uint32_t first_serial, RtrTimers timers);

  // Installs new data. The first call gives the first serial; later ones
  // take the next serial only when the data differs. True when it changed.
  bool Update(std::shared_ptr<const RtrPayload> payload);

  bool has_data() const { return payload_ != nullptr; }
  uint16_t session_id() const { return session_id_; }
  uint32_t serial() const { return serial_; }
  const std::shared_ptr<const RtrPayload>& payload() const { return payload_; }
  // The oldest serial a Serial Query can start from.
  uint32_t oldest_serial() const { return serial_ - static_cast<uint32_t>(history_.size()); }

  // RFC 8210 §8.1: the answer to a Reset Query (has_data() must be true).
  SharedBytes FullSet(uint8_t version);
  // RFC 8210 §8.2, §8.3: the answer to a Serial Query: the changes since
  // `serial` (an empty delta when it is the current one), or a Cache Reset.
  // *reset tells which.
  SharedBytes Delta(uint8_t version, uint16_t session_id, uint32_t serial, bool* reset);
  // RFC 8210 §5.2.
  SharedBytes Notify(uint8_t version);

 private:
  struct AspaChange {
    Asn customer = 0;
    std::optional<std::vector<Asn>> before, after;  // absent: no ASPA
  };
  struct Diff {
    std::vector<RtrVrp> announced, withdrawn;
    std::vector<AspaChange> aspas;
    size_t entries() const { return announced.size() + withdrawn.size() + aspas.size(); }
  };
  static Diff Compute(const RtrPayload& from, const RtrPayload& to);
  void EncodeRecords(uint8_t version, const Diff& d, std::vector<uint8_t>* out) const;
  void EncodeBegin(uint8_t version, std::vector<uint8_t>* out) const;
  void EncodeEnd(uint8_t version, std::vector<uint8_t>* out) const;

  uint16_t session_id_;
  uint32_t serial_;
  RtrTimers timers_;
  std::shared_ptr<const RtrPayload> payload_;
  std::deque<Diff> history_;  // history_.back() took serial_-1 to serial_
  size_t history_entries_ = 0;
  // Encoded answers of the current serial.
  SharedBytes full_[kMaxVersion + 1];
  SharedBytes notify_[kMaxVersion + 1];
  std::map<std::pair<uint32_t, uint8_t>, SharedBytes> deltas_;
};

struct RtrServerOptions {
  std::vector<std::string> listen = {"127.0.0.1:8282"};  // HOST:PORT, [V6]:PORT; port 0: any
  size_t max_clients = 10'000;
  RtrTimers timers;
  // Closes a client that sends no query, or stops halfway through a PDU,
  // or reads nothing of what it is sent, for this long.
  std::chrono::milliseconds client_timeout{60'000};
  // 0: random (RFC 8210 §5.1, a new one per server start).
  std::optional<uint16_t> session_id;
  uint32_t first_serial = 0;
  // One line per notable event (clients, errors, updates); may be empty.
  std::function<void(const std::string&)> on_log;
};

struct RtrServerStats {
  uint64_t clients = 0;  // connected now
  uint64_t accepted = 0, refused = 0, closed = 0;
  uint64_t reset_queries = 0, serial_queries = 0;
  uint64_t cache_resets = 0;  // Cache Reset PDUs sent
  uint64_t notifies = 0;      // Serial Notify PDUs sent
  uint64_t errors_sent = 0, errors_received = 0;
  uint64_t slow_dropped = 0;  // clients dropped for not reading or not sending
  uint64_t updates = 0;       // serials taken
  uint16_t session_id = 0;
  uint32_t serial = 0;
  bool has_data = false;
  size_t vrps = 0, aspas = 0;
};

class RtrServer {
 public:
  explicit RtrServer(RtrServerOptions options);
  ~RtrServer();
  RtrServer(const RtrServer&) = delete;
  RtrServer& operator=(const RtrServer&) = delete;

  // Binds and listens on every address. kInvalidArgument for an address
  // that does not parse, kIoError when one cannot be bound.
  Status Listen();
  // The bound addresses, "127.0.0.1:PORT" or "[::1]:PORT", after Listen().
  const std::vector<std::string>& addresses() const { return addresses_; }

  // Hands new data to the loop (any thread); clients are notified when it
  // differs from what they have.
  void SetPayload(std::shared_ptr<const RtrPayload> payload);
  // Serves until Stop(); closes every connection before it returns.
  void Run();
  void Stop();
  RtrServerStats stats() const;

 private:
  struct Client;
  void Accept(int lfd);
  void OnReadable(Client* c);
  void HandlePdu(Client* c, std::span<const uint8_t> bytes);
  void Fail(Client* c, ErrorCode code, std::span<const uint8_t> pdu, const std::string& why,
            uint8_t version);
  void Queue(Client* c, SharedBytes bytes);
  void Flush(Client* c);
  void Rearm(Client* c);
  void Drop(Client* c, const std::string& why);
  void ApplyPending();
  void Sweep();
  void Log(const std::string& line);

  RtrServerOptions options_;
  RtrCache cache_;
  int epfd_ = -1;
  int wake_fd_ = -1;
  int reserve_fd_ = -1;  // given up to accept-and-close when out of descriptors
  std::vector<int> listen_fds_;
  std::vector<std::string> addresses_;
  // Keyed by address, not descriptor: a descriptor closed in one batch of
  // events may be reused by an accept in the same batch.
  std::unordered_map<Client*, std::unique_ptr<Client>> clients_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::shared_ptr<const RtrPayload> pending_;  // under mu_
  RtrServerStats stats_;                       // under mu_ (written by the loop)
};

}  // namespace vigia::rpki::rtr
