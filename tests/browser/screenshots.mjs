#!/usr/bin/env node
// Screenshots of the portal's main pages for docs/screenshots/ (run by hand):
//   VIGIE_BINARY=build/release/src/cli/vigie node tests/browser/screenshots.mjs
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  startPortal, launchBrowser, openPage, signIn, activeClient, usedCode,
} from './portal.mjs';

const OUT = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
mkdirSync(OUT, { recursive: true });

const portal = await startPortal({ persons: 2000, plant: 1, agents: [
  { service_number: 'PN-1001', name: 'Brigadier Camille Durand', roles: ['agent'] },
  { service_number: 'SO-0001', name: 'Officier Hélène Marchand', roles: ['security_officer'] },
  { service_number: 'AD-0001', name: 'Admin Paul Lefèvre', roles: ['administrator'] },
  { service_number: 'PN-1002', name: 'Gardien Luc Simon', roles: ['agent'] },
] });
const browser = await launchBrowser();
const shot = async (page, name) => {
  await page.waitForLoadState('networkidle');
  await page.evaluate(() => document.activeElement?.blur());
  await page.screenshot({ path: `${OUT}${name}.png`, fullPage: true });
  console.log(`  docs/screenshots/${name}.png`);
};
const viewport = { width: 1280, height: 800 };
try {
  const clients = {};
  for (const sn of ['PN-1001', 'SO-0001', 'AD-0001', 'PN-1002']) {
    clients[sn] = await activeClient(portal.server, portal.installation, sn);
    usedCode(clients[sn].secret);
  }
  // Agent: notice, login, search results, file.
  let page = await openPage(browser, portal, { contextOptions: { viewport } });
  await page.goto(`${portal.origin}/`);
  await page.getByRole('button', { name: /J’ai lu/ }).waitFor({ state: 'visible' });
  await page.getByText(/Version/).waitFor();
  await shot(page, 'notice');
  await page.getByRole('button', { name: /J’ai lu/ }).click();
  await page.getByLabel('Matricule').waitFor();
  await shot(page, 'login');
  await signIn(page, 'PN-1001', clients['PN-1001'].secret);
  const person = portal.population.find((p) => p.wanted_notices?.length || p.criminal_record_entries?.length) ?? portal.population[0];
  await page.getByLabel('Motif').selectOption('judicial_investigation');
  await page.getByLabel('Référence de procédure').fill('PV-2026-00417');
  await page.getByLabel('Nom', { exact: true }).fill(person.surname);
  await page.getByLabel('Prénom', { exact: true }).fill(person.given_names[0]);
  await page.getByRole('button', { name: 'Rechercher', exact: true }).click();
  await page.getByRole('table', { name: 'Résultats' }).waitFor();
  await shot(page, 'search-results');
  await page.getByRole('button', { name: /Ouvrir la fiche de/ }).first().click();
  await page.getByRole('heading', { level: 1, name: /Fiche de/ }).waitFor();
  await shot(page, 'file');
  await page.context().close();

  // Something for the officer to see: a canary opened, a few searches from another network.
  const canary = Number(portal.installation.vigie('canary', 'list').trim().split('\n')[0]);
  await clients['PN-1002'].call('POST', `/api/v1/persons/${canary}/file`, { purpose: 'identity_check' });

  page = await openPage(browser, portal, { contextOptions: { viewport } });
  await page.goto(`${portal.origin}/`);
  await page.getByRole('button', { name: /J’ai lu/ }).click();
  await signIn(page, 'SO-0001', clients['SO-0001'].secret, { landing: 'Alertes en direct' });
  await page.getByRole('table', { name: 'Alertes en direct' }).waitFor();
  await shot(page, 'officer-alerts');
  await page.getByRole('link', { name: 'Rapport de violation' }).click();
  await page.getByLabel('Matricules').fill('PN-1002');
  await page.getByLabel('Format').selectOption('html');
  await shot(page, 'breach-report');
  await page.context().close();

  page = await openPage(browser, portal, { contextOptions: { viewport } });
  await page.goto(`${portal.origin}/`);
  await page.getByRole('button', { name: /J’ai lu/ }).click();
  await signIn(page, 'AD-0001', clients['AD-0001'].secret, { landing: 'Agents' });
  await page.getByRole('table', { name: 'Agents' }).waitFor();
  await shot(page, 'admin-agents');
  await page.context().close();
} finally {
  await browser.close();
  await portal.stop();
}
