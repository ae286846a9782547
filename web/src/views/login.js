// Sign-in (password, then TOTP or passkey), account activation with TOTP
// enrolment, and the optional passkey offer that follows activation.
import { h, field } from '../dom.js';
import { t } from '../i18n.js';
import { page, messageArea, busy, errorText } from '../ui.js';
import { requestOptions, assertionBody, supported } from '../webauthn.js';
import { registerPasskey, passkeyFailure } from './passkeys.js';
import { encodeStandard } from '../b64.js';

const CODE_ATTRS = { inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9]{6}', maxlength: '6',
                     required: true };

function loginError(error) {
  if (error.status === 401 || error.status === 400) return t('login.failed');
  if (error.status === 429) return t('login.throttled', { s: error.retryAfter || 60 });
  return errorText(error);
}

/** The app's flash (why the agent is back at sign-in), read when said. */
function sayFlash(app, message) {
  if (app.state.flash) message.onArrival(() => { if (app.state.flash) message.info(t(app.state.flash)); });
}

export function loginView(app, vs) {
  const message = messageArea();
  if (vs.challenge) {
    sayFlash(app, message);
    return secondFactorStep(app, vs, message);
  }
  if (app.state.signInFailure) {
    // A failed sign-in is what the agent must hear, before any flash.
    const failure = app.state.signInFailure;
    app.state.signInFailure = null;
    message.onArrival(() => message.error(failure));
  } else {
    sayFlash(app, message);
  }

  const sn = field(t('login.service_number'), { name: 'service_number', autocomplete: 'username', required: true,
                                                autocapitalize: 'characters', spellcheck: 'false' });
  const pw = field(t('login.password'), { name: 'password', kind: 'password', autocomplete: 'current-password',
                                          required: true });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('login.continue'));
  const form = h('form', { class: 'card form', novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    if (!app.noticeAcceptedLately()) return;
    message.clear();
    const serviceNumber = sn.input.value.trim().toUpperCase();
    if (!serviceNumber || !pw.input.value) { message.error(t('login.failed')); return; }
    try {
      const answer = await busy(submit, () => app.api.publicCall('POST', '/api/v1/auth/login',
        { service_number: serviceNumber, password: pw.input.value }));
      pw.input.value = '';
      vs.challenge = { ...answer, service_number: serviceNumber };
      app.state.flash = null;  // said on the form it was for
      app.keepNoticeAccepted();
      app.render();
    } catch (error) {
      message.error(loginError(error));
      pw.input.value = '';
      pw.input.focus();
    }
  } }, sn.row, pw.row, h('div', { class: 'actions' }, submit));
  queueMicrotask(() => app.markReady());
  return page(t('login.title'), message.el, h('p', {}, t('login.intro')), form,
              h('p', { class: 'meta' }, t('login.memory_only')),
              h('p', {}, h('a', { href: '#/activate' }, t('login.activate_link'))));
}

// The login's challenge (or an activation's password) is spent once its
// second factor is accepted: a sign-in that fails after that (its session
// refused, the notice changed) starts again from the login page's first
// step, saying why (kept by the app: the notice may come first).
async function finishSignIn(app, tokens, options) {
  try {
    await app.signIn(tokens, options);
  } catch (error) {
    // A changed notice is shown again, and says so itself (the app's flash).
    if (error?.status !== 409) app.state.signInFailure = errorText(error);
    app.go('#/login');
  }
}

function secondFactorStep(app, vs, message) {
  const factors = vs.challenge.second_factors ?? ['totp'];
  const passkey = factors.includes('passkey') && supported();
  const code = field(t('login.code'), { name: 'code', hint: t('login.code.hint'), ...CODE_ATTRS });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('login.verify'));
  const restart = h('button', { type: 'button', onclick: () => { vs.challenge = null; app.render(); } },
                    t('login.restart'));
  const form = h('form', { class: 'card form', novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    if (!vs.challenge) return;  // spent: the sign-in it allowed is under way
    message.clear();
    let tokens;
    try {
      tokens = await busy(submit, () => app.api.proofCall('POST', '/api/v1/auth/second-factor',
        { login_challenge: vs.challenge.login_challenge, code: code.input.value.trim() }));
    } catch (error) {
      message.error(error.status === 401 || error.status === 400 ? t('login.code_failed') : errorText(error));
      code.input.value = '';
      code.input.focus();
      return;
    }
    vs.challenge = null;
    await finishSignIn(app, tokens);
  } }, code.row, h('div', { class: 'actions' }, submit, restart));

  let passkeyPart = null;
  if (passkey) {
    const button = h('button', { type: 'button', class: 'secondary', onclick: async () => {
      if (!vs.challenge) return;  // spent: the sign-in it allowed is under way
      message.clear();
      let tokens;
      let asked = false;  // the authenticator was asked: a refusal is then the passkey's
      try {
        tokens = await busy(button, async () => {
          const options = await app.api.publicCall('POST', '/api/v1/auth/passkey/options',
                                                   { login_challenge: vs.challenge.login_challenge });
          asked = true;
          const credential = await navigator.credentials.get({ publicKey: requestOptions(options) });
          return app.api.proofCall('POST', '/api/v1/auth/passkey',
                                   assertionBody(credential, vs.challenge.login_challenge));
        });
      } catch (error) {
        if (error?.name === 'NotAllowedError' || error?.name === 'AbortError') message.error(t('login.passkey.cancelled'));
        else if (typeof error?.status === 'number' && error.status !== 401) message.error(errorText(error));
        // Refused before any passkey was asked for: the sign-in step itself
        // is spent (too old, or too many wrong codes), not the passkey.
        else if (!asked) message.error(t('login.step_spent'));
        else message.error(t('login.passkey.failed'));
        return;
      }
      vs.challenge = null;
      await finishSignIn(app, tokens);
    } }, t('login.passkey'));
    passkeyPart = h('div', { class: 'card passkey-choice' }, button);
  }
  return page(t('login.second.title'), message.el,
              h('p', {}, t(passkey ? 'login.second.intro' : 'login.second.intro_totp')), passkeyPart, form);
}

