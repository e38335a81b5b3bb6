// Captured raw BGP sessions (a pcap of TCP port 179, reassembled by
// bmp::ReadPcapTcp) replayed as route events (bgp/route_sink.h), so a lab
// capture feeds the same consumers as a live session.
//
// Each direction of the TCP connection is one speaker talking: its OPEN
// names it (My AS, RFC 6793 capability 65, BGP Identifier) and its UPDATEs
// are its routes. The session's decoding context is negotiated from the
// two OPENs the way a live session does it: 4-octet AS numbers when both
// advertise capability 65 (RFC 6793 §4), ADD-PATH for a family when the
// sender may send and the receiver may receive (RFC 7911 §4). When only one
// direction was captured, the other side is assumed to agree with the OPEN
// that was seen (and the UPDATE decoder's ADD-PATH guess covers the rest,
// reported as kRepaired). Before any OPEN, 4-octet ASNs are assumed.
//
// Each direction that carries an OPEN or an UPDATE becomes a PeerHandle
// named PeerInfo{collector = where, ip = the sender's address, asn = its
// AS}. Every UPDATE gives Withdraw() for its withdrawn routes and
// Announce() (or Withdraw(kTreatAsWithdraw), RFC 7606) for its announced
// ones, for every AFI/SAFI the decoder reads, labeled and VPN routes (SAFI
// 4, 128) included with their RD. A NOTIFICATION, or the stream's FIN,
// ends the session: SessionDown(). A pcap has no time per BGP message
// here: every event carries the time of the stream's first segment.
//
// Framing damage (a bad marker, a length outside 19..65535) is reported as
// kBytesSkipped and the reader resynchronises on the next marker; a stream
// cut inside a message as kTruncated. Stateless functions; thread-safe
// (the sink is called from the caller's thread).
#pragma once

#include <cstdint>
#include <string_view>

#include "bgp/route_sink.h"
#include "bmp/pcap_tcp.h"
#include "core/status.h"

namespace vigia::live {

struct BgpCaptureStats {
  uint64_t messages = 0;  // whole BGP messages read (both directions)
  uint64_t opens = 0;
  uint64_t updates = 0;
  uint64_t announced = 0;  // Announce() calls
  uint64_t withdrawn = 0;  // Withdraw() calls (either cause)
  uint64_t bad = 0;        // messages that did not decode, framing damage
  uint64_t sessions = 0;   // TCP connections fed (FeedBgpPcap)
};

// One captured connection: a_to_b and, when captured, b_to_a (nullptr
// otherwise). Both directions' routes are fed, a_to_b's first. Returns OK
// unless nothing in either direction looks like BGP (no marker at all).
Status FeedBgpCapture(const bmp::TcpStream& a_to_b, const bmp::TcpStream* b_to_a,
                      std::string_view where, bgp::RouteSink* sink,
                      BgpCaptureStats* stats = nullptr);

// Every BGP connection of a capture: the streams to or from TCP port 179,
// paired with their reverse direction, in order of first appearance. Each
// connection's handles are distinct from the others'. Streams of other
// ports are ignored.
Status FeedBgpPcap(const bmp::PcapSummary& pcap, std::string_view where, bgp::RouteSink* sink,
                   BgpCaptureStats* stats = nullptr);

}  // namespace vigia::live
