/**
 * `npm run playground:screenshots`: the README's pictures of the three tabs
 * (docs/img/playground-{train,lab,bench}.png), taken from the built site in headless
 * Chromium as a visitor would see it after using each tab: a short training run with a digit
 * drawn on the pad, the Rosenbrock race, a benchmark run. `--no-build` reuses
 * playground/dist/.
 */
import { mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Page } from 'playwright-core';
import { browserUnavailable, launchChromium, ROOT } from '../../scripts/lib/browser-harness.ts';
import { buildPlayground, DIST } from './build.ts';
import { serveDir } from './serve.ts';

const OUT = join(ROOT, 'docs/img');
const VIEWPORT = { width: 1200, height: 900 };

const noBrowser = browserUnavailable();
if (noBrowser) {
  console.error(`playground:screenshots: ${noBrowser}`);
  process.exit(1);
}
if (!process.argv.includes('--no-build')) await buildPlayground();
mkdirSync(OUT, { recursive: true });

const server = await serveDir(DIST);
const browser = await launchChromium();
const errors: string[] = [];

async function open(query: string): Promise<Page> {
  const page = await browser.newPage({ viewport: VIEWPORT });
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`${query}: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`${query}: ${e.message}`));
  await page.goto(`${server.url}${query}`);
  return page;
}

const until = (page: Page, expression: string, timeout: number) => page.waitForFunction(expression, undefined, { timeout, polling: 250 });

async function shoot(page: Page, name: string): Promise<void> {
  const path = join(OUT, `playground-${name}.png`);
  await page.screenshot({ path, fullPage: true });
  console.log(`playground:screenshots: ${relative(ROOT, path)}`);
}

/** A 3 on the pad: two arcs, drawn with the mouse as a visitor would. */
async function drawThree(page: Page): Promise<void> {
  await page.locator('#draw-pad').scrollIntoViewIfNeeded();
  const box = (await page.locator('#draw-pad').boundingBox())!;
  const at = (u: number, v: number): [number, number] => [box.x + u * box.width, box.y + v * box.height];
  const stroke = async (points: [number, number][]): Promise<void> => {
    await page.mouse.move(...at(...points[0]!));
    await page.mouse.down();
    for (const p of points.slice(1)) await page.mouse.move(...at(...p), { steps: 4 });
    await page.mouse.up();
  };
  const arc = (cy: number, r: number, from: number, to: number): [number, number][] =>
    Array.from({ length: 12 }, (_, i) => {
      const a = from + ((to - from) * i) / 11;
      return [0.5 + r * Math.cos(a), cy + r * Math.sin(a)];
    });
  await stroke(arc(0.35, 0.17, -Math.PI * 0.9, Math.PI * 0.5));
  await stroke(arc(0.65, 0.17, -Math.PI * 0.5, Math.PI * 0.9));
}

try {
  const train = await open('?steps=600&autorun');
  await until(train, `document.getElementById('final-accuracy').dataset.value > 0`, 300_000);
  await drawThree(train);
  await until(train, `/\\d/.test(document.getElementById('draw-guess').textContent)`, 30_000);
  await shoot(train, 'train');

  const lab = await open('?tab=lab&surface=rosenbrock&autorun');
  await until(lab, `document.body.dataset.labStatus === 'done'`, 300_000);
  await shoot(lab, 'lab');

  const bench = await open('?tab=bench&autorun');
  await until(bench, `document.body.dataset.benchStatus === 'done'`, 600_000);
  await shoot(bench, 'bench');
} finally {
  await browser.close();
  await server.close();
}
if (errors.length > 0) {
  console.error(`playground:screenshots: console errors:\n  ${errors.join('\n  ')}`);
  process.exit(1);
}
