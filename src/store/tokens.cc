// Bearer tokens: generation, hashing, lookup (store/tokens.h).
#include "store/tokens.h"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sys/random.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace vigia::store {

Result<std::string> NewToken() {
  std::array<unsigned char, 32> bytes{};
  size_t got = 0;
  while (got < bytes.size()) {
    const ssize_t n = getrandom(bytes.data() + got, bytes.size() - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IoError(fmt::format("getrandom: {}", std::strerror(errno)));
    }
    got += static_cast<size_t>(n);
  }
  std::string hex;
  hex.reserve(2 * bytes.size());
  for (unsigned char b : bytes) hex += fmt::format("{:02x}", b);
  return hex;
}

std::string TokenHash(std::string_view token) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_Digest(token.data(), token.size(), md, &len, EVP_sha256(), nullptr);
  std::string hex;
  hex.reserve(2 * len);
  for (unsigned i = 0; i < len; ++i) hex += fmt::format("{:02x}", md[i]);
  return hex;
}

Result<std::optional<TokenRow>> FindToken(Store& store, std::string_view token) {
  const std::string hash = TokenHash(token);
  auto tokens = store.Tokens();
  if (!tokens.ok()) return tokens.status();
  std::optional<TokenRow> found;
  // Every stored hash is compared, found or not: the work does not depend
  // on which token matched.
  for (TokenRow& t : *tokens) {
    if (t.hash.size() == hash.size() &&
        CRYPTO_memcmp(t.hash.data(), hash.data(), hash.size()) == 0) {
      found = std::move(t);
    }
  }
  return found;
}

}  // namespace vigia::store
