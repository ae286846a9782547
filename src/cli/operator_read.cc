#include "cli/operator_read.h"

#include "app/audit_trail.h"
#include "app/portal.h"
#include "audit/audit_event_codec.h"

namespace vigie::cli {

namespace {

audit::AuditEvent OperatorEvent(const Clock& clock, audit::AuditEventType type,
                                std::string_view what) {
  const app::Caller operator_caller = app::LocalOperator();
  audit::AuditEvent event;
  event.time_unix_micros = UnixMicros(clock.Now());
  event.type = type;
  event.actor = {.agent_id = operator_caller.agent_id,
                 .service_number = operator_caller.service_number,
                 .unit_id = 0};
  event.source_address = operator_caller.source_address;
  event.user_agent = operator_caller.user_agent;
  event.subject = app::AuditText(what, audit::kMaxAuditShortText);
  return event;
}

Result<void> AppendAll(audit::AuditLog& log, std::vector<audit::AuditEvent> events) {
  // No deadline: nobody is being answered, the operator waits for the
  // events to be durable (a loaded database took longer than the server's
  // max_wait); a log that refuses them is still an error at once.
  if (auto appended = log.AppendAll(std::move(events)); !appended) {
    return Fail(ErrorCode::kUnavailable,
                "the audit log cannot record this: " + appended.error().message());
  }
  return {};
}

Result<void> AppendAll(const Installation& installation, const Clock& clock,
                       std::vector<audit::AuditEvent> events) {
  ASSIGN_OR_RETURN(std::unique_ptr<audit::AuditLog> log, installation.OpenAuditLog(clock));
  return AppendAll(*log, std::move(events));  // closing the log signs a checkpoint over them
}

std::vector<audit::AuditEvent> CommandEvent(const Clock& clock, std::string_view what) {
  std::vector<audit::AuditEvent> command;
  command.push_back(OperatorEvent(clock, audit::AuditEventType::kOperatorCommand, what));
  return command;
}

}  // namespace

Result<void> RecordOperatorRead(const Installation& installation, const Clock& clock,
                                std::string_view what) {
  std::vector<audit::AuditEvent> read;
  read.push_back(OperatorEvent(clock, audit::AuditEventType::kAuditSearch, what));
  return AppendAll(installation, clock, std::move(read));
}

Result<void> RecordPersonsNamed(const Installation& installation, const Clock& clock,
                                std::string_view what, std::vector<int64_t> persons) {
  if (persons.empty()) return {};
  return AppendAll(
      installation, clock,
      app::EventsNamingPersons(OperatorEvent(clock, audit::AuditEventType::kAuditSearch, what),
                               std::move(persons)));
}

Result<void> RecordOperatorCommand(const Installation& installation, const Clock& clock,
                                   std::string_view what) {
  return AppendAll(installation, clock, CommandEvent(clock, what));
}

Result<void> RecordOperatorCommand(audit::AuditLog& log, const Clock& clock,
                                   std::string_view what) {
  return AppendAll(log, CommandEvent(clock, what));
}

}  // namespace vigie::cli
