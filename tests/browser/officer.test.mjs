// The security officer's pages against the real server: live alerts (a
// canary opened by an agent shows up, is acknowledged), "who consulted this
// person", the audit log, the breach report downloaded and parsed, the claim
// check of an uploaded sample, and containment opened and released.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  startPortal, launchBrowser, openPage, acceptNotice, signIn, activeClient, usedCode, answerConfirmation,
} from './portal.mjs';

const OFFICER = 'SO-5001';
const AGENT = 'PN-5001';
const OTHER = 'PN-5002';
let portal;
let browser;
let page;
let officer;
let agent;
let canary;
let opened;

before(async () => {
  portal = await startPortal({ agents: [
    { service_number: OFFICER, name: 'Officier Bernard', roles: ['security_officer'] },
    { service_number: AGENT, name: 'Agent Leroy', roles: ['agent'] },
    { service_number: OTHER, name: 'Agent Moreau', roles: ['agent'] },
    // More than the 20 agents the incident list names.
    ...Array.from({ length: 21 }, (_, i) => ({ service_number: `PN-60${String(i).padStart(2, '0')}`,
                                               name: `Agent ${i}`, roles: ['agent'] })),
  ], plant: 2 });
  officer = await activeClient(portal.server, portal.installation, OFFICER);
  usedCode(officer.secret);
  agent = await activeClient(portal.server, portal.installation, AGENT);
  browser = await launchBrowser();
  page = await openPage(browser, portal);
});

after(async () => {
  await browser?.close();
  await portal?.stop();
});

test('the officer lands on live alerts; a canary opened by an agent appears by polling', async () => {
  await acceptNotice(page);
  await signIn(page, OFFICER, officer.secret, { landing: 'Alertes en direct' });
  // Signing in from a new browser key already raised a new_device alert about the officer.
  await page.getByRole('table', { name: 'Alertes en direct' }).or(page.getByText('Aucune alerte.')).waitFor();
  assert.equal(await page.getByRole('cell', { name: 'fiche leurre ouverte' }).count(), 0);
  canary = Number(portal.installation.vigie('canary', 'list').trim().split('\n')[0]);
  const r = await agent.call('POST', `/api/v1/persons/${canary}/file`, { purpose: 'identity_check' });
  assert.equal(r.status, 200, r.body);
  opened = r.json;
  const row = page.getByRole('row').filter({ has: page.getByRole('cell', { name: 'fiche leurre ouverte' }) });
  await row.waitFor({ timeout: 15000 });  // the next poll, at most 10 s away
  assert.match(await row.textContent(), new RegExp(`critique[\\s\\S]*fiche leurre ouverte[\\s\\S]*agent suspendu[\\s\\S]*${AGENT}`));
});

test('an alert is acknowledged with a note', async () => {
  await page.getByRole('combobox', { name: 'Afficher' }).selectOption('all');
  const table = page.getByRole('table', { name: 'Alertes en direct' });
  await table.getByRole('button', { name: /Acquitter l’alerte/ }).first().waitFor();
  const note = table.getByRole('textbox', { name: /Note d’acquittement/ }).first();
  await note.fill('vu, test du leurre');
  // The next poll (at most 10 s away) leaves the note being written, and its
  // focus, where they are.
  await page.waitForResponse((r) => r.url().endsWith('/api/v1/alerts/search'), { timeout: 15000 });
  await page.waitForTimeout(300);
  assert.equal(await note.inputValue(), 'vu, test du leurre');
  assert.ok(await note.evaluate((input) => input === document.activeElement), 'the note keeps the focus');
  await table.getByRole('button', { name: /Acquitter l’alerte/ }).first().click();
  await table.getByText(`Acquittée par ${OFFICER}`).first().waitFor();
  assert.ok(await page.evaluate(() => document.activeElement !== document.body), 'the focus is not lost');
});

