// Fuzz target: the TOML configuration parser and validator.
#include <string_view>

#include "core/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)vigie::ParseConfig(std::string_view(reinterpret_cast<const char*>(data), size), "/tmp");
  return 0;
}
