"""PyTorch DDP peer of the multi-node MLP benchmark (bench/multinode.ts): the
784-H-10 ReLU MLP of torch_mlp.py, trained by `world` processes of one thread
each with DistributedDataParallel on the gloo backend (gradients allreduced
every batch). Rank r takes batches b with b % world == r, in file order, each
of the same batch size as our side. Rank 0 prints one JSON line; times only
training.

    python3 torch_ddp_mlp.py RANK WORLD file:///tmp/init --data DIR --epochs 1 --limit 4000
"""
import argparse
import json
import os
import sys
import time

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel as DDP

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_mlp import accuracy, load, make_model  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("rank", type=int)
    parser.add_argument("world", type=int)
    parser.add_argument("init")
    parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    dist.init_process_group("gloo", init_method=args.init, rank=args.rank, world_size=args.world)
    x, y = load(args.data, "train", args.limit)
    model = DDP(make_model(args.hidden))
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr)
    n = len(y)
    batches = [s for b, s in enumerate(range(0, n, args.batch)) if b % args.world == args.rank]
    # Every rank must run as many steps (DDP allreduces each one).
    steps = (n // args.batch) // args.world
    dist.barrier()
    start = time.perf_counter()
    for _ in range(args.epochs):
        for start_i in batches[:steps]:
            end = min(start_i + args.batch, n)
            loss = F.cross_entropy(model(x[start_i:end]), y[start_i:end])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
    dist.barrier()
    seconds = time.perf_counter() - start
    if args.rank == 0:
        examples = steps * args.batch * args.world * args.epochs
        print(json.dumps({
            "seconds": seconds,
            "examples": examples,
            "examplesPerSec": examples / seconds,
            "testAccuracy": accuracy(model.module, load(args.data, "t10k", 0)),
            "torch": torch.__version__,
        }))
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
