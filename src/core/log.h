#pragma once
// Structured logging: an event name plus key/value fields, written either as
// a human line or as one JSON object per line. Callers must never pass
// secrets or personal data as field values (DESIGN invariant 2).
// Thread-safety: all functions are thread-safe after InitLogging.

#include <initializer_list>
#include <string>
#include <string_view>

#include "core/config.h"

namespace vigie {

enum class LogLevel { kTrace, kDebug, kInfo, kWarn, kError, kOff };

struct LogField {
  std::string_view key;
  std::string value;
  LogField(std::string_view k, std::string_view v) : key(k), value(v) {}
  LogField(std::string_view k, const char* v) : key(k), value(v) {}
  LogField(std::string_view k, long long v) : key(k), value(std::to_string(v)) {}
  LogField(std::string_view k, unsigned long long v) : key(k), value(std::to_string(v)) {}
  LogField(std::string_view k, int v) : key(k), value(std::to_string(v)) {}
  LogField(std::string_view k, long v) : key(k), value(std::to_string(v)) {}
  LogField(std::string_view k, unsigned long v) : key(k), value(std::to_string(v)) {}
  LogField(std::string_view k, double v) : key(k), value(std::to_string(v)) {}
};

// Logs go to stderr. Level names as in the config ("info", ...).
void InitLogging(LogFormat format, std::string_view level);

void Log(LogLevel level, std::string_view event, std::initializer_list<LogField> fields = {});

// Formats one line without writing it (exposed for tests).
std::string FormatLogLine(LogFormat format, LogLevel level, std::string_view event,
                          std::initializer_list<LogField> fields);

}  // namespace vigie
