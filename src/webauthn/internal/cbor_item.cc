#include "webauthn/internal/cbor_item.h"

#include <limits>

namespace vigie::webauthn::internal {
namespace {

// Reads the argument of an initial byte (RFC 8949 §3). Additional information
// 28-30 is reserved and 31 marks an indefinite length or a break: all refused.
bool ReadArgument(std::span<const uint8_t> data, size_t& pos, uint8_t info, uint64_t& value) {
  if (info < 24) {
    value = info;
    return true;
  }
  size_t width = 0;
  switch (info) {
    case 24:
      width = 1;
      break;
    case 25:
      width = 2;
      break;
    case 26:
      width = 4;
      break;
    case 27:
      width = 8;
      break;
    default:
      return false;
  }
  if (data.size() - pos < width) return false;
  value = 0;
  for (size_t i = 0; i < width; ++i) value = (value << 8) | data[pos + i];
  pos += width;
  return true;
}

// Moves `pos` past one well-formed item. Each container element takes at
// least one byte, so a huge declared count fails once the input runs out.
bool SkipItem(std::span<const uint8_t> data, size_t& pos, int depth) {
  if (depth > kMaxCborDepth || pos >= data.size()) return false;
  uint8_t initial = data[pos++];
  uint8_t major = initial >> 5;
  uint8_t info = initial & 0x1f;
  uint64_t value = 0;
  if (!ReadArgument(data, pos, info, value)) return false;
  switch (major) {
    case 0:  // unsigned integer
    case 1:  // negative integer
      return true;
    case 2:  // byte string
    case 3:  // text string
      if (value > data.size() - pos) return false;
      pos += static_cast<size_t>(value);
      return true;
    case 4:  // array
      for (uint64_t i = 0; i < value; ++i) {
        if (!SkipItem(data, pos, depth + 1)) return false;
      }
      return true;
    case 5:  // map
      for (uint64_t i = 0; i < value; ++i) {
        if (!SkipItem(data, pos, depth + 1) || !SkipItem(data, pos, depth + 1)) return false;
      }
      return true;
    case 6:  // tag
      return SkipItem(data, pos, depth + 1);
    default:  // 7: simple values and floats; a one-byte simple value below 32 is not well-formed
      return !(info == 24 && value < 32);
  }
}

}  // namespace

Result<DecodedCbor> DecodeCborPrefix(std::span<const uint8_t> data) {
  size_t end = 0;
  if (!SkipItem(data, end, 0)) {
    return Fail(ErrorCode::kInvalidArgument, "malformed, truncated or too deeply nested CBOR");
  }
  cbor_load_result result{};
  CborItem item(cbor_load(data.data(), end, &result));
  if (item == nullptr || result.error.code != CBOR_ERR_NONE || result.read != end) {
    return Fail(ErrorCode::kInvalidArgument, "CBOR the decoder refused");
  }
  return DecodedCbor{std::move(item), end};
}

std::optional<std::span<const uint8_t>> BytesOf(const cbor_item_t* item) {
  if (!cbor_isa_bytestring(item) || !cbor_bytestring_is_definite(item)) return std::nullopt;
  size_t size = cbor_bytestring_length(item);
  if (size == 0) return std::span<const uint8_t>();
  return std::span<const uint8_t>(cbor_bytestring_handle(item), size);
}

std::optional<std::string_view> TextOf(const cbor_item_t* item) {
  if (!cbor_isa_string(item) || !cbor_string_is_definite(item)) return std::nullopt;
  size_t size = cbor_string_length(item);
  if (size == 0) return std::string_view();
  return std::string_view(reinterpret_cast<const char*>(cbor_string_handle(item)), size);
}

std::optional<int64_t> IntegerOf(const cbor_item_t* item) {
  constexpr uint64_t kMax = std::numeric_limits<int64_t>::max();
  if (cbor_isa_uint(item)) {
    uint64_t value = cbor_get_int(item);
    if (value > kMax) return std::nullopt;
    return static_cast<int64_t>(value);
  }
  if (cbor_isa_negint(item)) {
    uint64_t magnitude = cbor_get_int(item);  // the value is -1 - magnitude
    if (magnitude > kMax) return std::nullopt;
    return -1 - static_cast<int64_t>(magnitude);
  }
  return std::nullopt;
}

std::span<const cbor_pair> MapEntries(const cbor_item_t* item) {
  if (!cbor_isa_map(item) || !cbor_map_is_definite(item) || cbor_map_size(item) == 0) return {};
  return {cbor_map_handle(item), cbor_map_size(item)};
}

}  // namespace vigie::webauthn::internal
