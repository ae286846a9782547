// Fuzz target: the key file parser (a file an operator could hand-edit or an
// attacker could plant).
#include <string_view>

#include "crypto/keyring.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)vigie::crypto::DecodeKeyFile(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
