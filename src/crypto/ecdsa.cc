#include "crypto/ecdsa.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/params.h>

#include <cstring>
#include <vector>

namespace vigie::crypto {
namespace {

struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using EvpKey = std::unique_ptr<EVP_PKEY, KeyFree>;

template <typename T, void (*Free)(T*)>
struct Freer {
  void operator()(T* p) const { Free(p); }
};
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, Freer<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, Freer<EVP_MD_CTX, EVP_MD_CTX_free>>;
using Bignum = std::unique_ptr<BIGNUM, Freer<BIGNUM, BN_free>>;
// A private scalar: wiped when freed.
using SecretBignum = std::unique_ptr<BIGNUM, Freer<BIGNUM, BN_clear_free>>;
using Sig = std::unique_ptr<ECDSA_SIG, Freer<ECDSA_SIG, ECDSA_SIG_free>>;
using Group = std::unique_ptr<EC_GROUP, Freer<EC_GROUP, EC_GROUP_free>>;
using Point = std::unique_ptr<EC_POINT, Freer<EC_POINT, EC_POINT_free>>;

constexpr size_t kUncompressedPointSize = 1 + 2 * kP256CoordinateSize;
char kCurveName[] = "prime256v1";

// An EVP key from an uncompressed point (and the private scalar, if any).
// OpenSSL refuses a point that is not on the curve.
EvpKey KeyFromData(std::span<const uint8_t, kUncompressedPointSize> point, const BIGNUM* d) {
  OSSL_PARAM_BLD* build = OSSL_PARAM_BLD_new();
  if (build == nullptr) return nullptr;
  bool ok = OSSL_PARAM_BLD_push_utf8_string(build, OSSL_PKEY_PARAM_GROUP_NAME, kCurveName, 0) &&
            OSSL_PARAM_BLD_push_octet_string(build, OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                             point.size()) &&
            (d == nullptr || OSSL_PARAM_BLD_push_BN(build, OSSL_PKEY_PARAM_PRIV_KEY, d));
  OSSL_PARAM* params = ok ? OSSL_PARAM_BLD_to_param(build) : nullptr;
  OSSL_PARAM_BLD_free(build);
  if (params == nullptr) return nullptr;
  EVP_PKEY* key = nullptr;
  PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  if (ctx && EVP_PKEY_fromdata_init(ctx.get()) == 1) {
    EVP_PKEY_fromdata(ctx.get(), &key, d ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params);
  }
  OSSL_PARAM_free(params);
  EvpKey result(key);
  if (!result) return nullptr;
  PkeyCtx check(EVP_PKEY_CTX_new_from_pkey(nullptr, result.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) return nullptr;
  return result;
}

bool Coordinates(const EVP_PKEY* key, P256Coordinate& x, P256Coordinate& y) {
  BIGNUM* bx = nullptr;
  BIGNUM* by = nullptr;
  bool ok = EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, &bx) == 1 &&
            EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, &by) == 1 &&
            BN_bn2binpad(bx, x.data(), static_cast<int>(x.size())) == static_cast<int>(x.size()) &&
            BN_bn2binpad(by, y.data(), static_cast<int>(y.size())) == static_cast<int>(y.size());
  BN_free(bx);
  BN_free(by);
  return ok;
}

std::array<uint8_t, kUncompressedPointSize> Uncompressed(std::span<const uint8_t> x,
                                                         std::span<const uint8_t> y) {
  std::array<uint8_t, kUncompressedPointSize> point{};
  point[0] = 0x04;
  std::memcpy(point.data() + 1, x.data(), kP256CoordinateSize);
  std::memcpy(point.data() + 1 + kP256CoordinateSize, y.data(), kP256CoordinateSize);
  return point;
}

}  // namespace

struct Es256PublicKey::Impl {
  EvpKey key;
};

