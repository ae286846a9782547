// Issue 3's front door, proven over real sockets against `vigie serve`:
// activation, the two login steps, DPoP-bound sessions, refresh rotation,
// revocation, roles and purposes, and malformed input.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createInstallation, startServer, request, Client, DpopKey, totp, activeClient,
         PASSWORD, activationCodeIn, tooLargeAnswer } from './harness.mjs';

let installation, server;
// One agent per test: each login spends a TOTP step, which cannot be reused.
const AGENTS = [
  ['ACT-1', ['agent']], ['PWD-1', ['agent']], ['STL-1', ['agent']], ['PRF-1', ['investigator']],
  ['REF-1', ['agent']], ['REF-2', ['agent']], ['REV-1', ['agent']], ['LOG-1', ['agent']], ['INV-2', ['investigator']],
  ['AGT-5', ['agent']], ['ADM-1', ['administrator']], ['NTC-1', ['agent']], ['ENU-1', ['agent']],
  ['SUP-1', ['supervisor']], ['ADM-2', ['administrator']], ['MED-1', ['agent']],
  ['BDY-1', ['agent']], ['HED-1', ['agent']], ['HLD-1', ['agent']], ['ADM-3', ['administrator']], ['PGE-1', ['agent']],
  ['FCR-1', ['agent']], ['FCR-2', ['agent']], ['FCR-3', ['agent']], ['BRIGADE-NORD-0001', ['agent']],
].map(([service_number, roles]) => ({ service_number, name: `Agent ${service_number}`, roles }));

before(async () => {
  installation = createInstallation({
    agents: AGENTS,
    config: { auth: { address_attempts_per_minute: 100000 } },
  });
  server = await startServer(installation);
});

after(async () => {
  const code = await server?.stop();
  installation?.remove();
  assert.equal(code, 0, 'graceful stop exits 0');
});

function assertProblem(r, status) {
  assert.equal(r.status, status, r.body);
  assert.match(r.headers['content-type'], /application\/problem\+json/);
  assert.ok(r.json.request_id, 'problem carries the request id');
  assert.equal(r.json.request_id, r.headers['x-request-id']);
}

test('every response carries the security headers and no-store', async () => {
  for (const path of ['/healthz', '/api/v1/use-notice', '/api/v1/nope']) {
    const r = await request(server, 'GET', path);
    assert.match(r.headers['strict-transport-security'], /max-age=\d+/);
    assert.match(r.headers['content-security-policy'], /frame-ancestors 'none'/);
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.equal(r.headers['referrer-policy'], 'no-referrer');
    assert.equal(r.headers['cache-control'], 'no-store');
    assert.match(r.headers['x-request-id'], /^[0-9a-f]{32}$/);
    // Dated (RFC 9110), so a client whose clock is off can date its proofs by ours.
    assert.ok(Math.abs(Date.parse(r.headers.date) - Date.now()) < 5000, r.headers.date);
  }
});

test('activation sets a password and enrols TOTP once; the code works once', async () => {
  const client = await Client.create(server);
  const code = installation.codes['ACT-1'];
  for (const weak of ['password1234', 'short', 'Agent ACT-1 secret', 'xxACT-1xx-long-enough']) {
    assertProblem(await client.activate(code, weak), 400);
  }
  const act = await client.activate(code.toLowerCase().replaceAll('-', ''), PASSWORD);
  assert.equal(act.status, 200, act.body);
  assert.match(act.json.otpauth_uri, /^otpauth:\/\/totp\/Vigie:ACT-1\?secret=[A-Z2-7]+/);
  assert.match(act.json.qr_svg, /<svg/);
  assertProblem(await client.activate(code, PASSWORD), 401);
  // The seed works with an independent TOTP implementation.
  assert.equal((await client.login('ACT-1', PASSWORD, act.json.totp_secret)).status, 200);
});

test('a password alone gets no session', async () => {
  const client = await Client.create(server);
  const act = await client.activate(installation.codes['PWD-1'], PASSWORD);
  assert.equal(act.status, 200);
  const step1 = await request(server, 'POST', '/api/v1/auth/login',
                              { body: { service_number: 'PWD-1', password: PASSWORD } });
  assert.equal(step1.status, 200);
  assert.ok(step1.json.login_challenge);
  assert.equal(step1.json.access_token, undefined);
  // The challenge is not a token.
  assertProblem(await client.call('GET', '/api/v1/self', undefined, { token: step1.json.login_challenge }), 401);
  // A wrong TOTP code opens nothing; the right one then does.
  assertProblem(await client.secondFactor(step1.json.login_challenge, '000000'), 401);
  const code = totp(act.json.totp_secret);
  const ok = await client.secondFactor(step1.json.login_challenge, code);
  assert.equal(ok.status, 200, ok.body);
  assert.equal(ok.json.token_type, 'DPoP');
  assert.equal(ok.json.use_notice.acknowledged, false);
  // A TOTP code once used is refused again.
  const step1b = await request(server, 'POST', '/api/v1/auth/login',
                               { body: { service_number: 'PWD-1', password: PASSWORD } });
  assertProblem(await client.secondFactor(step1b.json.login_challenge, code), 401);
});

