// The store backends, by URL scheme: the one registry Store::Open reads.
//
// A new backend is one folder or file (a class implementing store.h) plus
// one line in Backends() (store/backends.cc); the conformance suite
// (store_conformance_test.cc) then runs against it through a URL given in
// VIGIA_STORE_TEST_URLS. A URL is "SCHEME:REST" (RFC 3986 §3.1 scheme
// syntax, compared case-insensitively); REST is handed to the backend as it
// is ("sqlite:/var/vigia.db" -> "/var/vigia.db", "clickhouse://h:9000/db" ->
// "//h:9000/db"). Text with no scheme is a path, and paths are SQLite.
//
// Thread safety: Backends() is an immutable table, safe from any thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.h"

namespace vigia::store {

struct Backend {
  const char* scheme;  // lower case, without the ':'
  const char* usage;   // for help and errors: "sqlite:PATH"
  // Opens the store REST names (the URL after "SCHEME:").
  Result<std::unique_ptr<Store>> (*open)(const std::string& rest);
};

// Every backend, the default (plain paths) first.
const std::vector<Backend>& Backends();

// The scheme of a URL in lower case, or nullopt when it has none (a path).
std::optional<std::string> UrlScheme(std::string_view url);

// "sqlite:PATH, clickhouse://HOST/DB": the accepted forms, for help texts.
std::string BackendUsage();

}  // namespace vigia::store
