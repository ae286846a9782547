// The administrator's pages: create a unit, create an agent (the activation
// code is shown once and works), suspend and reinstate, the list by pages
// and by unit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPortal, launchBrowser, openPage, acceptNotice, signIn, activeClient, usedCode, Client, PASSWORD, answerConfirmation } from './portal.mjs';

const ADMIN = 'AD-6001';
const SEEDER = 'AD-6002';  // adds agents through the API beside the page (one session per agent)
let portal;
let browser;
let page;
let admin;
let code;

before(async () => {
  portal = await startPortal({ agents: [{ service_number: ADMIN, name: 'Admin Girard', roles: ['administrator'] },
                                        { service_number: SEEDER, name: 'Admin Roux', roles: ['administrator'] }] });
  admin = await activeClient(portal.server, portal.installation, ADMIN);
  usedCode(admin.secret);
  browser = await launchBrowser();
  page = await openPage(browser, portal);
  // Only the page's own confirmations are answered (answerConfirmation):
  // a browser dialog, dismissed, would fail the test.
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
  await page.getByLabel('Afficher l’unité').selectOption('GN-13');
  // Shown once: the page drawn again in the other language still shows it.
  await page.getByRole('button', { name: 'Switch to English' }).click();
  await page.getByRole('heading', { level: 1, name: 'Agents' }).waitFor();
  assert.equal((await box.locator('code').textContent()).trim(), code);
  // The unit shown is still the one chosen, once the units have arrived
  // again, even after a second switch made before they did.
  await page.route('**/api/v1/units', async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 300));
    await route.continue();
  });
  await page.getByRole('button', { name: 'Passer en français' }).click();
  await page.getByRole('button', { name: 'Switch to English' }).click();
  await page.waitForFunction(() => document.querySelector('select[name="unit_filter"]')?.value === 'GN-13');
  await page.unroute('**/api/v1/units');
  await page.getByRole('button', { name: 'Passer en français' }).click();
  assert.equal((await box.locator('code').textContent()).trim(), code);
  const table = page.getByRole('table', { name: 'Agents' });
  await table.getByText('GN-7001').waitFor();
  const client = await Client.create(portal.server);
  const activated = await client.activate(code, PASSWORD);
  assert.equal(activated.status, 200, activated.body);
});

test('units that cannot be read are said, and no agent is sent without one', async () => {
  const failing = (route) => route.fulfill({ status: 503, contentType: 'application/problem+json',
    body: JSON.stringify({ title: 'Service Unavailable', status: 503, detail: 'database busy' }) });
  await page.getByRole('link', { name: 'Unités' }).click();
  await page.route('**/api/v1/units', failing);
  const sent = [];
  const seeAdd = (request) => { if (request.method() === 'POST' && request.url().endsWith('/api/v1/agents')) sent.push(request); };
  page.on('request', seeAdd);
  try {
    await page.getByRole('link', { name: 'Agents' }).click();
    await page.getByRole('alert').filter({ hasText: 'Liste des unités indisponible' }).waitFor();
    await page.getByLabel('Matricule').fill('GN-7999');
    await page.getByLabel('Nom affiché').fill('Sans unité');
    await page.getByRole('button', { name: 'Créer l’agent' }).click();
    await page.getByRole('alert').filter({ hasText: 'Choisissez une unité.' }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.name), 'unit');
    assert.deepEqual(sent, []);
  } finally {
    page.off('request', seeAdd);
    await page.unroute('**/api/v1/units', failing);
  }
});

