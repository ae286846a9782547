#include "cli/operator_read.h"

#include "app/audit_trail.h"
#include "app/portal.h"
#include "audit/audit_event_codec.h"

namespace vigie::cli {

Result<void> RecordOperatorRead(const Installation& installation, const Clock& clock,
                                std::string_view what) {
  ASSIGN_OR_RETURN(std::unique_ptr<audit::AuditLog> log, installation.OpenAuditLog(clock));
  const app::Caller operator_caller = app::LocalOperator();
  audit::AuditEvent event;
  event.time_unix_micros =
      std::chrono::duration_cast<std::chrono::microseconds>(clock.Now().time_since_epoch()).count();
  event.type = audit::AuditEventType::kAuditSearch;
  event.actor = {.agent_id = operator_caller.agent_id,
                 .service_number = operator_caller.service_number,
                 .unit_id = 0};
  event.source_address = operator_caller.source_address;
  event.user_agent = operator_caller.user_agent;
  event.subject = app::AuditText(what, audit::kMaxAuditShortText);
  auto appended = log->Append(std::move(event));
  if (!appended) {
    return Fail(ErrorCode::kUnavailable,
                "the audit log cannot record this read: " + appended.error().message());
  }
  return {};  // closing the log signs a checkpoint covering it
}

}  // namespace vigie::cli
