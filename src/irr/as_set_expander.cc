#include "irr/as_set_expander.h"

#include <algorithm>
#include <unordered_map>

namespace vigia::irr {

namespace {

struct Node {
  uint32_t name = 0;                 // interned upper-case set name
  const AsSetObject* set = nullptr;  // nullptr: unresolved
  int depth = 0;
  std::vector<uint32_t> children;  // node indexes of member sets
};

// Reports every cycle among the expanded sets: an iterative depth-first
// walk from the root; an edge back to a set still on the walk's path
// closes a cycle, which is that part of the path.
void FindCycles(const IrrDatabase& db, const std::vector<Node>& nodes, ExpandResult* out) {
  enum : uint8_t { kWhite, kGrey, kBlack };
  std::vector<uint8_t> colour(nodes.size(), kWhite);
  struct Frame {
    uint32_t node;
    size_t next_child;
  };
  std::vector<Frame> path{{0, 0}};
  colour[0] = kGrey;
  while (!path.empty() && out->cycles.size() < kMaxCyclesReported) {
    Frame& f = path.back();
    const Node& n = nodes[f.node];
    if (f.next_child == n.children.size()) {
      colour[f.node] = kBlack;
      path.pop_back();
      continue;
    }
    const uint32_t c = n.children[f.next_child++];
    if (colour[c] == kGrey) {
      std::vector<std::string> cycle;
      size_t k = path.size();
      while (path[k - 1].node != c) --k;
      for (size_t j = k - 1; j < path.size(); ++j)
        cycle.emplace_back(db.strings().Get(nodes[path[j].node].name));
      cycle.emplace_back(db.strings().Get(nodes[c].name));
      out->cycles.push_back(std::move(cycle));
    } else if (colour[c] == kWhite) {
      colour[c] = kGrey;
      path.push_back({c, 0});
    }
  }
}

void CollectPrefixes(const IrrDatabase& db, const ExpandOptions& opts, ExpandResult* out) {
  for (Asn a : out->asns) {
    for (uint32_t i : db.RoutesByOrigin(a)) {
      const RouteObject& r = db.routes()[i];
      if (!opts.sources.empty() &&
          std::find(opts.sources.begin(), opts.sources.end(), r.source) == opts.sources.end()) {
        continue;
      }
      (r.prefix.family() == Family::kIpv4 ? out->ipv4 : out->ipv6).push_back(r.prefix);
    }
  }
  for (auto* v : {&out->ipv4, &out->ipv6}) {
    std::sort(v->begin(), v->end());
    v->erase(std::unique(v->begin(), v->end()), v->end());
  }
}

}  // namespace

ExpandResult ExpandAsSet(const IrrDatabase& db, std::string_view name, const ExpandOptions& opts) {
  ExpandResult out;
  const int max_depth = std::clamp(opts.max_depth, 1, kMaxExpandDepth);
  Asn asn;
  if (ParseAsn(name, &asn, kAsnRpsl)) {
    out.found = out.root_is_asn = true;
    out.asns.push_back(asn);
    if (opts.prefixes) CollectPrefixes(db, opts, &out);
    return out;
  }
  const AsSetObject* root = db.FindAsSet(name, opts.sources);
  if (root == nullptr) return out;
  out.found = true;
  out.root_source = root->source;

  std::vector<Node> nodes;
  std::unordered_map<uint32_t, uint32_t> node_of;  // set name -> node index
  nodes.push_back({root->name, root, 0, {}});
  node_of.emplace(root->name, 0);
  // Breadth-first: nodes[] is the queue, so every set is expanded at the
  // least depth it is reachable at.
  for (size_t q = 0; q < nodes.size(); ++q) {
    const AsSetObject* set = nodes[q].set;
    if (set == nullptr || nodes[q].depth >= max_depth) continue;
    ++out.sets_expanded;
    const int depth = nodes[q].depth;
    for (const AsSetMemberRef& m : db.Members(*set)) {
      if (!m.is_set) {
        out.asns.push_back(m.value);
        continue;
      }
      auto [it, fresh] = node_of.emplace(m.value, static_cast<uint32_t>(nodes.size()));
      if (fresh) {
        const AsSetObject* member = db.FindAsSet(m.value, opts.sources);
        nodes.push_back({m.value, member, depth + 1, {}});
        if (member == nullptr) {
          out.unresolved.emplace_back(db.strings().Get(m.value), db.strings().Get(nodes[q].name));
        } else if (depth + 1 >= max_depth) {
          out.depth_limited.emplace_back(db.strings().Get(m.value),
                                         db.strings().Get(nodes[q].name));
        }
      }
      nodes[q].children.push_back(it->second);
    }
  }
  FindCycles(db, nodes, &out);
  std::sort(out.asns.begin(), out.asns.end());
  out.asns.erase(std::unique(out.asns.begin(), out.asns.end()), out.asns.end());
  if (opts.prefixes) CollectPrefixes(db, opts, &out);
  return out;
}

}  // namespace vigia::irr
