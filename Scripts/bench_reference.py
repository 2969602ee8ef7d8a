#!/usr/bin/env python3
"""Reference trainers for Scripts/bench: the same network as `digits train --layers 128`.

    bench_reference.py {numpy|torch|info} --mnist DIR [--batch 64] [--threads 1] [--epochs 3]
                       [--seed 1] [--eval-every K [--stop-at 0.97]]

784→128→10, ReLU, softmax + cross-entropy, He-uniform weights (bound √(6/fan_in)), zero
biases, plain SGD (lr 0.1), inputs pixels/255, float32, a new shuffle of all 60,000 training
samples each epoch (the last, partial batch included, as digits does). Only the training loop
(the shuffle and the steps) is timed; the MNIST files are read before, and test accuracy is
measured after each epoch, outside the timed region.

With --eval-every K, test accuracy is also measured after every K-th step (counted from the
start of training, across epochs: global steps K, 2K, ...), outside the timed region, as
`digits train --eval-every K` does; --stop-at then stops at the first of these evaluations
that reaches the target (without it, at the end of the first epoch that does).

Prints one JSON object per line on standard output: first {"kind": "info", ...} (versions,
threads, BLAS kernel), then {"kind": "epoch", "epoch", "seconds", "samples_per_second",
"train_loss", "test_accuracy"} per epoch, and with --eval-every {"kind": "evaluation", "step",
"epoch", "samples", "training_seconds", "test_accuracy"} per evaluation (training_seconds:
the timed training so far, evaluations excluded). `info` prints the first line only and exits.

Threads: the caller should also set OPENBLAS_NUM_THREADS / OMP_NUM_THREADS / MKL_NUM_THREADS
in the environment (they must be set before numpy or torch is loaded); this script in
addition limits numpy's BLAS with threadpoolctl and calls torch.set_num_threads.
"""

import argparse
import gzip
import json
import os
import sys
import time


