// Investigation over the API, against `vigie serve`: an agent's own recent
// consultations; for security officers the breach report (JSON, CSV, HTML
// downloads) and the leaked-sample check that the console's `vigie breach
// report` and `vigie claim check` make, each read in the audit log as the
// officer's own event before anything is returned; everyone else refused,
// bad bodies refused with a problem and nothing read.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createInstallation, startServer, activeClient, request, tooLargeAnswer } from './harness.mjs';

const INVESTIGATOR = 'INV-1';
const AGENT = 'AGT-1';
const BUSY = 'AGT-2';
const OFFICER = 'SEC-1';
const NEW_OFFICER = 'SEC-2';  // signs in without acknowledging the use notice

let installation, server, auditDb, persons;
let investigator, agent, officer;

before(async () => {
  installation = createInstallation({
    persons: 1000,
    agents: [[INVESTIGATOR, 'investigator'], [AGENT, 'agent'], [BUSY, 'agent'],
             [OFFICER, 'security_officer'], [NEW_OFFICER, 'security_officer']].map(
      ([service_number, role]) => ({ service_number, name: `Agent ${service_number}`, roles: [role] })),
    config: {
      auth: { address_attempts_per_minute: 100000 },
      quota: { searches_per_hour: 100000, searches_per_day: 1000000 },
      // The busy agent's burst of searches is judged, but only alerts.
      detect: { query_rate_action: 'alert', distinct_persons_action: 'alert', enumeration_action: 'alert' },
      // What investigations answer is checked here, not the fail-closed
      // deadline (api_audit checks that): on a loaded 2-core CI machine a
      // PostgreSQL group commit under the sanitizers has exceeded 1 s, and the
      // officer's breach report was then refused (503), as designed.
      audit: { max_wait_ms: 5000 },
    },
  });
  auditDb = installation.databases;
  persons = readFileSync(join(installation.dir, 'p.jsonl'), 'utf8').split('\n').filter(Boolean)
    .map((line) => JSON.parse(line)).filter((r) => r.kind === 'person');
  server = await startServer(installation);
  investigator = await activeClient(server, installation, INVESTIGATOR);
  agent = await activeClient(server, installation, AGENT);
  officer = await activeClient(server, installation, OFFICER);
});

after(async () => {
  await server?.stop();
  installation?.remove();
});

function sql(statement) {
  return auditDb.auditSql(statement);
}

function assertProblem(r, status) {
  assert.equal(r.status, status, r.body);
  assert.match(r.headers['content-type'], /^application\/problem\+json/);
  assert.equal(r.json.status, status);
}

// The officers' reads through the API (this command's own reads, the local
// operator's, are in the log too, and left out).
const auditSearches = () => installation.vigie('audit', 'search', '--type', 'audit_search')
  .trim().split('\n').filter(Boolean).map((line) => JSON.parse(line))
  .filter((e) => e.service_number !== 'local-operator');

const searchFor = (client, p, extra = {}) => client.call('POST', '/api/v1/search', {
  purpose: 'identity_check', surname: p.surname, given_name: p.given_names[0], ...extra });

const inquiry = { purpose: 'judicial_investigation', case_reference: '2026/00977-PJ' };
let firstIds = [];  // what the investigator's first search returned

