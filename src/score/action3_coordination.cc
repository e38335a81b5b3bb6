// MANRS Action 3, coordination (score/scoring.h): M6 is 100 when the AS
// publishes a NOC or abuse contact (e-mail or phone, not private) in
// PeeringDB, 0 otherwise.
#include "score/scoring.h"

namespace vigia::score::internal {

void Action3Coordination::Values(size_t k) {
  if (!c_.have_peeringdb) return;
  AsScore& a = c_.board.ases[k];
  size_t contacts = 0;
  for (const peeringdb::Poc* p : c_.extras.peeringdb.ContactsOf(a.asn)) {
    if ((p->has_email || p->has_phone) && p->visible != "Private") ++contacts;
  }
  a.raw[kM6] = static_cast<double>(contacts);
  a.value[kM6] = contacts > 0 ? 100 : 0;
}

void Action3Coordination::Fixes(size_t k, FixList& fixes) {
  const AsScore& a = c_.board.ases[k];
  if (c_.have_peeringdb && a.value[kM6] && *a.value[kM6] < 100) {
    fixes.after().value[kM6] = 100;
    const bool listed = c_.extras.peeringdb.NetByAsn(a.asn) != nullptr;
    fixes.Add(kM6, listed ? "pdb_contact" : "pdb_register",
              listed ? "publish a NOC or abuse contact (e-mail or phone) in PeeringDB"
                     : "register the network in PeeringDB with a NOC or abuse contact",
              {}, 1);
  }
}

}  // namespace vigia::score::internal
