// A restart must not let a DPoP proof be used twice (RFC 9449 §11.1). On
// SQLite one node's memory of used proofs is its own, emptied by a restart:
// the proofs its previous process may have accepted are answered 503 with
// Retry-After - not 401, which would end an honest client's session - and
// the node serves only once none could be one of them. On PostgreSQL the nodes' shared memory in the
// database refuses a replay across the restart, and nothing waits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createInstallation, startServer, request, activeClient, DpopKey } from './harness.mjs';
import { BACKEND } from './databases.mjs';

const nowSeconds = () => Math.floor(Date.now() / 1000);

// A GET /api/v1/self exactly as `client` would send it, kept to be sent again.
async function capturedSelf(client, proofOptions = {}) {
  const path = '/api/v1/self';
  return { Authorization: `DPoP ${client.access}`,
           DPoP: await client.key.proof('GET', client.url(path), client.access, proofOptions) };
}
const sendSelf = (server, headers) => request(server, 'GET', '/api/v1/self', { headers });

// A small installation served, with one agent signed in.
async function oneAgent(serviceNumber, config = {}) {
  const installation = createInstallation({
    persons: 100,
    agents: [{ service_number: serviceNumber, name: `Agent ${serviceNumber}`, roles: ['agent'] }],
    config,
  });
  const node = await startServer(installation);
  try {
    return { installation, client: await activeClient(node, installation, serviceNumber, { acknowledge: false }) };
  } catch (error) {
    await node.stop();
    installation.remove();
    throw error;
  }
}

// Kills `node` (no graceful stop: nothing recorded of the proofs it
// accepted) and starts the installation again on the same port; with the
// time just before the new start.
async function crashAndRestart(node, installation) {
  const port = Number(new URL(node.url).port);
  const killed = new Promise((resolve) => node.child.on('exit', (code, signal) => resolve(signal)));
  node.child.kill('SIGKILL');
  assert.equal(await killed, 'SIGKILL');
  const beforeStart = nowSeconds();
  return { node: await startServer(installation, { port }), beforeStart };
}

// A 503 telling the proof's signer how long to wait by its own clock: up to
// the first second the node accepts, which `iat` cannot have reached.
function assertWaitAsked(r, iat) {
  assert.equal(r.status, 503, r.body);
  assert.equal(r.headers['content-type'], 'application/problem+json');
  const wait = Number(r.headers['retry-after']);
  assert.ok(Number.isInteger(wait) && wait >= 1, `Retry-After ${r.headers['retry-after']}`);
  assert.ok(iat + wait <= nowSeconds() + 6, `Retry-After ${wait} for a proof of ${iat}: too long`);
  assert.equal(r.headers['www-authenticate'], undefined, 'no credential is called invalid');
}

// How many times `send(i)` is answered 503 with the wait asked before a
// 429 (`most` if never).
async function earlyAnswersBeforeRefusal(send, iat, most) {
  let answered = 0;
  for (; answered < most; answered++) {
    const r = await send(answered);
    if (r.status === 429) break;
    assertWaitAsked(r, iat);
  }
  return answered;
}

test('a proof accepted before a restart is refused after it; the session lives on', async () => {
  const { installation, client } = await oneAgent('RST-1');
  let node = client.server;
  try {
    // From a client whose clock runs 4 s ahead: accepted, then captured.
    const aheadIat = nowSeconds() + 4;
    const ahead = await capturedSelf(client, { iat: aheadIat });
    assert.equal((await sendSelf(node, ahead)).status, 200);
    assert.equal((await sendSelf(node, ahead)).status, 401, 'a replay on the same process');

    const port = new URL(node.url).port;
    assert.equal(await node.stop(), 0);
    node = await startServer(installation, { port: Number(port) });
    client.server = node;
    const replayed = await sendSelf(node, ahead);
    if (BACKEND === 'sqlite') {
      assertWaitAsked(replayed, aheadIat);
    } else {
      assert.equal(replayed.status, 401, 'the shared memory refuses it');
    }
    // The session survived the restart: a fresh proof passes.
    const fresh = await client.call('GET', '/api/v1/self');
    assert.equal(fresh.status, 200, fresh.body);
  } finally {
    await node.stop();
    installation.remove();
  }
});

