#include "acquire/digest.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <cstdio>
#include <vector>

namespace vigia::acquire {
namespace {

using CtxPtr = std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)>;

CtxPtr NewCtx(const EVP_MD* md) {
  CtxPtr ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (ctx && EVP_DigestInit_ex(ctx.get(), md, nullptr) != 1) ctx.reset();
  return ctx;
}

std::string FinalHex(EVP_MD_CTX* ctx) {
  if (ctx == nullptr) return "";
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  if (EVP_DigestFinal_ex(ctx, md, &len) != 1) return "";
  std::string hex;
  hex.reserve(2 * len);
  for (unsigned i = 0; i < len; ++i) hex += fmt::format("{:02x}", md[i]);
  return hex;
}

}  // namespace

struct Hasher::Impl {
  explicit Impl(bool with_md5)
      : md5(with_md5 ? NewCtx(EVP_md5()) : CtxPtr(nullptr, &EVP_MD_CTX_free)) {}
  CtxPtr md5;
  CtxPtr sha256 = NewCtx(EVP_sha256());
  uint64_t size = 0;
};

Hasher::Hasher(bool md5) : impl_(std::make_unique<Impl>(md5)) {}
Hasher::~Hasher() = default;

void Hasher::Update(const void* data, size_t n) {
  if (impl_->md5) EVP_DigestUpdate(impl_->md5.get(), data, n);
  if (impl_->sha256) EVP_DigestUpdate(impl_->sha256.get(), data, n);
  impl_->size += n;
}

Digests Hasher::Finish() {
  return {impl_->size, FinalHex(impl_->md5.get()), FinalHex(impl_->sha256.get())};
}

Result<Digests> DigestFile(const std::string& path, bool md5) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) return Status::IoError(fmt::format("{}: cannot open", path));
  Hasher h(md5);
  std::vector<unsigned char> buf(1 << 20);
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), f.get())) > 0) h.Update(buf.data(), n);
  if (std::ferror(f.get())) return Status::IoError(fmt::format("{}: read failed", path));
  return h.Finish();
}

std::string Md5Hex(std::string_view data) {
  Hasher h;
  h.Update(data.data(), data.size());
  return h.Finish().md5;
}

std::string Sha256Hex(std::string_view data) {
  Hasher h;
  h.Update(data.data(), data.size());
  return h.Finish().sha256;
}

}  // namespace vigia::acquire
