// The API client against a fake fetch: proofs on every call, tokens in memory,
// 401 ends the session, one refresh at a time (tried again when the failure
// passes), logout ends the server session, step-up recognised.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Api, ApiError, refreshDelaySeconds, REFRESH_RETRIES } from '../src/api.js';

function fakeTimers() {
  const timers = [];
  return { timers, setTimeout: (fn, ms) => { timers.push({ fn, ms }); return timers.length; }, clearTimeout: () => {} };
}
const signer = { proof: async (method, url, token) => `proof:${method}:${url}:${token ?? ''}` };
function response(status, body, headers = {}) {
  return new Response(body === undefined ? null : JSON.stringify(body),
                      { status, headers: { 'Content-Type': 'application/json', ...headers } });
}
// An Api signed in with tokens A1 and R1, answered by the fake `fetch`,
// each answer taken in turn when `fetch` is an array.
function signedInApi(fetch, { signer: proofs = signer } = {}) {
  const answer = Array.isArray(fetch) ? async () => fetch.shift() : fetch;
  const api = new Api({ origin: 'http://localhost:9', signer: proofs, timers: fakeTimers(), fetch: answer });
  api.adopt({ access_token: 'A1', refresh_token: 'R1', expires_in: 600 });
  return api;
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

test('a call whose answer does not begin in time fails as a network error', { timeout: 10_000 }, async () => {
  let signal;
  const api = new Api({ origin: 'http://localhost:9', signer, timers: fakeTimers(), requestTimeoutMs: 20,
                        fetch: (url, init) => new Promise((resolve, reject) => {
                          signal = init.signal;
                          init.signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
                        }) });
  api.adopt({ access_token: 'A1', refresh_token: 'R1', expires_in: 600, refresh_expires_in: 1800 });
  await assert.rejects(api.call('GET', '/api/v1/self'), (error) => error.status === 0);
  assert.equal(signal.aborted, true);
  // An answer in time is not cut: its signal is left alone.
  const quick = new Api({ origin: 'http://localhost:9', signer, timers: fakeTimers(), requestTimeoutMs: 20,
                          fetch: async (url, init) => { signal = init.signal; return response(200, { ok: 1 }); } });
  assert.deepEqual(await quick.publicCall('GET', '/api/v1/use-notice'), { ok: 1 });
  await new Promise((resolve) => setTimeout(resolve, 40));
  assert.equal(signal.aborted, false);
});

// An answer whose body stalls (its head came, the rest never does) fails as
// a network error once the time is up, as fetch's body does when aborted.
test('an answer whose body stalls fails as a network error', { timeout: 10_000 }, async () => {
  const stalling = (url, init) => ({
    ok: true, status: 200, headers: new Headers(),
    text: () => new Promise((resolve, reject) => {
      init.signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
    }),
  });
  const api = new Api({ origin: 'http://localhost:9', signer, timers: fakeTimers(), requestTimeoutMs: 20,
                        fetch: async (url, init) => stalling(url, init) });
  api.adopt({ access_token: 'A1', refresh_token: 'R1', expires_in: 600, refresh_expires_in: 1800 });
  await assert.rejects(api.call('GET', '/api/v1/self'), (error) => error.status === 0);
  assert.equal(api.signedIn, true);
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

// A proof refused as a proof (its date off since the page's clock was set
// right) is signed again once, with the offset the refusal's Date gives;
// a second refusal, or a token refused, ends the session as any 401 does.
test('a refused proof is signed again once; the session ends only when it is refused again', async () => {
  const badProof = { 'WWW-Authenticate': 'DPoP error="invalid_dpop_proof", algs="ES256"',
                     Date: 'Mon, 07 Dec 2026 18:00:00 GMT' };
  const learnt = [];
  let proofs = 0;
  const counting = { proof: async (...args) => { proofs += 1; return signer.proof(...args); },
                     learnServerTime: (date) => learnt.push(date) };
  const answers = [response(401, { title: 'Unauthorized' }, badProof), response(200, { ok: 1 })];
  const api = signedInApi(answers, { signer: counting });
  assert.deepEqual(await api.call('GET', '/api/v1/self'), { ok: 1 });
  assert.equal(proofs, 2);
  assert.equal(learnt[0], badProof.Date);
  assert.equal(api.signedIn, true);

  const refusals = [response(401, { title: 'Unauthorized' }, badProof),
                    response(401, { title: 'Unauthorized' }, badProof), response(200, { ok: 1 })];
  const again = signedInApi(refusals);
  await assert.rejects(again.call('GET', '/api/v1/self'), (e) => e.status === 401);
  assert.equal(again.signedIn, false);
  assert.equal(refusals.length, 1, 'signed again once only');

  const tokenRefused = [response(401, { title: 'Unauthorized' },
                                 { 'WWW-Authenticate': 'DPoP error="invalid_token", algs="ES256"' }),
                        response(200, { ok: 1 })];
  const stolen = signedInApi(tokenRefused);
  await assert.rejects(stolen.call('GET', '/api/v1/self'), (e) => e.status === 401);
  assert.equal(stolen.signedIn, false);
  assert.equal(tokenRefused.length, 1, 'a token refused is not sent again');
});

test('a 403 with insufficient_user_authentication is a step-up demand', async () => {
  const api = signedInApi(async () => response(403, { title: 'Forbidden' },
    { 'WWW-Authenticate': 'DPoP error="insufficient_user_authentication", algs="ES256"' }));
  await assert.rejects(api.call('POST', '/api/v1/persons/1/file', {}), (e) => e.stepUp === true);
  assert.equal(api.signedIn, true);
});

// Any route may be refused until a step-up (detection flagged the session):
// the client asks once for all the calls refused together, then makes each again.
test('a step-up demand asks once for the calls refused together, then makes each again', async () => {
  let steppedUp = false;
  const seen = [];
  const demand = { 'WWW-Authenticate': 'DPoP error="insufficient_user_authentication", algs="ES256"' };
  const api = new Api({ origin: 'http://localhost:9', signer, timers: fakeTimers(), fetch: async (url) => {
    seen.push(new URL(url).pathname);
    return steppedUp ? response(200, { path: new URL(url).pathname }) : response(403, { title: 'Forbidden' }, demand);
  } });
  api.adopt({ access_token: 'A1', refresh_token: 'R1', expires_in: 600 });
  let asked = 0;
  api.onStepUp = async () => { asked += 1; await new Promise((r) => setTimeout(r, 10)); steppedUp = true; return true; };
  const answers = await Promise.all([api.call('GET', '/api/v1/units'), api.call('POST', '/api/v1/search', {})]);
  assert.equal(asked, 1);
  assert.deepEqual(answers, [{ path: '/api/v1/units' }, { path: '/api/v1/search' }]);
  assert.deepEqual(seen.sort(), ['/api/v1/search', '/api/v1/search', '/api/v1/units', '/api/v1/units']);
});

test('a call refused before a step-up given since is made again without asking again', async () => {
  let steppedUp = false;
  const demand = { 'WWW-Authenticate': 'DPoP error="insufficient_user_authentication", algs="ES256"' };
  const api = new Api({ origin: 'http://localhost:9', signer, timers: fakeTimers(), fetch: async (url) => {
    const allowed = steppedUp;  // decided when the request is made
    if (url.endsWith('/slow')) await new Promise((r) => setTimeout(r, 50));
    return allowed ? response(200, { ok: 1 }) : response(403, { title: 'Forbidden' }, demand);
  } });
  api.adopt({ access_token: 'A1', refresh_token: 'R1', expires_in: 600 });
  let asked = 0;
  api.onStepUp = async () => { asked += 1; await new Promise((r) => setTimeout(r, 10)); steppedUp = true; return true; };
  const answers = await Promise.all([api.call('GET', '/api/v1/fast'), api.call('GET', '/api/v1/slow')]);
  assert.deepEqual(answers, [{ ok: 1 }, { ok: 1 }]);
  assert.equal(asked, 1);
});

test('a step-up hook that throws counts as cancelled and does not stick', async () => {
  const api = new Api({ origin: 'http://localhost:9', signer, timers: fakeTimers(), fetch: async () =>
    response(403, { title: 'Forbidden' }, { 'WWW-Authenticate': 'DPoP error="insufficient_user_authentication"' }) });
  api.adopt({ access_token: 'A1', refresh_token: 'R1', expires_in: 600 });
  let asked = 0;
  api.onStepUp = () => { asked += 1; throw new Error('no dialog'); };
  await assert.rejects(api.call('GET', '/api/v1/units'), (e) => e.stepUp === true);
  await assert.rejects(api.call('GET', '/api/v1/units'), (e) => e.stepUp === true);
  assert.equal(asked, 2, 'asked afresh: the failed ask was not kept');
  assert.equal(api.steppingUp, null);
});

test('a cancelled step-up, or a background call, gets the refusal and nothing more', async () => {
  let calls = 0;
  const api = new Api({ origin: 'http://localhost:9', signer, timers: fakeTimers(), fetch: async () => {
    calls += 1;
    return response(403, { title: 'Forbidden' },
                    { 'WWW-Authenticate': 'DPoP error="insufficient_user_authentication", algs="ES256"' });
  } });
  api.adopt({ access_token: 'A1', refresh_token: 'R1', expires_in: 600 });
  let asked = 0;
  api.onStepUp = async () => { asked += 1; return false; };
  await assert.rejects(api.call('GET', '/api/v1/units'), (e) => e.stepUp === true);
  assert.equal(asked, 1);
  assert.equal(calls, 1, 'not made again after a cancel');
  await assert.rejects(api.call('POST', '/api/v1/alerts/search', {}, { background: true }), (e) => e.stepUp === true);
  assert.equal(asked, 1, 'a poll does not open the dialog');
  await assert.rejects(api.call('POST', '/api/v1/auth/step-up', { code: '1' }), (e) => e.stepUp === true);
  assert.equal(asked, 1, 'the step-up itself never asks for one');
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

// The check that a refused code left the session alive travels: a sign-out
// and another agent's sign-in meanwhile must not be ended by its answer.
test('a wrong step-up code answered after the session changed ends nothing', async () => {
  let api;
  const fetch = async (url, init) => {
    if (url.endsWith('/step-up')) return response(401, { title: 'Unauthorized' });
    // The session check: the first session is gone; the next one is signed in.
    api.drop();
    api.adopt({ access_token: 'B1', refresh_token: 'S1', expires_in: 600 });
    return response(init.headers.Authorization === 'DPoP A1' ? 401 : 200, {});
  };
  api = new Api({ origin: 'http://localhost:9', signer, timers: fakeTimers(), fetch });
  let ended = null;
  api.onSessionEnded = (reason) => { ended = reason; };
  api.adopt({ access_token: 'A1', refresh_token: 'R1', expires_in: 600 });
  await assert.rejects(api.call('POST', '/api/v1/auth/step-up', { code: '000000' }, { quiet401: true }),
                       (e) => e.status === 0);
  assert.equal(ended, null);
  assert.equal(api.signedIn, true, 'the next session lives on');
});

// A fetch that answers by path and notes each call's path and Authorization.
function routed(routes) {
  const seen = [];
  const fetch = async (url, init) => {
    const path = new URL(url).pathname;
    seen.push({ path, auth: init.headers.Authorization, body: init.body ? JSON.parse(init.body) : undefined });
    const answer = routes[path];
    if (!answer) return response(404, { title: 'Not Found' });
    return typeof answer === 'function' ? answer() : answer.clone();
  };
  return { seen, fetch };
}

test('logging out with an expired access token renews it first, so the server session ends', async () => {
  let clock = 1_800_000_000_000;
  const { seen, fetch } = routed({
    '/api/v1/auth/refresh': response(200, { access_token: 'A2', refresh_token: 'R2', expires_in: 600 }),
    '/api/v1/auth/logout': response(204) });
  const api = new Api({ origin: 'http://localhost:9', signer, timers: fakeTimers(), fetch, now: () => clock });
  api.adopt({ access_token: 'A1', refresh_token: 'R1', expires_in: 600 });
  clock += 601_000;  // a background tab: the timer never ran
  await api.logout();
  assert.deepEqual(seen.map((s) => [s.path, s.auth]),
                   [['/api/v1/auth/refresh', undefined], ['/api/v1/auth/logout', 'DPoP A2']]);
  assert.deepEqual(seen[0].body, { refresh_token: 'R1' });
  assert.equal(api.signedIn, false);
});

test('logging out with a live access token sends it as it is', async () => {
  const { seen, fetch } = routed({ '/api/v1/auth/logout': response(204) });
  const api = new Api({ origin: 'http://localhost:9', signer, timers: fakeTimers(), fetch });
  api.adopt({ access_token: 'A1', refresh_token: 'R1', expires_in: 600 });
  await api.logout();
  assert.deepEqual(seen.map((s) => [s.path, s.auth]), [['/api/v1/auth/logout', 'DPoP A1']]);
});

test('a refresh under way when logging out does not bring the tokens back', async () => {
  let release;
  const { seen, fetch } = routed({
    '/api/v1/auth/refresh': () => new Promise((resolve) => {
      release = () => resolve(response(200, { access_token: 'A2', refresh_token: 'R2', expires_in: 600 }));
    }),
    '/api/v1/auth/logout': response(204) });
  const api = new Api({ origin: 'http://localhost:9', signer, timers: fakeTimers(), fetch });
  api.adopt({ access_token: 'A1', refresh_token: 'R1', expires_in: 600 });
  const refreshing = api.refresh();
  const out = api.logout();
  assert.equal(api.signedIn, false, 'signed out on the page at once, the refresh still under way');
  await new Promise((r) => setImmediate(r));
  release();
  await Promise.all([refreshing, out]);
  assert.equal(api.signedIn, false);
  assert.deepEqual(seen.map((s) => [s.path, s.auth]),
                   [['/api/v1/auth/refresh', undefined], ['/api/v1/auth/logout', 'DPoP A2']]);
});

// A refresh under way that failed may have spent its token on the server: a
// logout presenting it again would be taken there for a stolen session. A
// throttled one (429) spent nothing: the logout renews with it.
test('a logout does not present again a refresh token that a failed refresh may have spent', async () => {
  for (const [failure, presented] of [[502, ['R1']], [429, ['R1', 'R1']]]) {
    let clock = 1_800_000_000_000;
    let release;
    const refreshes = [];
    const api = new Api({ origin: 'http://localhost:9', signer, timers: fakeTimers(), now: () => clock,
      fetch: async (url, init) => {
        if (new URL(url).pathname !== '/api/v1/auth/refresh') return response(204);
        refreshes.push(JSON.parse(init.body).refresh_token);
        if (refreshes.length > 1) return response(200, { access_token: 'A2', refresh_token: 'R2', expires_in: 600 });
        return new Promise((resolve) => { release = () => resolve(response(failure, { title: 'failed' })); });
      } });
    api.adopt({ access_token: 'A1', refresh_token: 'R1', expires_in: 600 });
    clock += 601_000;  // the access token expired: the logout would renew it
    const refreshing = api.refresh().catch(() => {});
    const out = api.logout();
    await new Promise((r) => setImmediate(r));
    release();
    await Promise.all([refreshing, out]);
    assert.deepEqual(refreshes, presented, `after a ${failure}`);
  }
});

// A refresh that outlasts a logout and a new sign-in must not clear the new
// session's refresh under way: a second one would send that session's token
// again, a reuse that ends it on the server.
test('a refresh left from an ended session does not let a second refresh of the next one start', async () => {
  const pending = [];
  const api = new Api({ origin: 'http://localhost:9', signer, timers: fakeTimers(),
    fetch: (url, init) => new Promise((resolve) => pending.push({ token: JSON.parse(init.body).refresh_token, resolve })) });
  api.adopt({ access_token: 'A1', refresh_token: 'R1', expires_in: 600 });
  const old = api.refresh().catch(() => {});
  api.drop();  // signed out on the page (a logout's first step)
  api.adopt({ access_token: 'A2', refresh_token: 'R2', expires_in: 600 });
  const current = api.refresh();
  await new Promise((r) => setImmediate(r));
  pending[0].resolve(response(502, { title: 'Bad Gateway' }));
  await old;
  assert.equal(api.refresh(), current, 'the refresh under way is the one returned');
  assert.deepEqual(pending.map((p) => p.token), ['R1', 'R2']);
  pending[1].resolve(response(200, { access_token: 'A3', refresh_token: 'R3', expires_in: 600 }));
  await current;
  assert.equal(api.tokens.refresh, 'R3');
});

test('a call whose expired token could not be renewed for a throttling gets the 429; the session lives on', async () => {
  let clock = 1_800_000_000_000;
  const paths = [];
  const api = new Api({ origin: 'http://localhost:9', signer, timers: fakeTimers(), now: () => clock,
    fetch: async (url) => {
      const path = new URL(url).pathname;
      paths.push(path);
      return path === '/api/v1/auth/refresh' ? response(429, { title: 'Too Many Requests' })
                                             : response(401, { title: 'Unauthorized' });
    } });
  let ended = null;
  api.onSessionEnded = (reason) => { ended = reason; };
  api.adopt({ access_token: 'A1', refresh_token: 'R1', expires_in: 600 });
  clock += 601_000;
  await assert.rejects(api.call('GET', '/api/v1/self'), (e) => e instanceof ApiError && e.status === 429);
  assert.deepEqual(paths, ['/api/v1/auth/refresh'], 'the expired token is not sent');
  assert.equal(api.signedIn, true);
  assert.equal(ended, null);
});

test('an answer that is not JSON (a page put in the way) is an ApiError, not a parser message', async () => {
  const api = new Api({ origin: 'http://localhost:9', signer, timers: fakeTimers(),
    fetch: async () => new Response('<html>captive portal</html>', { status: 200 }) });
  api.adopt({ access_token: 'A1', refresh_token: 'R1', expires_in: 600 });
  await assert.rejects(api.call('GET', '/api/v1/self'),
                       (e) => e instanceof ApiError && e.problem?.title === 'not an answer of the portal');
});

test('a scheduled refresh the server throttled is tried again with backoff', async () => {
  const timers = fakeTimers();
  const answers = [() => response(429, { title: 'Too Many Requests' }),
                   () => response(429, { title: 'Too Many Requests' }),
                   () => response(429, { title: 'Too Many Requests' }, { 'Retry-After': '30' }),
                   () => response(200, { access_token: 'A2', refresh_token: 'R2', expires_in: 600 })];
  let ended = null;
  const api = new Api({ origin: 'http://localhost:9', signer, timers, fetch: async () => answers.shift()() });
  api.onSessionEnded = (reason) => { ended = reason; };
  api.adopt({ access_token: 'A1', refresh_token: 'R1', expires_in: 600 });
  await timers.timers[0].fn();
  assert.equal(timers.timers[1].ms, 2_000);
  await timers.timers[1].fn();
  assert.equal(timers.timers[2].ms, 4_000);
  await timers.timers[2].fn();
  assert.equal(timers.timers[3].ms, 30_000);  // Retry-After, when longer
  await timers.timers[3].fn();
  assert.equal(api.tokens.access, 'A2');
  assert.equal(timers.timers[4].ms, 480_000);  // the next one, as usual
  assert.equal(ended, null);
});

// A 503 with a Retry-After comes before the refresh runs (a restarted node
// that cannot yet judge an older proof, a node at its connection cap): the
// token is unspent, tried again after the wait, and the session lives on.
test('a scheduled refresh turned away with a 503 and a Retry-After is tried again with the same token', async () => {
  const timers = fakeTimers();
  const presented = [];
  const answers = [() => response(503, { title: 'Service Unavailable' }, { 'Retry-After': '3' }),
                   () => response(200, { access_token: 'A2', refresh_token: 'R2', expires_in: 600 })];
  let ended = null;
  const api = new Api({ origin: 'http://localhost:9', signer, timers,
    fetch: async (url, init) => { presented.push(JSON.parse(init.body).refresh_token); return answers.shift()(); } });
  api.onSessionEnded = (reason) => { ended = reason; };
  api.adopt({ access_token: 'A1', refresh_token: 'R1', expires_in: 600 });
  await timers.timers[0].fn();
  assert.equal(timers.timers[1].ms, 3_000);  // the server's wait, being longer
  await timers.timers[1].fn();
  assert.deepEqual(presented, ['R1', 'R1']);
  assert.equal(api.tokens.access, 'A2');
  assert.equal(ended, null);
});

test('a scheduled refresh gives up after a few throttlings; after a 5xx or a lost answer it never retries', async () => {
  const timers = fakeTimers();
  const api = new Api({ origin: 'http://localhost:9', signer, timers,
                        fetch: async () => response(429, { title: 'Too Many Requests' }) });
  api.adopt({ access_token: 'A1', refresh_token: 'R1', expires_in: 600 });
  for (let i = 0; i < timers.timers.length; i += 1) await timers.timers[i].fn();
  assert.equal(timers.timers.length, 1 + REFRESH_RETRIES);
  assert.equal(api.signedIn, true);  // the next call tries once more before it sends

  // The server may have rotated before failing: the spent token is not sent again.
  for (const fail of [() => response(503, { title: 'Service Unavailable' }),
                      () => response(502, { title: 'Bad Gateway' }),
                      () => { throw new TypeError('network'); }]) {
    const t = fakeTimers();
    let sent = 0;
    const once = new Api({ origin: 'http://localhost:9', signer, timers: t,
                           fetch: async () => { sent += 1; return fail(); } });
    once.adopt({ access_token: 'A1', refresh_token: 'R1', expires_in: 600 });
    await t.timers[0].fn();
    assert.equal(t.timers.length, 1, 'no retry scheduled');
    assert.equal(sent, 1);
  }

  // Nor by a call once the access token has expired, nor by a logout: the
  // session ends on this page instead of as a reuse on the server.
  // A call is refused (401) and the page told the session ended; a logout,
  // which the person asked for, resolves without that notice.
  for (const [leave, refused, endedAs] of [[(api) => api.call('GET', '/api/v1/self'), 401, 'ended'],
                                           [(api) => api.logout(), null, null]]) {
    const t = fakeTimers();
    let clock = 0;
    const refreshes = [];
    let ended = null;
    const api = new Api({ origin: 'http://localhost:9', signer, timers: t, now: () => clock,
      fetch: async (url, init) => {
        if (new URL(url).pathname !== '/api/v1/auth/refresh') return response(401, { title: 'Unauthorized' });
        refreshes.push(JSON.parse(init.body).refresh_token);
        return response(502, { title: 'Bad Gateway' });
      } });
    api.onSessionEnded = (reason) => { ended = reason; };
    api.adopt({ access_token: 'A1', refresh_token: 'R1', expires_in: 600 });
    await t.timers[0].fn();
    clock = 601_000;
    let status = null;
    await leave(api).catch((error) => { status = error.status; });
    assert.equal(status, refused);
    assert.deepEqual(refreshes, ['R1'], 'the refresh token is presented once');
    assert.equal(api.signedIn, false);
    assert.equal(ended, endedAs);
  }

  const timers2 = fakeTimers();
  let ended = null;
  const refused = new Api({ origin: 'http://localhost:9', signer, timers: timers2,
                            fetch: async () => response(401, { title: 'Unauthorized' }) });
  refused.onSessionEnded = (reason) => { ended = reason; };
  refused.adopt({ access_token: 'A1', refresh_token: 'R1', expires_in: 600 });
  await timers2.timers[0].fn();
  assert.equal(timers2.timers.length, 1);
  assert.equal(refused.signedIn, false);
  assert.equal(ended, 'ended');
});

test('an answer to a session that ended meanwhile is dropped, and its 401 ends nothing', async () => {
  const pending = [];
  const api = new Api({ origin: 'http://localhost:9', signer, timers: fakeTimers(),
                        fetch: (url, init) => new Promise((resolve) => pending.push({ init, resolve })) });
  let ended = 0;
  api.onSessionEnded = () => { ended += 1; };
  api.adopt({ access_token: 'A1', refresh_token: 'R1', expires_in: 600 });
  const search = api.call('POST', '/api/v1/search', { surname: 'X' });
  const stale = api.call('GET', '/api/v1/self');
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(pending.length, 2);
  api.drop();  // signed out; another officer signs in on this tab
  api.adopt({ access_token: 'B1', refresh_token: 'R2', expires_in: 600 });
  pending[0].resolve(response(200, { results: ['officer A\'s'] }));
  pending[1].resolve(response(401, { title: 'Unauthorized', status: 401 }));
  await assert.rejects(search, (e) => e instanceof ApiError && e.status === 0);
  await assert.rejects(stale, (e) => e instanceof ApiError && e.status === 0);
  assert.equal(api.signedIn, true, "the old session's 401 does not end the new one");
  assert.equal(ended, 0);
});

test('a call waiting on a refresh is not sent once its session ended meanwhile', async () => {
  const refreshes = [];
  const sent = [];
  const api = new Api({ origin: 'http://localhost:9', signer, timers: fakeTimers(), fetch: (url, init) => {
    if (url.endsWith('/api/v1/auth/refresh')) return new Promise((resolve) => refreshes.push(resolve));
    sent.push({ url, auth: init.headers.Authorization });
    return Promise.resolve(response(200, { opened: true }));
  } });
  api.adopt({ access_token: 'A1', refresh_token: 'R1', expires_in: 600 });
  const hung = api.refresh().catch(() => {});
  const opening = api.call('POST', '/api/v1/persons/7/file', { purpose: 'x' });
  await new Promise((r) => setImmediate(r));
  api.drop();  // signed out; another agent signs in on this tab
  api.adopt({ access_token: 'B1', refresh_token: 'R2', expires_in: 600 });
  refreshes[0](response(502, { title: 'Bad Gateway' }));
  await hung;
  await assert.rejects(opening, (e) => e instanceof ApiError && e.status === 0);
  assert.deepEqual(sent, [], "nothing sent under the next agent's token");
});
