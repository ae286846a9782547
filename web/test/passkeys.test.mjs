// Registering a passkey: a refusal (400, the failed check in `detail`) is
// shown to the agent and keeps the session; a 401 still ends it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Api } from '../src/api.js';
import { registerPasskey, passkeyFailure } from '../src/views/passkeys.js';
import { t } from '../src/i18n.js';

const signer = { proof: async () => 'proof' };
const timers = { setTimeout: () => 0, clearTimeout: () => {} };
const OPTIONS = { challenge: 'AQID', rp: { id: 'localhost', name: 'Vigie' },
                  user: { id: 'BAU', name: 'PN-1', display_name: 'Agent' }, algorithms: [-7] };

// The browser's create(): an authenticator that answers at once.
function withAuthenticator(t) {
  const saved = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
  const buf = (...b) => new Uint8Array(b).buffer;
  Object.defineProperty(globalThis, 'navigator', { configurable: true, value: { credentials: {
    create: async () => ({ response: { clientDataJSON: buf(1), attestationObject: buf(2) } }) } } });
  t.after(() => { if (saved) Object.defineProperty(globalThis, 'navigator', saved); else delete globalThis.navigator; });
}

function appAnswering(status, problem) {
  let ended = null;
  const api = new Api({ origin: 'http://localhost:9', signer, timers, fetch: async (url) => (url.endsWith('/options')
    ? Response.json(OPTIONS)
    : Response.json(problem, { status, headers: { 'Content-Type': 'application/problem+json' } })) });
  api.onSessionEnded = (reason) => { ended = reason; };
  api.adopt({ access_token: 'A1', refresh_token: 'R1', expires_in: 600 });
  return { app: { api }, ended: () => ended };
}

test('a refused registration (400) shows the failed check and keeps the session', async (t_) => {
  withAuthenticator(t_);
  const detail = 'the client data names another origin';
  const { app, ended } = appAnswering(400, { title: 'Bad Request', status: 400, detail });
  const error = await registerPasskey(app, 'Poste').then(() => null, (e) => e);
  assert.equal(error?.status, 400);
  assert.equal(app.api.signedIn, true);
  assert.equal(ended(), null);
  assert.equal(passkeyFailure(error), t('passkeys.failed', { detail }));
});

test('a 401 during registration still ends the session', async (t_) => {
  withAuthenticator(t_);
  const { app, ended } = appAnswering(401, { title: 'Unauthorized', status: 401 });
  await assert.rejects(registerPasskey(app, 'Poste'), (e) => e.status === 401);
  assert.equal(app.api.signedIn, false);
  assert.equal(ended(), 'ended');
});

test('an authenticator that declines is named; other failures read as any other call', () => {
  assert.equal(passkeyFailure(new DOMException('no', 'NotAllowedError')), t('passkeys.failed', { detail: 'NotAllowedError' }));
  assert.equal(passkeyFailure({ status: 0, problem: { title: 'network' } }), t('app.error.network'));
});
