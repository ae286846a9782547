// Passkeys over the real API with a software authenticator written from the
// WebAuthn specification (tests/clients/webauthn-authenticator.mjs): the
// registration and login ceremonies, and each check the server must make.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createInstallation, startServer, request, Client, activeClient, PASSWORD } from './harness.mjs';
import { SoftwareAuthenticator } from '../../clients/webauthn-authenticator.mjs';

let installation, server, origin;
const secrets = {};  // TOTP secrets by service number, from activation
const agents = [
  { service_number: 'PK-1', name: 'Agent Passkey', roles: ['agent'] },
  { service_number: 'PK-2', name: 'Agent Ed', roles: ['agent'] },
  { service_number: 'PK-3', name: 'Agent Checks', roles: ['agent'] },
  { service_number: 'PK-4', name: 'Agent Other', roles: ['agent'] },
  { service_number: 'PK-5', name: 'Agent Long Name', roles: ['agent'] },
];

before(async () => {
  installation = createInstallation({ persons: 200, agents });
  server = await startServer(installation);
  origin = new URL(server.url).origin;
});
after(async () => { await server?.stop(); installation?.remove(); });

async function activated(serviceNumber) {
  const client = await activeClient(server, installation, serviceNumber);
  secrets[serviceNumber] = client.secret;
  return client;
}

async function registerPasskey(client, authenticator, breakWith = {}, name = 'laptop') {
  const options = await client.call('POST', '/api/v1/passkeys/options');
  assert.equal(options.status, 200, options.body);
  const answer = authenticator.register(options.json, origin, breakWith);
  return { options, answer, response: await client.call('POST', '/api/v1/passkeys', { ...answer, name }) };
}

async function passwordStep(serviceNumber) {
  const step1 = await request(server, 'POST', '/api/v1/auth/login',
                              { body: { service_number: serviceNumber, password: PASSWORD } });
  assert.equal(step1.status, 200, step1.body);
  return step1.json;
}

async function passkeyOptions(challenge) {
  return request(server, 'POST', '/api/v1/auth/passkey/options', { body: { login_challenge: challenge } });
}

async function passkeyLogin(client, challenge, assertion) {
  const path = '/api/v1/auth/passkey';
  return request(server, 'POST', path, {
    headers: { DPoP: await client.key.proof('POST', client.url(path)) },
    body: { login_challenge: challenge, ...assertion } });
}

test('an agent registers a passkey, then logs in with it instead of a TOTP code', async () => {
  const client = await activated('PK-1');
  const before = await passwordStep('PK-1');
  assert.deepEqual(before.second_factors, ['totp']);
  assert.equal((await passkeyOptions(before.login_challenge)).status, 401, 'no passkey yet');

  const authenticator = new SoftwareAuthenticator({ alg: 'ES256', backupEligible: true, backedUp: true });
  const { options, response } = await registerPasskey(client, authenticator);
  assert.equal(options.json.rp.id, 'localhost');
  assert.equal(options.json.user.name, 'PK-1');
  assert.deepEqual(options.json.algorithms, [-7, -8]);
  assert.equal(options.json.attestation, 'none');
  assert.equal(response.status, 201, response.body);
  assert.equal(response.json.name, 'laptop');
  assert.equal(response.json.algorithm, 'ES256');
  assert.equal(response.json.backed_up, true);
  assert.equal(response.json.last_used_at, null);

  const listed = await client.call('GET', '/api/v1/passkeys');
  assert.equal(listed.json.passkeys.length, 1);
  // The next registration excludes it (the browser will not register it twice).
  const again = await client.call('POST', '/api/v1/passkeys/options');
  assert.deepEqual(again.json.exclude_credentials.map((c) => c.id),
                   [authenticator.credentialId.toString('base64url')]);

  const step1 = await passwordStep('PK-1');
  assert.deepEqual(step1.second_factors, ['totp', 'passkey']);
  const loginOptions = await passkeyOptions(step1.login_challenge);
  assert.equal(loginOptions.status, 200, loginOptions.body);
  assert.equal(loginOptions.json.rp_id, 'localhost');
  assert.equal(loginOptions.json.user_verification, 'required');
  assert.deepEqual(loginOptions.json.allow_credentials.map((c) => c.id),
                   [authenticator.credentialId.toString('base64url')]);

  const browser = await Client.create(server);
  const login = await passkeyLogin(browser, step1.login_challenge, authenticator.assert(loginOptions.json, origin));
  assert.equal(login.status, 200, login.body);
  browser.adopt(login.json);
  assert.equal((await browser.call('GET', '/api/v1/self')).json.service_number, 'PK-1');
  // The login challenge is spent: the same answer does not open a second session.
  const replay = await passkeyLogin(browser, step1.login_challenge, authenticator.assert(loginOptions.json, origin));
  assert.equal(replay.status, 401);

  const used = await browser.call('GET', '/api/v1/passkeys');
  assert.equal(typeof used.json.passkeys[0].last_used_at, 'number');
});

