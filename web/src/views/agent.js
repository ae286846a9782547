// The agent's pages: search (purpose first, then criteria), the full file
// (a separate audited act), and "my recent consultations".
import { h, replace, field } from '../dom.js';
import { t, tValue, formatTime } from '../i18n.js';
import { page, messageArea, busy, errorText, table, isolated, statusLine, newestOnly } from '../ui.js';

export const PURPOSES = ['identity_check', 'roadside_check', 'border_control', 'warrant_execution',
                         'missing_person_search', 'judicial_investigation', 'administrative_inquiry'];
const NEEDS_CASE = new Set(['judicial_investigation', 'administrative_inquiry']);
const CASE_RE = /^(?=.*[A-Za-z0-9])[A-Za-z0-9/._-]{3,64}$/;
// A year or a whole day: the search cannot narrow to a month (the server refuses it).
const DATE_RE = /^[0-9]{4}(-[0-9]{2}-[0-9]{2})?$/;

/** The body of POST /api/v1/search from the form's values, or an error key. */
export function searchBody({ purpose, case_reference: caseRef, surname, given_name: given, birth_date: birth }) {
  if (!PURPOSES.includes(purpose)) return { error: 'search.need_purpose' };
  caseRef = (caseRef ?? '').trim();
  if ((NEEDS_CASE.has(purpose) || caseRef) && !CASE_RE.test(caseRef)) return { error: 'search.need_case' };
  surname = (surname ?? '').trim();
  given = (given ?? '').trim();
  birth = (birth ?? '').trim();
  if (!surname || (!given && !birth)) return { error: 'search.need_more' };
  if (birth && !DATE_RE.test(birth)) return { error: 'search.bad_birth_date' };
  const body = { purpose, surname };
  if (caseRef) body.case_reference = caseRef;
  if (given) body.given_name = given;
  if (birth) body.birth_date = birth;
  return { body };
}

const fullName = (p) => `${p.surname} ${(p.given_names ?? []).join(' ')}`.trim();

export function searchView(app) {
  const saved = app.state.search ?? {};
  const message = messageArea();
  const purpose = field(t('search.purpose'), { name: 'purpose', kind: 'select', required: true,
    options: [['', t('search.purpose.choose')], ...PURPOSES.map((p) => [p, t(`purpose.${p}`)])] });
  const caseRef = field(t('search.case_reference'), { name: 'case_reference', hint: t('search.case_reference.hint'),
                                                      autocomplete: 'off', spellcheck: 'false' });
  const surname = field(t('search.surname'), { name: 'surname', autocomplete: 'off', required: true, spellcheck: 'false' });
  const given = field(t('search.given_name'), { name: 'given_name', autocomplete: 'off', spellcheck: 'false' });
  const birth = field(t('search.birth_date'), { name: 'birth_date', autocomplete: 'off',
                                                placeholder: t('search.birth_date.placeholder'),
                                                hint: t('search.birth_date.hint'), inputmode: 'numeric' });
  const inputs = { purpose: purpose.input, case_reference: caseRef.input, surname: surname.input,
                   given_name: given.input, birth_date: birth.input };
  for (const [k, input] of Object.entries(inputs)) if (saved.values?.[k]) input.value = saved.values[k];
  const syncCase = () => { caseRef.input.required = NEEDS_CASE.has(purpose.input.value); };
  purpose.input.addEventListener('change', syncCase);
  syncCase();

  const results = h('section', { class: 'results', 'aria-labelledby': 'results-title' });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('search.submit'));
  const form = h('form', { class: 'card form', novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    message.clear();
    const values = Object.fromEntries(Object.entries(inputs).map(([k, input]) => [k, input.value]));
    const { body, error } = searchBody(values);
    if (error) {
      message.error(t(error));
      ({ 'search.need_purpose': purpose, 'search.need_case': caseRef, 'search.bad_birth_date': birth }[error] ?? surname).input.focus();
      return;
    }
    // The last search's people go at once: a refusal of this one is never
    // read beside them as its answer.
    replace(results);
    const run = {};
    app.state.search = { values, run };
    try {
      const result = await busy(submit, () => app.api.call('POST', '/api/v1/search', body));
      // Only the newest search is kept: one sent from a form drawn again
      // since (a language switch, the menu's link) may answer after it.
      if (app.state.search?.run !== run) return;
      app.state.search = { values, body, result };
      showResults(app, results, app.state.search, message);
      results.querySelector('h2')?.focus();
    } catch (error2) {
      if (app.api.signedIn) message.error(errorText(error2));
    }
  } },
  h('fieldset', {}, h('legend', {}, t('search.frame')), purpose.row, caseRef.row),
  h('fieldset', {}, h('legend', {}, t('search.criteria')), surname.row, given.row, birth.row),
  h('div', { class: 'actions' }, submit));
  if (saved.result) showResults(app, results, saved, message);
  return page(t('search.title'), message.el, form, results);
}

