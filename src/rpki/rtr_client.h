// The RTR client: a router's side of RFC 8210 (versions 0 and 1) and of
// draft-ietf-sidrops-8210bis-10 (version 2, with ASPA), over plain TCP.
//
// Two layers. RtrSession is the protocol state machine and does no I/O: it
// is fed the PDUs of one transport connection and answers with the bytes to
// send and what happened (synced, must close, retry with a lower version).
// RtrClient owns a socket and a thread that runs sessions against one cache,
// reconnecting, polling on the Refresh timer and following Serial Notify;
// readers take immutable snapshots of the data at any time.
//
// The state machine (RFC 8210 §6, §8):
//
//   connect ── Reset Query ──> Cache Response, payload PDUs, End of Data ──> synced
//   synced ── Serial Notify (newer serial) or Refresh timer ── Serial Query
//          ──> Cache Response, deltas, End of Data ──> synced at the new serial
//          ──> Cache Reset ──> Reset Query (§8.3)
//   Error Report 4 (Unsupported Protocol Version) before agreement
//          ──> reconnect one version lower (§7)
//   a bad PDU, a duplicate announcement or a withdrawal of an unknown record
//          ──> Error Report (§5.11, §12), close, reconnect with a Reset Query
//
// The payload (VRPs, ASPAs, router keys) is changed only between a Cache
// Response and its End of Data; a snapshot is published at each End of Data,
// so a reader never sees half of a delta. After a failure the last snapshot
// stays until the Expire interval of its End of Data has passed (§6), then
// it is replaced by an empty one.
//
// Thread safety: RtrSession is not thread-safe. RtrClient's methods may be
// called from any thread; its callback runs on the client's own thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "core/status.h"
#include "rpki/aspa.h"
#include "rpki/rtr_pdu.h"
#include "rpki/vrp.h"

namespace vigia::rpki::rtr {

// One ASPA as RTR version 2 carries it: per customer and address family.
struct RtrAspa {
  Asn customer = 0;
  bool ipv6 = false;
  std::vector<Asn> providers;  // as received
  friend bool operator==(const RtrAspa&, const RtrAspa&) = default;
};

struct RtrStats {
  uint64_t connects = 0;
  uint64_t reset_queries = 0;
  uint64_t serial_queries = 0;
  uint64_t serial_notifies = 0;
  uint64_t cache_resets = 0;            // Cache Reset PDUs received
  uint64_t errors_sent = 0;             // Error Reports we sent
  uint64_t errors_received = 0;         // Error Reports the cache sent
  uint64_t stale_aspa_withdrawals = 0;  // see RtrSession::Apply
  uint64_t timers_clamped = 0;          // End of Data timers outside RFC 8210 §6 ranges
};

// The data as of one End of Data.
struct RtrSnapshot {
  uint8_t version = 0;
  uint16_t session_id = 0;
  uint32_t serial = 0;
  uint32_t refresh = kDefaultRefresh, retry = kDefaultRetry, expire = kDefaultExpire;
  uint64_t generation = 0;   // 1 for the first End of Data, +1 for each
  bool incremental = false;  // reached by a Serial Query delta, not a reset
  bool expired = false;      // no successful sync within the Expire interval
  std::chrono::system_clock::time_point synced_at;
  std::vector<Vrp> vrps;       // sorted by prefix, max length, AS; ta 0
  std::vector<RtrAspa> aspas;  // sorted by customer, IPv4 first
  std::vector<RouterKey> router_keys;
  RtrStats stats;  // as of this End of Data

  // The ASPAs merged over address families, one provider set per customer
  // (as AspaSet holds them).
  AspaSet MergedAspas() const;
  // A VrpSet with these VRPs under trust anchor `ta`, and the merged ASPAs.
  VrpSet ToVrpSet(const std::string& ta = "rtr") const;
};

// The protocol state machine of one transport connection.
class RtrSession {
 public:
  struct Output {
    std::vector<uint8_t> send;  // bytes for the cache, in order
    bool synced = false;        // an End of Data completed; see snapshot()
    bool close = false;         // end this connection
    // When closing: the version to reconnect with (after an Unsupported
    // Protocol Version error), or -1 to keep the current one.
    int retry_version = -1;
    bool retry_soon = false;  // reconnect after the Retry interval only
    std::string message;      // why, for logs ("" when nothing to say)
  };

  // version: the version to offer (0 to kMaxVersion).
  explicit RtrSession(uint8_t version);