test('alerts that cannot be read say so once, not at every poll, and clear when they can', async () => {
  // Each answer with its own request id, as the server's.
  const failing = (route) => route.fulfill({ status: 503, contentType: 'application/problem+json',
    body: JSON.stringify({ title: 'Service Unavailable', status: 503, detail: 'database busy',
                           request_id: Math.random().toString(16).slice(2) }) });
  await page.getByRole('link', { name: 'Journal d’audit' }).click();
  await page.route('**/api/v1/alerts/search', failing);
  const poll = () => page.waitForResponse((r) => r.url().endsWith('/api/v1/alerts/search'), { timeout: 15000 });
  try {
    await page.getByRole('link', { name: 'Alertes' }).click();
    await page.getByText('Liste indisponible pour l’instant', { exact: false }).waitFor();
    const region = page.locator('[role=alert].message-error');
    await region.waitFor();
    await region.evaluate((el) => { window.saidOnce = el.firstChild; });
    await poll();
    await page.waitForTimeout(300);
    assert.ok(await region.evaluate((el) => el.firstChild === window.saidOnce), 'the same error is not said again');
  } finally {
    await page.unroute('**/api/v1/alerts/search', failing);
  }
  await poll();
  await page.getByRole('table', { name: 'Alertes en direct' }).waitFor();
  assert.equal(await page.locator('[role=alert].message-error').count(), 0, 'cleared');
});

test('who consulted the canary: the audit log names the agent', async () => {
  await page.getByRole('link', { name: 'Qui a consulté ?' }).click();
  await page.getByLabel('Identifiant de personne').fill(String(canary));
  await page.getByRole('button', { name: 'Chercher', exact: true }).click();
  const table = page.getByRole('table', { name: 'Qui a consulté cette personne ?' });
  await table.waitFor();
  assert.match(await table.textContent(), new RegExp(`${AGENT}[\\s\\S]*fiche ouverte|fiche ouverte[\\s\\S]*${AGENT}`));
});

test('the audit log filtered by type', async () => {
  await page.getByRole('link', { name: 'Journal d’audit' }).click();
  await page.getByLabel('Type d’événement').selectOption('file_opening');
  await page.getByRole('button', { name: 'Chercher dans le journal' }).click();
  const table = page.getByRole('table', { name: 'Journal d’audit' });
  await table.waitFor();
  assert.match(await table.textContent(), new RegExp(AGENT));
  // A purpose out of the list (here an acknowledgement's note) reads as
  // written, not as a missing translation key.
  await page.getByLabel('Type d’événement').selectOption('alert_acknowledged');
  await page.getByRole('button', { name: 'Chercher dans le journal' }).click();
  await table.getByRole('cell', { name: 'vu, test du leurre', exact: true }).waitFor();
  assert.doesNotMatch(await table.textContent(), /purpose\./);
});

test('the audit log pages on: a full page offers the next, added below it', async () => {
  await page.getByRole('link', { name: 'Journal d’audit' }).click();
  await page.getByLabel('Type d’événement').selectOption('');  // the test before chose one
  await page.getByLabel('Nombre maximal').fill('2');
  await page.getByRole('button', { name: 'Chercher dans le journal' }).click();
  const table = page.getByRole('table', { name: 'Journal d’audit' });
  await page.getByText('2 premiers événements ; d’autres peuvent suivre.').waitFor();
  assert.equal(await table.locator('tbody tr').count(), 2);
  await page.getByRole('button', { name: 'Suivants' }).click();
  await page.getByText('4 premiers événements ; d’autres peuvent suivre.').waitFor();
  const sequences = (await table.locator('tbody th').allTextContents()).map(Number);
  assert.equal(sequences.length, 4);
  for (let i = 1; i < 4; ++i) assert.ok(sequences[i] > sequences[i - 1], String(sequences));
  assert.ok(await page.getByRole('button', { name: 'Suivants' }).evaluate((b) => b === document.activeElement),
            'the focus stays on the way on');
});

