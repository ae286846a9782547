// axe-core on every page of the portal: no serious or critical violation.
// axe is evaluated through the DevTools protocol (page.evaluate), which the
// page's CSP does not govern, so the pages run under their real CSP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startPortal, launchBrowser, openPage, signIn, activeClient, usedCode, seriousViolations,
} from './portal.mjs';

const AGENT = 'PN-7001';
const OFFICER = 'SO-7001';
const ADMIN = 'AD-7001';
const FRESH = 'PN-7002';
let portal;
let browser;
const clients = {};

before(async () => {
  portal = await startPortal({ agents: [
    { service_number: AGENT, name: 'Agent Roux', roles: ['agent'] },
    { service_number: FRESH, name: 'Agent Blanc', roles: ['agent'] },
    { service_number: OFFICER, name: 'Officier Fontaine', roles: ['security_officer'] },
    { service_number: ADMIN, name: 'Admin Chevalier', roles: ['administrator'] },
  ] });
  for (const sn of [AGENT, OFFICER, ADMIN]) {
    clients[sn] = await activeClient(portal.server, portal.installation, sn);
    usedCode(clients[sn].secret);
  }
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await portal?.stop();
});

async function check(page, name) {
  await page.getByRole('heading', { level: 1 }).first().waitFor();
  await page.waitForLoadState('networkidle');
  const violations = await seriousViolations(page);
  assert.deepEqual(violations, [], `${name}: ${JSON.stringify(violations, null, 1)}`);
}

test('public pages: notice, login, second factor, activation', async () => {
  const page = await openPage(browser, portal);
  await page.goto(`${portal.origin}/`);
  await page.getByRole('button', { name: /J’ai lu/ }).waitFor();
  await check(page, 'notice');
  await page.getByRole('button', { name: /J’ai lu/ }).click();
  await check(page, 'login');
  await page.getByRole('link', { name: /Activer mon compte/ }).click();
  await check(page, 'activate');
  await page.getByLabel('Code d’activation').fill(portal.installation.codes[FRESH]);
  await page.getByLabel('Nouveau mot de passe').fill('correct horse battery staple 42');
  await page.getByLabel('Confirmer le mot de passe').fill('correct horse battery staple 42');
  await page.getByRole('button', { name: 'Activer', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: /Enrôler/ }).waitFor();
  await check(page, 'enrolment');
  await page.goto(`${portal.origin}/`);
  await page.reload();  // a new page: the notice again, then the login form
  await page.getByRole('button', { name: /J’ai lu/ }).click();
  await page.getByLabel('Matricule').fill(AGENT);
  await page.getByLabel('Mot de passe').fill('wrong password but long');
  await page.getByRole('button', { name: 'Continuer' }).click();
  await page.getByText('Identification refusée').waitFor();
  await check(page, 'login error');
  await page.getByLabel('Mot de passe').fill('correct horse battery staple 42');
  await page.getByRole('button', { name: 'Continuer' }).click();
  await page.getByRole('heading', { level: 1, name: 'Second facteur' }).waitFor();
  await check(page, 'second factor');
  assert.deepEqual(page.problems.csp, []);
  await page.context().close();
});

test('agent pages: search with results, file, consultations, passkeys (and in English)', async () => {
  const page = await openPage(browser, portal);
  await page.goto(`${portal.origin}/`);
  await page.getByRole('button', { name: /J’ai lu/ }).click();
  await signIn(page, AGENT, clients[AGENT].secret);
  await check(page, 'search');
  const person = portal.population[2];
  await page.getByLabel('Motif').selectOption('identity_check');
  await page.getByLabel('Nom', { exact: true }).fill(person.surname);
  await page.getByLabel('Prénom', { exact: true }).fill(person.given_names[0]);
  await page.getByRole('button', { name: 'Rechercher', exact: true }).click();
  await page.getByRole('table', { name: 'Résultats' }).waitFor();
  await check(page, 'search results');
  await page.getByRole('button', { name: /Ouvrir la fiche de/ }).first().click();
  await page.getByRole('heading', { level: 1, name: /Fiche de/ }).waitFor();
  await check(page, 'file');
  await page.getByRole('link', { name: 'Mes consultations' }).click();
  await page.getByRole('table').waitFor();
  await check(page, 'consultations');
  await page.getByRole('link', { name: 'Mes clés d’accès' }).click();
  await page.getByText('Aucune clé d’accès enregistrée.').waitFor();
  await check(page, 'passkeys');
  await page.getByRole('button', { name: 'Switch to English' }).click();
  await check(page, 'passkeys (en)');
  assert.deepEqual(page.problems.csp, []);
  await page.context().close();
});

test('officer pages: alerts, audit, who consulted, containment, breach report, claim check', async () => {
  const page = await openPage(browser, portal);
  await page.goto(`${portal.origin}/`);
  await page.getByRole('button', { name: /J’ai lu/ }).click();
  await signIn(page, OFFICER, clients[OFFICER].secret, { landing: 'Alertes en direct' });
  await check(page, 'alerts');
  for (const [link, heading] of [['Journal d’audit', 'Journal d’audit'], ['Qui a consulté ?', 'Qui a consulté cette personne ?'],
                                 ['Confinement', 'Confinement'], ['Rapport de violation', 'Rapport de violation'],
                                 ['Vérifier une fuite', 'Vérifier un échantillon revendiqué']]) {
    await page.getByRole('link', { name: link }).click();
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
    await check(page, link);
  }
  await page.getByRole('link', { name: 'Journal d’audit' }).click();
  await page.getByRole('button', { name: 'Chercher dans le journal' }).click();
  await page.getByRole('table', { name: 'Journal d’audit' }).waitFor();
  await check(page, 'audit results');
  assert.deepEqual(page.problems.csp, []);
  await page.context().close();
});

test('administrator pages: units and agents', async () => {
  const page = await openPage(browser, portal);
  await page.goto(`${portal.origin}/`);
  await page.getByRole('button', { name: /J’ai lu/ }).click();
  await signIn(page, ADMIN, clients[ADMIN].secret, { landing: 'Agents' });
  await page.getByRole('table', { name: 'Agents' }).waitFor();
  await check(page, 'agents');
  await page.getByRole('link', { name: 'Unités' }).click();
  await page.getByRole('table', { name: 'Unités' }).waitFor();
  await check(page, 'units');
  assert.deepEqual(page.problems.csp, []);
  await page.context().close();
});
