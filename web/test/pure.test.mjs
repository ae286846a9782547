// Pure helpers: idle timers, WebAuthn conversions, request bodies, strings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IdleWatch } from '../src/idle.js';
import { creationOptions, requestOptions, registrationBody, assertionBody } from '../src/webauthn.js';
import { STRINGS, t, tValue, setLang } from '../src/i18n.js';
import { splitList, utcStamp, newestOnly, personFirst } from '../src/ui.js';
import { AUDIT_EVENT_TYPES } from '../src/event_types.js';
import { readFileSync } from 'node:fs';

function fakeTimers() {
  const pending = new Map();
  let next = 0;
  const timers = { setTimeout: (fn, ms) => { next += 1; pending.set(next, { fn, ms }); return next; },
                   clearTimeout: (id) => pending.delete(id) };
  const fire = () => { const due = [...pending.values()]; pending.clear(); for (const { fn } of due) fn(); };
  return { pending, timers, fire };
}

test('the idle watch warns 60 s before expiry and restarts on touch', () => {
  const { pending, timers } = fakeTimers();
  let now = 1_000_000;
  const events = [];
  const watch = new IdleWatch({ idleSeconds: 300, onWarn: (s) => events.push(['warn', s]),
                                onExpire: () => events.push(['expire']), timers, clock: () => now });
  watch.touch();
  assert.deepEqual([...pending.values()].map((x) => x.ms), [240_000, 300_000]);
  now += 100_000;
  watch.touch();
  assert.equal(pending.size, 2);
  const [warn, expire] = [...pending.values()];
  now += 240_000;
  warn.fn();
  now += 60_000;
  expire.fn();
  assert.deepEqual(events, [['warn', 60], ['expire']]);
});

// Sleep pauses timers: on waking, the page must not show the last file for
// the rest of the idle period while the server has closed the session.
test('the idle watch expires at once when the deadline passed while timers were paused', () => {
  const { pending, timers } = fakeTimers();
  let now = 5_000_000;
  const events = [];
  const watch = new IdleWatch({ idleSeconds: 300, onWarn: (s) => events.push(['warn', s]),
                                onExpire: () => events.push(['expire']), timers, clock: () => now });
  watch.touch();
  now += 10_000;
  watch.check();  // awake, well within the period: no warning, timers re-aimed
  assert.deepEqual(events, []);
  assert.deepEqual([...pending.values()].map((x) => x.ms), [230_000, 290_000]);
  now += 280_000;  // asleep past the warning, not the end: warned once, with the time left
  watch.check();
  watch.check();
  assert.deepEqual(events, [['warn', 10]]);
  now += 3_600_000;  // an hour asleep; no timer has fired
  watch.check();
  assert.deepEqual(events, [['warn', 10], ['expire']]);
  assert.equal(pending.size, 0);
  watch.check();
  watch.touch();  // stopped: nothing more
  assert.deepEqual(events, [['warn', 10], ['expire']]);
});

// A timer that fires late (after a sleep) fires for the real time left.
test('a late warning timer past the deadline expires instead of warning', () => {
  const { timers, fire } = fakeTimers();
  let now = 0;
  const events = [];
  const watch = new IdleWatch({ idleSeconds: 300, onWarn: (s) => events.push(['warn', s]),
                                onExpire: () => events.push(['expire']), timers, clock: () => now });
  watch.touch();
  now += 1_000_000;
  fire();
  assert.deepEqual(events, [['expire']]);
});

test('WebAuthn options are built from the API JSON', () => {
  const c = creationOptions({ challenge: 'AQID', rp: { id: 'localhost', name: 'Vigie' },
    user: { id: 'BAU', name: 'PN-1', display_name: 'Agent' }, algorithms: [-7, -8], timeout_ms: 60000,
    exclude_credentials: [{ id: 'Bgc' }] });
  assert.deepEqual([...c.challenge], [1, 2, 3]);
  assert.deepEqual([...c.user.id], [4, 5]);
  assert.equal(c.user.displayName, 'Agent');
  assert.deepEqual(c.pubKeyCredParams, [{ type: 'public-key', alg: -7 }, { type: 'public-key', alg: -8 }]);
  assert.equal(c.authenticatorSelection.userVerification, 'required');
  assert.deepEqual([...c.excludeCredentials[0].id], [6, 7]);
  const r = requestOptions({ challenge: 'AQID', rp_id: 'localhost', timeout_ms: 1000,
                             allow_credentials: [{ id: 'Bgc', transports: ['internal'] }] });
  assert.equal(r.rpId, 'localhost');
  assert.deepEqual(r.allowCredentials[0].transports, ['internal']);
});