test('a stolen access token without its key is refused', async () => {
  const victim = await activeClient(server, installation, 'STL-1');
  assert.equal((await victim.call('GET', '/api/v1/self')).status, 200);
  const thief = await DpopKey.create();
  const stolen = await victim.call('GET', '/api/v1/self', undefined, { key: thief });
  assertProblem(stolen, 401);
  // RFC 9449 §7.1: a token the proof's key does not hold is an invalid token.
  assert.equal(stolen.headers['www-authenticate'], 'DPoP error="invalid_token", algs="ES256"');
  const bare = await request(server, 'GET', '/api/v1/self', { headers: { Authorization: `DPoP ${victim.access}` } });
  assertProblem(bare, 401);
  assert.equal(bare.headers['www-authenticate'], 'DPoP error="invalid_dpop_proof", algs="ES256"');
  const none = await request(server, 'GET', '/api/v1/self');
  assertProblem(none, 401);
  assert.equal(none.headers['www-authenticate'], 'DPoP algs="ES256"', 'no credentials, no error code');
  const bearer = await request(server, 'GET', '/api/v1/self', {
    headers: { Authorization: `Bearer ${victim.access}`,
               DPoP: await victim.key.proof('GET', victim.url('/api/v1/self'), victim.access) } });
  assertProblem(bearer, 401);
  assert.equal(bearer.headers['www-authenticate'], 'DPoP algs="ES256"', 'another scheme: which one to use');
  // The owner is unaffected.
  assert.equal((await victim.call('GET', '/api/v1/self')).status, 200);
});

test('proofs for another method or URL, replayed, stale or from the future are refused', async () => {
  const client = await activeClient(server, installation, 'PRF-1');
  for (const proofOptions of [{ htm: 'POST' }, { htu: client.url('/api/v1/agents') },
                              { iatOffset: -3600 }, { iatOffset: 3600 }]) {
    assertProblem(await client.call('GET', '/api/v1/self', undefined, { proofOptions }), 401);
  }
  // A proof is remembered only with a good token: proofs sent with made-up
  // tokens cannot fill the replay cache, and do not burn the jti.
  const unburnt = `unburnt-${Date.now()}`;
  assertProblem(await client.call('GET', '/api/v1/self', undefined,
                                  { token: 'va_made-up-token-made-up-token-made-up-toke', proofOptions: { jti: unburnt } }), 401);
  assert.equal((await client.call('GET', '/api/v1/self', undefined, { proofOptions: { jti: unburnt } })).status, 200);
  const jti = `replayed-${Date.now()}`;
  assert.equal((await client.call('GET', '/api/v1/self', undefined, { proofOptions: { jti } })).status, 200);
  // A replay refused does not count as the session's activity: it would
  // otherwise keep an idle stolen session alive.
  const idleSince = Math.floor(Date.now() / 1000) - 120;
  const session = "agent_id = (SELECT id FROM agent WHERE service_number = 'PRF-1') AND ended_at IS NULL";
  installation.databases.storeSql(`UPDATE session SET last_seen_at = ${idleSince} WHERE ${session}`);
  assertProblem(await client.call('GET', '/api/v1/self', undefined, { proofOptions: { jti } }), 401);
  assert.equal(installation.databases.storeSql(`SELECT last_seen_at FROM session WHERE ${session}`),
               String(idleSince));
  assert.equal((await client.call('GET', '/api/v1/self')).status, 200);
  assert.ok(Number(installation.databases.storeSql(`SELECT last_seen_at FROM session WHERE ${session}`)) > idleSince,
            'a good request is activity');
});

test('refresh rotates, and reusing a refresh token ends the session unless its proof is a stranger\'s', async () => {
  const client = await activeClient(server, installation, 'REF-1');
  const oldRefresh = client.refreshToken;
  assert.equal((await client.refresh()).status, 200);
  assert.notEqual(client.refreshToken, oldRefresh);
  assert.equal((await client.call('GET', '/api/v1/self')).status, 200);
  // The spent token found without its key (a thief's own key signs the
  // proof): refused, and the owner keeps the session.
  const path = '/api/v1/auth/refresh';
  const stranger = await DpopKey.create();
  assertProblem(await request(server, 'POST', path, {
    headers: { DPoP: await stranger.proof('POST', client.url(path)) }, body: { refresh_token: oldRefresh } }), 401);
  assert.equal((await client.call('GET', '/api/v1/self')).status, 200);
  const newAccess = client.access;
  client.refreshToken = oldRefresh;
  assertProblem(await client.refresh(), 401);
  assertProblem(await client.call('GET', '/api/v1/self', undefined, { token: newAccess }), 401);
  // The strongest sign of a stolen session names its agent and session in
  // the log, and raises an alert: both reuses are recorded.
  const reuses = installation.vigie('audit', 'search', '--type', 'refresh_reuse').trim().split('\n')
    .filter(Boolean).map((l) => JSON.parse(l)).filter((e) => e.service_number === 'REF-1');
  assert.equal(reuses.length, 2, JSON.stringify(reuses));
  assert.ok(reuses.every((e) => e.session_id > 0), JSON.stringify(reuses));
  assert.match(installation.vigie('alert', 'list'), /refresh_reuse[^\n]*REF-1|REF-1[^\n]*refresh_reuse/);
});

