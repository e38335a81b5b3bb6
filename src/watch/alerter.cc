// See alerter.h.
#include "watch/alerter.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/printable.h"

namespace vigia::watch {

int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t NowSteadyNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// ---- LatencyHistogram --------------------------------------------------------

int LatencyHistogram::Bucket(int64_t ns) {
  const double us = static_cast<double>(std::max<int64_t>(ns, 1000)) / 1000.0;
  const int b = static_cast<int>(std::ceil(std::log2(us) * kSub));
  return std::clamp(b, 0, kBuckets);
}

int64_t LatencyHistogram::UpperNs(int b) {
  return static_cast<int64_t>(std::exp2(static_cast<double>(b) / kSub) * 1000.0);
}

void LatencyHistogram::Record(int64_t ns) {
  std::lock_guard<std::mutex> l(mu_);
  ++buckets_[static_cast<size_t>(Bucket(ns))];
  ++count_;
  sum_ns_ += std::max<int64_t>(ns, 0);
  max_ns_ = std::max(max_ns_, ns);
}

uint64_t LatencyHistogram::count() const {
  std::lock_guard<std::mutex> l(mu_);
  return count_;
}

int64_t LatencyHistogram::max() const {
  std::lock_guard<std::mutex> l(mu_);
  return max_ns_;
}

int64_t LatencyHistogram::Quantile(double q) const {
  std::lock_guard<std::mutex> l(mu_);
  if (count_ == 0) return 0;
  const auto want = static_cast<uint64_t>(std::ceil(q * static_cast<double>(count_)));
  uint64_t seen = 0;
  for (int b = 0; b <= kBuckets; ++b) {
    seen += buckets_[static_cast<size_t>(b)];
    if (seen >= std::max<uint64_t>(want, 1)) return std::min(UpperNs(b), max_ns_);
  }
  return max_ns_;
}

std::string LatencyHistogram::RenderPrometheus() const {
  std::lock_guard<std::mutex> l(mu_);
  std::string out =
      "# HELP vigia_alert_latency_seconds Time from the causing message's arrival to the "
      "alert's delivery.\n# TYPE vigia_alert_latency_seconds histogram\n";
  uint64_t cum = 0;
  // Every 8th bucket (powers of two) keeps the exposition short.
  for (int b = 0; b <= kBuckets; ++b) {
    cum += buckets_[static_cast<size_t>(b)];
    if (b % kSub == 0 && b > 0 && b <= 24 * kSub)
      out += fmt::format("vigia_alert_latency_seconds_bucket{{le=\"{:.6f}\"}} {}\n",
                         static_cast<double>(UpperNs(b)) / 1e9, cum);
  }
  out += fmt::format("vigia_alert_latency_seconds_bucket{{le=\"+Inf\"}} {}\n", count_);
  out +=
      fmt::format("vigia_alert_latency_seconds_sum {:.9f}\n", static_cast<double>(sum_ns_) / 1e9);
  out += fmt::format("vigia_alert_latency_seconds_count {}\n", count_);
  return out;
}

// ---- channels: counting and timing, behind a queue ---------------------------

// The arrival time of each alert in flight, by key and state: the channel
// workers look it up when the far end has accepted the alert. Bounded: past
// kMaxArrivals entries the oldest half is forgotten (those alerts are then
// delivered without a latency sample).
struct ArrivalBook {
  static constexpr size_t kMaxArrivals = 100'000;
  std::mutex mu;
  std::unordered_map<std::string, std::pair<int64_t, uint64_t>> by_key;  // -> (arrival, seq)
  uint64_t seq = 0;

