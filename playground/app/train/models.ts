/** The two models the Train panel offers, both small enough to train in a tab. */
import * as tg from 'tsgrad';

export type ModelKind = 'mlp' | 'cnn';

export const MODELS: Record<ModelKind, { label: string; build(): tg.nn.Module }> = {
  mlp: {
    label: 'MLP 784-128-10',
    build: () => new tg.nn.Sequential(
      new tg.nn.Flatten(), new tg.nn.Dense(784, 128), new tg.nn.ReLU(), new tg.nn.Dense(128, 10),
    ),
  },
  // The benchmark CNN of the README: two conv-pool stages, then one dense layer.
  cnn: {
    label: 'CNN conv5×5×8 · pool · conv5×5×16 · pool · dense',
    build: () => new tg.nn.Sequential(
      new tg.nn.Conv2D(1, 8, 5), new tg.nn.ReLU(), new tg.nn.MaxPool2D(2),
      new tg.nn.Conv2D(8, 16, 5), new tg.nn.ReLU(), new tg.nn.MaxPool2D(2),
      new tg.nn.Flatten(), new tg.nn.Dense(16 * 4 * 4, 10),
    ),
  },
};

export function isModelKind(x: string | null): x is ModelKind {
  return x === 'mlp' || x === 'cnn';
}

/** How many parameters a model has, for the page to say. */
export function parameterCount(model: tg.nn.Module): number {
  return model.parameters().reduce((n, p) => n + p.size, 0);
}
