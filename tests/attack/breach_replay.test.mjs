// The breach that motivates Vigie, replayed step by step against the real
// server (`vigie serve`), with clients independent of Vigie's code (jose for
// DPoP, oathtool for TOTP). The attacker's script keeps its own ground truth -
// every summary it received - and the breach report and the leaked-sample
// check must find exactly that.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createInstallation, startServer, activeClient, request, Client, PASSWORD, wantedToday,
} from '../integration/api/harness.mjs';

const VICTIM = 'PN-1001';
const COLLEAGUE = 'PN-1002';
const OFFICER = 'SO-0001';
const THIEF_ADDRESS = '127.1.0.9';  // loopback, but outside the victim's 127.0.0.0/24

let installation;
let server;
let victim;
let officer;
let colleague;
let persons;  // the generated population, as imported
let wanted;   // those of them wanted today: all an agent's search may find
const received = new Map();  // person_id -> summary: what the attacker's script got

before(async () => {
  installation = createInstallation({
    persons: 3000,
    agents: [
      { service_number: VICTIM, name: 'Victime', roles: ['agent'] },
      { service_number: COLLEAGUE, name: 'Collègue', roles: ['agent'] },
      { service_number: OFFICER, name: 'Officier SSI', roles: ['security_officer'] },
    ],
  });
  const lines = readFileSync(join(installation.dir, 'p.jsonl'), 'utf8').split('\n').filter(Boolean)
    .map((line) => JSON.parse(line));
  persons = lines.filter((r) => r.kind === 'person');
  wanted = wantedToday(lines);
  server = await startServer(installation);
});

after(async () => {
  await server?.stop();
  installation?.remove();
});

const search = (client, person) => client.call('POST', '/api/v1/search', {
  purpose: 'identity_check', surname: person.surname, given_name: person.given_names[0] });

test('1. an activation code found in a mailbox, already used, is refused', async () => {
  victim = await activeClient(server, installation, VICTIM);
  // The legitimate agent's day: a couple of ordinary checks from the office.
  for (const p of persons.slice(0, 2)) {
    const r = await victim.call('POST', '/api/v1/search', {
      purpose: 'identity_check', surname: p.surname, given_name: p.given_names[0],
      birth_date: p.birth_date });
    assert.equal(r.status, 200, r.body);
  }
  const thief = await Client.create(server);
  const reused = await thief.activate(installation.codes[VICTIM], 'attacker chosen password 99');
  assert.ok(reused.status === 400 || reused.status === 401, `status ${reused.status}`);
  assert.equal(reused.json?.totp_secret, undefined);
});

test('2. a password taken from a mailbox gives no session without the second factor', async () => {
  const thief = await Client.create(server);
  const step1 = await request(server, 'POST', '/api/v1/auth/login',
                              { body: { service_number: VICTIM, password: PASSWORD } });
  assert.equal(step1.status, 200);
  for (const guess of ['000000', '123456']) {
    const step2 = await thief.secondFactor(step1.json.login_challenge, guess);
    assert.equal(step2.status, 401);
    assert.equal(step2.json?.access_token, undefined);
  }
});

test('3. an access token taken from a mailbox is refused without its DPoP key', async () => {
  const thief = await Client.create(server);  // its own key
  thief.access = victim.access;
  const r = await search(thief, persons[0]);
  assert.equal(r.status, 401);
  assert.equal(r.json?.results, undefined);
});

