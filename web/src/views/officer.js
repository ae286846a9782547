// The security officer's pages: live alerts, audit search, "who consulted
// this person", containment, the breach report builder and the claim check.
import { h, replace, field, download } from '../dom.js';
import { t, tValue, formatTime } from '../i18n.js';
import { page, messageArea, busy, errorText, table, splitList, utcStamp, newestOnly, personFirst, askConfirm, statusLine } from '../ui.js';
import { eventColumns } from './agent.js';
import { auditEventTypesFor } from '../event_types.js';

const POLL_MS = 10000;
/** The most alerts one poll asks for (the API's ceiling is 1 000). */
const ALERTS_SHOWN = 500;

/**
 * How many of a poll's `alerts` are new, and the state the next poll is
 * judged against (`previous`: this one's, null at first, when none are new).
 * New: not in an earlier poll, and not an older alert that an acknowledgement
 * brought into a list cut at its newest `limit` (below that list's lowest
 * id). Ids alone do not order them: on PostgreSQL a smaller id may commit
 * after a larger one.
 */
export function freshAlerts(alerts, previous, limit = ALERTS_SHOWN) {
  const seen = new Set(previous?.seen ?? []);
  const count = previous ? alerts.filter((a) => !seen.has(a.id) && a.id > previous.floor).length : 0;
  for (const a of alerts) seen.add(a.id);
  const floor = alerts.length >= limit ? Math.min(...alerts.map((a) => a.id)) : -Infinity;
  return { count, state: { seen, floor } };
}

