// Fuzz target: activation codes as typed by an agent (case, separators,
// look-alike letters), then hashed for the look-up.
#include <string_view>

#include "identity/activation_code.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vigie::identity;
  auto canonical =
      CanonicalActivationCode(std::string_view(reinterpret_cast<const char*>(data), size));
  if (canonical) (void)HashActivationCode(*canonical);
  return 0;
}