test('after a crash, proofs made before the start are refused until past any it could have accepted', async () => {
  const { installation, client } = await oneAgent('RST-2');
  let node = client.server;
  try {
    let beforeStart;
    ({ node, beforeStart } = await crashAndRestart(node, installation));
    client.server = node;
    // Dated 5 s past the moment before the start: the crashed process,
    // alive until then, could have accepted such a proof.
    const iat = beforeStart + 5;
    const r = await client.call('GET', '/api/v1/self', undefined, { proofOptions: { iat } });
    if (BACKEND === 'sqlite') {
      assertWaitAsked(r, iat);
    } else {
      assert.equal(r.status, 200, r.body);
    }
    const fresh = await client.call('GET', '/api/v1/self');
    assert.equal(fresh.status, 200, fresh.body);
  } finally {
    await node.stop();
    installation.remove();
  }
});

// A proof dated before the start is answered 503 (ours to wait out), but
// its signature was checked and its date is the sender's choice: with
// made-up tokens such proofs spend the address's bucket of refused session
// requests (auth.failed_sessions_per_minute) like any refusal, or they
// would cost a signature check each without end in the minute after every
// start. A live session's are given back.
test('after a start, early proofs with made-up tokens spend the address’s bucket; a live session’s do not', { skip: BACKEND !== 'sqlite' && 'on PostgreSQL the shared memory of used proofs refuses replays: no proof is early' }, async () => {
  const { installation, client } = await oneAgent('RST-3', { auth: { failed_sessions_per_minute: 5 } });
  let node = client.server;
  try {
    let beforeStart;
    ({ node, beforeStart } = await crashAndRestart(node, installation));
    client.server = node;
    const iat = beforeStart + 5;
    client.localAddress = '127.0.0.31';
    const early = (token) => client.call('GET', '/api/v1/self', undefined, { token, proofOptions: { iat } });
    for (let i = 0; i < 8; i++) assertWaitAsked(await early(client.access), iat);
    let waited = await earlyAnswersBeforeRefusal((i) => early(`va_made-up-${i}`), iat, 10);
    assert.ok(waited >= 5 && waited < 10, `answered 503 ${waited} times before 429`);
    assert.equal((await client.call('GET', '/api/v1/self')).status, 200, 'the live session is still heard');
    // A live session's token without its key (stolen) is no licence either:
    // past the address's bucket it is heard only within the session's
    // allowance (auth heard_sessions: 10), then refused.
    client.localAddress = '127.0.0.33';
    const thief = await DpopKey.create();
    waited = await earlyAnswersBeforeRefusal(
      () => client.call('GET', '/api/v1/self', undefined, { key: thief, proofOptions: { iat } }), iat, 30);
    assert.ok(waited >= 5 && waited < 30, `a stolen token answered 503 ${waited} times before 429`);
  } finally {
    await node.stop();
    installation.remove();
  }
});

// The same for a credential's routes (auth.failed_credentials_per_minute):
// early proofs with made-up refresh tokens spend the address's bucket; a
// live refresh token's are given back.
test('after a start, early proofs with made-up refresh tokens spend the address’s bucket; a live one’s do not', { skip: BACKEND !== 'sqlite' && 'on PostgreSQL the shared memory of used proofs refuses replays: no proof is early' }, async () => {
  const { installation, client } = await oneAgent('RST-4', { auth: { failed_credentials_per_minute: 5 } });
  let node = client.server;
  try {
    let beforeStart;
    ({ node, beforeStart } = await crashAndRestart(node, installation));
    client.server = node;
    const iat = beforeStart + 5;
    const path = '/api/v1/auth/refresh';
    const early = async (token, { key = client.key, localAddress = '127.0.0.34' } = {}) =>
      request(node, 'POST', path, {
        headers: { DPoP: await key.proof('POST', client.url(path), undefined, { iat }) },
        body: { refresh_token: token }, localAddress });
    for (let i = 0; i < 8; i++) assertWaitAsked(await early(client.refreshToken), iat);
    const waited = await earlyAnswersBeforeRefusal((i) => early(`vr_made-up-${i}`), iat, 10);
    assert.ok(waited >= 5 && waited < 10, `answered 503 ${waited} times before 429`);
    // The live token without its session's key (stolen) is no licence:
    // past the bucket it is heard only within the session's allowance
    // (heard_credentials: 3), then refused.
    const thief = await DpopKey.create();
    const stolen = await earlyAnswersBeforeRefusal(
      () => early(client.refreshToken, { key: thief, localAddress: '127.0.0.35' }), iat, 30);
    assert.ok(stolen >= 5 && stolen < 30, `a stolen refresh token answered 503 ${stolen} times before 429`);
    client.localAddress = '127.0.0.34';
    assert.equal((await client.refresh()).status, 200, 'the live refresh token is still heard');
  } finally {
    await node.stop();
    installation.remove();
  }
});
