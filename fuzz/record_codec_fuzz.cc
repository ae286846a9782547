// Fuzz target: the decoder of sealed record plaintexts. Authenticated bytes
// should always parse, but the decoder must stay safe if they do not.
#include <span>

#include "records/internal/record_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> bytes(data, size);
  using namespace vigie::records::internal;
  if (auto p = DecodePerson(bytes); p && EncodePerson(*p) != std::vector<uint8_t>(data, data + size)) {
    __builtin_trap();  // whatever decodes must re-encode to the same bytes
  }
  (void)DecodeWantedNotice(bytes);
  (void)DecodeRecordEntry(bytes);
  return 0;
}