test('credentials become the API bodies, base64url without padding', () => {
  const buf = (...b) => new Uint8Array(b).buffer;
  const reg = registrationBody({ response: { clientDataJSON: buf(1), attestationObject: buf(2, 3),
                                             getTransports: () => ['internal'] } }, 'Poste');
  assert.deepEqual(reg, { client_data_json: 'AQ', attestation_object: 'AgM', transports: ['internal'], name: 'Poste' });
  const login = assertionBody({ rawId: buf(9), response: { clientDataJSON: buf(1), authenticatorData: buf(2),
                                                           signature: buf(3) } }, 'ch');
  assert.deepEqual(login, { login_challenge: 'ch', credential_id: 'CQ', client_data_json: 'AQ',
                            authenticator_data: 'Ag', signature: 'Aw' });
});

test('both languages hold the same keys and fill parameters', () => {
  assert.deepEqual(Object.keys(STRINGS.en).sort(), Object.keys(STRINGS.fr).sort());
  setLang('en');
  assert.equal(t('idle.text', { s: 42 }), 'Without activity, your session will close in 42 seconds.');
  setLang('fr');
  assert.match(t('idle.text', { s: 42 }), /42 secondes/);
});

test('lists and UTC stamps typed in forms', () => {
  assert.deepEqual(splitList(' PN-1, PN-2;PN-3\nPN-4 '), ['PN-1', 'PN-2', 'PN-3', 'PN-4']);
  assert.equal(utcStamp('2026-11-02T08:30'), '2026-11-02T08:30:00Z');
  assert.equal(utcStamp('2026-11-02T08:30:15'), '2026-11-02T08:30:15Z');
  assert.equal(utcStamp(''), undefined);
});

test('every audit event type has words in both languages', () => {
  for (const lang of ['fr', 'en']) {
    assert.deepEqual(AUDIT_EVENT_TYPES.filter((type) => !STRINGS[lang][`event.${type}`]), [], lang);
  }
});

test('the audit search offers every event type the API accepts', () => {
  const doc = JSON.parse(readFileSync(new URL('../../docs/api/openapi.json', import.meta.url), 'utf8'));
  const schema = doc.paths['/api/v1/audit/search'].post.requestBody.content['application/json'].schema;
  assert.deepEqual(AUDIT_EVENT_TYPES, schema.properties.type.enum);
});

test('every alert rule, severity and action the API names has words in both languages', () => {
  const doc = JSON.parse(readFileSync(new URL('../../docs/api/openapi.json', import.meta.url), 'utf8'));
  const alert = doc.components.schemas.Alert.properties;
  const rules = alert.rule.description.split(/, | or /);
  assert.ok(rules.length >= 12, rules.join());
  const keys = [...rules.map((r) => `alerts.rule.${r}`), ...alert.severity.enum.map((s) => `alerts.severity.${s}`),
                ...alert.action.enum.map((a) => `alerts.action.${a}`)];
  for (const lang of ['fr', 'en']) assert.deepEqual(keys.filter((key) => !STRINGS[lang][key]), [], lang);
});

test('every coded value of a file has words in both languages', () => {
  const doc = JSON.parse(readFileSync(new URL('../../docs/api/openapi.json', import.meta.url), 'utf8'));
  const { PersonFile, WantedNotice, RecordEntry } = doc.components.schemas;
  const coded = [['sex', PersonFile.properties.sex], ['wanted.reason', WantedNotice.properties.reason],
                 ['conduct', WantedNotice.properties.conduct], ['offence', RecordEntry.properties.category],
                 ['entry.role', RecordEntry.properties.role]];
  const keys = coded.flatMap(([prefix, schema]) => schema.enum.map((value) => `${prefix}.${value}`));
  assert.equal(keys.length, 29);
  for (const lang of ['fr', 'en']) assert.deepEqual(keys.filter((key) => !STRINGS[lang][key]), [], lang);
});

// A load that answers when the test says so.
function pendingLoads() {
  const calls = [];
  const load = (background) => new Promise((resolve) => calls.push({ background, resolve }));
  return { calls, load };
}

test('only the newest load answers; an older one gives null', async () => {
  const { calls, load } = pendingLoads();
  const newest = newestOnly(load);
  const first = newest(false);
  const second = newest(true);
  calls[0].resolve('old');
  calls[1].resolve('new');
  assert.deepEqual([await first, await second], [null, 'new']);
});

test('a poll waits while a load the person asked for runs, and is not made', async () => {
  const { calls, load } = pendingLoads();
  const search = personFirst(load);
  const poll = search(true);              // under way when the person acts
  const asked = search(false);
  assert.equal(await search(true), null);  // the timer fires meanwhile
  assert.equal(calls.length, 2);
  calls[0].resolve('before');
  calls[1].resolve('after');
  assert.deepEqual([await poll, await asked], [null, 'after']);
  const next = search(true);               // once it answered, polls go on
  calls[2].resolve('later');
  assert.equal(await next, 'later');
});

test('a value the server names is shown in words, or as it is when this client has none', () => {
  setLang('fr');
  assert.equal(tValue('alerts.severity', 'critical'), 'critique');
  assert.equal(tValue('alerts.severity', 'extreme'), 'extreme');
  assert.equal(tValue('alerts.severity', undefined), '');
  setLang('en');
  assert.equal(tValue('alerts.severity', 'high'), 'high');
  setLang('fr');
});
