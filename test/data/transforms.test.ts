import { describe, expect, it } from 'vitest';
import { Tensor } from '../../src/tensor/tensor.ts';
import { manualSeed } from '../../src/tensor/random.ts';
import { ShapeError } from '../../src/tensor/errors.ts';
import { compose, normalize, randomCrop, randomHorizontalFlip } from '../../src/data/transforms.ts';
import { DataLoader } from '../../src/data/dataloader.ts';

/** A batch whose value at (b,c,h,w) is 1000b + 100c + 10h + w, so any pixel names its origin. */
function coded(b: number, c: number, h: number, w: number): Tensor {
  const data = new Float32Array(b * c * h * w);
  let k = 0;
  for (let i = 0; i < b; i++) for (let j = 0; j < c; j++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[k++] = 1000 * i + 100 * j + 10 * y + x;
  return new Tensor(data, [b, c, h, w]);
}

const at = (t: Tensor, b: number, c: number, y: number, x: number) => {
  const [, C, H, W] = t.shape;
  return t.data[((b * C + c) * H + y) * W + x];
};

describe('normalize', () => {
  it('subtracts the channel mean and divides by the channel std', () => {
    const x = new Tensor(Float32Array.from([1, 2, 3, 4, 10, 20, 30, 40]), [1, 2, 2, 2]);
    const y = normalize([2, 20], [0.5, 10])(x);
    // hand-computed: channel 0 (v-2)/0.5, channel 1 (v-20)/10
    expect(Array.from(y.data)).toEqual([-2, 0, 2, 4, -1, 0, 1, 2]);
    expect(Array.from(x.data)).toEqual([1, 2, 3, 4, 10, 20, 30, 40]); // input untouched
  });

  it('a scalar applies to every channel; MNIST statistics give the usual values', () => {
    const x = new Tensor(Float32Array.from([0, 1]), [1, 1, 1, 2]);
    const y = normalize(0.1307, 0.3081)(x);
    expect(y.data[0]).toBeCloseTo(-0.1307 / 0.3081, 6);
    expect(y.data[1]).toBeCloseTo((1 - 0.1307) / 0.3081, 6);
  });

  it('checks its arguments', () => {
    expect(() => normalize([0.5], [0])).toThrow(RangeError);
    expect(() => normalize([0.1, 0.2], [1, 1, 1])).toThrow(/channels/);
    expect(() => normalize([0.1, 0.2], [1, 1])(coded(1, 3, 2, 2))).toThrow(ShapeError);
    expect(() => normalize(0, 1)(new Tensor(new Float32Array(4), [4]))).toThrow(/4-D/);
  });
});

describe('randomCrop', () => {
  /** Reference: pad with zeros by p, then the window at (top, left) of the padded image. */
  function window(x: Tensor, b: number, p: number, top: number, left: number, size: number): number[] {
    const [, C, H, W] = x.shape;
    const out: number[] = [];
    for (let c = 0; c < C; c++) for (let y = 0; y < size; y++) for (let z = 0; z < size; z++) {
      const sy = top + y - p, sx = left + z - p;
      out.push(sy >= 0 && sy < H && sx >= 0 && sx < W ? at(x, b, c, sy, sx) : 0);
    }
    return out;
  }

  it('every crop is a window of the zero-padded image, and every window occurs', () => {
    manualSeed(0);
    const x = coded(200, 2, 4, 4);
    const y = randomCrop(4, 1)(x);
    expect(y.shape).toEqual([200, 2, 4, 4]);
    const seen = new Set<string>();
    for (let b = 0; b < 200; b++) {
      const got = Array.from(y.data.subarray(b * 32, (b + 1) * 32));
      const matches: string[] = [];
      for (let top = 0; top <= 2; top++) for (let left = 0; left <= 2; left++) {
        if (JSON.stringify(window(x, b, 1, top, left, 4)) === JSON.stringify(got)) matches.push(`${top},${left}`);
      }
      expect(matches.length).toBe(1);
      seen.add(matches[0]);
    }
    expect(seen.size).toBe(9); // all 3x3 offsets, with 200 draws
  });

  it('a smaller crop without padding stays inside the image', () => {
    manualSeed(1);
    const y = randomCrop([2, 3])(coded(50, 1, 5, 5));
    expect(y.shape).toEqual([50, 1, 2, 3]);
    for (let b = 0; b < 50; b++) {
      const top = (at(y, b, 0, 0, 0) - 1000 * b) / 10 | 0;
      const left = (at(y, b, 0, 0, 0) - 1000 * b) % 10;
      expect(top).toBeLessThanOrEqual(3);
      expect(left).toBeLessThanOrEqual(2);
      expect(at(y, b, 0, 1, 2)).toBe(1000 * b + 10 * (top + 1) + left + 2);
    }
  });

  it('checks its arguments', () => {
    expect(() => randomCrop(0)).toThrow(RangeError);
    expect(() => randomCrop(3, -1)).toThrow(/padding/);
    expect(() => randomCrop(7, 1)(coded(1, 1, 4, 4))).toThrow(ShapeError);
  });
});

describe('randomHorizontalFlip', () => {
  it('p=1 mirrors every row, p=0 changes nothing', () => {
    const x = coded(2, 2, 3, 4);
    const y = randomHorizontalFlip(1)(x);
    for (let b = 0; b < 2; b++) for (let c = 0; c < 2; c++) for (let r = 0; r < 3; r++) for (let k = 0; k < 4; k++) {
      expect(at(y, b, c, r, k)).toBe(at(x, b, c, r, 3 - k));
    }
    expect(Array.from(randomHorizontalFlip(0)(x).data)).toEqual(Array.from(x.data));
  });

  it('p=0.5 flips each image independently, about half of them', () => {
    manualSeed(3);
    const x = coded(400, 1, 1, 3);
    const y = randomHorizontalFlip(0.5)(x);
    let flipped = 0;
    for (let b = 0; b < 400; b++) {
      const row = [0, 1, 2].map((k) => at(y, b, 0, 0, k) - 1000 * b);
      expect([[0, 1, 2], [2, 1, 0]]).toContainEqual(row);
      if (row[0] === 2) flipped++;
    }
    // binomial(400, 0.5): mean 200, sd 10; 150..250 is 5 sd
    expect(flipped).toBeGreaterThan(150);
    expect(flipped).toBeLessThan(250);
  });

  it('rejects p outside [0, 1]', () => {
    expect(() => randomHorizontalFlip(1.5)).toThrow(RangeError);
  });
});

describe('transforms in a DataLoader', () => {
  it('compose applies left to right', () => {
    const x = new Tensor(Float32Array.from([1, 2]), [1, 1, 1, 2]);
    const y = compose(randomHorizontalFlip(1), normalize(1, 2))(x);
    expect(Array.from(y.data)).toEqual([0.5, 0]);
  });

  it('a seeded loader augments the same way every run, and differently each epoch', () => {
    const ds = { images: coded(16, 1, 4, 4), labels: new Int32Array(16) };
    const t = compose(randomCrop(4, 2), randomHorizontalFlip());
    const run = () => {
      const loader = new DataLoader(ds, { batchSize: 8, seed: 9, transform: t });
      return [[...loader].map((b) => Array.from(b.x.data)), [...loader].map((b) => Array.from(b.x.data))];
    };
    manualSeed(1);
    const a = run();
    manualSeed(2);
    const b = run();
    expect(b).toEqual(a);
    expect(a[1]).not.toEqual(a[0]);
  });
});

describe('transforms under plain-JS mistakes', () => {
  const refused: [string, () => unknown, RegExp][] = [
    ['normalize(null, 1)', () => normalize(null as never, 1), /normalize: mean must be a finite number or a non-empty array of them, got null/],
    ['normalize("0.5", 1)', () => normalize('0.5' as never, 1), /mean must be .* got "0\.5"/],
    ['normalize([0.5, "x"], 1)', () => normalize([0.5, 'x'] as never, 1), /got \[0\.5, "x"\]/],
    ['normalize(0, [1, NaN])', () => normalize(0, [1, NaN]), /std must be .* got \[1, NaN\]/],
    ['randomCrop(null)', () => randomCrop(null as never), /randomCrop: size must be a positive integer or \[h, w\] of them, got null/],
    ['randomCrop([32])', () => randomCrop([32] as never), /got \[32\]/],
    ['randomCrop(32, "4")', () => randomCrop(32, '4' as never), /padding must be a non-negative integer, got "4"/],
    ['randomHorizontalFlip("0.5")', () => randomHorizontalFlip('0.5' as never), /randomHorizontalFlip: p must be a number in \[0, 1\], got "0\.5"/],
    ['compose(normalize(0, 1), 42)', () => compose(normalize(0, 1), 42 as never), /compose: transform 1 must be a function \(batch\) => batch, got 42/],
    ['a transform applied to a plain array', () => normalize(0, 1)([[1, 2]] as never), /normalize: expected a batch Tensor \[B,C,H,W\], got an array of length 1/],
  ];
  for (const [what, call, message] of refused) {
    it(`refuses ${what}`, () => {
      expect(call).toThrow(message);
    });
  }
});
