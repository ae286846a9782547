// Fuzz target: a leaked sample (`vigie claim check`), read as CSV and as JSON
// Lines, row by row to the end.
#include <string_view>

#include "incident/claim_sample.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (auto format : {vigie::incident::SampleFormat::kCsv, vigie::incident::SampleFormat::kJsonLines}) {
    auto reader = vigie::incident::SampleReader::Open(text, format, {});
    if (!reader) continue;
    vigie::incident::SampleRow row;
    while (reader->Next(row)) {
    }
  }
  return 0;
}
