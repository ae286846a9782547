#!/usr/bin/env node
// First load of the agent page, as a person on a fresh browser meets it: the
// use notice, accepted, then the sign-in form. Served by a fresh installation
// (`vigie serve`, plain HTTP on loopback), loaded by headless Chromium with an
// empty cache each run.
//
// Transferred bytes: the sum of encodedDataLength over the DevTools
// Network.loadingFinished events (compressed bodies plus headers), for the
// notice page and the login form after it. Time to interactive: navigation
// start to performance.mark('vigie-ready'), which the app sets once its first
// form (the notice's accept button) can be used.
//
// Usage: VIGIE_BINARY=build/release/src/cli/vigie node bench/web-first-load.mjs [RUNS]
// (needs `npm ci` in tests/ and `npm ci && npm run build` in web/)
import { startPortal, launchBrowser } from '../tests/browser/portal.mjs';

const RUNS = Number(process.argv[2] ?? 7);
const TARGET_BYTES = 150 * 1024;

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

const portal = await startPortal({ persons: 100 });
const browser = await launchBrowser();
const runs = [];
try {
  for (let i = 0; i < RUNS; i += 1) {
    const context = await browser.newContext();  // a fresh profile: empty cache, empty IndexedDB
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    let bytes = 0;
    let requests = 0;
    cdp.on('Network.loadingFinished', (e) => { bytes += e.encodedDataLength; requests += 1; });
    await page.goto(`${portal.origin}/`);
    await page.waitForFunction(() => performance.getEntriesByName('vigie-ready').length > 0);
    const tti = await page.evaluate(() => performance.getEntriesByName('vigie-ready')[0].startTime);
    await page.getByRole('button', { name: /J’ai lu/ }).click();
    await page.getByLabel('Matricule').waitFor();
    await page.waitForLoadState('networkidle');
    runs.push({ bytes, requests, tti });
    await context.close();
  }
} finally {
  await browser.close();
  await portal.stop();
}

const bytes = median(runs.map((r) => r.bytes));
const tti = median(runs.map((r) => r.tti));
console.log(`web first load (notice -> login form), ${RUNS} runs, empty cache, loopback`);
console.log(`  requests:            ${median(runs.map((r) => r.requests))}`);
console.log(`  transferred bytes:   ${bytes} B (median; min ${Math.min(...runs.map((r) => r.bytes))}, max ${Math.max(...runs.map((r) => r.bytes))})`);
console.log(`  time to interactive: ${tti.toFixed(1)} ms (median; navigation start -> 'vigie-ready')`);
console.log(`  ratio to the 150 KB target: ${(bytes / TARGET_BYTES).toFixed(3)} (lower is better; must stay < 1)`);
if (bytes >= TARGET_BYTES) process.exitCode = 1;
