// The Vigie portal: a shell (banner, menu, main area, live region), a hash
// router, and the session's life (sign-in, refresh, idle timeout, end).
import './styles.css';
import { h, replace, typedValues, restoreTyped } from './dom.js';
import { t, setLang, lang } from './i18n.js';
import { Api } from './api.js';
import { DpopSigner } from './dpop.js';
import { indexedDbKeyStore } from './keystore.js';
import { IdleWatch } from './idle.js';
import { ROUTES, homeFor, mayVisit, navItems } from './routes.js';
import { askStepUp } from './ui.js';
import { noticeStillAccepted } from './views/notice.js';

const LANG_KEY = 'vigie.lang';  // the only thing kept in storage: a preference, not a secret

function savedLang() {
  try { return localStorage.getItem(LANG_KEY) || 'fr'; } catch { return 'fr'; }
}

class App {
  constructor() {
    this.api = new Api({ origin: location.origin, signer: new DpopSigner(indexedDbKeyStore()) });
    this.state = { notice: null, noticeAcceptedAt: null, self: null, session: null, flash: null,
                   signInFailure: null,
                   search: null, file: null };
    this.viewState = {};
    this.routeName = null;
    this.leaving = [];
    this.idle = null;
    this.expiryTimer = null;
    this.expiresAt = null;  // the session's absolute end, ms on the wall clock
    this.ready = false;
    this.api.onActivity = () => { this.idle?.touch(); this.hideIdleWarning(); };
    this.api.onSessionEnded = (reason) => this.sessionEnded(reason);
    this.api.onStepUp = () => askStepUp(this);
  }

  start() {
    setLang(savedLang());
    this.skip = h('a', { class: 'skip', href: '#main' }, '');
    this.banner = h('header', { class: 'banner' });
    this.nav = h('nav', { class: 'menu', hidden: true });
    this.idleBox = h('div', { class: 'idle', role: 'alertdialog', 'aria-modal': 'false', hidden: true,
                              'aria-labelledby': 'idle-title', 'aria-describedby': 'idle-text' });
    this.main = h('main', { id: 'main', tabindex: '-1' });
    this.live = h('div', { class: 'visually-hidden', 'aria-live': 'polite', id: 'live' });
    this.footer = h('footer', { class: 'footer' });
    this.skip.addEventListener('click', (event) => { event.preventDefault(); this.focusHeading(); });
    replace(document.body, this.skip, this.banner, this.nav, this.idleBox, this.main, this.footer, this.live);
    window.addEventListener('hashchange', () => this.render());
    // Sleep pauses timers: on waking (and every few seconds) the deadlines
    // are checked against the wall clock.
    const wake = () => this.checkDeadlines();
    document.addEventListener('visibilitychange', wake);
    window.addEventListener('focus', wake);
    // Security: a page restored from the back/forward cache is one the agent
    // left: leaving means signing in again, not finding the last file there.
    // Nor kept in the frozen page, where it would be painted again on the
    // way back before pageshow runs.
    // Nor who was signed in, the menu, a warning or an open dialog.
    window.addEventListener('pagehide', (event) => {
      if (!event.persisted) return;
      replace(this.main);
      replace(this.banner);
      this.nav.hidden = true;
      this.hideIdleWarning();
      this.cancelDialogs();
    });
    window.addEventListener('pageshow', (event) => {
      if (!event.persisted) wake();
      else if (this.api.signedIn) this.signOut();
      else {
        // Nor half an activation (its password, its TOTP seed on screen).
        this.clearSession();
        this.render();
      }
    });
    setInterval(wake, 5000);
    this.api.signer.keys().catch(() => {});  // make or load the DPoP key early
    this.render();
  }

  /** Navigates to `hash` (e.g. '#/search'); renders even when it is already there. */
  go(hash) {
    if (location.hash === hash) this.render();
    else location.hash = hash;
  }

  announce(text) {
    replace(this.live);
    setTimeout(() => replace(this.live, text), 50);
  }

  toggleLang() {
    // The same page in the other language: what was typed stays typed (an
    // activation code, a search half filled in).
    const typed = typedValues(this.main);
    setLang(lang() === 'fr' ? 'en' : 'fr');
    try { localStorage.setItem(LANG_KEY, lang()); } catch { /* private mode */ }
    this.render({ keepFocus: true });
    restoreTyped(this.main, typed);
  }

  get roles() { return this.state.self?.roles ?? []; }

  /**
   * Before a step of a sign-in or activation: whether the use notice was
   * accepted lately at this screen (see NOTICE_ACCEPTANCE_MS); if not, it is
   * shown again and the step is not taken. A step taken keeps the
   * acceptance (keepNoticeAccepted): the person is still here.
   */
  noticeAcceptedLately() {
    if (noticeStillAccepted(this.state.noticeAcceptedAt, Date.now())) return true;
    this.render();
    return false;
  }

  keepNoticeAccepted() {
    if (this.state.noticeAcceptedAt !== null) this.state.noticeAcceptedAt = Date.now();
  }

