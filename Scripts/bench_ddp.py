#!/usr/bin/env python3
"""PyTorch DistributedDataParallel reference for Scripts/bench-distributed (issue 6 §3) and Scripts/bench-scale.

    bench_ddp.py train --ranks {1|2} --batch GLOBAL [--epochs 3] [--limit N] [--no-sync] [--mnist DIR]
    bench_ddp.py allreduce [--ranks 2] [--bytes 407080] [--iterations 1000] [--warmup 50]
    bench_ddp.py {train|allreduce} --init tcp://ADDR:PORT --rank R --world N [same options]

`train`: the network of `digits train --layers 128` (784→128→10, ReLU, softmax +
cross-entropy, He-uniform weights, zero biases, SGD lr 0.1, float32, pixels/255; the MNIST
reader and the initialisation are those of Scripts/bench_reference.py) wrapped in
DistributedDataParallel, gloo backend on 127.0.0.1, one process per rank started with
torch.multiprocessing (start_processes, fork by default, --start-method spawn as mp.spawn does),
torch.set_num_threads(1) in each. Each epoch all ranks draw the
same permutation of the 60,000 training samples (the first N with --limit, as digits' --limit)
and cut it into global batches of GLOBAL
samples; rank r trains on the r-th part of each (per-rank batch GLOBAL ÷ ranks; the last,
partial batch included). DDP averages the gradients, so this is SGD on the global batch.
--no-sync runs the same loop inside model.no_sync(): compute only, no all-reduce (the
replicas drift apart; it measures what synchronisation costs).

Only the training loop is timed (a barrier before and after it): samples/s = 60,000 (or
--limit) ÷ the epoch's seconds. Test accuracy is measured by rank 0 after each epoch, outside the timed part.

`allreduce`: times dist.all_reduce of a float32 tensor of --bytes bytes (407,080: the gradient
of 784→128→10) between --ranks gloo ranks; each iteration's time is the slowest rank's.

--init tcp://ADDR:PORT --rank R --world N: this process is rank R of N, one per host (Scripts/
bench-scale runs one in each network namespace); rank 0 serves the rendezvous at ADDR:PORT, an
address of its own host. Nothing is forked, MNIST is read by each rank, and gloo's interface is
GLOO_SOCKET_IFNAME as the caller sets it (say eth0).

Prints JSON lines on standard output (rank 0): {"kind": "info", ...}, then {"kind": "epoch",
"epoch", "seconds", "samples_per_second", "train_loss", "test_accuracy"} per epoch, or one
{"kind": "allreduce", "median_ms", "p99_ms", ...}. Without --init only loopback addresses are used.
"""

import argparse
import datetime
import json
import os
import socket
import statistics
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in Scripts/
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_reference import emit, load_mnist, torch_epoch, torch_mlp  # noqa: E402  (the same reader, model, loop and output as Scripts/bench)

SAMPLES_NOTE = "samples/s = training samples (60,000, or --limit) ÷ seconds of the timed training loop"


def free_loopback_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def loopback_interface():
    """The name of the loopback interface, for GLOO_SOCKET_IFNAME (gloo otherwise resolves the host name)."""
    try:
        for index, name in socket.if_nameindex():
            if name == "lo" or name.startswith("lo"):
                return name
    except OSError:
        pass
    return "lo"


def setup(rank, world, init_method, threads):
    import torch
    import torch.distributed as dist
    torch.set_num_threads(threads)
    try:
        torch.set_num_interop_threads(threads)
    except RuntimeError:
        pass  # already set: harmless
    dist.init_process_group("gloo", init_method=init_method, rank=rank, world_size=world,
                            timeout=datetime.timedelta(seconds=120))
    return torch, dist


def train_rank(rank, args, init_method, data):
    torch, dist = setup(rank, args.ranks, init_method, args.threads)
    from torch.nn.parallel import DistributedDataParallel
    import contextlib

    torch.manual_seed(args.seed)
    train_x, train_y, test_x, test_y = data if data is not None else load_mnist(args.mnist)
    if args.limit:
        train_x, train_y = train_x[:args.limit], train_y[:args.limit]
    X, Y = torch.from_numpy(train_x), torch.from_numpy(train_y)
    TX, TY = torch.from_numpy(test_x), torch.from_numpy(test_y)
    n = X.shape[0]

    net = torch_mlp(torch)  # the model and initialisation of Scripts/bench
    model = DistributedDataParallel(net)  # broadcasts rank 0's weights
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    B, R = args.batch, args.ranks
    sync = model.no_sync if args.no_sync else contextlib.nullcontext

    if rank == 0:
        emit({"kind": "info", "impl": "ddp", "torch": torch.__version__, "backend": dist.get_backend(),
              "ranks": R, "global_batch": B, "rank_batch": B // R, "no_sync": args.no_sync, "samples": n,
              "init": args.init or "forked ranks on 127.0.0.1",
              "threads_per_rank": torch.get_num_threads(), "interop_threads": torch.get_num_interop_threads(),
              "cpu_capability": getattr(torch.backends.cpu, "get_cpu_capability", lambda: None)(),
              "gloo_ifname": os.environ.get("GLOO_SOCKET_IFNAME"), "note": SAMPLES_NOTE})

    generator = torch.Generator().manual_seed(args.seed)
    for epoch in range(1, args.epochs + 1):
        order = torch.randperm(n, generator=generator)  # the same on every rank
        model.train()
        dist.barrier()
        start = time.perf_counter()
        with sync():
            loss_sum = torch_epoch(torch, model, optimizer, loss_fn, X, Y,
                                   (order[s:s + B].tensor_split(R)[rank] for s in range(0, n, B)))
        dist.barrier()
        seconds = time.perf_counter() - start
        if rank == 0:
            with torch.no_grad():
                accuracy = float((net(TX).argmax(dim=1) == TY).float().mean())
            emit({"kind": "epoch", "epoch": epoch, "seconds": seconds, "samples_per_second": n / seconds,
                  "train_loss": float(loss_sum) * R / n, "test_accuracy": accuracy})
    dist.barrier()
    dist.destroy_process_group()