test('4. a fully stolen session sweeping surnames from a new network is suspended before 50 summaries', async () => {
  const thief = new Client(server, victim.key);  // key included
  thief.access = victim.access;
  thief.refreshToken = victim.refreshToken;
  thief.localAddress = THIEF_ADDRESS;
  // A sweep through a list of names in alphabetical order. An agent's
  // searches find wanted persons only, so the list is of those (the
  // attacker's worst case): each search returns summaries.
  const sweep = [...wanted].sort((a, b) => (a.surname < b.surname ? -1 : a.surname > b.surname));
  let summaries = 0;
  let stoppedWith;
  for (const person of sweep) {
    const r = await search(thief, person);
    if (r.status !== 200) { stoppedWith = r.status; break; }
    for (const s of r.json.results) received.set(s.person_id, s);
    summaries += r.json.results.length;
  }
  assert.equal(stoppedWith, 401, 'the sweep was never stopped');
  assert.ok(summaries < 50, `${summaries} summaries were returned`);
  assert.ok(received.size > 0);
  // The session is dead for its owner too, and the agent is suspended.
  assert.equal((await search(victim, persons[0])).status, 401);
  officer = await activeClient(server, installation, OFFICER);
  const alerts = await officer.call('POST', '/api/v1/alerts/search', { status: 'all' });
  assert.equal(alerts.status, 200, alerts.body);
  const mine = alerts.json.alerts.filter((a) => a.service_number === VICTIM);
  const suspension = mine.find((a) => a.action === 'suspend');
  assert.ok(suspension, JSON.stringify(mine));
  assert.ok(['distinct_persons', 'enumeration', 'query_rate'].includes(suspension.rule));
  assert.equal(suspension.source_address, THIEF_ADDRESS);
  assert.ok(mine.some((a) => a.rule === 'new_network'), JSON.stringify(mine));
  const agent = installation.vigie('agent', 'show', VICTIM, '--json');
  assert.equal(JSON.parse(agent).status, 'suspended');
  // The alert travels with the audit stream.
  const exported = installation.vigie('audit', 'search', '--type', 'alert_raised');
  assert.match(exported, new RegExp(suspension.rule));
  // And so does the suspension itself, by detection.
  const suspended = installation.vigie('audit', 'search', '--type', 'agent_suspended');
  assert.match(suspended, /vigie-detect/);
  assert.match(suspended, new RegExp(VICTIM));
});

test('5. the breach report on the stolen session lists exactly the persons the script received', async () => {
  const out = join(installation.dir, 'breach');
  installation.vigie('breach', 'report', '--address', THIEF_ADDRESS, '--out', out);
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  const exposed = report.subjects.map((s) => s.person_id).sort((a, b) => a - b);
  assert.deepEqual(exposed, [...received.keys()].sort((a, b) => a - b));
  assert.equal(report.counts.subjects, received.size);
  assert.equal(report.counts.full_file_subjects, 0);  // summaries only
  assert.ok(report.counts.unproven_events === 0, 'every event proven against a checkpoint');
  assert.ok(report.subjects.every((s) => s.in_records), 'every exposed person is still in the records');
  // The same report on standard output.
  const printed = JSON.parse(installation.vigie('breach', 'report', '--address', THIEF_ADDRESS, '--json'));
  assert.deepEqual(printed.subjects, report.subjects);
  // The list for notification names each of them.
  const csv = readFileSync(join(out, 'subjects.csv'), 'utf8').trim().split('\n');
  assert.equal(csv.length, 1 + received.size);
  for (const summary of received.values()) {
    assert.ok(csv.some((line) => line.startsWith(`${summary.person_id},`)), `${summary.person_id}`);
  }
  assert.match(readFileSync(join(out, 'report.html'), 'utf8'), /<html/i);
  // Who watches the watchers: the report is itself in the log.
  assert.match(installation.vigie('audit', 'search', '--type', 'audit_search'),
               new RegExp(`breach report: addresses ${THIEF_ADDRESS.replaceAll('.', '\\.')}`));
});

