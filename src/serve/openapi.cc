// /api/openapi.json (serve/api.h): the OpenAPI 3 document, written by hand
// in src/serve/openapi.json and embedded into the program at build time
// (CMake makes openapi_json.h from it). Embedded rather than read from the
// web app's directory: the document must describe this very binary, and
// the API is served without the web app too (--web absent).
#include "serve/api.h"
#include "serve/openapi_json.h"

namespace vigia::serve {

const ordered_json& OpenApiDocument() {
  // Parsed once; a document that does not parse is a build error caught by
  // tests/serve_test.cc (EveryRouteIsDocumentedAndAnswers), served as null.
  static const ordered_json kDocument = ordered_json::parse(kOpenApiJson, nullptr, false);
  return kDocument;
}

Status Api::OpenApi(const httplib::Request& req, httplib::Response& res) {
  SERVE_RETURN_IF_ERROR(Allow(req, {}));
  return Json(res, 200, OpenApiDocument());
}

}  // namespace vigia::serve
