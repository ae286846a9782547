// The audit log's event types, in wire order: what the audit search offers.
// Kept equal to the API's list (docs/api/openapi.json) by web/test/pure.test.mjs.
export const AUDIT_EVENT_TYPES = [
  'activation', 'login_password_ok', 'login_password_failed', 'login_second_factor_ok',
  'login_second_factor_failed', 'lockout', 'refresh', 'refresh_reuse', 'logout', 'step_up',
  'passkey_registered', 'passkey_removed', 'use_notice_acknowledged', 'search', 'file_opening',
  'unit_added', 'agent_added', 'agent_suspended', 'agent_reinstated', 'agent_reset', 'operator_command', 'incident_action',
  'audit_search', 'alert_raised', 'alert_acknowledged', 'incident_released', 'audit_log_resumed',
];

// What a supervisor may ask for: their unit's sign-ins and consultations,
// the types before 'unit_added'. The server refuses the rest (403); kept
// equal to it by tests/integration/api/audit.test.mjs.
export const SUPERVISOR_EVENT_TYPES = AUDIT_EVENT_TYPES.slice(0, AUDIT_EVENT_TYPES.indexOf('unit_added'));

/** The event types the audit search offers to someone with these roles. */
export function auditEventTypesFor(roles) {
  return roles.includes('security_officer') ? AUDIT_EVENT_TYPES : SUPERVISOR_EVENT_TYPES;
}