test('the breach report for the agent downloads and parses (JSON, then CSV)', async () => {
  await page.getByRole('link', { name: 'Rapport de violation' }).click();
  await page.getByLabel('Matricules').fill(AGENT);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Générer et télécharger' }).click(),
  ]);
  assert.match(download.suggestedFilename(), /^breach-report-.*\.json$/);
  const report = JSON.parse(readFileSync(await download.path(), 'utf8'));
  assert.ok(report.subjects.some((s) => s.person_id === canary), JSON.stringify(report.counts));
  await page.getByText(/Rapport téléchargé/).waitFor();

  await page.getByLabel('Format').selectOption('csv');
  const [csv] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Générer et télécharger' }).click(),
  ]);
  assert.match(csv.suggestedFilename(), /\.csv$/);
  const lines = readFileSync(await csv.path(), 'utf8').trim().split('\n');
  assert.ok(lines.some((l) => l.startsWith(`${canary},`)), lines.slice(0, 3).join('\n'));
});

test('the claim check of an uploaded sample finds the person really consulted', async () => {
  const sample = join(portal.installation.dir, 'leak.csv');
  const other = portal.population[5];
  writeFileSync(sample, 'nom;prenom;date_naissance\n' +
    `${opened.surname};${opened.given_names[0]};${opened.birth_date}\n` +
    `${other.surname};${other.given_names[0]};${other.birth_date}\n` +
    'INVENTE;Personne;1901-01-01\n');
  await page.getByRole('link', { name: 'Vérifier une fuite' }).click();
  await page.getByLabel('Fichier de l’échantillon').setInputFiles(sample);
  await page.getByRole('button', { name: 'Vérifier', exact: true }).click();
  await page.getByRole('heading', { level: 2, name: 'Synthèse' }).waitFor();
  const rows = page.getByRole('table', { name: 'Lignes' });
  await rows.waitFor();
  assert.equal(await rows.getByRole('row').count(), 4);
});

test('containment from the page, then its release, which leaves the activation codes to an administrator', async () => {
  const other = await activeClient(portal.server, portal.installation, OTHER);
  await page.getByRole('link', { name: 'Confinement' }).click();
  await page.getByLabel('Matricules à confiner').fill(OTHER);
  await page.getByLabel('Motif', { exact: true }).fill('poste compromis (test)');
  await page.getByLabel(/Confirmer le confinement/).check();
  await page.getByRole('button', { name: 'Confiner', exact: true }).click();
  await page.getByText(/Incident \d+ ouvert : 1 session\(s\) révoquée\(s\)/).waitFor();
  assert.equal((await other.call('GET', '/api/v1/self')).status, 401);
  const list = page.getByRole('table', { name: 'Incidents récents' });
  // A reset erases the held agents' factors: asked first, and nothing sent
  // when declined.
  const releases = [];
  const seeRelease = (request) => { if (request.url().endsWith('/release')) releases.push(request.url()); };
  page.on('request', seeRelease);
  await list.getByRole('button', { name: 'Lever' }).first().click();
  assert.match(await answerConfirmation(page, { accept: false }), /^Lever l’incident \d+ en réinitialisant ses 1 agent\(s\) \?/);
  assert.deepEqual(releases, []);  // nor later: one release in all, below
  await list.getByRole('button', { name: 'Lever' }).first().click();
  await answerConfirmation(page, { accept: true });
  await page.getByText(/Incident \d+ levé/).waitFor();
  page.off('request', seeRelease);
  assert.equal(releases.length, 1);
  // No code for the officer: an administrator issues it.
  await page.getByText(/^Identifiants effacés : un administrateur remet/).waitFor();
  assert.equal(await page.getByText(/Codes? d’activation à remettre/).count(), 0);
  assert.deepEqual(page.problems.csp, []);
  assert.deepEqual(page.problems.pageErrors, []);
});

// The focused element's text ('' when the focus was lost to the page's body).
function focusedText() {
  return page.evaluate(() => (document.activeElement === document.body ? '' : document.activeElement.textContent));
}

