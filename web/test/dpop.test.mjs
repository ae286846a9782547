// The proof made by the page verified with Node's own crypto: header, claims,
// signature (JWS ES256 = r||s), ath, htu without query.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { makeProof, generateKeyPair, publicJwk, htuOf, DpopSigner, isOwnKeyPair, halvesMatch } from '../src/dpop.js';

function parts(jwt) {
  const [h, p, s] = jwt.split('.');
  return { header: JSON.parse(Buffer.from(h, 'base64url')), payload: JSON.parse(Buffer.from(p, 'base64url')),
           input: `${h}.${p}`, signature: Buffer.from(s, 'base64url') };
}

test('a proof with a token carries htm, htu, iat, jti and ath, signed by the header key', async () => {
  const pair = await generateKeyPair();
  const jwt = await makeProof({ keyPair: pair, method: 'post', url: 'http://localhost:8443/api/v1/search?x=1#y',
                                accessToken: 'vga_token', now: 1_700_000_000_123 });
  const { header, payload, input, signature } = parts(jwt);
  assert.equal(header.typ, 'dpop+jwt');
  assert.equal(header.alg, 'ES256');
  assert.deepEqual(Object.keys(header.jwk).sort(), ['crv', 'kty', 'x', 'y']);
  assert.equal(payload.htm, 'POST');
  assert.equal(payload.htu, 'http://localhost:8443/api/v1/search');
  assert.equal(payload.iat, 1_700_000_000);
  assert.ok(payload.jti.length >= 16);
  assert.equal(payload.ath, createHash('sha256').update('vga_token').digest('base64url'));
  assert.equal(signature.length, 64);
  const key = createPublicKey({ key: header.jwk, format: 'jwk' });
  assert.ok(verify('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }, signature));
});

test('a proof without a token has no ath; every proof has a fresh jti', async () => {
  const pair = await generateKeyPair();
  const a = parts(await makeProof({ keyPair: pair, method: 'POST', url: 'http://localhost/api/v1/auth/refresh' }));
  const b = parts(await makeProof({ keyPair: pair, method: 'POST', url: 'http://localhost/api/v1/auth/refresh' }));
  assert.equal(a.payload.ath, undefined);
  assert.notEqual(a.payload.jti, b.payload.jti);
});

test('the private key cannot be exported', async () => {
  const pair = await generateKeyPair();
  assert.equal(pair.privateKey.extractable, false);
  await assert.rejects(crypto.subtle.exportKey('jwk', pair.privateKey));
  assert.ok((await publicJwk(pair.publicKey)).x);
});

test('the signer keeps the stored key and makes one when the store is empty', async () => {
  let stored = null;
  const store = { load: async () => stored, save: async (p) => { stored = p; } };
  const first = new DpopSigner(store);
  const jwk1 = parts(await first.proof('GET', 'http://localhost/api/v1/self', 't')).header.jwk;
  assert.ok(stored);
  const second = new DpopSigner(store);
  const jwk2 = parts(await second.proof('GET', 'http://localhost/api/v1/self', 't')).header.jwk;
  assert.deepEqual(jwk1, jwk2);
});

async function replacedBySigner(pair) {
  let stored = pair;
  const signer = new DpopSigner({ load: async () => stored, save: async (p) => { stored = p; } });
  await signer.proof('GET', 'http://localhost/api/v1/self', 't');
  assert.notEqual(stored, pair, 'replaced');
  assert.ok(isOwnKeyPair(stored));
}

test('a stored pair the page would not have made is replaced, not used', async () => {
  const exportable = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, true, ['sign']);
  const planted = [
    await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']),  // exportable
    exportable,  // another curve
    { privateKey: 'a key', publicKey: 'a key' },
    { privateKey: (await generateKeyPair()).privateKey, publicKey: exportable.publicKey },
  ];
  for (const pair of planted) {
    assert.equal(isOwnKeyPair(pair), false);
    await replacedBySigner(pair);
  }
  assert.ok(isOwnKeyPair(await generateKeyPair()));
  // Each half right on its own, but not of one pair.
  const mismatched = { privateKey: (await generateKeyPair()).privateKey,
                       publicKey: (await generateKeyPair()).publicKey };
  assert.equal(isOwnKeyPair(mismatched), true);
  assert.equal(await halvesMatch(mismatched), false);
  assert.equal(await halvesMatch(await generateKeyPair()), true);
  await replacedBySigner(mismatched);
});

test('proofs follow the server clock learnt from Date headers, not a workstation clock that is off', async () => {
  const local = 1_800_000_000_000;
  const signer = new DpopSigner({ load: async () => null, save: async () => {} }, { now: () => local });
  const iat = async () => parts(await signer.proof('GET', 'http://localhost/api/v1/self', 't')).payload.iat;
  assert.equal(await iat(), local / 1000);
  signer.learnServerTime(new Date(local + 10 * 60_000).toUTCString());  // the server is 10 min ahead
  assert.equal(await iat(), local / 1000 + 600);
  signer.learnServerTime(new Date(local + 1_000).toUTCString());  // within the header's resolution
  assert.equal(await iat(), local / 1000);
  signer.learnServerTime('not a date');
  assert.equal(await iat(), local / 1000);
});

test('htu drops query and fragment', () => {
  assert.equal(htuOf('https://vigie.example.fr/api/v1/self?a=b#c'), 'https://vigie.example.fr/api/v1/self');
});
