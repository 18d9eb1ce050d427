/**
 * Activation functions. Those with a kink or a numerically delicate form are one program with
 * their derivative stated beside them; the smooth rest are compositions of other ops and need
 * no backward of their own. All follow PyTorch, NaN included (relu(NaN) is NaN).
 */
import { Tensor } from '../tensor/tensor.ts';
import { checkNumber, checkOneOf, checkTensor } from '../tensor/validate.ts';
import { pointwise, type PointwiseArgs } from './pointwise.ts';
import { record } from './record.ts';
import { traced } from './trace.ts';
import { add, mul, neg } from './arithmetic.ts';
import { erf } from './math.ts';

/** An activation as a forward program of x and a backward program of x, y and dy. */
function activation(op: string, x: Tensor, forward: string, backward: string, params: PointwiseArgs = {}, attrs: Record<string, unknown> = {}): Tensor {
  checkTensor(op, 'x', x);
  return traced(op, [x], attrs, () => {
    const y = pointwise(op, forward, { ...params, x });
    return record(op, y, [x], (dy) => [pointwise(`${op}.grad`, backward, { ...params, x, y, dy })]);
  });
}

/** max(x, 0).  dx = dy·[x > 0] (0 at the kink, as PyTorch). */
export function relu(x: Tensor): Tensor {
  return activation('relu', x, 'max(x, 0)', 'dy * (x > 0)');
}

/** 1/(1 + e⁻ˣ), without overflow for large |x|.  dx = dy·y·(1 − y). */
export function sigmoid(x: Tensor): Tensor {
  return activation('sigmoid', x, 'x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x))', 'dy * y * (1 - y)');
}

/** dx = dy·(1 − y²). */
export function tanh(x: Tensor): Tensor {
  return activation('tanh', x, 'tanh(x)', 'dy * (1 - y * y)');
}

/** x for x > 0, slope·x otherwise.  dx = dy·(x > 0 ? 1 : slope). */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  checkNumber('leakyRelu', 'negativeSlope', negativeSlope);
  return activation('leakyRelu', x, 'x > 0 ? x : x * s', 'x > 0 ? dy : dy * s', { s: negativeSlope }, { negativeSlope });
}

/** x for x > 0, α·(eˣ − 1) otherwise.  dx = dy·(x > 0 ? 1 : α·eˣ). */
export function elu(x: Tensor, alpha = 1): Tensor {
  checkNumber('elu', 'alpha', alpha);
  return activation('elu', x, 'x > 0 ? x : a * (exp(x) - 1)', 'x > 0 ? dy : dy * a * exp(x)', { a: alpha }, { alpha });
}

/**
 * (1/β)·ln(1 + e^(βx)), and x itself where βx > threshold, as PyTorch. Written as
 * max(βx, 0) + ln(1 + e^(−|βx|)), which never overflows.  dx = dy·σ(βx).
 */
export function softplus(x: Tensor, beta = 1, threshold = 20): Tensor {
  checkNumber('softplus', 'beta', beta);
  checkNumber('softplus', 'threshold', threshold);
  return activation(
    'softplus', x,
    'b * x > t ? x : (max(b * x, 0) + log1p(exp(-abs(b * x)))) / b',
    'b * x > t ? dy : (b * x >= 0 ? dy / (1 + exp(-b * x)) : dy * exp(b * x) / (1 + exp(b * x)))',
    { b: beta, t: threshold }, { beta, threshold },
  );
}

/** ln σ(x) = −softplus(−x), finite for any x. */
export function logSigmoid(x: Tensor): Tensor {
  checkTensor('logSigmoid', 'x', x);
  return traced('logSigmoid', [x], {}, () => neg(softplus(neg(x))));
}

/** x·σ(x) (also called swish). */
export function silu(x: Tensor): Tensor {
  checkTensor('silu', 'x', x);
  return traced('silu', [x], {}, () => mul(x, sigmoid(x)));
}

export interface GeluOptions {
  /** 'none' (default): x·Φ(x) with the exact normal CDF; 'tanh': the tanh approximation. */
  approximate?: 'none' | 'tanh';
}

/** x·Φ(x): exact (via erf) or, with approximate 'tanh', ½x(1 + tanh(√(2/π)(x + 0.044715x³))). */
export function gelu(x: Tensor, options: GeluOptions = {}): Tensor {
  checkTensor('gelu', 'x', x);
  const approximate = options.approximate ?? 'none';
  checkOneOf('gelu', 'approximate', approximate, ['none', 'tanh']);
  return traced('gelu', [x], { approximate }, () => {
    if (approximate === 'tanh') {
      const inner = mul(add(x, mul(mul(mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI));
      return mul(mul(x, 0.5), add(tanh(inner), 1));
    }
    return mul(mul(x, 0.5), add(erf(mul(x, Math.SQRT1_2)), 1));
  });
}
