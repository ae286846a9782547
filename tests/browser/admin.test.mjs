// The administrator's pages: create a unit, create an agent (the activation
// code is shown once and works), suspend and reinstate.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPortal, launchBrowser, openPage, acceptNotice, signIn, activeClient, usedCode, Client, PASSWORD } from './portal.mjs';

const ADMIN = 'AD-6001';
let portal;
let browser;
let page;
let admin;
let code;

before(async () => {
  portal = await startPortal({ agents: [{ service_number: ADMIN, name: 'Admin Girard', roles: ['administrator'] }] });
  admin = await activeClient(portal.server, portal.installation, ADMIN);
  usedCode(admin.secret);
  browser = await launchBrowser();
  page = await openPage(browser, portal);
  page.on('dialog', (d) => d.accept());
});

after(async () => {
  await browser?.close();
  await portal?.stop();
});

test('the administrator creates a unit', async () => {
  await acceptNotice(page);
  await signIn(page, ADMIN, admin.secret, { landing: 'Agents' });
  await page.getByRole('link', { name: 'Unités' }).click();
  await page.getByLabel('Code').fill('GN-13');
  await page.getByLabel('Nom').fill('Brigade de Marseille');
  await page.getByLabel('Type').selectOption('gendarmerie');
  await page.getByRole('button', { name: 'Créer l’unité' }).click();
  await page.getByText('Unité GN-13 créée.').waitFor();
  // The list is loaded again after the message: wait for the new row.
  const row = page.getByRole('table', { name: 'Unités' }).getByRole('row').filter({ hasText: 'GN-13' });
  await row.waitFor();
  assert.match(await row.textContent(), /Brigade de Marseille/);
});

test('creating an agent shows the activation code once, and it activates the account', async () => {
  await page.getByRole('link', { name: 'Agents' }).click();
  await page.getByLabel('Matricule').fill('GN-7001');
  await page.getByLabel('Nom affiché').fill('Gendarme Faure');
  await page.getByLabel('Unité', { exact: true }).selectOption('GN-13');
  await page.getByLabel('Agent', { exact: true }).check();
  await page.getByRole('button', { name: 'Créer l’agent' }).click();
  const box = page.getByTestId('activation-code');
  await box.waitFor();
  code = (await box.locator('code').textContent()).trim();
  assert.ok(code.length >= 8);
  const table = page.getByRole('table', { name: 'Agents' });
  await table.getByText('GN-7001').waitFor();
  const client = await Client.create(portal.server);
  const activated = await client.activate(code, PASSWORD);
  assert.equal(activated.status, 200, activated.body);
});

test('suspend, then reinstate the agent', async () => {
  await page.getByRole('link', { name: 'Unités' }).click();
  await page.getByRole('link', { name: 'Agents' }).click();  // the list again, after the activation
  const table = page.getByRole('table', { name: 'Agents' });
  await table.getByRole('button', { name: 'Suspendre GN-7001' }).click();
  await table.getByRole('button', { name: 'Rétablir GN-7001' }).waitFor();
  assert.equal(JSON.parse(portal.installation.vigie('agent', 'show', 'GN-7001', '--json')).status, 'suspended');
  await table.getByRole('button', { name: 'Rétablir GN-7001' }).click();
  await table.getByRole('button', { name: 'Suspendre GN-7001' }).waitFor();
  assert.deepEqual(page.problems.csp, []);
  assert.deepEqual(page.problems.pageErrors, []);
});