test('an agent reads their own consultations only, newest first, as the audit search shows events', async () => {
  const p = persons[0];
  const found = await investigator.call('POST', '/api/v1/search', { ...inquiry, surname: p.surname, given_name: p.given_names[0] });
  assert.equal(found.status, 200, found.body);
  firstIds = found.json.results.map((r) => r.person_id);
  assert.ok(firstIds.length >= 1);
  assert.equal((await searchFor(investigator, persons[1], inquiry)).status, 200);
  assert.equal((await investigator.call('POST', `/api/v1/persons/${firstIds[0]}/file`, inquiry)).status, 200);
  assert.equal((await searchFor(agent, persons[2])).status, 200);

  const before = sql('SELECT count(*) FROM audit_event');
  const own = await investigator.call('GET', '/api/v1/self/consultations');
  assert.equal(own.status, 200, own.body);
  assert.match(own.headers['content-type'], /^application\/json/);
  const events = own.json.events;
  assert.deepEqual(events.map((e) => e.type), ['file_opening', 'search', 'search']);
  assert.ok(events.every((e) => e.service_number === INVESTIGATOR), 'only the caller\'s own');
  for (let i = 1; i < events.length; ++i) assert.ok(events[i - 1].sequence > events[i].sequence, 'newest first');
  // The same object as POST /api/v1/audit/search returns for that event.
  const same = await officer.call('POST', '/api/v1/audit/search', { after: events[0].sequence, limit: 1 });
  assert.equal(same.status, 200, same.body);
  assert.deepEqual(events[0], same.json.events[0]);
  for (const field of ['sequence', 'time', 'type', 'purpose', 'case_reference', 'person_ids', 'outcome', 'terms_hash']) {
    assert.ok(field in events[2], field);
  }
  assert.deepEqual(events[2].person_ids, firstIds);
  assert.equal(events[0].purpose, 'judicial_investigation');
  assert.ok(!own.body.includes(persons[0].surname), 'no query term in clear');
  // Reading one's own history is not itself an event (it reveals nothing new).
  assert.equal(sql('SELECT count(*) FROM audit_event'), String(Number(before) + 1),
               'only the officer\'s audit search above was recorded');

  const theirs = await agent.call('GET', '/api/v1/self/consultations');
  assert.equal(theirs.status, 200, theirs.body);
  assert.equal(theirs.json.events.length, 1);
  assert.equal(theirs.json.events[0].service_number, AGENT);
  const none = await officer.call('GET', '/api/v1/self/consultations');
  assert.equal(none.status, 200, none.body);
  assert.deepEqual(none.json.events, []);
  // A body-less GET: a body is refused (framed by its length: Node does not
  // chunk a GET's body).
  const body = JSON.stringify({ limit: 3 });
  assertProblem(await investigator.call('GET', '/api/v1/self/consultations', { limit: 3 },
                                        { headers: { 'Content-Length': String(Buffer.byteLength(body)) } }), 400);
  assert.equal((await request(server, 'GET', '/api/v1/self/consultations')).status, 401);
});

test('at most the 50 latest consultations are returned, refused ones included', async () => {
  const busy = await activeClient(server, installation, BUSY);
  for (let i = 0; i < 53; ++i) {
    const r = await searchFor(busy, persons[10 + i]);
    assert.equal(r.status, 200, r.body);
  }
  // A refused consultation (a file that does not exist) is listed too.
  const refused = await busy.call('POST', '/api/v1/persons/999999/file', { purpose: 'identity_check' });
  assert.equal(refused.status, 404, refused.body);
  const own = await busy.call('GET', '/api/v1/self/consultations');
  assert.equal(own.status, 200, own.body);
  const events = own.json.events;
  assert.equal(events.length, 50);
  assert.equal(events[0].type, 'file_opening');
  assert.equal(events[0].outcome, 'refused');
  assert.equal(events[0].subject, 'person 999999', 'the id asked for, though nothing was shown');
  assert.deepEqual(events[0].person_ids ?? [], []);
  assert.ok(events.every((e) => e.service_number === BUSY));
  const mine = `type IN (32, 33) AND agent_id = ${events[0].agent_id}`;
  assert.equal(sql(`SELECT count(*) FROM audit_event WHERE ${mine}`), '54');
  const newest = Number(sql(`SELECT max(sequence) FROM audit_event WHERE ${mine}`));
  assert.equal(events[0].sequence, newest);
  for (let i = 1; i < events.length; ++i) assert.ok(events[i - 1].sequence > events[i].sequence);
});

const downloadName = /^attachment; filename="breach-report-\d{8}T\d{6}Z\.(json|csv|html)"$/;