  /** Adopts the tokens of a login, acknowledges the notice, and goes home (or to `next`). */
  async signIn(tokens, { next } = {}) {
    this.api.adopt(tokens);
    let self;
    try {
      self = await this.api.call('GET', '/api/v1/self');
      if (!self.use_notice_acknowledged && tokens.use_notice?.acknowledged !== true) {
        await this.api.call('POST', '/api/v1/auth/use-notice',
                            { version: this.state.notice?.version ?? tokens.use_notice?.version });
      }
    } catch (error) {
      await this.api.logout();  // half a sign-in is none
      if (error?.status === 409) {
        // The notice changed since it was read: read it again first.
        this.state.notice = null;
        this.state.noticeAcceptedAt = null;
        this.state.flash = 'login.notice_changed';
      }
      throw error;
    }
    this.state.self = self;
    this.state.flash = null;
    const idleSeconds = self.session?.idle_timeout_seconds ?? tokens.refresh_expires_in ?? 1800;
    this.idle?.stop();
    this.idle = new IdleWatch({
      idleSeconds,
      onWarn: (seconds) => this.showIdleWarning(seconds),
      onExpire: () => this.expireIdle(),
    });
    this.idle.touch();
    clearTimeout(this.expiryTimer);
    if (self.session?.expires_at) {
      // The server's time, on this workstation's clock (which may be off).
      this.expiresAt = self.session.expires_at * 1000 - this.api.signer.skewMs;
      const ms = Math.min(this.expiresAt - Date.now(), 2 ** 31 - 1);
      this.expiryTimer = setTimeout(() => this.api.end('expired'), Math.max(ms, 0));
    }
    this.go(next ?? homeFor(this.roles));
  }

  // The screen is cleared at once; the server is told meanwhile (a hung
  // network must not keep the last file on screen).
  async signOut() {
    const ending = this.api.logout();
    this.clearSession();
    this.state.flash = 'login.logged_out';
    this.go('#/login');
    await ending;
  }

  clearSession() {
    this.idle?.stop();
    this.idle = null;
    clearTimeout(this.expiryTimer);
    this.expiresAt = null;
    this.hideIdleWarning();
    // The next person at this screen reads the use notice again: it is
    // acknowledged in their name at their sign-in.
    this.state.noticeAcceptedAt = null;
    this.cancelDialogs();
    this.state.self = null;
    this.state.search = null;
    this.state.file = null;
    this.viewState = {};
    // Emptied now: the next page is drawn at the hashchange, a task later,
    // and the last file must not be painted meanwhile.
    replace(this.main);
  }

  /** Cancels each open dialog (a step-up): its caller is told no. */
  cancelDialogs() {
    for (const dialog of document.querySelectorAll('dialog[open]')) dialog.dispatchEvent(new Event('cancel'));
  }

  sessionEnded(reason) {
    this.clearSession();
    this.state.flash = reason === 'idle' ? 'login.idle' : reason === 'expired' ? 'login.expired' : 'login.ended';
    this.go('#/login');
  }

  checkDeadlines() {
    const vs = this.viewState;
    if (vs.enrolmentUntil && Date.now() >= vs.enrolmentUntil) {
      vs.password = vs.enrolment = vs.enrolmentUntil = null;
      this.state.flash = 'activate.expired';
      this.go('#/login');
      return;
    }
    if (this.expiresAt !== null && Date.now() >= this.expiresAt) {
      this.api.end('expired');
      return;
    }
    this.idle?.check();
  }

  async expireIdle() {
    const ending = this.api.logout();  // best effort: the server may already have closed it
    this.sessionEnded('idle');
    await ending;
  }

  showIdleWarning(seconds) {
    // Where the person was (typing in a field, typing does not count as
    // activity): given back when the warning goes.
    if (this.idleBox.hidden) this.focusBeforeWarning = document.activeElement;
    // Counted on the wall clock, as the deadline is: a tab in the background
    // or a sleep slows or pauses the ticks, not the time left.
    const endsAt = Date.now() + seconds * 1000;
    const left = () => Math.max(0, Math.ceil((endsAt - Date.now()) / 1000));
    const text = h('p', { id: 'idle-text' }, t('idle.text', { s: left() }));
    const stay = h('button', { type: 'button', class: 'primary', onclick: async () => {
      try { await this.api.call('GET', '/api/v1/self'); } catch { /* a 401 ends the session */ }
    } }, t('idle.stay'));
    replace(this.idleBox, h('h2', { id: 'idle-title' }, t('idle.title')), text, stay);
    // An open modal dialog (a step-up) makes the rest of the page inert: the
    // warning is then shown inside it, where it can be heard and answered.
    const modal = [...document.querySelectorAll('dialog[open]')].pop();
    if (modal) {
      modal.prepend(this.idleBox);
      // A dialog closed (a step-up cancelled) would take the warning with it,
      // and it is shown only once: it comes back to the page, its button focused.
      modal.addEventListener('close', () => {
        if (!modal.contains(this.idleBox)) return;
        this.main.before(this.idleBox);
        if (!this.idleBox.hidden) this.idleBox.querySelector('button')?.focus();
      }, { once: true });
    }
    this.idleBox.hidden = false;
    clearInterval(this.idleTick);
    this.idleTick = setInterval(() => replace(text, t('idle.text', { s: left() })), 1000);
    stay.focus();
  }

