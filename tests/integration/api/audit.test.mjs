// Issue 4's first promises, proven against `vigie serve`: every consultation
// a client receives is in the audit log (with the ids of what it showed,
// query terms never in clear); when the log cannot be written consultations
// are refused with 503 and nothing, and service resumes by itself; a server
// killed with SIGKILL under load loses no consultation it answered, and the
// log still verifies.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createInstallation, startServer, activeClient, request, Client, PASSWORD, totp } from './harness.mjs';
import { SoftwareAuthenticator } from '../../clients/webauthn-authenticator.mjs';
import { AUDIT_EVENT_TYPES, SUPERVISOR_EVENT_TYPES } from '../../../web/src/event_types.js';

const cleanups = [];
after(async () => { for (const c of cleanups.reverse()) await c(); });

const agents = (names, roles) => names.map((service_number) => ({ service_number, name: `Agent ${service_number}`, roles }));

async function setUp(agentList, config = {}) {
  const installation = createInstallation({
    agents: agentList,
    config: { auth: { address_attempts_per_minute: 100000 },
              quota: { searches_per_hour: 1000000, searches_per_day: 10000000 }, ...config },
  });
  const server = await startServer(installation);
  cleanups.push(async () => { await server.stop(); installation.remove(); });
  return { installation, server, auditDb: installation.databases };
}

// SQL on the audit database, as an investigator (or an attacker) runs it.
function sql(db, statement) { return db.auditSql(statement); }

function verify(installation) {
  const r = spawnSync(process.env.VIGIE_BINARY, ['--data-dir', installation.data, 'audit', 'verify', '--json'],
                      { encoding: 'utf8' });
  return { code: r.status, report: r.stdout ? JSON.parse(r.stdout) : null, stderr: r.stderr };
}

