#include "live/live_store_sink.h"

namespace vigia::live {

store::LiveEventRow ToLiveEventRow(const LiveEvent& e) {
  store::LiveEventRow r;
  r.phase = e.phase == EventPhase::kRaised ? "raised" : "cleared";
  r.rule = e.rule;
  r.key = e.key;
  r.time = e.time.seconds;
  r.peers = e.peers;
  const detect::Incident& in = e.incident;
  r.type = in.type.empty() ? e.rule : in.type;
  r.kind = in.kind;
  r.culprit = in.culprit;
  r.propagator = in.propagator;
  for (const Prefix& p : in.prefixes) r.prefixes.push_back(p.ToString());
  r.start = in.start;
  r.end = in.end;
  r.confidence = in.confidence;
  r.cause = in.cause;
  r.victims = in.victims;
  r.evidence = in.evidence;
  return r;
}

void StoreEventSink::OnEvent(const LiveEvent& e) {
  auto r = store_->AddLiveEvent(ToLiveEventRow(e));
  if (r.ok()) {
    ++written_;
  } else {
    ++failed_;
    last_error_ = r.status();
  }
}

}  // namespace vigia::live
