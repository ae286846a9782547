// The idle timeout as the page sees it: the server closes a session after
// `idleSeconds` without a request; the page warns `warnSeconds` before, and
// on expiry drops its tokens. Timers are injected (tests use fake ones).

export class IdleWatch {
  constructor({ idleSeconds, warnSeconds = 60, onWarn, onExpire, timers = globalThis }) {
    this.idleMs = idleSeconds * 1000;
    this.warnMs = Math.max(0, Math.min(warnSeconds * 1000, this.idleMs - 1000));
    this.onWarn = onWarn;
    this.onExpire = onExpire;
    this.timers = timers;
    this.warnTimer = null;
    this.expireTimer = null;
    this.stopped = false;
  }

  /** Restarts both timers: the person (or a call they made) did something. */
  touch() {
    if (this.stopped) return;
    this.clear();
    this.warnTimer = this.timers.setTimeout(() => this.onWarn(this.warnMs / 1000), this.idleMs - this.warnMs);
    this.expireTimer = this.timers.setTimeout(() => { this.stop(); this.onExpire(); }, this.idleMs);
  }

  clear() {
    this.timers.clearTimeout(this.warnTimer);
    this.timers.clearTimeout(this.expireTimer);
    this.warnTimer = this.expireTimer = null;
  }

  stop() { this.stopped = true; this.clear(); }
}