test('a refresh proof replayed with the next refresh token is refused, and spends nothing', async () => {
  const client = await activeClient(server, installation, 'REF-2');
  const path = '/api/v1/auth/refresh';
  const proof = await client.key.proof('POST', client.url(path));
  const first = await request(server, 'POST', path,
                              { headers: { DPoP: proof }, body: { refresh_token: client.refreshToken } });
  assert.equal(first.status, 200);
  client.adopt(first.json);
  const replayed = await request(server, 'POST', path,
                                 { headers: { DPoP: proof }, body: { refresh_token: client.refreshToken } });
  assertProblem(replayed, 401);
  // The refresh token the replay came with is still good, and so is the session.
  assert.equal((await client.refresh()).status, 200);
  assert.equal((await client.call('GET', '/api/v1/self')).status, 200);
});

test('refused second steps and refreshes spend their address’s bucket; past it, refused unheard', async () => {
  const client = await activeClient(server, installation, 'FCR-1');
  // Successes do not count: more refreshes than the bucket holds, from one address.
  client.localAddress = '127.0.0.21';
  for (let i = 0; i < 35; i++) assert.equal((await client.refresh()).status, 200);
  const path = '/api/v1/auth/refresh';
  const stranger = await DpopKey.create();
  const send = async (body, dpop) => request(server, 'POST', path, {
    headers: { DPoP: dpop ?? await stranger.proof('POST', client.url(path)) }, body, localAddress: '127.0.0.22' });
  for (let i = 0; i < 29; i++) assertProblem(await send({ refresh_token: `not-a-token-${i}` }), 401);
  assertProblem(await send({ refresh_token: 'not-a-token' }, 'not a proof'), 401);
  const unheard = await send({ refresh_token: 'not-a-token' });
  assertProblem(unheard, 429);
  assert.ok(Number(unheard.headers['retry-after']) >= 1, JSON.stringify(unheard.headers));
  // A live refresh token is still heard from that address: one client's
  // failures do not shut out the agents behind the same NAT.
  client.localAddress = '127.0.0.22';
  assertProblem(await client.secondFactor('not-a-challenge', '000000'), 429);
  const used = client.refreshToken;
  assert.equal((await client.refresh()).status, 200);
  assert.equal((await client.call('GET', '/api/v1/self')).status, 200);
  // Heard successes gave back nothing they had not taken.
  assertProblem(await send({ refresh_token: 'not-a-token' }), 429);
  // A used token is heard too: its reuse still ends the session.
  const current = client.refreshToken;
  client.refreshToken = used;
  assertProblem(await client.refresh(), 401);
  client.localAddress = '127.0.0.21';
  assertProblem(await client.call('GET', '/api/v1/self'), 401);
  const reuses = installation.vigie('audit', 'search', '--type', 'refresh_reuse').trim().split('\n')
    .filter(Boolean).map((l) => JSON.parse(l)).filter((e) => e.service_number === 'FCR-1');
  assert.equal(reuses.length, 1, JSON.stringify(reuses));
  // Spent again first: the bucket regains a token every 2 s, and the audit
  // search above may take that long (PostgreSQL).
  let respent = false;
  for (let i = 0; i < 40 && !respent; i++) {
    const r = await send({ refresh_token: `not-a-token-again-${i}` });
    respent = r.status === 429;
    if (!respent) assertProblem(r, 401);
  }
  assert.ok(respent, 'the address is spent again');
  assertProblem(await send({ refresh_token: current }), 429, 'its session ended: no longer heard');
  // A live token is heard a few times with bad proofs, not without end (a
  // token the address's bucket regains every 2 s may let one more through).
  const other = await activeClient(server, installation, 'FCR-2');
  let heard = 0;
  for (let i = 0; i < 12; i++) {
    const r = await send({ refresh_token: other.refreshToken }, 'not a proof');
    if (r.status === 429) break;
    assertProblem(r, 401);
    heard += 1;
  }
  assert.ok(heard >= 3 && heard < 12, `heard ${heard} times`);
  assert.equal((await other.refresh()).status, 200, 'from its own address, untouched');
  // Heard per credential and address: at another spent address its owner
  // still has what the bad proofs spent at the first.
  let spent = false;
  for (let i = 0; i < 40 && !spent; i++) {
    const r = await request(server, 'POST', path, { localAddress: '127.0.0.26',
      headers: { DPoP: await stranger.proof('POST', client.url(path)) }, body: { refresh_token: `not-a-token-${i}` } });
    spent = r.status === 429;
  }
  assert.ok(spent, 'the second address is spent');
  other.localAddress = '127.0.0.26';
  assert.equal((await other.refresh()).status, 200, 'heard at another spent address');
});