function showResults(app, container, search, message) {
  const { result, body } = search;
  const rows = result.results ?? [];
  const heading = h('h2', { id: 'results-title', tabindex: '-1' }, t('search.results'));
  if (!rows.length) {
    // Without criminal records a search finds wanted persons only: nobody
    // found then means nobody wanted, not nobody on file.
    const everyone = NEEDS_CASE.has(body?.purpose) && app.roles.includes('investigator');
    replace(container, heading, statusLine(t(everyone ? 'search.none' : 'search.none_wanted'), { class: 'empty' }));
    return;
  }
  const showWanted = rows.some((r) => 'wanted' in r);
  const showRecords = rows.some((r) => 'record_entries' in r);
  const columns = [
    { label: t('search.col.name'), header: true,
      cell: (r) => [r.surname, r.match?.surname_via_alias ? h('span', { class: 'tag' }, t('search.alias')) : null] },
    { label: t('search.col.given'), cell: (r) => (r.given_names ?? []).join(', ') },
    { label: t('search.col.birth'), cell: (r) => r.birth_date ?? '' },
    { label: t('search.col.place'), cell: (r) => r.birth_place ?? '' },
  ];
  if (showWanted) {
    columns.push({ label: t('search.col.wanted'), cell: (r) => (r.wanted
      ? h('span', { class: 'tag tag-alert' }, t('common.yes')) : t('common.no')) });
  }
  if (showRecords) columns.push({ label: t('search.col.records'), cell: (r) => String(r.record_entries ?? 0) });
  // Only the newest opening, from results still shown, moves to the file:
  // a slow answer must not replace a file opened since, nor pull the agent
  // back from a page they went on to.
  const fetchFile = newestOnly((personId, request) =>
    app.api.call('POST', `/api/v1/persons/${encodeURIComponent(personId)}/file`, request));
  columns.push({ label: t('search.col.action'), cell: (r) => {
    const open = h('button', { type: 'button', class: 'small', 'aria-label': t('search.open.label', { name: fullName(r) }),
                               onclick: async () => {
      message.clear();
      const request = { purpose: body.purpose };
      if (body.case_reference) request.case_reference = body.case_reference;
      try {
        const file = await busy(open, () => fetchFile(r.person_id, request));
        if (file === null || !open.isConnected) return;
        app.state.file = { file, purpose: body.purpose };
        app.go('#/file');
      } catch (error) {
        if (app.api.signedIn) message.error(errorText(error));
      }
    } }, t('search.open'));
    return open;
  } });
  replace(container, heading,
          statusLine(t('search.count', { shown: rows.length, total: result.total_matches ?? rows.length })),
          h('p', { class: 'meta' }, t('search.open.note')),
          table(t('search.results'), columns, rows));
}

