#pragma once
// Compact binary encoding of records, the plaintext that gets sealed at rest.
// Format (docs/formats/database.md): a version byte, then fields in a fixed
// order; integers as LEB128 varints, strings as varint length + bytes.
// Decoding is strict: any truncation, overlong field or out-of-range enum is
// DataLoss (a sealed blob that authenticates but does not parse is corrupt).

#include <cstdint>
#include <span>
#include <vector>

#include "core/error.h"
#include "records/model.h"

namespace vigie::records::internal {

std::vector<uint8_t> EncodePerson(const Person& p);
std::vector<uint8_t> EncodeWantedNotice(const WantedNotice& n);
std::vector<uint8_t> EncodeRecordEntry(const RecordEntry& e);

Result<Person> DecodePerson(std::span<const uint8_t> bytes);
Result<WantedNotice> DecodeWantedNotice(std::span<const uint8_t> bytes);
Result<RecordEntry> DecodeRecordEntry(std::span<const uint8_t> bytes);

}  // namespace vigie::records::internal