  // Starts a connection: the Reset Query to send. The payload held so far
  // is kept until a new End of Data replaces it.
  std::vector<uint8_t> Start();
  // Handles one whole PDU from the cache (as PduReader splits them).
  Output OnPdu(std::span<const uint8_t> bytes);
  // The Refresh timer fired (RFC 8210 §6): a Serial Query when idle.
  Output OnRefresh();

  // True between Start() and the first End of Data, and while a response
  // is being received.
  bool busy() const { return state_ != State::kIdle; }
  bool synced_once() const { return generation_ > 0; }
  uint8_t version() const { return version_; }
  // Built at each End of Data.
  std::shared_ptr<const RtrSnapshot> snapshot() const { return snapshot_; }
  RtrStats& stats() { return stats_; }

 private:
  enum class State { kStart, kIdle, kAwaitResponse, kReceiving };
  struct VrpKey {
    Prefix prefix;
    uint8_t max_length;
    Asn asn;
    friend auto operator<=>(const VrpKey&, const VrpKey&) = default;
  };

  Output Fail(ErrorCode code, std::span<const uint8_t> pdu, std::string message);
  Output Apply(const Pdu& p, std::span<const uint8_t> raw);
  void Publish();

  uint8_t version_;
  bool version_agreed_ = false;
  State state_ = State::kStart;
  bool resetting_ = false;       // the outstanding query is a Reset Query
  bool notify_pending_ = false;  // a Serial Notify arrived mid-response
  bool have_session_ = false;
  uint16_t session_id_ = 0;
  uint32_t serial_ = 0;
  uint64_t generation_ = 0;
  Pdu pdu_;  // reused for every decode
  std::set<VrpKey> vrps_;
  std::map<std::pair<Asn, bool>, std::vector<Asn>> aspas_;  // (customer, ipv6)
  std::set<RouterKey> keys_;
  RtrStats stats_;
  std::shared_ptr<const RtrSnapshot> snapshot_;
};

struct RtrClientOptions {
  std::string host;  // name, IPv4 or IPv6 address
  uint16_t port = 323;
  uint8_t version = kMaxVersion;  // offered first; lower ones on request
  std::chrono::milliseconds connect_timeout{10'000};
  // Reconnect delay after a failure: the cache's Retry interval, capped at
  // max_retry_delay; before the first End of Data, initial_retry_delay.
  std::chrono::milliseconds max_retry_delay{30'000};
  std::chrono::milliseconds initial_retry_delay{1'000};
  // A connection whose cache sends nothing for this long while a query is
  // outstanding is dropped and retried.
  std::chrono::milliseconds response_timeout{60'000};
  // Called on the client's thread after each End of Data.
  std::function<void(std::shared_ptr<const RtrSnapshot>)> on_sync;
  // Called on the client's thread with one line per notable event
  // (connects, errors, resets); may be empty.
  std::function<void(const std::string&)> on_log;
};

// Splits "host:port", "[v6]:port" or "host" (then port 323, the IANA
// rpki-rtr port, RFC 6810 §12); false with *error set on bad input. A bare
// IPv6 address needs brackets when a port follows.
bool ParseHostPort(std::string_view text, std::string* host, uint16_t* port, std::string* error);

class RtrClient {
 public:
  explicit RtrClient(RtrClientOptions options);
  ~RtrClient();  // Stop()
  RtrClient(const RtrClient&) = delete;
  RtrClient& operator=(const RtrClient&) = delete;

  // Starts the client thread; it connects, syncs, and keeps following the
  // cache until Stop().
  void Start();
  void Stop();

  // The latest snapshot (nullptr before the first End of Data).
  std::shared_ptr<const RtrSnapshot> snapshot() const;
  // Waits until a snapshot with generation > after_generation exists, or
  // the timeout passes (then returns the latest, possibly nullptr or older).
  std::shared_ptr<const RtrSnapshot> WaitForSync(uint64_t after_generation,
                                                 std::chrono::milliseconds timeout) const;
  // The last connection or protocol failure ("" when none).
  std::string last_error() const;
  RtrStats stats() const;

 private:
  void Run();
  // One transport connection, until it fails or Stop(). Returns the delay
  // before the next attempt.
  std::chrono::milliseconds RunConnection(RtrSession& session);
  void Log(const std::string& line);
  bool SleepFor(std::chrono::milliseconds d);  // false when stopped
  void Publish(std::shared_ptr<const RtrSnapshot> s);

  RtrClientOptions options_;
  std::thread thread_;
  int wake_[2] = {-1, -1};  // a pipe: Stop() writes, the thread polls
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  bool stop_ = false;
  std::shared_ptr<const RtrSnapshot> snapshot_;
  std::string last_error_;
  RtrStats stats_;
};

}  // namespace vigia::rpki::rtr
