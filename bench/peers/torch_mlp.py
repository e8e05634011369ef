"""PyTorch peer of the MLP benchmark: a 784-H-10 ReLU MLP on Fashion-MNIST, plain SGD.

--threads T runs one process with torch.set_num_threads(T) (PyTorch's own intra-op
parallelism). --procs N > 1 is Hogwild instead: model.share_memory() and N forked
one-thread processes, each taking its share of the batches. Batches are taken in file
order (no shuffling) so every implementation sees the same sequence.

Reads the IDX files itself (gzip or raw). Prints one JSON line; times only training.
"""
import argparse
import gzip
import json
import os
import resource
import sys
import time

import numpy as np
import torch
import torch.multiprocessing as mp
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from threadpools import threadpools  # noqa: E402


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[0:4], "big")
    if magic >> 8 != 0x08:  # 0x08: unsigned byte elements
        raise ValueError(f"{path}: not an unsigned-byte IDX file (magic {magic:#x})")
    ndim = magic & 0xFF
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def load(dir_, split, limit):
    images = read_idx(os.path.join(dir_, f"{split}-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(dir_, f"{split}-labels-idx1-ubyte.gz"))
    if limit:
        images, labels = images[:limit], labels[:limit]
    x = torch.from_numpy(images.reshape(len(images), -1).astype(np.float32) / 255.0)
    return x, torch.from_numpy(labels.astype(np.int64))


def make_model(hidden):
    return torch.nn.Sequential(torch.nn.Linear(784, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 10))


def train(rank, model, data, args, threads):
    torch.set_num_threads(threads)
    x, y = data
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr)
    n = len(y)
    for _ in range(args.epochs):
        for b, start in enumerate(range(0, n, args.batch)):
            if b % args.procs != rank:
                continue
            end = min(start + args.batch, n)
            loss = F.cross_entropy(model(x[start:end]), y[start:end])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()


def accuracy(model, data):
    x, y = data
    with torch.no_grad():
        return float((model(x).argmax(dim=1) == y).float().mean())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--threads", type=int, default=1, help="intra-op threads of one process")
    parser.add_argument("--procs", type=int, default=1, help="> 1: Hogwild processes of one thread each")
    parser.add_argument("--limit", type=int, default=0, help="use only the first N training examples")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.procs > 1 and args.threads != 1:
        sys.exit("--procs > 1 uses one thread per process; leave --threads at 1")

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    train_data = load(args.data, "train", args.limit)
    test_data = load(args.data, "t10k", 0)
    model = make_model(args.hidden)

    start = time.perf_counter()
    if args.procs == 1:
        train(0, model, train_data, args, args.threads)
    else:
        model.share_memory()
        ctx = mp.get_context("fork")
        workers = [ctx.Process(target=train, args=(r, model, train_data, args, 1)) for r in range(args.procs)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        if any(w.exitcode != 0 for w in workers):
            sys.exit("a Hogwild worker failed")
    seconds = time.perf_counter() - start

    examples = len(train_data[1]) * args.epochs
    print(json.dumps({
        "seconds": seconds,
        "examples": examples,
        "examplesPerSec": examples / seconds,
        "testAccuracy": accuracy(model, test_data),
        "selfMaxRssKb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "torch": torch.__version__,
        "numpy": np.__version__,
        "threads": args.threads,
        "procs": args.procs,
        "torchThreads": torch.get_num_threads(),
        "threadpools": threadpools(),
    }))


if __name__ == "__main__":
    main()