test('what a consultation returned is in the audit log, and its query terms are not in clear', async () => {
  const { installation, server, auditDb } = await setUp([
    ...agents(['INV-A'], ['investigator']), ...agents(['SUP-A'], ['supervisor']),
    ...agents(['SEC-A'], ['security_officer']), ...agents(['AGT-A'], ['agent'])]);
  const p = installation.firstPerson;
  const inv = await activeClient(server, installation, 'INV-A');
  const inquiry = { purpose: 'judicial_investigation', case_reference: '2026/00977-PJ' };
  const found = await inv.call('POST', '/api/v1/search', { ...inquiry, surname: p.surname, given_name: p.given_names[0] });
  assert.equal(found.status, 200, found.body);
  const ids = found.json.results.map((r) => r.person_id);
  assert.ok(ids.length >= 1);
  // The reference as checked (trimmed) is the one recorded.
  const file = await inv.call('POST', `/api/v1/persons/${ids[0]}/file`,
                              { ...inquiry, case_reference: `  ${inquiry.case_reference} ` });
  assert.equal(file.status, 200, file.body);

  const agentId = sql(auditDb, "SELECT agent_id FROM audit_event WHERE type = 4 LIMIT 1");
  assert.equal(sql(auditDb, `SELECT count(*) FROM audit_event WHERE type = 32 AND agent_id = ${agentId}`), '1');
  assert.equal(sql(auditDb, `SELECT count(*) FROM audit_event WHERE type = 33 AND agent_id = ${agentId}`), '1');
  assert.equal(sql(auditDb, "SELECT count(*) FROM audit_event WHERE type IN (2, 4, 32, 33) AND source_address IN ('127.0.0.1', '::1', '::ffff:127.0.0.1')"), '4',
               'login steps and consultations name the address they came from');
  for (const id of ids) {  // "who consulted this person", asked while the server runs
    const lines = installation.vigie('audit', 'search', '--person', String(id)).trim().split('\n');
    assert.ok(lines.some((l) => JSON.parse(l).service_number === 'INV-A'),
              `person ${id} was returned, so INV-A's access is recorded`);
  }
  // The import, the unit and agents set up by the command line, then activation and both
  // login steps, the use notice acknowledged, then the consultations; then
  // the operator's reads above, each itself in the log.
  const types = sql(auditDb, 'SELECT type FROM audit_event ORDER BY sequence').split('\n').join(',');
  assert.equal(types, '69,64,65,65,65,65,1,2,4,13,32,33' + ',97'.repeat(ids.length));

  // Reading the log through the API: security officers everything,
  // supervisors their own unit, nobody else; the read is itself audited.
  const officer = await activeClient(server, installation, 'SEC-A');
  const seen = await officer.call('POST', '/api/v1/audit/search', { person_id: ids[0] });
  assert.equal(seen.status, 200, seen.body);
  assert.ok(seen.json.events.some((e) => e.service_number === 'INV-A' && e.type === 'file_opening' &&
                                         e.case_reference === inquiry.case_reference), seen.body);
  assert.ok(seen.json.events.every((e) => !JSON.stringify(e).includes(p.surname)));
  const supervisor = await activeClient(server, installation, 'SUP-A');
  const unit = await supervisor.call('POST', '/api/v1/audit/search', { type: 'search' });
  assert.equal(unit.status, 200, unit.body);
  assert.equal(unit.json.events.length, 1);
  assert.equal((await supervisor.call('POST', '/api/v1/audit/search', { unit_id: 999999 })).status, 403);
  // Sign-ins and consultations only: not the reads of the log (their own
  // included), administration or alerts, which may be about them.
  const everything = await supervisor.call('POST', '/api/v1/audit/search', {});
  assert.equal(everything.status, 200, everything.body);
  assert.ok(everything.json.events.some((e) => e.type === 'search'), everything.body);
  assert.deepEqual(everything.json.events.filter((e) => !/^(login|activation|search|file_opening|refresh|logout|step_up|lockout|passkey|use_notice)/.test(e.type)), []);
  assert.equal((await supervisor.call('POST', '/api/v1/audit/search', { type: 'audit_search' })).status, 403);
  const agentOnly = await activeClient(server, installation, 'AGT-A');
  assert.equal((await agentOnly.call('POST', '/api/v1/audit/search', {})).status, 403);
  // The address the consultations came from, as the server recorded it.
  const recorded = sql(auditDb, 'SELECT source_address FROM audit_event WHERE type = 33');
  assert.match(recorded, /^127\.\d+\.\d+\.\d+$/, 'the test server listens on IPv4 loopback');
  // Refused before the portal: not recorded as reads (the count below).
  for (const bad of [{ limit: 5000 }, { since: 'yesterday' }, { type: 'sudo' }, { person: 1 }, { agent_id: 'x' },
                     { source_address: '127.000.000.001' }, { source_address: '127.0.0.0/8' },
                     { source_address: ` ${recorded}` }, { source_address: 'not-an-ip' },
                     { since: '2026-03-02', until: '2026-03-01' },
                     { since: '2026-03-01T12:00:00Z', until: '2026-03-01T11:59:59Z' }]) {
    const r = await officer.call('POST', '/api/v1/audit/search', bad);
    assert.equal(r.status, 400, JSON.stringify(bad));
    assert.match(r.headers['content-type'], /^application\/problem\+json/);
  }
  assert.equal(sql(auditDb, "SELECT count(*) FROM audit_event WHERE type = 97 AND agent_id <> 0"), '6',
               'each read of the log, granted or refused, is itself in the log');
  // An IPv4-mapped spelling finds what the plain address does.
  for (const address of [recorded, `::ffff:${recorded}`]) {
    const found = await officer.call('POST', '/api/v1/audit/search', { source_address: address, type: 'file_opening' });
    assert.equal(found.status, 200, found.body);
    assert.deepEqual(found.json.events.map((e) => e.service_number), ['INV-A'], address);
  }
  // The web portal offers a supervisor exactly the types the server grants.
  for (const type of AUDIT_EVENT_TYPES) {
    const r = await supervisor.call('POST', '/api/v1/audit/search', { type });
    assert.equal(r.status, SUPERVISOR_EVENT_TYPES.includes(type) ? 200 : 403, type);
  }
  const oneDay = await officer.call('POST', '/api/v1/audit/search', { since: '2026-03-01', until: '2026-03-01' });
  assert.equal(oneDay.status, 200, 'a window of one day: since its start, until its end');
  // A read of the log says all it asked, so that it can be read again as it was.
  const paged = await officer.call('POST', '/api/v1/audit/search',
    { source_address: recorded, type: 'file_opening', since: '2026-03-01', after: 3, limit: 7 });
  assert.equal(paged.status, 200, paged.body);
  const reads = installation.vigie('audit', 'search', '--type', 'audit_search').trim().split('\n')
    .map((line) => JSON.parse(line)).filter((e) => e.service_number === 'SEC-A');
  assert.equal(reads.at(-1).subject,
               `address ${recorded}, type file_opening, since 2026-03-01T00:00:00.000000Z, after 3, limit 7`);

  await server.stop();
  const bytes = auditDb.auditBytes();
  assert.ok(!bytes.includes(Buffer.from(p.surname)), 'the searched surname is not stored in clear');
  assert.ok(!bytes.includes(Buffer.from(p.given_names[0])), 'the searched given name is not stored in clear');
  const { code, report } = verify(installation);
  assert.equal(code, 0);
  assert.equal(report.ok, true);
  assert.ok(report.events >= 6);
  assert.ok(report.witness_checkpoints >= 1, 'the final checkpoint reached the witness file');
});