test('an incident holding everyone lists its first 20 agents and shows the rest on demand', async () => {
  // (The page holds the officer's one session: contained from the page.)
  await page.getByRole('link', { name: 'Confinement' }).click();
  await page.getByLabel('Tous les agents (sauf officiers de sécurité)').check();
  await page.getByLabel('Motif', { exact: true }).fill('exercice (test)');
  await page.getByLabel(/Confirmer le confinement/).check();
  await page.getByRole('button', { name: 'Confiner', exact: true }).click();
  await page.getByText(/Incident \d+ ouvert/).last().waitFor();
  const list = page.getByRole('table', { name: 'Incidents récents' });
  const row = list.getByRole('row').filter({ hasText: 'exercice (test)' });
  await row.getByText('PN-6017').waitFor();
  assert.equal(await row.getByText('PN-6020').count(), 0, 'beyond the first 20');
  await row.getByRole('button', { name: '… et 3 autres : tout afficher' }).click();
  await row.getByText(/PN-6018, PN-6019, PN-6020/).waitFor();
  assert.match(await focusedText(), /PN-6018, PN-6019, PN-6020/,
               'the focus goes to the list the button showed');
  // Reinstated: nobody reset, no list of them; the focus goes to the message.
  await row.getByRole('combobox').selectOption('reinstate');
  await row.getByRole('button', { name: 'Lever' }).click();
  await answerConfirmation(page, { accept: true });
  await page.getByText(/Incident \d+ levé/).waitFor();
  // Moved once the list is drawn again (after the message).
  await page.waitForFunction(() => document.activeElement !== document.body &&
                                   !document.activeElement.closest('table'));
  assert.match(await focusedText(), /Incident \d+ levé/,
               'the focus is not lost with the release form');
  assert.deepEqual(page.problems.csp, []);
  assert.deepEqual(page.problems.pageErrors, []);
});

test('a release that could not lift every agent offers to release again', async () => {
  const released = { id: 77, opened_at: 1800000000, opened_by: OFFICER, reason: 'poste compromis (test)',
                     scope: 'agents X-1, X-2', lockdown: false, agents: ['X-1', 'X-2'], agent_count: 2,
                     released_at: 1800000100, released_by: OFFICER, release_mode: 'reinstate', unreleased_count: 1 };
  await page.route('**/api/v1/incidents', (route) => (route.request().method() === 'GET'
    ? route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ incidents: [released] }) })
    : route.continue()));
  try {
    await page.getByRole('link', { name: 'Journal d’audit' }).click();
    await page.getByRole('link', { name: 'Confinement' }).click();
    const row = page.getByRole('table', { name: 'Incidents récents' }).getByRole('row').filter({ hasText: 'X-1' });
    await row.getByText(/sauf pour 1 agent\(s\)/).waitFor();
    await row.getByRole('button', { name: 'Lever de nouveau' }).waitFor();
    assert.equal(await row.getByRole('combobox').inputValue(), 'reinstate', 'finished in the mode it was released in');
    // Released again, X-2 stays held by another open incident: the answer
    // names it, and the page says so rather than a bare "released"; so too
    // that the log did not record it (it stands: not to be made again).
    await page.route('**/api/v1/incidents/77/release', (route) => route.fulfill({
      status: 200, contentType: 'application/json',
      body: JSON.stringify({ ...released, unreleased_count: 0, reset: [], reinstated: [], kept_suspended: [],
                             still_contained: ['X-2'], not_released: [], events_recorded: false }) }));
    await row.getByRole('button', { name: 'Lever de nouveau' }).click();
    await answerConfirmation(page, { accept: true });
    await page.getByText('Restent suspendus, tenus par un autre incident ouvert : X-2.', { exact: false }).waitFor();
    await page.getByText('Fait pour l’incident 77, mais le journal d’audit n’a pas enregistré ses événements',
                         { exact: false }).waitFor();
  } finally {
    await page.unroute('**/api/v1/incidents/77/release');
    await page.unroute('**/api/v1/incidents');
  }
});
