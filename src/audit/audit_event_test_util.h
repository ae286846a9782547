#pragma once
// Test-only: a sample AuditEvent with every field set to a non-default value.

#include "audit/audit_event.h"

namespace vigie::audit::testing {

inline AuditEvent FullAuditEvent() {
  AuditEvent e;
  e.sequence = 123456789;
  e.time_unix_micros = 1'764'000'000'123'456;
  e.type = AuditEventType::kFileOpening;
  e.actor = {.agent_id = 4242, .service_number = "GN-778812", .unit_id = 17};
  e.session_id = 99001;
  e.token_id_hash = std::vector<uint8_t>(32, 0xab);
  e.dpop_jkt = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I";
  e.source_address = "2001:db8::17";
  e.user_agent = "Mozilla/5.0 (X11; Linux x86_64)";
  e.purpose = "judicial_investigation";
  e.case_reference = "PV-2026-000123";
  e.query.terms_keyed_hash = std::vector<uint8_t>(32, 0x5c);
  e.query.sealed_terms = {0x01, 0x02, 0x03, 0xfe, 0xff};
  e.person_ids = {1, 127, 128, 16384, 9'000'000'000};
  e.notice_ids = {55};
  e.entry_ids = {7, 8};
  e.outcome = AuditOutcome::kRefused;
  e.refusal_code = "PermissionDenied";
  e.latency_micros = 1834;
  e.node_id = "vigie-node-2";
  e.subject = "GN-100200";
  return e;
}

}  // namespace vigie::audit::testing
