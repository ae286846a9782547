// The use notice: shown, and accepted, before the sign-in form.
import { h, replace } from '../dom.js';
import { t, lang } from '../i18n.js';
import { page, messageArea } from '../ui.js';

/**
 * How long an acceptance of the notice stands, from it or from the last step
 * of a sign-in or activation it allowed: whoever read it may have left the
 * workstation, and the next person must read it before a sign-in
 * acknowledges it in their name.
 */
export const NOTICE_ACCEPTANCE_MS = 10 * 60 * 1000;

/** Whether an acceptance dated `acceptedAt` (ms, or null) still stands at `now`. */
export function noticeStillAccepted(acceptedAt, now) {
  return acceptedAt !== null && now - acceptedAt < NOTICE_ACCEPTANCE_MS;
}

export function noticeView(app) {
  const body = h('div', { class: 'notice-text' }, h('p', {}, t('app.loading')));
  const message = messageArea();
  const accept = h('button', { type: 'button', class: 'primary', disabled: true, onclick: () => {
    app.state.noticeAcceptedAt = Date.now();
    app.go('#/login');
  } }, t('notice.accept'));
  const fill = (notice) => {
    const text = (lang() === 'en' ? notice.en : notice.fr) || notice.fr || notice.en || '';
    replace(body, text.split(/\n\s*\n/).map((para) => h('p', {}, para.trim())),
            h('p', { class: 'meta' }, t('notice.version', { v: notice.version })));
    accept.disabled = false;
    app.markReady();
  };
  // A retry asked from the keyboard keeps the keyboard's place: on the
  // notice's Accept once it came, on the new Retry if it failed again.
  let loading = false;
  const load = async () => {
    if (loading) return;  // one request at a time, however often Retry is pressed
    loading = true;
    const retried = body.contains(document.activeElement);
    message.clear();
    try {
      app.state.notice = await app.api.publicCall('GET', '/api/v1/use-notice');
      fill(app.state.notice);
      if (retried) accept.focus();
    } catch {
      message.error(t('notice.unavailable'));
      const retry = h('button', { type: 'button', onclick: load }, t('notice.retry'));
      replace(body, retry);
      if (retried) retry.focus();
    } finally {
      loading = false;
    }
  };
  if (app.state.notice) queueMicrotask(() => fill(app.state.notice));
  else load();
  return page(t('notice.title'), message.el, h('article', { class: 'card notice' }, body),
              h('div', { class: 'actions' }, accept));
}
