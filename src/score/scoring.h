// Internal to src/score/: the state Score() (manrs.cc) passes through its
// parts, one file per MANRS action:
//
//   who.cc                    who is scored, and who they are
//   action1_filtering.cc      M1-M4C from the incidents (and their fixes)
//   action2_spoofing.cc       M5 from CAIDA Spoofer
//   action3_coordination.cc   M6 from PeeringDB contacts
//   action4_validation.cc     M7IRR and M7RPKI from each route's states
//   aggregates.cc             countries, regions, IXPs, groups
//
// Each action is a class: its constructor does the per-snapshot work, then
// Values(k) fills AS k's metrics and Fixes(k, ...) adds AS k's fixes. Score()
// calls them in a fixed order, since each fix's "after" scores build on the
// fixes before it.
//
// Thread safety: one Score() call owns its Context; Action4Validation
// validates routes over threads inside its constructor.
#pragma once

#include <array>
#include <string>
#include <unordered_map>
#include <vector>

#include "score/manrs.h"

namespace vigia::score::internal {

struct Context {
  const detect::Snapshot& s;
  const detect::RouteView& v;
  const std::vector<detect::Incident>& incidents;
  const Extras& extras;
  const ScoreOptions& opts;
  Scoreboard& board;
  std::unordered_map<Asn, uint32_t> index;  // ASN -> board.ases
  std::vector<Asn> observed;                // sorted: the ASes on some path
  // Which inputs have data: present, and not damaged (a partial snapshot,
  // snapshot/snapshot.h). A metric whose input has none says "no data".
  bool have_vrps = false, have_irr = false, have_rel = false, have_spoofer = false,
       have_peeringdb = false;
  bool action4_complete = true;  // neither rpki/ nor irr/ damaged

  AsScore* Find(Asn a) {
    auto it = index.find(a);
    return it == index.end() ? nullptr : &board.ases[it->second];
  }
  bool Observed(Asn a) const;
};

// Actions and overall from the metrics (raw penalties for Action 1).
// Without `action4_complete` (one of its inputs is damaged) Action 4 has no
// data: the mean of the metric left would be a better score than the data.
void ComputeActions(AsScore* a, bool observed, const Bands& bands, bool action4_complete);
double Round2(double x);

// One AS's fix list: each fix with the scores reached once it and every fix
// above it are made; `after` is the AS as the fixes so far leave it.
class FixList {
 public:
  FixList(AsScore* a, bool seen, const Bands& bands, bool action4_complete)
      : a_(a), after_(*a), seen_(seen), bands_(bands), action4_complete_(action4_complete) {}
  AsScore& after() { return after_; }
  bool seen() const { return seen_; }
  // `code`: the fix's translation key is "fix." + code (Fix::key).
  void Add(Metric m, std::string_view code, std::string what, std::vector<std::string> items,
           size_t count);
  // Recomputes `after`'s actions and sets the last fix's overall to it.
  void ReviseLastOverall();

 private:
  AsScore* a_;
  AsScore after_;
  bool seen_;
  const Bands& bands_;
  bool action4_complete_;
};

// who.cc: board.ases (every public AS on a path, every participant, every
// IXP member), c.index and c.observed; then names, countries, regions.
void ChooseAses(Context& c);
void Identify(Context& c);

// What every action is: the Context it reads and writes, Values(k) filling
// AS k's metrics and Fixes(k, fixes) adding AS k's fixes.
class ActionPart {
 public:
  explicit ActionPart(Context& c) : c_(c) {}
  virtual ~ActionPart() = default;
  virtual void Values(size_t k) = 0;
  virtual void Fixes(size_t k, FixList& fixes) = 0;

 protected:
  Context& c_;
};

class Action1Filtering final : public ActionPart {
 public:
  explicit Action1Filtering(Context& c);
  void Values(size_t k) override;
  void Fixes(size_t k, FixList& fixes) override;

 private:
  std::vector<std::array<std::vector<Interval>, 8>> spans_;
  std::vector<std::array<std::vector<uint32_t>, 8>> by_metric_;
};

// Actions 2 and 3 read one input each and keep no state of their own.
class Action2Spoofing final : public ActionPart {
 public:
  using ActionPart::ActionPart;
  void Values(size_t k) override;
  void Fixes(size_t k, FixList& fixes) override;
};

class Action3Coordination final : public ActionPart {
 public:
  using ActionPart::ActionPart;
  void Values(size_t k) override;
  void Fixes(size_t k, FixList& fixes) override;
};

class Action4Validation final : public ActionPart {
 public:
  explicit Action4Validation(Context& c);
  void Values(size_t k) override;
  void Fixes(size_t k, FixList& fixes) override;

 private:
  struct Lists {
    std::vector<uint32_t> not_found, invalid, unregistered;  // route indexes, capped
    // Routes an incident of the AS's own questions (its hijacks, its bogon
    // prefixes): to withdraw, never to register. Tallied apart.
    uint32_t q_routes = 0, q_valid = 0, q_invalid = 0, q_irr = 0;
  };
  std::vector<std::string> RouteItems(const std::vector<uint32_t>& ids) const;
  std::vector<Lists> lists_;
};

// aggregates.cc
void BuildAggregates(Context& c);

}  // namespace vigia::score::internal
