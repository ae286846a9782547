// The API client: every call carries a fresh DPoP proof; tokens live in this
// object's memory only (never in storage or cookies), so a reload means a new
// login. Errors are RFC 9457 problems, thrown as ApiError.
//
// Security: a 401 on an authenticated call means the session is over (expired,
// revoked by containment, suspended): the tokens are dropped at once and the
// page is told through onSessionEnded - unless the server refused the proof
// itself (error="invalid_dpop_proof", nothing spent), which is signed again
// and sent once more first. One refresh at a time, because a
// refresh token presented twice ends the whole session (rotation with reuse
// detection).

export class ApiError extends Error {
  constructor(status, problem, headers) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem ?? {};
    this.retryAfter = Number(headers?.get?.('Retry-After')) || 0;
    const challenge = headers?.get?.('WWW-Authenticate') ?? '';
    // RFC 9470: the server wants a fresh second factor before it answers.
    this.stepUp = status === 403 && /insufficient_user_authentication/.test(challenge);
  }
}

/** Seconds before expiry at which the access token is refreshed. */
export function refreshDelaySeconds(expiresIn) {
  return Math.max(5, Math.floor(expiresIn * 0.8));
}

/** How many times a scheduled refresh the server turned away (see passing) is tried again. */
export const REFRESH_RETRIES = 4;

/** Seconds before try `attempt` (0, 1, ...) of a failed refresh: 2, 4, 8, 16, or the server's Retry-After. */
export function refreshRetrySeconds(attempt, retryAfter = 0) {
  return Math.max(2 ** (attempt + 1), retryAfter);
}

// Only a refusal the server makes before the refresh runs is sure to have
// spent nothing: a 429 (the throttle), or a 503 with a Retry-After (a node
// restarted since the proof was made, or at its connection cap; a 503 from
// the refresh itself carries none). After another 5xx or a lost answer the
// server may have rotated the token already: presenting it again would be a
// reuse, which ends the session as stolen and raises an alert. The next call
// then finds the session gone.
function passing(error) {
  return error?.status === 429 || (error?.status === 503 && error.retryAfter > 0);
}

// The server's word that the DPoP proof, not the token, was refused.
function refusesTheProof(response) {
  return /\berror="invalid_dpop_proof"/.test(response.headers?.get?.('WWW-Authenticate') ?? '');
}

/**
 * How long a call waits for the server's whole answer: a network gone
 * silent (a laptop moved, a proxy that drops) fails it as a network error
 * rather than holding it, and the calls waiting on a refresh, forever. Long
 * enough for the largest upload (a 64 MiB sample) on a slow link; a raw
 * answer's body (a download its caller reads) is not cut.
 */
export const REQUEST_TIMEOUT_MS = 120_000;

// Never answered with a demand for a step-up; were it, asking again would wait on itself.
const STEP_UP_PATH = '/api/v1/auth/step-up';

// An access token this close to its expiry is renewed before it is sent.
const EXPIRY_MARGIN_MS = 5000;
// How long a call may travel: a token that expires sooner is not sent.
const IN_FLIGHT_MS = 1000;

export class Api {
  /**
   * origin: the page origin ("http://localhost:8443"); signer: a DpopSigner;
   * hooks: onSessionEnded(reason), onActivity() (a call the person made).
   */
  constructor({ origin, signer, fetch = globalThis.fetch.bind(globalThis), timers = globalThis,
                now = () => Date.now(), requestTimeoutMs = REQUEST_TIMEOUT_MS } = {}) {
    this.origin = origin;
    this.signer = signer;
    this.fetch = fetch;
    this.requestTimeoutMs = requestTimeoutMs;
    this.timers = timers;
    this.now = now;
    this.tokens = null;  // {access, refresh, expiresIn, refreshExpiresIn}
    // Counts the sessions this page has dropped: an answer to a call made in
    // an earlier one (signed out meanwhile, another officer signed in on
    // this tab) is never handed to the page, nor may its 401 end the new one.
    this.generation = 0;
    this.refreshing = null;
    this.refreshTimer = null;
    this.steppingUp = null;
    this.stepUps = 0;  // step-ups given on this page, for calls refused before the last one
    this.onSessionEnded = () => {};
    this.onActivity = () => {};
    this.onStepUp = async () => false;  // asks for a fresh code; true once the server took it
  }

  get signedIn() { return this.tokens !== null; }

  url(path) { return new URL(path, this.origin).toString(); }

  /** Keeps the tokens of a login or refresh answer and schedules the next refresh. */
  adopt(answer) {
    this.tokens = {
      access: answer.access_token,
      refresh: answer.refresh_token,
      expiresIn: answer.expires_in,
      refreshExpiresIn: answer.refresh_expires_in,
      expiresAt: this.now() + answer.expires_in * 1000,
    };
    this.timers.clearTimeout(this.refreshTimer);
    if (answer.expires_in > 0 && answer.refresh_token) {
      this.refreshTimer = this.timers.setTimeout(() => this.refreshOnSchedule(0),
                                                 refreshDelaySeconds(answer.expires_in) * 1000);
    }
  }

