// Passkeys with Chromium's virtual authenticator (CDP WebAuthn domain):
// register one from "My passkeys" (with the step-up the server may demand),
// then sign in with it instead of the TOTP code, then remove it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startPortal, launchBrowser, openPage, acceptNotice, acceptNoticeAgain, signIn, passwordStep, activeClient, usedCode, freshCode,
} from './portal.mjs';

const AGENT = 'PN-4001';
let portal;
let browser;
let page;
let agent;
let cdp;
let authenticatorId;

before(async () => {
  portal = await startPortal({ agents: [{ service_number: AGENT, name: 'Agent Petit', roles: ['agent'] }] });
  agent = await activeClient(portal.server, portal.installation, AGENT);
  usedCode(agent.secret);
  browser = await launchBrowser();
  page = await openPage(browser, portal);
  cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  ({ authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', { options: {
    protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true,
    isUserVerified: true, automaticPresenceSimulation: true } }));
});

after(async () => {
  await browser?.close();
  await portal?.stop();
});

// The server may ask for a fresh TOTP before registering (last factor older than 10 min).
async function answerStepUpIfAsked() {
  const dialog = page.getByRole('dialog', { name: 'Confirmez votre identité' });
  if (await dialog.isVisible()) {
    await dialog.getByLabel('Code à 6 chiffres').fill(await freshCode(agent.secret));
    await dialog.getByRole('button', { name: 'Confirmer' }).click();
  }
}

test('register a passkey from "My passkeys"', async () => {
  await acceptNotice(page);
  await signIn(page, AGENT, agent.secret);
  await page.getByRole('link', { name: 'Mes clés d’accès' }).click();
  await page.getByRole('heading', { level: 1, name: 'Mes clés d’accès' }).waitFor();
  await page.getByText('Aucune clé d’accès enregistrée.').waitFor();
  await page.getByLabel('Nom de la clé').fill('Poste du commissariat');
  await page.getByRole('button', { name: 'Enregistrer une nouvelle clé d’accès' }).click();
  await Promise.race([
    page.getByText('Clé d’accès « Poste du commissariat » enregistrée.').waitFor(),
    page.getByRole('dialog', { name: 'Confirmez votre identité' }).waitFor(),
  ]);
  await answerStepUpIfAsked();
  await page.getByText('Clé d’accès « Poste du commissariat » enregistrée.').waitFor();
  const table = page.getByRole('table', { name: 'Mes clés d’accès' });
  await table.waitFor();
  assert.match(await table.textContent(), /Poste du commissariat/);
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  assert.equal(credentials.length, 1);
  assert.equal(credentials[0].rpId, 'localhost');
});

test('sign in with the passkey instead of the code', async () => {
  await page.getByRole('button', { name: 'Se déconnecter' }).click();
  await acceptNoticeAgain(page);
  await passwordStep(page, AGENT);
  // Three wrong codes spend the sign-in step: the passkey is not blamed for
  // it, nor asked (its sign count stays), and the agent is told to start again.
  for (let i = 0; i < 3; i += 1) {
    await page.getByLabel('Code à 6 chiffres').fill('000000');
    await page.getByRole('button', { name: 'Se connecter', exact: true }).click();
    await page.getByText('Code refusé ou expiré').waitFor();
  }
  const signCount = async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials[0].signCount;
  const before = await signCount();
  await page.getByRole('button', { name: 'Se connecter avec une clé d’accès' }).click();
  await page.getByText('Cette étape de connexion n’est plus valable').waitFor();
  assert.equal(await signCount(), before);
  await page.getByRole('button', { name: 'Recommencer' }).click();
  await passwordStep(page, AGENT);
  await page.getByRole('button', { name: 'Se connecter avec une clé d’accès' }).click();
  await page.getByRole('heading', { level: 1, name: 'Rechercher une personne' }).waitFor();
  // The passkey now shows a last use.
  await page.getByRole('link', { name: 'Mes clés d’accès' }).click();
  const table = page.getByRole('table', { name: 'Mes clés d’accès' });
  await table.waitFor();
  assert.doesNotMatch(await table.getByRole('row').nth(1).textContent(), /jamais/);
});

test('remove the passkey', async () => {
  await page.getByRole('button', { name: 'Supprimer la clé Poste du commissariat' }).click();
  await Promise.race([
    page.getByText('Clé d’accès supprimée.').waitFor(),
    page.getByRole('dialog', { name: 'Confirmez votre identité' }).waitFor(),
  ]);
  await answerStepUpIfAsked();
  await page.getByText('Aucune clé d’accès enregistrée.').waitFor();
  // The button pressed is gone: the focus is on the page's heading, not lost.
  await page.waitForFunction(() => document.activeElement?.tagName === 'H1');
  assert.deepEqual(page.problems.csp, []);
  assert.deepEqual(page.problems.pageErrors, []);
});
