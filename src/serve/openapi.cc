// The OpenAPI 3 document of the API (serve/api.h).
#include <fmt/format.h>

#include "serve/api.h"

namespace vigia::serve {

ordered_json Api::OpenApi() {
  auto param = [](const char* name, const char* in, const char* type, const char* desc,
                  bool required = false) {
    return ordered_json{{"name", name},
                        {"in", in},
                        {"required", required},
                        {"description", desc},
                        {"schema", {{"type", type}}}};
  };
  const ordered_json date =
      param("date", "query", "string", "Snapshot date YYYY-MM-DD (default: the newest)");
  const ordered_json error = {
      {"description", "A bad parameter"},
      {"content", {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}}}};
  auto ok = [](const char* what) {
    return ordered_json{{"description", what},
                        {"content", {{"application/json", {{"schema", {{"type", "object"}}}}}}}};
  };
  ordered_json paths;
  paths["/healthz"]["get"] = {{"summary", "Liveness"}, {"responses", {{"200", ok("Status")}}}};
  paths["/api/snapshots"]["get"] = {{"summary", "Stored snapshots, newest first"},
                                    {"responses", {{"200", ok("Snapshots")}}}};
  paths["/api/overview"]["get"] = {
      {"summary", "Global and per-region readiness and incidents per type"},
      {"parameters", {date}},
      {"responses", {{"200", ok("Overview")}, {"400", error}, {"404", ok("No snapshot")}}}};
  for (const char* kind : {"as", "country", "region", "ixp", "group"}) {
    paths[fmt::format("/api/{}/{{id}}", kind)]["get"] = {
        {"summary",
         fmt::format("Report on one {}: scores, metrics, incidents, fix list, history", kind)},
        {"parameters",
         {param("id", "path", "string", "The entity id", true), date,
          param("members", "query", "integer", "Aggregates: members listed, 0-1000")}},
        {"responses",
         {{"200", ok("Report")}, {"400", error}, {"404", ok("Unknown entity or date")}}}};
  }
  paths["/api/incidents"]["get"] = {
      {"summary", "Incidents of a snapshot, filtered and paged"},
      {"parameters",
       {date,
        param("from", "query", "string",
              "Range start YYYY-MM-DD: every snapshot dated from it (instead of date)"),
        param("to", "query", "string", "Range end YYYY-MM-DD, inclusive"),
        param("type", "query", "string", "Incident type"),
        param("as", "query", "integer", "Culprit or propagator AS"),
        param("prefix", "query", "string", "One of the incident's prefixes"),
        param("limit", "query", "integer", "Page size, 1 to the server's cap (1000)"),
        param("offset", "query", "integer", "Skip this many")}},
      {"responses", {{"200", ok("Incidents")}, {"400", error}}}};
  paths["/api/ranking"]["get"] = {
      {"summary", "Entities of a kind by overall score; CSV with format=csv"},
      {"parameters",
       {date, param("kind", "query", "string", "as, country, region, ixp or group"),
        param("limit", "query", "integer", "Page size"),
        param("offset", "query", "integer", "Skip"),
        param("format", "query", "string", "json or csv")}},
      {"responses", {{"200", ok("Ranking")}, {"400", error}}}};
  const ordered_json format = param("format", "query", "string", "json (default) or csv");
  for (const char* kind : {"as", "country", "region", "ixp", "group"}) {
    paths[fmt::format("/api/{}/{{id}}", kind)]["get"]["parameters"].push_back(format);
  }
  paths["/api/incidents"]["get"]["parameters"].push_back(format);
  paths["/api/search"]["get"] = {
      {"summary",
       "ASes, countries and IXPs whose id is q (an ASN with or without AS) or whose name holds q"},
      {"parameters",
       {date, param("q", "query", "string", "Text to look for, 1-100 bytes", true),
        param("limit", "query", "integer", "Results, 1-100 (default 20)")}},
      {"responses", {{"200", ok("Results")}, {"400", error}}}};
  paths["/api/compare"]["get"] = {
      {"summary", "Two to ten ASes or countries side by side: scores per action and metrics"},
      {"parameters",
       {date, param("kind", "query", "string", "as or country"),
        param("ids", "query", "string", "2-10 ids, comma-separated", true), format}},
      {"responses",
       {{"200", ok("Comparison")}, {"400", error}, {"404", ok("Unknown entity or date")}}}};
  const ordered_json incident_id =
      param("id", "path", "integer", "The incident's id in its snapshot", true);
  paths["/api/incidents/{id}"]["get"] = {
      {"summary", "One incident with its evidence and contests"},
      {"parameters", {incident_id, date}},
      {"responses", {{"200", ok("Incident")}, {"400", error}, {"404", ok("No such incident")}}}};
  paths["/api/incidents/{id}/contest"]["post"] = {
      {"summary",
       "Contest an incident: appended to the audit log with author and time; the incident stays"},
      {"security", {{{"bearer", ordered_json::array()}}}},
      {"parameters", {incident_id, date}},
      {"requestBody",
       {{"required", true},
        {"content",
         {{"application/json",
           {{"schema",
             {{"type", "object"},
              {"required", {"author", "reason"}},
              {"properties",
               {{"author", {{"type", "string"}, {"maxLength", 200}}},
                {"reason", {{"type", "string"}, {"maxLength", 4000}}}}}}}}}}}}},
      {"responses",
       {{"201", ok("The stored contest")},
        {"400", error},
        {"401", ok("No or a wrong token")},
        {"403", ok("Writes are disabled")},
        {"404", ok("No such incident")},
        {"415", ok("The body is not JSON")}}}};
  return {{"openapi", "3.0.3"},
          {"info",
           {{"title", "Vigía observatory API"},
            {"version", "1"},
            {"description", "MANRS readiness, incidents and reports; docs/methodology.md"}}},
          {"paths", std::move(paths)},
          {"components",
           {{"securitySchemes", {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}}}},
            {"schemas",
             {{"Error",
               {{"type", "object"},
                {"properties",
                 {{"error", {{"type", "string"}}}, {"status", {{"type", "integer"}}}}}}}}}}}};
}

}  // namespace vigia::serve