test('refused passkey options spend their address’s bucket too; a live challenge is still heard', async () => {
  const client = await activeClient(server, installation, 'FCR-3');
  const options = (login_challenge) => request(server, 'POST', '/api/v1/auth/passkey/options',
    { body: { login_challenge }, localAddress: '127.0.0.23' });
  for (let i = 0; i < 30; i++) assertProblem(await options(`not-a-challenge-${i}`), 401);
  const unheard = await options('not-a-challenge');
  assertProblem(unheard, 429);
  assert.ok(Number(unheard.headers['retry-after']) >= 1, JSON.stringify(unheard.headers));
  // Its holder's own challenge is heard (refused: this agent has no passkey).
  const step1 = await request(server, 'POST', '/api/v1/auth/login',
    { body: { service_number: 'FCR-3', password: PASSWORD }, localAddress: '127.0.0.23' });
  assert.equal(step1.status, 200, step1.body);
  assertProblem(await options(step1.json.login_challenge), 401);
  assert.equal((await client.call('GET', '/api/v1/self')).status, 200);
});

test('suspension takes effect on the very next request; so does logout', async () => {
  const agent = await activeClient(server, installation, 'REV-1');
  assert.equal((await agent.call('GET', '/api/v1/self')).status, 200);
  installation.vigie('agent', 'suspend', 'REV-1');
  assertProblem(await agent.call('GET', '/api/v1/self'), 401);
  const again = await request(server, 'POST', '/api/v1/auth/login',
                              { body: { service_number: 'REV-1', password: PASSWORD } });
  assertProblem(again, 401);
  // "Forgot my password" is no reinstatement: a reset keeps the suspension.
  installation.vigie('agent', 'reset', 'REV-1');
  assert.match(installation.vigie('agent', 'show', 'REV-1'), /\bsuspended\b/);

  const leaving = await activeClient(server, installation, 'LOG-1');
  assert.equal((await leaving.call('POST', '/api/v1/auth/logout')).status, 204);
  assertProblem(await leaving.call('GET', '/api/v1/self'), 401);
});

test('no account enumeration: unknown agent, wrong password and inactive agent read the same', async () => {
  const client = await Client.create(server);
  assert.equal((await client.activate(installation.codes['ENU-1'], PASSWORD)).status, 200);
  const cases = { unknown: ['NOBODY-9', PASSWORD], wrong: ['ENU-1', 'wrong password here'],
                  inactive: ['REV-1', PASSWORD] };
  const answers = {};
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (const [name, [sn, pw]] of Object.entries(cases)) {
    const times = [];
    for (let i = 0; i < (name === 'wrong' ? 3 : 5); i++) {  // 3 wrong passwords: below lock-out
      const started = process.hrtime.bigint();
      const r = await request(server, 'POST', '/api/v1/auth/login', { body: { service_number: sn, password: pw } });
      times.push(Number(process.hrtime.bigint() - started) / 1e6);
      answers[name] = { status: r.status, title: r.json.title, detail: r.json.detail };
    }
    answers[name].ms = median(times);
  }
  for (const a of Object.values(answers)) {
    assert.deepEqual([a.status, a.title, a.detail], [401, answers.unknown.title, answers.unknown.detail]);
  }
  // Every case pays one Argon2id hash: without the dummy hash an unknown
  // agent would answer ~10x faster. A loose bound, not a benchmark.
  for (const name of ['unknown', 'inactive']) {
    const ratio = answers[name].ms / answers.wrong.ms;
    assert.ok(ratio > 0.2 && ratio < 5, `${name}: ${answers[name].ms} ms vs ${answers.wrong.ms} ms`);
  }
});

// A password typed into the service-number field is refused like any
// unknown agent, and not kept in the audit log, which cannot be cleaned.
test('a login naming no agent keeps what was typed only if it could be a service number, not a password', async () => {
  const slips = ['my secret Passw0rd typed in the wrong field', 'bluehorse-2024-dance'];
  for (const sn of [...slips, 'nobody-77', 'brigade-nord-0001']) {
    const r = await request(server, 'POST', '/api/v1/auth/login', { body: { service_number: sn, password: 'wrong' } });
    assert.equal(r.status, 401);
  }
  const lines = installation.vigie('audit', 'search', '--type', 'login_password_failed');
  const failed = lines.trim().split('\n').map((line) => JSON.parse(line));
  assert.ok(failed.some((e) => e.service_number === 'NOBODY-77'), 'a plausible one is kept for investigators');
  assert.ok(failed.some((e) => e.service_number === 'BRIGADE-NORD-0001'), 'an agent\'s, however long, is kept');
  assert.equal(failed.filter((e) => e.service_number === '(not a service number)').length, slips.length);
  assert.ok(!/Passw0rd|BLUEHORSE/i.test(lines), 'nowhere in the events');
});