Es256PublicKey::Es256PublicKey(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Es256PublicKey::Es256PublicKey(Es256PublicKey&&) noexcept = default;
Es256PublicKey& Es256PublicKey::operator=(Es256PublicKey&&) noexcept = default;
Es256PublicKey::~Es256PublicKey() = default;

Result<Es256PublicKey> Es256PublicKey::FromCoordinates(std::span<const uint8_t> x,
                                                       std::span<const uint8_t> y) {
  if (x.size() != kP256CoordinateSize || y.size() != kP256CoordinateSize) {
    return Fail(ErrorCode::kInvalidArgument, "a P-256 coordinate must be 32 bytes");
  }
  EvpKey key = KeyFromData(Uncompressed(x, y), nullptr);
  if (!key) return Fail(ErrorCode::kInvalidArgument, "not a point on the P-256 curve");
  Es256PublicKey result(std::make_unique<Impl>(Impl{std::move(key)}));
  std::memcpy(result.x_.data(), x.data(), x.size());
  std::memcpy(result.y_.data(), y.data(), y.size());
  return result;
}

bool Es256PublicKey::Verify(std::span<const uint8_t> message,
                            std::span<const uint8_t> signature) const {
  if (!impl_ || signature.size() != kEs256SignatureSize) return false;
  Sig sig(ECDSA_SIG_new());
  Bignum r(BN_bin2bn(signature.data(), kP256CoordinateSize, nullptr));
  Bignum s(BN_bin2bn(signature.data() + kP256CoordinateSize, kP256CoordinateSize, nullptr));
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) return false;
  r.release();  // now owned by sig
  s.release();
  unsigned char* der = nullptr;
  int der_size = i2d_ECDSA_SIG(sig.get(), &der);
  if (der_size <= 0) return false;
  MdCtx md(EVP_MD_CTX_new());
  bool valid = md &&
               EVP_DigestVerifyInit(md.get(), nullptr, EVP_sha256(), nullptr, impl_->key.get()) == 1 &&
               EVP_DigestVerify(md.get(), der, static_cast<size_t>(der_size), message.data(),
                                message.size()) == 1;
  OPENSSL_free(der);
  return valid;
}

struct Es256PrivateKey::Impl {
  EvpKey key;
};

Es256PrivateKey::Es256PrivateKey(std::unique_ptr<Impl> impl, Es256PublicKey public_key)
    : impl_(std::move(impl)), public_key_(std::move(public_key)) {}
Es256PrivateKey::Es256PrivateKey(Es256PrivateKey&&) noexcept = default;
Es256PrivateKey& Es256PrivateKey::operator=(Es256PrivateKey&&) noexcept = default;
Es256PrivateKey::~Es256PrivateKey() = default;

Es256PrivateKey Es256PrivateKey::Generate() {
  EvpKey key(EVP_EC_gen(kCurveName));
  P256Coordinate x, y;
  if (!key || !Coordinates(key.get(), x, y)) std::abort();  // OpenSSL out of memory
  auto public_key = Es256PublicKey::FromCoordinates(x, y);
  if (!public_key) std::abort();
  return Es256PrivateKey(std::make_unique<Impl>(Impl{std::move(key)}), std::move(*public_key));
}

Result<Es256PrivateKey> Es256PrivateKey::FromScalar(std::span<const uint8_t> d) {
  if (d.size() != kP256CoordinateSize) {
    return Fail(ErrorCode::kInvalidArgument, "not a P-256 private scalar");
  }
  Group group(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1));
  SecretBignum scalar(BN_bin2bn(d.data(), static_cast<int>(d.size()), nullptr));
  if (!group || !scalar || BN_is_zero(scalar.get()) ||
      BN_cmp(scalar.get(), EC_GROUP_get0_order(group.get())) >= 0) {
    return Fail(ErrorCode::kInvalidArgument, "not a P-256 private scalar");
  }
  Point point(EC_POINT_new(group.get()));
  std::array<uint8_t, kUncompressedPointSize> encoded{};
  if (!point ||
      EC_POINT_mul(group.get(), point.get(), scalar.get(), nullptr, nullptr, nullptr) != 1 ||
      EC_POINT_point2oct(group.get(), point.get(), POINT_CONVERSION_UNCOMPRESSED, encoded.data(),
                         encoded.size(), nullptr) != encoded.size()) {
    return Fail(ErrorCode::kInternal, "cannot derive the P-256 public key");
  }
  EvpKey key = KeyFromData(encoded, scalar.get());
  if (!key) return Fail(ErrorCode::kInvalidArgument, "not a P-256 private scalar");
  ASSIGN_OR_RETURN(Es256PublicKey public_key,
                   Es256PublicKey::FromCoordinates(std::span(encoded).subspan(1, 32),
                                                   std::span(encoded).subspan(33, 32)));
  return Es256PrivateKey(std::make_unique<Impl>(Impl{std::move(key)}), std::move(public_key));
}

Es256Signature Es256PrivateKey::Sign(std::span<const uint8_t> message) const {
  MdCtx md(EVP_MD_CTX_new());
  size_t der_size = 0;
  if (!md ||
      EVP_DigestSignInit(md.get(), nullptr, EVP_sha256(), nullptr, impl_->key.get()) != 1 ||
      EVP_DigestSign(md.get(), nullptr, &der_size, message.data(), message.size()) != 1) {
    std::abort();
  }
  std::vector<unsigned char> der(der_size);
  if (EVP_DigestSign(md.get(), der.data(), &der_size, message.data(), message.size()) != 1) {
    std::abort();
  }
  const unsigned char* cursor = der.data();
  Sig sig(d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(der_size)));
  Es256Signature out{};
  if (!sig ||
      BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), out.data(), kP256CoordinateSize) != 32 ||
      BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), out.data() + 32, kP256CoordinateSize) != 32) {
    std::abort();
  }
  return out;
}

}  // namespace vigie::crypto