test('suspend, then reinstate the agent', async () => {
  await page.getByRole('link', { name: 'Unités' }).click();
  await page.getByRole('link', { name: 'Agents' }).click();  // the list again, after the activation
  const table = page.getByRole('table', { name: 'Agents' });
  const status = () => JSON.parse(portal.installation.vigie('agent', 'show', 'GN-7001', '--json')).status;
  // Asked first; declined, nothing is done and the focus is back on the button.
  const suspend = table.getByRole('button', { name: 'Suspendre GN-7001' });
  await suspend.click();
  assert.equal(await answerConfirmation(page, { accept: false }), 'Suspendre GN-7001 et fermer toutes ses sessions ?');
  assert.ok(await suspend.evaluate((b) => b === document.activeElement), 'the focus is back on the button');
  assert.equal(status(), 'active');
  await table.getByRole('button', { name: 'Suspendre GN-7001' }).click();
  await answerConfirmation(page, { accept: true });
  await table.getByRole('button', { name: 'Rétablir GN-7001' }).waitFor();
  assert.ok(await table.getByRole('button', { name: 'Rétablir GN-7001' }).evaluate((b) => b === document.activeElement),
            'the focus is back on the agent\'s row');
  assert.equal(status(), 'suspended');
  await table.getByRole('button', { name: 'Rétablir GN-7001' }).click();
  await table.getByRole('button', { name: 'Suspendre GN-7001' }).waitFor();
  // A code is shown once: another action does not wipe it before it is handed over.
  await table.getByRole('button', { name: 'Réinitialiser GN-7001' }).click();
  await answerConfirmation(page, { accept: true });
  const box = page.getByTestId('activation-code');
  await box.waitFor();
  const reset = await box.locator('code').textContent();
  await table.getByRole('button', { name: 'Suspendre GN-7001' }).click();
  await answerConfirmation(page, { accept: true });
  await table.getByRole('button', { name: 'Rétablir GN-7001' }).waitFor();
  assert.equal(await box.locator('code').textContent(), reset);
  await table.getByRole('button', { name: 'Rétablir GN-7001' }).click();
  await table.getByRole('button', { name: 'Suspendre GN-7001' }).waitFor();
  assert.deepEqual(page.problems.csp, []);
  assert.deepEqual(page.problems.pageErrors, []);
});

test('the agents list goes by pages of 100 and shows one unit on demand', async () => {
  const seeder = await activeClient(portal.server, portal.installation, SEEDER);
  for (let i = 0; i < 100; i++) {
    const r = await seeder.call('POST', '/api/v1/agents', { service_number: `PG-${String(i).padStart(3, '0')}`,
                                                           display_name: `Agent ${i}`, unit: 'PN-75', roles: ['agent'] });
    assert.equal(r.status, 201, r.body);
  }
  await page.getByRole('link', { name: 'Unités' }).click();
  await page.getByRole('link', { name: 'Agents' }).click();
  const table = page.getByRole('table', { name: 'Agents' });
  await page.getByText('Agents 1 à 100').waitFor();
  assert.equal(await table.getByRole('row').count(), 101, 'a header and 100 agents');
  assert.equal(await table.getByText('PG-099').count(), 0, 'the last one is on the next page');
  await page.getByRole('button', { name: 'Page suivante' }).click();
  await table.getByText('PG-099').waitFor();
  assert.match(await page.getByText(/^Agents 101 à/).textContent(), /Agents 101 à 10[2-9]/);
  assert.ok(await page.getByRole('button', { name: 'Page suivante' }).isDisabled());
  // An action reloads the page it was taken on.
  await table.getByRole('button', { name: 'Suspendre PG-099' }).click();
  await answerConfirmation(page, { accept: true });
  await table.getByRole('button', { name: 'Rétablir PG-099' }).waitFor();
  await page.getByRole('button', { name: 'Page précédente' }).click();
  await page.getByText('Agents 1 à 100').waitFor();
  assert.ok(await page.getByRole('button', { name: 'Page précédente' }).isDisabled());
  await page.getByLabel('Afficher l’unité').selectOption('GN-13');
  await page.getByText('Agents 1 à 1', { exact: true }).waitFor();
  assert.match(await table.textContent(), /GN-7001/);
  assert.equal(await table.getByText('PG-000').count(), 0);
  assert.deepEqual(page.problems.csp, []);
  assert.deepEqual(page.problems.pageErrors, []);
});
