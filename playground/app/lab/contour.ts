/**
 * The surface as a picture: shaded bands and contour lines, drawn once per surface and
 * canvas size onto an offscreen canvas that the animation then copies under the paths.
 * The values come from the surface's own tensor ops, evaluated on the whole grid at once.
 */
import * as tg from 'tsgrad';
import { onBackend } from '../backends.ts';
import type { Surface } from './surfaces.ts';

const GRID = 120;
const LEVELS = 14;

/** Maps between the surface's coordinates and canvas pixels. */
export interface Frame {
  width: number;
  height: number;
  toPx(x: number, y: number): [number, number];
  fromPx(px: number, py: number): [number, number];
}

export function frameFor(surface: Surface, width: number, height: number): Frame {
  const [x0, x1] = surface.view.x;
  const [y0, y1] = surface.view.y;
  return {
    width,
    height,
    toPx: (x, y) => [((x - x0) / (x1 - x0)) * width, (1 - (y - y0) / (y1 - y0)) * height],
    fromPx: (px, py) => [x0 + (px / width) * (x1 - x0), y0 + (1 - py / height) * (y1 - y0)],
  };
}

/** f on a GRID×GRID lattice covering the view, row by row from the top. */
function sample(surface: Surface): Float32Array {
  const [x0, x1] = surface.view.x;
  const [y0, y1] = surface.view.y;
  const xs = new Float32Array(GRID * GRID);
  const ys = new Float32Array(GRID * GRID);
  for (let r = 0; r < GRID; r++) {
    for (let c = 0; c < GRID; c++) {
      xs[r * GRID + c] = x0 + (c / (GRID - 1)) * (x1 - x0);
      ys[r * GRID + c] = y1 - (r / (GRID - 1)) * (y1 - y0);
    }
  }
  return onBackend('cpu', () => tg.noGrad(() => tg.tidy(() => Float32Array.from(surface.f(tg.tensor(xs), tg.tensor(ys)).data as Float32Array))));
}

/**
 * Contour levels at quantiles of the sampled values, denser towards the minimum, so every
 * surface gets lines where its shape is, whatever its range.
 */
function levelsOf(values: Float32Array): number[] {
  const sorted = Float32Array.from(values).sort();
  const out: number[] = [];
  for (let i = 1; i <= LEVELS; i++) {
    const q = (i / (LEVELS + 1)) ** 2;
    const v = sorted[Math.floor(q * (sorted.length - 1))]!;
    if (!out.length || v > out[out.length - 1]!) out.push(v);
  }
  return out;
}

/** Draws the surface's bands and contour lines into a new canvas of the frame's size. */
export function renderSurface(surface: Surface, frame: Frame, dark: boolean): HTMLCanvasElement {
  const values = sample(surface);
  const levels = levelsOf(values);
  const canvas = document.createElement('canvas');
  canvas.width = frame.width;
  canvas.height = frame.height;
  const ctx = canvas.getContext('2d')!;

  // Bands: one shade per interval between levels, drawn on the grid and scaled up smoothly.
  const band = document.createElement('canvas');
  band.width = band.height = GRID;
  const bctx = band.getContext('2d')!;
  const img = bctx.createImageData(GRID, GRID);
  for (let i = 0; i < values.length; i++) {
    let k = 0;
    while (k < levels.length && values[i]! > levels[k]!) k++;
    const t = k / levels.length;
    const [r, g, b] = dark ? [20 + 40 * t, 30 + 50 * t, 60 + 40 * t] : [235 - 25 * t, 242 - 35 * t, 250 - 60 * t];
    img.data.set([r, g, b, 255], i * 4);
  }
  bctx.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(band, 0, 0, frame.width, frame.height);

  // Lines: marching squares over each grid cell, for each level.
  ctx.strokeStyle = dark ? 'rgba(200,210,255,0.35)' : 'rgba(60,70,110,0.35)';
  ctx.lineWidth = 1;
  const sx = frame.width / (GRID - 1);
  const sy = frame.height / (GRID - 1);
  ctx.beginPath();
  for (const level of levels) {
    for (let r = 0; r < GRID - 1; r++) {
      for (let c = 0; c < GRID - 1; c++) {
        const v = [values[r * GRID + c]!, values[r * GRID + c + 1]!, values[(r + 1) * GRID + c + 1]!, values[(r + 1) * GRID + c]!];
        const corners: [number, number][] = [[c, r], [c + 1, r], [c + 1, r + 1], [c, r + 1]];
        const crossings: [number, number][] = [];
        for (let e = 0; e < 4; e++) {
          const a = v[e]!;
          const b = v[(e + 1) % 4]!;
          if ((a > level) !== (b > level)) {
            const t = (level - a) / (b - a);
            const [ax, ay] = corners[e]!;
            const [bx, by] = corners[(e + 1) % 4]!;
            crossings.push([(ax + t * (bx - ax)) * sx, (ay + t * (by - ay)) * sy]);
          }
        }
        // Two crossings: one segment; four (a saddle cell): two segments, paired in order.
        for (let i = 0; i + 1 < crossings.length; i += 2) {
          ctx.moveTo(...crossings[i]!);
          ctx.lineTo(...crossings[i + 1]!);
        }
      }
    }
  }
  ctx.stroke();

  // The minima, as small crosses.
  ctx.strokeStyle = dark ? '#fff' : '#222';
  ctx.lineWidth = 1.5;
  for (const [mx, my] of surface.minima) {
    const [px, py] = frame.toPx(mx, my);
    ctx.beginPath();
    ctx.moveTo(px - 5, py - 5);
    ctx.lineTo(px + 5, py + 5);
    ctx.moveTo(px + 5, py - 5);
    ctx.lineTo(px - 5, py + 5);
    ctx.stroke();
  }
  return canvas;
}