  static std::string Key(const alert::Alert& a) {
    return a.key + (a.state == alert::AlertState::kFiring ? "|F" : "|R") + (a.summary ? "S" : "");
  }
  void Put(const alert::Alert& a, int64_t arrival_ns) {
    std::lock_guard<std::mutex> l(mu);
    if (by_key.size() >= kMaxArrivals) {
      const uint64_t cut = seq - kMaxArrivals / 2;
      std::erase_if(by_key, [&](const auto& kv) { return kv.second.second < cut; });
    }
    by_key[Key(a)] = {arrival_ns, ++seq};
  }
  int64_t Get(const alert::Alert& a) {
    std::lock_guard<std::mutex> l(mu);
    auto it = by_key.find(Key(a));
    return it == by_key.end() ? 0 : it->second.first;
  }
};

namespace {

// Delivers through `inner`, then counts the outcome under the config's
// channel name and records the latency from the event's arrival.
class MeasuredChannel : public alert::Channel {
 public:
  MeasuredChannel(std::string name, std::unique_ptr<alert::Channel> inner,
                  alert::PrometheusCounters* counters, std::shared_ptr<LatencyHistogram> latency,
                  std::shared_ptr<ArrivalBook> arrivals)
      : name_(std::move(name)),
        inner_(std::move(inner)),
        counters_(counters),
        latency_(std::move(latency)),
        arrivals_(std::move(arrivals)) {}
  std::string_view name() const override { return name_; }
  Status Deliver(const alert::Alert& a) override {
    Status s = inner_->Deliver(a);
    if (counters_) counters_->CountDelivery(a, name_, s.ok());
    if (s.ok())
      if (const int64_t arrival = arrivals_->Get(a); arrival > 0)
        latency_->Record(NowSteadyNs() - arrival);
    return s;
  }