test('roles, purposes and the use notice decide what a consultation shows', async () => {
  const p = installation.wantedPerson;
  const query = { surname: p.surname, given_name: p.given_names[0], birth_date: p.birth_date.slice(0, 4) };
  const inv = await activeClient(server, installation, 'INV-2');
  const agent = await activeClient(server, installation, 'AGT-5');
  const admin = await activeClient(server, installation, 'ADM-1');
  const supervisor = await activeClient(server, installation, 'SUP-1');
  const unacknowledged = await activeClient(server, installation, 'NTC-1', { acknowledge: false });

  const inquiry = { purpose: 'judicial_investigation', case_reference: '2026/00412-PJ' };
  const found = await inv.call('POST', '/api/v1/search', { ...inquiry, ...query });
  assert.equal(found.status, 200, found.body);
  assert.ok(found.json.results.length >= 1);
  const hit = found.json.results.find((r) => r.surname.length > 0);
  assert.ok('record_entries' in hit, 'investigators on an inquiry see record counts');
  const file = await inv.call('POST', `/api/v1/persons/${hit.person_id}/file`, inquiry);
  assert.equal(file.status, 200, file.body);
  assert.ok(Array.isArray(file.json.criminal_record_entries));

  const street = await agent.call('POST', '/api/v1/search', { purpose: 'identity_check', ...query });
  assert.equal(street.status, 200, street.body);
  assert.ok(!('record_entries' in street.json.results[0]), 'agents never see criminal records');
  const agentFile = await agent.call('POST', `/api/v1/persons/${hit.person_id}/file`, inquiry);
  assert.equal(agentFile.status, 200, agentFile.body);
  assert.equal(agentFile.json.criminal_record_entries, undefined);
  // Someone on file but not wanted is, to an agent, nobody: neither found
  // nor counted nor opened (being listed would tell of the criminal records).
  const notWanted = installation.notWantedPerson;
  const other = { surname: notWanted.surname, given_name: notWanted.given_names[0],
                  birth_date: notWanted.birth_date };
  const seenByInquiry = await inv.call('POST', '/api/v1/search', { ...inquiry, ...other });
  const otherId = seenByInquiry.json.results.find((r) => r.birth_date === notWanted.birth_date)?.person_id;
  assert.ok(otherId, seenByInquiry.body);
  const unseen = await agent.call('POST', '/api/v1/search', { purpose: 'identity_check', ...other });
  assert.equal(unseen.status, 200, unseen.body);
  assert.ok(!unseen.json.results.some((r) => r.person_id === otherId), unseen.body);
  assert.ok(unseen.json.results.every((r) => r.wanted), 'agents find wanted persons only');
  assertProblem(await agent.call('POST', `/api/v1/persons/${otherId}/file`, { purpose: 'identity_check' }), 404);
  // A person id has one spelling: anything else is refused, nothing opened.
  for (const id of [`0${hit.person_id}`, '0', '-1', `${hit.person_id}abc`, '1e3']) {
    assertProblem(await inv.call('POST', `/api/v1/persons/${id}/file`, inquiry), 400);
  }

  assertProblem(await inv.call('POST', '/api/v1/search', { purpose: 'judicial_investigation', ...query }), 400);
  assertProblem(await inv.call('POST', '/api/v1/search', { purpose: 'curiosity', ...query }), 400);
  assertProblem(await inv.call('POST', '/api/v1/search', { purpose: 'identity_check', surname: p.surname }), 400);
  assertProblem(await admin.call('POST', '/api/v1/search', { purpose: 'identity_check', ...query }), 403);
  assertProblem(await supervisor.call('POST', '/api/v1/search', { purpose: 'identity_check', ...query }), 403);
  assertProblem(await unacknowledged.call('POST', '/api/v1/search', { purpose: 'identity_check', ...query }), 403);
  assert.equal((await unacknowledged.acknowledgeNotice()).status, 204);
  assert.equal((await unacknowledged.call('POST', '/api/v1/search', { purpose: 'identity_check', ...query })).status, 200);
  // Only administrators administer.
  assertProblem(await inv.call('GET', '/api/v1/agents'), 403);
  assert.equal((await admin.call('GET', '/api/v1/agents')).status, 200);
});

