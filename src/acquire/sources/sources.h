// The sources of `vigia update` (source.h), one file each, and what their
// plans share. Each XxxSource() returns the SourceInfo that sources.cc's
// table lists; docs/sources.md describes every one (URL templates, cadence,
// licence, where the archive documents its layout).
//
// URLs are built from PlanContext::base alone, so --mirror NAME=URL serves
// the same paths from a local tree. A source that reads one host has that
// host as its base ("https://data.ris.ripe.net"); a source that reads
// several (the RIRs' FTP servers, an archive and a live service) has the
// bare scheme "https:" as its base, which stands for each file's own host
// ("https://ftp.ripe.net/ripe/dbase/split/..."); any other base is a
// mirror holding one directory per host, BASE/HOST/PATH: "--mirror
// irr=http://127.0.0.1:P/irr" serves
// "http://127.0.0.1:P/irr/ftp.ripe.net/ripe/dbase/split/...".
//
// Thread safety: immutable values and pure functions.
#pragma once

#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "acquire/source.h"

namespace vigia::acquire {

SourceInfo RisSource();         // ris.cc
SourceInfo RouteViewsSource();  // routeviews.cc
SourceInfo RpkiSource();        // rpki.cc
SourceInfo IrrSource();         // irr.cc
SourceInfo RirStatsSource();    // rir_stats.cc
SourceInfo IanaSource();        // iana.cc
SourceInfo CaidaSource();       // caida.cc
SourceInfo PeeringDbSource();   // peeringdb.cc
SourceInfo ManrsSource();       // extra.cc
SourceInfo SpooferSource();     // extra.cc

// The base of a source that reads several hosts (see above).
inline constexpr std::string_view kMultiHostBase = "https:";

namespace plan {

// strftime of t in UTC ("%Y.%m", "%Y%m%d.%H%M").
std::string Utc(std::time_t t, const char* format);
// ISO 8601 UTC: "2024-05-23T08:00:00Z".
std::string Iso(std::time_t t);
// 00:00 UTC of the context's date.
std::time_t DayStart(const PlanContext& ctx);
// t rounded down to a multiple of step seconds (UTC epoch based; the
// archives' cadences divide a day).
inline std::time_t Floor(std::time_t t, std::time_t step) { return t - ((t % step) + step) % step; }
// The items to plan: `only` when given, else `all`.
std::vector<std::string> Chosen(const PlanContext& ctx, const std::vector<std::string>& all);
// The last path component of a URL or path.
std::string BaseName(std::string_view url);
// A multi-host source's URL (path starts with '/'): "https://HOST/PATH"
// for the bare-scheme base, BASE/HOST/PATH for a mirror.
std::string HostUrl(const PlanContext& ctx, std::string_view host, std::string_view path);
// Local files (ctx.local_files) copied into dir/ under their own names;
// with `must_hold`, a name lacking it (case-insensitive) gets it as a
// prefix ("manrs-") so that the loader recognises the file.
void AddLocal(const PlanContext& ctx, std::string_view dir, std::string_view must_hold,
              SourcePlan* plan);

}  // namespace plan
}  // namespace vigia::acquire
