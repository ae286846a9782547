// Fuzz target: one JSON Lines import record.
#include <string_view>

#include "records/exchange_format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view line(reinterpret_cast<const char*>(data), size);
  auto record = vigie::records::ParseJsonLine(line);
  if (record) {
    // Whatever parses must serialise and parse back to the same record.
    std::string again = std::visit([](const auto& r) { return vigie::records::ToJsonLine(r); }, *record);
    auto reparsed = vigie::records::ParseJsonLine(again);
    if (!reparsed || *reparsed != *record) __builtin_trap();
  }
  return 0;
}
