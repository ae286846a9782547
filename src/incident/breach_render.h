#pragma once
// A breach report as files: JSON (the complete, checkable record), a CSV of
// the data subjects for their notification, and a self-contained HTML report
// shaped after GDPR art. 33(3) and Directive (EU) 2016/680 art. 30(3) that
// prints to PDF. Formats: docs/formats/breach-report.md.
//
// Security: every text that came from the log or the records (service
// numbers, purposes, addresses, names) is escaped for its format: HTML
// entities in the report, RFC 4180 quoting and a leading ' before = + - @
// (and tab, CR) in the CSV, so a spreadsheet never runs a cell as a formula.
// Names of data subjects appear in the CSV only.
// Thread-safety: pure functions.

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "core/error.h"
#include "incident/breach_report.h"

namespace vigie::incident {

// What the controller states in the notification (art. 33(3)(b)-(d)).
// Empty fields are rendered as "to be completed", except consequences,
// which default to a statement derived from what was exposed.
struct BreachNotice {
  std::string controller;
  std::string contact;  // the DPO or another contact point
  std::string consequences;
  std::string measures;
};

// `checkpoint_public_key`: the checkpoint's Ed25519 key, included for
// convenience (a third party should hold it from elsewhere); may be empty.
std::string RenderBreachJson(const BreachReport& report,
                             std::span<const uint8_t> checkpoint_public_key = {});

// The same document handed to `sink` in successive pieces of about
// kJsonPieceBytes: a report of many events (~3.6 kB each with its proof) is
// never whole in memory. Stops at, and returns, the sink's first error.
using TextSink = std::function<Result<void>(std::string_view piece)>;
constexpr size_t kJsonPieceBytes = size_t{1} << 20;
Result<void> RenderBreachJson(const BreachReport& report,
                              std::span<const uint8_t> checkpoint_public_key, const TextSink& sink);
std::string RenderSubjectsCsv(const BreachReport& report);
std::string RenderBreachHtml(const BreachReport& report, const BreachNotice& notice);

// One CSV cell: neutralised against formula injection, quoted when needed.
std::string CsvCell(std::string_view text);
// Text safe in HTML element content and quoted attribute values.
std::string HtmlEscape(std::string_view text);

}  // namespace vigie::incident
