#pragma once
// Writes JSON text straight into a string, for documents too large to build
// as a boost::json value first (a breach report: ~2 kB per event, megabytes
// in all; the value tree cost more than the text).
//
// The caller nests calls correctly (a Key before each object member); the
// writer places commas and escapes strings (RFC 8259: quote, backslash and
// control characters; other bytes, UTF-8 included, are copied as given).
//
// Thread-safety: none; one writer per string.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vigie {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& BeginObject() { return Open('{'); }
  JsonWriter& EndObject() { return Close('}'); }
  JsonWriter& BeginArray() { return Open('['); }
  JsonWriter& EndArray() { return Close(']'); }
  JsonWriter& Key(std::string_view name);

  JsonWriter& String(std::string_view text);
  JsonWriter& Int(int64_t value);
  JsonWriter& Uint(uint64_t value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();
  // Lower-case hexadecimal of `bytes`, as a string.
  JsonWriter& Hex(std::span<const uint8_t> bytes);
  // A value already serialized as JSON (e.g. by boost::json::serialize).
  JsonWriter& Raw(std::string_view json);

  // Key(name) then the value.
  JsonWriter& Member(std::string_view name, std::string_view text) { return Key(name).String(text); }
  JsonWriter& Member(std::string_view name, const char* text) { return Key(name).String(text); }
  JsonWriter& Member(std::string_view name, int64_t value) { return Key(name).Int(value); }
  JsonWriter& Member(std::string_view name, uint64_t value) { return Key(name).Uint(value); }
  JsonWriter& Member(std::string_view name, bool value) { return Key(name).Bool(value); }

 private:
  // Before a value or key: a comma unless it is the first in its container
  // or the value of the key just written.
  void Separate();
  JsonWriter& Open(char bracket);
  JsonWriter& Close(char bracket);

  std::string& out_;
  std::vector<bool> empty_;  // per open container: nothing written in it yet
  bool after_key_ = false;
};

}  // namespace vigie
