// The idle timeout, with the page's clock driven by Playwright (no waiting):
// the warning shows 60 s before expiry, "stay signed in" makes a call that
// keeps the session, and without activity the page drops its tokens and
// returns to the sign-in form with a message.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPortal, launchBrowser, openPage, acceptNotice, acceptNoticeAgain, signIn, activate, activeClient, usedCode } from './portal.mjs';

const AGENT = 'PN-3001';
const NEWCOMER = 'PN-3002';  // activated in the page, then walked away from
const ADMIN = 'PN-3003';
let portal;
let browser;
let page;
let agent;
let admin;

before(async () => {
  portal = await startPortal({
    agents: [{ service_number: AGENT, name: 'Agent Martin', roles: ['agent'] },
             { service_number: NEWCOMER, name: 'Agent Durand', roles: ['agent'] },
             { service_number: ADMIN, name: 'Admin Girard', roles: ['administrator'] }],
    config: { session: { idle_timeout_minutes: 2 } },
  });
  agent = await activeClient(portal.server, portal.installation, AGENT);
  usedCode(agent.secret);
  admin = await activeClient(portal.server, portal.installation, ADMIN);
  usedCode(admin.secret);
  browser = await launchBrowser();
  page = await openPage(browser, portal);
  await page.clock.install();
});

after(async () => {
  await browser?.close();
  await portal?.stop();
});

// Moves the page's timers and wall clock forward by `ms`.
async function advance(ms) {
  await page.clock.fastForward(ms);
}

// Puts the page's wall clock back on the real time before it calls the
// server, so that its DPoP proofs (iat) are acceptable.
async function realTime() {
  await page.clock.setSystemTime(Date.now());
}

test('the warning appears 60 s before the idle timeout and "stay signed in" keeps the session', async () => {
  await acceptNotice(page);
  await signIn(page, AGENT, agent.secret);
  const warning = page.getByRole('alertdialog', { name: 'Session bientôt fermée' });
  assert.equal(await warning.isVisible(), false);
  const surname = page.getByLabel('Nom', { exact: true });
  await surname.fill('DUP');  // typing is no activity: the warning comes mid-word
  await advance(50_000);
  assert.equal(await warning.isVisible(), false);
  await advance(11_000);  // 61 s without activity: 59 s left
  await warning.waitFor();
  assert.match(await warning.textContent(), /secondes/);
  const stay = warning.getByRole('button', { name: 'Rester connecté' });
  assert.ok(await stay.evaluate((b) => b === document.activeElement), 'focus moves to the button');
  await realTime();
  const self = page.waitForResponse((r) => r.url().endsWith('/api/v1/self'));
  await stay.click();
  assert.equal((await self).status(), 200);
  await warning.waitFor({ state: 'hidden' });
  await page.getByRole('heading', { level: 1, name: 'Rechercher une personne' }).waitFor();
  // The focus goes back where the person was typing, the word kept.
  assert.ok(await surname.evaluate((input) => input === document.activeElement), 'focus back in the field');
  assert.equal(await surname.inputValue(), 'DUP');

  // With a modal dialog open (as a step-up's), the rest of the page is
  // inert: the warning shows inside the dialog, where it can be answered,
  // and the focus goes back into the dialog after.
  await page.evaluate(() => {
    const dialog = document.createElement('dialog');
    dialog.id = 'modal-under-test';
    dialog.append(Object.assign(document.createElement('input'), { id: 'modal-input' }));
    document.body.append(dialog);
    dialog.showModal();
  });
  await advance(61_000);
  await warning.waitFor();
  assert.ok(await stay.evaluate((b) => b === document.activeElement), 'focus moves to the button');
  await realTime();
  await stay.click({ timeout: 5000 });
  await warning.waitFor({ state: 'hidden' });
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'modal-input');
  await page.evaluate(() => document.getElementById('modal-under-test').remove());

  // The dialog closed while the warning is in it (a step-up cancelled): the
  // warning stays on the page, its button focused.
  await page.evaluate(() => {
    const dialog = document.createElement('dialog');
    dialog.id = 'modal-cancelled';
    dialog.append(Object.assign(document.createElement('input'), { id: 'cancelled-input' }));
    document.body.append(dialog);
    dialog.showModal();
  });
  await advance(61_000);
  await warning.waitFor();
  await page.evaluate(() => { const d = document.getElementById('modal-cancelled'); d.close(); d.remove(); });
  await realTime();
  await page.waitForFunction(() => document.activeElement?.textContent === 'Rester connecté');
  assert.ok(await warning.isVisible(), 'the warning outlives the dialog');
  await stay.click({ timeout: 5000 });
  await warning.waitFor({ state: 'hidden' });
});

test('without activity the page drops the session and says why', async () => {
  await advance(61_000);
  const warning = page.getByRole('alertdialog', { name: 'Session bientôt fermée' });
  await warning.waitFor();
  // Forty seconds asleep (or in a background tab): the time left shown is
  // the time left, not what the paused ticks counted.
  await page.clock.setSystemTime(await page.evaluate(() => Date.now()) + 40_000);
  await advance(1_000);
  const shown = Number((await page.locator('#idle-text').textContent()).match(/\d+/)[0]);
  assert.ok(shown >= 15 && shown <= 20, `${shown} seconds shown`);
  await advance(60_000);
  await acceptNoticeAgain(page);
  await page.getByText('Vous avez été déconnecté après une période d’inactivité.').waitFor();
  assert.equal(await page.getByRole('navigation').count(), 0);
  assert.deepEqual(page.problems.csp, []);
  assert.deepEqual(page.problems.pageErrors, []);
});

