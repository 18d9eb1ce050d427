/**
 * One training run on MNIST, with no DOM in it: the panel (train-tab.ts) shows what it
 * reports. Steps run in slices of about SLICE_MS with the main thread handed back between
 * them, so the page never freezes; every step runs inside `tg.tidy`, so memory stays flat.
 */
import * as tg from 'tsgrad';
import { onBackend, type BackendName } from '../backends.ts';
import { checkOptions, stepOptimizer, type Hyperparams, type HyperValue, type OptimizerEntry, type OptimizerLike } from '../optimizers.ts';
import { createScheduler, type SchedulerEntry, type SchedulerLike } from '../schedulers.ts';
import { nextTask, SLICE_MS } from '../ui/yield.ts';
import { makeBatch, shuffledOrder } from './batches.ts';
import { countCorrect, evaluate, type Score } from './evaluate.ts';
import type { Mnist } from './mnist.ts';
import { MODELS, type ModelKind } from './models.ts';

export interface TrainConfig {
  model: ModelKind;
  optimizer: OptimizerEntry;
  lr: number;
  hyper: Hyperparams;
  scheduler: SchedulerEntry | null;
  batchSize: number;
  epochs: number;
  /** Stops after this many steps even if epochs remain (0: no limit). */
  maxSteps: number;
  backend: BackendName;
  seed: number;
}

/** A curve that grows as training goes: x is the step. */
export interface Curve {
  steps: number[];
  loss: number[];
  accuracy: number[];
}

export type Status = 'running' | 'paused' | 'done' | 'stopped' | 'failed';

export interface TrainerEvents {
  /** After each slice of steps (and after each evaluation). */
  progress(): void;
  /** A step or an evaluation failed; the run pauses with the model as the last good step left it. */
  failed(err: unknown): void;
  /** Training ended (done, or stopped); `finalTest` is set when the test evaluation ran. */
  finished(): void;
}

/** Test evaluations during training use this many of the 10 000 test digits, to stay quick. */
export const QUICK_TEST = 1000;
const EVAL_EVERY = 100;

export class Trainer {
  readonly model: tg.nn.Module;
  readonly optimizer: OptimizerLike;
  private readonly scheduler: SchedulerLike | null;
  readonly stepsPerEpoch: number;
  readonly totalSteps: number;
  step = 0;
  status: Status = 'running';
  readonly train: Curve = { steps: [], loss: [], accuracy: [] };
  readonly test: Curve = { steps: [], loss: [], accuracy: [] };
  finalTest: Score | null = null;
  /** Progress of the final evaluation over the test set, 0–1, while it runs. */
  finalProgress = 0;
  samplesPerSecond = 0;
  private readonly lossFn = new tg.nn.CrossEntropyLoss();
  private order: Int32Array;
  private wake: (() => void) | null = null;
  /** Recent slices, for the samples/s figure: [milliseconds, samples]. */
  private window: [number, number][] = [];

  /** Builds model, optimizer and scheduler; throws (changing nothing) on a bad configuration. */
  constructor(readonly config: TrainConfig, private readonly data: Mnist, private readonly events: TrainerEvents) {
    this.stepsPerEpoch = Math.ceil(data.train.count / config.batchSize);
    const all = this.stepsPerEpoch * config.epochs;
    this.totalSteps = config.maxSteps > 0 ? Math.min(config.maxSteps, all) : all;
    this.order = shuffledOrder(data.train.count, config.seed);
    const built = onBackend(config.backend, () => {
      tg.manualSeed(config.seed);
      const model = MODELS[config.model].build();
      const optimizer = config.optimizer.create(model.parameters(), config.lr, config.hyper);
      const scheduler = config.scheduler ? createScheduler(config.scheduler, optimizer, { totalSteps: this.totalSteps }) : null;
      return { model, optimizer, scheduler };
    });
    this.model = built.model;
    this.optimizer = built.optimizer;
    this.scheduler = built.scheduler;
  }

  get epoch(): number {
    return Math.floor(this.step / this.stepsPerEpoch);
  }

  get lr(): number {
    return this.optimizer.paramGroups[0]!.lr;
  }

  /** Trains to the end (or until stopped), then scores the model on all 10 000 test digits. */
  async run(): Promise<void> {
    let lastSlice = performance.now();
    while (this.step < this.totalSteps && this.status !== 'stopped') {
      if (this.status !== 'running') {
        await new Promise<void>((resolve) => { this.wake = resolve; });
        lastSlice = performance.now();
        this.window = [];
        continue;
      }
      const before = this.step;
      const sliceEnd = performance.now() + SLICE_MS;
      let evalDue = false;
      try {
        do {
          this.trainStep();
          evalDue = this.step % EVAL_EVERY === 0 || this.step === this.totalSteps;
        } while (!evalDue && this.status === 'running' && performance.now() < sliceEnd);
      } catch (err) {
        this.fail(err);
        continue;
      }
      this.measure(performance.now() - lastSlice, (this.step - before) * this.config.batchSize);
      if (evalDue) await this.quickTest();
      this.events.progress();
      // The hand-over to the browser counts towards samples/s; evaluations do not.
      lastSlice = performance.now();
      await nextTask();
    }
    if (this.status !== 'stopped' && this.status !== 'failed') await this.finalEvaluation();
    this.events.finished();
  }

