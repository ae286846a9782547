// Request bodies built from form values (search, breach report, containment)
// and the download file name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { searchBody } from '../src/views/agent.js';
import { breachBody, claimBody, dispositionName, containmentBody, REASON_FIELD, freshAlerts } from '../src/views/officer.js';

test('a search needs a purpose, a case reference for inquiries, a surname and one more criterion', () => {
  assert.equal(searchBody({ purpose: '', surname: 'DUPONT', given_name: 'Jean' }).error, 'search.need_purpose');
  assert.equal(searchBody({ purpose: 'judicial_investigation', surname: 'DUPONT', given_name: 'Jean' }).error,
               'search.need_case');
  assert.equal(searchBody({ purpose: 'judicial_investigation', case_reference: '---', surname: 'DUPONT',
                           given_name: 'Jean' }).error, 'search.need_case');
  assert.equal(searchBody({ purpose: 'identity_check', surname: 'DUPONT' }).error, 'search.need_more');
  assert.equal(searchBody({ purpose: 'identity_check', surname: 'DUPONT', birth_date: '1980' }).error, undefined);
  assert.equal(searchBody({ purpose: 'identity_check', surname: 'DUPONT', birth_date: '1980-13-01' }).error, undefined);
  assert.equal(searchBody({ purpose: 'identity_check', surname: 'DUPONT', birth_date: '80' }).error, 'search.bad_birth_date');
  assert.equal(searchBody({ purpose: 'identity_check', surname: 'DUPONT', birth_date: '1980-03' }).error, 'search.bad_birth_date');
  assert.deepEqual(searchBody({ purpose: 'judicial_investigation', case_reference: 'PV/2026/001',
                                surname: ' DUPONT ', given_name: 'Jean', birth_date: '' }).body,
                   { purpose: 'judicial_investigation', case_reference: 'PV/2026/001', surname: 'DUPONT',
                     given_name: 'Jean' });
});

test('a breach report needs a scope; ids are numbers', () => {
  assert.equal(breachBody({ format: 'json' }).error, 'breach.need_scope');
  assert.deepEqual(breachBody({ agent_ids: '1, x' }), { error: 'breach.bad_number', field: 'agent_ids' });
  assert.deepEqual(breachBody({ service_numbers: 'PN-1', session_ids: '12a' }),
                   { error: 'breach.bad_number', field: 'session_ids' });
  assert.deepEqual(breachBody({ service_numbers: 'pn-1 PN-2', session_ids: '4', since: '2026-01-01T00:00',
                                format: 'csv' }).body,
                   { service_numbers: ['PN-1', 'PN-2'], session_ids: [4], since: '2026-01-01T00:00:00Z', format: 'csv' });
});

test('the file name comes from Content-Disposition, without path separators', () => {
  assert.equal(dispositionName('attachment; filename="breach-2026.json"', 'x'), 'breach-2026.json');
  assert.equal(dispositionName("attachment; filename*=UTF-8''rapport%20%C3%A9t%C3%A9.html", 'x'), 'rapport été.html');
  assert.equal(dispositionName('attachment; filename="../../etc/passwd"', 'x'), '.._.._etc_passwd');
  assert.equal(dispositionName(null, 'breach-report.csv'), 'breach-report.csv');
  // The encoded form is held to the same rules, and to controls and bidi.
  assert.equal(dispositionName("attachment; filename*=UTF-8''..%2F..%2Fx%E2%80%AEvsc.exe", 'x'), '.._.._x_vsc.exe');
  assert.equal(dispositionName("attachment; filename*=UTF-8''a%0Ab%00c.csv", 'x'), 'a_b_c.csv');
  assert.equal(dispositionName('attachment; filename="/"', 'breach-report.json'), 'breach-report.json');
});

test('a containment reason is one line of at most 500 UTF-8 bytes, as the API counts', () => {
  assert.equal(REASON_FIELD.kind, 'text');  // an <input>: a line, not a <textarea>
  const scope = { agents: 'pn-1 pn-2' };
  assert.deepEqual(containmentBody({ ...scope, reason: ' poste compromis ' }).body,
                   { reason: 'poste compromis', agents: ['PN-1', 'PN-2'] });
  assert.deepEqual(containmentBody({ ...scope, reason: 'é'.repeat(250) }).body?.reason, 'é'.repeat(250));
  assert.deepEqual(containmentBody({ ...scope, reason: 'é'.repeat(251) }),
                   { error: 'incidents.reason_too_long', params: { bytes: 502, max: 500 }, field: 'reason' });
  assert.equal(containmentBody({ ...scope, reason: 'x'.repeat(501) }).error, 'incidents.reason_too_long');
  assert.equal(containmentBody({ ...scope, reason: 'ligne 1\nligne 2' }).error, 'incidents.reason_control');
  assert.equal(containmentBody({ ...scope, reason: 'a\tb' }).error, 'incidents.reason_control');
  assert.equal(containmentBody({ ...scope, reason: 'a\u202eb' }).error, 'incidents.reason_control');
  assert.equal(containmentBody({ ...scope, reason: '  ' }).error, 'incidents.need_reason');
  assert.equal(containmentBody({ reason: 'x' }).error, 'incidents.need_scope');
  assert.deepEqual(containmentBody({ unit: ' PN-75 ', everyone: true, lockdown: true, reason: 'x' }).body,
                   { reason: 'x', unit: 'PN-75', everyone: true, lockdown: true });
});

test('a claim-check body must fit the server\'s limit once the sample is escaped as JSON', () => {
  const small = claimBody('nom;prenom\nDUPONT;Jean\n', 'fuite.csv');
  assert.deepEqual(small.body, { sample: 'nom;prenom\nDUPONT;Jean\n', format: 'csv', file_name: 'fuite.csv' });
  assert.equal(claimBody('{}', 'x.JSONL').body.format, 'jsonl');
  // 5 MiB of newlines and quotes: a file under the limit, a body twice over it.
  const escaped = claimBody('"\n'.repeat(5 * 512 * 1024), 'big.csv');
  assert.equal(escaped.error, 'claim.too_big');
  assert.ok(escaped.size > 8 * 1024 * 1024);
  // Accents count in UTF-8 bytes, as the server counts.
  assert.equal(claimBody('é'.repeat(4 * 1024 * 1024 + 10), 'a.csv').error, 'claim.too_big');
  assert.equal(claimBody('é'.repeat(4 * 1024 * 1024 - 100), 'a.csv').error, undefined);
});

test('new alerts: unseen before, but not older ones an acknowledgement brought into a cut list', () => {
  const ids = (...list) => list.map((id) => ({ id }));
  let poll = freshAlerts(ids(9, 8, 7), null, 3);
  assert.equal(poll.count, 0);  // the first poll
  poll = freshAlerts(ids(9, 8, 6), poll.state, 3);  // 7 acknowledged, 6 moved up from below the cut
  assert.equal(poll.count, 0);
  poll = freshAlerts(ids(12, 11, 9), poll.state, 3);
  assert.equal(poll.count, 2);
  // A smaller id committed after a larger one (PostgreSQL) is still new.
  poll = freshAlerts(ids(12, 11), poll.state, 3);
  poll = freshAlerts(ids(12, 11, 10), poll.state, 3);
  assert.equal(poll.count, 1);
  assert.equal(freshAlerts([], poll.state, 3).count, 0);
});
