/**
 * A canvas to draw a digit on, turned into a 28×28 input the way MNIST's digits were made:
 * the ink's bounding box scaled to fit 20×20 pixels, then placed so that its centre of mass
 * sits at the centre of the 28×28 field. Without that step a digit drawn large or off
 * centre looks nothing like the training data, and the model's guesses look worse than
 * the model is.
 */
import { PIXELS } from './batches.ts';

const SIDE = 28;
const BOX = 20;

export class DrawPad {
  private readonly ctx: CanvasRenderingContext2D;
  private drawing = false;
  private last: { x: number; y: number } | null = null;
  /** A test digit shown as is (its exact pixels are the input), or null for a drawing. */
  private exact: Float32Array | null = null;
  private pending = 0;

  constructor(private readonly canvas: HTMLCanvasElement, private readonly changed: () => void) {
    this.ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    this.clear();
    canvas.addEventListener('pointerdown', (e) => {
      canvas.setPointerCapture(e.pointerId);
      this.exact = null;
      this.drawing = true;
      this.last = this.point(e);
      this.stroke(this.last, this.last);
    });
    canvas.addEventListener('pointermove', (e) => {
      if (!this.drawing) return;
      const p = this.point(e);
      this.stroke(this.last!, p);
      this.last = p;
      // Guess while drawing, at most once per frame.
      if (!this.pending) this.pending = requestAnimationFrame(() => { this.pending = 0; this.changed(); });
    });
    const end = (): void => {
      if (!this.drawing) return;
      this.drawing = false;
      this.changed();
    };
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
  }

  clear(): void {
    this.exact = null;
    this.ctx.fillStyle = '#000';
    this.ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
  }

  /** True when nothing is drawn. */
  isEmpty(): boolean {
    return this.exact === null && this.inkBox() === null;
  }

  /** Shows a 28×28 test image (bytes 0–255), which then is the input as it is. */
  show(image: Uint8Array): void {
    const small = document.createElement('canvas');
    small.width = small.height = SIDE;
    const sctx = small.getContext('2d')!;
    const data = sctx.createImageData(SIDE, SIDE);
    for (let i = 0; i < PIXELS; i++) {
      data.data.set([image[i]!, image[i]!, image[i]!, 255], i * 4);
    }
    sctx.putImageData(data, 0, 0);
    this.ctx.imageSmoothingEnabled = false;
    this.ctx.drawImage(small, 0, 0, this.canvas.width, this.canvas.height);
    this.exact = Float32Array.from(image, (v) => v / 255);
  }

  /** The model's input: 784 values in [0, 1]. */
  pixels(): Float32Array {
    if (this.exact) return this.exact;
    const out = new Float32Array(PIXELS);
    const box = this.inkBox();
    if (!box) return out;
    // Scale the ink to fit BOX×BOX, keeping its aspect ratio.
    const scale = BOX / Math.max(box.w, box.h);
    const w = Math.max(1, Math.round(box.w * scale));
    const h = Math.max(1, Math.round(box.h * scale));
    const fitted = document.createElement('canvas');
    fitted.width = w;
    fitted.height = h;
    const fctx = fitted.getContext('2d', { willReadFrequently: true })!;
    fctx.imageSmoothingQuality = 'high';
    fctx.drawImage(this.canvas, box.x, box.y, box.w, box.h, 0, 0, w, h);
    const ink = fctx.getImageData(0, 0, w, h).data;
    // Centre of mass of the fitted ink, which goes to the field's centre.
    let mass = 0;
    let mx = 0;
    let my = 0;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const v = ink[(y * w + x) * 4]! / 255;
        mass += v;
        mx += v * x;
        my += v * y;
      }
    }
    const dx = Math.round(SIDE / 2 - (mass ? mx / mass : w / 2));
    const dy = Math.round(SIDE / 2 - (mass ? my / mass : h / 2));
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const tx = x + dx;
        const ty = y + dy;
        if (tx >= 0 && tx < SIDE && ty >= 0 && ty < SIDE) out[ty * SIDE + tx] = ink[(y * w + x) * 4]! / 255;
      }
    }
    return out;
  }

  private point(e: PointerEvent): { x: number; y: number } {
    const r = this.canvas.getBoundingClientRect();
    return { x: ((e.clientX - r.left) / r.width) * this.canvas.width, y: ((e.clientY - r.top) / r.height) * this.canvas.height };
  }

  private stroke(a: { x: number; y: number }, b: { x: number; y: number }): void {
    const { ctx } = this;
    ctx.strokeStyle = '#fff';
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    // MNIST strokes are about 2–3 pixels of 28: a tenth of the pad's side.
    ctx.lineWidth = this.canvas.width / 11;
    ctx.beginPath();
    ctx.moveTo(a.x, a.y);
    ctx.lineTo(b.x, b.y);
    ctx.stroke();
  }

  /** The bounding box of everything brighter than the background, or null when blank. */
  private inkBox(): { x: number; y: number; w: number; h: number } | null {
    const { width, height } = this.canvas;
    const d = this.ctx.getImageData(0, 0, width, height).data;
    let x0 = width;
    let y0 = height;
    let x1 = -1;
    let y1 = -1;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        if (d[(y * width + x) * 4]! > 20) {
          if (x < x0) x0 = x;
          if (x > x1) x1 = x;
          if (y < y0) y0 = y;
          if (y > y1) y1 = y;
        }
      }
    }
    return x1 < 0 ? null : { x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1 };
  }
}
