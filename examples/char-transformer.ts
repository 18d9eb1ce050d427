/**
 * A small GPT-style character language model: token and position embeddings, a stack of
 * pre-norm transformer blocks (causal self-attention and a GELU MLP, each with a residual),
 * a final LayerNorm and a linear head over the characters. It learns to predict each next
 * character of a text, reports the validation loss in bits per character, and then writes
 * some text of its own.
 *
 * The text is the Jargon File 4.4.7 (Eric S. Raymond, ed.; public domain: "This document
 * (the Jargon File) is in the public domain, to be freely used, shared, and modified"), as
 * Debian's `jargon-text` package installs it: /usr/share/doc/jargon-text/jargon.txt.gz.
 *
 *   sudo apt-get install jargon-text                     # once (1.6 MB of English prose)
 *   npx tsx examples/char-transformer.ts                 # the full run
 *   npx tsx examples/char-transformer.ts --quick         # (or TSGRAD_QUICK=1) a few steps on a small model
 *   npx tsx examples/char-transformer.ts --text FILE     # any UTF-8 text, plain or .gz
 *   npx tsx examples/char-transformer.ts --steps 500     # a shorter (or longer) run
 *
 * Without the text it says how to get it and exits with status 1.
 */
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import * as tg from '../src/index.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick') || process.env.TSGRAD_QUICK === '1';
const textArg = args.indexOf('--text');
const DEFAULT_TEXT = '/usr/share/doc/jargon-text/jargon.txt.gz';
const path = textArg >= 0 ? args[textArg + 1] : DEFAULT_TEXT;

if (!path || !existsSync(path)) {
  console.error(`char-transformer: no text at ${path ?? '(missing path after --text)'}.\n` +
    (textArg >= 0 ? 'Pass --text with the path of a UTF-8 text file (plain or .gz).\n'
      : 'It trains on the Jargon File (public domain) from Debian\'s jargon-text package: install it with\n' +
        '  sudo apt-get install jargon-text\n' +
        'or pass --text FILE with any UTF-8 text (plain or .gz).\n'));
  process.exit(1);
}

/** The text as plain ASCII: typographic quotes and dashes become their ASCII forms, table rules and other symbols go. */
function readText(file: string): string {
  const bytes = readFileSync(file);
  const raw = new TextDecoder().decode(file.endsWith('.gz') ? gunzipSync(bytes) : bytes);
  return raw
    .replace(/[‘’´]/g, "'").replace(/[“”]/g, '"').replace(/[—–−]/g, '-').replace(/\u00a0/g, ' ').replace(/·/g, '.')
    .replace(/[^\n\x20-\x7e]/g, '')
    .replace(/[ \t]+\n/g, '\n').replace(/\n{3,}/g, '\n\n');
}

const config = quick
  ? { chars: 60_000, dim: 32, heads: 2, layers: 1, block: 32, batch: 8, steps: 30, lr: 3e-3, evalBatches: 4, sample: 200 }
  : { chars: Infinity, dim: 64, heads: 4, layers: 2, block: 64, batch: 32, steps: 2000, lr: 3e-3, evalBatches: 40, sample: 600 };

const stepsArg = args.indexOf('--steps');
if (stepsArg >= 0) config.steps = Number(args[stepsArg + 1]);
if (!Number.isInteger(config.steps) || config.steps < 1) {
  console.error(`char-transformer: --steps needs a positive integer, got ${args[stepsArg + 1]}`);
  process.exit(1);
}

tg.manualSeed(0);
const text = readText(path).slice(0, config.chars);
const vocab = [...new Set(text)].sort();
const index = new Map(vocab.map((c, i) => [c, i]));
const ids = Int32Array.from(text, (c) => index.get(c)!);
const split = Math.floor(ids.length * 0.9);
const trainIds = ids.subarray(0, split), valIds = ids.subarray(split);
console.log(`${path}: ${text.length} characters, ${vocab.length} distinct; ${trainIds.length} for training, ${valIds.length} for validation`);

/** A batch of `batch` windows starting at the given positions: inputs and the characters that follow each. */
function windows(source: Int32Array, starts: number[]): { x: tg.Tensor; y: tg.Tensor } {
  const t = config.block;
  const x = new Int32Array(starts.length * t), y = new Int32Array(starts.length * t);
  starts.forEach((s, b) => {
    x.set(source.subarray(s, s + t), b * t);
    y.set(source.subarray(s + 1, s + t + 1), b * t);
  });
  return { x: new tg.Tensor(x, [starts.length, t], { dtype: 'int32' }), y: new tg.Tensor(y, [starts.length * t], { dtype: 'int32' }) };
}

const randomStarts = (source: Int32Array) => Array.from(tg.rand([config.batch]).data, (u) => Math.floor(u * (source.length - config.block - 1)));