// A session detection flagged (a step-up demanded) may be in someone else's
// hands: until it gives a fresh code it hands out or restores no
// credentials, lifts no containment, hides no alert and reads no audit log.
test('a flagged session gives a fresh code before it adds or resets agents, releases, acknowledges or reads the log', async () => {
  const { installation, server } = await setUp([
    ...agents(['ADM-F'], ['administrator']), ...agents(['SEC-F'], ['security_officer']),
    ...agents(['AGT-F', 'OTH-F'], ['agent'])]);
  const admin = await activeClient(server, installation, 'ADM-F');
  const officer = await activeClient(server, installation, 'SEC-F');
  const incident = JSON.parse(installation.vigie('incident', 'contain', '--agent', 'AGT-F', '--reason', 'test',
                                                 '--json')).id;
  // What detection's step_up action writes.
  installation.databases.storeSql(`UPDATE session SET step_up_demanded_at = ${Math.floor(Date.now() / 1000)} ` +
                                  'WHERE ended_at IS NULL');
  const calls = [
    [admin, 'POST', '/api/v1/agents', { service_number: 'NEW-F', display_name: 'Nouvelle', unit: 'PN-75', roles: ['agent'] }, 201],
    [admin, 'POST', '/api/v1/agents/OTH-F/reset', undefined, 200],
    [admin, 'POST', '/api/v1/agents/OTH-F/reinstate', undefined, 200],
    [officer, 'POST', `/api/v1/incidents/${incident}/release`, {}, 200],
    [officer, 'POST', '/api/v1/alerts/999999/acknowledge', {}, 404],
    [officer, 'POST', '/api/v1/audit/search', {}, 200],
  ];
  for (const [client, method, path, body] of calls) {
    const refused = await client.call(method, path, body);
    assert.equal(refused.status, 403, `${path}: ${refused.body}`);
    assert.match(refused.headers['www-authenticate'] ?? '', /insufficient_user_authentication/, path);
  }
  for (const client of [admin, officer]) {
    const stepped = await client.call('POST', '/api/v1/auth/step-up', { code: totp(client.secret, 1) });
    assert.equal(stepped.status, 204, stepped.body);
  }
  assert.equal((await admin.call('GET', '/api/v1/agents/NEW-F')).status, 404, 'nobody added');
  for (const [client, method, path, body, status] of calls) {
    if (path.endsWith('/reinstate')) continue;  // after the reset it has nothing to lift (409)
    const done = await client.call(method, path, body);
    assert.equal(done.status, status, `${path}: ${done.body}`);
  }
});

