#include "webauthn/internal/der_signature.h"

#include <algorithm>

namespace vigie::webauthn::internal {
namespace {

constexpr uint8_t kSequenceTag = 0x30;
constexpr uint8_t kIntegerTag = 0x02;

std::unexpected<Error> Malformed(std::string_view why) {
  return Fail(ErrorCode::kInvalidArgument,
              "ES256 signature is not strict DER: " + std::string(why));
}

// Reads one INTEGER from the front of `in` into a right-aligned 32-byte big-endian field.
Result<void> ReadInteger(std::span<const uint8_t>& in, std::span<uint8_t> out) {
  if (in.size() < 2 || in[0] != kIntegerTag) return Malformed("INTEGER expected");
  size_t length = in[1];
  // Content is at most 33 bytes, so a long-form length is never minimal.
  if (length == 0 || length > out.size() + 1 || length > in.size() - 2) {
    return Malformed("bad INTEGER length");
  }
  std::span<const uint8_t> value = in.subspan(2, length);
  if ((value[0] & 0x80) != 0) return Malformed("negative INTEGER");
  if (value[0] == 0 && value.size() > 1) {
    if ((value[1] & 0x80) == 0) return Malformed("non-minimal INTEGER");
    value = value.subspan(1);
  }
  if (value.size() > out.size()) return Malformed("INTEGER too large");
  std::fill(out.begin(), out.end(), 0);
  std::copy(value.begin(), value.end(), out.end() - static_cast<ptrdiff_t>(value.size()));
  in = in.subspan(2 + length);
  return {};
}

}  // namespace

Result<crypto::Es256Signature> DerToEs256Signature(std::span<const uint8_t> der) {
  if (der.size() < 2 || der[0] != kSequenceTag) {
    return Malformed("SEQUENCE expected");
  }
  if (der[1] >= 0x80 || der[1] != der.size() - 2) {
    return Malformed("SEQUENCE length does not match the signature size");
  }
  std::span<const uint8_t> content = der.subspan(2);
  crypto::Es256Signature signature{};
  std::span<uint8_t> raw(signature);
  RETURN_IF_ERROR(ReadInteger(content, raw.first(crypto::kP256CoordinateSize)));
  RETURN_IF_ERROR(ReadInteger(content, raw.last(crypto::kP256CoordinateSize)));
  if (!content.empty()) return Malformed("bytes after s");
  return signature;
}

}  // namespace vigie::webauthn::internal
