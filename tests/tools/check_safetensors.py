#!/usr/bin/env python3
"""Checks a .safetensors file against the format spec, independently of seqpe's C++ reader.

Needs only numpy and the standard library (the `safetensors` package is not in Debian 12):

    python3 tests/tools/check_safetensors.py model.safetensors            # names, dtypes, shapes, sha256
    python3 tests/tools/check_safetensors.py model.safetensors --torch    # also load each into torch.from_numpy
    python3 tests/tools/check_safetensors.py model.safetensors --archive RUN/checkpoints/step-N/model.pt
                                              # and compare each with the checkpoint (torch.jit.load), exactly

Checks: 8-byte little-endian header size N within the file, the header is a UTF-8 JSON object
starting with '{' (padding: spaces only), 8 + N a multiple of 8 (what seqpe writes; the spec does
not require it), every entry has exactly dtype/shape/data_offsets, known dtypes, offsets consistent
with the shape, the data section covered exactly (no gap, no overlap), metadata values are strings.
Prints one line per tensor: name, dtype, shape, sha256 of its bytes. Exit code 0 valid, 1 invalid.
"""
import argparse
import hashlib
import json
import struct
import sys

import numpy as np

DTYPES = {  # safetensors dtype -> (numpy dtype, bytes per element)
    "BOOL": (np.bool_, 1), "U8": (np.uint8, 1), "I8": (np.int8, 1), "I16": (np.int16, 2), "U16": (np.uint16, 2),
    "I32": (np.int32, 4), "U32": (np.uint32, 4), "I64": (np.int64, 8), "U64": (np.uint64, 8),
    "F16": (np.float16, 2), "BF16": (np.uint16, 2), "F32": (np.float32, 4), "F64": (np.float64, 8),
}
MAX_HEADER = 100_000_000


class Invalid(Exception):
    pass


def no_duplicates(pairs):
    d = {}
    for k, v in pairs:
        if k in d:
            raise Invalid(f"duplicate key {k!r} in the header")
        d[k] = v
    return d


def parse(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        raise Invalid(f"{len(data)} bytes, too short")
    (n,) = struct.unpack("<Q", data[:8])
    if n > MAX_HEADER:
        raise Invalid(f"header size {n} over the 100 MB limit")
    if 8 + n > len(data):
        raise Invalid(f"header size {n} larger than the file ({len(data)} bytes)")
    raw = data[8:8 + n]
    if not raw.startswith(b"{"):
        raise Invalid("the header does not begin with '{'")
    text = raw.decode("utf-8")  # UnicodeDecodeError -> invalid
    body = text.rstrip(" ")
    header = json.loads(body, object_pairs_hook=no_duplicates)
    if not isinstance(header, dict):
        raise Invalid("the header is not a JSON object")
    metadata = header.pop("__metadata__", {})
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise Invalid("__metadata__ must map strings to strings")
    data_bytes = len(data) - 8 - n
    spans = []
    tensors = {}
    for name, e in header.items():
        if not isinstance(e, dict) or set(e) != {"dtype", "shape", "data_offsets"}:
            raise Invalid(f"{name!r}: needs exactly dtype, shape and data_offsets, has {sorted(e) if isinstance(e, dict) else e!r}")
        if e["dtype"] not in DTYPES:
            raise Invalid(f"{name!r}: unknown dtype {e['dtype']!r}")
        shape = e["shape"]
        if not isinstance(shape, list) or not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape):
            raise Invalid(f"{name!r}: shape {shape!r} is not a list of non-negative integers")
        off = e["data_offsets"]
        if not (isinstance(off, list) and len(off) == 2 and all(isinstance(o, int) and o >= 0 for o in off)):
            raise Invalid(f"{name!r}: data_offsets {off!r} is not [begin, end]")
        begin, end = off
        count = 1
        for d in shape:
            count *= d
        need = count * DTYPES[e["dtype"]][1]
        if end < begin or end > data_bytes:
            raise Invalid(f"{name!r}: data_offsets {off} outside the data section of {data_bytes} bytes")
        if end - begin != need:
            raise Invalid(f"{name!r}: {e['dtype']} {shape} needs {need} bytes, data_offsets cover {end - begin}")
        spans.append((begin, end, name))
        tensors[name] = (e["dtype"], shape, data[8 + n + begin:8 + n + end])
    at = 0
    for begin, end, name in sorted(spans):
        if begin != at:
            raise Invalid(f"{name!r}: begins at {begin}, expected {at} (gap or overlap)")
        at = end
    if at != data_bytes:
        raise Invalid(f"the data section has {data_bytes - at} bytes that belong to no tensor")
    return n, metadata, tensors


def to_numpy(dtype, shape, raw):
    np_dtype, _ = DTYPES[dtype]
    a = np.frombuffer(raw, dtype=np.dtype(np_dtype).newbyteorder("<")).reshape(shape)
    if dtype == "BF16":  # numpy has no bfloat16: the upper half of a float32
        a = (a.astype(np.uint32) << 16).view(np.float32)
    return a


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("file")
    ap.add_argument("--torch", action="store_true", help="also load every tensor into torch.from_numpy and report shapes")
    ap.add_argument("--archive", help="a seqpe checkpoint's model.pt: every tensor must equal it exactly (implies --torch)")
    args = ap.parse_args()
    try:
        n, metadata, tensors = parse(args.file)
    except (Invalid, ValueError, UnicodeDecodeError) as e:
        print(f"{args.file}: INVALID: {e}", file=sys.stderr)
        return 1
    print(f"{args.file}: header {n} bytes (8 + N = {8 + n}, {'8-aligned' if (8 + n) % 8 == 0 else 'NOT 8-aligned'}), "
          f"{len(tensors)} tensors")
    for k, v in sorted(metadata.items()):
        print(f"  meta {k} = {v}")
    total = 0
    for name in sorted(tensors):
        dtype, shape, raw = tensors[name]
        a = to_numpy(dtype, shape, raw)
        total += a.size
        print(f"  {name:48s} {dtype:5s} {str(shape):18s} sha256 {hashlib.sha256(raw).hexdigest()[:16]}  "
              f"mean {float(a.astype(np.float64).mean()) if a.size else 0.0:+.6f}")
    print(f"  {total} elements")
    if args.torch or args.archive:
        import torch
        loaded = {}
        for name in sorted(tensors):
            dtype, shape, raw = tensors[name]
            t = torch.from_numpy(to_numpy(dtype, shape, raw).copy())
            if list(t.shape) != shape:
                print(f"{args.file}: {name}: torch shape {list(t.shape)} != {shape}", file=sys.stderr)
                return 1
            loaded[name] = t
        print(f"  torch {torch.__version__}: {len(tensors)} tensors loaded with torch.from_numpy, shapes match")
        if args.archive:
            m = torch.jit.load(args.archive, map_location="cpu")  # the archive seqpe's trainer writes
            ref = {**dict(m.named_parameters()), **dict(m.named_buffers())}
            if set(ref) != set(loaded):
                print(f"{args.file}: names differ from {args.archive}: only in the file {sorted(set(loaded) - set(ref))}, "
                      f"only in the archive {sorted(set(ref) - set(loaded))}", file=sys.stderr)
                return 1
            bad = [k for k in loaded if not torch.equal(loaded[k], ref[k].detach())]
            if bad:
                print(f"{args.file}: differs from {args.archive} in {bad}", file=sys.stderr)
                return 1
            print(f"  every tensor equals {args.archive} exactly")
    return 0


if __name__ == "__main__":
    sys.exit(main())