// An incident holding a whole unit (or everyone) is listed with its first
// agents and their count; the rest are read a page at a time.
test('the incident list names the first agents of each; a security officer pages through them all', async () => {
  const held = Array.from({ length: 24 }, (_, i) => `HLD-${String(i).padStart(2, '0')}`);
  const { installation, server } = await setUp([...agents(held, ['agent']), ...agents(['SEC-P'], ['security_officer'])]);
  const officer = await activeClient(server, installation, 'SEC-P');
  const agent = await activeClient(server, installation, 'HLD-00');
  assert.equal((await agent.call('POST', '/api/v1/incidents/1/agents', {})).status, 403, 'officers only');
  const contained = await officer.call('POST', '/api/v1/incidents', { unit: 'PN-75', reason: 'paging' });
  assert.equal(contained.status, 201, contained.body);
  assert.deepEqual(contained.json.agents, held, 'the containment answer names every agent');
  assert.equal(contained.json.agent_count, 24);
  const listed = (await officer.call('GET', '/api/v1/incidents')).json.incidents[0];
  assert.equal(listed.agent_count, 24);
  assert.deepEqual(listed.agents, held.slice(0, 20));
  const path = `/api/v1/incidents/${contained.json.id}/agents`;
  const paged = [];
  let body = { limit: 10 };
  for (let page = 0; page < 5; page++) {
    const r = await officer.call('POST', path, body);
    assert.equal(r.status, 200, r.body);
    paged.push(...r.json.agents);
    if (!r.json.next) break;
    body = { limit: 10, after: r.json.next };
  }
  assert.deepEqual(paged.map((a) => a.service_number), held);
  assert.ok(paged.every((a) => a.lifted === false));
  const whole = await officer.call('POST', path, {});
  assert.equal(whole.json.agents.length, 24);
  assert.equal(whole.json.next, undefined, 'no next page after the last');
  for (const bad of [{ limit: 0 }, { limit: 501 }, { after: 'HLD-05' }, { after: 0 }, { limit: '10' }, { extra: 1 }]) {
    const r = await officer.call('POST', path, bad);
    assert.equal(r.status, 400, `${JSON.stringify(bad)}: ${r.body}`);
  }
  assert.equal((await officer.call('POST', `/api/v1/incidents/${contained.json.id + 1}/agents`, {})).status, 404);
  // The command line pages through them the same way.
  const printed = installation.vigie('incident', 'agents', String(contained.json.id), '--json')
    .trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(printed.map((a) => a.service_number), held);
  assert.throws(() => installation.vigie('incident', 'agents', String(contained.json.id + 1)));
  installation.vigie('incident', 'release', String(contained.json.id), '--reinstate', '--reason', 'done');
  assert.match(installation.vigie('incident', 'agents', String(contained.json.id)), /^HLD-00 +lifted$/m);
  const lifted = await officer.call('POST', path, {});
  assert.equal(lifted.status, 200, lifted.body);
  assert.deepEqual(lifted.json.agents.map((a) => a.service_number), held);
  assert.ok(lifted.json.agents.every((a) => a.lifted === true), lifted.body);
});

// The refusal is the session check's default, not each use case's: every
// authenticated route the API documents, present and future, is covered.
// The consultations refuse in their use case, which records what was asked
// (their well-formed requests are sent: a malformed one is a 400 that
// reads nothing, as for any session).
test('a flagged session is refused every authenticated route but the step-up, logout, the notice and self', async () => {
  const { installation, server } = await setUp(agents(['FLG-A'], ['agent']));
  const client = await activeClient(server, installation, 'FLG-A');
  const document = (await request(server, 'GET', '/api/v1/openapi.json')).json;
  installation.databases.storeSql(`UPDATE session SET step_up_demanded_at = ${Math.floor(Date.now() / 1000)} ` +
                                  'WHERE ended_at IS NULL');
  const ownSession = ['post /api/v1/auth/logout', 'post /api/v1/auth/use-notice', 'post /api/v1/auth/step-up',
                      'get /api/v1/self'];
  let refusals = 0;
  for (const [template, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      if (!(operation.security ?? []).some((s) => 'DPoP' in s)) continue;
      if (ownSession.includes(`${method} ${template}`)) continue;
      const path = template.replace(/\{[a-z_]+\}/g, (p) => (p === '{service_number}' ? 'FLG-A' : '1'));
      const body = { '/api/v1/search': { purpose: 'identity_check', surname: 'Quesnoyer', birth_date: '1980' },
                     '/api/v1/persons/1/file': { purpose: 'identity_check' } }[path] ?? {};
      const refused = await client.call(method.toUpperCase(), path, method === 'post' ? body : undefined);
      assert.equal(refused.status, 403, `${method} ${path}: ${refused.body}`);
      assert.match(refused.headers['www-authenticate'] ?? '', /insufficient_user_authentication/, path);
      refusals += 1;
    }
  }
  assert.ok(refusals >= 20, `every authenticated route was tried (${refusals})`);
  // The attempts stay visible: each act the log records is there, refused,
  // with the session and the address (detection's rate rules count them).
  const refused = installation.vigie('audit', 'search', '--agent', 'FLG-A').trim().split('\n')
    .map((line) => JSON.parse(line)).filter((e) => e.outcome === 'refused');
  const types = refused.map((e) => e.type).sort();
  for (const type of ['search', 'file_opening', 'audit_search', 'agent_added', 'agent_suspended',
                      'incident_action', 'alert_acknowledged', 'passkey_registered']) {
    assert.ok(types.includes(type), `${type} refused and recorded: ${types}`);
  }
  // Each route that reads the log or its alerts: audit and alert searches,
  // breach reports, claim checks.
  assert.equal(types.filter((type) => type === 'audit_search').length, 4, `${types}`);
  assert.equal(refused.find((e) => e.type === 'file_opening')?.subject, 'person 1');
  for (const event of refused) {
    assert.equal(event.refusal, 'PermissionDenied');
    assert.ok(event.session_id > 0 && event.source_address, JSON.stringify(event));
  }
  assert.equal((await client.call('GET', '/api/v1/self')).status, 200);
  assert.equal((await client.acknowledgeNotice()).status, 204);
  assert.equal((await client.call('GET', '/api/v1/self/consultations')).status, 403, 'still flagged');
  const stepped = await client.call('POST', '/api/v1/auth/step-up', { code: totp(client.secret, 1) });
  assert.equal(stepped.status, 204, stepped.body);
  assert.equal((await client.call('GET', '/api/v1/self/consultations')).status, 200, stepped.body);
  assert.equal((await client.call('POST', '/api/v1/auth/logout', {})).status, 204);
});

