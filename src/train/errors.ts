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
 * The loss (or a parameter, or the validation loss) became NaN or ±Infinity. Training
 * stopped before the bad update was applied or saved, so a checkpoint written earlier
 * is still the last good state.
 */
export class NonFiniteLossError extends Error {
  /** Always 'NonFiniteLossError'. */
  override name = 'NonFiniteLossError';

  /** `what` names the value ('loss', 'a parameter', 'the validation loss'). */
  constructor(
    /** Where in the run the value went bad. */
    readonly position: RunPosition,
    /** The bad value itself: NaN, Infinity or -Infinity. */
    readonly value: number,
    /** Which value went bad: 'loss', 'a parameter' or 'the validation loss'. */
    readonly what = 'loss',
  ) {
    const { epoch, batch, batches } = position;
    const at = batch === undefined ? `after epoch ${epoch}` : `at epoch ${epoch}, batch ${batch}${batches ? `/${batches}` : ''}`;
    super(
      `fit: ${what} became ${value} ${at}; training stopped ` +
        `${batch === undefined ? 'without saving this epoch' : 'before updating the parameters'} ` +
        '(a checkpoint written earlier is kept as it was). Try a lower learning rate or gradient clipping.',
    );
  }
}
