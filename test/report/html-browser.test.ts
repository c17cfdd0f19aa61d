/**
 * The HTML report in a real headless browser (Debian's chromium, driven by playwright-core):
 * loads from a file, no console errors, charts rendered, screenshot saved under test-output/.
 * Without chromium the test fails when CI=true and skips with a message otherwise.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { renderHtmlReport } from '../../src/report/html-report.js';
import { ROOT } from '../helpers/cli.js';
import { reportSweep } from '../helpers/report-fixtures.js';
import { initHistograms, runFile, syntheticRun } from '../helpers/synthetic-results.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUT_DIR = join(ROOT, 'test-output', 'report');
const missing = !existsSync(CHROMIUM);
const skip = missing && process.env.CI !== 'true' ? `chromium not found at ${CHROMIUM} (apt-get install -y chromium); skipped outside CI` : false;

describe('HTML report in headless Chromium', { skip }, () => {
  it('opens offline, logs no console error, renders every chart, and is screenshotted', { timeout: 60_000 }, async () => {
    assert.ok(!missing, `chromium is required in CI: ${CHROMIUM} does not exist (.ci/run installs it with apt-get install -y chromium)`);
    await initHistograms();
    mkdirSync(OUT_DIR, { recursive: true });
    const htmlPath = join(OUT_DIR, 'report.html');
    writeFileSync(htmlPath, renderHtmlReport([{ file: runFile(syntheticRun({ msgsPerS: 12_000, latencyUs: 150, seconds: 6 })), source: 'run.json' }, { file: reportSweep(), source: 'sweep.json' }]));

    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(`console: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('request', (request) => {
        if (!request.url().startsWith('file:')) problems.push(`network request: ${request.url()}`);
      });
      await page.goto(pathToFileURL(htmlPath).href, { waitUntil: 'load' });

      const charts = await page.$$eval('svg.chart', (svgs) =>
        svgs.map((svg) => {
          const box = svg.getBoundingClientRect();
          const paths = [...svg.querySelectorAll('path.series')].map((p) => (p as SVGPathElement).getTotalLength());
          return { kind: svg.getAttribute('data-chart'), width: box.width, height: box.height, paths };
        }),
      );
      const kinds = (k: string) => charts.filter((c) => c.kind === k).length;
      assert.equal(kinds('percentiles'), 9, 'one percentile chart per cell (1 run + 8 sweep cells)');
      assert.equal(kinds('throughput'), 9);
      assert.equal(kinds('p99-over-time'), 9);
      for (const chart of charts) {
        assert.ok(chart.width > 100 && chart.height > 100, `${chart.kind} chart has a size: ${chart.width}×${chart.height}`);
        assert.ok(chart.paths.length > 0 && chart.paths.every((len) => len > 10), `${chart.kind} chart drew its lines: ${chart.paths.join(', ')}`);
      }
      const heatCells = await page.$$eval('table.heat td', (tds) => tds.map((td) => getComputedStyle(td).backgroundColor));
      assert.equal(heatCells.length, 16);
      assert.ok(new Set(heatCells).size > 2, 'heat tables are colour-scaled');
      assert.deepEqual(problems, []);

      await page.screenshot({ path: join(OUT_DIR, 'report.png'), fullPage: false });
      await page.locator('table.heat').first().scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(OUT_DIR, 'report-sweep.png') });
      await page.locator('svg[data-chart="percentiles"]').nth(1).screenshot({ path: join(OUT_DIR, 'percentile-chart.png') });
      assert.ok(existsSync(join(OUT_DIR, 'report.png')));
    } finally {
      await browser.close();
    }
  });
});