test('a lock-out is an event of its own, naming the agent it locked, with the user agent', async () => {
  const { installation, server, auditDb } = await setUp(agents(['LCK-A'], ['agent']));
  const client = await activeClient(server, installation, 'LCK-A');
  const agentId = sql(auditDb, "SELECT agent_id FROM audit_event WHERE type = 4 LIMIT 1");
  for (let i = 0; i < 5; i++) {
    const r = await request(server, 'POST', '/api/v1/auth/login', {
      headers: { 'User-Agent': 'lockout-probe/1' },
      body: { service_number: 'LCK-A', password: 'not the password 1' } });
    assert.equal(r.status, 401, r.body);
  }
  assert.equal(sql(auditDb, 'SELECT count(*) FROM audit_event WHERE type = 3'), '5');
  assert.equal(sql(auditDb, `SELECT count(*) FROM audit_event WHERE type = 6 AND agent_id = ${agentId}`), '1',
               'the fifth failure locked the agent: one lock-out event');
  const events = installation.vigie('audit', 'search', '--type', 'lockout').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(events.length, 1);
  assert.equal(events[0].service_number, 'LCK-A');
  assert.equal(events[0].user_agent, 'lockout-probe/1');
});

test('when the audit log cannot be written, consultations get 503 and nothing, then resume by themselves', async () => {
  const { installation, server, auditDb } = await setUp(
    [...agents(['FUL-1', 'FUL-2', 'FUL-4', 'FUL-5', 'FUL-6'], ['agent']), ...agents(['FUL-ADM'], ['administrator']),
     ...agents(['FUL-SO'], ['security_officer'])],
    { audit: { max_size_mib: 1 } });
  const admin = await activeClient(server, installation, 'FUL-ADM');
  assert.equal((await admin.call('POST', '/api/v1/agents/FUL-4/suspend')).status, 200);
  const officer = await activeClient(server, installation, 'FUL-SO');
  const incident = await officer.call('POST', '/api/v1/incidents', { agents: ['FUL-5'], reason: 'poste compromis' });
  assert.equal(incident.status, 201, incident.body);
  const incidentNow = async () => (await officer.call('GET', '/api/v1/incidents')).json.incidents
    .find((i) => i.id === incident.json.id);
  const statusOf = async (sn) => (await admin.call('GET', `/api/v1/agents/${sn}`)).json.status;
  const p = installation.firstPerson;
  const agent = await activeClient(server, installation, 'FUL-1');
  const search = () => agent.call('POST', '/api/v1/search', { purpose: 'identity_check', surname: p.surname, given_name: p.given_names[0] });
  assert.equal((await search()).status, 200);
  const unacknowledged = await activeClient(server, installation, 'FUL-6', { acknowledge: false });
  // FUL-1 starts logging in on a second device (the password step, recorded).
  const secondDevice = await Client.create(server);
  const passwordStep = await request(server, 'POST', '/api/v1/auth/login',
                                     { body: { service_number: 'FUL-1', password: PASSWORD } });
  assert.equal(passwordStep.status, 200, passwordStep.body);
  const searchBy = (client) => client.call('POST', '/api/v1/search', { purpose: 'identity_check', surname: p.surname, given_name: p.given_names[0] });

  // The disk fills up (SQLite: another writer takes the log's database past
  // its cap; PostgreSQL: the server refuses the log's writes).
  auditDb.fillAuditDisk();
  let refused;
  for (let i = 0; i < 200 && !refused; ++i) {
    const started = Date.now();
    const r = await search();
    if (r.status === 200) continue;
    refused = r;
    assert.ok(Date.now() - started < 3000, 'the refusal is prompt, not a hang');
  }
  assert.ok(refused, 'some search needed a page the full disk could not give');
  assert.equal(refused.status, 503, refused.body);
  assert.equal(refused.json.results, undefined, 'nothing is returned');
  assert.ok(!refused.body.includes(p.surname));
  assert.equal((await search()).status, 503, 'still refused while the disk is full');
  // A balancer's check takes the node out, told no reason.
  const notReady = await request(server, 'GET', '/readyz');
  assert.equal(notReady.status, 503, notReady.body);
  assert.ok(!/audit|disk|full/i.test(notReady.body), notReady.body);
  // Another process holds the log's write lock (a database error of another
  // kind): whatever the event's size, nothing can be recorded.
  const release = await auditDb.holdAuditWriteLock();
  // An activation cannot be recorded either: refused, and its code not spent.
  const newcomer = await Client.create(server);
  const notYet = await newcomer.activate(installation.codes['FUL-2'], PASSWORD);
  assert.equal(notYet.status, 503, notYet.body);
  assert.equal(notYet.json.totp_secret, undefined);
  // Nor an agent created (its activation code would be lost with the 503).
  const recruit = { service_number: 'FUL-3', display_name: 'Recrue', unit: 'PN-75', roles: ['agent'] };
  const notCreated = await admin.call('POST', '/api/v1/agents', recruit);
  assert.equal(notCreated.status, 503, notCreated.body);
  assert.equal((await admin.call('GET', '/api/v1/agents/FUL-3')).status, 404, 'nothing was created');
  // Nor an agent brought back to work unseen.
  const notReinstated = await admin.call('POST', '/api/v1/agents/FUL-4/reinstate');
  assert.equal(notReinstated.status, 503, notReinstated.body);
  assert.equal(await statusOf('FUL-4'), 'suspended');
  // Nor an incident released (its lock-down lifted, were it one) unseen.
  const notReleased = await officer.call('POST', `/api/v1/incidents/${incident.json.id}/release`, { mode: 'reinstate' });
  assert.equal(notReleased.status, 503, notReleased.body);
  assert.equal((await incidentNow()).released_at, undefined, JSON.stringify(await incidentNow()));
  // Nor a passkey added to an agent's factors unseen.
  const options = await agent.call('POST', '/api/v1/passkeys/options');
  assert.equal(options.status, 200, options.body);
  const answer = new SoftwareAuthenticator().register(options.json, new URL(server.url).origin);
  const notAdded = await agent.call('POST', '/api/v1/passkeys', { ...answer, name: 'laptop' });
  assert.equal(notAdded.status, 503, notAdded.body);
  // Nor a refresh: refused whole, its token left unspent (a spent one sent
  // again would be taken for a stolen one, and the session ended).
  const notRefreshed = await agent.refresh();  // the client keeps its token on a 503
  assert.equal(notRefreshed.status, 503, notRefreshed.body);
  // Without a Retry-After: the web client retries only a 503 that carries
  // one (those come before the refresh runs), and gives up this token.
  assert.equal(notRefreshed.headers['retry-after'], undefined);
  // Nor a login: refused whole, FUL-1's session on the first device left
  // open (a login recorded after its commit would have ended it unseen).
  // The next step's code: the current one was spent by the first login.
  const notLoggedIn = await secondDevice.secondFactor(passwordStep.json.login_challenge, totp(agent.secret, 1));
  assert.equal(notLoggedIn.status, 503, notLoggedIn.body);
  assert.equal(notLoggedIn.json?.access_token, undefined);
  // Nor the use notice acknowledged unseen: it weighs in a misuse case.
  const notAcknowledged = await unacknowledged.acknowledgeNotice();
  assert.equal(notAcknowledged.status, 503, notAcknowledged.body);
  await release();
  assert.deepEqual((await agent.call('GET', '/api/v1/passkeys')).json.passkeys, [], 'no passkey was stored');

  auditDb.freeAuditDisk();  // room again
  // No consultation comes (the balancer sends none): the node finds out by itself.
  let ready;
  for (let i = 0; i < 100 && ready?.status !== 200; ++i) {
    if (i) await new Promise((resolve) => setTimeout(resolve, 100));
    ready = await request(server, 'GET', '/readyz');
  }
  assert.equal(ready.status, 200, 'ready again without any consultation: ' + ready.body);
  const resumed = await search();
  assert.equal(resumed.status, 200, 'the session the refused login would have ended is still open: ' + resumed.body);
  const refreshed = await agent.refresh();
  assert.equal(refreshed.status, 200, 'the same refresh token works once the log is writable: ' + refreshed.body);
  assert.equal((await searchBy(unacknowledged)).status, 403, 'the notice is still to be acknowledged');
  assert.equal((await unacknowledged.acknowledgeNotice()).status, 204);
  assert.equal((await searchBy(unacknowledged)).status, 200);
  const activated = await newcomer.activate(installation.codes['FUL-2'], PASSWORD);
  assert.equal(activated.status, 200, 'the same code works once the log is writable: ' + activated.body);
  const created = await admin.call('POST', '/api/v1/agents', recruit);
  assert.equal(created.status, 201, created.body);
  assert.equal((await admin.call('POST', '/api/v1/agents/FUL-4/reinstate')).status, 200);
  assert.equal(await statusOf('FUL-4'), 'pending_activation', 'back as it was');
  const released = await officer.call('POST', `/api/v1/incidents/${incident.json.id}/release`, { mode: 'reinstate' });
  assert.equal(released.status, 200, released.body);
  assert.ok((await incidentNow()).released_at > 0);
  await server.stop();
  assert.equal(verify(installation).code, 0);
  // The outage is in the log itself: since when, and how much was refused.
  const outages = installation.vigie('audit', 'search', '--type', 'audit_log_resumed').trim().split('\n')
    .map((line) => JSON.parse(line));
  assert.ok(outages.length >= 1, 'the outage is recorded');
  assert.equal(outages[0].service_number, 'vigie-audit');
  assert.match(outages[0].subject, /^failing_since_us=\d+ refused_events=[1-9]\d*$/);
  // The acknowledgement made once the log was writable again is in the log
  // (the refused one's may be too, before the outage's end: written late
  // once the lock was released, which over-reports).
  const outageEnd = outages.at(-1).sequence;
  const acknowledgements = installation.vigie('audit', 'search', '--type', 'use_notice_acknowledged')
    .trim().split('\n').filter(Boolean).map((line) => JSON.parse(line))
    .filter((e) => e.service_number === 'FUL-6' && e.outcome === 'ok' && e.sequence > outageEnd);
  assert.equal(acknowledgements.length, 1, JSON.stringify(acknowledgements));
  assert.equal(acknowledgements[0].subject, 'use notice 2026-11');
});