export function fileView(app) {
  const opened = app.state.file;
  if (!opened) {
    return page(t('app.not_found'), h('p', {}, t('file.missing')),
                h('p', {}, h('a', { href: '#/search' }, t('nav.search'))));
  }
  const { file, purpose } = opened;
  const item = (label, value) => (value === undefined || value === null || value === '' ||
                                  (Array.isArray(value) && !value.length)
    ? null : [h('dt', {}, label), h('dd', {}, isolated(Array.isArray(value) ? value.join(', ') : String(value)))]);
  const identity = h('dl', { class: 'facts' },
    item(t('file.surname'), file.surname), item(t('file.given_names'), file.given_names),
    item(t('file.aliases'), file.aliases), item(t('file.birth_date'), file.birth_date),
    item(t('file.birth_place'), file.birth_place), item(t('file.sex'), file.sex && tValue('sex', file.sex)),
    item(t('file.nationality'), file.nationality), item(t('file.person_id'), file.person_id));
  const wanted = file.wanted_notices === undefined
    ? h('p', { class: 'empty' }, t('file.wanted.hidden'))
    : !file.wanted_notices.length ? h('p', { class: 'empty' }, t('file.wanted.none'))
      : table(t('file.wanted'), [
        { label: t('file.col.reason'), cell: (n) => tValue('wanted.reason', n.reason), header: true },
        { label: t('file.col.authority'), cell: (n) => n.issuing_authority ?? '' },
        { label: t('file.col.reference'), cell: (n) => n.reference ?? '' },
        { label: t('file.col.valid'), cell: (n) => [n.valid_from, n.valid_until].filter(Boolean).join(' → ') },
        { label: t('file.col.conduct'), cell: (n) => tValue('conduct', n.conduct) },
      ], file.wanted_notices, { className: 'data alert-table' });
  const records = file.criminal_record_entries === undefined
    ? h('p', { class: 'empty' }, t('file.records.hidden'))
    : !file.criminal_record_entries.length ? h('p', { class: 'empty' }, t('file.records.none'))
      : table(t('file.records'), [
        { label: t('file.col.category'), cell: (e) => tValue('offence', e.category), header: true },
        { label: t('file.col.date'), cell: (e) => e.date ?? '' },
        { label: t('file.col.role'), cell: (e) => tValue('entry.role', e.role) },
        { label: t('file.col.case'), cell: (e) => e.case_reference ?? '' },
        { label: t('file.col.service'), cell: (e) => e.recording_service ?? '' },
      ], file.criminal_record_entries);
  return page(t('file.title', { name: fullName(file) }),
    h('p', { class: 'meta' }, t('file.consulted_for', { purpose: t(`purpose.${purpose}`) })),
    h('section', { class: 'card', 'aria-labelledby': 'file-identity' },
      h('h2', { id: 'file-identity' }, t('file.identity')), identity),
    h('section', { class: 'card', 'aria-labelledby': 'file-wanted' },
      h('h2', { id: 'file-wanted' }, t('file.wanted')), wanted),
    h('section', { class: 'card', 'aria-labelledby': 'file-records' },
      h('h2', { id: 'file-records' }, t('file.records')), records),
    h('p', {}, h('a', { href: '#/search', class: 'button-link' }, t('file.back'))));
}

/** Columns for audit events (my consultations, audit search). */
export function eventColumns({ agent = false } = {}) {
  const cols = [
    { label: t('col.time'), cell: (e) => formatTime(e.time), header: true },
    { label: t('col.type'), cell: (e) => tValue('event', e.type) },
  ];
  if (agent) {
    cols.push({ label: t('col.agent'), cell: (e) => e.service_number || (e.agent_id ? `#${e.agent_id}` : '') });
    cols.push({ label: t('col.session'), cell: (e) => (e.session_id ? String(e.session_id) : '') });
    cols.push({ label: t('col.address'), cell: (e) => e.source_address ?? '' });
  }
  cols.push(
    // A purpose out of the list (an acknowledgement's note, a containment's
    // reason, what a refused client sent) is shown as written, isolated.
    { label: t('col.purpose'), cell: (e) => (e.purpose ? isolated(tValue('purpose', e.purpose)) : '') },
    { label: t('col.case'), cell: (e) => e.case_reference ?? '' },
    { label: t('col.persons'), cell: (e) => (e.person_ids ?? []).join(', ') },
    { label: t('col.outcome'), cell: (e) => (e.outcome === 'refused' || e.outcome === 1 || e.refusal
      ? h('span', { class: 'tag tag-alert' }, `${t('outcome.refused')}${e.refusal ? ` (${e.refusal})` : ''}`)
      : t('outcome.ok')) });
  return cols;
}

export function consultationsView(app) {
  const message = messageArea();
  const list = h('div', {}, h('p', {}, t('app.loading')));
  (async () => {
    try {
      const { events = [] } = await app.api.call('GET', '/api/v1/self/consultations');
      replace(list, events.length ? table(t('consultations.title'), eventColumns(), events)
                                  : h('p', { class: 'empty' }, t('consultations.none')));
    } catch (error) {
      replace(list);
      if (app.api.signedIn) message.error(errorText(error));
    }
  })();
  return page(t('consultations.title'), message.el, h('p', {}, t('consultations.intro')), list);
}