 private:
  std::string name_;
  std::unique_ptr<alert::Channel> inner_;
  alert::PrometheusCounters* counters_;
  std::shared_ptr<LatencyHistogram> latency_;
  std::shared_ptr<ArrivalBook> arrivals_;
};

std::string AsnList(const std::vector<Asn>& asns) {
  std::string s;
  for (Asn a : asns) s += (s.empty() ? "AS" : ", AS") + std::to_string(a);
  return s;
}

const live::WatchedPrefix* WatchedFor(const WatchConfig& c, const Prefix& p) {
  const live::WatchedPrefix* best = nullptr;
  for (const auto& w : c.rules.prefixes)
    if (w.prefix.Contains(p) && (!best || w.prefix.length() > best->prefix.length())) best = &w;
  return best;
}

}  // namespace

struct Alerter::Route {
  std::string name;
  alert::QueuedChannel* queue;
  std::unique_ptr<alert::QueuedChannel> owned;
};

// ---- Alerter -----------------------------------------------------------------

Alerter::Alerter(const WatchConfig& config, alert::PrometheusCounters* counters)
    : config_(config),
      counters_(counters),
      gate_(config.gate),
      latency_(std::make_shared<LatencyHistogram>()),
      arrivals_(std::make_shared<ArrivalBook>()) {}

Alerter::~Alerter() {
  Drain();
  (void)SaveState();
}

void Alerter::AddChannel(const std::string& name, std::unique_ptr<alert::Channel> channel) {
  auto measured =
      std::make_unique<MeasuredChannel>(name, std::move(channel), counters_, latency_, arrivals_);
  auto q = std::make_unique<alert::QueuedChannel>(std::move(measured), config_.queue_capacity);
  auto r = std::make_unique<Route>();
  r->name = name;
  r->queue = q.get();
  r->owned = std::move(q);
  channels_.push_back(std::move(r));
}

void Alerter::AddConfiguredChannels() {
  for (const ChannelConfig& ch : config_.channels) {
    switch (ch.kind) {
      case ChannelKind::kWebhook:
        AddChannel(ch.name, std::make_unique<alert::WebhookChannel>(ch.webhook));
        break;
      case ChannelKind::kSmtp:
        AddChannel(ch.name, std::make_unique<alert::SmtpChannel>(ch.smtp));
        break;
      case ChannelKind::kSyslog:
        AddChannel(ch.name, std::make_unique<alert::SyslogChannel>(ch.syslog));
        break;
      case ChannelKind::kFile:
        AddChannel(ch.name, std::make_unique<alert::JsonLinesFileChannel>(ch.file_path));
        break;
      case ChannelKind::kPrometheus:
        break;
    }
  }
}

alert::Alert Alerter::ToAlert(const live::LiveEvent& e, const WatchConfig& config) {
  const detect::Incident& inc = e.incident;
  const RuleSettings rs = config.Rule(e.rule);
  alert::Alert a;
  a.key = e.key;
  a.rule = e.rule;
  a.severity = rs.severity;
  a.state = e.phase == live::EventPhase::kRaised ? alert::AlertState::kFiring
                                                 : alert::AlertState::kRecovered;
  if (!inc.prefixes.empty()) a.prefix = inc.prefixes.front().ToString();
  auto add = [&](Asn x) {
    if (x != 0 && std::find(a.asns.begin(), a.asns.end(), x) == a.asns.end() &&
        a.asns.size() < alert::kMaxAsns)
      a.asns.push_back(x);
  };
  add(inc.culprit);
  if (inc.propagator) add(*inc.propagator);
  for (Asn v : inc.victims) add(v);
  // One line: what, who, whom, how widely seen, and the first reason.
  std::string text = a.prefix.empty() ? e.rule : e.rule + " " + a.prefix;
  if (!inc.prefixes.empty())
    if (const live::WatchedPrefix* w = WatchedFor(config, inc.prefixes.front())) {
      if (!(w->prefix == inc.prefixes.front())) text += " (in " + w->prefix.ToString() + ")";
      if (!w->description.empty()) text += " \"" + w->description + "\"";
    }
  if (inc.culprit != 0) text += ": AS" + std::to_string(inc.culprit);
  if (inc.propagator) text += " via AS" + std::to_string(*inc.propagator);
  if (!inc.victims.empty()) text += ", expected " + AsnList(inc.victims);
  if (e.peers > 0) text += fmt::format("; seen by {} peer{}", e.peers, e.peers == 1 ? "" : "s");
  if (!inc.reasons.empty()) text += "; " + inc.reasons.front();
  a.text = PrintableHead(text, alert::kMaxTextBytes - 4);
  a.evidence_json = inc.evidence;
  const int64_t t = int64_t{e.time.seconds} * 1000 + e.time.microseconds / 1000;
  a.first_seen_ms = t;
  a.last_seen_ms = t;
  return a;
}

void Alerter::Send(const alert::Alert& a, int64_t arrival_ns) {
  if (arrival_ns > 0) arrivals_->Put(a, arrival_ns);
  const RuleSettings rs = config_.Rule(a.rule);
  for (const auto& r : channels_) {
    if (!rs.channels.empty() &&
        std::find(rs.channels.begin(), rs.channels.end(), r->name) == rs.channels.end())
      continue;
    // QueuedChannel returns an error only when its queue is full; it counts that itself.
    (void)r->queue->Deliver(a);
  }
}

void Alerter::OnEvent(const live::LiveEvent& e) {
  ++stats_.events;
  if (also_) also_->OnEvent(e);
  const RuleSettings rs = config_.Rule(e.rule);
  const int64_t now = NowUnixMs();
  if (e.phase == live::EventPhase::kRaised) {
    ++stats_.raised;
    if (!rs.enabled) {
      ++stats_.disabled;
      return;
    }
    const uint32_t need = rs.min_peers ? rs.min_peers : config_.rules.min_peers;
    if (e.peers > 0 && e.peers < need) {
      ++stats_.below_threshold;
      return;
    }
    restored_.erase(e.key);  // a restored condition confirmed
    alert::Alert a = ToAlert(e, config_);
    if (a.first_seen_ms == 0) a.first_seen_ms = now;
    std::optional<alert::Alert> out = gate_.Fire(a, now);
    if (!out) {
      ++stats_.suppressed;
      if (counters_) counters_->CountSuppressed(e.rule);
      return;
    }
    ++stats_.fired;
    open_[out->key] = *out;
    dirty_ = true;
    Send(*out, e.arrival_ns);
  } else {
    ++stats_.cleared;
    std::optional<alert::Alert> out = gate_.Clear(e.key, now);
    if (!out) return;  // never fired (disabled, under threshold) or already recovered
    restored_.erase(e.key);
    open_.erase(e.key);
    dirty_ = true;
    ++stats_.recovered;
    Send(*out, e.arrival_ns);
  }
}

void Alerter::Tick(int64_t now_ms) {
  for (const alert::Alert& s : gate_.Tick(now_ms)) {
    ++stats_.summaries;
    Send(s, 0);
  }
  for (auto it = restored_.begin(); it != restored_.end();) {
    if (it->second > now_ms) {
      ++it;
      continue;
    }
    if (std::optional<alert::Alert> out = gate_.Clear(it->first, now_ms)) {
      out->text += "; not seen again since the restart";
      ++stats_.expired;
      ++stats_.recovered;
      Send(*out, 0);
    }
    open_.erase(it->first);
    dirty_ = true;
    it = restored_.erase(it);
  }
  if (dirty_) (void)SaveState();
}

void Alerter::Drain() {
  for (const auto& r : channels_) r->queue->Drain();
}

AlerterStats Alerter::stats() const {
  AlerterStats s = stats_;
  for (const auto& r : channels_) {
    s.dropped += r->queue->dropped();
    s.failed += r->queue->failed();
  }
  return s;
}

// ---- the state file ----------------------------------------------------------

// Caps on what a state file may hold.
inline constexpr size_t kMaxStateBytes = 256 * 1024 * 1024;

Status Alerter::SaveState() {
  if (config_.state_file.empty()) return Status::Ok();
  nlohmann::json open = nlohmann::json::array();
  for (const auto& [key, a] : open_) {
    nlohmann::json j = nlohmann::json::parse(alert::AlertToJson(a), nullptr, false);
    if (j.is_discarded()) continue;
    // The evidence is stored as given (AlertToJson may have replaced it).
    j["evidence"] = a.evidence_json;
    open.push_back(std::move(j));
  }
  const std::string text =
      nlohmann::json{{"version", 1}, {"saved_ms", NowUnixMs()}, {"open", std::move(open)}}.dump(
          -1, ' ', false, nlohmann::json::error_handler_t::replace) +
      "\n";
  const std::string tmp = config_.state_file + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IoError(tmp + ": cannot create");
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n <= 0) {
      ::close(fd);
      return Status::IoError(tmp + ": write failed");
    }
    done += static_cast<size_t>(n);
  }
  ::fsync(fd);
  ::close(fd);
  if (::rename(tmp.c_str(), config_.state_file.c_str()) != 0)
    return Status::IoError(config_.state_file + ": rename failed");
  dirty_ = false;
  return Status::Ok();
}

