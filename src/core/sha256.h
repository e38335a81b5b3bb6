// SHA-256 of a file, in lowercase hex (FIPS 180-4, through OpenSSL's
// libcrypto): snapshot manifests list one per file, and the store names a
// snapshot by its manifest's.
#pragma once

#include <string>

#include "core/status.h"

namespace vigia {

Result<std::string> Sha256File(const std::string& path);

}  // namespace vigia