export function alertsView(app, vs) {
  const message = messageArea();
  vs.status ??= 'open';
  const show = field(t('alerts.show'), { name: 'alert_status', kind: 'select',
    options: [['open', t('alerts.show.open')], ['all', t('alerts.show.all')]] });
  show.input.value = vs.status;
  const list = h('div', { 'data-testid': 'alerts' }, h('p', {}, t('app.loading')));
  const updated = h('p', { class: 'meta' });
  let polled = null;  // what the polls so far saw (freshAlerts)
  let shown = null;  // the alerts the table shows, as JSON
  let timer = null;
  let stopped = false;
  // The poll's error the message area shows (status and detail: each answer
  // has its own request id): said once, not at every poll (a screen reader
  // would break in every 10 s), cleared by a poll that works again.
  let pollError = null;
  const search = personFirst((background) => app.api.call('POST', '/api/v1/alerts/search',
                                                         { status: vs.status, limit: ALERTS_SHOWN }, { background }));
  const load = async ({ background = true } = {}) => {
    // While the step-up dialog is open a poll would overtake the call it
    // holds (newestOnly) and be refused anyway: it waits for the next turn.
    if (background && app.api.steppingUp) return;
    try {
      const answer = await search(background);
      if (stopped || !answer) return;
      if (pollError !== null) { message.clear(); pollError = null; }
      const { alerts = [] } = answer;
      // New: raised since the last poll, not an older one brought into the
      // list by an acknowledgement.
      const fresh = freshAlerts(alerts, polled);
      if (fresh.count) app.announce(t('alerts.new', { n: fresh.count }));
      polled = fresh.state;
      // A poll leaves the table alone when nothing changed, and while the
      // officer is writing an acknowledgement (their note and their place
      // would be lost); it is redrawn at the next poll after.
      const state = JSON.stringify(alerts);
      const inUse = list.contains(document.activeElement) ||
                    [...list.querySelectorAll('input')].some((input) => input.value);
      if (state !== shown && background && inUse) return;
      replace(updated, t('alerts.updated', { time: formatTime(Math.floor(Date.now() / 1000)) }));
      if (state === shown) return;
      shown = state;
      renderAlerts(alerts);
    } catch (error) {
      if (!app.api.signedIn || stopped) return;
      const same = `${error?.status}|${error?.problem?.detail ?? error?.message ?? ''}`;
      if (shown === null) replace(list, h('p', {}, t('alerts.unavailable')));
      if (background && same === pollError) return;
      message.error(errorText(error));
      pollError = same;
    }
  };
  const renderAlerts = (alerts) => {
    if (!alerts.length) { replace(list, h('p', { class: 'empty' }, t('alerts.none'))); return; }
    replace(list, alerts.length >= ALERTS_SHOWN ? h('p', { class: 'message message-error' },
                                                    t('alerts.more', { n: alerts.length })) : null,
            table(t('alerts.title'), [
      { label: t('alerts.col.raised'), cell: (a) => formatTime(a.raised_at), header: true },
      { label: t('alerts.col.severity'),
        cell: (a) => h('span', { class: `tag sev-${a.severity}` }, tValue('alerts.severity', a.severity)) },
      { label: t('alerts.col.rule'), cell: (a) => tValue('alerts.rule', a.rule) },
      { label: t('alerts.col.action'), cell: (a) => tValue('alerts.action', a.action) },
      { label: t('alerts.col.agent'), cell: (a) => a.service_number ?? '' },
      { label: t('alerts.col.address'), cell: (a) => a.source_address ?? '' },
      { label: t('alerts.col.detail'), cell: (a) => a.detail ?? '' },
      { label: t('alerts.col.status'), cell: (a) => (a.acknowledged_at
        ? [t('alerts.acked', { by: a.acknowledged_by ?? '' }), a.note ? h('span', { class: 'meta block' }, a.note) : null]
        : ackForm(a)) },
    ], alerts));
  };
  const ackForm = (alert) => {
    const note = field(t('alerts.ack.note', { id: alert.id }), { name: `note-${alert.id}`, maxlength: '1000' });
    note.row.classList.add('compact');
    note.row.querySelector('label').classList.add('visually-hidden');
    note.input.placeholder = t('alerts.ack.placeholder');
    const button = h('button', { type: 'submit', class: 'small', 'aria-label': t('alerts.ack.label', { id: alert.id }) },
                     t('alerts.ack'));
    return h('form', { class: 'inline', novalidate: true, autocomplete: 'off', onsubmit: async (event) => {
      event.preventDefault();
      message.clear();
      pollError = null;
      try {
        const body = note.input.value.trim() ? { note: note.input.value.trim() } : {};
        await busy(button, () => app.api.call('POST', `/api/v1/alerts/${alert.id}/acknowledge`, body));
        await load({ background: false });
        // The table was drawn again: on to the next open alert's note.
        (list.querySelector('input') ?? refresh).focus();
      } catch (error) { if (app.api.signedIn) message.error(errorText(error)); }
    } }, note.row, button);
  };
  show.input.addEventListener('change', () => { vs.status = show.input.value; polled = null; load({ background: false }); });
  const refresh = h('button', { type: 'button', onclick: () => load({ background: false }) }, t('common.refresh'));
  load({ background: false });
  timer = setInterval(() => load(), POLL_MS);
  app.onLeave(() => { stopped = true; clearInterval(timer); });
  return page(t('alerts.title'), message.el, h('p', {}, t('alerts.intro')),
              h('div', { class: 'toolbar' }, show.row, refresh), updated, list);
}

function numberOrUndefined(value) {
  const text = String(value ?? '').trim();
  if (!text) return undefined;
  return /^\d+$/.test(text) ? Number(text) : NaN;
}

/**
 * Shows the audit events `body` selects, a page at a time, in the log's order
 * (the API's): a full page offers the next ("after" its last event), added
 * below, so that no event is left out unsaid. A newer search in `container`
 * leaves a page still loading for an older one unshown.
 */
async function auditPages(app, message, container, title, body, button) {
  const events = [];
  const limit = body.limit ?? 100;
  const run = {};
  container.auditRun = run;
  replace(container);  // the last search's events go at once: never read as this one's
  const load = async (trigger) => {
    const after = events.length ? { after: events[events.length - 1].sequence + 1 } : {};
    const { events: page = [] } = await busy(trigger, () =>
      app.api.call('POST', '/api/v1/audit/search', { ...body, ...after }));
    events.push(...page);
    return page.length === limit;
  };
  const render = (more) => {
    const next = more ? h('button', { type: 'button', onclick: async () => {
      message.clear();
      try {
        const again = await load(next);
        if (container.auditRun !== run) return;
        render(again);
        (container.querySelector('.actions button') ?? container.querySelector('h2')).focus();
      } catch (error) { if (app.api.signedIn) message.error(errorText(error)); }
    } }, t('audit.more')) : null;
    replace(container, h('h2', { tabindex: '-1' }, title),
            statusLine(t(more ? 'audit.count_partial' : 'audit.count', { n: events.length })),
            events.length ? table(title, [
              { label: t('col.sequence'), cell: (e) => String(e.sequence ?? ''), header: true },
              ...eventColumns({ agent: true })], events) : h('p', { class: 'empty' }, t('audit.none')),
            next && h('div', { class: 'actions' }, next));
  };
  const more = await load(button);
  if (container.auditRun !== run) return;
  render(more);
  container.querySelector('h2').focus();
}

