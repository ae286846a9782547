// Investigation: an agent's own recent consultations, and for security
// officers the breach report and the leaked-sample check of the console
// (`vigie breach report`, `vigie claim check`), with the same inputs and
// outputs (docs/formats/breach-report.md, claim-check.md). The rules and
// the audit are the portal's.

#include <boost/json.hpp>
#include <limits>

#include "api/internal/bounded_json_array.h"
#include "api/internal/routes.h"
#include "api/internal/source_address.h"
#include "api/json_body.h"
#include "audit/audit.h"
#include "incident/breach_render.h"
#include "incident/claim_output.h"
#include "incident/claim_sample.h"

namespace vigie::api::internal {
namespace {

inline constexpr size_t kMaxJkt = 128;      // a SHA-256 thumbprint is 43 characters
inline constexpr size_t kMaxNotice = 4000;  // each text of the art. 33 notification
inline constexpr size_t kMaxFileName = 255;
inline constexpr size_t kMaxColumns = 8;  // FIELD=COLUMN overrides (4 fields)
inline constexpr size_t kMaxColumnOverride = 256;

Result<int64_t> TimeField(const JsonBody& body, std::string_view field, bool end_of_day,
                          int64_t absent) {
  ASSIGN_OR_RETURN(std::optional<std::string> text, body.OptionalString(field, kMaxShort));
  if (!text) return absent;
  auto micros = audit::ParseUtcMicros(*text, end_of_day);
  if (!micros) return Fail(micros.error().WithContext("'" + std::string(field) + "'"));
  return micros;
}

// "2026-11-29T06:20:59.217946Z" -> "20261129T062059Z", for a file name.
std::string CompactUtc(int64_t unix_micros) {
  const std::string iso = audit::Iso8601Micros(unix_micros);
  std::string out;
  for (char c : iso.substr(0, 19)) {
    if (c != '-' && c != ':') out.push_back(c);
  }
  return out + "Z";
}

struct BreachFormat {
  std::string_view name;
  std::string_view content_type;
};
constexpr BreachFormat kBreachFormats[] = {
    {"json", "application/json"},
    {"csv", "text/csv; charset=utf-8"},
    {"html", "text/html; charset=utf-8"},
};

}  // namespace

Result<http::Response> GetOwnConsultations(Call& call) {
  RETURN_IF_ERROR(RequireEmptyBody(call.context.request));
  ASSIGN_OR_RETURN(std::vector<audit::AuditEvent> events,
                   call.portal.OwnConsultations(*call.context.caller));
  return EventsJson(events);
}

Result<http::Response> PostBreachReport(Call& call) {
  ASSIGN_OR_RETURN(JsonBody body,
                   JsonBody::Parse(call.context.request.body,
                                   {"service_numbers", "agent_ids", "session_ids", "dpop_jkts",
                                    "source_addresses", "since", "until", "format", "proofs",
                                    "controller", "contact", "consequences", "measures"}));
  constexpr size_t kMax = incident::kMaxBreachSelectors;
  ASSIGN_OR_RETURN(std::string format_name, body.RequiredString("format", kMaxShort));
  const BreachFormat* format = nullptr;
  for (const BreachFormat& candidate : kBreachFormats) {
    if (candidate.name == format_name) format = &candidate;
  }
  if (format == nullptr) {
    return Fail(ErrorCode::kInvalidArgument, "'format' must be \"json\", \"csv\" or \"html\"");
  }
  app::BreachRequest request;
  incident::BreachScope& scope = request.scope;
  ASSIGN_OR_RETURN(auto service_numbers,
                   body.OptionalStringList("service_numbers", kMax, kMaxShort));
  request.service_numbers = service_numbers.value_or(std::vector<std::string>{});
  ASSIGN_OR_RETURN(auto agent_ids, body.OptionalIntList("agent_ids", kMax, 0, INT64_MAX));
  scope.agent_ids = agent_ids.value_or(std::vector<int64_t>{});
  ASSIGN_OR_RETURN(auto session_ids, body.OptionalIntList("session_ids", kMax, 0, INT64_MAX));
  scope.session_ids = session_ids.value_or(std::vector<int64_t>{});
  ASSIGN_OR_RETURN(auto jkts, body.OptionalStringList("dpop_jkts", kMax, kMaxJkt));
  scope.dpop_jkts = jkts.value_or(std::vector<std::string>{});
  ASSIGN_OR_RETURN(auto addresses, body.OptionalStringList("source_addresses", kMax, kMaxShort));
  // As the server records a peer's address, so that the same address matches.
  for (const std::string& address : addresses.value_or(std::vector<std::string>{})) {
    ASSIGN_OR_RETURN(std::string canonical, CanonicalSourceAddress("source_addresses", address));
    scope.source_addresses.push_back(std::move(canonical));
  }
  ASSIGN_OR_RETURN(scope.since_unix_micros, TimeField(body, "since", false, 0));
  ASSIGN_OR_RETURN(scope.until_unix_micros,
                   TimeField(body, "until", true, std::numeric_limits<int64_t>::max()));
  ASSIGN_OR_RETURN(std::optional<bool> proofs, body.OptionalBool("proofs"));
  // The subjects' CSV holds no proof: none is computed for it (up to one an
  // event), and asking for them there is a mistake worth telling.
  const bool csv = format->name == "csv";
  if (csv && proofs.value_or(false)) {
    return Fail(ErrorCode::kInvalidArgument, "a CSV report holds no proofs: 'proofs' is for json "
                                             "and html");
  }
  request.with_proofs = proofs.value_or(!csv);
  incident::BreachNotice notice;
  ASSIGN_OR_RETURN(auto controller, body.OptionalText("controller", kMaxNotice));
  ASSIGN_OR_RETURN(auto contact, body.OptionalText("contact", kMaxNotice));
  ASSIGN_OR_RETURN(auto consequences, body.OptionalText("consequences", kMaxNotice));
  ASSIGN_OR_RETURN(auto measures, body.OptionalText("measures", kMaxNotice));
  // Only the HTML report carries the notice: given for another, it would be
  // dropped unseen.
  if (format->name != "html" && (controller || contact || consequences || measures)) {
    return Fail(ErrorCode::kInvalidArgument,
                "'controller', 'contact', 'consequences' and 'measures' are for the html report");
  }
  notice = {.controller = controller.value_or(""),
            .contact = contact.value_or(""),
            .consequences = consequences.value_or(""),
            .measures = measures.value_or("")};
  // Names leave the records for the subjects' CSV only (breach_render.h).
  request.name_subjects = format->name == "csv";

  ASSIGN_OR_RETURN(app::BreachAnswer answer,
                   call.portal.ReportBreach(*call.context.caller, request));
  http::Response response;
  response.status = 200;
  response.content_type = std::string(format->content_type);
  if (format->name == "json") {
    response.body = incident::RenderBreachJson(answer.report, answer.checkpoint_public_key);
  } else if (format->name == "csv") {
    response.body = incident::RenderSubjectsCsv(answer.report);
  } else {
    // Security: served as a download under the strict default CSP (no
    // script, no style from anywhere): the report is self-contained.
    response.body = incident::RenderBreachHtml(answer.report, notice);
  }
  response.headers.emplace_back("Content-Disposition",
                                "attachment; filename=\"breach-report-" +
                                    CompactUtc(answer.report.generated_unix_micros) + "." +
                                    std::string(format->name) + "\"");
  return response;
}

// The largest list of rows the API builds for a claim check.
constexpr size_t kMaxClaimAnswerBytes = size_t{64} << 20;

Result<http::Response> PostClaimCheck(Call& call) {
  ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(call.context.request.body,
                                                  {"sample", "format", "columns", "file_name"}));
  app::ClaimRequest request;
  // Bounded by the server's upload limit (server.max_upload_bytes) already.
  ASSIGN_OR_RETURN(std::string sample,
                   body.RequiredText("sample", std::numeric_limits<size_t>::max()));
  request.sample = std::move(sample);
  ASSIGN_OR_RETURN(std::optional<std::string> file_name,
                   body.OptionalString("file_name", kMaxFileName));
  request.sample_name = file_name.value_or("");
  // As the CLI: the format given, else the file name's extension; CSV when
  // neither is given.
  ASSIGN_OR_RETURN(std::optional<std::string> format, body.OptionalString("format", kMaxShort));
  if (format) {
    auto parsed = incident::SampleFormatFromName(*format);
    if (!parsed) return Fail(ErrorCode::kInvalidArgument, "'format' must be \"csv\" or \"jsonl\"");
    request.options.format = *parsed;
  } else if (file_name) {
    auto parsed = incident::SampleFormatFromPath(*file_name);
    if (!parsed) {
      return Fail(ErrorCode::kInvalidArgument,
                  "cannot tell the sample's format from 'file_name': give 'format'");
    }
    request.options.format = *parsed;
  }
  ASSIGN_OR_RETURN(auto columns,
                   body.OptionalStringList("columns", kMaxColumns, kMaxColumnOverride));
  for (const std::string& column : columns.value_or(std::vector<std::string>{})) {
    auto parsed = incident::ParseColumnOverride(column);
    if (!parsed) return Fail(parsed.error().WithContext("'columns'"));
    request.options.columns.push_back(std::move(*parsed));
  }

  // Each row's result is already a JSON object (the CLI's line). Security:
  // bounded, since a row repeats the accesses to its persons: a sample
  // naming one much-consulted person on every row (attackers write the
  // samples) would grow the answer to gigabytes.
  BoundedJsonArray rows(kMaxClaimAnswerBytes, "{\"rows\":");
  auto sink = [&](const incident::ClaimRowResult& row) -> Result<void> {
    if (rows.Add(incident::ClaimRowJson(row))) return {};
    return Fail(ErrorCode::kInvalidArgument,
                "the answer would pass " + std::to_string(kMaxClaimAnswerBytes >> 20) +
                    " MiB (each row lists the accesses to its persons): check this sample "
                    "with `vigie claim check`, which streams its answer");
  };
  ASSIGN_OR_RETURN(incident::ClaimSummary summary,
                   call.portal.CheckClaim(*call.context.caller, request, sink));
  http::Response response = Json(200, boost::json::object{});
  response.body =
      std::move(rows).Finish(",\"summary\":" + incident::ClaimSummaryJson(summary) + "}");
  return response;
}

}  // namespace vigie::api::internal
