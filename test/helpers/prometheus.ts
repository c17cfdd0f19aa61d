/** Checks shared by the Prometheus tests: scraping an endpoint, and promtool where it is installed. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { TestContext } from 'node:test';
import { parseExposition, type Exposition } from './parse-exposition.js';

/** The content type of the text exposition format, as every endpoint of the harness serves it. */
export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** GETs a metrics URL: status 200 and the exposition content type asserted, the text parsed. */
export async function scrape(url: string): Promise<{ text: string; exposition: Exposition }> {
  const response = await fetch(url);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), EXPOSITION_CONTENT_TYPE);
  const text = await response.text();
  return { text, exposition: parseExposition(text) };
}

/** `promtool check metrics` on the text; without promtool installed, says so and checks nothing more. */
export function checkWithPromtool(t: TestContext, text: string): void {
  const result = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (result.error !== undefined) return void t.diagnostic('promtool not installed: exposition checked by parseExposition only');
  assert.equal(result.status, 0, `promtool check metrics: ${result.stdout}${result.stderr}`);
}
