// Pieces shared by the views: error texts, message areas, tables, busy
// buttons and the step-up dialog.
import { h, replace, field } from './dom.js';
import { t } from './i18n.js';

/** What to tell a person about a failed call. */
export function errorText(error) {
  if (!error || typeof error.status !== 'number') return t('app.error.generic', { detail: String(error?.message ?? error) });
  let text;
  const detail = error.problem?.detail || error.problem?.title || error.message;
  if (error.status === 0) text = t('app.error.network');
  else if (error.status === 429) text = t('app.error.quota', { s: error.retryAfter || 60 });
  else if (error.status === 503) text = t('app.error.unavailable');
  else if (error.status === 403) text = t('app.error.forbidden', { detail });
  else text = t('app.error.generic', { detail });
  return error.problem?.request_id ? `${text} ${t('app.request_id', { id: error.problem.request_id })}` : text;
}

/**
 * A message area: role="alert" for errors (said at once), role="status" for
 * news (said when the reader is free). Both regions are in the page from the
 * start, empty and unstyled, and never hidden nor given another role on the
 * fly: screen readers watch a region that is there, not one that appears.
 */
export function messageArea() {
  const alert = h('div', { role: 'alert' });
  const status = h('div', { role: 'status' });
  let changes = 0;
  const clearRegions = () => {
    changes += 1;
    for (const region of [alert, status]) { region.className = ''; replace(region); }
  };
  const show = (region, style, text) => {
    clearRegions();
    region.className = `message ${style}`;
    replace(region, text);
  };
  const el = h('div', { class: 'messages' }, alert, status);
  return {
    el,
    error(text) { show(alert, 'message-error', text); },
    info(text) { show(status, 'message-info', text); },
    clear: clearRegions,
    /**
     * Says what a page has to say on arrival once the page, and its regions,
     * are in place (a region that arrives already filled is not read out);
     * unless something was said or cleared in between, which is newer.
     */
    onArrival(say) {
      const at = changes;
      setTimeout(() => { if (changes === at && el.isConnected) say(); }, ARRIVAL_DELAY_MS);
    },
  };
}

/** Long enough for a screen reader to have seen the page's empty regions. */
const ARRIVAL_DELAY_MS = 50;

/**
 * A line saying what a redraw found (results counted, nothing found), read
 * out: inserted empty and filled once in place, as a live region that
 * arrives already filled is not read out.
 */
export function statusLine(text, attrs = {}) {
  const line = h('p', { role: 'status', ...attrs });
  setTimeout(() => { if (line.isConnected) replace(line, text); }, ARRIVAL_DELAY_MS);
  return line;
}

/** A table: columns [{label, cell: row => node|string}], with a caption. */
export function table(caption, columns, rows, { className = 'data' } = {}) {
  return h('div', { class: 'table-wrap' },
    h('table', { class: className },
      h('caption', {}, caption),
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col' }, c.label)))),
      h('tbody', {}, rows.map((row) => h('tr', {}, columns.map((c, i) => {
        const value = isolated(c.cell(row));
        return i === 0 && c.header ? h('th', { scope: 'row' }, value) : h('td', {}, value);
      }))))));
}

/**
 * Text from the server (a name written right to left, an alias, a reason)
 * in its own <bdi>, so its direction never reorders what stands around it
 * in the cell or the row. Elements are left as they are.
 */
export function isolated(value) {
  if (Array.isArray(value)) return value.map(isolated);
  return typeof value === 'string' && value !== '' ? h('bdi', {}, value) : value;
}

/**
 * Wraps a loader so that only the newest call's answer counts: after a change
 * the list is loaded again, and the answer of an older, slower load must not
 * overwrite it. An overtaken call resolves to null (and drops its error).
 */
export function newestOnly(load) {
  let newest = 0;
  return async (...args) => {
    const mine = ++newest;
    try {
      const answer = await load(...args);
      return mine === newest ? answer : null;
    } catch (error) {
      if (mine === newest) throw error;
      return null;
    }
  };
}

/**
 * newestOnly for a view that polls (`background` first): no poll is made
 * while a load the person asked for runs, so that a poll cannot overtake it
 * and leave the view as it was before their action (an acknowledged alert
 * still offered, the focus in a table about to change).
 */
export function personFirst(load) {
  const newest = newestOnly(load);
  let asked = 0;
  return async (background, ...args) => {
    if (background && asked) return null;
    if (!background) asked++;
    try {
      return await newest(background, ...args);
    } finally {
      if (!background) asked--;
    }
  };
}