/** GPT-style: pre-norm blocks (LayerNorm before attention and MLP), GELU, a causal mask. */
class CharTransformer extends tg.nn.Module {
  tokens = new tg.nn.Embedding(vocab.length, config.dim);
  positions = new tg.nn.Embedding(config.block, config.dim);
  blocks = Array.from({ length: config.layers }, () => new tg.nn.TransformerEncoderLayer(config.dim, config.heads, 4 * config.dim, {
    // No dropout: a model this small does not overfit 1.4 M characters in a few thousand steps.
    dropout: 0, activation: 'gelu', normFirst: true, batchFirst: true,
  }));
  norm = new tg.nn.LayerNorm(config.dim);
  head = new tg.nn.Dense(config.dim, vocab.length);
  private masks = new Map<number, tg.Tensor>();

  /** idx [B, T] int32 → logits [B, T, vocab]. */
  forward(idx: tg.Tensor): tg.Tensor {
    const t = idx.shape[1];
    if (!this.masks.has(t)) this.masks.set(t, tg.keep(tg.nn.functional.causalMask(t)));
    let h = this.tokens.forward(idx).add(this.positions.forward(tg.arange(t)));
    for (const block of this.blocks) h = block.forward(h, { srcMask: this.masks.get(t)! });
    return this.head.forward(this.norm.forward(h));
  }
}

const model = new CharTransformer();
const parameterCount = model.parameters().reduce((s, p) => s + p.size, 0);
console.log(`model: ${config.layers} blocks of width ${config.dim}, ${config.heads} heads, context ${config.block}; ${parameterCount} parameters`);
const optimizer = new tg.optim.AdamW(model.parameters(), { lr: config.lr, weightDecay: 0.01 });
const scheduler = new tg.optim.CosineAnnealingLR(optimizer, { tMax: config.steps, etaMin: config.lr / 10 });
const lossFn = new tg.nn.CrossEntropyLoss();

/** Mean cross-entropy over fixed, evenly spread validation windows, in bits per character. */
function validationBits(): number {
  model.eval();
  const span = valIds.length - config.block - 1;
  let total = 0;
  for (let b = 0; b < config.evalBatches; b++) {
    const starts = Array.from({ length: config.batch }, (_, i) => Math.floor(((b * config.batch + i) / (config.evalBatches * config.batch)) * span));
    total += tg.tidy(() => tg.noGrad(() => {
      const { x, y } = windows(valIds, starts);
      return lossFn.forward(model.forward(x).reshape([-1, vocab.length]), y).item();
    }));
  }
  model.train();
  return total / config.evalBatches / Math.LN2;
}

const started = performance.now();
let recent = 0;
for (let step = 1; step <= config.steps; step++) {
  const loss = tg.tidy(() => {
    const { x, y } = windows(trainIds, randomStarts(trainIds));
    optimizer.zeroGrad();
    const l = lossFn.forward(model.forward(x).reshape([-1, vocab.length]), y);
    l.backward();
    tg.nn.utils.clipGradNorm(model.parameters(), 1);
    optimizer.step();
    return l.item();
  });
  scheduler.step();
  recent += loss;
  const every = quick ? 10 : Math.min(250, config.steps);
  if (step % every === 0) {
    const seconds = (performance.now() - started) / 1000;
    console.log(`step ${step}/${config.steps}: training loss ${(recent / every / Math.LN2).toFixed(3)} bits/char, ${(step / seconds).toFixed(1)} steps/s`);
    recent = 0;
  }
}
const bits = validationBits();
const seconds = (performance.now() - started) / 1000;
console.log(`validation loss ${bits.toFixed(3)} bits per character (uniform guessing: ${Math.log2(vocab.length).toFixed(3)}); ${seconds.toFixed(0)} s`);

/** Characters drawn one at a time from the model's predicted distribution (temperature 0.8). */
function generate(prompt: string, count: number): string {
  model.eval();
  const out = Array.from(prompt, (c) => index.get(c) ?? 0);
  for (let i = 0; i < count; i++) {
    const next = tg.tidy(() => tg.noGrad(() => {
      const context = out.slice(-config.block);
      const logits = model.forward(new tg.Tensor(Int32Array.from(context), [1, context.length], { dtype: 'int32' }));
      const probs = logits.select(1, context.length - 1).div(0.8).softmax(-1).data;
      let u = tg.rand([1]).item();
      for (let k = 0; k < probs.length; k++) { u -= probs[k]; if (u <= 0) return k; }
      return probs.length - 1;
    }));
    out.push(next);
  }
  return out.map((k) => vocab[k]).join('');
}

console.log(`generated text:\n${generate('   :hack', config.sample)}`);
