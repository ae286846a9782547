// The API client against a fake fetch: proofs on every call, tokens in memory,
// 401 ends the session, one refresh at a time, step-up recognised.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Api, ApiError, refreshDelaySeconds } from '../src/api.js';

function fakeTimers() {
  const timers = [];
  return { timers, setTimeout: (fn, ms) => { timers.push({ fn, ms }); return timers.length; }, clearTimeout: () => {} };
}
const signer = { proof: async (method, url, token) => `proof:${method}:${url}:${token ?? ''}` };
function response(status, body, headers = {}) {
  return new Response(body === undefined ? null : JSON.stringify(body),
                      { status, headers: { 'Content-Type': 'application/json', ...headers } });
}

test('an authenticated call sends Authorization: DPoP and a proof bound to the token', async () => {
  const seen = [];
  const api = new Api({ origin: 'http://localhost:9', signer, timers: fakeTimers(),
                        fetch: async (url, init) => { seen.push({ url, init }); return response(200, { ok: 1 }); } });
  api.adopt({ access_token: 'A1', refresh_token: 'R1', expires_in: 600, refresh_expires_in: 1800 });
  assert.deepEqual(await api.call('POST', '/api/v1/search', { surname: 'X' }), { ok: 1 });
  assert.equal(seen[0].url, 'http://localhost:9/api/v1/search');
  assert.equal(seen[0].init.headers.Authorization, 'DPoP A1');
  assert.equal(seen[0].init.headers.DPoP, 'proof:POST:http://localhost:9/api/v1/search:A1');
  assert.equal(seen[0].init.credentials, 'omit');
});

test('a 401 drops the tokens and says the session ended', async () => {
  let ended = null;
  const api = new Api({ origin: 'http://localhost:9', signer, timers: fakeTimers(),
                        fetch: async () => response(401, { title: 'Unauthorized', status: 401 }) });
  api.onSessionEnded = (reason) => { ended = reason; };
  api.adopt({ access_token: 'A1', refresh_token: 'R1', expires_in: 600 });
  await assert.rejects(api.call('GET', '/api/v1/self'), (e) => e instanceof ApiError && e.status === 401);
  assert.equal(api.signedIn, false);
  assert.equal(ended, 'ended');
});

test('a 403 with insufficient_user_authentication is a step-up demand', async () => {
  const api = new Api({ origin: 'http://localhost:9', signer, timers: fakeTimers(),
    fetch: async () => response(403, { title: 'Forbidden' },
      { 'WWW-Authenticate': 'DPoP error="insufficient_user_authentication", algs="ES256"' }) });
  api.adopt({ access_token: 'A1', refresh_token: 'R1', expires_in: 600 });
  await assert.rejects(api.call('POST', '/api/v1/persons/1/file', {}), (e) => e.stepUp === true);
  assert.equal(api.signedIn, true);
});

test('concurrent refreshes send the refresh token once', async () => {
  let refreshes = 0;
  const api = new Api({ origin: 'http://localhost:9', signer, timers: fakeTimers(), fetch: async (url) => {
    if (url.endsWith('/auth/refresh')) {
      refreshes += 1;
      await new Promise((r) => setTimeout(r, 10));
      return response(200, { access_token: 'A2', refresh_token: 'R2', expires_in: 600 });
    }
    return response(200, {});
  } });
  api.adopt({ access_token: 'A1', refresh_token: 'R1', expires_in: 600 });
  await Promise.all([api.refresh(), api.refresh(), api.refresh()]);
  assert.equal(refreshes, 1);
  assert.equal(api.tokens.access, 'A2');
});

test('the refresh is scheduled before expiry', () => {
  const timers = fakeTimers();
  const api = new Api({ origin: 'http://localhost:9', signer, timers, fetch: async () => response(200, {}) });
  api.adopt({ access_token: 'A1', refresh_token: 'R1', expires_in: 600 });
  assert.equal(timers.timers[0].ms, 480_000);
  assert.equal(refreshDelaySeconds(60), 48);
  assert.equal(refreshDelaySeconds(4), 5);
});

test('a wrong step-up code (401) does not end a live session', async () => {
  const api = new Api({ origin: 'http://localhost:9', signer, timers: fakeTimers(), fetch: async (url) =>
    (url.endsWith('/step-up') ? response(401, { title: 'Unauthorized' }) : response(200, {})) });
  api.adopt({ access_token: 'A1', refresh_token: 'R1', expires_in: 600 });
  await assert.rejects(api.call('POST', '/api/v1/auth/step-up', { code: '000000' }, { quiet401: true }));
  assert.equal(api.signedIn, true);
});
