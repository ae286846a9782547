#pragma once
// Reads of the audit log that reveal who was exposed (a breach report, a
// leaked-sample check) are themselves audited: the local operator's
// `audit_search` event, naming what was asked, is made durable before the
// read starts, and closing the log signs a checkpoint over everything up to
// it. Fails closed: no event, no read (Unavailable).

#include <cstdint>
#include <string_view>
#include <vector>

#include "audit/audit_log.h"
#include "cli/installation.h"
#include "core/clock.h"
#include "core/error.h"

namespace vigie::cli {

Result<void> RecordOperatorRead(const Installation& installation, const Clock& clock,
                                std::string_view what);

// The persons such a read named (a claim check's real persons), once it has
// run: events of the operator's naming them (app::EventsNamingPersons), so
// "who consulted this person" finds the read. Nothing when `persons` is empty.
Result<void> RecordPersonsNamed(const Installation& installation, const Clock& clock,
                                std::string_view what, std::vector<int64_t> persons);

// A command of the local operator's that changes the installation (an
// import, decoys planted, keys rotated or activated): its `operator_command`
// event, naming the command, is durable before the change starts, so no
// change escapes the log. Fails closed the same way: no event, no change.
Result<void> RecordOperatorCommand(const Installation& installation, const Clock& clock,
                                   std::string_view what);
// The same through a log the command opened at its start: one that runs for
// hours (an import) learns that the log cannot record it before, not after.
Result<void> RecordOperatorCommand(audit::AuditLog& log, const Clock& clock, std::string_view what);

}  // namespace vigie::cli