/**
 * Disables `button` while `work` runs; returns its result.
 *
 * The focus goes back where it was if it fell to the page meanwhile: a
 * step-up dialog closing hands it back to the element focused before it,
 * which is this disabled button, so the browser drops it on the body and a
 * keyboard user starts again from the top of the page.
 */
export async function busy(button, work) {
  const label = button.textContent;
  const focused = document.activeElement;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  button.textContent = t('common.working');
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
    button.textContent = label;
    const lost = !document.activeElement || document.activeElement === document.body;
    if (lost && focused && focused !== document.body && focused.isConnected) focused.focus();
  }
}

/** Splits a list typed by a person: commas, semicolons, spaces or new lines. */
export function splitList(text) {
  return String(text ?? '').split(/[\s,;]+/).map((s) => s.trim()).filter(Boolean);
}

/** A datetime-local value (taken as UTC) to the API's "YYYY-MM-DDTHH:MM:SSZ", or undefined. */
export function utcStamp(value) {
  if (!value) return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2})?/.exec(value);
  return m ? `${m[1]}T${m[2]}${m[3] ?? ':00'}Z` : undefined;
}

/**
 * Asks `question` in a modal dialog; resolves true once `confirmLabel` is
 * pressed, false if cancelled (or the session ends meanwhile: main.js
 * cancels open dialogs). The focus starts on Cancel: these questions guard
 * what cannot be undone.
 *
 * Security: not window.confirm(), which stops every timer of the page while
 * it is open - the idle sign-out and the session's end among them - so a
 * question left unanswered kept the screen (an activation code just shown)
 * up for as long as nobody came back.
 */
export function askConfirm(question, confirmLabel) {
  return new Promise((resolve) => {
    const textId = 'confirm-question';
    const dialog = h('dialog', { class: 'dialog', role: 'alertdialog', 'aria-labelledby': textId });
    const finish = (ok) => { dialog.close(); dialog.remove(); resolve(ok); };
    const cancel = h('button', { type: 'button', onclick: () => finish(false) }, t('common.cancel'));
    dialog.append(h('p', { id: textId }, question),
                  h('div', { class: 'actions' },
                    h('button', { type: 'button', class: 'primary', onclick: () => finish(true) }, confirmLabel),
                    cancel));
    dialog.addEventListener('cancel', (event) => { event.preventDefault(); finish(false); });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}

/**
 * Asks for a fresh TOTP code in a modal dialog and presents it to
 * POST /api/v1/auth/step-up. Resolves true once accepted, false if cancelled.
 */
export function askStepUp(app) {
  return new Promise((resolve) => {
    const message = messageArea();
    const code = field(t('login.code'), {
      name: 'step-up-code', inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9]{6}',
      maxlength: '6', required: true, hint: t('login.code.hint') });
    const submit = h('button', { type: 'submit', class: 'primary' }, t('stepup.submit'));
    const titleId = 'step-up-title';
    const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': titleId, 'data-testid': 'step-up' });
    const finish = (ok) => { dialog.close(); dialog.remove(); resolve(ok); };
    const form = h('form', {
      novalidate: true,
      onsubmit: async (event) => {
        event.preventDefault();
        message.clear();
        try {
          await busy(submit, () => app.api.call('POST', '/api/v1/auth/step-up', { code: code.input.value.trim() },
                                                { quiet401: true }));
          finish(true);
        } catch (error) {
          if (!app.api.signedIn) { finish(false); return; }
          message.error(error.status === 401 || error.status === 400 ? t('stepup.failed') : errorText(error));
          code.input.value = '';
          code.input.focus();
        }
      },
    }, h('h2', { id: titleId }, t('stepup.title')), h('p', {}, t('stepup.intro')), message.el, code.row,
       h('div', { class: 'actions' }, submit,
         h('button', { type: 'button', onclick: () => finish(false) }, t('common.cancel'))));
    dialog.append(form);
    dialog.addEventListener('cancel', (event) => { event.preventDefault(); finish(false); });
    document.body.append(dialog);
    dialog.showModal();
    code.input.focus();
  });
}

/** A page: heading (focused on arrival) plus content. */
export function page(title, ...content) {
  return h('section', { class: 'page', 'aria-labelledby': 'page-title' },
           h('h1', { id: 'page-title', tabindex: '-1' }, title), content);
}
