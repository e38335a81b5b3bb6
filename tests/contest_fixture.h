// What the recompute tests (contest_cli_test.cc, serve_test.cc) contest: an
// incident of a stored snapshot whose culprit is in no other incident (as
// culprit or propagator) and whose Action 1 is below 100, so that accepting
// a contest of it must raise that score.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "store/store.h"

namespace vigia::test {

struct SoleIncident {
  store::IncidentRow incident;
  double action1 = 0;  // the culprit's Action 1 before the contest
};

// The first such incident of `snapshot`, or none (also when the store fails).
inline std::optional<SoleIncident> FindSoleIncident(store::Store& st, int64_t snapshot) {
  store::IncidentQuery q;
  q.snapshot = snapshot;
  q.limit = 100'000;
  auto incidents = st.Incidents(q);
  if (!incidents.ok()) return std::nullopt;
  std::map<Asn, int> involved;
  for (const auto& i : *incidents) {
    ++involved[i.culprit];
    if (i.propagator) ++involved[*i.propagator];
  }
  for (const auto& i : *incidents) {
    if (involved[i.culprit] != 1) continue;
    auto scores = st.Scores(snapshot, "as", std::to_string(i.culprit));
    if (!scores.ok()) return std::nullopt;
    for (const auto& sc : *scores) {
      if (sc.action == "action1" && sc.score && *sc.score < 100) return SoleIncident{i, *sc.score};
    }
  }
  return std::nullopt;
}

}  // namespace vigia::test
