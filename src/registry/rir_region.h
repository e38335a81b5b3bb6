// The RIR service region of a country: which of the five Regional Internet
// Registries serves an ISO 3166-1 alpha-2 country code. It is a fixed table,
// not derived from data, so that one AS registered at a distant RIR cannot
// move a country into another region (a Cuban network with RIPE NCC
// resources leaves Cuba in LACNIC's region).
//
// Source: the service regions the RIRs publish (NRO, "RIR service regions",
// https://www.nro.net/about/rirs/; each RIR's own list: afrinic.net "AFRINIC
// service region", apnic.net "APNIC's service region", arin.net "ARIN region",
// lacnic.net "Service region", ripe.net "RIPE NCC service region"), as of 2023:
//   AFRINIC  Africa and the Indian Ocean islands off it;
//   APNIC    Asia-Pacific (South, East and South-East Asia, Oceania);
//   ARIN     US, Canada, Antarctica and part of the Caribbean and North
//            Atlantic (AG AI BB BL BM BS DM GD GP JM KN KY LC MF MQ MS PM PR
//            TC VC VG VI, and BV HM UM);
//   LACNIC   Latin America and the rest of the Caribbean (AW BQ CU CW DO HT
//            SX TT, GF, and FK GS);
//   RIPE NCC Europe, the Middle East and Central Asia.
// Every one of the 249 ISO 3166-1 codes is in the table (a test checks the
// count); "EU", "AP", "ZZ" and unknown codes are not.
//
// Checked here: the AFRINIC and LACNIC rows against the country codes of
// their delegated-extended files of 2023-03-23 (rir_region_test.cc): every
// code in them is in that RIR's row except CA (1 AFRINIC record) and US, AU
// (5 LACNIC records), resources used abroad; every code of those rows has a
// record except EH (AFRINIC) and FK, GS (LACNIC). The ARIN Caribbean entries
// AG BB BS GD JM KN LC PR TC VG VI were checked against ARIN's Caribbean
// outreach pages (meetings and events held there as part of its region).
// NOT verified against the RIRs' own pages (not reachable from here; taken
// from those lists as remembered, and one third-party table agrees): the
// other ARIN entries (AI BM DM KY MS VC, GP MQ BL MF PM, BV HM UM AQ SH),
// every APNIC and RIPE NCC entry, EH, FK and GS. SH (Saint Helena) under
// ARIN and TF (French Southern Territories) under APNIC are the least
// certain.
//
// Thread-safe: a constant table.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace vigia::registry {

// The region id ("afrinic", "apnic", "arin", "lacnic", "ripencc": the
// registry names of the delegated stats files) of the RIR whose service
// region holds country `cc` (two letters, either case); nullopt when `cc` is
// not an ISO 3166-1 alpha-2 code of the table.
std::optional<std::string_view> RirServiceRegionOf(std::string_view cc);

// How many country codes the table holds.
size_t RirServiceRegionTableSize();

}  // namespace vigia::registry