def allreduce_rank(rank, args, init_method, data):
    torch, dist = setup(rank, args.ranks, init_method, args.threads)
    count = args.bytes // 4
    tensor = torch.ones(count, dtype=torch.float32)
    for _ in range(args.warmup):
        dist.all_reduce(tensor)
    dist.barrier()
    times = []
    for _ in range(args.iterations):
        start = time.perf_counter()
        dist.all_reduce(tensor)
        times.append(time.perf_counter() - start)
    gathered = [None] * args.ranks
    dist.all_gather_object(gathered, times)
    if rank == 0:
        slowest = sorted(max(ts) * 1000 for ts in zip(*gathered))
        p99 = slowest[min(len(slowest) - 1, int(round(0.99 * (len(slowest) - 1))))]
        emit({"kind": "allreduce", "backend": "gloo", "torch": torch.__version__, "ranks": args.ranks,
              "bytes": count * 4, "iterations": args.iterations, "median_ms": statistics.median(slowest),
              "p99_ms": p99, "max_ms": slowest[-1], "min_ms": slowest[0]})
    dist.barrier()
    dist.destroy_process_group()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=["train", "allreduce"])
    parser.add_argument("--ranks", type=int, default=2)
    parser.add_argument("--batch", type=int, default=128, help="global batch (split across the ranks)")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--limit", type=int, default=0, help="train on the first N training samples only (0: all)")
    parser.add_argument("--init", metavar="tcp://ADDR:PORT",
                        help="run one rank in this process (--rank, --world), rendezvous at ADDR:PORT (rank 0's host)")
    parser.add_argument("--rank", type=int, default=0, help="with --init: this process's rank")
    parser.add_argument("--world", type=int, default=0, help="with --init: the number of ranks")
    parser.add_argument("--no-sync", action="store_true", help="train inside model.no_sync(): no all-reduce")
    parser.add_argument("--threads", type=int, default=1, help="torch threads per rank")
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--mnist", default="/work/shared/mnist", help="directory of the four MNIST .gz files")
    parser.add_argument("--start-method", choices=["fork", "spawn"], default="fork",
                        help="fork (default): the ranks share the parent's torch import and MNIST arrays and start "
                             "in seconds; spawn: each rank imports torch and reads MNIST itself")
    parser.add_argument("--bytes", type=int, default=407080)
    parser.add_argument("--iterations", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=50)
    args = parser.parse_args()
    if args.init:
        if not args.init.startswith("tcp://") or not 0 <= args.rank < args.world:
            parser.error("--init takes tcp://ADDR:PORT, with 0 ≤ --rank < --world")
        args.ranks = args.world
    if args.limit < 0:
        parser.error("--limit ≥ 0")
    if args.ranks < 1 or args.batch < args.ranks or args.epochs < 1:
        parser.error("--ranks ≥ 1, --batch ≥ --ranks and --epochs ≥ 1")

    # Loopback only (unless --init), one thread per rank; set before torch starts its thread pools.
    if not args.init:
        os.environ["MASTER_ADDR"] = "127.0.0.1"
        os.environ.setdefault("GLOO_SOCKET_IFNAME", loopback_interface())
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    try:
        import torch.multiprocessing as mp
        import torch.distributed as dist
    except ImportError as error:
        raise SystemExit(f"bench_ddp: PyTorch is not installed ({error})")
    if not dist.is_available() or not dist.is_gloo_available():
        raise SystemExit("bench_ddp: this PyTorch build has no torch.distributed with gloo")
    target = train_rank if args.mode == "train" else allreduce_rank
    if args.init:
        target(args.rank, args, args.init, None)
        return
    port = free_loopback_port()
    os.environ["MASTER_PORT"] = str(port)
    # With fork, MNIST is read once here, before any torch or BLAS thread exists (the thread
    # variables above are set), and the children share it copy-on-write.
    data = load_mnist(args.mnist) if args.mode == "train" and args.start_method == "fork" else None
    mp.start_processes(target, args=(args, f"tcp://127.0.0.1:{port}", data), nprocs=args.ranks, join=True, start_method=args.start_method)


if __name__ == "__main__":
    main()