  pause(): void {
    if (this.status === 'running') this.status = 'paused';
  }

  resume(): void {
    if (this.status === 'paused' || this.status === 'failed') {
      this.status = 'running';
      this.wake?.();
    }
  }

  stop(): void {
    if (this.status === 'done') return;
    this.status = 'stopped';
    this.wake?.();
  }

  /** Changes the learning rate from the next step on; a value the optimizer refuses throws and changes nothing. */
  setLr(lr: number): void {
    checkOptions(this.config.optimizer, lr, this.hyperparams());
    for (const g of this.optimizer.paramGroups) (g as { lr: number }).lr = lr;
  }

  /** Changes one hyperparameter from the next step on, after the optimizer's own checks. */
  setHyper(key: string, value: HyperValue): void {
    checkOptions(this.config.optimizer, this.lr, { ...this.hyperparams(), [key]: value });
    for (const g of this.optimizer.paramGroups) (g as Record<string, unknown>)[key] = Array.isArray(value) ? [...value] : value;
  }

  private hyperparams(): Hyperparams {
    const g = this.optimizer.paramGroups[0]!;
    const out: Hyperparams = {};
    for (const key of Object.keys(this.config.optimizer.defaults)) out[key] = g[key] as HyperValue;
    return out;
  }

  private trainStep(): void {
    const { batchSize, backend, seed } = this.config;
    const n = this.data.train.count;
    const at = (this.step % this.stepsPerEpoch) * batchSize;
    if (at === 0 && this.step > 0) this.order = shuffledOrder(n, seed + this.epoch);
    const batch = makeBatch(this.data.train, this.order, at, Math.min(batchSize, n - at));
    const [loss, correct] = onBackend(backend, () => tg.tidy(() => {
      const x = tg.tensor(batch.x, { shape: [batch.count, 1, 28, 28] });
      let logits: tg.Tensor | null = null;
      const lossTensor = stepOptimizer(this.optimizer, () => {
        this.optimizer.zeroGrad();
        // Module.forward is typed `any` (a module may return anything): the MNIST models return logits.
        const out: tg.Tensor = this.model.forward(x);
        logits = out;
        const l = this.lossFn.forward(out, batch.y);
        l.backward();
        return l;
      });
      return [lossTensor.item(), countCorrect(logits!, batch.y)];
    }));
    if (!Number.isFinite(loss)) {
      throw new Error(`the loss became ${loss} at step ${this.step + 1}: the learning rate is probably too high for ${this.config.optimizer.name}`);
    }
    this.step++;
    this.train.steps.push(this.step);
    this.train.loss.push(loss!);
    this.train.accuracy.push(correct! / batch.count);
    if (this.scheduler && this.config.scheduler?.stepsOn === 'batch') this.scheduler.step();
  }

  private async quickTest(): Promise<void> {
    try {
      const score = await evaluate(this.model, this.config.backend, this.data.test, Math.min(QUICK_TEST, this.data.test.count));
      this.test.steps.push(this.step);
      this.test.loss.push(score.loss);
      this.test.accuracy.push(score.accuracy);
      if (this.scheduler && this.config.scheduler?.stepsOn === 'eval') this.scheduler.step(score.loss);
    } catch (err) {
      this.fail(err);
    }
  }

  private async finalEvaluation(): Promise<void> {
    try {
      this.finalTest = await evaluate(this.model, this.config.backend, this.data.test, this.data.test.count, (done) => {
        this.finalProgress = done / this.data.test.count;
        this.events.progress();
      });
      this.status = 'done';
    } catch (err) {
      this.fail(err);
    }
  }

  private fail(err: unknown): void {
    this.status = 'failed';
    this.events.failed(err);
  }

  /** samples/s over the last two seconds of slices (time paused or evaluating is not counted). */
  private measure(ms: number, samples: number): void {
    this.window.push([ms, samples]);
    let totalMs = 0;
    let totalSamples = 0;
    for (let i = this.window.length - 1; i >= 0; i--) {
      totalMs += this.window[i]![0];
      totalSamples += this.window[i]![1];
      if (totalMs > 2000) {
        this.window = this.window.slice(i);
        break;
      }
    }
    if (totalMs > 0) this.samplesPerSecond = (1000 * totalSamples) / totalMs;
  }
}