  hideIdleWarning() {
    clearInterval(this.idleTick);
    const before = this.focusBeforeWarning;
    this.focusBeforeWarning = null;
    if (this.idleBox && !this.idleBox.hidden) {
      this.idleBox.hidden = true;
      replace(this.idleBox);
      const modal = this.idleBox.closest('dialog');
      this.main.before(this.idleBox);
      const back = before?.isConnected && before !== document.body && !this.idleBox.contains(before);
      if (back && (!modal?.open || modal.contains(before))) before.focus();
      else if (modal?.open) modal.querySelector('input, button')?.focus();
      else this.focusHeading();
    }
  }

  /** Registers `fn` to run when the person leaves the current page (timers). */
  onLeave(fn) { this.leaving.push(fn); }

  focusHeading() {
    const heading = this.main.querySelector('h1');
    (heading ?? this.main).focus();
  }

  renderChrome() {
    replace(this.skip, t('app.skip'));
    const signedIn = this.api.signedIn && this.state.self;
    replace(this.banner,
      h('div', { class: 'brand' },
        h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, 'V'),
        h('div', {}, h('p', { class: 'brand-name' }, t('app.name')),
          h('p', { class: 'brand-tagline' }, t('app.tagline')))),
      h('div', { class: 'banner-tools' },
        signedIn ? h('span', { class: 'who' }, t('app.signed_in_as',
                       { name: this.state.self.display_name, sn: this.state.self.service_number })) : null,
        h('button', { type: 'button', class: 'link-button', lang: lang() === 'fr' ? 'en' : 'fr',
                      'aria-label': t('app.lang.switch.label'), onclick: () => this.toggleLang() },
          t('app.lang.switch')),
        signedIn ? h('button', { type: 'button', class: 'quiet', onclick: () => this.signOut() },
                     t('app.logout')) : null));
    this.nav.hidden = !signedIn;
    this.nav.setAttribute('aria-label', t('app.nav.label'));
    if (signedIn) {
      replace(this.nav, h('ul', {}, navItems(this.roles).map(([name, route]) =>
        h('li', {}, h('a', { href: `#/${name}`, 'aria-current': name === this.routeName || ROUTES[this.routeName]?.parent === name ? 'page' : null,
                             // The page's own link draws it again (a list
                             // whose load failed is loaded again): the
                             // address does not change, so no hashchange.
                             onclick: (event) => {
                               if (location.hash !== `#/${name}`) return;
                               event.preventDefault();
                               this.render();
                             } },
                      t(route.nav))))));
    } else {
      replace(this.nav);
    }
    replace(this.footer, h('p', {}, t('app.footer')));
  }

  render({ keepFocus = false } = {}) {
    const name = (location.hash.replace(/^#\/?/, '').split('?')[0]) || '';
    let target = name;
    // The use notice comes before anything else; a session, before its pages.
    if (!this.api.signedIn && !noticeStillAccepted(this.state.noticeAcceptedAt, Date.now())) target = 'notice';
    else if (!Object.hasOwn(ROUTES, target)) target = this.api.signedIn ? homeFor(this.roles).slice(2) : 'login';
    else if (ROUTES[target].auth && !this.api.signedIn) target = 'login';
    else if (!ROUTES[target].auth && ROUTES[target].publicOnly && this.api.signedIn) target = homeFor(this.roles).slice(2);
    if (target !== name && !(target === 'notice' && name === '')) {
      history.replaceState(null, '', `#/${target}`);
    }
    if (target !== this.routeName) {
      for (const fn of this.leaving.splice(0)) fn();
      if (!keepFocus) this.viewState = {};
    } else {
      for (const fn of this.leaving.splice(0)) fn();
    }
    this.routeName = target;
    const route = ROUTES[target];
    this.renderChrome();
    let content;
    if (route.roles && !mayVisit(route, this.roles)) {
      content = h('section', { class: 'page' }, h('h1', { tabindex: '-1' }, t('app.forbidden')));
    } else {
      content = route.view(this, this.viewState);
    }
    replace(this.main, content);
    // A route whose heading names a person has a fixed title: titles go
    // into the browser's history, on disk, past the session.
    const heading = route.title ? t(route.title) : this.main.querySelector('h1')?.textContent ?? '';
    document.title = `${heading} — ${t('app.name')}`;
    if (!keepFocus) this.focusHeading();
    else this.main.querySelector('h1')?.focus();
  }

  /** Called by the first view once its form can be used (for the first-load benchmark). */
  markReady() {
    if (this.ready) return;
    this.ready = true;
    performance.mark('vigie-ready');
    document.documentElement.dataset.ready = 'true';
  }
}

const app = new App();
app.start();