export function auditView(app) {
  const message = messageArea();
  const f = {
    agent_id: field(t('audit.agent_id'), { name: 'agent_id', inputmode: 'numeric' }),
    session_id: field(t('audit.session_id'), { name: 'session_id', inputmode: 'numeric' }),
    unit_id: field(t('audit.unit_id'), { name: 'unit_id', inputmode: 'numeric' }),
    source_address: field(t('audit.source_address'), { name: 'source_address', spellcheck: 'false' }),
    type: field(t('audit.type'), { name: 'type', kind: 'select',
                                   options: [['', t('audit.type.any')], ...auditEventTypesFor(app.roles).map((x) => [x, tValue('event', x)])] }),
    person_id: field(t('audit.person_id'), { name: 'person_id', inputmode: 'numeric' }),
    since: field(t('audit.since'), { name: 'since', kind: 'datetime-local', step: '1' }),
    until: field(t('audit.until'), { name: 'until', kind: 'datetime-local', step: '1' }),
    limit: field(t('audit.limit'), { name: 'limit', kind: 'number', min: '1', max: '1000', value: '100' }),
  };
  const results = h('section', { class: 'results' });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('audit.submit'));
  const form = h('form', { class: 'card form grid', novalidate: true, autocomplete: 'off', onsubmit: async (event) => {
    event.preventDefault();
    message.clear();
    const body = {};
    for (const key of ['agent_id', 'session_id', 'unit_id', 'person_id', 'limit']) {
      const n = numberOrUndefined(f[key].input.value);
      if (Number.isNaN(n)) { message.error(t('breach.bad_number')); f[key].input.focus(); return; }
      if (n !== undefined) body[key] = n;
    }
    if (f.source_address.input.value.trim()) body.source_address = f.source_address.input.value.trim();
    if (f.type.input.value) body.type = f.type.input.value;
    const since = utcStamp(f.since.input.value);
    const until = utcStamp(f.until.input.value);
    if (since) body.since = since;
    if (until) body.until = until;
    try {
      await auditPages(app, message, results, t('audit.title'), body, submit);
    } catch (error) { if (app.api.signedIn) message.error(errorText(error)); }
  } }, Object.values(f).map((x) => x.row), h('div', { class: 'actions' }, submit));
  return page(t('audit.title'), message.el, h('p', {}, t('audit.intro')), form, results);
}

export function personView(app) {
  const message = messageArea();
  const person = field(t('audit.person_id'), { name: 'person_id', inputmode: 'numeric', required: true });
  const results = h('section', { class: 'results' });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('person.submit'));
  const form = h('form', { class: 'card form', novalidate: true, autocomplete: 'off', onsubmit: async (event) => {
    event.preventDefault();
    message.clear();
    const id = numberOrUndefined(person.input.value);
    if (!id) { message.error(t('breach.bad_number')); person.input.focus(); return; }
    try {
      await auditPages(app, message, results, t('person.title'), { person_id: id, limit: 1000 }, submit);
    } catch (error) { if (app.api.signedIn) message.error(errorText(error)); }
  } }, person.row, h('div', { class: 'actions' }, submit));
  return page(t('person.title'), message.el, h('p', {}, t('person.intro')), form, results);
}

/** The most a containment reason may hold, in UTF-8 bytes: the API's limit. */
const MAX_REASON_BYTES = 500;

// The reason is one line: the API refuses control characters (a new line
// included) and bidirectional overrides in it. maxlength counts UTF-16 units,
// a bound only; the byte count is checked before sending.
export const REASON_FIELD = { name: 'reason', kind: 'text', maxlength: String(MAX_REASON_BYTES), required: true };

/**
 * The body of POST /api/v1/incidents from the form's values, or an error key
 * (with its parameters and the field to go back to), so that a reason the API
 * would refuse is told plainly before sending rather than failing mid-incident.
 */