Status Alerter::LoadState(int64_t now_ms) {
  if (config_.state_file.empty()) return Status::Ok();
  std::ifstream in(config_.state_file, std::ios::binary);
  if (!in) return Status::Ok();  // first start
  std::string text;
  text.resize(kMaxStateBytes + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxStateBytes)
    return Status::LimitExceeded(config_.state_file + ": state file over 256 MiB; not read");
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  const std::string& f = config_.state_file;
  if (j.is_discarded() || !j.is_object() || !j.contains("open") || !j["open"].is_array())
    return Status::Corrupt(f +
                           ": not a vigia watch state file (want {\"version\":1,\"open\":[...]})");
  if (j.value("version", 0) != 1) return Status::Unsupported(f + ": state file version is not 1");
  size_t i = 0;
  for (const auto& o : j["open"]) {
    const std::string where = fmt::format("{}: open[{}]", f, i++);
    if (!o.is_object() || !o.contains("key") || !o["key"].is_string() || !o.contains("rule") ||
        !o["rule"].is_string())
      return Status::Corrupt(where + ": needs key and rule strings");
    if (open_.size() >= alert::kMaxOpenKeys)
      return Status::LimitExceeded(where + ": too many open alerts");
    alert::Alert a;
    a.key = o["key"].get<std::string>();
    a.rule = o["rule"].get<std::string>();
    a.severity = config_.Rule(a.rule).severity;
    auto str = [&](const char* k) {
      return o.contains(k) && o[k].is_string() ? o[k].get<std::string>() : std::string();
    };
    auto num = [&](const char* k) {
      return o.contains(k) && o[k].is_number_integer() ? o[k].get<int64_t>() : int64_t{0};
    };
    a.prefix = str("prefix");
    a.text = str("text");
    a.evidence_json = str("evidence");
    if (o.contains("asns") && o["asns"].is_array())
      for (const auto& x : o["asns"])
        if (x.is_number_unsigned() && x.get<uint64_t>() <= 0xFFFFFFFFu &&
            a.asns.size() < alert::kMaxAsns)
          a.asns.push_back(static_cast<uint32_t>(x.get<uint64_t>()));
    a.first_seen_ms = num("first_seen_ms");
    a.last_seen_ms = num("last_seen_ms");
    // Reopened silently: the operator already has this alert.
    (void)gate_.Fire(a, now_ms);
    open_[a.key] = a;
    restored_[a.key] =
        now_ms +
        std::chrono::duration_cast<std::chrono::milliseconds>(config_.restore_grace).count();
    ++stats_.restored;
  }
  return Status::Ok();
}

}  // namespace vigia::watch
