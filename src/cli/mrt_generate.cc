// vigia mrt generate: writes a synthetic TABLE_DUMP_V2 RIB with the MRT
// writer, for benchmarks and fixtures of any size. Deterministic per seed.
#include <fmt/format.h>

#include <cstdio>
#include <random>

#include "cli/commands.h"
#include "mrt/writer.h"

namespace vigia::cli {

namespace {

struct GenArgs {
  uint64_t entries = 1000000;
  unsigned peers = 20;
  uint64_t seed = 1;
  double ipv6_share = 0.1;
  std::string out;
};

int RunGenerate(const GenArgs& a) {
  auto w = mrt::MrtWriter::Create(a.out);
  if (!w.ok()) {
    std::fprintf(stderr, "vigia: %s\n", w.status().message().c_str());
    return kExitFailed;
  }
  std::mt19937_64 rng(a.seed);
  const uint32_t ts = 1700000000;
  mrt::PeerIndexTable t;
  t.collector_id = IpAddress::V4(0xC0000201);  // 192.0.2.1
  t.view_name = "vigia-synthetic";
  for (unsigned i = 0; i < a.peers; ++i) {
    mrt::PeerEntry p;
    p.bgp_id = IpAddress::V4(0x0A000000 + i + 1);
    if (i % 4 == 3) {
      uint8_t b[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
                       0,    0,    0,    0,    0, 0, 0, static_cast<uint8_t>(i + 1)};
      p.ip = IpAddress::FromBytes(Family::kIpv6, b);
    } else {
      p.ip = IpAddress::V4(0xC6336400 + i + 1);  // 198.51.100.x
    }
    p.asn = i % 3 == 0 ? 4200000000u + i : 64500u + i;
    t.peers.push_back(p);
  }
  if (Status s = (*w)->WritePeerIndexTable(ts, t); !s.ok()) {
    std::fprintf(stderr, "vigia: %s\n", s.message().c_str());
    return kExitFailed;
  }
  mrt::Rib rib;
  uint64_t written = 0;
  uint32_t seq = 0;
  std::uniform_int_distribution<uint32_t> asn_dist(1, 400000);
  while (written < a.entries) {
    const bool v6 = std::uniform_real_distribution<double>(0, 1)(rng) < a.ipv6_share;
    rib.sequence = seq++;
    rib.afi = v6 ? bgp::kAfiIpv6 : bgp::kAfiIpv4;
    rib.safi = bgp::kSafiUnicast;
    rib.add_path = false;
    uint8_t len;
    uint8_t bytes[16] = {0};
    if (v6) {
      len = static_cast<uint8_t>(std::uniform_int_distribution<int>(29, 48)(rng));
      bytes[0] = 0x2a;
      for (int i = 1; i < 6; ++i) bytes[i] = static_cast<uint8_t>(rng());
    } else {
      len = static_cast<uint8_t>(std::uniform_int_distribution<int>(16, 24)(rng));
      bytes[0] = static_cast<uint8_t>(std::uniform_int_distribution<int>(1, 223)(rng));
      for (int i = 1; i < 4; ++i) bytes[i] = static_cast<uint8_t>(rng());
    }
    rib.prefix =
        Prefix(IpAddress::FromBytes(v6 ? Family::kIpv6 : Family::kIpv4, bytes), len).Masked();
    const uint32_t origin = asn_dist(rng);
    size_t n = std::min<uint64_t>(a.entries - written,
                                  std::uniform_int_distribution<unsigned>(1, a.peers)(rng));
    if (rib.entries.size() < n) rib.entries.resize(n);
    rib.entry_count = n;
    for (size_t i = 0; i < n; ++i) {
      mrt::RibEntry& e = rib.entries[i];
      e.peer_index = static_cast<uint16_t>(i % a.peers);
      e.originated_time = ts - static_cast<uint32_t>(rng() % 864000);
      e.path_id = 0;
      bgp::PathAttributes& at = e.attrs;
      at.Clear();
      at.Set(bgp::kAttrOrigin);
      at.origin = static_cast<uint8_t>(rng() % 3 == 0 ? 2 : 0);
      at.Set(bgp::kAttrAsPath);
      unsigned hops = 1 + static_cast<unsigned>(rng() % 6);
      at.as_path.segments.push_back({bgp::kAsSequence, static_cast<uint16_t>(hops + 1)});
      at.as_path.asns.push_back(t.peers[e.peer_index].asn);
      for (unsigned h = 1; h < hops; ++h) at.as_path.asns.push_back(asn_dist(rng));
      at.as_path.asns.push_back(origin);
      const IpAddress& peer_ip = t.peers[e.peer_index].ip;
      if (v6 || peer_ip.is_v6()) {
        bgp::MpReach& m = at.AddMpReach();
        m.abbreviated = true;
        m.next_hop = peer_ip;
        m.next_hop_length = peer_ip.is_v6() ? 16 : 4;
      } else {
        at.Set(bgp::kAttrNextHop);
        at.next_hop = peer_ip;
      }
      if (rng() % 4 == 0) {
        at.Set(bgp::kAttrMed);
        at.med = static_cast<uint32_t>(rng() % 1000);
      }
      unsigned ncomm = static_cast<unsigned>(rng() % 5);
      if (ncomm) at.Set(bgp::kAttrCommunities);
      for (unsigned c = 0; c < ncomm; ++c) {
        at.communities.push_back((t.peers[e.peer_index].asn & 0xFFFF) << 16 |
                                 static_cast<uint32_t>(rng() % 5000));
      }
      if (rng() % 50 == 0) {
        at.Set(bgp::kAttrAggregator);
        at.aggregator_as = origin;
        at.aggregator_addr = IpAddress::V4(static_cast<uint32_t>(rng()));
      }
    }
    if (Status s = (*w)->WriteRib(ts, rib); !s.ok()) {
      std::fprintf(stderr, "vigia: %s\n", s.message().c_str());
      return kExitFailed;
    }
    written += n;
  }
  if (Status s = (*w)->Close(); !s.ok()) {
    std::fprintf(stderr, "vigia: %s\n", s.message().c_str());
    return kExitFailed;
  }
  std::fprintf(stderr, "vigia: wrote %llu RIB entries in %llu records to %s\n",
               static_cast<unsigned long long>(written),
               static_cast<unsigned long long>((*w)->records()), a.out.c_str());
  return kExitOk;
}

}  // namespace

void RegisterMrtGenerate(CLI::App& mrt, int* exit_code) {
  auto args = std::make_shared<GenArgs>();
  CLI::App* cmd = mrt.add_subcommand(
      "generate", "Write a synthetic TABLE_DUMP_V2 RIB (benchmarks and fixtures)");
  cmd->add_option("--entries", args->entries, "RIB entries to write")->capture_default_str();
  cmd->add_option("--peers", args->peers, "peers in the PEER_INDEX_TABLE")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_option("--seed", args->seed, "random seed")->capture_default_str();
  cmd->add_option("--ipv6-share", args->ipv6_share, "share of IPv6 prefixes")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cmd->add_option("--out", args->out, "output file (.gz for gzip)")->required();
  cmd->callback([args, exit_code] { *exit_code = RunGenerate(*args); });
}

}  // namespace vigia::cli
