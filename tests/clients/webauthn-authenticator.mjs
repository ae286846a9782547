// A software WebAuthn authenticator written from the specification (W3C
// WebAuthn Level 3 §6, RFC 8949 CBOR, RFC 9053 COSE), independent of Vigie's
// C++ checks: it makes the browser's answers — clientDataJSON, the "none"
// attestation object, assertions — that the API tests send. Options let a
// test break one property at a time.
import { createHash, sign, randomBytes } from 'node:crypto';
import { freshKeyPair } from './key-pair.mjs';

const b64u = (buf) => Buffer.from(buf).toString('base64url');
const sha256 = (data) => createHash('sha256').update(data).digest();

// --- a minimal CBOR encoder (definite lengths; what authenticators emit) ---
function head(major, n) {
  if (n < 24) return Buffer.from([(major << 5) | n]);
  if (n < 0x100) return Buffer.from([(major << 5) | 24, n]);
  if (n < 0x10000) { const b = Buffer.alloc(3); b[0] = (major << 5) | 25; b.writeUInt16BE(n, 1); return b; }
  const b = Buffer.alloc(5); b[0] = (major << 5) | 26; b.writeUInt32BE(n, 1); return b;
}
export function cbor(value) {
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return Buffer.concat([head(2, value.length), Buffer.from(value)]);
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === 'string') { const s = Buffer.from(value, 'utf8'); return Buffer.concat([head(3, s.length), s]); }
  if (Array.isArray(value)) return Buffer.concat([head(4, value.length), ...value.map(cbor)]);
  if (value instanceof Map) {
    const parts = [head(5, value.size)];
    for (const [k, v] of value) parts.push(cbor(k), cbor(v));
    return Buffer.concat(parts);
  }
  throw new Error(`cannot encode ${typeof value}`);
}

const FLAG_UP = 0x01, FLAG_UV = 0x04, FLAG_BE = 0x08, FLAG_BS = 0x10, FLAG_AT = 0x40;

export class SoftwareAuthenticator {
  // alg: 'ES256' (COSE -7) or 'EdDSA' (COSE -8).
  constructor({ alg = 'ES256', backupEligible = false, backedUp = false } = {}) {
    this.alg = alg;
    this.flagsBackup = (backupEligible ? FLAG_BE : 0) | (backedUp ? FLAG_BS : 0);
    const pair = alg === 'ES256' ? freshKeyPair('ec', { namedCurve: 'P-256' })
                                 : freshKeyPair('ed25519');
    this.privateKey = pair.privateKey;
    this.jwk = pair.publicKey.export({ format: 'jwk' });
    this.credentialId = randomBytes(32);
    this.counter = 0;
  }

  coseKey() {
    if (this.alg === 'ES256') {
      return cbor(new Map([[1, 2], [3, -7], [-1, 1],
                           [-2, Buffer.from(this.jwk.x, 'base64url')],
                           [-3, Buffer.from(this.jwk.y, 'base64url')]]));
    }
    return cbor(new Map([[1, 1], [3, -8], [-1, 6], [-2, Buffer.from(this.jwk.x, 'base64url')]]));
  }

  authData(rpId, flags, counter, attested) {
    const c = Buffer.alloc(4); c.writeUInt32BE(counter >>> 0);
    const parts = [sha256(rpId), Buffer.from([flags]), c];
    if (attested) {
      const len = Buffer.alloc(2); len.writeUInt16BE(this.credentialId.length);
      parts.push(Buffer.alloc(16), len, this.credentialId, this.coseKey());
    }
    return Buffer.concat(parts);
  }

  static clientData(type, challenge, origin, extra = {}) {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false, ...extra }));
  }

  // navigator.credentials.create(): the API's POST /passkeys body.
  // `o` breaks one thing: { origin, challenge, type, noUv, rpId, fmt }.
  register(options, origin, o = {}) {
    const flags = FLAG_UP | (o.noUv ? 0 : FLAG_UV) | FLAG_AT | this.flagsBackup;
    const authData = this.authData(o.rpId ?? options.rp.id, flags, this.counter, true);
    const attestation = cbor(new Map([['fmt', o.fmt ?? 'none'], ['attStmt', new Map()], ['authData', authData]]));
    const clientData = SoftwareAuthenticator.clientData(o.type ?? 'webauthn.create',
                                                        o.challenge ?? options.challenge, o.origin ?? origin);
    return { client_data_json: b64u(clientData), attestation_object: b64u(attestation),
             transports: ['internal'] };
  }

  // navigator.credentials.get(): the API's POST /auth/passkey body (without
  // login_challenge). `o`: { origin, challenge, counter, noUv, rpId, badSignature }.
  assert(options, origin, o = {}) {
    this.counter = o.counter ?? this.counter + 1;
    const flags = FLAG_UP | (o.noUv ? 0 : FLAG_UV) | this.flagsBackup;
    const authData = this.authData(o.rpId ?? options.rp_id, flags, this.counter, false);
    const clientData = SoftwareAuthenticator.clientData('webauthn.get', o.challenge ?? options.challenge,
                                                        o.origin ?? origin);
    const signed = Buffer.concat([authData, sha256(clientData)]);
    // ES256 signatures are DER (WebAuthn §6.5.6), Ed25519 raw (RFC 8032).
    let signature = this.alg === 'ES256' ? sign('sha256', signed, this.privateKey)
                                         : sign(null, signed, this.privateKey);
    if (o.badSignature) { signature = Buffer.from(signature); signature[signature.length - 1] ^= 1; }
    return { credential_id: b64u(this.credentialId), client_data_json: b64u(clientData),
             authenticator_data: b64u(authData), signature: b64u(signature) };
  }
}
