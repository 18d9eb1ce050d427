/** Errors raised by the training loop. */

/** Where in the run a value went bad (1-based, as the progress bar shows it). */
export interface RunPosition {
  /** The epoch, counting from 1. */
  epoch: number;
  /** The batch, when the bad value came from a training step. */
  batch?: number;
  /** Batches in the epoch, when known. */
  batches?: number;
}

/**
 * The loss, a gradient, a parameter or the validation loss became NaN or ±Infinity. The
 * message says which, where, and exactly what state the parameters were left in: a bad
 * loss or gradient stops the run before that batch's update; a parameter that overflows
 * is caught right after the update that made it so. A checkpoint written earlier is
 * always the last good state.
 */
export class NonFiniteLossError extends Error {
  /** Always 'NonFiniteLossError'. */
  override name = 'NonFiniteLossError';

  /** `what` names the value; `applied` says whether the batch's update had been made. */
  constructor(
    /** Where in the run the value went bad. */
    readonly position: RunPosition,
    /** The bad value itself: NaN, Infinity or -Infinity. */
    readonly value: number,
    /** Which value went bad, e.g. 'loss', "the gradient of parameter '0.weight'", 'the validation loss'. */
    readonly what = 'loss',
    /** True when the bad value came out of an optimizer step that had already changed the parameters. */
    readonly applied = false,
  ) {
    const { epoch, batch, batches } = position;
    const at = batch === undefined ? `after epoch ${epoch}` : `at epoch ${epoch}, batch ${batch}${batches ? `/${batches}` : ''}`;
    const outcome = batch === undefined
      ? 'training stopped without saving this epoch'
      : applied
        ? "training stopped after this batch's update, which the parameters hold"
        : "training stopped before this batch's update: the parameters hold the previous batch's values";
    super(
      `fit: ${what} became ${value} ${at}; ${outcome} (a checkpoint written earlier is kept as it was). ` +
        'Try a lower learning rate or gradient clipping.',
    );
  }
}