test('consultations refused because the log could not record them cost no quota and tell nothing', async () => {
  const { installation, server, auditDb } = await setUp(
    agents(['QUO-1'], ['agent']),
    { quota: { searches_per_hour: 3, searches_per_day: 3, files_per_hour: 2, files_per_day: 2 } });
  const agent = await activeClient(server, installation, 'QUO-1');
  const p = installation.wantedPerson;
  const search = () => agent.call('POST', '/api/v1/search', {
    purpose: 'identity_check', surname: p.surname, given_name: p.given_names[0], birth_date: p.birth_date.slice(0, 4) });
  const searched = await search();
  assert.equal(searched.status, 200, searched.body);
  const personId = searched.json.results[0].person_id;
  const open = () => agent.call('POST', `/api/v1/persons/${personId}/file`, { purpose: 'identity_check' });
  const opened = await open();
  assert.equal(opened.status, 200, opened.body);
  const release = await auditDb.holdAuditWriteLock();
  try {
    for (let i = 0; i < 4; ++i) {
      const refused = await search();
      assert.equal(refused.status, 503, `search ${i} while the log is locked: ${refused.body}`);
      const notOpened = await open();
      assert.equal(notOpened.status, 503, `opening ${i} while the log is locked: ${notOpened.body}`);
    }
    // Someone not on file answers as someone on file does: refused before
    // anything is read, or a 404 beside the 503s would tell them apart.
    const nobody = await agent.call('POST', '/api/v1/persons/999999999/file', { purpose: 'identity_check' });
    assert.equal(nobody.status, 503, nobody.body);
  } finally {
    await release();
  }
  let ready;  // the node finds out by itself that the log is writable again
  for (let i = 0; i < 100 && ready?.status !== 200; ++i) {
    if (i) await new Promise((resolve) => setTimeout(resolve, 100));
    ready = await request(server, 'GET', '/readyz');
  }
  assert.equal(ready.status, 200, ready.body);
  // The allowance is what the answered consultations left: 2 searches, 1 opening.
  assert.equal((await search()).status, 200);
  assert.equal((await search()).status, 200);
  const spent = await search();
  assert.equal(spent.status, 429, spent.body);
  assert.equal((await open()).status, 200);
  assert.equal((await open()).status, 429);
});

