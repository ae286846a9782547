#pragma once
// One audit event as a line for a SIEM: JSON (Vigie's own JSON Lines),
// RFC 5424 syslog with the event in structured data, or ArcSight CEF.
// Query terms stay hashed; no format ever carries them in clear.
//
// Thread-safety: pure functions. Errors: every event formats; ParseUtcMicros
// returns InvalidArgument for a time it cannot read.

#include <string>
#include <string_view>

#include "audit/audit_event.h"
#include "core/error.h"

namespace vigie::audit {

enum class ExportFormat { kJsonLines, kSyslog, kCef };

// "jsonl", "syslog", "cef"; nullopt otherwise.
std::optional<ExportFormat> ExportFormatFromName(std::string_view name);

// The line, without its newline.
std::string ExportEvent(const AuditEvent& event, ExportFormat format);

// "2026-11-29T06:20:59.217946Z".
std::string Iso8601Micros(int64_t unix_micros);

// The times investigators give (UTC): "YYYY-MM-DDTHH:MM:SSZ", or "YYYY-MM-DD"
// meaning that day's first microsecond; with `end_of_day` (an inclusive
// end), the last microsecond of the day or of the second given.
Result<int64_t> ParseUtcMicros(std::string_view text, bool end_of_day);

}  // namespace vigie::audit
