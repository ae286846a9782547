// Fuzz target: CSV header + one line, for each record kind.
#include <string_view>

#include "records/exchange_format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  size_t newline = text.find('\n');
  std::string_view header = text.substr(0, newline);
  std::string_view line = newline == std::string_view::npos ? "" : text.substr(newline + 1);
  (void)vigie::records::SplitCsvLine(text);
  for (auto kind : {vigie::records::RecordKind::kPerson, vigie::records::RecordKind::kWantedNotice,
                    vigie::records::RecordKind::kRecordEntry}) {
    auto reader = vigie::records::CsvReader::FromHeader(kind, header);
    if (reader) (void)reader->ParseLine(line);
  }
  return 0;
}
