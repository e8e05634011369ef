/// <reference lib="dom" />
// The dashboard in a real browser: Debian's Chromium, headless, driven by
// playwright-core (no browser download). Loads the page, uploads a corpus,
// watches the loss chart reach the last epoch, cancels a second job, runs a
// prediction from the keyboard, checks a phone-width layout, and saves
// screenshots to .ci/out/server-dashboard/. Skips loudly without Chromium.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, expect, test } from 'vitest';

import { generateCorpus } from '../../lib/apps/fasttext/corpus.js';
import { startServer, unlabelled, type Started } from './helpers.js';

const CHROMIUM = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => p && existsSync(p));
const SHOTS = join('.ci', 'out', 'server-dashboard');

type Playwright = typeof import('playwright-core');
let playwright: Playwright | undefined;
try {
  playwright = await import('playwright-core');
} catch {
  playwright = undefined;
}
const why = !CHROMIUM ? 'no Chromium found (apt-get install chromium, or set CHROMIUM_PATH)' : !playwright ? 'playwright-core is not installed (npm install)' : undefined;
if (why) console.warn(`\n*** SKIPPED test/server/browser.test.ts: ${why} — the dashboard was NOT tested in a browser ***\n`);

let server: Started;
let corpusFile: string;
const corpus = generateCorpus({ seed: 7, train: 5000, test: 50, classes: 6 });

beforeAll(async () => {
  if (why) return;
  server = await startServer();
  corpusFile = join(server.dataDir, 'train.txt');
  writeFileSync(corpusFile, corpus.train);
  mkdirSync(SHOTS, { recursive: true });
});
afterAll(() => server?.stop());

test.skipIf(why !== undefined)('dashboard: upload, live chart to the last epoch, cancel, keyboard prediction, phone width', { timeout: 90_000 }, async () => {
  const browser = await playwright!.chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
    });
    const eventRequests = new Map<string, number>();
    page.on('request', (r) => {
      const m = /\/jobs\/(\w+)\/events/.exec(r.url());
      if (m) eventRequests.set(m[1]!, (eventRequests.get(m[1]!) ?? 0) + 1);
    });

    await page.goto(server.base);
    await expect.poll(() => page.textContent('h1')).toBe('hogwild training server');
    // Every form control has a label (screen readers, and a bigger click target).
    expect(await page.$$eval('input, textarea', (els) => els.filter((e) => (e as HTMLInputElement).labels?.length === 0).map((e) => e.id))).toEqual([]);
    await page.screenshot({ path: join(SHOTS, '1-empty.png') });

    // Upload a corpus and train 6 epochs; the chart follows over SSE.
    await page.setInputFiles('#train-file', corpusFile);
    await page.fill('#epoch', '6');
    await page.fill('#thread', '1');
    await page.click('#start-button');
    await page.waitForSelector('#loss-chart[data-last-epoch="6"]', { timeout: 45_000 });
    await page.waitForFunction(() => document.querySelector('#job-state')?.textContent === 'done');
    const idA = (await page.textContent('#job-heading'))!.replace('Job ', '');
    expect(await page.$$eval('#epochs-body tr', (rows) => rows.length)).toBe(6);
    // Vega drew the line: an SVG path in each chart, and a text summary for screen readers.
    expect(await page.$$eval('#loss-chart svg path, #speed-chart svg path', (p) => p.length)).toBeGreaterThan(2);
    expect(await page.textContent('#loss-summary')).toMatch(/^Epoch 6: loss \d/);
    await page.screenshot({ path: join(SHOTS, '2-trained.png'), fullPage: true });

    // A bare EventSource on the finished job, never closed by script: after the history the server
    // ends the stream, the browser reconnects once with Last-Event-ID, gets 204 and stops for good.
    await page.evaluate((a) => {
      const w = window as unknown as { bare: { done: number; es: EventSource } };
      w.bare = { done: 0, es: new EventSource(`/jobs/${a}/events`) };
      w.bare.es.addEventListener('done', () => w.bare.done++);
    }, idA);

    // A second, long job: cancel it from its row.
    await page.fill('#epoch', '1000');
    await page.click('#start-button');
    await page.waitForFunction((a) => document.querySelector('#job-heading')?.textContent !== `Job ${a}`, idA);
    const idB = (await page.textContent('#job-heading'))!.replace('Job ', '');
    await page.waitForSelector('#loss-chart[data-last-epoch]', { timeout: 30_000 });
    await page.click(`button[aria-label="Cancel job ${idB}"]`);
    await page.waitForFunction(() => document.querySelector('#job-state')?.textContent === 'cancelled', undefined, { timeout: 20_000 });
    await page.waitForFunction((b) => document.querySelector(`tr[data-id="${b}"] td`)?.textContent === 'cancelled', idB);
    expect(await page.isDisabled(`button[aria-label="Cancel job ${idB}"]`)).toBe(true);
    await page.screenshot({ path: join(SHOTS, '3-cancelled.png'), fullPage: true });

    // Back to the first job; predict from the keyboard only.
    await page.click(`button[aria-label="Show job ${idA}"]`);
    await page.waitForSelector('#loss-chart[data-last-epoch="6"]');
    const lines = corpus.test.trimEnd().split('\n').slice(0, 4);
    await page.focus('#predict-text');
    await page.keyboard.type(unlabelled(lines).join('\n'));
    await page.keyboard.press('Tab');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('2');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('predict-button');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /classified by the checkpoint of epoch 6/.test(document.querySelector('#predict-status')?.textContent ?? ''));
    const answers = await page.$$eval('#predict-results li', (lis) => lis.map((li) => [...li.querySelectorAll('code')].map((c) => c.textContent)));
    expect(answers).toHaveLength(4);
    expect(answers.every((a) => a.length === 2 && a.every((l) => l!.startsWith('__label__')))).toBe(true);
    const right = answers.filter((a, i) => lines[i]!.startsWith(`${a[0]} `)).length;
    expect(right, 'top-1 predictions of a trained model').toBeGreaterThanOrEqual(2);
    await page.screenshot({ path: join(SHOTS, '4-predicted.png'), fullPage: true });

    // Phone width: nothing wider than the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(300); // vega re-fits the charts on resize
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(SHOTS, '5-phone.png'), fullPage: true });

    // The bare EventSource saw 'done' once and was closed by the 204 (readyState 2: CLOSED).
    await page.waitForFunction(() => (window as unknown as { bare: { es: EventSource } }).bare.es.readyState === 2, undefined, { timeout: 10_000 });
    expect(await page.evaluate(() => (window as unknown as { bare: { done: number } }).bare.done)).toBe(1);
    // The page's streams: opened once per "Show" (2 for A), plus the bare one and its single reconnect.
    expect(eventRequests.get(idA)).toBe(4);
    expect(eventRequests.get(idB)).toBe(1);
    expect(problems).toEqual([]);
  } finally {
    await browser.close();
  }
});