  /**
   * The scheduled refresh. A throttled one (429) is tried again with backoff
   * rather than left for the token to lapse; a refusal (401) has already
   * ended the session in refresh().
   */
  async refreshOnSchedule(attempt) {
    const tokens = this.tokens;
    try {
      await this.refresh();
    } catch (error) {
      if (this.tokens !== tokens || !passing(error) || attempt >= REFRESH_RETRIES) return;
      this.refreshTimer = this.timers.setTimeout(() => this.refreshOnSchedule(attempt + 1),
                                                 refreshRetrySeconds(attempt, error.retryAfter) * 1000);
    }
  }

  /** Forgets the tokens (no server call). */
  drop() {
    this.generation += 1;
    this.tokens = null;
    this.timers.clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
    this.refreshing = null;
  }

  /** Ends the session: drops the tokens and tells the page why. */
  end(reason) {
    const had = this.signedIn;
    this.drop();
    if (had) this.onSessionEnded(reason);
  }

  async send(method, path, { body, proof = false, token, raw = false, headers = {}, signedAgain = false } = {}) {
    const url = this.url(path);
    const h = { Accept: 'application/json, application/problem+json', ...headers };
    if (body !== undefined) h['Content-Type'] = 'application/json';
    if (proof || token) h.DPoP = await this.signer.proof(method, url, token);
    if (token) h.Authorization = `DPoP ${token}`;
    // The page's own timer, not this.timers: those schedule the session. It
    // runs until the answer is read whole: a body that stalls must not hold
    // the call (and every call waiting on a refresh) for ever.
    const controller = new AbortController();
    const timeout = setTimeout(() => controller.abort(), this.requestTimeoutMs);
    try {
      let response;
      try {
        response = await this.fetch(url, {
          method, headers: h, body: body === undefined ? undefined : JSON.stringify(body),
          credentials: 'omit', cache: 'no-store', redirect: 'error', signal: controller.signal,
        });
      } catch {
        throw new ApiError(0, { title: 'network' });
      }
      this.signer.learnServerTime?.(response.headers?.get?.('Date'));
      // A proof refused as a proof (RFC 9449 §7.1), before anything was spent
      // (a token, a refresh token): most often dated by a clock set right since
      // the page learnt its offset, which this answer's Date has just renewed.
      // Signed again once, rather than the session ended for it.
      if (response.status === 401 && (proof || token) && !signedAgain && refusesTheProof(response)) {
        return await this.send(method, path, { body, proof, token, raw, headers, signedAgain: true });
      }
      if (!response.ok) {
        let problem = null;
        try { problem = await response.json(); } catch { /* not JSON, or cut short */ }
        throw new ApiError(response.status, problem, response.headers);
      }
      if (raw) return response;  // its body the caller's to read
      if (response.status === 204) return null;
      let text;
      try {
        text = await response.text();
      } catch {
        throw new ApiError(0, { title: 'network' });
      }
      if (!text) return null;
      try {
        return JSON.parse(text);
      } catch {
        // A page put in the way (a captive portal, a proxy's): no parser's text to the user.
        throw new ApiError(response.status, { title: 'not an answer of the portal' });
      }
    } finally {
      clearTimeout(timeout);
    }
  }

  /** A public call (notice, activation, login step 1). */
  publicCall(method, path, body) { return this.send(method, path, { body }); }

  /** A call with a DPoP proof but no token (login step 2, passkey login). */
  async proofCall(method, path, body) { return this.send(method, path, { body, proof: true }); }

  /**
   * An authenticated call. options.background: not the person's doing (polling),
   * so it does not count against the idle timeout. options.raw: the Response.
   * options.quiet401: a 401 may mean a wrong code rather than an ended session
   * (step-up): the session is checked before it is declared over.
   *
   * When the server wants a fresh second factor first (RFC 9470), onStepUp
   * asks for it, once for all the calls refused meanwhile, and the call is
   * made again once. A background call does not ask: nobody is there.
   */
  async call(method, path, body, options = {}) {
    const stepUpsBefore = this.stepUps;
    try {
      return await this.callOnce(method, path, body, options);
    } catch (error) {
      if (!error?.stepUp || options.background || path === STEP_UP_PATH || !this.signedIn) throw error;
      const generation = this.generation;
      // Refused before a step-up that has since been given: made again, not asked again.
      if (this.stepUps === stepUpsBefore && !(await this.stepUp())) throw error;
      if (this.generation !== generation) throw error;
      return this.callOnce(method, path, body, options);
    }
  }

