// Lock-out, per-address throttling, quotas and step-up, on a server whose
// limits are set low enough to reach in a test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { createInstallation, createEmptyInstallation, startServer, request, totp,
         activeClient, DpopKey, PASSWORD, VIGIE } from './harness.mjs';

let installation, server;

// A loopback port nobody listens on, for a metrics listener.
function freePort() {
  return new Promise((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

async function gauge(metricsPort, name) {
  const metrics = await request({ url: `http://127.0.0.1:${metricsPort}` }, 'GET', '/metrics');
  assert.equal(metrics.status, 200);
  const value = metrics.body.match(new RegExp(`^${name} (\\d+)`, 'm'));
  assert.ok(value, name);
  return Number(value[1]);
}

before(async () => {
  installation = createInstallation({
    persons: 1000,
    agents: [['LCK-1', 'agent'], ['LCK-2', 'agent'], ['LCK-3', 'agent'], ['QTA-1', 'agent'],
             ['STP-1', 'investigator'], ['STP-2', 'agent']].map(
      ([service_number, role]) => ({ service_number, name: `Agent ${service_number}`, roles: [role] })),
    config: {
      auth: { address_attempts_per_minute: 12 },
      quota: { searches_per_hour: 3, searches_per_day: 3, consultations_at_once: 1 },
      session: { step_up_files: 2 },
      // The quota's test sends 30 searches at once, then more: refusals
      // count towards the query rate too, which would suspend its agent.
      detect: { query_rate_action: 'alert' },
    },
  });
  server = await startServer(installation);
});

after(async () => {
  await server?.stop();
  installation?.remove();
});

const login = (sn, pw) => request(server, 'POST', '/api/v1/auth/login', { body: { service_number: sn, password: pw } });

test('five failures lock the account, with the same answer as a wrong password', async () => {
  const agent = await activeClient(server, installation, 'LCK-1');
  // Someone else, from another address, who only knows the service number.
  const guess = (pw) => request(server, 'POST', '/api/v1/auth/login',
                                { body: { service_number: 'LCK-1', password: pw }, localAddress: '127.0.0.7' });
  const wrong = [];
  for (let i = 0; i < 5; i++) wrong.push(await guess(`not the password ${i}`));
  for (const r of wrong) assert.equal(r.status, 401);
  const locked = await guess(PASSWORD);
  assert.equal(locked.status, 401, 'the right password no longer opens the account');
  assert.equal(locked.json.detail, wrong[0].json.detail);
  const shown = JSON.parse(installation.vigie('agent', 'show', 'LCK-1', '--json'));
  assert.equal(shown.status, 'locked');
  // The lock stops logins, not the agent at work: wrong passwords from
  // anyone must not end the live session.
  assert.equal((await agent.call('GET', '/api/v1/self')).status, 200);
});

test("a session whose own wrong step-up codes lock the account ends", async () => {
  const agent = await activeClient(server, installation, 'LCK-2');
  for (let i = 0; i < 4; i++) {
    const wrong = await agent.call('POST', '/api/v1/auth/step-up', { code: '000000' });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.headers['www-authenticate'], 'DPoP algs="ES256"', 'the token still works');
    assert.equal((await agent.call('GET', '/api/v1/self')).status, 200, 'not locked yet');
  }
  const locking = await agent.call('POST', '/api/v1/auth/step-up', { code: '000000' });
  assert.equal(locking.status, 401);
  // The code ended the session: now the token is what is invalid.
  assert.equal(locking.headers['www-authenticate'], 'DPoP error="invalid_token", algs="ES256"');
  assert.equal(JSON.parse(installation.vigie('agent', 'show', 'LCK-2', '--json')).status, 'locked');
  assert.equal((await agent.call('GET', '/api/v1/self')).status, 401, 'the session ended with the lock');
});

test('wrong passwords from anyone and one step-up typo lock the account but leave the session', async () => {
  const agent = await activeClient(server, installation, 'LCK-3');
  const guess = (pw) => request(server, 'POST', '/api/v1/auth/login',
                                { body: { service_number: 'LCK-3', password: pw }, localAddress: '127.0.0.8' });
  for (let i = 0; i < 4; i++) assert.equal((await guess(`not the password ${i}`)).status, 401);
  const typo = await agent.call('POST', '/api/v1/auth/step-up', { code: '000000' });
  assert.equal(typo.status, 401);
  assert.equal(typo.headers['www-authenticate'], 'DPoP algs="ES256"', 'the token still works');
  assert.equal(JSON.parse(installation.vigie('agent', 'show', 'LCK-3', '--json')).status, 'locked');
  assert.equal((await agent.call('GET', '/api/v1/self')).status, 200, 'the session lives');
  const stepped = await agent.call('POST', '/api/v1/auth/step-up', { code: totp(agent.secret, 1) });
  assert.equal(stepped.status, 204, stepped.body);
});

// Detection judges each event before its answer leaves, but answers already
// under way when it suspends an agent leave all the same: a stolen session
// sending searches by the hundred at once is held to a few under way (here
// 1), refused beyond before they cost quota. The quota's own 429 then comes
// after exactly the allowance, and a restart gives no new one. (One agent
// for both: every login spends this address's small bucket.)
test('consultations under way at once are bounded; quotas answer 429 with Retry-After, and a restart gives no new allowance', async () => {
  const client = await activeClient(server, installation, 'QTA-1');
  const p = installation.firstPerson;
  const query = { purpose: 'identity_check', surname: p.surname, birth_date: p.birth_date.slice(0, 4) };
  const answers = await Promise.all(Array.from({ length: 30 }, () => client.call('POST', '/api/v1/search', query)));
  const statuses = answers.map((r) => r.status).join();
  const underWay = answers.filter((r) => r.status === 429 && /under way/.test(r.body));
  assert.ok(underWay.length >= 1, statuses);
  assert.ok(underWay.every((r) => r.headers['retry-after'] === '1'), statuses);
  // The others were answered, or refused by the hourly quota of 3, which
  // those refused for being at once did not spend.
  const answered = answers.filter((r) => r.status === 200).length;
  const overQuota = answers.filter((r) => r.status === 429 && /quota/.test(r.body)).length;
  assert.equal(answered + overQuota + underWay.length, answers.length, statuses);
  assert.ok(answered >= 1 && answered <= 3, statuses);
  let later = 0;
  let over;
  while ((over = await client.call('POST', '/api/v1/search', query)).status === 200) later += 1;
  assert.equal(answered + later, 3, `the quota is the agent's answers only: ${statuses}`);
  assert.equal(over.status, 429, over.body);
  assert.match(over.body, /quota/);
  assert.ok(Number(over.headers['retry-after']) >= 1);
  // On SQLite the counts live in the process: the next one starts from the
  // audit log's (on PostgreSQL they live in the database).
  const port = Number(new URL(server.url).port);
  assert.equal(await server.stop(), 0);
  server = await startServer(installation, { port });
  client.server = server;
  const still = await client.call('POST', '/api/v1/search', query);
  assert.equal(still.status, 429, still.body);
});

test('opening many files asks for a fresh second factor', async () => {
  const client = await activeClient(server, installation, 'STP-1');
  const inquiry = { purpose: 'judicial_investigation', case_reference: 'PV-2026-0001' };
  for (const id of [1, 2]) {
    assert.equal((await client.call('POST', `/api/v1/persons/${id}/file`, inquiry)).status, 200);
  }
  const held = await client.call('POST', '/api/v1/persons/3/file', inquiry);
  assert.equal(held.status, 403, held.body);
  assert.match(held.headers['www-authenticate'], /insufficient_user_authentication/);
  const wrong = await client.call('POST', '/api/v1/auth/step-up', { code: '123456' });
  assert.equal(wrong.status, 401);
  // The code was wrong, not the token: a client must not drop its session.
  assert.equal(wrong.headers['www-authenticate'], 'DPoP algs="ES256"');
  const stepped = await client.call('POST', '/api/v1/auth/step-up', { code: totp(client.secret, 1) });
  assert.equal(stepped.status, 204, stepped.body);
  assert.equal((await client.call('POST', '/api/v1/persons/3/file', inquiry)).status, 200);
});

// A step-up our side failed (here a seed this node cannot open) is recorded
// with its cause, and is not a wrong code: counted as one, it would raise
// second_factor_failures against the agent.
test('a step-up the server could not check is recorded, not counted against the agent', async () => {
  const client = await activeClient(server, installation, 'STP-2');
  installation.databases.storeSql("UPDATE agent SET totp_key_id = 9999 WHERE service_number = 'STP-2'");
  for (let i = 0; i < 6; i++) {
    const r = await client.call('POST', '/api/v1/auth/step-up', { code: totp(client.secret, 1) });
    assert.equal(r.status, 500, r.body);
  }
  const events = installation.vigie('audit', 'search', '--type', 'step_up').trim().split('\n').filter(Boolean)
    .map((line) => JSON.parse(line)).filter((e) => e.service_number === 'STP-2');
  assert.equal(events.length, 6);
  for (const e of events) assert.deepEqual([e.outcome, e.refusal], ['refused', 'DataLoss']);
  assert.doesNotMatch(installation.vigie('alert', 'list'), /second_factor_failures[^\n]*STP-2|STP-2[^\n]*second_factor/);
  assert.equal(JSON.parse(installation.vigie('agent', 'show', 'STP-2', '--json')).status, 'active');
  assert.equal((await client.call('GET', '/api/v1/self')).status, 200);
});

test('a flood of logins from one address is throttled before any hashing', async () => {
  let throttled;
  for (let i = 0; i < 20 && !throttled; i++) {
    const r = await login('NOBODY-1', 'whatever password');
    if (r.status === 429) throttled = r;
    else assert.equal(r.status, 401);
  }
  assert.ok(throttled, 'throttled within 20 attempts');
  assert.ok(Number(throttled.headers['retry-after']) >= 1);
});

test('plain HTTP is served on loopback only', async () => {
  const open = createEmptyInstallation({ server: { listen: '0.0.0.0', tls_certificate: '', tls_key: '' } });
  try {
    const refused = spawnSync(VIGIE, ['--data-dir', open.data, 'serve', '--port', '0'], { encoding: 'utf8', timeout: 30000 });
    assert.equal(refused.status, 2, refused.stderr);
    assert.match(refused.stderr, /plain HTTP/);
  } finally {
    open.remove();
  }
  const metricsPort = await freePort();
  const loopback = createEmptyInstallation({ server: { listen: '127.0.0.1', tls_certificate: '', tls_key: '',
                                                       metrics_port: metricsPort } });
  const plain = await startServer(loopback);
  try {
    assert.match(plain.url, /^http:\/\/localhost:\d+$/);
    const health = await request(plain, 'GET', '/healthz');
    assert.equal(health.status, 200);
    assert.equal(health.headers['strict-transport-security'], undefined, 'no HSTS without TLS');
    // /metrics lives on its own loopback listener, with the portal's gauges.
    assert.equal((await request(plain, 'GET', '/metrics')).status, 404);
    const metrics = await request({ url: `http://127.0.0.1:${metricsPort}` }, 'GET', '/metrics');
    assert.equal(metrics.status, 200);
    for (const name of ['vigie_password_hashes_queued', 'vigie_dpop_proofs_remembered',
                        'vigie_dpop_keys_cached', 'vigie_search_index_bytes']) {
      assert.match(metrics.body, new RegExp(`^${name} \\d`, 'm'), name);
    }
  } finally {
    assert.equal(await plain.stop(), 0);
    loopback.remove();
  }
});

test('detection switched off, whole or in part, is said at each start', async () => {
  assert.doesNotMatch(server.log(), /detection_off|detection_rules_off/);  // all rules on
  for (const [detect, said] of [
    [{ enabled: false }, /warn detection_off /],
    [{ canary_action: 'off', dormant_action: 'off' }, /warn detection_rules_off rules="dormant, canary"/],
  ]) {
    const off = createEmptyInstallation({ detect });
    try {
      const node = await startServer(off);
      await node.stop();
      assert.match(node.log(), said);
    } finally {
      off.remove();
    }
  }
});

test('refused session requests spend their address’s bucket; past it, only a live session’s token is heard', async () => {
  // 20 failures at once, then one every 3 s: few enough to reach, slow
  // enough that the refills do not blur the counts.
  const small = createInstallation({
    persons: 100,
    agents: ['FSR-1', 'FSR-2'].map((service_number) => ({ service_number, name: `Agent ${service_number}`, roles: ['agent'] })),
    config: { auth: { failed_sessions_per_minute: 20 } },
  });
  const node = await startServer(small);
  try {
    const client = await activeClient(node, small, 'FSR-1', { acknowledge: false });
    client.localAddress = '127.0.0.24';
    const self = (options) => client.call('GET', '/api/v1/self', undefined, options);
    // Made-up tokens, until the address is refused unheard.
    const spend = async (limit) => {
      for (let refused = 0; refused < limit; refused++) {
        const r = await self({ token: `va_made-up-${refused}` });
        if (r.status === 429) {
          assert.ok(Number(r.headers['retry-after']) >= 1, JSON.stringify(r.headers));
          return refused;
        }
        assert.equal(r.status, 401, r.body);
      }
      return limit;
    };
    // Successes do not count: more requests than the bucket holds.
    for (let i = 0; i < 25; i++) assert.equal((await self()).status, 200);
    const stranger = await DpopKey.create();
    assert.equal((await self({ key: stranger })).status, 401, 'a live token, another key’s proof');
    const refused = await spend(25);
    assert.ok(refused >= 19 && refused < 25, `refused ${refused} times before 429`);
    // A live session's token is still heard from that address, and its
    // successes give back only what they took (its session's allowance of
    // 10, not the address's): the agents behind one NAT keep working.
    let regained = 0;  // made-up tokens heard between them: refills only, one per 3 s
    for (let i = 0; i < 15; i++) {
      assert.equal((await self()).status, 200);
      if ((await self({ token: 'va_made-up' })).status !== 429) regained += 1;
    }
    assert.ok(regained <= 2, `the address regained ${regained} from them`);
    // A stolen token with a proof of another key: heard a few times, not without end.
    const other = await activeClient(node, small, 'FSR-2', { acknowledge: false });
    other.localAddress = '127.0.0.24';
    let heard = 0;
    for (; heard < 15; heard++) {
      const r = await other.call('GET', '/api/v1/self', undefined, { key: stranger });
      if (r.status === 429) break;
      assert.equal(r.status, 401, r.body);
    }
    assert.ok(heard >= 10 && heard < 15, `heard ${heard} times`);
    other.localAddress = undefined;
    assert.equal((await other.call('GET', '/api/v1/self')).status, 200, 'from its own address, unharmed');
    // An ended session's token is heard no more.
    const token = client.access;
    assert.equal((await client.call('POST', '/api/v1/auth/logout')).status, 204);
    let after;
    for (let i = 0; i < 3 && after?.status !== 429; i++) after = await self({ token });
    assert.equal(after.status, 429, after.body);
    // Heard per session and address: from another spent address, the owner
    // still has the allowance the thief spent at the first.
    client.localAddress = '127.0.0.25';
    assert.ok(await spend(25) < 25, 'the second address is spent too');
    other.localAddress = '127.0.0.25';
    assert.equal((await other.call('GET', '/api/v1/self')).status, 200, 'heard at the second address');
  } finally {
    assert.equal(await node.stop(), 0);
    small.remove();
  }
});

test('only keys of real sessions are kept: made-up keys with good proofs cannot flush the key cache', async () => {
  const metricsPort = await freePort();
  const small = createInstallation({
    persons: 100,
    agents: [{ service_number: 'KEY-1', name: 'Agent KEY-1', roles: ['agent'] }],
    config: { server: { metrics_port: metricsPort } },
  });
  const node = await startServer(small);
  try {
    const agent = await activeClient(node, small, 'KEY-1', { acknowledge: false });
    assert.equal((await agent.call('GET', '/api/v1/self')).status, 200);
    const kept = await gauge(metricsPort, 'vigie_dpop_keys_cached');
    assert.ok(kept >= 1, 'the session key is kept');
    // Good proofs from fresh keys, with the agent's stolen token or a
    // made-up one: refused, and none of their keys is kept.
    for (let i = 0; i < 5; i++) {
      const thief = await DpopKey.create();
      for (const token of [agent.access, 'va_made-up-token-made-up-token-made-up-toke']) {
        const r = await agent.call('GET', '/api/v1/self', undefined, { key: thief, token });
        assert.equal(r.status, 401, r.body);
      }
    }
    assert.equal(await gauge(metricsPort, 'vigie_dpop_keys_cached'), kept);
    assert.equal((await agent.call('GET', '/api/v1/self')).status, 200);
    assert.equal(await gauge(metricsPort, 'vigie_dpop_keys_cached'), kept, 'the same key, kept once');
  } finally {
    assert.equal(await node.stop(), 0);
    small.remove();
  }
});

test('a full replay cache refuses new proofs but never loses a refresh already done', async () => {
  // One proof remembered at most: the login's fills the cache.
  const small = createInstallation({
    persons: 100,
    agents: [{ service_number: 'RPL-1', name: 'Agent RPL-1', roles: ['agent'] }],
    config: { session: { dpop_proofs_remembered: 1 } },
  });
  const node = await startServer(small);
  try {
    const agent = await activeClient(node, small, 'RPL-1', { acknowledge: false });
    const full = await agent.call('GET', '/api/v1/self');
    assert.equal(full.status, 429, 'fails closed: no room to remember this proof');
    // The refresh token is spent once the rotation commits: its new tokens
    // must reach the client even though its proof cannot be remembered.
    const spent = agent.refreshToken;
    const rotated = await agent.refresh();
    assert.equal(rotated.status, 200, rotated.body);
    assert.notEqual(agent.refreshToken, spent);
    assert.equal((await agent.refresh()).status, 200, 'the new refresh token is live');
  } finally {
    assert.equal(await node.stop(), 0);
    small.remove();
  }
});