test('a security officer downloads the breach report as JSON, CSV and HTML', async () => {
  const json = await officer.call('POST', '/api/v1/breach-reports', { service_numbers: [INVESTIGATOR], format: 'json' });
  assert.equal(json.status, 200, json.body);
  assert.equal(json.headers['content-type'], 'application/json');
  assert.match(json.headers['content-disposition'], downloadName);
  assert.match(json.headers['content-disposition'], /\.json"$/);
  const report = JSON.parse(json.body);
  assert.equal(report.format, 'vigie.breach-report.v1');
  const exposed = report.subjects.map((s) => s.person_id);
  for (const id of firstIds) assert.ok(exposed.includes(id), `person ${id} was shown to ${INVESTIGATOR}`);
  assert.equal(report.counts.search_events, 2);
  assert.equal(report.counts.file_opening_events, 1);
  assert.equal(report.counts.full_file_subjects, 1);
  assert.ok(report.events.every((e) => e.service_number === INVESTIGATOR));
  assert.ok(!json.body.includes(persons[0].surname), 'no names in the JSON');

  // The officer's read is in the log, as their own authenticated event,
  // durable before the report was computed (it is below the report's log size).
  const read = auditSearches().filter((e) => e.service_number === OFFICER &&
                                             e.subject === `breach report: agents ${INVESTIGATOR};`);
  assert.equal(read.length, 1, JSON.stringify(auditSearches()));
  assert.equal(read[0].outcome, 'ok');
  assert.ok(read[0].session_id > 0, 'an authenticated event, with its session');
  assert.ok(read[0].dpop_jkt.length > 0);
  assert.ok(read[0].sequence < report.log_size, 'recorded before the report was read');

  const csv = await officer.call('POST', '/api/v1/breach-reports', {
    service_numbers: [INVESTIGATOR], format: 'csv', proofs: false });
  assert.equal(csv.status, 200, csv.body);
  assert.equal(csv.headers['content-type'], 'text/csv; charset=utf-8');
  assert.match(csv.headers['content-disposition'], /\.csv"$/);
  const lines = csv.body.trim().split('\r\n');
  assert.equal(lines[0], 'person_id,surname,given_names,birth_date,in_records,summary_seen,full_file_opened,' +
                         'named_by_investigation,wanted_notices,criminal_record_entries,first_exposed_utc,' +
                         'last_exposed_utc');
  assert.equal(lines.length, 1 + exposed.length);
  assert.ok(lines.some((l) => l.startsWith(`${firstIds[0]},`)));
  assert.ok(lines.some((l) => l.includes(persons[0].surname)), 'the CSV names the persons, for their notification');
  // The persons it named are named in the log, as the officer's own act...
  const named = auditSearches().filter((e) => e.service_number === OFFICER &&
    e.subject.startsWith(`breach report: agents ${INVESTIGATOR};: persons named`));
  assert.equal(named.length, 1, JSON.stringify(auditSearches()));
  assert.deepEqual(named[0].person_ids, [...exposed].sort((a, b) => a - b));
  // ...so a report on the officer's own session (stolen, say) counts them.
  const onOfficer = JSON.parse((await officer.call('POST', '/api/v1/breach-reports',
    { session_ids: [named[0].session_id], format: 'json', proofs: false })).body);
  assert.equal(onOfficer.counts.named_subjects, exposed.length);
  assert.equal(onOfficer.counts.investigation_events, 1);
  assert.ok(onOfficer.subjects.every((s) => s.in_records === null), 'not looked up: unknown');

  const html = await officer.call('POST', '/api/v1/breach-reports', {
    agent_ids: [report.events[0].agent_id], since: '2000-01-01', until: '2999-12-31T23:59:59Z', format: 'html',
    controller: 'Préfecture de police', contact: 'dpo@interieur.example',
    measures: 'Sessions revoked.\nPasswords reset.' });
  assert.equal(html.status, 200, html.body);
  assert.equal(html.headers['content-type'], 'text/html; charset=utf-8');
  assert.match(html.headers['content-disposition'], /\.html"$/);
  assert.match(html.body, /<html/i);
  assert.ok(html.body.includes('Préfecture de police'));
  assert.ok(!html.body.includes(persons[0].surname), 'no names in the HTML');
  // A download under the strict default policy: nothing runs, nothing loads.
  assert.match(html.headers['content-security-policy'], /^default-src 'none'/);
  assert.equal(html.headers['x-content-type-options'], 'nosniff');
  assert.equal(html.headers['cache-control'], 'no-store');
});

test('breach-report source addresses are single IP addresses, matched as the server records them', async () => {
  const report = async (source_addresses) => {
    const r = await officer.call('POST', '/api/v1/breach-reports', { source_addresses, format: 'json', proofs: false });
    assert.equal(r.status, 200, r.body);
    return JSON.parse(r.body);
  };
  const byAgent = JSON.parse((await officer.call('POST', '/api/v1/breach-reports',
    { service_numbers: [INVESTIGATOR], format: 'json', proofs: false })).body);
  const address = byAgent.events[0].source_address;
  assert.match(address, /^127\.\d+\.\d+\.\d+$/, 'the test server listens on IPv4 loopback');
  const plain = await report([address]);
  const exposed = plain.subjects.map((s) => s.person_id);
  for (const id of firstIds) assert.ok(exposed.includes(id));
  // Other spellings of the same address find the same, and the report says
  // which address it looked for.
  for (const spelled of [`::ffff:${address}`, `::FFFF:${address}`, `0:0:0:0:0:ffff:${address}`]) {
    const same = await report([spelled]);
    assert.deepEqual(same.subjects.map((s) => s.person_id), exposed, spelled);
    assert.deepEqual(same.scope.source_addresses, [address]);
  }
  // Not an address: refused, naming the field, before anything is read.
  const reads = auditSearches().length;
  for (const bad of ['127.000.000.001', '127.0.0.0/8', ` ${address}`, `${address} `, 'not-an-ip',
                     'localhost', '::ffff:127.0.0.0/104']) {
    const r = await officer.call('POST', '/api/v1/breach-reports', { source_addresses: [address, bad], format: 'json' });
    assertProblem(r, 400);
    assert.match(r.json.detail, /'source_addresses' expects an IP address .*not a network/);
  }
  assert.equal(auditSearches().length, reads, 'no read was recorded: none was made');
});

test('others may not read a breach report; the refusal is in the log too', async () => {
  for (const client of [investigator, agent]) {
    const r = await client.call('POST', '/api/v1/breach-reports', { service_numbers: [INVESTIGATOR], format: 'json' });
    assertProblem(r, 403);
    assert.equal(r.json.subjects, undefined);
  }
  const refused = auditSearches().filter((e) => e.service_number === AGENT && e.outcome === 'refused' &&
                                                e.subject.startsWith('breach report:'));
  assert.equal(refused.length, 1);
});

// Names in bulk, as a consultation: the use notice acknowledged first.
test('a breach report or a claim check waits for the use notice to be acknowledged', async () => {
  const fresh = await activeClient(server, installation, NEW_OFFICER, { acknowledge: false });
  const ask = () => fresh.call('POST', '/api/v1/breach-reports', { service_numbers: [INVESTIGATOR], format: 'csv' });
  const check = () => fresh.call('POST', '/api/v1/claim-checks', { sample: 'nom;prenom;date_naissance\nA;B;1970-01-01', format: 'csv' });
  for (const refused of [await ask(), await check()]) {
    assertProblem(refused, 403);
    assert.doesNotMatch(refused.body, /surname|nom;/);
  }
  assert.equal((await fresh.acknowledgeNotice()).status, 204);
  assert.equal((await ask()).status, 200);
  assert.equal((await check()).status, 200);
});

test('bad breach-report bodies are refused with a problem, and nothing is read', async () => {
  const reads = auditSearches().length;
  const bad = [
    { service_numbers: [INVESTIGATOR], format: 'json', agents: [INVESTIGATOR] },  // unknown field
    { service_numbers: INVESTIGATOR, format: 'json' },                            // not a list
    { agent_ids: ['3'], format: 'json' },
    { session_ids: [1.5], format: 'json' },
    { agent_ids: [-1], format: 'json' },
    { dpop_jkts: [7], format: 'json' },
    { service_numbers: [INVESTIGATOR], format: 'pdf' },
    { service_numbers: [INVESTIGATOR] },                                          // no format
    { service_numbers: [INVESTIGATOR], format: 'json', proofs: 'no' },
    { format: 'json' },                                                           // empty scope
    { format: 'json', since: '2026-01-01', until: '2026-02-01' },                 // a window alone
    { service_numbers: [], agent_ids: [], format: 'json' },
    { source_addresses: [''], format: 'json' },
    { service_numbers: [INVESTIGATOR], format: 'json', since: '2026-13-45' },
    { service_numbers: [INVESTIGATOR], format: 'json', until: 'yesterday' },
    { service_numbers: [INVESTIGATOR], format: 'json', since: '2026-03-02', until: '2026-03-01' },
    { session_ids: Array.from({ length: 1001 }, (_, i) => i + 1), format: 'json' },
    { service_numbers: ['NOBODY-9'], format: 'json' },
    { service_numbers: [INVESTIGATOR], format: 'json', controller: 'a\u0000b' },
    { service_numbers: [INVESTIGATOR], format: 'json', controller: 'Ministère' },  // for html only
    { service_numbers: [INVESTIGATOR], format: 'csv', measures: 'accounts closed' },
    { service_numbers: [INVESTIGATOR], format: 'csv', proofs: true },             // a CSV holds none
  ];
  for (const body of bad) {
    assertProblem(await officer.call('POST', '/api/v1/breach-reports', body), 400);
  }
  const notJson = await request(server, 'POST', '/api/v1/breach-reports', {
    headers: { Authorization: `DPoP ${officer.access}`,
               DPoP: await officer.key.proof('POST', officer.url('/api/v1/breach-reports'), officer.access) },
    rawBody: '{"format":"json",' });
  assertProblem(notJson, 400);
  // Those refused by the portal (empty scope, unknown agent...) are recorded
  // as refused reads; none was a read.
  assert.ok(auditSearches().slice(reads).every((e) => e.outcome === 'refused'));
  // A body over the ordinary limit: only the claim check takes files.
  const huge = { service_numbers: [INVESTIGATOR], format: 'json', controller: 'x'.repeat(100 * 1024) };
  const tooBig = await tooLargeAnswer(server, officer.call('POST', '/api/v1/breach-reports', huge));
  assert.equal(tooBig.status, 413);
});

// Letters only: a name the records' normaliser accepts, that nobody bears.
const madeUp = (i) => 'Zq' + [...i.toString(26)].map((d) => String.fromCharCode(97 + parseInt(d, 26))).join('');

test('a security officer checks a leaked sample larger than the ordinary body limit', async () => {
  const p = persons[0];
  const untouched = persons[900];
  const rows = [
    `${p.surname};${p.given_names[0]};${p.birth_date}`,  // returned to the investigator
    `${untouched.surname};${untouched.given_names.join(' ')};${untouched.birth_date}`,  // real, never returned
    'Zzyzxq;Qwertyu;1901-02-03',  // nobody
    'Dupont;;1970-01-01',  // no given name: invalid
  ];
  for (let i = 0; i < 4000; ++i) rows.push(`${madeUp(i)};Jean;1950-01-01`);
  const sample = ['nom;prénom;date_naissance', ...rows].join('\r\n') + '\r\n';
  assert.ok(sample.length > 64 * 1024, 'over server.max_body_bytes');

  const r = await officer.call('POST', '/api/v1/claim-checks', { sample, file_name: 'leak.csv' });
  assert.equal(r.status, 200, r.body.slice(0, 500));
  assert.match(r.headers['content-type'], /^application\/json/);
  const { summary, rows: results } = r.json;
  assert.equal(summary.rows, rows.length);
  assert.equal(results.length, rows.length);
  assert.equal(summary.real_and_accessed + summary.real_never_accessed + summary.no_match + summary.invalid,
               summary.rows);
  assert.deepEqual(summary.columns, { surname: 'nom', given_names: 'prénom', birth_date: 'date_naissance', person_id: null });
  assert.equal(results[0].verdict, 'real_and_accessed');
  assert.ok(results[0].persons.some((x) => x.accessed && x.sessions.some((s) => s.service_number === INVESTIGATOR)));
  // Real (whether some search happened to return them or not).
  assert.ok(['real_never_accessed', 'real_and_accessed'].includes(results[1].verdict), results[1].verdict);
  assert.equal(results[1].persons[0].matched_on, 'all_given_names');
  assert.equal(results[2].verdict, 'no_match');
  assert.equal(results[3].verdict, 'invalid');
  assert.ok(results[3].error.length > 0);
  assert.ok(summary.sessions.some((s) => s.service_number === INVESTIGATOR));

  const read = auditSearches().filter((e) => e.service_number === OFFICER && /^claim check: leak\.csv/.test(e.subject));
  assert.equal(read.length, 2);
  assert.equal(read[0].outcome, 'ok');
  assert.ok(!JSON.stringify(read).includes(p.surname), 'the sample\'s names are not in the log');
  // The read, then the real persons it named, so that "who consulted this
  // person" finds the officer's check too.
  assert.match(read[1].subject, /: persons named, part 1 of 1$/);
  const named = [...new Set(results.flatMap((row) => (row.persons ?? []).map((x) => x.person_id)))].sort((a, b) => a - b);
  assert.deepEqual(read[1].person_ids, named);
  const whoSaw = installation.vigie('audit', 'search', '--person', String(results[0].persons[0].person_id))
    .trim().split('\n').map((line) => JSON.parse(line));
  assert.ok(whoSaw.some((e) => e.service_number === OFFICER && e.type === 'audit_search'), 'the check is found by person');

  // JSON Lines, with the format given and a column named.
  const jsonl = [{ family: p.surname, prenom: p.given_names[0], dob: p.birth_date, id: 'X' }]
    .map((o) => JSON.stringify(o)).join('\n');
  const lined = await officer.call('POST', '/api/v1/claim-checks', { sample: jsonl, format: 'jsonl', columns: ['surname=family'] });
  assert.equal(lined.status, 200, lined.body);
  assert.equal(lined.json.rows[0].verdict, 'real_and_accessed');
  assert.equal(lined.json.rows[0].id_agrees, false);
});

test('the claim check is refused to others, and bad or oversized samples are refused', async () => {
  const sample = 'nom;prenom;date_naissance\r\nDupont;Jean;1970-01-01\r\n';
  for (const client of [investigator, agent]) {
    assertProblem(await client.call('POST', '/api/v1/claim-checks', { sample }), 403);
  }
  assert.ok(auditSearches().some((e) => e.service_number === AGENT && e.outcome === 'refused' &&
                                        e.subject.startsWith('claim check:')));
  const bad = [
    { sample, extra: 1 },
    { sample: 42 },
    { sample: '' },
    {},
    { sample, format: 'xlsx' },
    { sample, file_name: 'leak.xlsx' },  // the format cannot be told
    { sample, columns: ['nickname=x'] },
    { sample, columns: 'surname=nom' },
    { sample: 'colour;shape\r\nred;round\r\n' },  // no identity columns
    { sample: 'nom\u0000;prenom;date\n' },
  ];
  for (const body of bad) {
    assertProblem(await officer.call('POST', '/api/v1/claim-checks', body), 400);
  }
  // A sample whose columns cannot be found is logged refused, never as a check done.
  const noColumns = auditSearches().filter((e) => e.service_number === OFFICER &&
                                                   e.subject === 'claim check: sample (25 bytes)');
  assert.ok(noColumns.length > 0 && noColumns.every((e) => e.outcome === 'refused'),
            JSON.stringify(noColumns));
  // Over the ordinary limit, under the upload limit: read only from a security
  // officer's live session, judged from the head, so strangers cannot hold the
  // upload places; anyone else gets the ordinary limit.
  const reads = auditSearches().length;
  const large = { sample: sample + 'Dupont;Jean;1970-01-01\r\n'.repeat(4000) };
  const attempts = [
    investigator.call('POST', '/api/v1/claim-checks', large),
    agent.call('POST', '/api/v1/claim-checks', large),
    officer.call('POST', '/api/v1/claim-checks', large, { proofOptions: { htm: 'PUT' } }),
    officer.call('POST', '/api/v1/claim-checks', large, { token: 'not-a-token' }),
    request(server, 'POST', '/api/v1/claim-checks', { body: large }),
    // The officer's own, but what the route refuses whatever the body.
    officer.call('PUT', '/api/v1/claim-checks', large),
    officer.call('POST', '/api/v1/claim-checks', large, { target: '/api/v1/claim-checks?format=csv' }),
  ];
  // All caught at once: one failing while another is awaited must not go
  // unhandled.
  const answers = await Promise.all(attempts.map((attempt) => tooLargeAnswer(server, attempt)));
  for (const r of answers) assert.equal(r.status, 413);
  assert.equal(auditSearches().length, reads, 'nothing was read');
  // Over server.max_upload_bytes (8 MiB by default): 413 before any handler.
  const huge = sample + 'Dupont;Jean;1970-01-01\r\n'.repeat(9 * 1024 * 1024 / 24);
  const tooBig = await tooLargeAnswer(server, officer.call('POST', '/api/v1/claim-checks', { sample: huge }));
  assert.equal(tooBig.status, 413);
  if (tooBig.json) assertProblem(tooBig, 413);
  assert.equal(auditSearches().length, reads, 'an oversized sample is never read');
  // Nor from an officer's proof replayed: its first use is read.
  const jti = randomUUID();
  assert.equal((await officer.call('POST', '/api/v1/claim-checks', large, { proofOptions: { jti } })).status, 200);
  const replayed = await tooLargeAnswer(server, officer.call('POST', '/api/v1/claim-checks', large,
                                                             { proofOptions: { jti } }));
  assert.equal(replayed.status, 413);
});