  /** One step-up dialog for every call waiting on it; true once the server took the code. */
  stepUp() {
    if (!this.steppingUp) {
      const asked = Promise.resolve().then(() => this.onStepUp()).catch(() => false);
      this.steppingUp = asked.then((ok) => {
        this.steppingUp = null;
        if (ok) this.stepUps += 1;
        return ok;
      });
    }
    return this.steppingUp;
  }

  async callOnce(method, path, body, { background = false, raw = false, quiet401 = false } = {}) {
    if (!this.tokens) throw new ApiError(401, { title: 'not signed in' });
    // Security: the session the call was made in, taken before any wait: one
    // that ended while a refresh hung (signed out, another agent signed in
    // on this tab) must not have the call sent with the next one's token.
    const generation = this.generation;
    const ended = () => new ApiError(0, { title: 'the session ended meanwhile' });
    if (this.refreshing) await this.refreshing.catch(() => {});
    // A timer held back in a background tab may have missed the refresh.
    if (this.tokens && this.now() >= this.tokens.expiresAt - EXPIRY_MARGIN_MS) {
      try {
        await this.refresh();
      } catch (error) {
        // Throttled, nothing spent: the session lives on. Its access token,
        // expired or about to while the call travels, sent anyway would be
        // refused and end it.
        if (passing(error) && this.tokens && this.now() >= this.tokens.expiresAt - IN_FLIGHT_MS) throw error;
      }
    }
    if (this.generation !== generation) throw ended();
    if (!this.tokens) throw new ApiError(401, { title: 'not signed in' });
    let result;
    try {
      result = await this.send(method, path, { body, token: this.tokens.access, raw });
    } catch (error) {
      if (this.generation !== generation) throw ended();
      if (error.status === 401 && this.tokens) {
        if (quiet401 && (await this.stillAlive())) throw error;
        // Asked over the network: the session may have changed meanwhile.
        if (this.generation !== generation) throw ended();
        this.end('ended');
      }
      throw error;
    }
    if (this.generation !== generation) throw ended();
    if (!background) this.onActivity();
    return result;
  }

  async stillAlive() {
    try {
      await this.send('GET', '/api/v1/self', { token: this.tokens.access });
      return true;
    } catch (error) {
      return error.status !== 401;
    }
  }

  /** Trades the refresh token for a new pair; one at a time. */
  refresh() {
    if (!this.tokens?.refresh) return Promise.reject(new ApiError(401, null));
    if (this.refreshing) return this.refreshing;
    const refreshing = (async () => {
      const tokens = this.tokens;
      try {
        const answer = await this.send('POST', '/api/v1/auth/refresh',
                                       { body: { refresh_token: tokens.refresh }, proof: true });
        if (this.tokens === tokens) this.adopt(answer);  // not after a logout or an end
        return answer;  // for a logout that dropped the tokens meanwhile
      } catch (error) {
        if ((error.status === 401 || error.status === 400) && this.tokens === tokens) this.end('ended');
        // Maybe spent (see passing): never presented again, by a call that
        // finds the access token expired or by a logout. The session then
        // ends here when the access token does, not as stolen on the server.
        else if (!passing(error) && this.tokens === tokens) tokens.refresh = null;
        throw error;
      } finally {
        // Not a later session's refresh (a logout and a new sign-in since):
        // cleared, it would let a second one send that session's token.
        if (this.refreshing === refreshing) this.refreshing = null;
      }
    })();
    this.refreshing = refreshing;
    return refreshing;
  }

  /**
   * Logs out on the server (best effort) and forgets the tokens.
   *
   * Security: an expired access token would be answered 401 and leave the
   * server session alive until its idle timeout, so it is renewed first.
   */
  async logout() {
    // Signed out on this page at once, whatever the server takes to answer.
    const pending = this.refreshing;
    const tokens = this.tokens;
    this.drop();
    if (!tokens) return;
    let { access, refresh, expiresAt } = tokens;
    // A refresh under way spends the refresh token: log out with the pair it
    // brings. One that failed may have spent it (see passing): presented
    // again, the server would take this logout for a stolen session.
    let renewed = null;
    if (pending) {
      try {
        renewed = await pending;
      } catch (error) {
        if (!passing(error)) refresh = null;
      }
    }
    if (renewed) {
      ({ access_token: access, refresh_token: refresh } = renewed);
      expiresAt = this.now() + renewed.expires_in * 1000;
    }
    try {
      if (refresh && this.now() >= expiresAt - EXPIRY_MARGIN_MS) {
        const answer = await this.send('POST', '/api/v1/auth/refresh',
                                       { body: { refresh_token: refresh }, proof: true });
        access = answer.access_token;
      }
      await this.send('POST', '/api/v1/auth/logout', { token: access });
    } catch { /* already over */ }
  }
}
