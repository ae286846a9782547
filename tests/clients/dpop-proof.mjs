// Makes a DPoP proof (RFC 9449) with the jose library, an implementation
// independent of Vigie's, and prints {"proof", "jkt", "jwk"} as JSON.
// Usage: node dpop-proof.mjs METHOD URL [ACCESS_TOKEN] [IAT_OFFSET_SECONDS]
import { exportJWK, calculateJwkThumbprint, SignJWT, base64url } from 'jose';
import { createHash, randomUUID } from 'node:crypto';
import { freshEs256KeyPair } from './key-pair.mjs';

const [method, url, accessToken = '', iatOffset = '0'] = process.argv.slice(2);
const { publicKey, privateKey } = freshEs256KeyPair();
const jwk = await exportJWK(publicKey);
const claims = { htm: method, htu: url, jti: randomUUID() };
if (accessToken) {
  claims.ath = base64url.encode(createHash('sha256').update(accessToken).digest());
}
const proof = await new SignJWT(claims)
  .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk })
  .setIssuedAt(Math.floor(Date.now() / 1000) + Number(iatOffset))
  .sign(privateKey);
console.log(JSON.stringify({ proof, jkt: await calculateJwkThumbprint(jwk), jwk }));