export function containmentBody(values) {
  const body = { reason: String(values.reason ?? '').trim() };
  const names = splitList(values.agents).map((s) => s.toUpperCase());
  if (names.length) body.agents = names;
  const unit = String(values.unit ?? '').trim();
  if (unit) body.unit = unit;
  if (values.everyone) body.everyone = true;
  if (values.lockdown) body.lockdown = true;
  if (!body.agents && !body.unit && !body.everyone) return { error: 'incidents.need_scope', field: 'agents' };
  if (!body.reason) return { error: 'incidents.need_reason', field: 'reason' };
  if (/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(body.reason)) {
    return { error: 'incidents.reason_control', field: 'reason' };
  }
  const bytes = new TextEncoder().encode(body.reason).length;
  if (bytes > MAX_REASON_BYTES) {
    return { error: 'incidents.reason_too_long', params: { bytes, max: MAX_REASON_BYTES }, field: 'reason' };
  }
  return { body };
}

// The agents a reset left waiting for an administrator's activation code
// (the officer gets none: with one, they could act as the agent), and those
// left suspended: before the incident, by another open one, or on a failure.
function releaseOutcome(released, id) {
  const reset = released.reset ?? [];
  const kept = released.kept_suspended ?? [];
  const failed = released.not_released ?? [];
  const held = released.still_contained ?? [];
  const unrecorded = released.events_recorded === false;
  if (!reset.length && !kept.length && !failed.length && !held.length && !unrecorded) return null;
  return h('div', {}, h('p', {}, t('incidents.release.of', { id })),
    unrecorded ? h('p', { class: 'message message-error' }, t('incidents.unrecorded', { id })) : null,
    reset.length ? h('div', { class: 'card' }, h('h2', {}, t('incidents.reset')),
      h('ul', {}, reset.map((a) => h('li', {}, String(a?.service_number ?? a))))) : null,
    kept.length ? h('p', {}, t('incidents.kept_suspended', { agents: kept.map((a) => a.service_number).join(', ') })) : null,
    held.length ? h('p', {}, t('incidents.still_contained', { agents: held.join(', ') })) : null,
    failed.length ? h('p', { class: 'message message-error' }, t('incidents.not_released', { agents: failed.join(', ') })) : null);
}

