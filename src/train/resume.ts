/**
 * Resuming a run: putting a checkpoint's state into the model, optimizer, loaders,
 * scheduler and callbacks the caller passed to fit(), as one transaction.
 *
 * The file is checked on its own first (loadCheckpoint), then against the run (epochs
 * asked for). The parts are then loaded one by one — each built-in part checks its own
 * state before it changes anything — and if any part refuses, or if `start` (the
 * callbacks' onTrainBegin) throws, every part already loaded is put back from a snapshot
 * taken before the first. The global RNG, the history and the epoch are set last, when
 * nothing can fail any more. So a resume either happens entirely or not at all.
 */
import { getRngState, setRngState } from '../tensor/random.ts';
import { callbackKind, CheckpointError, loadCheckpoint } from './checkpoint.ts';
import type { TrainingContext } from './callbacks.ts';

/** A part of the run that can be loaded from the checkpoint and put back as it was. */
interface Part {
  name: string;
  load(): void;
  restore(): void;
}

/** A part whose state goes through stateDict()/loadStateDict(); absent methods make it a no-op. */
function statefulPart(
  name: string,
  target: { stateDict?(): unknown; loadStateDict?(state: never): void } | undefined,
  saved: unknown,
): Part | null {
  if (!target || typeof target.loadStateDict !== 'function' || saved === null || saved === undefined) return null;
  const before = typeof target.stateDict === 'function' ? target.stateDict() : undefined;
  return {
    name,
    load: () => target.loadStateDict!(saved as never),
    restore: () => {
      if (before !== undefined) target.loadStateDict!(before as never);
    },
  };
}

/**
 * Puts a checkpoint's state into a run about to resume, then runs `start` (fit passes the
 * callbacks' onTrainBegin) inside the same transaction. Returns the epochs already
 * completed. On any failure everything is as it was before the call.
 */
export function restoreCheckpoint(path: string, ctx: TrainingContext, start: () => void = () => {}): number {
  const ck = loadCheckpoint(path);
  if (ck.epoch > ctx.epochs) {
    throw new CheckpointError(`fit: checkpoint ${path} has ${ck.epoch} epochs done, more than the ${ctx.epochs} epochs asked for`);
  }
  // Snapshots are taken by building the parts, before any of them loads.
  const parts = [
    statefulPart('model', ctx.model, ck.model),
    statefulPart('optimizer', ctx.optimizer, ck.optimizer),
    statefulPart('training loader', ctx.trainLoader, ck.trainLoader),
    statefulPart('validation loader', ctx.validation, ck.validation),
    statefulPart('scheduler', ctx.scheduler, ck.scheduler),
    ...ctx.callbacks.map((cb, i) => {
      const saved = ck.callbacks.find((c) => c.kind === callbackKind(cb, i));
      return statefulPart(`callback ${callbackKind(cb, i)}`, cb, saved?.state);
    }),
  ].filter((p): p is Part => p !== null);

  const before = { rng: getRngState(), epochs: [...ctx.history.epochs], stopReason: ctx.history.stopReason, epoch: ctx.epoch };
  const loaded: Part[] = [];
  let stage = 'start';
  try {
    for (const part of parts) {
      stage = part.name;
      part.load();
      loaded.push(part);
    }
    stage = 'start';
    // Seeded loaders restore the global RNG around their own draws, but a loader or
    // callback written by a user may not: the checkpoint's RNG is set after them.
    setRngState(ck.rng);
    ctx.history.epochs.splice(0, ctx.history.epochs.length, ...ck.history.epochs);
    ctx.history.stopReason = ck.history.stopReason;
    ctx.epoch = ck.epoch;
    ctx.stopTraining = ck.stopReason !== null;
    ctx.stopReason = ck.stopReason;
    start();
  } catch (err) {
    const failedRollback: string[] = [];
    for (const part of loaded.reverse()) {
      try {
        part.restore();
      } catch (rollbackErr) {
        failedRollback.push(`${part.name} (${(rollbackErr as Error).message})`);
      }
    }
    setRngState(before.rng);
    ctx.history.epochs.splice(0, ctx.history.epochs.length, ...before.epochs);
    ctx.history.stopReason = before.stopReason;
    ctx.epoch = before.epoch;
    ctx.stopTraining = false;
    ctx.stopReason = null;
    const unrestored = failedRollback.length ? `; could not put back: ${failedRollback.join(', ')}` : '';
    if (stage === 'start') {
      if (unrestored && err instanceof Error) err.message += unrestored;
      throw err;
    }
    throw new CheckpointError(`fit: cannot resume from ${path}: the ${stage} refused its saved state: ${(err as Error)?.message ?? String(err)}${unrestored}`);
  }
  return ck.epoch;
}
