// Drives the chain explorer in Debian's headless Chromium, as a person would: enter the token, search the README
// tour's token, see the chain drawn with its revocation state, open an edge's evidence, revoke in dry-run, enforce;
// then, with an analyst-only token, no revoke button.
//   node explorer.test.mjs <base url> <api token> <screenshot dir> [analyst-only token]
// Exit 0 when every step passed; 1 otherwise (a screenshot of the failure is kept). Run by ExplorerBrowserIT.
import { chromium } from 'playwright-core';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [url, token, shots, analystToken] = process.argv.slice(2);
if (!url || !token || !shots) {
  console.error('usage: node explorer.test.mjs <base url> <api token> <screenshot dir> [analyst-only token]');
  process.exit(2);
}
const RUN = 'ci:github:Codertocat/Hello-World/runs/2202229078';
const USER = 'k8s:prod:user/github:repo:Codertocat/Hello-World:ref:refs/heads/main';
const TOKEN = 'k8s:prod:token/7f4c6a8e-2f1b-4d5e-9c3a-0b8d6e1f2a34';
const SA = 'k8s:prod:sa/deploy/deployer';
const TIMEOUT = 30_000;

mkdirSync(shots, { recursive: true });
const profile = mkdtempSync(join(tmpdir(), 'killswitch-chromium-'));
// A fresh profile every run: Playwright passes it to Chromium as --user-data-dir.
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.KILLSWITCH_CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: { width: 1500, height: 900 },
});
const page = browser.pages()[0] || await browser.newPage();
const problems = [];
page.on('console', (m) => { if (m.type() === 'error') problems.push('console: ' + m.text()); });
page.on('pageerror', (e) => problems.push('page error: ' + e.message));

const step = (text) => console.log('step: ' + text);
const node = (ref) => page.locator(`#graph g.node[data-ref="${ref}"]`);
const check = (cond, message) => { if (!cond) throw new Error(message); };

try {
  step('the page and its assets load without a token');
  const response = await page.goto(url + '/', { waitUntil: 'domcontentloaded' });
  check(response.status() === 200, `GET / answered ${response.status()}`);
  check((response.headers()['content-security-policy'] || '').includes("script-src 'self'"), 'the page has no CSP');
  check((await page.title()).includes('Killswitch'), 'unexpected title ' + await page.title());

  step('enter the API token: the page learns its roles');
  await page.fill('#token', token);
  await page.click('#token-use');
  await page.waitForFunction(() => document.getElementById('whoami').textContent.includes('revoker'), null, { timeout: TIMEOUT });

  step('search the tour token: the chain is drawn, CI run -> user -> token -> service account');
  await page.fill('#ref', TOKEN);
  await page.click('#search');
  for (const ref of [RUN, USER, TOKEN, SA]) {
    await node(ref).waitFor({ state: 'visible', timeout: TIMEOUT });
  }
  for (const kind of ['authenticated-as', 'minted', 'credential-of']) {
    check(await page.locator(`#graph g.edge[data-kind="${kind}"]`).count() >= 1, `no ${kind} edge drawn`);
  }
  const x = async (ref) => (await node(ref).boundingBox()).x;
  check(await x(RUN) < await x(USER) && await x(USER) < await x(TOKEN) && await x(TOKEN) < await x(SA),
    'the chain is not laid out left to right from the run');
  check((await page.textContent('#chain-root')) === RUN, 'the chain root is not the run');

  step('revocation state on the nodes: the job-completed trigger\'s dry run reaches the token (live updates)');
  await page.waitForFunction((ref) => {
    const g = [...document.querySelectorAll('#graph g.node')].find((n) => n.getAttribute('data-ref') === ref);
    return g && g.getAttribute('data-state') === 'dry-run' && g.textContent.includes('dry-run');
  }, TOKEN, { timeout: 60_000 });
  await page.screenshot({ path: join(shots, '1-chain.png'), fullPage: true });

  step('click an edge: confidence and evidence');
  await page.locator('#graph g.edge-labels g[data-kind="minted"]').first().click();
  await page.waitForSelector('#details:not([hidden])');
  const edgeText = await page.textContent('#details-fields');
  check(edgeText.includes('1.0 (exact join)'), 'edge details lack the confidence: ' + edgeText);
  check(edgeText.includes('5c2f8c3e-8a4e-4a0b-9f0e-3d1f2a9b7c10:ResponseComplete'), 'edge details lack the evidence: ' + edgeText);
  check(await page.isHidden('#revoke-box'), 'the revoke box is shown for an edge');
  await page.screenshot({ path: join(shots, '2-edge-evidence.png'), fullPage: true });

  step('click the token: the revoke button is there for a revoker; a dry run shows what would be revoked');
  await node(TOKEN).click();
  await page.waitForSelector('#revoke-box:not([hidden])');
  check(await page.isDisabled('#revoke-enforce'), 'enforce is possible before a dry run');
  await page.fill('#revoke-reason', 'browser test');
  await page.click('#revoke-dry-run');
  await page.waitForFunction(() => document.getElementById('revoke-result').textContent.includes('Would revoke'), null, { timeout: TIMEOUT });
  const dry = await page.textContent('#revoke-result');
  check(dry.includes('Would revoke 1 of 1') && dry.includes('k8s.deny-token') && dry.includes(TOKEN), 'dry-run result: ' + dry);
  check(await page.isEnabled('#revoke-enforce'), 'enforce stays disabled after the dry run');
  await page.screenshot({ path: join(shots, '3-dry-run.png'), fullPage: true });

  step('enforce: the token is revoked and the graph shows it');
  await page.click('#revoke-enforce');
  await page.waitForFunction(() => document.getElementById('revoke-result').textContent.includes('Status done'), null, { timeout: TIMEOUT });
  check((await page.textContent('#revoke-result')).includes('revoked'), 'enforce result lacks "revoked"');
  await page.waitForFunction((ref) => {
    const g = [...document.querySelectorAll('#graph g.node')].find((n) => n.getAttribute('data-ref') === ref);
    return g && g.getAttribute('data-state') === 'revoked';
  }, TOKEN, { timeout: TIMEOUT });
  await page.screenshot({ path: join(shots, '4-revoked.png'), fullPage: true });

  if (analystToken) {
    step('a token with the analyst role only: the chain is shown, the revoke box is not');
    await page.fill('#token', analystToken);
    await page.click('#token-use');
    await page.waitForFunction(() => document.getElementById('whoami').textContent === 'roles: analyst', null, { timeout: TIMEOUT });
    await node(TOKEN).click();
    await page.waitForSelector('#details:not([hidden])');
    check(await page.isHidden('#revoke-box'), 'the revoke box is shown to an analyst-only token');
    await page.screenshot({ path: join(shots, '5-analyst-only.png'), fullPage: true });
  }

  check(problems.length === 0, 'the browser reported: ' + problems.join('; '));
  console.log('explorer: all steps passed');
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
  process.exit(0);
} catch (e) {
  console.error('explorer: FAILED: ' + e.message);
  if (problems.length) console.error('browser: ' + problems.join('; '));
  try { await page.screenshot({ path: join(shots, 'failure.png'), fullPage: true }); } catch (ignored) { /* browser gone */ }
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
  process.exit(1);
}