export function incidentsView(app) {
  const message = messageArea();
  const extra = h('div', {});
  const list = h('div', {}, h('p', {}, t('app.loading')));
  const fetchIncidents = newestOnly(() => app.api.call('GET', '/api/v1/incidents'));
  // The list names an incident's first agents (an "everyone" one holds
  // thousands); the rest are read a page at a time when asked for.
  const held = (i) => {
    const text = h('span', {}, i.agents.join(', '));
    if (!(i.agent_count > i.agents.length)) return [' (', text, ')'];
    const more = h('button', { type: 'button', class: 'small', onclick: async () => {
      try {
        const all = [];
        await busy(more, async () => {
          for (let body = { limit: 500 }; ;) {
            const answer = await app.api.call('POST', `/api/v1/incidents/${i.id}/agents`, body);
            all.push(...(answer?.agents ?? []).map((a) => a.service_number));
            if (!answer?.next) break;
            body = { limit: 500, after: answer.next };
          }
        });
        replace(text, all.join(', '));
        // The button goes: the focus goes to the list it showed.
        text.setAttribute('tabindex', '-1');
        text.focus();
        more.remove();
      } catch (error) { message.error(errorText(error)); }
    } }, t('incidents.more', { count: i.agent_count - i.agents.length }));
    return [' (', text, ' ', more, ')'];
  };
  const load = async () => {
    try {
      const answer = await fetchIncidents();
      if (!answer) return;
      const { incidents = [] } = answer;
      if (!incidents.length) { replace(list, h('p', { class: 'empty' }, t('incidents.none'))); return; }
      replace(list, table(t('incidents.list'), [
        { label: t('incidents.col.id'), cell: (i) => String(i.id), header: true },
        { label: t('incidents.col.opened'), cell: (i) => formatTime(i.opened_at) },
        { label: t('incidents.col.by'), cell: (i) => i.opened_by ?? '' },
        { label: t('incidents.col.scope'), cell: (i) => [i.scope ?? '', ...(i.agents?.length ? held(i) : []),
                                                       i.lockdown ? h('span', { class: 'tag tag-alert' }, t('incidents.lockdown_tag')) : null] },
        { label: t('incidents.col.reason'), cell: (i) => i.reason ?? '' },
        // A release that could not lift every agent is finished by releasing again.
        { label: t('incidents.col.state'), cell: (i) => (!i.released_at ? releaseForm(i)
          : i.unreleased_count > 0 ? [t('incidents.released_partly', { time: formatTime(i.released_at),
                                                                         n: i.unreleased_count }), ' ', releaseForm(i, true)]
            : t('incidents.released', { time: formatTime(i.released_at) })) },
      ], incidents));
    } catch (error) { replace(list); if (app.api.signedIn) message.error(errorText(error)); }
  };
  const releaseForm = (incident, again = false) => {
    const mode = field(t('incidents.release.mode', { id: incident.id }), { name: `mode-${incident.id}`, kind: 'select',
      options: [['reset', t('incidents.mode.reset')], ['reinstate', t('incidents.mode.reinstate')]] });
    mode.row.classList.add('compact');
    mode.row.querySelector('label').classList.add('visually-hidden');
    // Finished in the mode it was released in (the API refuses another).
    if (again && incident.release_mode) {
      mode.input.value = incident.release_mode;
      mode.input.disabled = true;
    }
    const button = h('button', { type: 'submit', class: 'small' }, t(again ? 'incidents.release_again' : 'incidents.release'));
    return [again ? null : h('span', { class: 'tag tag-alert' }, t('incidents.active')),
      h('form', { class: 'inline', novalidate: true, autocomplete: 'off', onsubmit: async (event) => {
        event.preventDefault();
        message.clear();
        // A reset erases every held agent's password and second factors.
        const count = (again ? incident.unreleased_count : incident.agent_count) ?? incident.agents?.length ?? 0;
        if (!(await askConfirm(t(`incidents.confirm.${mode.input.value}`, { id: incident.id, count }),
                               button.textContent))) {
          button.focus();
          return;
        }
        try {
          const released = await busy(button, () => app.api.call('POST', `/api/v1/incidents/${incident.id}/release`,
                                                                 { mode: mode.input.value }));
          message.info(t('incidents.release.done', { id: incident.id }));
          // Above those of an earlier release.
          const outcome = releaseOutcome(released, incident.id);
          if (outcome) extra.prepend(outcome);
          await load();
          // The row's form is gone: the focus goes to what the release gave,
          // or to the message saying it was done.
          const target = outcome?.querySelector('h2') ?? message.el;
          target.setAttribute('tabindex', '-1');
          target.focus();
        } catch (error) { if (app.api.signedIn) message.error(errorText(error)); }
      } }, mode.row, button)];
  };
  const agents = field(t('incidents.agents'), { name: 'agents', kind: 'textarea', rows: '2', hint: t('common.list.hint'),
                                                spellcheck: 'false' });
  const unit = field(t('incidents.unit'), { name: 'unit', spellcheck: 'false' });
  const everyone = field(t('incidents.everyone'), { name: 'everyone', kind: 'checkbox' });
  const lockdown = field(t('incidents.lockdown'), { name: 'lockdown', kind: 'checkbox' });
  const reason = field(t('incidents.reason'), { ...REASON_FIELD, hint: t('incidents.reason.hint') });
  const confirm = field(t('incidents.confirm'), { name: 'confirm', kind: 'checkbox', required: true });
  const submit = h('button', { type: 'submit', class: 'danger' }, t('incidents.submit'));
  const form = h('form', { class: 'card form', novalidate: true, autocomplete: 'off', onsubmit: async (event) => {
    event.preventDefault();
    message.clear();
    const { body, error, params, field: wrong } = containmentBody({
      agents: agents.input.value, unit: unit.input.value, everyone: everyone.input.checked,
      lockdown: lockdown.input.checked, reason: reason.input.value });
    if (error) { message.error(t(error, params)); (wrong === 'reason' ? reason : agents).input.focus(); return; }
    if (!confirm.input.checked) { confirm.input.focus(); message.error(t('incidents.confirm')); return; }
    try {
      const opened = await busy(submit, () => app.api.call('POST', '/api/v1/incidents', body));
      const left = opened.not_suspended ?? [];
      // It stands whatever the log: said, lest it be made again.
      const wrong = [left.length ? t('incidents.not_suspended', { id: opened.id, agents: left.join(', ') }) : '',
        opened.events_recorded === false ? t('incidents.unrecorded', { id: opened.id }) : ''].filter(Boolean);
      if (wrong.length) message.error(wrong.join(' '));
      else message.info(t('incidents.opened', { id: opened.id, n: opened.sessions_revoked ?? 0 }));
      form.reset();
      load();
    } catch (error) { if (app.api.signedIn) message.error(errorText(error)); }
  } }, agents.row, unit.row, everyone.row, lockdown.row, reason.row, confirm.row, h('div', { class: 'actions' }, submit));
  load();
  return page(t('incidents.title'), message.el, h('p', {}, t('incidents.intro')), form, extra,
              h('h2', {}, t('incidents.list')), list);
}