// A computer's sleep pauses the page's timers but not the wall clock: on
// waking, the file last shown must not stay on screen for the rest of the
// idle period while the server has already closed the session.
test('after a sleep longer than the idle timeout, waking shows the sign-in form at once', async () => {
  await realTime();
  await signIn(page, AGENT, agent.secret);
  await page.clock.setSystemTime(Date.now() + 10 * 60_000);  // ten minutes asleep: no timer fires
  assert.equal(await page.getByRole('navigation').count(), 1, 'no timer has run yet');
  await page.evaluate(() => window.dispatchEvent(new Event('focus')));
  await acceptNoticeAgain(page);
  await page.getByText('Vous avez été déconnecté après une période d’inactivité.').waitFor();
  assert.deepEqual(page.problems.pageErrors, []);
});

// A signed-in page the browser brings back from its back/forward cache (the
// agent had left for another site) signs out: the server is told, and the
// screen shows the sign-in path rather than the last file.
test('a page restored from the back/forward cache signs out', async () => {
  await realTime();
  await signIn(page, AGENT, agent.secret);
  // An ordinary page show (a tab shown again) changes nothing.
  await page.evaluate(() => window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: false })));
  assert.equal(await page.getByRole('navigation').count(), 1, 'still signed in');
  // Leaving for the cache empties the page first: the frozen copy holds no
  // file, nor the name of who was signed in, nor the menu.
  assert.equal(await page.locator('.who').count(), 1);
  assert.deepEqual(await page.evaluate(() => {
    window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: true }));
    return [document.getElementById('main').childElementCount,
            document.querySelector('header.banner').childElementCount,
            document.querySelector('nav').hidden];
  }), [0, 0, true]);
  const logout = page.waitForRequest((r) => r.url().endsWith('/api/v1/auth/logout'));
  await page.evaluate(() => window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true })));
  await logout;
  await acceptNoticeAgain(page);
  await page.getByText('Vous êtes déconnecté.').waitFor();
  assert.deepEqual(page.problems.pageErrors, []);
});

// Whoever accepted the use notice may have left the workstation: ten
// minutes on, the next person reads it again before a sign-in (nothing is
// sent meanwhile), and the sign-in acknowledges it in their name only then.
test('an acceptance of the use notice left unused for 10 minutes is asked for again', async () => {
  await page.getByRole('heading', { level: 1, name: 'Connexion' }).waitFor();
  await advance(10 * 60_000 + 1_000);
  const logins = [];
  const seeLogin = (r) => { if (r.url().endsWith('/api/v1/auth/login')) logins.push(r.url()); };
  page.on('request', seeLogin);
  await page.getByLabel('Matricule').fill(AGENT);
  await page.getByLabel('Mot de passe').fill('not sent at all');
  await page.getByRole('button', { name: 'Continuer' }).click();
  await acceptNoticeAgain(page);
  page.off('request', seeLogin);
  assert.deepEqual(logins, [], 'the password step waited for the notice');
  assert.deepEqual(page.problems.pageErrors, []);
});

// An enrolment step left open shows the TOTP secret and holds the new
// password: after 10 minutes both are dropped and the page says why (after
// the use notice, read again by whoever is at the screen now).
test('an abandoned enrolment screen forgets the password and the secret after 10 minutes', async () => {
  await page.getByRole('heading', { level: 1, name: 'Connexion' }).waitFor();
  await realTime();
  await activate(page, portal.installation.codes[NEWCOMER]);
  assert.equal(await page.getByTestId('totp-secret').count(), 1);
  await advance(9 * 60_000);
  assert.equal(await page.getByTestId('totp-secret').count(), 1, 'still there after 9 minutes');
  await advance(61_000);
  await acceptNoticeAgain(page);
  await page.getByText('L’enrôlement a été abandonné après 10 minutes', { exact: false }).waitFor();
  assert.equal(await page.getByTestId('totp-secret').count(), 0);
  assert.deepEqual(page.problems.pageErrors, []);
});

// A question left unanswered (suspend this agent?) does not hold the page
// up: the browser's own confirm() stopped every timer of the page while it
// was open, the idle sign-out among them.
test('a confirmation left unanswered does not keep the page past the idle timeout', async () => {
  await page.getByRole('heading', { level: 1, name: 'Connexion' }).waitFor();
  await realTime();
  await signIn(page, ADMIN, admin.secret, { landing: 'Agents' });
  const table = page.getByRole('table', { name: 'Agents' });
  await table.getByRole('button', { name: `Suspendre ${AGENT}` }).click();
  const question = page.getByRole('alertdialog', { name: `Suspendre ${AGENT} et fermer toutes ses sessions ?` });
  await question.waitFor();
  await advance(61_000);
  await page.getByRole('alertdialog', { name: 'Session bientôt fermée' }).waitFor();
  await advance(60_000);
  await acceptNoticeAgain(page);
  await page.getByText('Vous avez été déconnecté après une période d’inactivité.').waitFor();
  assert.equal(await question.count(), 0, 'the question went with the session');
  assert.equal(JSON.parse(portal.installation.vigie('agent', 'show', AGENT, '--json')).status, 'active');
  assert.deepEqual(page.problems.pageErrors, []);
});
