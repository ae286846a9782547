// Passkeys: the API's JSON (binary fields base64url without padding) to and
// from the WebAuthn browser API. Pure conversions, testable under Node.
import { encode, decode } from './b64.js';

/** PublicKeyCredentialCreationOptions from POST /api/v1/passkeys/options. */
export function creationOptions(o) {
  return {
    challenge: decode(o.challenge),
    rp: { id: o.rp.id, name: o.rp.name },
    user: { id: decode(o.user.id), name: o.user.name, displayName: o.user.display_name ?? o.user.name },
    pubKeyCredParams: (o.algorithms ?? [-7]).map((alg) => ({ type: 'public-key', alg })),
    authenticatorSelection: { userVerification: 'required', residentKey: 'preferred' },
    attestation: 'none',
    excludeCredentials: (o.exclude_credentials ?? []).map((c) => ({
      type: 'public-key', id: decode(c.id), ...(c.transports ? { transports: c.transports } : {}) })),
    timeout: o.timeout_ms,
  };
}

/** PublicKeyCredentialRequestOptions from POST /api/v1/auth/passkey/options. */
export function requestOptions(o) {
  return {
    challenge: decode(o.challenge),
    rpId: o.rp_id,
    allowCredentials: (o.allow_credentials ?? []).map((c) => ({
      type: 'public-key', id: decode(c.id), ...(c.transports?.length ? { transports: c.transports } : {}) })),
    userVerification: 'required',
    timeout: o.timeout_ms,
  };
}

/** The body of POST /api/v1/passkeys for a credential made by create(). */
export function registrationBody(credential, name) {
  const response = credential.response;
  return {
    client_data_json: encode(response.clientDataJSON),
    attestation_object: encode(response.attestationObject),
    transports: typeof response.getTransports === 'function' ? response.getTransports() : [],
    name,
  };
}

/** The body of POST /api/v1/auth/passkey for an assertion made by get(). */
export function assertionBody(credential, loginChallenge) {
  const response = credential.response;
  return {
    login_challenge: loginChallenge,
    credential_id: encode(credential.rawId),
    client_data_json: encode(response.clientDataJSON),
    authenticator_data: encode(response.authenticatorData),
    signature: encode(response.signature),
  };
}

export function supported() {
  return typeof window !== 'undefined' && typeof window.PublicKeyCredential === 'function' &&
         !!navigator.credentials;
}