// How long the enrolment step keeps the new password and shows the secret.
export const ENROLMENT_MS = 10 * 60 * 1000;

export function activateView(app, vs) {
  const message = messageArea();
  if (vs.enrolment) return enrolStep(app, vs, message);
  const code = field(t('activate.code'), { name: 'activation_code', autocomplete: 'off', required: true,
                                           spellcheck: 'false' });
  const pw = field(t('activate.password'), { name: 'new_password', kind: 'password', autocomplete: 'new-password',
                                             minlength: '12', required: true, hint: t('activate.password.hint') });
  const confirm = field(t('activate.confirm'), { name: 'confirm_password', kind: 'password',
                                                 autocomplete: 'new-password', minlength: '12', required: true });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('activate.submit'));
  const form = h('form', { class: 'card form', novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    if (!app.noticeAcceptedLately()) return;
    message.clear();
    if (pw.input.value !== confirm.input.value) { message.error(t('activate.mismatch')); confirm.input.focus(); return; }
    try {
      const enrolment = await busy(submit, () => app.api.publicCall('POST', '/api/v1/auth/activate',
        { activation_code: code.input.value.trim(), password: pw.input.value }));
      // Security: the password stays in this view's memory only until the
      // first sign-in below, then it is dropped.
      vs.enrolment = enrolment;
      vs.password = pw.input.value;
      // Security: an enrolment screen left open (the secret shown, the
      // password held) would let anyone walking by take the account.
      vs.enrolmentUntil = Date.now() + ENROLMENT_MS;
      app.keepNoticeAccepted();
      app.render();
    } catch (error) {
      message.error(error.status === 400 || error.status === 401 || error.status === 409
        ? t('activate.failed', { detail: error.problem?.detail || error.message }) : errorText(error));
    }
  } }, code.row, pw.row, confirm.row, h('div', { class: 'actions' }, submit));
  return page(t('activate.title'), message.el, h('p', {}, t('activate.intro')), form);
}

function enrolStep(app, vs, message) {
  const { enrolment } = vs;
  const code = field(t('activate.totp.first_code'), { name: 'code', hint: t('login.code.hint'), ...CODE_ATTRS });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('activate.totp.verify'));
  const secretGroups = enrolment.totp_secret.replace(/(.{4})/g, '$1 ').trim();
  const form = h('form', { class: 'card form', novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    message.clear();
    let tokens;
    let coded = false;  // the password step passed: a refusal is then the code's
    try {
      tokens = await busy(submit, async () => {
        const step1 = await app.api.publicCall('POST', '/api/v1/auth/login',
          { service_number: enrolment.service_number, password: vs.password });
        coded = true;
        return app.api.proofCall('POST', '/api/v1/auth/second-factor',
          { login_challenge: step1.login_challenge, code: code.input.value.trim() });
      });
    } catch (error) {
      // Each try makes a sign-in step of its own: the next code is all it
      // takes (the secret is shown once, on this screen only), unless the
      // password step itself was refused (wrong codes lock the account).
      message.error(coded && (error.status === 401 || error.status === 400)
        ? t('activate.totp.code_failed') : loginError(error));
      code.input.value = '';
      code.input.focus();
      return;
    }
    // Enrolled: the password and the secret are needed no more, whatever
    // happens to the sign-in they made.
    vs.password = null;
    vs.enrolment = null;
    await finishSignIn(app, tokens, { next: supported() ? '#/welcome' : undefined });
  } }, code.row, h('div', { class: 'actions' }, submit));
  return page(t('activate.totp.title'), message.el,
    h('p', {}, t('activate.totp.intro', { sn: enrolment.service_number })),
    h('div', { class: 'card enrol' },
      h('img', { class: 'qr', width: '220', height: '220',
                 src: `data:image/svg+xml;base64,${encodeStandard(new TextEncoder().encode(enrolment.qr_svg))}`,
                 alt: t('activate.totp.qr_alt', { sn: enrolment.service_number }) }),
      h('div', {},
        h('p', { class: 'label' }, t('activate.totp.secret')),
        h('p', { class: 'secret', 'data-testid': 'totp-secret' }, h('code', {}, secretGroups)))),
    form);
}

export function welcomePasskeyView(app) {
  const message = messageArea();
  const add = h('button', { type: 'button', class: 'primary', onclick: async () => {
    message.clear();
    try {
      const created = await busy(add, () => registerPasskey(app, t('passkeys.name.default')));
      app.state.flash = null;
      app.announce(t('passkeys.added', { name: created.name }));
      app.go('#/passkeys');
    } catch (error) {
      message.error(passkeyFailure(error));
    }
  } }, t('activate.passkey.add'));
  const skip = h('button', { type: 'button', onclick: () => app.go('#/') }, t('activate.passkey.skip'));
  return page(t('activate.passkey.title'), message.el, h('p', {}, t('activate.passkey.intro')),
              h('div', { class: 'actions' }, add, skip));
}