// The longest name allowed (64 characters of four bytes each) is kept
// whole; the audit event's subject, capped at 256 bytes, is cut instead of
// refusing the registration as if the log were down.
test('a passkey named with 64 four-byte characters registers', async () => {
  const client = await activated('PK-5');
  const name = '\u{1F510}'.repeat(64);
  const { response } = await registerPasskey(client, new SoftwareAuthenticator({ alg: 'ES256' }), {}, name);
  assert.equal(response.status, 201, response.body);
  assert.equal(response.json.name, name);
});

test('EdDSA passkeys work too; removal takes the passkey out of logins', async () => {
  const client = await activated('PK-2');
  const authenticator = new SoftwareAuthenticator({ alg: 'EdDSA' });
  const { response } = await registerPasskey(client, authenticator, {}, 'clé USB');
  assert.equal(response.status, 201, response.body);
  assert.equal(response.json.algorithm, 'EdDSA');
  assert.equal(response.json.name, 'clé USB');

  const step1 = await passwordStep('PK-2');
  const options = await passkeyOptions(step1.login_challenge);
  const browser = await Client.create(server);
  const login = await passkeyLogin(browser, step1.login_challenge, authenticator.assert(options.json, origin));
  assert.equal(login.status, 200, login.body);

  assert.equal((await client.call('POST', `/api/v1/passkeys/${response.json.id}/remove`)).status, 401,
               'the older session ended with the new login (one session per agent)');
  browser.adopt(login.json);
  assert.equal((await browser.call('POST', `/api/v1/passkeys/${response.json.id}/remove`)).status, 204);
  assert.equal((await browser.call('POST', `/api/v1/passkeys/${response.json.id}/remove`)).status, 404);
  const after = await passwordStep('PK-2');
  assert.deepEqual(after.second_factors, ['totp']);
});

test('registration refuses answers that fail a WebAuthn check, and spends the challenge', async () => {
  const client = await activated('PK-3');
  const authenticator = new SoftwareAuthenticator();
  for (const [what, breakWith] of [
    ['another origin', { origin: 'https://evil.example' }],
    ['another challenge', { challenge: Buffer.alloc(32, 7).toString('base64url') }],
    ['a get instead of a create', { type: 'webauthn.get' }],
    ['no user verification', { noUv: true }],
    ['another relying party', { rpId: 'evil.example' }],
    ['an attestation other than none', { fmt: 'packed' }],
  ]) {
    const { response } = await registerPasskey(client, authenticator, breakWith);
    // The agent is signed in: told which check failed, and still signed in.
    assert.equal(response.status, 400, `${what}: ${response.body}`);
    assert.match(response.json.detail, /^the passkey was not accepted: ./, what);
  }
  assert.equal((await client.call('GET', '/api/v1/passkeys')).status, 200, 'the session lives on');
  // A good answer to a challenge already spent (by a bad answer) is refused.
  const options = await client.call('POST', '/api/v1/passkeys/options');
  const good = authenticator.register(options.json, origin);
  const spoiled = await client.call('POST', '/api/v1/passkeys', authenticator.register(options.json, origin, { origin: 'https://evil.example' }));
  assert.equal(spoiled.status, 400);
  const late = await client.call('POST', '/api/v1/passkeys', good);
  assert.equal(late.status, 409, late.body);
  assert.match(late.json.detail, /no passkey registration in progress/);
  assert.equal((await client.call('GET', '/api/v1/passkeys')).json.passkeys.length, 0);
});

