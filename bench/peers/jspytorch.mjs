// js-pytorch runner: node bench/peers/jspytorch.mjs <workload>
// Prints one JSON line (see README.md). js-pytorch keeps tensors as nested JS arrays of
// numbers (float64) and runs its "cpu" device in plain JS; the values fed in are the same
// as the other runners'. Its "gpu" device goes through gpu.js + headless-gl, whose native
// build is not installed here (allowScripts denies gl), so only "cpu" is measured.
import { torch } from 'js-pytorch';
import {
  OPTIM, TRAIN, measure, matmulSize, mnistBatches, packageVersion, result, runCli, seededArray,
} from './common.mjs';

const VERSION = packageVersion('js-pytorch');

const FRAMEWORK = 'js-pytorch';
const BACKEND = 'cpu';
const [workload] = process.argv.slice(2);

/** Row-major Float32Array -> nested JS arrays of the given 2-D shape. */
function nested(values, rows, cols) {
  const out = new Array(rows);
  for (let r = 0; r < rows; r++) out[r] = Array.from(values.subarray(r * cols, (r + 1) * cols));
  return out;
}

async function matmul(n) {
  const a = torch.tensor(nested(seededArray(n * n, 1), n, n));
  const b = torch.tensor(nested(seededArray(n * n, 2), n, n));
  const rates = await measure(() => a.matmul(b), (2 * n ** 3) / 1e9);
  return result(FRAMEWORK, BACKEND, workload, 'GFLOPS', rates, { version: VERSION });
}

class MLP extends torch.nn.Module {
  constructor() {
    super();
    this.fc1 = new torch.nn.Linear(784, 128);
    this.relu = new torch.nn.ReLU();
    this.fc2 = new torch.nn.Linear(128, 10);
  }

  forward(x) {
    return this.fc2.forward(this.relu.forward(this.fc1.forward(x)));
  }
}

async function mlp() {
  const model = new MLP();
  const lossFn = new torch.nn.CrossEntropyLoss();
  const opt = new torch.optim.Adam(model.parameters(), TRAIN.lr, 0, [TRAIN.beta1, TRAIN.beta2], TRAIN.eps);
  // Batches are converted to tensors once, like an in-memory data loader.
  const batches = mnistBatches().map(({ images, labels }) => ({
    x: torch.tensor(nested(images, labels.length, 784)),
    y: torch.tensor(Array.from(labels)),
  }));
  const step = (i) => {
    const { x, y } = batches[i % batches.length];
    const loss = lossFn.forward(model.forward(x), y);
    loss.backward();
    opt.step();
    opt.zero_grad();
  };
  const rates = await measure(step, TRAIN.batchSize);
  return result(FRAMEWORK, BACKEND, workload, 'samples/s', rates, { version: VERSION, optimizer: 'adam' });
}

/** Adam on one 1M-element parameter; the fixed gradient is put in place once by a backward pass. */
async function optimAdam() {
  const o = OPTIM.adam;
  const param = torch.tensor(Array.from(seededArray(OPTIM.size, 5)), true);
  const g = torch.tensor(Array.from(seededArray(OPTIM.size, 6)));
  param.mul(g).sum().backward(); // d/dparam sum(param * g) = g
  const opt = new torch.optim.Adam([param], o.lr, 0, [o.beta1, o.beta2], o.eps);
  const rates = await measure(() => opt.step(), OPTIM.size / 1e6);
  return result(FRAMEWORK, BACKEND, workload, 'Mparams/s', rates, { version: VERSION });
}

const noConv = async () => ({ skipped: `js-pytorch ${VERSION} has no convolution or pooling layers` });
const noOptim = (name) => async () => ({ skipped: `js-pytorch ${VERSION} has no ${name} optimizer (torch.optim has only Adam)` });

await runCli(FRAMEWORK, BACKEND, workload, {
  matmul256: () => matmul(matmulSize('matmul256')),
  matmul512: () => matmul(matmulSize('matmul512')),
  matmul1024: () => matmul(matmulSize('matmul1024')),
  conv: noConv,
  mlp,
  cnn: noConv,
  'mnist-cnn': noConv,
  'optim-sgd': noOptim('SGD'),
  'optim-momentum': noOptim('momentum'),
  'optim-adagrad': noOptim('AdaGrad'),
  'optim-rmsprop': noOptim('RMSprop'),
  'optim-adam': optimAdam,
}, 'node bench/peers/jspytorch.mjs <workload>');
