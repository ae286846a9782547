// The idle timeout as the page sees it: the server closes a session after
// `idleSeconds` without a request; the page warns `warnSeconds` before, and
// on expiry drops its tokens. Timers and the clock are injected (tests use
// fake ones).
//
// The deadline is kept on the wall clock: a computer's sleep pauses timers,
// so on waking a timer alone would leave the last file on screen for the
// rest of the idle period although the server has closed the session.
// check() (on waking, focus, and every few seconds) catches up at once.

export class IdleWatch {
  constructor({ idleSeconds, warnSeconds = 60, onWarn, onExpire, timers = globalThis, clock = () => Date.now() }) {
    this.idleMs = idleSeconds * 1000;
    this.warnMs = Math.max(0, Math.min(warnSeconds * 1000, this.idleMs - 1000));
    this.onWarn = onWarn;
    this.onExpire = onExpire;
    this.timers = timers;
    this.clock = clock;
    this.deadline = 0;
    this.warned = false;  // in this period: a check does not warn again
    this.warnTimer = null;
    this.expireTimer = null;
    this.stopped = false;
  }

  /** Restarts the period: the person (or a call they made) did something. */
  touch() {
    if (this.stopped) return;
    this.deadline = this.clock() + this.idleMs;
    this.warned = false;
    this.arm(this.idleMs);
  }

  /** Expires now if the deadline passed while timers were paused; re-aims them otherwise. */
  check() {
    if (this.stopped || this.deadline === 0) return;
    const left = this.deadline - this.clock();
    if (left <= 0) this.expire();
    else this.arm(left);
  }

  arm(left) {
    this.clear();
    const warnIn = left - this.warnMs;
    if (warnIn > 0) this.warnTimer = this.timers.setTimeout(() => this.warn(), warnIn);
    else if (!this.warned) this.warn();
    this.expireTimer = this.timers.setTimeout(() => this.check(), left);
  }

  warn() {
    const left = this.deadline - this.clock();
    if (left <= 0) {
      this.expire();
      return;
    }
    this.warned = true;
    this.onWarn(Math.ceil(left / 1000));
  }

  expire() {
    this.stop();
    this.onExpire();
  }

  clear() {
    this.timers.clearTimeout(this.warnTimer);
    this.timers.clearTimeout(this.expireTimer);
    this.warnTimer = this.expireTimer = null;
  }

  stop() { this.stopped = true; this.clear(); }
}
