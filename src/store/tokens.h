// Bearer tokens of the write API (docs/contests.md): made from 32 random
// bytes, shown once, and kept in the store only as their SHA-256
// (store.h TokenRow). A presented token is hashed and its hash compared
// with every stored hash in constant time (CRYPTO_memcmp), so that the
// time an answer takes says nothing about how close a guess was.
//
// Thread safety: free functions with no state; FindToken uses the Store it
// is given (store.h's rules apply).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "store/store.h"

namespace vigia::store {

// 32 bytes from getrandom(2) as 64 lowercase hex digits; kIoError when the
// kernel gives none.
Result<std::string> NewToken();

// SHA-256 of the token, lowercase hex (FIPS 180-4).
std::string TokenHash(std::string_view token);

// The stored token whose hash is the presented token's (revoked ones
// included: the caller refuses those), or none.
Result<std::optional<TokenRow>> FindToken(Store& store, std::string_view token);

}  // namespace vigia::store