test('6. in a fabricated 10 000-row "leak", the claim check finds exactly the persons the attacker saw', async () => {
  const rows = [];
  for (const s of received.values()) rows.push([s.surname, s.given_names[0], s.birth_date]);
  // Real persons nobody consulted (the victim's own two checks left out)...
  const key = (surname, given, birth) => `${surname}|${given}|${birth}`;
  const seenKeys = new Set([...received.values()].map((s) => key(s.surname, s.given_names[0], s.birth_date)));
  const untouched = persons.slice(2)
    .filter((p) => !seenKeys.has(key(p.surname, p.given_names[0], p.birth_date))).slice(0, 20);
  for (const p of untouched) rows.push([p.surname, p.given_names[0], p.birth_date]);
  // ... and fabricated ones: real-looking names, made-up dates.
  for (let i = 0; rows.length < 10000; ++i) {
    const p = persons[(i * 7919) % persons.length];
    rows.push([p.surname, persons[(i * 104729) % persons.length].given_names[0],
               `19${String(10 + (i % 80)).padStart(2, '0')}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`]);
  }
  const csv = ['nom;prénom;date_naissance',
               ...rows.map((r) => r.map((v) => `"${v.replaceAll('"', '""')}"`).join(';'))].join('\r\n');
  const leak = join(installation.dir, 'leak.csv');
  const out = join(installation.dir, 'leak-rows.jsonl');
  writeFileSync(leak, csv);
  installation.vigie('claim', 'check', leak, '--out', out, '--json');
  const results = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(results.length, 10000);
  const seen = new Set();
  for (const r of results.filter((x) => x.verdict === 'real_and_accessed')) {
    for (const p of r.persons) if (p.accessed) seen.add(p.person_id);
  }
  assert.deepEqual([...seen].sort((a, b) => a - b), [...received.keys()].sort((a, b) => a - b));
  const never = results.filter((x) => x.verdict === 'real_never_accessed').length;
  assert.ok(never >= untouched.length, `${never} real rows never accessed`);
  assert.equal(results.filter((x) => x.verdict === 'invalid').length, 0);
  assert.match(installation.vigie('audit', 'search', '--type', 'audit_search'), /claim check: leak\.csv/);
});

test('7. containing the unit kills every session on its next request', async () => {
  colleague = await activeClient(server, installation, COLLEAGUE);
  assert.equal((await search(colleague, persons[5])).status, 200);
  const contained = await officer.call('POST', '/api/v1/incidents', {
    unit: 'PN-75', reason: 'breach replay: sweep from 127.1.0.9' });
  assert.equal(contained.status, 201, contained.body);
  assert.deepEqual(contained.json.agents, [VICTIM, COLLEAGUE].sort());
  assert.equal((await search(colleague, persons[5])).status, 401);
  assert.equal((await colleague.refresh()).status, 401);
  // A new login is refused too, until the incident is released.
  const again = await Client.create(server);
  assert.equal((await again.login(COLLEAGUE, PASSWORD, colleague.secret, { offsetSteps: 1 })).status,
               401);
  // The officer, who contained it, still works.
  assert.equal((await officer.call('GET', '/api/v1/incidents')).status, 200);
  // Release (reset): credentials erased, for new passwords and second factors
  // from an administrator's new activation codes.
  const released = await officer.call('POST', `/api/v1/incidents/${contained.json.id}/release`, {});
  assert.equal(released.status, 200, released.body);
  // Both wait for a new activation code. The victim, suspended by detection
  // before the containment, stays suspended (lifting that takes a decision
  // of its own, not the incident's release), but the stolen credentials are
  // gone: reinstated later, it activates anew.
  assert.deepEqual(released.json.reset.map((a) => [a.service_number, a.status]).sort(),
                   [[COLLEAGUE, 'pending_activation'], [VICTIM, 'suspended']].sort());
  // The officer gets no code: with one, they could act as the agent.
  assert.ok(released.json.reset.every((a) => a.activation_code === undefined), released.body);
  assert.deepEqual(released.json.kept_suspended.map((a) => [a.service_number, a.status]),
                   [[VICTIM, 'suspended']]);
  assert.deepEqual(released.json.reinstated, []);
  const audit = installation.vigie('audit', 'search', '--type', 'incident_action');
  assert.match(audit, /breach replay/);
  // The log says the release left one agent suspended.
  assert.match(installation.vigie('audit', 'search', '--type', 'incident_released'),
               /released \(reset\) unit PN-75, 2 agents, 1 kept suspended/);
});