test('administrators manage agents and units; bad input is refused and changes nothing', async () => {
  const admin = await activeClient(server, installation, 'ADM-2');
  const created = await admin.call('POST', '/api/v1/agents',
    { service_number: 'NEW-1', display_name: 'Nouvelle Recrue', unit: 'PN-75', roles: ['agent'] });
  assert.equal(created.status, 201, created.body);
  assert.match(created.json.activation_code, /^[0-9A-Z]{4,}(-[0-9A-Z]{4,})+$/);
  assert.equal(created.json.status, 'pending_activation');
  const shown = await admin.call('GET', '/api/v1/agents/NEW-1');
  assert.equal(shown.status, 200);
  assert.equal(shown.json.activation_code, undefined, 'the code is shown once');
  assertProblem(await admin.call('POST', '/api/v1/agents',
    { service_number: 'NEW-1', display_name: 'Doublon', unit: 'PN-75', roles: ['agent'] }), 409);
  assertProblem(await admin.call('POST', '/api/v1/agents',
    { service_number: 'MIX-1', display_name: 'Cumul', unit: 'PN-75', roles: ['administrator', 'investigator'] }), 400);
  assert.equal((await admin.call('POST', '/api/v1/units', { code: 'GN-13', name: 'Brigade de Cassis', kind: 'gendarmerie' })).status, 201);
  assertProblem(await admin.call('GET', '/api/v1/agents/NOBODY'), 404);
  // A path with dot segments is no route: its proof (made for the path they
  // resolve to) must not reach another route's handler.
  assertProblem(await admin.call('POST', '/api/v1/agents',
    { service_number: 'DOT-1', display_name: 'Point', unit: 'PN-75', roles: ['agent'] },
    { target: '/api/v1/incidents/../agents' }), 404);
  assertProblem(await admin.call('GET', '/api/v1/agents/NEW-1', undefined, { target: '/api/v1/agents/./NEW-1' }), 404);
  assertProblem(await admin.call('POST', '/api/v1/agents',
    { service_number: 'DOT-1', display_name: 'Point', unit: 'PN-75', roles: ['agent'] },
    { target: '/api/v1/incidents/%2E%2e/agents' }), 404);
  assertProblem(await admin.call('GET', '/api/v1/agents/NEW-1', undefined, { target: '/api/v1/agents/%2e/NEW-1' }), 404);
  assertProblem(await admin.call('GET', '/api/v1/agents/DOT-1'), 404);
  // A query string is refused, not ignored: nothing is done.
  assertProblem(await admin.call('GET', '/api/v1/agents?unit=GN-13'), 400);
  assertProblem(await admin.call('POST', '/api/v1/agents/NEW-1/suspend?dry_run=1'), 400);
  // The path's service number is read as a login reads it (upper-cased):
  // its audit event names the agent as every other event does.
  assert.equal((await admin.call('GET', '/api/v1/agents/new-1')).json?.service_number, 'NEW-1');
  assertProblem(await admin.call('POST', '/api/v1/agents/NEW-1%20by%20SO-9/suspend'), 404);
  assert.equal((await admin.call('POST', '/api/v1/agents', { service_number: 'LOW-1',
    display_name: 'Casse', unit: 'PN-75', roles: ['agent'] })).status, 201);
  const lowered = await admin.call('POST', '/api/v1/agents/low-1/suspend');
  assert.equal(lowered.status, 200, lowered.body);
  const suspensions = installation.vigie('audit', 'search', '--type', 'agent_suspended').trim().split('\n')
    .filter(Boolean).map((line) => JSON.parse(line).subject).filter((subject) => /low-1/i.test(subject));
  assert.deepEqual(suspensions, ['LOW-1']);
  assert.equal((await admin.call('GET', '/api/v1/agents/NEW-1')).json.status, 'pending_activation');
  // null is no way to leave a field out.
  assertProblem(await admin.call('POST', '/api/v1/agents/search', { after: null }), 400);

  const before = (await admin.call('GET', '/api/v1/agents')).json.agents.length;
  const bad = [
    { rawBody: '{"service_number": "BAD-1", ' },                                    // malformed JSON
    { rawBody: '[1, 2, 3]' },                                                       // not an object
    { body: { service_number: 'BAD-1', display_name: 'X', unit: 'PN-75', roles: ['agent'], admin: true } }, // unknown field
    { body: { service_number: 42, display_name: 'X', unit: 'PN-75', roles: ['agent'] } },                // wrong type
    { body: { service_number: 'BAD-1', display_name: 'X', unit: 'PN-75', roles: 'agent' } },             // wrong type
    { body: { service_number: "BAD-1'; DROP TABLE agent;--", display_name: 'X', unit: 'PN-75', roles: ['agent'] } },
    { body: { service_number: 'BAD-1', display_name: 'X', unit: 'PN-75', roles: ['root'] } },
    { rawBody: Buffer.from('{"service_number":"BAD-1","display_name":"\xff\xfe","unit":"PN-75","roles":["agent"]}', 'latin1') }, // bad UTF-8
    { body: { service_number: 'BAD-1', display_name: 'a\u0000b', unit: 'PN-75', roles: ['agent'] } },
  ];
  for (const b of bad) {
    const path = '/api/v1/agents';
    const headers = { Authorization: `DPoP ${admin.access}`,
                      DPoP: await admin.key.proof('POST', admin.url(path), admin.access) };
    const r = await request(server, 'POST', path, { headers, ...b });
    assertProblem(r, 400);
  }
  const huge = 'x'.repeat(200 * 1024);
  const hugeHeaders = { Authorization: `DPoP ${admin.access}`,
                        DPoP: await admin.key.proof('POST', admin.url('/api/v1/agents'), admin.access) };
  const tooBig = await tooLargeAnswer(server, request(server, 'POST', '/api/v1/agents',
                                                     { headers: hugeHeaders, rawBody: huge }));
  assert.equal(tooBig.status, 413);
  const after = (await admin.call('GET', '/api/v1/agents')).json.agents.length;
  assert.equal(after, before, 'refused requests created nothing');
  const wrongMethod = await admin.call('DELETE', '/api/v1/agents');
  assertProblem(wrongMethod, 405);
  assert.equal(wrongMethod.headers.allow, 'GET, HEAD, POST');
});