test('login refuses a cloned authenticator, a bad signature, another origin, and counts them', async () => {
  const client = await activated('PK-4');
  const authenticator = new SoftwareAuthenticator();
  assert.equal((await registerPasskey(client, authenticator)).response.status, 201);
  const browser = await Client.create(server);

  const first = await passwordStep('PK-4');
  const options = await passkeyOptions(first.login_challenge);
  const good = await passkeyLogin(browser, first.login_challenge, authenticator.assert(options.json, origin, { counter: 5 }));
  assert.equal(good.status, 200, good.body);

  for (const [what, breakWith] of [
    ['a counter that went back (cloned authenticator)', { counter: 3 }],
    ['a bad signature', { badSignature: true, counter: 10 }],
    ['another origin', { origin: 'https://evil.example', counter: 11 }],
    ['no user verification', { noUv: true, counter: 12 }],
  ]) {
    const step1 = await passwordStep('PK-4');
    const o = await passkeyOptions(step1.login_challenge);
    const refused = await passkeyLogin(browser, step1.login_challenge, authenticator.assert(o.json, origin, breakWith));
    assert.equal(refused.status, 401, what);
    assert.equal(refused.json.detail, 'authentication failed', 'the client is not told which check failed');
  }
  // Four failures are on the account: the fifth locks it (lock-out counts passkeys too).
  const step1 = await passwordStep('PK-4');
  const o = await passkeyOptions(step1.login_challenge);
  await passkeyLogin(browser, step1.login_challenge, authenticator.assert(o.json, origin, { badSignature: true, counter: 13 }));
  const locked = await request(server, 'POST', '/api/v1/auth/login',
                               { body: { service_number: 'PK-4', password: PASSWORD } });
  assert.equal(locked.status, 401, 'locked out');
  // The copy was noticed: an alert names the passkey (the other refusals
  // are wrong factors, not copies).
  const cloned = installation.vigie('alert', 'list').split('\n').filter((l) => /cloned_passkey/.test(l));
  assert.equal(cloned.length, 1, cloned.join('\n'));
  assert.match(cloned[0], /PK-4/);
  assert.match(cloned[0], /passkey=\d+ signed with a sign counter behind its own/);
});

