// The administrator's pages: units and agents (the activation code is shown once).
import { h, replace, field } from '../dom.js';
import { t, tValue, formatTime } from '../i18n.js';
import { page, messageArea, busy, errorText, table, newestOnly, askConfirm } from '../ui.js';

const KINDS = ['police', 'gendarmerie', 'municipal_police', 'customs', 'prefecture', 'other'];
const ROLES = ['agent', 'investigator', 'supervisor', 'security_officer', 'administrator'];

export function unitsView(app) {
  const message = messageArea();
  const list = h('div', {}, h('p', {}, t('app.loading')));
  const fetchUnits = newestOnly(() => app.api.call('GET', '/api/v1/units'));
  const load = async () => {
    try {
      const answer = await fetchUnits();
      if (!answer) return;
      const { units = [] } = answer;
      replace(list, units.length ? table(t('units.title'), [
        { label: t('units.code'), cell: (u) => u.code, header: true },
        { label: t('units.name'), cell: (u) => u.name },
        { label: t('units.kind'), cell: (u) => t(`kind.${u.kind}`) },
      ], units) : h('p', { class: 'empty' }, t('units.none')));
    } catch (error) { replace(list); if (app.api.signedIn) message.error(errorText(error)); }
  };
  const code = field(t('units.code'), { name: 'unit_code', required: true, spellcheck: 'false' });
  const name = field(t('units.name'), { name: 'unit_name', required: true });
  const kind = field(t('units.kind'), { name: 'unit_kind', kind: 'select', options: KINDS.map((k) => [k, t(`kind.${k}`)]) });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('units.add'));
  const form = h('form', { class: 'card form', novalidate: true, autocomplete: 'off', onsubmit: async (event) => {
    event.preventDefault();
    message.clear();
    try {
      const unit = await busy(submit, () => app.api.call('POST', '/api/v1/units',
        { code: code.input.value.trim(), name: name.input.value.trim(), kind: kind.input.value }));
      message.info(t('units.added', { code: unit.code }));
      form.reset();
      load();
    } catch (error) { if (app.api.signedIn) message.error(errorText(error)); }
  } }, code.row, name.row, kind.row, h('div', { class: 'actions' }, submit));
  load();
  return page(t('units.title'), message.el, list, h('h2', {}, t('units.add')), form);
}

function activationCode(agent) {
  return h('div', { class: 'card secret-box', role: 'status', 'data-testid': 'activation-code' },
    h('h2', {}, t('agents.code.title', { sn: agent.service_number })),
    h('p', { class: 'secret' }, h('code', {}, agent.activation_code)),
    h('p', {}, t('agents.code.text', { time: formatTime(agent.activation_expires_at) })));
}

const AGENTS_PER_PAGE = 100;

