"""Checkpoint peers for bench/checkpoint.ts, one operation per (fresh) process.

    python3 checkpoint_peers.py MODE PATH [BYTES]

Prints one JSON line: {"s": seconds} for the operation alone (interpreter start
and imports excluded), or {"skipped": "not installed: ..."}.

  torch-save PATH BYTES  torch.save of 16 float32 tensors totalling BYTES, then fsync
                         (the same durability as a hogwild save; torch.save alone does not fsync)
  torch-load PATH        torch.load of that file
  numpy-fromfile PATH    numpy.fromfile of the whole file (uint8): a plain read into fresh memory
  st-load-file PATH      safetensors.torch.load_file (reads every tensor into fresh memory)
  st-safe-open PATH      safetensors safe_open (memory mapped) + get_tensor of every tensor
"""
import json
import os
import sys
import time


def out(**kw):
    print(json.dumps(kw), flush=True)


def main():
    mode, path = sys.argv[1], sys.argv[2]
    if mode.startswith("st-"):
        try:
            import safetensors  # noqa: F401
            from safetensors import safe_open
            from safetensors.torch import load_file
        except ImportError as e:
            out(skipped=f"not installed: safetensors ({e}); apt-cache policy python3-safetensors shows no Debian package here and PyPI is not reachable")
            return
        t0 = time.perf_counter()
        if mode == "st-load-file":
            tensors = load_file(path)
            total = sum(t.numel() for t in tensors.values())
        else:
            total = 0
            with safe_open(path, framework="pt") as f:
                for k in f.keys():
                    total += f.get_tensor(k).numel()
        out(s=time.perf_counter() - t0, elements=int(total))
        return
    if mode == "numpy-fromfile":
        import numpy as np
        t0 = time.perf_counter()
        a = np.fromfile(path, dtype=np.uint8)
        out(s=time.perf_counter() - t0, bytes=int(a.nbytes))
        return
    try:
        import torch
    except ImportError as e:
        out(skipped=f"not installed: torch ({e}); apt-get install python3-torch")
        return
    if mode == "torch-save":
        n = int(sys.argv[3]) // 4 // 16
        tensors = {f"layer{i}/w": torch.full((n,), i + 0.5, dtype=torch.float32) for i in range(16)}
        t0 = time.perf_counter()
        with open(path, "wb") as f:
            torch.save(tensors, f)
            f.flush()
            os.fsync(f.fileno())
        out(s=time.perf_counter() - t0, bytes=os.path.getsize(path))
    elif mode == "torch-load":
        t0 = time.perf_counter()
        tensors = torch.load(path)
        total = sum(t.numel() for t in tensors.values())
        out(s=time.perf_counter() - t0, elements=int(total))
    else:
        raise SystemExit(f"unknown mode {mode}")


main()
