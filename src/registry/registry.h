// Registry: everything Vigía knows about who holds a number resource — the
// RIR delegated stats and the IANA registries found under one directory —
// and the lookups over them: the delegation covering an ASN, address or
// prefix, its country and RIR, the IANA block and special-purpose entries
// around it, and whether it is a bogon and why.
//
// Load() walks a directory recursively for delegated-* files (RIR stats, any
// compression) and the IANA CSVs (ipv4-address-space*,
// ipv6-unicast-address-assignments*). Address delegations are indexed in a
// PrefixTrie by their CIDR pieces (an IPv4 record of 768 addresses is a /23
// and a /24 pointing at one record); AS delegations in a sorted vector.
//
// Built once, then read-only and safe to share between threads.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/limits.h"
#include "core/prefix_trie.h"
#include "registry/bogons.h"
#include "registry/delegated.h"
#include "registry/iana.h"
#include "registry/special_purpose.h"

namespace vigia::registry {

// kMaxRegistryFiles, kMaxRegistryDepth: core/limits.h.

class Registry {
 public:
  // Loads every recognised file under dir. Fails when dir cannot be read or
  // holds no recognised file; unreadable files and bad lines become problems.
  Status Load(const std::string& dir);
  // Adds one delegated-stats file or IANA CSV by name (e.g. the NRO file).
  Status AddDelegatedFile(const std::string& path);
  Status AddIanaFile(const std::string& path);
  // Builds the indexes and the bogon list; call once after loading.
  void Build(BogonOptions opts = {});

  const DelegatedStats& stats() const { return stats_; }
  const IanaRegistry& iana() const { return iana_; }
  const BogonList& bogons() const { return bogons_; }
  const std::vector<std::string>& delegated_files() const { return delegated_files_; }
  const std::vector<std::string>& iana_files() const { return iana_files_; }
  // Files that could not be read, with the reason.
  const ProblemLog& file_problems() const { return file_problems_; }

  // The delegation records covering the whole of p, least specific first.
  std::vector<const DelegatedRecord*> Covering(const Prefix& p) const;
  // Records inside p (when p is larger than a delegation): the first max in
  // address order; *total gets how many there are.
  std::vector<const DelegatedRecord*> Covered(const Prefix& p, size_t max, size_t* total) const;
  // The AS delegation records holding asn.
  std::vector<const DelegatedRecord*> ForAsn(Asn asn) const;

 private:
  DelegatedStats stats_;
  IanaRegistry iana_;
  BogonList bogons_;
  PrefixTrie<uint32_t> prefixes_;
  std::vector<uint32_t> asn_records_;  // record indices by first ASN
  std::vector<std::string> delegated_files_, iana_files_;
  ProblemLog file_problems_;
};

}  // namespace vigia::registry
