// "My passkeys": list, register (WebAuthn create), remove.
import { h, replace, field } from '../dom.js';
import { t, formatTime } from '../i18n.js';
import { page, messageArea, busy, errorText, table, newestOnly } from '../ui.js';
import { creationOptions, registrationBody, supported } from '../webauthn.js';

/**
 * Registers a passkey named `name` for the signed-in agent: options (after a
 * step-up when the last second factor is old), create(), then the server's check.
 * A refused registration is a 400 naming the failed check: the session goes on.
 * A 401 is the session's end, as on any call (no quiet401 here).
 */
export async function registerPasskey(app, name) {
  const options = await app.api.call('POST', '/api/v1/passkeys/options', {});
  const credential = await navigator.credentials.create({ publicKey: creationOptions(options) });
  return app.api.call('POST', '/api/v1/passkeys', registrationBody(credential, name));
}

/** What to tell the agent about a failed registration. */
export function passkeyFailure(error) {
  // The server's `detail` names the check that failed (origin, challenge,
  // authenticator...): the agent can act on it, e.g. with another authenticator.
  if (error?.status === 400) {
    const text = t('passkeys.failed', { detail: error.problem?.detail || error.problem?.title || error.message });
    return error.problem?.request_id ? `${text} ${t('app.request_id', { id: error.problem.request_id })}` : text;
  }
  if (typeof error?.status === 'number') return errorText(error);
  return t('passkeys.failed', { detail: error?.name ?? String(error) });
}

export function passkeysView(app) {
  const message = messageArea();
  const list = h('div', {}, h('p', {}, t('app.loading')));
  const fetchPasskeys = newestOnly(() => app.api.call('GET', '/api/v1/passkeys'));
  const load = async () => {
    try {
      const answer = await fetchPasskeys();
      if (!answer) return;
      const { passkeys = [] } = answer;
      if (!passkeys.length) { replace(list, h('p', { class: 'empty' }, t('passkeys.none'))); return; }
      replace(list, table(t('passkeys.title'), [
        { label: t('passkeys.col.name'), cell: (p) => p.name, header: true },
        { label: t('passkeys.col.created'), cell: (p) => formatTime(p.created_at) },
        { label: t('passkeys.col.used'), cell: (p) => (p.last_used_at ? formatTime(p.last_used_at) : t('passkeys.never')) },
        { label: t('passkeys.col.backed_up'), cell: (p) => t(p.backed_up ? 'common.yes' : 'common.no') },
        { label: '', cell: (p) => {
          const remove = h('button', { type: 'button', class: 'danger small',
                                       'aria-label': t('passkeys.remove.label', { name: p.name }),
                                       onclick: async () => {
            message.clear();
            try {
              await busy(remove, () =>
                app.api.call('POST', `/api/v1/passkeys/${encodeURIComponent(p.id)}/remove`, {}));
              message.info(t('passkeys.removed'));
              await load();
              // The button pressed went with its row: the focus goes to the
              // next key's, or to the page's heading, not back to the top.
              const next = list.querySelector('button');
              if (next) next.focus();
              else app.focusHeading();
            } catch (error) { message.error(errorText(error)); }
          } }, t('passkeys.remove'));
          return remove;
        } },
      ], passkeys));
    } catch (error) {
      replace(list);
      message.error(errorText(error));
    }
  };
  load();

  let form = h('p', { class: 'message message-info' }, t('passkeys.unsupported'));
  if (supported()) {
    const name = field(t('passkeys.name'), { name: 'passkey_name', value: t('passkeys.name.default'),
                                             maxlength: '64', required: true });
    const submit = h('button', { type: 'submit', class: 'primary' }, t('passkeys.add'));
    form = h('form', { class: 'card form', novalidate: true, onsubmit: async (event) => {
      event.preventDefault();
      message.clear();
      try {
        const created = await busy(submit, () => registerPasskey(app, name.input.value.trim() || t('passkeys.name.default')));
        message.info(t('passkeys.added', { name: created.name }));
        load();
      } catch (error) { message.error(passkeyFailure(error)); }
    } }, name.row, h('div', { class: 'actions' }, submit));
  }
  return page(t('passkeys.title'), message.el, h('p', {}, t('passkeys.intro')), list, form);
}
