// DPoP proofs (RFC 9449) signed in the browser with a non-extractable
// WebCrypto P-256 key. Pure apart from WebCrypto: the key store is given in.
//
// Security: the private key is generated with extractable = false, so no
// script (ours or an injected one) can read it out; it can only sign while
// this origin's page is open. A stolen access token is worthless without it.
import { encode, encodeText } from './b64.js';

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGN = { name: 'ECDSA', hash: 'SHA-256' };

/** A fresh non-extractable ES256 key pair. */
export async function generateKeyPair(subtle = crypto.subtle) {
  return subtle.generateKey(ALGORITHM, false, ['sign']);
}

/**
 * Whether a stored pair could be one this page made: ECDSA P-256, the
 * private half non-extractable and for signing only. Security: a pair planted
 * in IndexedDB by a script whose author kept the private half would bind
 * every later session on this browser to a key someone else holds. A key
 * imported as non-extractable cannot be told from a generated one, though:
 * this refuses what is detectably foreign, the page's CSP (no inline or
 * foreign script, Trusted Types) is what keeps scripts out.
 */
export function isOwnKeyPair(pair) {
  const own = (key, type, usages) => key instanceof CryptoKey && key.type === type &&
    key.algorithm?.name === ALGORITHM.name && key.algorithm?.namedCurve === ALGORITHM.namedCurve &&
    key.usages.length === usages.length && usages.every((u) => key.usages.includes(u));
  return Boolean(pair) && own(pair.privateKey, 'private', ['sign']) && pair.privateKey.extractable === false &&
         own(pair.publicKey, 'public', []);
}

/**
 * Whether the pair's halves belong together: a public half that is not the
 * private half's would make every proof fail, for good.
 */
export async function halvesMatch(pair, subtle = crypto.subtle) {
  try {
    const data = crypto.getRandomValues(new Uint8Array(32));
    const signature = await subtle.sign(SIGN, pair.privateKey, data);
    // Raw, not JWK: a JWK export carries key_ops (none), which importing for verify refuses.
    const verifier = await subtle.importKey('raw', await subtle.exportKey('raw', pair.publicKey),
                                            ALGORITHM, false, ['verify']);
    return await subtle.verify(SIGN, verifier, signature, data);
  } catch {
    return false;
  }
}

/** The public JWK for the proof header: only kty, crv, x and y. */
export async function publicJwk(publicKey, subtle = crypto.subtle) {
  const { kty, crv, x, y } = await subtle.exportKey('jwk', publicKey);
  return { kty, crv, x, y };
}

/** base64url(SHA-256(text)): the `ath` claim of a token. */
export async function accessTokenHash(token, subtle = crypto.subtle) {
  return encode(await subtle.digest('SHA-256', new TextEncoder().encode(token)));
}

/** A random jti: 16 random bytes, base64url. */
export function randomJti() {
  return encode(crypto.getRandomValues(new Uint8Array(16)));
}

/** `htu` for a request URL: scheme, host and path, without query or fragment. */
export function htuOf(url) {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
}

/**
 * Signs a proof for `method` `url` with `keyPair` ({privateKey, publicKey}),
 * binding `accessToken` through `ath` when one is given.
 * `now` is milliseconds since the epoch (injected for tests).
 */
export async function makeProof({ keyPair, jwk, method, url, accessToken, now = Date.now(), jti = randomJti(),
                                  subtle = crypto.subtle }) {
  const header = { typ: 'dpop+jwt', alg: 'ES256', jwk: jwk ?? (await publicJwk(keyPair.publicKey, subtle)) };
  const claims = { jti, htm: method.toUpperCase(), htu: htuOf(url), iat: Math.floor(now / 1000) };
  if (accessToken) claims.ath = await accessTokenHash(accessToken, subtle);
  const input = `${encodeText(JSON.stringify(header))}.${encodeText(JSON.stringify(claims))}`;
  // WebCrypto's ECDSA signature is r || s (IEEE P1363), which is JWS's ES256 form.
  const signature = await subtle.sign(SIGN, keyPair.privateKey, new TextEncoder().encode(input));
  return `${input}.${encode(signature)}`;
}

/**
 * Holds the page's DPoP key: loaded from `store` (IndexedDB in the page) or
 * made and saved there on first use, so a reload keeps the same key.
 */
export class DpopSigner {
  constructor(store, { subtle = crypto.subtle, now = () => Date.now() } = {}) {
    this.store = store;
    this.subtle = subtle;
    this.now = now;
    this.skewMs = 0;  // the server's clock minus ours, when it matters
    this.ready = null;
  }

  /**
   * Learns the server's time from a response's Date header (RFC 9110, one
   * second resolution), so a workstation whose clock is off still makes
   * proofs the server accepts (it allows little drift ahead). Skews under
   * two seconds are left alone: they are within the header's resolution.
   */
  learnServerTime(dateHeader) {
    const server = Date.parse(dateHeader ?? '');
    if (Number.isNaN(server)) return;
    const skew = server - this.now();
    this.skewMs = Math.abs(skew) > 2000 ? skew : 0;
  }

  async keys() {
    this.ready ??= (async () => {
      let pair = await this.store.load().catch(() => null);
      if (!isOwnKeyPair(pair) || !(await halvesMatch(pair, this.subtle))) {
        pair = await generateKeyPair(this.subtle);
        await this.store.save(pair).catch(() => {});  // memory only when storage is refused
      }
      return { pair, jwk: await publicJwk(pair.publicKey, this.subtle) };
    })();
    return this.ready;
  }

  async proof(method, url, accessToken) {
    const { pair, jwk } = await this.keys();
    return makeProof({ keyPair: pair, jwk, method, url, accessToken, now: this.now() + this.skewMs,
                       subtle: this.subtle });
  }
}
