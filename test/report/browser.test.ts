// The demo run's HTML report in a real browser (Debian's chromium, driven by playwright-core): no console errors,
// every chart rendered with the number of marks its data implies, samples open on click; screenshot saved under
// test-artifacts/. Skips when chromium is absent unless CURATE_REQUIRE_SERVICES=1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { curate, repoRoot } from '../helpers.ts';
import { demoRun } from './helpers.ts';
import type { ReportData } from '../../pipeline/report/data.ts';

const CHROMIUM = '/usr/bin/chromium';
const required = process.env.CURATE_REQUIRE_SERVICES === '1';
const skip = !existsSync(CHROMIUM) && !required ? `chromium not found at ${CHROMIUM}; install it with \`apt-get install -y --no-install-recommends chromium\` (set CURATE_REQUIRE_SERVICES=1 to make this a failure)` : false;

function expectedMarks(d: ReportData): Map<string, number> {
  const m = new Map<string, number>();
  m.set('chart-funnel', d.sources.length * (d.funnel.length + 1));
  if (d.dropReasons.length) m.set('chart-drop-reasons', d.dropReasons.length);
  for (const [prefix, hs] of [['sig', d.signals], ['cls', d.classifiers]] as const) {
    hs.forEach((h, i) => Object.values(h.sources).forEach((s, j) => m.set(`chart-${prefix}-${i}-${j}`, s.counts.filter((c) => c > 0).length)));
  }
  return m;
}

test('the demo report renders in Chromium: no errors, every chart drawn with its marks, samples open', { skip }, async () => {
  const run = demoRun();
  const r = curate(['report', run]);
  assert.equal(r.code, 0, r.stderr);
  const html = join(run, 'report', 'report.html');
  const page0 = readFileSync(html, 'utf8');
  assert.doesNotMatch(page0, /<(script|link|img)[^>]+(src|href)=["']?(https?:)?\/\//i, 'no external resources');
  const profile = mkdtempSync(join(tmpdir(), 'curate-chromium-'));
  // a fresh profile: playwright passes it as --user-data-dir
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 1000 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('request', (q) => { if (!q.url().startsWith('file:')) requests.push(q.url()); });
    await page.goto(pathToFileURL(html).href);
    const data = JSON.parse(await page.locator('#report-data').textContent() ?? '') as ReportData;

    // sections the demo must show
    for (const id of ['funnel', 'drops', 'signals']) assert.equal(await page.locator(`section#${id}`).count(), 1, `section ${id}`);
    assert.ok(data.signals.some((h) => h.column === 'n_words' && h.thresholds.some((t) => t.value === 300)), 'n_words histogram with its threshold');

    const charts = await page.$$eval('svg.chart', (els) => els.map((e) => {
      const b = e.getBoundingClientRect();
      return { id: e.id, marks: e.querySelectorAll('.mark').length, expected: Number(e.getAttribute('data-expected-marks')), w: b.width, h: b.height, drawn: [...e.querySelectorAll('.mark')].filter((m) => (m as unknown as { getBBox(): { width: number } }).getBBox().width > 0).length };
    }));
    const want = expectedMarks(data);
    assert.ok(charts.length >= want.size, `${charts.length} charts`);
    for (const [id, n] of want) {
      const c = charts.find((x) => x.id === id);
      assert.ok(c, `chart ${id} present`);
      assert.ok(c.w > 0 && c.h > 0, `chart ${id} has a size`);
      assert.equal(c.marks, n, `chart ${id}: marks`);
      assert.equal(c.drawn, n, `chart ${id}: every mark drawn with a width`);
    }
    for (const c of charts) assert.ok(c.marks > 0 && c.marks === c.expected, `chart ${c.id}: ${c.marks} marks, expected ${c.expected}`);
    // the threshold line n_words >= 300 is drawn
    assert.ok(await page.locator('#sig-n_words line.threshold').count() >= 1);

    // click a histogram bin → the viewer shows its sample documents with text
    await page.locator('#sig-n_words g.bin').first().click();
    assert.ok(await page.locator('#viewer.open').isVisible());
    assert.ok(((await page.locator('#viewer pre').first().textContent()) ?? '').length > 50);
    await page.keyboard.press('Escape');
    // a drop-reason sample: a dropped document, with its text from rejected/
    await page.locator('#drops button.doc').first().click();
    assert.match((await page.locator('#viewer .body').textContent()) ?? '', /dropped: too_short/);
    assert.ok(((await page.locator('#viewer pre').first().textContent()) ?? '').length > 50);
    await page.keyboard.press('Escape');

    mkdirSync(join(repoRoot, 'test-artifacts'), { recursive: true });
    await page.screenshot({ path: join(repoRoot, 'test-artifacts', 'report-demo.png'), fullPage: true });
    assert.deepEqual(errors, [], 'console errors');
    assert.deepEqual(requests, [], 'network requests');
  } finally {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  }
});
