// Browser-test support: a throw-away installation served by the real
// `vigie serve` (plain HTTP on loopback, the built portal from web/dist),
// Debian's Chromium driven by playwright-core, TOTP codes from oathtool, and
// watchers for CSP violations and console errors.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import {
  createInstallation, startServer, request, activeClient, Client, PASSWORD, totp, wantedToday,
} from '../integration/api/harness.mjs';

export { request, activeClient, Client, PASSWORD, totp };

export const WEB_DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Fails with a clear message when the portal has not been built. */
export function requireWebBuild() {
  if (!existsSync(join(WEB_DIST, 'index.html'))) {
    throw new Error(`the web portal is not built (${WEB_DIST}index.html is missing): ` +
                    'run `npm ci && npm run build` in web/ first');
  }
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (apt-get install chromium)`);
}

/**
 * An installation with `agents` (activation codes in installation.codes) and
 * `plant` canary persons,
 * served over plain HTTP on loopback. The page is browsed at
 * http://localhost:<port>: WebAuthn's RP id and the DPoP htu are "localhost".
 */
export async function startPortal({ persons = 400, agents = [], config = {}, plant = 0 } = {}) {
  requireWebBuild();
  const installation = createInstallation({
    persons, agents, config: { ...config, server: { tls_certificate: '', tls_key: '', ...(config.server ?? {}) } } });
  let server;
  try {
    if (plant) installation.vigie('canary', 'plant', '--count', String(plant));
    server = await startServer(installation);
  } catch (error) {
    installation.remove();
    throw error;
  }
  const origin = new URL(server.url).origin.replace('127.0.0.1', 'localhost');
  const index = await request(server, 'GET', '/');
  if (index.status !== 200 || !/<script type="module" src="\/assets\//.test(index.body)) {
    await server.stop();
    installation.remove();
    throw new Error(`vigie serve does not serve the portal at / (status ${index.status}); ` +
                    'a binary built with the web portal (src/web) is needed');
  }
  // The persons an agent's search can find: those wanted today.
  const population = wantedToday(readFileSync(join(installation.dir, 'p.jsonl'), 'utf8').split('\n')
    .filter(Boolean).map((line) => JSON.parse(line)));
  return {
    installation, server, origin, population,
    async stop() { await server.stop(); installation.remove(); },
  };
}

export function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true,
                           args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

/**
 * A new page that records CSP violations (securitypolicyviolation events and
 * console "Refused to ..." errors) and console errors in `page.problems`.
 */
export async function openPage(browser, portal, { contextOptions = {} } = {}) {
  const context = await browser.newContext({ locale: 'fr-FR', acceptDownloads: true, ...contextOptions });
  const page = await context.newPage();
  page.problems = { csp: [], console: [], pageErrors: [] };
  await page.exposeBinding('__vigieCspViolation', (_source, v) => page.problems.csp.push(v));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__vigieCspViolation({ directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample });
    });
  });
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const text = m.text();
    if (/Refused to|Content Security Policy|Trusted Type/i.test(text)) page.problems.csp.push({ console: text });
    page.problems.console.push(text);
  });
  page.on('pageerror', (e) => page.problems.pageErrors.push(String(e)));
  page.portal = portal;
  return page;
}

/** TOTP codes that the server takes: each later than the last one accepted for that secret. */
const lastStep = new Map();
export async function freshCode(secret) {
  for (;;) {
    const step = Math.floor(Date.now() / 30000);
    const last = lastStep.get(secret) ?? -1;
    if (last < step) { lastStep.set(secret, step); return totp(secret, 0); }
    if (last === step) { lastStep.set(secret, step + 1); return totp(secret, 1); }
    await new Promise((r) => setTimeout(r, (step + 1) * 30000 - Date.now() + 200));
  }
}
/** Tells freshCode that a code for `secret` was used elsewhere (the harness's clients). */
export function usedCode(secret) {
  lastStep.set(secret, Math.max(lastStep.get(secret) ?? -1, Math.floor(Date.now() / 30000)));
}

// --- What a person does on the page (French labels, the default) ---

export async function acceptNotice(page) {
  await page.goto(page.portal.origin + '/');
  await page.getByRole('button', { name: /J’ai lu et j’accepte/ }).click();
  await page.getByRole('heading', { level: 1, name: 'Connexion' }).waitFor();
}

/** After a session ends, the next person at the screen reads the use notice again. */
export async function acceptNoticeAgain(page) {
  await page.getByRole('heading', { level: 1, name: 'Conditions d’utilisation' }).waitFor();
  await page.getByRole('button', { name: /J’ai lu et j’accepte/ }).click();
  await page.getByRole('heading', { level: 1, name: 'Connexion' }).waitFor();
}

export async function passwordStep(page, serviceNumber, password = PASSWORD) {
  await page.getByLabel('Matricule').fill(serviceNumber);
  await page.getByLabel('Mot de passe').fill(password);
  await page.getByRole('button', { name: 'Continuer' }).click();
  await page.getByRole('heading', { level: 1, name: 'Second facteur' }).waitFor();
}

/** Signs in with password and TOTP from the login page; waits for the landing page. */
export async function signIn(page, serviceNumber, secret, { landing = /Rechercher une personne|Alertes|Agents/ } = {}) {
  await passwordStep(page, serviceNumber);
  await page.getByLabel('Code à 6 chiffres').fill(await freshCode(secret));
  await page.getByRole('button', { name: 'Se connecter', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: landing }).waitFor();
}

/**
 * Answers the page's confirmation dialog (its own, not the browser's: that
 * one would stop the page's timers); returns the question it asked.
 */
export async function answerConfirmation(page, { accept }) {
  const dialog = page.getByRole('alertdialog').filter({ has: page.getByRole('button', { name: 'Annuler' }) });
  await dialog.waitFor();
  const question = await dialog.locator('p').textContent();
  if (accept) await dialog.locator('button.primary').click();
  else await dialog.getByRole('button', { name: 'Annuler' }).click();
  await dialog.waitFor({ state: 'detached' });
  return question;
}

/** Activates `serviceNumber` through the page; returns the TOTP secret shown. */
export async function activate(page, code, { password = PASSWORD } = {}) {
  await page.getByRole('link', { name: /Activer mon compte/ }).click();
  await page.getByLabel('Code d’activation').fill(code);
  await page.getByLabel('Nouveau mot de passe').fill(password);
  await page.getByLabel('Confirmer le mot de passe').fill(password);
  await page.getByRole('button', { name: 'Activer', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: /Enrôler/ }).waitFor();
  const secret = (await page.getByTestId('totp-secret').textContent()).replace(/\s+/g, '');
  return secret;
}

/** Every string the page keeps in storage or cookies, to look for tokens in. */
export function storageDump(page) {
  return page.evaluate(() => {
    const dump = (s) => Object.fromEntries(Array.from({ length: s.length }, (_, i) => s.key(i)).map((k) => [k, s.getItem(k)]));
    return { local: dump(localStorage), session: dump(sessionStorage), cookie: document.cookie };
  });
}

/** The axe-core source, injected into pages for accessibility checks. */
export const AXE_SOURCE = readFileSync(fileURLToPath(new URL('../node_modules/axe-core/axe.min.js', import.meta.url)), 'utf8');

/** Runs axe on the page; returns the serious and critical violations. */
export async function seriousViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
}