test('administrators page through every agent, or one unit’s; a bad page request is refused', async () => {
  const admin = await activeClient(server, installation, 'ADM-3');
  assert.equal((await admin.call('POST', '/api/v1/units', { code: 'PM-06', name: 'Police municipale de Nice', kind: 'municipal_police' })).status, 201);
  for (let i = 0; i < 5; i++) {
    const r = await admin.call('POST', '/api/v1/agents',
      { service_number: `NICE-${i}`, display_name: `Agent Nice ${i}`, unit: 'PM-06', roles: ['agent'] });
    assert.equal(r.status, 201, r.body);
  }
  const pageAfter = (body) => admin.call('POST', '/api/v1/agents/search', body);
  const walk = async (body) => {
    const seen = [];
    let after;
    for (let pages = 0; pages < 100; pages++) {
      const r = await pageAfter({ ...body, ...(after ? { after } : {}) });
      assert.equal(r.status, 200, r.body);
      seen.push(...r.json.agents.map((a) => a.service_number));
      assert.ok(r.json.agents.length > 0, 'never an empty page');
      if (r.json.next === undefined) return seen;
      assert.equal(r.json.agents.length, body.limit, 'only a full page has a next one');
      after = r.json.next;
    }
    assert.fail('the pages never ended');
  };
  const everyone = await walk({ limit: 2 });
  const firstPage = (await admin.call('GET', '/api/v1/agents')).json;
  assert.deepEqual(firstPage.agents.map((a) => a.service_number), everyone.slice(0, 100));
  assert.equal(new Set(everyone).size, everyone.length, 'no agent twice');
  for (const sn of ['ADM-3', 'PGE-1', 'NICE-0', 'NICE-4']) assert.ok(everyone.includes(sn), sn);
  assert.deepEqual(await walk({ limit: 2, unit: 'PM-06' }), ['NICE-0', 'NICE-1', 'NICE-2', 'NICE-3', 'NICE-4']);
  // Five agents by pages of five: one full page, and nothing after it.
  const whole = await pageAfter({ limit: 5, unit: 'PM-06' });
  assert.equal(whole.json.agents.length, 5);
  assert.equal(whole.json.next, undefined, 'a full last page has no next');
  for (const body of [{ limit: 0 }, { limit: 1001 }, { after: 0 }, { after: 'x' }, { unit: 'NOWHERE' },
                      { unit: 7 }, { page: 2 }]) {
    assertProblem(await pageAfter(body), 400);
  }
  const agent = await activeClient(server, installation, 'PGE-1');
  assertProblem(await agent.call('POST', '/api/v1/agents/search', {}), 403);
});

test('the OpenAPI document is served and the access log holds no secret or query term', async () => {
  const doc = await request(server, 'GET', '/api/v1/openapi.json');
  assert.equal(doc.status, 200);
  assert.equal(doc.json.openapi, '3.1.0');
  const log = server.accessLog.join('\n');
  assert.ok(log.length > 0, 'access log lines were written');
  const first = JSON.parse(server.accessLog[0]);
  for (const field of ['request_id', 'route', 'status', 'latency_us']) assert.ok(field in first, field);
  assert.ok(!log.includes(PASSWORD), 'no password');
  assert.ok(!log.includes(installation.firstPerson.surname), 'no query term');
  assert.ok(!/va_[A-Za-z0-9_-]{20}/.test(log), 'no access token');
  assert.ok(!/vr_[A-Za-z0-9_-]{20}/.test(log), 'no refresh token');
});

test('a body must be sent as application/json: anything else is refused with 415 and changes nothing', async () => {
  const client = await Client.create(server);
  const code = installation.codes['MED-1'];
  // What a cross-site form or fetch() sends without a CORS preflight, a
  // near miss, or another charset: refused before any handler runs.
  const refused = ['text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded',
                   'multipart/form-data; boundary=x', 'application/jsonx', 'application/problem+json',
                   'application/json; charset=iso-8859-1'];
  for (const type of refused) {
    const r = await request(server, 'POST', '/api/v1/auth/activate', {
      headers: { 'Content-Type': type }, body: { activation_code: code, password: PASSWORD } });
    assertProblem(r, 415);
    assert.match(r.json.detail, /application\/json|utf-8/);
  }
  // The code was never used: it activates the account now.
  const act = await request(server, 'POST', '/api/v1/auth/activate', {
    headers: { 'Content-Type': 'Application/JSON; charset="UTF-8"' },
    body: { activation_code: code, password: PASSWORD } });
  assert.equal(act.status, 200, act.body);
  for (const type of refused) {
    const r = await request(server, 'POST', '/api/v1/auth/login', {
      headers: { 'Content-Type': type }, body: { service_number: 'MED-1', password: PASSWORD } });
    assertProblem(r, 415);
  }
  assert.equal((await client.login('MED-1', PASSWORD, act.json.totp_secret)).status, 200);
  // With a session too: the notice stays unacknowledged.
  const ack = await client.call('POST', '/api/v1/auth/use-notice', { version: '2026-11' },
                                { headers: { 'Content-Type': 'text/plain' } });
  assertProblem(ack, 415);
  const self = await client.call('GET', '/api/v1/self');
  assert.equal(self.status, 200, self.body);
  assert.equal(self.json.use_notice_acknowledged, false);
  // A body-less request needs no Content-Type.
  assert.equal((await client.call('GET', '/api/v1/self', undefined,
                                  { headers: { 'Content-Type': 'text/plain' } })).status, 200);
});