test('an outage cut short by SIGKILL is recorded by the next server once the log is writable', async () => {
  const { installation, server, auditDb } = await setUp(agents(['OUT-1'], ['agent']), { audit: { max_size_mib: 1 } });
  const p = installation.firstPerson;
  const agent = await activeClient(server, installation, 'OUT-1');
  const search = () => agent.call('POST', '/api/v1/search', { purpose: 'identity_check', surname: p.surname, given_name: p.given_names[0] });
  assert.equal((await search()).status, 200);
  auditDb.fillAuditDisk();
  let refused = 0;
  for (let i = 0; i < 200 && !refused; ++i) if ((await search()).status === 503) ++refused;
  assert.equal(refused, 1, 'a search was refused');
  server.child.kill('SIGKILL');
  await server.stop();
  auditDb.freeAuditDisk();

  const next = await startServer(installation);
  cleanups.push(() => next.stop());
  let recorded = '';
  for (let i = 0; i < 100 && !recorded; ++i) {
    if (i) await new Promise((resolve) => setTimeout(resolve, 100));
    recorded = sql(auditDb, 'SELECT count(*) FROM audit_event WHERE type = 101') === '1' ? 'yes' : '';
  }
  assert.ok(recorded, 'recorded without waiting for a consultation');
  await next.stop();
  const outages = installation.vigie('audit', 'search', '--type', 'audit_log_resumed').trim().split('\n')
    .map((line) => JSON.parse(line));
  assert.equal(outages.length, 1);
  assert.match(outages[0].subject, /^failing_since_us=\d+ refused_events=[1-9]\d* restarted=1$/);
  assert.equal(verify(installation).code, 0);
});

