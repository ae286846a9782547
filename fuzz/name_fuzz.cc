// Fuzz target: name normalisation, index forms and the phonetic key.
#include <string_view>

#include "records/name_normaliser.h"
#include "records/phonetic_fr.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto normalised = vigie::records::NormaliseName(input);
  if (!normalised) return 0;
  // Normalisation is idempotent and yields only A–Z and single spaces.
  auto again = vigie::records::NormaliseName(*normalised);
  if (!again || *again != *normalised) __builtin_trap();
  for (const auto& form : vigie::records::SurnameForms(*normalised)) {
    if (vigie::records::PhoneticKeyFr(form).empty()) __builtin_trap();
  }
  (void)vigie::records::GivenNameForms({*normalised});
  return 0;
}
