/** Errors raised by the training loop. */

/** Where in the run a value went bad (1-based, as the progress bar shows it). */
export interface RunPosition {
  epoch: number;
  /** The batch, when the bad value came from a training step. */
  batch?: number;
  batches?: number;
}

/**
 * The loss (or a parameter, or the validation loss) became NaN or ±Infinity. Training
 * stopped before the bad update was applied or saved, so a checkpoint written earlier
 * is still the last good state.
 */
export class NonFiniteLossError extends Error {
  override name = 'NonFiniteLossError';

  /** `what` names the value ('loss', 'a parameter', 'the validation loss'). */
  constructor(
    readonly position: RunPosition,
    readonly value: number,
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
