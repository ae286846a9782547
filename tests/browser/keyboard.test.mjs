// The portal with the keyboard alone: an agent accepts the notice, signs in,
// searches and opens a file without a pointer, and the focus is always
// somewhere visible and sensible (on the new page's heading after a change).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPortal, launchBrowser, openPage, activeClient, usedCode, freshCode, PASSWORD } from './portal.mjs';

const AGENT = 'PN-8001';
let portal;
let browser;
let page;
let secret;

before(async () => {
  portal = await startPortal({ agents: [{ service_number: AGENT, name: 'Agent Clavier', roles: ['agent'] }] });
  const client = await activeClient(portal.server, portal.installation, AGENT);
  secret = client.secret;
  usedCode(secret);
  browser = await launchBrowser();
  page = await openPage(browser, portal);
});

after(async () => {
  await browser?.close();
  await portal?.stop();
});

// What has the focus: its tag, accessible label and whether it shows an outline.
function focused() {
  return page.evaluate(() => {
    const el = document.activeElement;
    const label = el?.labels?.[0]?.textContent ?? el?.getAttribute?.('aria-label') ?? el?.textContent ?? '';
    return { tag: el?.tagName ?? '', label: label.trim().replace(/\s+/g, ' '),
             outline: el ? getComputedStyle(el).outlineStyle : 'none' };
  });
}

// Presses Tab until the focused element's label matches `pattern` (or fails).
async function tabTo(pattern, { max = 40 } = {}) {
  for (let i = 0; i < max; i += 1) {
    await page.keyboard.press('Tab');
    const now = await focused();
    if (pattern.test(now.label)) return now;
  }
  assert.fail(`Tab never reached ${pattern}`);
}

test('a notice that failed to load is retried from the keyboard, which lands on Accept', async () => {
  const failing = (route) => route.fulfill({ status: 503, contentType: 'application/problem+json',
                                             body: JSON.stringify({ title: 'Service Unavailable', status: 503 }) });
  await page.route('**/api/v1/use-notice', failing);
  try {
    await page.goto(`${portal.origin}/`);
    await page.getByText('Les conditions d’utilisation ne peuvent pas être chargées.').waitFor();
    await tabTo(/^Réessayer$/);
    // Failing again: the focus is on the new Retry, not lost to the page.
    await page.evaluate(() => { window.firstRetry = document.activeElement; });
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement !== window.firstRetry &&
                                     document.activeElement?.textContent === 'Réessayer');
  } finally {
    await page.unroute('**/api/v1/use-notice', failing);
  }
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => /J’ai lu et j’accepte/.test(document.activeElement?.textContent ?? ''));
  assert.equal((await focused()).tag, 'BUTTON');
});

test('notice, sign-in and second factor with the keyboard alone', async () => {
  await page.goto(`${portal.origin}/`);
  await page.getByRole('heading', { level: 1 }).first().waitFor();
  const accept = await tabTo(/J’ai lu et j’accepte/);
  assert.equal(accept.tag, 'BUTTON');
  assert.notEqual(accept.outline, 'none', 'the focused button shows where the keyboard is');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: 'Connexion' }).waitFor();
  assert.equal((await focused()).tag, 'H1', 'a new page puts the focus on its heading');

  await tabTo(/^Matricule/);
  await page.keyboard.type(AGENT);
  await tabTo(/^Mot de passe/);
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');  // submits the form
  await page.getByRole('heading', { level: 1, name: 'Second facteur' }).waitFor();
  await tabTo(/Code à 6 chiffres/);
  await page.keyboard.type(await freshCode(secret));
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: /Rechercher une personne/ }).waitFor();
});

test('search and open a file with the keyboard alone', async () => {
  const person = portal.population[0];
  const purpose = await tabTo(/^Motif/);
  assert.equal(purpose.tag, 'SELECT');
  // Chromium moves a closed select's choice with the arrow keys.
  const options = await page.getByLabel('Motif').evaluate((s) => Array.from(s.options).map((o) => o.value));
  const target = options.indexOf('identity_check');
  const current = options.indexOf(await page.getByLabel('Motif').inputValue());
  for (let i = current; i < target; i += 1) await page.keyboard.press('ArrowDown');
  assert.equal(await page.getByLabel('Motif').inputValue(), 'identity_check');
  await tabTo(/^Nom$/);
  await page.keyboard.type(person.surname);
  await tabTo(/^Prénom$/);
  await page.keyboard.type(person.given_names[0]);
  await page.keyboard.press('Enter');
  await page.getByRole('table', { name: 'Résultats' }).waitFor();

  const open = await tabTo(new RegExp(`Ouvrir la fiche`));
  assert.equal(open.tag, 'BUTTON');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: new RegExp(`Fiche de ${person.surname}`) }).waitFor();
  assert.equal((await focused()).tag, 'H1');
});