test('after SIGKILL under load, every consultation a client received is in the log, and it verifies', async () => {
  const names = ['KIL-1', 'KIL-2', 'KIL-3', 'KIL-4'];
  // Load agents: detection judges every search but only alerts (a query rate
  // like this one would otherwise suspend them within a second).
  const { installation, server, auditDb } = await setUp(agents(names, ['agent']), {
    detect: { query_rate_action: 'alert', distinct_persons_action: 'alert', enumeration_action: 'alert' } });
  const p = installation.firstPerson;
  const clients = [];
  for (const n of names) clients.push(await activeClient(server, installation, n));
  let answered = 0;
  let running = true;
  const load = clients.map(async (c) => {
    while (running) {
      let r;
      try {
        r = await c.call('POST', '/api/v1/search', { purpose: 'identity_check', surname: p.surname, given_name: p.given_names[0] });
      } catch { return; }  // the connection died with the server
      if (r.status === 200) ++answered;
      else if (running) throw new Error(`search refused under load: ${r.status} ${r.body}`);
    }
  });
  await new Promise((resolve) => setTimeout(resolve, 1500));
  server.child.kill('SIGKILL');
  running = false;
  await Promise.all(load);
  await new Promise((resolve) => server.child.exitCode !== null || server.child.signalCode !== null
    ? resolve() : server.child.on('exit', resolve));
  assert.ok(answered > 10, `load ran (${answered} answered)`);

  const logged = Number(sql(auditDb, 'SELECT count(*) FROM audit_event WHERE type = 32'));
  assert.ok(logged >= answered, `${answered} searches answered, ${logged} in the log`);
  const { code, report, stderr } = verify(installation);
  assert.equal(code, 0, stderr);
  assert.equal(report.ok, true);
});
