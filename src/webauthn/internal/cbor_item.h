#pragma once
// libcbor items with an owner, and a bounded decoder for the one CBOR data
// item (RFC 8949) at the start of a byte string: WebAuthn nests CBOR inside
// binary structures (a COSE_Key, then extensions, inside authenticator data),
// so a caller must learn where the item ends to read what follows.
//
// Thread-safety: pure functions.

#include <cbor.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "core/error.h"

namespace vigie::webauthn::internal {

struct CborItemDeleter {
  void operator()(cbor_item_t* item) const { cbor_decref(&item); }
};
using CborItem = std::unique_ptr<cbor_item_t, CborItemDeleter>;

// Deepest nesting accepted: a COSE_Key is flat; extension outputs nest a little.
inline constexpr int kMaxCborDepth = 16;

struct DecodedCbor {
  CborItem item;
  size_t size = 0;  // how many bytes of the input the item took
};

// Decodes the CBOR item that starts `data`; more bytes may follow it.
// Security: the bytes are first walked without allocating: every declared
// length must fit in the bytes left, nesting is at most kMaxCborDepth, and
// indefinite lengths (which CTAP2 canonical CBOR forbids) are refused, because
// libcbor 0.8 allocates an array's or map's declared size before reading its
// items (9 bytes could ask for gigabytes) and recurses when freeing. libcbor
// then decodes exactly the walked bytes and must agree on where the item ends.
// Errors: InvalidArgument.
Result<DecodedCbor> DecodeCborPrefix(std::span<const uint8_t> data);

// Typed views of decoded items; nullopt when the item is of another type.
// The views live as long as the item.
std::optional<std::span<const uint8_t>> BytesOf(const cbor_item_t* item);
std::optional<std::string_view> TextOf(const cbor_item_t* item);
// Major types 0 and 1 (RFC 8949 §3.1) when the value fits in int64_t.
std::optional<int64_t> IntegerOf(const cbor_item_t* item);
// The pairs of a definite map; empty for anything else.
std::span<const cbor_pair> MapEntries(const cbor_item_t* item);

}  // namespace vigie::webauthn::internal
