#!/usr/bin/env python3
"""Reads a hogwild checkpoint without hogwild, for the interop test.

    read_checkpoint.py PATH MODE    MODE: stdlib | numpy | torch | safetensors

Prints {"__metadata__": {...}, "<name>": {"dtype", "shape", "values"}} as JSON.
Exit code 3 when MODE's library is not installed. The stdlib reader is the
whole format: an 8-byte little-endian header length, a JSON header, raw
little-endian data at data_offsets.
"""
import json
import struct
import sys

FORMATS = {"F32": "f", "F64": "d", "I32": "i", "I64": "q", "U8": "B", "BOOL": "?"}


def read_stdlib(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    out = {"__metadata__": header.pop("__metadata__", {})}
    for name, t in header.items():
        begin, end = t["data_offsets"]
        count = 1
        for d in t["shape"]:
            count *= d
        values = struct.unpack("<%d%s" % (count, FORMATS[t["dtype"]]), data[begin:end])
        out[name] = {"dtype": t["dtype"], "shape": t["shape"], "values": list(values)}
    return out


def read_numpy(path):
    import numpy as np

    types = {"F32": "<f4", "F64": "<f8", "I32": "<i4", "I64": "<i8", "U8": "u1", "BOOL": "?"}
    with open(path, "rb") as f:
        n = int(np.frombuffer(f.read(8), "<u8")[0])
        header = json.loads(f.read(n))
        buf = f.read()
    out = {"__metadata__": header.pop("__metadata__", {})}
    for name, t in header.items():
        b, e = t["data_offsets"]
        a = np.frombuffer(buf[b:e], dtype=types[t["dtype"]]).reshape(t["shape"])
        out[name] = {"dtype": t["dtype"], "shape": list(a.shape), "values": a.reshape(-1).tolist()}
    return out


def read_torch(path):
    import torch

    types = {"F32": torch.float32, "F64": torch.float64, "I32": torch.int32, "I64": torch.int64, "U8": torch.uint8, "BOOL": torch.bool}
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        buf = bytearray(f.read())
    out = {"__metadata__": header.pop("__metadata__", {})}
    for name, t in header.items():
        b, e = t["data_offsets"]
        x = torch.frombuffer(buf[b:e], dtype=types[t["dtype"]]) if e > b else torch.empty(0, dtype=types[t["dtype"]])
        x = x.reshape(t["shape"])
        out[name] = {"dtype": t["dtype"], "shape": list(x.shape), "values": x.reshape(-1).tolist()}
    return out


def read_safetensors(path):
    from safetensors import safe_open
    from safetensors.torch import load_file

    tensors = load_file(path)
    with safe_open(path, framework="pt") as f:
        meta = f.metadata()
    inv = {"torch.float32": "F32", "torch.float64": "F64", "torch.int32": "I32", "torch.int64": "I64", "torch.uint8": "U8", "torch.bool": "BOOL"}
    out = {"__metadata__": meta}
    for name, x in tensors.items():
        out[name] = {"dtype": inv[str(x.dtype)], "shape": list(x.shape), "values": x.reshape(-1).tolist()}
    return out


def main():
    path, mode = sys.argv[1], sys.argv[2]
    readers = {"stdlib": read_stdlib, "numpy": read_numpy, "torch": read_torch, "safetensors": read_safetensors}
    try:
        result = readers[mode](path)
    except ImportError as e:
        print("missing: %s" % e, file=sys.stderr)
        sys.exit(3)
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