export function agentsView(app, vs) {
  const message = messageArea();
  const codeBox = h('div', {});
  // A code is shown once: kept in the view's state, so the page drawn again
  // (in the other language) still shows it; gone when the page is left.
  const showCode = (agent) => {
    vs.shownCode = { service_number: agent.service_number, activation_code: agent.activation_code,
                     activation_expires_at: agent.activation_expires_at };
    replace(codeBox, activationCode(vs.shownCode));
  };
  if (vs.shownCode) showCode(vs.shownCode);
  const list = h('div', {}, h('p', {}, t('app.loading')));
  const act = async (agent, action, button) => {
    message.clear();
    if (action !== 'reinstate' &&
        !(await askConfirm(t(`agents.confirm.${action}`, { sn: agent.service_number }), t(`agents.${action}`)))) {
      button.focus();
      return;
    }
    try {
      const answer = await busy(button, () => app.api.call('POST',
        `/api/v1/agents/${encodeURIComponent(agent.service_number)}/${action}`, {}));
      // A code is shown once: it stays until another replaces it, not wiped
      // by an unrelated action before it was handed over.
      if (answer?.activation_code) showCode(answer);
      await load();
      // The table was drawn again: the focus goes to the code to hand over,
      // or back to the agent's row, not to the top of the page.
      const heading = answer?.activation_code ? codeBox.querySelector('h2') : null;
      const row = [...list.querySelectorAll('tbody tr')]
        .find((tr) => tr.querySelector('th')?.textContent === agent.service_number);
      const target = heading ?? row?.querySelector('button');
      if (target) {
        if (target === heading) heading.setAttribute('tabindex', '-1');
        target.focus();
      }
    } catch (error) { if (app.api.signedIn) message.error(errorText(error)); }
  };
  const actions = (agent) => ['suspend', 'reinstate', 'reset']
    .filter((a) => (a === 'suspend' ? !['suspended', 'disabled'].includes(agent.status) : a === 'reinstate'
      ? ['suspended', 'locked'].includes(agent.status) : true))
    .map((a) => {
      const button = h('button', { type: 'button', class: a === 'reinstate' ? 'small' : 'small danger',
        'aria-label': t('agents.action.label', { action: t(`agents.${a}`), sn: agent.service_number }),
        onclick: () => act(agent, a, button) }, t(`agents.${a}`));
      return button;
    });
  let units = [];
  // Pages follow the server's cursor: `starts` holds the "after" of each page
  // shown on the way to the current one (the last), so Previous goes back
  // and an action reloads the page it was taken on.
  const filter = field(t('agents.filter'), { name: 'unit_filter', kind: 'select', options: [['', t('agents.filter.all')]] });
  // The stack changes only once the page it leads to has arrived, and both
  // buttons wait while a page loads, so quick clicks cannot skip or repeat one.
  let starts = [0];
  let next = null;
  const previousPage = h('button', { type: 'button', disabled: true, onclick: () => load(starts.slice(0, -1)) },
                         t('agents.previous'));
  const nextPage = h('button', { type: 'button', disabled: true, onclick: () => load([...starts, next]) },
                     t('agents.next'));
  const range = h('p', { class: 'meta', 'aria-live': 'polite' });
  // The unit whose agents the table shows: a filter whose page failed to
  // load goes back to it, or Next would page that unit from another's cursor.
  let shownUnit = '';
  filter.input.addEventListener('change', () => load([0]));
  const fetchAgents = newestOnly((body) => app.api.call('POST', '/api/v1/agents/search', body));
  const load = async (wanted = starts) => {
    previousPage.disabled = true;
    nextPage.disabled = true;
    try {
      const body = { limit: AGENTS_PER_PAGE };
      if (wanted.at(-1)) body.after = wanted.at(-1);
      if (filter.input.value) body.unit = filter.input.value;
      const answer = await fetchAgents(body);
      if (!answer) return;
      const { agents = [] } = answer;
      starts = wanted;
      shownUnit = body.unit ?? '';
      next = answer.next ?? null;
      previousPage.disabled = starts.length === 1;
      nextPage.disabled = next === null;
      const from = (starts.length - 1) * AGENTS_PER_PAGE + 1;
      replace(range, agents.length ? t('agents.range', { from, to: from + agents.length - 1 }) : '');
      replace(list, agents.length ? table(t('agents.title'), [
        { label: t('agents.service_number'), cell: (a) => a.service_number, header: true },
        { label: t('agents.display_name'), cell: (a) => a.display_name },
        { label: t('agents.unit'), cell: (a) => a.unit },
        { label: t('agents.roles'), cell: (a) => (a.roles ?? []).map((r) => tValue('role', r)).join(', ') },
        { label: t('agents.status'), cell: (a) => h('span', { class: `tag status-${a.status}` }, tValue('status', a.status)) },
        { label: t('agents.actions'), cell: (a) => h('div', { class: 'row-actions' }, actions(a)) },
      ], agents) : h('p', { class: 'empty' }, t('agents.none')));
    } catch (error) {
      replace(list);
      replace(range);
      // Still on `starts`: its buttons come back, to try again.
      filter.input.value = shownUnit;
      previousPage.disabled = starts.length === 1;
      nextPage.disabled = next === null;
      if (app.api.signedIn) message.error(errorText(error));
    }
  };
  const sn = field(t('agents.service_number'), { name: 'new_service_number', required: true, spellcheck: 'false',
                                                 pattern: '[A-Z0-9-]{1,32}' });
  const name = field(t('agents.display_name'), { name: 'display_name', required: true });
  const unit = field(t('agents.unit'), { name: 'unit', kind: 'select', options: [] });
  const roleBoxes = ROLES.map((r) => field(t(`role.${r}`), { name: `role-${r}`, kind: 'checkbox', value: r }));
  const submit = h('button', { type: 'submit', class: 'primary' }, t('agents.add'));
  const form = h('form', { class: 'card form', novalidate: true, autocomplete: 'off', onsubmit: async (event) => {
    event.preventDefault();
    message.clear();
    const roles = roleBoxes.filter((b) => b.input.checked).map((b) => b.input.value);
    if (!unit.input.value) { message.error(t('agents.need_unit')); unit.input.focus(); return; }
    if (!roles.length) { message.error(t('agents.need_role')); roleBoxes[0].input.focus(); return; }
    try {
      const created = await busy(submit, () => app.api.call('POST', '/api/v1/agents', {
        service_number: sn.input.value.trim().toUpperCase(), display_name: name.input.value.trim(),
        unit: unit.input.value, roles }));
      showCode(created);
      form.reset();
      codeBox.querySelector('h2').setAttribute('tabindex', '-1');
      codeBox.querySelector('h2').focus();
      load();
    } catch (error) { if (app.api.signedIn) message.error(errorText(error)); }
  } }, sn.row, name.row, unit.row,
  h('fieldset', {}, h('legend', {}, t('agents.roles')), roleBoxes.map((b) => b.row)),
  h('div', { class: 'actions' }, submit));
  (async () => {
    try {
      ({ units = [] } = await app.api.call('GET', '/api/v1/units'));
      const options = () => units.map((u) => h('option', { value: u.code }, `${u.code} — ${u.name}`));
      replace(unit.input, options());
      filter.input.append(...options());
    } catch (error) {
      // Without them no agent can be created: said, not left to a server
      // refusal of an empty unit.
      if (!app.api.signedIn) return;
      replace(unit.input, h('option', { value: '' }, t('agents.units_unavailable')));
      message.error(`${t('agents.units_unavailable')} ${errorText(error)}`);
    }
  })();
  load();
  return page(t('agents.title'), message.el, codeBox, h('div', { class: 'toolbar' }, filter.row), list,
              h('div', { class: 'toolbar' }, previousPage, range, nextPage), h('h2', {}, t('agents.new')), form);
}
