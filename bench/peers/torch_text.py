"""PyTorch peer of the Hogwild text benchmark: the fastText model in PyTorch.

EmbeddingBag(mode='mean', sparse=True) -> Linear -> softmax cross-entropy, plain SGD,
batches of 64 documents in file order, learning rate decayed linearly to 0 as fastText
does. --procs 1 trains on one thread (torch.set_num_threads(1)); --procs N > 1 is
Hogwild: model.share_memory() and N forked processes of one thread each, every one
taking its share of the batches and updating the shared weights without locks
(https://pytorch.org/docs/stable/notes/multiprocessing.html).

Reads the binary corpus written by bench/data/corpus.ts (<prefix>.ids.i32,
.offsets.u32, .labels.u8). Prints one JSON line with the results; times only training.
"""
import argparse
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


def load(prefix):
    ids = np.fromfile(prefix + ".ids.i32", dtype="<i4").astype(np.int64)
    offsets = np.fromfile(prefix + ".offsets.u32", dtype="<u4").astype(np.int64)
    labels = np.fromfile(prefix + ".labels.u8", dtype=np.uint8).astype(np.int64)
    return torch.from_numpy(ids), torch.from_numpy(offsets), torch.from_numpy(labels)


class FastText(torch.nn.Module):
    def __init__(self, vocab, dim, classes):
        super().__init__()
        self.embedding = torch.nn.EmbeddingBag(vocab, dim, mode="mean", sparse=True)
        self.linear = torch.nn.Linear(dim, classes)
        # fastText's initialisation: uniform(-1/dim, 1/dim) input vectors, zero output.
        torch.nn.init.uniform_(self.embedding.weight, -1.0 / dim, 1.0 / dim)
        torch.nn.init.zeros_(self.linear.weight)
        torch.nn.init.zeros_(self.linear.bias)

    def forward(self, ids, offsets):
        return self.linear(self.embedding(ids, offsets))


def batches(offsets, batch, rank, procs):
    n = offsets.numel() - 1
    for b, start in enumerate(range(0, n, batch)):
        if b % procs == rank:
            yield start, min(start + batch, n)


def train(rank, model, data, args):
    torch.set_num_threads(1)
    ids, offsets, labels = data
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr)
    bounds = offsets.tolist()
    mine = list(batches(offsets, args.batch, rank, args.procs))
    total = len(mine) * args.epochs
    step = 0
    for _ in range(args.epochs):
        for start, end in mine:
            # Linear decay, updated every 16 steps (setting it costs a Python loop).
            if step % 16 == 0:
                for group in optimizer.param_groups:
                    group["lr"] = args.lr * max(0.0, 1.0 - step / total)
            step += 1
            o0 = bounds[start]
            logits = model(ids[o0:bounds[end]], offsets[start:end] - o0)
            loss = F.cross_entropy(logits, labels[start:end])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()


def p_at_1(model, data):
    ids, offsets, labels = data
    with torch.no_grad():
        pred = model(ids, offsets[:-1]).argmax(dim=1)
    return float((pred == labels).float().mean())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--train", required=True, help="binary corpus prefix")
    parser.add_argument("--test", required=True, help="binary corpus prefix")
    parser.add_argument("--vocab", type=int, required=True)
    parser.add_argument("--classes", type=int, required=True)
    parser.add_argument("--dim", type=int, default=16)
    parser.add_argument("--epochs", type=int, default=5)
    # 3.2 on the batch mean = 0.05 per example: the best of {0.5, 0.1, 0.05} × 64 on the
    # benchmark corpus (0.5 per example, fastText's rate, diverges with batches of 64).
    parser.add_argument("--lr", type=float, default=3.2)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--procs", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    torch.set_num_threads(1)
    train_data, test_data = load(args.train), load(args.test)
    model = FastText(args.vocab, args.dim, args.classes)

    start = time.perf_counter()
    if args.procs == 1:
        train(0, model, train_data, args)
    else:
        model.share_memory()
        ctx = mp.get_context("fork")
        workers = [ctx.Process(target=train, args=(r, model, train_data, args)) for r in range(args.procs)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        if any(w.exitcode != 0 for w in workers):
            sys.exit("a Hogwild worker failed")
    seconds = time.perf_counter() - start

    tokens = int(train_data[0].numel()) * args.epochs
    print(json.dumps({
        "seconds": seconds,
        "tokens": tokens,
        "tokensPerSec": tokens / seconds,
        "p1": p_at_1(model, test_data),
        "selfMaxRssKb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "torch": torch.__version__,
        "numpy": np.__version__,
        "procs": args.procs,
        "torchThreads": torch.get_num_threads(),
        "threadpools": threadpools(),
    }))


if __name__ == "__main__":
    main()
