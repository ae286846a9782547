// Key pairs for the test clients, out of reach of a Node.js deadlock.
//
// Node 20 takes a generated key's lock in the destructor of the job that
// generated it (KeyPairGenConfig), and runs that destructor during a
// garbage collection: one that falls while the same key's lock is held and
// the heap must grow (an export to JWK allocates its strings under the
// lock) never returns. Seen as the passkeys suite hanging for 600 s under
// load, the client stuck in ExportJWKEdKey. Keys generated as DER bytes and
// imported anew share no lock with any job.
import { generateKeyPairSync, createPrivateKey, createPublicKey } from 'node:crypto';

// As generateKeyPairSync(type, options), returning KeyObjects.
export function freshKeyPair(type, options = {}) {
  const { publicKey, privateKey } = generateKeyPairSync(type, {
    ...options,
    publicKeyEncoding: { type: 'spki', format: 'der' },
    privateKeyEncoding: { type: 'pkcs8', format: 'der' },
  });
  return {
    publicKey: createPublicKey({ key: publicKey, format: 'der', type: 'spki' }),
    privateKey: createPrivateKey({ key: privateKey, format: 'der', type: 'pkcs8' }),
  };
}

// An ES256 (P-256) pair, for DPoP proofs signed by jose.
export function freshEs256KeyPair() {
  return freshKeyPair('ec', { namedCurve: 'P-256' });
}