test('registration needs a session, strict bodies and base64url values', async () => {
  const anonymous = await request(server, 'POST', '/api/v1/passkeys/options', { body: {} });
  assert.equal(anonymous.status, 401);
  const client = await Client.create(server);
  // The activation's login spent this 30-second step's code: the next one.
  const login = await client.login('PK-3', PASSWORD, secrets['PK-3'], { offsetSteps: 1 });
  assert.equal(login.status, 200, login.body);
  await client.acknowledgeNotice();
  const authenticator = new SoftwareAuthenticator();
  const options = await client.call('POST', '/api/v1/passkeys/options');
  const good = authenticator.register(options.json, origin);
  for (const [what, body] of [
    ['an unknown field', { ...good, extra: 1 }],
    ['text that is not base64url', { ...good, attestation_object: 'not base64url!' }],
    ['an empty value', { ...good, client_data_json: '' }],
    ['a number for a string', { ...good, client_data_json: 42 }],
    ['no attestation object', { client_data_json: good.client_data_json }],
    ['a name with a control character', { ...good, name: 'a\u0007b' }],
  ]) {
    const r = await client.call('POST', '/api/v1/passkeys', body);
    assert.equal(r.status, 400, `${what}: ${r.body}`);
    assert.match(r.headers['content-type'], /problem\+json/);
  }
  // None of them spent the challenge: the body was refused before.
  assert.equal((await client.call('POST', '/api/v1/passkeys', good)).status, 201);
  assert.equal((await client.call('POST', '/api/v1/passkeys/options', { unexpected: true })).status, 400);
  assert.equal((await client.call('POST', '/api/v1/passkeys/abc/remove')).status, 400);

  const step1 = await passwordStep('PK-3');
  const badLogin = await passkeyLogin(await Client.create(server), step1.login_challenge,
                                      { credential_id: '***', client_data_json: 'a', authenticator_data: 'a', signature: 'a' });
  assert.equal(badLogin.status, 400);
  const noProof = await request(server, 'POST', '/api/v1/auth/passkey',
                                { body: { login_challenge: step1.login_challenge, ...authenticator.assert({ rp_id: 'localhost', challenge: 'x' }, origin) } });
  assert.equal(noProof.status, 401, 'a passkey login needs a DPoP proof: it names the session key');
});

test('registrations, removals and passkey logins are in the audit log', () => {
  const attempts = installation.vigie('audit', 'search', '--type', 'passkey_registered').trim().split('\n')
    .map((l) => JSON.parse(l));
  const registered = attempts.filter((e) => e.outcome === 'ok');
  assert.ok(registered.length >= 3);
  assert.ok(attempts.some((e) => e.outcome === 'refused' && e.refusal === 'InvalidArgument'),
            'refused registrations are recorded too');
  assert.ok(registered.every((e) => /^passkey=\d+ name=/.test(e.subject)), JSON.stringify(registered[0]));
  const removals = installation.vigie('audit', 'search', '--type', 'passkey_removed').trim().split('\n')
    .map((l) => JSON.parse(l));
  assert.deepEqual(removals.map((e) => e.outcome), ['ok', 'refused'], 'the second removal found nothing');
  // A login names the passkey it used, one of those registered.
  const ids = new Set(registered.map((e) => e.subject.match(/^passkey=(\d+)/)[1]));
  const logins = installation.vigie('audit', 'search', '--type', 'login_second_factor_ok').trim().split('\n')
    .map((l) => JSON.parse(l)).filter((e) => e.subject.startsWith('passkey'));
  assert.ok(logins.length >= 3, 'passkey logins say so');
  for (const e of logins) assert.ok(ids.has(e.subject.match(/^passkey=(\d+)$/)?.[1]), e.subject);
  // A refusal says why, for the officers (the client hears only "login failed").
  const failures = installation.vigie('audit', 'search', '--type', 'login_second_factor_failed').trim().split('\n')
    .map((l) => JSON.parse(l)).filter((e) => e.subject.startsWith('passkey'));
  assert.ok(failures.length >= 5);
  assert.ok(failures.some((e) => /^passkey=\d+ refused: sign counter did not increase/.test(e.subject)),
            'a cloned authenticator is named as such');
});

// A relying party the server's host does not fit (web.rp_id): no passkey
// login or registration can pass, which is said before any proof, challenge
// or session is read, as they would be spent for nothing.
test('with no relying party, the passkey routes answer 503 before reading the proof', async () => {
  const misfit = createInstallation({ persons: 20, config: { web: { rp_id: 'example.org' } } });
  const node = await startServer(misfit);
  try {
    for (const path of ['/api/v1/auth/passkey', '/api/v1/auth/passkey/options', '/api/v1/passkeys/options']) {
      const r = await request(node, 'POST', path, { body: { login_challenge: 'x' } });  // no DPoP at all
      assert.equal(r.status, 503, `${path}: ${r.body}`);  // not 401: the proof was not read
      assert.equal(r.headers['www-authenticate'], undefined);
    }
  } finally {
    await node.stop();
    misfit.remove();
  }
});