test('GET /api/v1/self refuses a body, like every body-less route', async () => {
  const client = await activeClient(server, installation, 'BDY-1');
  const body = JSON.stringify({ service_number: 'ADM-1' });
  for (const path of ['/api/v1/self', '/api/v1/use-notice', '/api/v1/openapi.json']) {
    const r = await client.call('GET', path, { service_number: 'ADM-1' },
                                { headers: { 'Content-Length': String(Buffer.byteLength(body)) } });
    assertProblem(r, 400);
    assert.match(r.json.detail, /unknown field 'service_number'/);
    assert.equal((await client.call('GET', path, {}, { headers: { 'Content-Length': '2' } })).status, 200);
  }
});

test('HEAD answers every GET route as GET does, through the same checks', async () => {
  for (const path of ['/api/v1/openapi.json', '/api/v1/use-notice']) {
    const get = await request(server, 'GET', path);
    const head = await request(server, 'HEAD', path);
    assert.equal(head.status, 200, path);
    assert.equal(head.body, '');
    assert.equal(head.headers['content-type'], get.headers['content-type']);
    assert.equal(head.headers['content-length'], get.headers['content-length']);
  }
  // An authenticated route: the same token and proof checks, with a proof
  // made for HEAD (a GET's proof does not do).
  const owner = await activeClient(server, installation, 'HED-1');
  const get = await owner.call('GET', '/api/v1/self');
  const head = await owner.call('HEAD', '/api/v1/self');
  assert.equal(head.status, 200, head.body);
  assert.equal(head.body, '');
  assert.equal(head.headers['content-length'], get.headers['content-length']);
  assertNoBodyProblem(await owner.call('HEAD', '/api/v1/self', undefined, { proofOptions: { htm: 'GET' } }), 401);
  assertNoBodyProblem(await request(server, 'HEAD', '/api/v1/self'), 401);
  assertNoBodyProblem(await owner.call('HEAD', '/api/v1/agents'), 403);
  // Allow names HEAD beside GET; HEAD is no way onto a POST-only route.
  const notHere = await request(server, 'HEAD', '/api/v1/auth/login');
  assertNoBodyProblem(notHere, 405);
  assert.equal(notHere.headers.allow, 'POST');
  const put = await request(server, 'PUT', '/api/v1/self');
  assertProblem(put, 405);
  assert.equal(put.headers.allow, 'GET, HEAD');
});

function assertNoBodyProblem(r, status) {
  assert.equal(r.status, status, r.body);
  assert.match(r.headers['content-type'], /application\/problem\+json/);
  assert.equal(r.body, '', 'a HEAD answer has no body');
}

// An agent an incident holds whose suspension failed (here a failing row)
// keeps its activation code: taking it waits for the release, since the
// code may be what was intercepted. The refusal spends nothing.
test('an agent held by an open incident cannot take its activation code until the release', async () => {
  const { storeSql, backend } = installation.databases;
  const [refuse, accept] = backend === 'sqlite'
    ? ["CREATE TRIGGER refuse_hld BEFORE UPDATE ON agent WHEN OLD.service_number = 'HLD-1' " +
       "AND NEW.status = 'suspended' BEGIN SELECT RAISE(ABORT, 'disk trouble'); END;",
       'DROP TRIGGER refuse_hld;']
    : ["CREATE FUNCTION refuse_hld() RETURNS trigger AS 'BEGIN IF OLD.service_number = ''HLD-1'' " +
       "AND NEW.status = ''suspended'' THEN RAISE EXCEPTION ''disk trouble''; END IF; RETURN NEW; " +
       "END' LANGUAGE plpgsql; CREATE TRIGGER refuse_hld BEFORE UPDATE ON agent FOR EACH ROW " +
       'EXECUTE FUNCTION refuse_hld();',
       'DROP TRIGGER refuse_hld ON agent; DROP FUNCTION refuse_hld();'];
  storeSql(refuse);
  let contained;
  try {
    execFileSync(process.env.VIGIE_BINARY, ['--data-dir', installation.data, 'incident', 'contain',
      '--agent', 'HLD-1', '--reason', 'activation code intercepted', '--json'], { encoding: 'utf8' });
    assert.fail('the containment reports the agent it could not suspend');
  } catch (error) {
    contained = JSON.parse(error.stdout);
  }
  storeSql(accept);
  assert.deepEqual(contained.not_suspended, ['HLD-1']);
  assert.deepEqual(contained.released_meanwhile, []);
  assert.equal(contained.events_recorded, true);
  const client = await Client.create(server);
  const held = await client.activate(installation.codes['HLD-1'], PASSWORD);
  assertProblem(held, 401);
  assert.equal(held.json.totp_secret, undefined);
  // The release resets: the held code is worthless; an administrator's new
  // one works.
  const released = JSON.parse(installation.vigie('incident', 'release', String(contained.id),
                                                 '--reason', 'handed over in person', '--json'));
  assert.deepEqual(released.reset, ['HLD-1']);
  assert.equal(released.events_recorded, true);
  assertProblem(await client.activate(installation.codes['HLD-1'], PASSWORD), 401);
  const fresh = activationCodeIn(installation.vigie('agent', 'reset', 'HLD-1'));
  const act = await client.activate(fresh, PASSWORD);
  assert.equal(act.status, 200, 'the new code, after the release: ' + act.body);
});
