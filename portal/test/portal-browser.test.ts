import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { FUNCTION_SCRIPTS, buildFunctionImage, request, uniqueName } from '@faas/testing';
import { expect } from 'chai';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PORTAL_APP_DIR } from '../src/index.js';
import { repoRoot, startStandalone, type StandaloneProcess } from './standalone-process.js';

const ARTIFACTS = join(repoRoot, 'portal/test-artifacts');
const IMAGE = 'faas-test/portal-upper:latest';
const SLEEP_IMAGE = 'faas-test/portal-sleep:latest';
const PASSWORD = 'correct-horse';
// Debian's chromium; playwright-core never downloads a browser.
const CHROMIUM = { executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] };

describe('portal: a real browser clicks through the standalone platform', function () {
  this.timeout(180_000);
  let platform: StandaloneProcess;
  let browser: Browser;
  let page: Page;
  /** Console errors and uncaught exceptions (a Content-Security-Policy violation is one). */
  const problems: string[] = [];
  const username = uniqueName('portal');
  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });

  before(async () => {
    expect(existsSync(join(PORTAL_APP_DIR, 'index.html')), 'portal/dist/app is built by `npm run build`').to.equal(true);
    mkdirSync(ARTIFACTS, { recursive: true });
    await buildFunctionImage(IMAGE, FUNCTION_SCRIPTS.upper);
    await buildFunctionImage(SLEEP_IMAGE, FUNCTION_SCRIPTS.sleep);
    platform = await startStandalone();
    browser = await chromium.launch(CHROMIUM);
    // A phone-sized screen.
    page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    page.on('console', (msg) => void (msg.type() === 'error' && problems.push(msg.text())));
    page.on('pageerror', (err) => void problems.push(err.message));
  });
  afterEach(async function () {
    // The page as it was when a test failed: the first thing to look at.
    if (this.currentTest?.state === 'failed') await shot(`failed-${this.currentTest.title.slice(0, 40).replace(/\W+/g, '-')}`);
  });
  after(async () => {
    await browser?.close();
    await platform?.stop();
  });

  it('registers, creates a function, invokes it and shows its result, logs, exit code and duration', async () => {
    await page.goto(platform.baseUrl);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Register' }).click();
    await page.getByRole('heading', { name: 'Functions' }).waitFor();
    await shot('01-registered');

    await page.getByRole('link', { name: 'New function' }).click();
    await page.getByLabel('Name').fill('shout');
    await page.getByLabel('Image').fill(IMAGE);
    await page.getByLabel('Description').fill('upper-cases its argument');
    await page.getByRole('button', { name: 'Create' }).click();
    const card = page.locator('[data-function="shout"]');
    await card.waitFor();
    expect(await card.textContent()).to.include(IMAGE);
    await shot('02-functions');

    await card.getByRole('link', { name: 'Invoke' }).click();
    await page.getByLabel('Argument').fill('hola portal');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const result = page.getByTestId('result');
    await result.waitFor();
    expect(await result.textContent()).to.equal('HOLA PORTAL');
    expect(await page.getByTestId('status').textContent()).to.equal('succeeded');
    expect(await page.getByTestId('exit-code').textContent()).to.equal('0');
    expect(await page.getByTestId('duration').textContent()).to.match(/^\d+(\.\d+)? m?s$/);
    expect(await page.getByTestId('logs').textContent()).to.equal('');
    await shot('03-invoked');

    await page.getByRole('link', { name: 'Executions' }).first().click();
    const execution = page.locator('[data-execution]').first();
    await execution.waitFor();
    expect(await execution.textContent()).to.include('shout').and.include('succeeded');
    await shot('04-executions');

    const storage = await page.evaluate(() => ({ local: Object.keys(localStorage), session: Object.keys(sessionStorage), width: document.documentElement.scrollWidth }));
    expect(storage.local, 'nothing in localStorage').to.deep.equal([]);
    expect(storage.session).to.include('faas.token');
    expect(storage.width, 'no horizontal scrolling on a phone').to.be.at.most(390);
    expect(problems, 'console errors').to.deep.equal([]);
  });

  it('runs in the background and follows the execution until it is final', async () => {
    await page.goto(`${platform.baseUrl}/#/functions/shout/invoke`);
    await page.getByLabel('Argument').fill('en segundo plano');
    await page.getByRole('button', { name: 'Run in background' }).click();
    await page.getByRole('heading', { name: 'Execution' }).waitFor();
    await page.getByTestId('result').filter({ hasText: 'EN SEGUNDO PLANO' }).waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('status').textContent()).to.equal('succeeded');
  });

  it('lists executions with their status and keeps polling the running ones until they finish', async () => {
    const token = (await page.evaluate(() => sessionStorage.getItem('faas.token'))) ?? '';
    expect((await request(`${platform.baseUrl}/registry/functions`, { token, body: { name: 'nap', image: SLEEP_IMAGE } })).status).to.equal(201);
    await page.goto(`${platform.baseUrl}/#/functions/nap/invoke`);
    await page.getByLabel('Argument').fill('3');
    await page.getByRole('button', { name: 'Run in background' }).click();
    await page.getByRole('heading', { name: 'Execution' }).waitFor();
    await page.getByRole('link', { name: 'Executions' }).first().click();
    const nap = page.locator('[data-execution]').filter({ hasText: 'nap' });
    // Seen unfinished first, then finished on the same page: the list polled (no reload).
    await nap.getByTestId('status').filter({ hasText: /queued|running/ }).waitFor();
    await shot('05-running');
    await nap.getByTestId('status').filter({ hasText: 'succeeded' }).waitFor({ timeout: 90_000 });
  });

  it("shows on each function's card the triggers that run it, object triggers with their events and prefix", async () => {
    const token = (await page.evaluate(() => sessionStorage.getItem('faas.token'))) ?? '';
    const create = (body: Record<string, unknown>) => request(`${platform.baseUrl}/registry/triggers`, { token, body });
    expect((await create({ name: 'on-upload', kind: 'object', function: 'shout', events: ['created', 'deleted'], prefix: 'incoming/' })).status).to.equal(201);
    expect((await create({ name: 'nightly', kind: 'schedule', function: 'nap', cron: '0 3 * * *', argument: '1' })).status).to.equal(201);
    await page.goto(`${platform.baseUrl}/#/functions`);
    const upload = page.locator('[data-function="shout"] [data-trigger="on-upload"]');
    await upload.waitFor();
    expect(await upload.textContent()).to.equal('on-upload · object · objects created, deleted under “incoming/”');
    expect(await page.locator('[data-function="nap"] [data-trigger]').allTextContents()).to.deep.equal(['nightly · schedule · 0 3 * * * (UTC)']);
    expect(await page.locator('[data-function="shout"] [data-trigger]').count()).to.equal(1);
    await shot('06-triggers');
    expect(await page.evaluate(() => document.documentElement.scrollWidth), 'no horizontal scrolling on a phone').to.be.at.most(390);
  });

  it('edits and deletes a function, and shows errors as the API gives them', async () => {
    await page.goto(`${platform.baseUrl}/#/functions/shout/edit`);
    await page.getByLabel('Memory (MiB)').fill('999999');
    await page.getByRole('button', { name: 'Save' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    const token = await page.evaluate(() => sessionStorage.getItem('faas.token'));
    const direct = await request<{ error: { message: string } }>(`${platform.baseUrl}/registry/functions/shout`, {
      method: 'PUT',
      token: token ?? '',
      body: { image: IMAGE, memoryMb: 999999 },
    });
    expect(direct.status).to.equal(400);
    expect(await alert.locator('strong').textContent()).to.equal(direct.body.error.message);
    await shot('07-error');

    await page.getByLabel('Memory (MiB)').fill('128');
    await page.getByRole('button', { name: 'Save' }).click();
    const card = page.locator('[data-function="shout"]');
    await card.waitFor();
    expect(await card.textContent()).to.include('128 MiB').and.include('revision 2');

    page.once('dialog', (dialog) => void dialog.accept());
    await card.getByRole('button', { name: 'Delete' }).click();
    await page.locator('[data-function="nap"]').waitFor();
    await card.waitFor({ state: 'detached' });
    expect((await request(`${platform.baseUrl}/registry/functions/shout`, { token: token ?? '' })).status).to.equal(404);
  });

  it('creates a public HTTP function and shows its URL, which answers without a token', async () => {
    await page.goto(`${platform.baseUrl}/#/functions/new`);
    await page.getByLabel('Name').fill('site');
    await page.getByLabel('Image').fill(IMAGE);
    await page.getByRole('checkbox', { name: /^HTTP function/ }).check();
    await page.getByRole('checkbox', { name: /^Public/ }).check();
    await page.getByRole('button', { name: 'Create' }).click();
    const link = page.locator('[data-function="site"]').getByTestId('http-url').getByRole('link');
    await link.waitFor();
    const url = `${platform.baseUrl}/publisher/fn/${username}/site/`;
    expect([await link.getAttribute('href'), await link.textContent()]).to.deep.equal([url, url]);
    expect(await page.locator('[data-function="site"]').getByTestId('http-url').textContent()).to.include('(public)');
    await shot('07-http-function');
    // The upper-case image prints its event, upper-cased (no longer JSON: FALSE): the request reached it.
    const res = await fetch(`${url}hola?x=1`);
    expect([res.status, res.headers.get('content-type')]).to.deep.equal([200, 'text/plain; charset=utf-8']);
    expect(await res.text()).to.include('"RAWPATH":"/HOLA","RAWQUERYSTRING":"X=1"');
    // Editing keeps it an HTTP function (the form sends http and public back).
    await page.goto(`${platform.baseUrl}/#/functions/site/edit`);
    await page.getByLabel('Description').fill('a page');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('[data-function="site"]').getByText('a page').waitFor();
    expect(await page.locator('[data-function="site"]').getByTestId('http-url').count()).to.equal(1);
  });

  it('renders the API reference at /docs from this origin only (no CDN)', async () => {
    const docs = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    const origins = new Set<string>();
    docs.on('request', (req) => void origins.add(new URL(req.url()).origin));
    await docs.goto(`${platform.baseUrl}/docs`);
    await docs.locator('.swagger-ui .opblock').first().waitFor();
    expect(await docs.locator('.swagger-ui .opblock').count()).to.be.greaterThan(25);
    expect(await docs.locator('.swagger-ui .title').first().textContent()).to.include('FaaS platform');
    await docs.screenshot({ path: join(ARTIFACTS, '07-docs.png') });
    await docs.close();
    expect([...origins].filter((o) => o !== 'null' && o !== 'data:' && !o.startsWith('data')), 'every request went to the platform').to.deep.equal([new URL(platform.baseUrl).origin]);
  });
});