def read_idx(path):
    import numpy as np
    with gzip.open(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise SystemExit(f"bench_reference: {path} is not an unsigned-byte IDX file")
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    offset = 4 + 4 * dims
    count = 1
    for s in shape:
        count *= s
    if len(data) - offset != count:
        raise SystemExit(f"bench_reference: {path}: {len(data) - offset} bytes of data for shape {shape}")
    return np.frombuffer(data, dtype=np.uint8, offset=offset).reshape(shape)


def load_mnist(directory):
    import numpy as np
    def path(name):
        p = os.path.join(directory, name)
        if not os.path.exists(p):
            raise SystemExit(f"bench_reference: missing {p}")
        return p
    train_x = read_idx(path("train-images-idx3-ubyte.gz")).reshape(-1, 784).astype(np.float32) / np.float32(255)
    train_y = read_idx(path("train-labels-idx1-ubyte.gz")).astype(np.int64)
    test_x = read_idx(path("t10k-images-idx3-ubyte.gz")).reshape(-1, 784).astype(np.float32) / np.float32(255)
    test_y = read_idx(path("t10k-labels-idx1-ubyte.gz")).astype(np.int64)
    return train_x, train_y, test_x, test_y


def emit(obj):
    print(json.dumps(obj), flush=True)


def blas_info():
    """numpy's BLAS as threadpoolctl sees it: library, version, kernel (architecture), threads."""
    try:
        import numpy  # noqa: F401  (loads the BLAS so that threadpoolctl finds it)
        from threadpoolctl import threadpool_info
    except ImportError as error:
        return [{"error": f"threadpoolctl unavailable: {error}"}]
    keep = ("user_api", "internal_api", "prefix", "version", "architecture", "threading_layer", "num_threads")
    return [{k: lib.get(k) for k in keep if k in lib} for lib in threadpool_info()]


def run_epochs(args, n, permutation, train, evaluate, loss_value=float):
    """The epoch loop of both references. `permutation()` draws an epoch's order, `train(order,
    starts)` runs the steps whose batches start at those positions of it and returns their loss
    sum, `evaluate()` gives the test accuracy. Only permutation and train are timed."""
    B, every, stop = args.batch, args.eval_every, args.stop_at
    starts = list(range(0, n, B))
    step, done_seconds = 0, 0.0            # global steps run, training seconds of finished epochs
    for epoch in range(1, args.epochs + 1):
        seconds, loss_sum, i = 0.0, 0.0, 0
        start = time.perf_counter()
        order = permutation()
        while i < len(starts):
            j = len(starts) if not every else min(len(starts), i + every - step % every)
            loss_sum = loss_sum + train(order, starts[i:j])
            step += j - i
            i = j
            if every and step % every == 0:
                seconds += time.perf_counter() - start
                accuracy = evaluate()
                emit({"kind": "evaluation", "step": step, "epoch": epoch, "samples": (epoch - 1) * n + min(n, starts[i - 1] + B),
                      "training_seconds": done_seconds + seconds, "test_accuracy": accuracy})
                if stop is not None and accuracy >= stop:
                    return
                start = time.perf_counter()
        seconds += time.perf_counter() - start
        done_seconds += seconds
        accuracy = evaluate()
        emit({"kind": "epoch", "epoch": epoch, "seconds": seconds, "samples_per_second": n / seconds,
              "train_loss": loss_value(loss_sum) / n, "test_accuracy": accuracy})
        if stop is not None and not every and accuracy >= stop:
            return


# ---------------------------------------------------------------------------------------- numpy

def train_numpy(args):
    import numpy as np
    limiter = None
    try:
        from threadpoolctl import threadpool_limits
        limiter = threadpool_limits(limits=args.threads)
    except ImportError:
        pass  # the environment variables set by the caller still apply
    emit({"kind": "info", "impl": "numpy", "numpy": np.__version__, "threads": args.threads,
          "batch": args.batch, "blas": blas_info(),
          "env": {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}})
    train_x, train_y, test_x, test_y = load_mnist(args.mnist)
    n, d = train_x.shape
    hidden, classes, lr, f32 = 128, 10, np.float32(args.lr), np.float32

    rng = np.random.default_rng(args.seed)
    w1 = rng.uniform(-np.sqrt(6 / d), np.sqrt(6 / d), size=(d, hidden)).astype(f32)
    b1 = np.zeros(hidden, f32)
    w2 = rng.uniform(-np.sqrt(6 / hidden), np.sqrt(6 / hidden), size=(hidden, classes)).astype(f32)
    b2 = np.zeros(classes, f32)

    B = args.batch
    # Buffers for a full batch; the last, partial batch uses views of their first rows.
    xb = np.empty((B, d), f32)
    h = np.empty((B, hidden), f32)
    z = np.empty((B, classes), f32)
    dh = np.empty((B, hidden), f32)
    dw1 = np.empty_like(w1)
    dw2 = np.empty_like(w2)
    rows = np.arange(B)

    def evaluate():
        hh = np.maximum(test_x @ w1 + b1, 0)
        return float(np.mean(np.argmax(hh @ w2 + b2, axis=1) == test_y))

    def train(order, starts):
        nonlocal w1, b1, w2, b2, dw1, dw2  # in place: the augmented assignments below rebind the same arrays
        loss_sum = 0.0
        for s in starts:
            idx = order[s:s + B]
            m = len(idx)
            x, hm, zm, dhm, y = xb[:m], h[:m], z[:m], dh[:m], train_y[idx]
            np.take(train_x, idx, axis=0, out=x)
            # forward
            np.matmul(x, w1, out=hm)
            hm += b1
            np.maximum(hm, 0, out=hm)
            np.matmul(hm, w2, out=zm)
            zm += b2
            # softmax + cross-entropy; zm becomes dL/dz = (softmax - onehot) / m
            zm -= zm.max(axis=1, keepdims=True)
            np.exp(zm, out=zm)
            zm /= zm.sum(axis=1, keepdims=True)
            r = rows[:m]
            loss_sum -= float(np.log(np.maximum(zm[r, y], 1e-30)).sum())
            zm[r, y] -= 1
            zm *= f32(1.0 / m)
            # backward
            np.matmul(hm.T, zm, out=dw2)
            db2 = zm.sum(axis=0)
            np.matmul(zm, w2.T, out=dhm)
            dhm *= hm > 0
            np.matmul(x.T, dhm, out=dw1)
            db1 = dhm.sum(axis=0)
            # SGD
            dw1 *= lr; w1 -= dw1
            dw2 *= lr; w2 -= dw2
            b1 -= lr * db1
            b2 -= lr * db2
        return loss_sum

    run_epochs(args, n, lambda: rng.permutation(n), train, evaluate)
    if limiter is not None:
        limiter.restore_original_limits()


# ---------------------------------------------------------------------------------------- torch

def torch_mlp(torch):
    """784→128→10 ReLU, He-uniform weights (bound √(6/fan_in)) and zero biases, as digits."""
    model = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
    for layer in (model[0], model[2]):
        torch.nn.init.kaiming_uniform_(layer.weight, nonlinearity="relu")
        torch.nn.init.zeros_(layer.bias)
    return model


def torch_epoch(torch, model, optimizer, loss_fn, X, Y, batches):
    """One pass of plain SGD steps over `batches` (index tensors into X, Y); returns the sum of
    the per-sample losses as a float64 tensor (no per-step sync). Scripts/bench_ddp.py too."""
    loss_sum = torch.zeros((), dtype=torch.float64)
    for idx in batches:
        x, y = X.index_select(0, idx), Y.index_select(0, idx)
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        loss_sum += loss.detach() * len(idx)
    return loss_sum


def train_torch(args):
    import numpy as np
    import torch
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    emit({"kind": "info", "impl": "torch", "torch": torch.__version__, "threads": torch.get_num_threads(),
          "batch": args.batch, "mkldnn": torch.backends.mkldnn.is_available(),
          "cpu_capability": getattr(torch.backends.cpu, "get_cpu_capability", lambda: None)(),
          "cuda_built": torch.version.cuda})
    train_x, train_y, test_x, test_y = load_mnist(args.mnist)
    X, Y = torch.from_numpy(train_x), torch.from_numpy(train_y)
    TX, TY = torch.from_numpy(test_x), torch.from_numpy(test_y)
    n = X.shape[0]

    model = torch_mlp(torch)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    B = args.batch

    def evaluate():
        with torch.no_grad():
            return float((model(TX).argmax(dim=1) == TY).float().mean())

    def train(order, starts):
        return torch_epoch(torch, model, optimizer, loss_fn, X, Y, (order[s:s + B] for s in starts))

    run_epochs(args, n, lambda: torch.randperm(n), train, evaluate)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("impl", choices=["numpy", "torch", "info"])
    parser.add_argument("--mnist", default="/work/shared/mnist", help="directory of the four MNIST .gz files")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--eval-every", type=int, default=None, metavar="K",
                        help="also measure test accuracy after every K-th step, outside the timed region")
    parser.add_argument("--stop-at", type=float, default=None,
                        help="stop at the first evaluation whose test accuracy reaches this (e.g. 0.97): "
                             "with --eval-every one of every K steps, otherwise an epoch's")
    args = parser.parse_args()
    if args.eval_every is not None and args.eval_every < 1:
        parser.error("--eval-every takes a positive number of steps")
    if args.impl == "info":
        emit({"kind": "info", "impl": "numpy", "blas": blas_info()})
    elif args.impl == "numpy":
        train_numpy(args)
    else:
        train_torch(args)


if __name__ == "__main__":
    main()