/**
 * The body of POST /api/v1/breach-reports from the builder's fields, or an
 * error key (with the field to correct, when it is one).
 */
export function breachBody(values) {
  const body = {};
  const lists = { service_numbers: splitList(values.service_numbers).map((s) => s.toUpperCase()),
                  dpop_jkts: splitList(values.dpop_jkts), source_addresses: splitList(values.source_addresses) };
  for (const key of ['agent_ids', 'session_ids']) {
    const items = splitList(values[key]);
    if (items.some((x) => !/^\d+$/.test(x))) return { error: 'breach.bad_number', field: key };
    if (items.length) body[key] = items.map(Number);
  }
  for (const [key, items] of Object.entries(lists)) if (items.length) body[key] = items;
  if (!Object.keys(body).length) return { error: 'breach.need_scope' };
  const since = utcStamp(values.since);
  const until = utcStamp(values.until);
  if (since) body.since = since;
  if (until) body.until = until;
  body.format = ['json', 'csv', 'html'].includes(values.format) ? values.format : 'json';
  return { body };
}

// Path separators, controls and bidi formatting: a saved name must not
// climb out of the downloads folder nor read as another (".exe" shown as ".txt").
const UNSAFE_IN_NAME = /[/\\\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** The file name in a Content-Disposition header, or `fallback`. */
export function dispositionName(header, fallback) {
  let name = null;
  const star = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(header ?? '');
  if (star) { try { name = decodeURIComponent(star[1].trim()); } catch { /* fall through */ } }
  if (name === null) {
    const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(header ?? '');
    name = plain ? plain[1].trim() : fallback;
  }
  name = name.replace(UNSAFE_IN_NAME, '_');
  return /^[._\s]*$/.test(name) ? fallback : name;
}

export function breachView(app) {
  const message = messageArea();
  const hint = t('common.list.hint');
  const f = {
    service_numbers: field(t('breach.service_numbers'), { name: 'service_numbers', kind: 'textarea', rows: '2', hint, spellcheck: 'false' }),
    agent_ids: field(t('breach.agent_ids'), { name: 'agent_ids', kind: 'textarea', rows: '1', spellcheck: 'false' }),
    session_ids: field(t('breach.session_ids'), { name: 'session_ids', kind: 'textarea', rows: '1', spellcheck: 'false' }),
    dpop_jkts: field(t('breach.dpop_jkts'), { name: 'dpop_jkts', kind: 'textarea', rows: '1', spellcheck: 'false' }),
    source_addresses: field(t('breach.source_addresses'), { name: 'source_addresses', kind: 'textarea', rows: '1', spellcheck: 'false' }),
    since: field(t('breach.since'), { name: 'since', kind: 'datetime-local', step: '1' }),
    until: field(t('breach.until'), { name: 'until', kind: 'datetime-local', step: '1' }),
    format: field(t('breach.format'), { name: 'format', kind: 'select', options: [
      ['json', t('breach.format.json')], ['csv', t('breach.format.csv')], ['html', t('breach.format.html')]] }),
  };
  const submit = h('button', { type: 'submit', class: 'primary' }, t('breach.submit'));
  const form = h('form', { class: 'card form grid', novalidate: true, autocomplete: 'off', onsubmit: async (event) => {
    event.preventDefault();
    message.clear();
    const values = Object.fromEntries(Object.entries(f).map(([k, x]) => [k, x.input.value]));
    const { body, error, field: wrong } = breachBody(values);
    if (error) { message.error(t(error)); (f[wrong] ?? f.service_numbers).input.focus(); return; }
    try {
      await busy(submit, async () => {
        const session = app.api.generation;
        const response = await app.api.call('POST', '/api/v1/breach-reports', body, { raw: true });
        const blob = await response.blob();
        // The session ended while the report streamed (another may have
        // begun on this screen): it is not saved here.
        if (app.api.generation !== session) return;
        const name = dispositionName(response.headers.get('Content-Disposition'), `breach-report.${body.format}`);
        download(blob, name);
        message.info(t('breach.done', { file: name }));
      });
    } catch (error2) { if (app.api.signedIn) message.error(errorText(error2)); }
  } }, Object.values(f).map((x) => x.row), h('div', { class: 'actions' }, submit));
  return page(t('breach.title'), message.el, h('p', {}, t('breach.intro')), form);
}

// The server's limit on the request body of this route ([http]
// max_upload_bytes): the JSON around the sample escapes its quotes, newlines
// and controls, so the body - not the file - is what must fit.
const MAX_UPLOAD_BYTES = 8 * 1024 * 1024;

// The request body for a claim check, or the error key when it would exceed
// the server's limit (size: its length in UTF-8 bytes).
export function claimBody(text, fileName) {
  const format = /\.(jsonl|ndjson|json)$/i.test(fileName) ? 'jsonl' : 'csv';
  const body = { sample: text, format, file_name: fileName };
  const size = new TextEncoder().encode(JSON.stringify(body)).length;
  if (size > MAX_UPLOAD_BYTES) return { error: 'claim.too_big', size };
  return { body, size };
}

export function claimView(app) {
  const message = messageArea();
  const file = field(t('claim.file'), { name: 'sample', kind: 'file', accept: '.csv,.txt,.jsonl,.ndjson,.json',
                                        required: true });
  const results = h('section', { class: 'results' });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('claim.submit'));
  const form = h('form', { class: 'card form', novalidate: true, autocomplete: 'off', onsubmit: async (event) => {
    event.preventDefault();
    message.clear();
    const chosen = file.input.files?.[0];
    if (!chosen) { message.error(t('claim.need_file')); file.input.focus(); return; }
    // Read only what could fit: the body is at least as long as the file.
    if (chosen.size > MAX_UPLOAD_BYTES) { message.error(t('claim.too_big', { size: chosen.size })); return; }
    try {
      const claim = claimBody(await chosen.text(), chosen.name);
      if (claim.error) { message.error(t(claim.error, { size: claim.size })); return; }
      replace(results);  // the last sample's matches go at once: never read as this one's
      const answer = await busy(submit, () => app.api.call('POST', '/api/v1/claim-checks', claim.body));
      showClaim(results, answer);
      results.querySelector('h2').focus();
    } catch (error) { if (app.api.signedIn) message.error(errorText(error)); }
  } }, file.row, h('div', { class: 'actions' }, submit));
  return page(t('claim.title'), message.el, h('p', {}, t('claim.intro')), form, results);
}

function showClaim(container, answer) {
  const summary = answer.summary ?? Object.fromEntries(Object.entries(answer).filter(([, v]) => typeof v !== 'object'));
  const rows = Array.isArray(answer.rows) ? answer.rows : [];
  const dl = h('dl', { class: 'facts' }, Object.entries(summary).map(([k, v]) => [
    // <bdi>: a value may come from the attacker's sample (its column names).
    h('dt', {}, k), h('dd', {}, h('bdi', {}, typeof v === 'object' ? JSON.stringify(v) : String(v)))]));
  const keys = [...new Set(rows.slice(0, 50).flatMap((r) => Object.keys(r)))];
  replace(container, h('h2', { tabindex: '-1' }, t('claim.summary')), h('div', { class: 'card' }, dl),
    rows.length ? table(t('claim.rows'), keys.map((k, i) => ({ label: k, header: i === 0,
      cell: (r) => (typeof r[k] === 'object' ? JSON.stringify(r[k]) : String(r[k] ?? '')) })), rows.slice(0, 500)) : null,
    h('p', {}, h('button', { type: 'button', onclick: () => download(
      new Blob([JSON.stringify(answer, null, 2)], { type: 'application/json' }), 'claim-check.json') },
      t('claim.download'))));
}
