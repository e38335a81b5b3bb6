// Fuzzes the RTR codec and client state machine with a byte stream from a
// "cache": PduReader splits it, DecodePdu checks each PDU, and RtrSession
// runs the protocol over them. Every PDU that decodes must encode to bytes
// that decode again.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "rpki/rtr_client.h"
#include "rpki/rtr_pdu.h"

using namespace vigia::rpki::rtr;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The first octet picks the version the session offers and how the rest
  // is chopped into reads.
  const uint8_t version = data[0] % (kMaxVersion + 1);
  const size_t chunk = 1 + (data[0] >> 2);
  std::span<const uint8_t> rest(data + 1, size - 1);

  // The whole input as one PDU.
  Pdu pdu;
  if (DecodePdu(rest, &pdu).ok()) {
    std::vector<uint8_t> again;
    EncodePdu(pdu, &again);
    Pdu back;
    if (!DecodePdu(again, &back).ok()) std::abort();
  }

  // As a stream from a cache.
  RtrSession session(version);
  (void)session.Start();
  PduReader reader;
  for (size_t at = 0; at < rest.size(); at += chunk) {
    reader.Append(rest.subspan(at, std::min(chunk, rest.size() - at)));
    std::span<const uint8_t> one;
    bool broken = false;
    while (true) {
      vigia::Result<bool> next = reader.Next(&one);
      if (!next.ok()) broken = true;
      if (broken || !*next) break;
      RtrSession::Output out = session.OnPdu(one);
      if (out.close) (void)session.Start();
      if (session.synced_once() && !session.busy()) (void)session.OnRefresh();
    }
    if (broken) break;
  }
  if (auto snap = session.snapshot()) (void)snap->MergedAspas();
  return 0;
}
