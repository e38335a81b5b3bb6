// Writing one analysed snapshot to the store: incidents, each AS's
// entity, metrics and scores, each aggregate's with the summary its report
// reads, and the origin history hijack detection consults later.
//
// Thread safety: one call per writer.
#pragma once

#include <vector>

#include "detect/detect.h"
#include "score/manrs.h"
#include "store/store.h"

namespace vigia::pipeline {

// seen: the routes-seen rows when the routes were read a prefix partition
// at a time (RoutesSeen() of each, in order); null: from v.
Status WriteSnapshot(store::SnapshotWriter* w, const detect::Snapshot& s,
                     const detect::RouteView& v, const std::vector<detect::Incident>& found,
                     const score::Scoreboard& board,
                     const std::vector<store::RouteSeenRow>* seen = nullptr);

// The routes the collectors saw, the VRPs and IRR route objects covering
// their prefixes, and their totals, for /api/route (write_reference.cc);
// WriteSnapshot calls it.
Status WriteRouteReference(store::SnapshotWriter* w, const detect::Snapshot& s,
                           const detect::RouteView& v,
                           const std::vector<store::RouteSeenRow>* seen = nullptr);
// The routes-seen rows of v's routes, in route order: peers, collectors,
// the first path (canonical order), first and last seen.
std::vector<store::RouteSeenRow> RoutesSeen(const detect::Snapshot& s, const detect::RouteView& v);

}  // namespace vigia::pipeline
