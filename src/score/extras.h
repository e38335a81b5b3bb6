// The scoring inputs of a snapshot directory (PeeringDB, MANRS participants,
// CAIDA Spoofer) are read by the snapshot loader now (snapshot/extras.h);
// these names stay for the scoring code and its tests.
#pragma once

#include "snapshot/extras.h"

namespace vigia::score {

using snapshot::Extras;
using snapshot::LoadExtras;
using snapshot::ManrsList;
using snapshot::ManrsParticipant;
using snapshot::ParseManrsCsv;
using snapshot::ParseSpooferCsv;
using snapshot::SplitCsvLine;
using snapshot::SpooferResults;
using snapshot::SpooferTally;

}  // namespace vigia::score
