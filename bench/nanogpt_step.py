#!/usr/bin/env python3
"""Times nanoGPT's model.py training steps at the workbench's bench sizes, for `seqpe bench` side by side.

nanoGPT is not part of this repository: pass the path of its model.py (github.com/karpathy/nanoGPT).
The step is its train.py loop: forward and loss (under CPU autocast to bf16 for --precision bf16;
train.py itself uses no autocast on the CPU), backward, gradient clipping at 1.0, AdamW from its
configure_optimizers (not fused on the CPU), zero_grad(set_to_none=True). Prints one line per size:
median step seconds and tokens/s.

--maths engine swaps in the engine's choices where nanoGPT's differ, to see what they cost: GPT-2's
tanh GELU for nanoGPT's exact one, and the attention softmax computed in fp32 (autocast runs
nanoGPT's in bf16).

  MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=1073741824 /usr/bin/python3 bench/nanogpt_step.py \\
      --model-py /path/to/nanoGPT/model.py --sizes quickstart medium --precision fp32 bf16

glibc is told to keep freed memory as the engine and bench/reference_gpt.py do (without it the
large per-step buffers are page-faulted back in every step on this platform).
"""
import argparse
import contextlib
import importlib.util
import os
import statistics
import time

import torch

SIZES = {  # the sizes of `seqpe bench` (engine/torch/src/bench/bench_model.cpp)
    "quickstart": dict(n_layer=2, n_embd=128, block_size=128),
    "medium": dict(n_layer=4, n_embd=256, block_size=256),
}


def load_model_py(path):
    spec = importlib.util.spec_from_file_location("nanogpt_model", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def use_engine_maths(mod, model):
    for block in model.transformer.h:
        block.mlp.gelu = torch.nn.GELU(approximate="tanh")
    softmax = mod.F.softmax

    class FunctionalWithFp32Softmax:  # model.py calls F.softmax(att, dim=-1) in its attention
        def __getattr__(self, name):
            return getattr(torch.nn.functional, name)

        @staticmethod
        def softmax(x, dim=None, **kw):
            return softmax(x, dim=dim, dtype=torch.float32)

    mod.F = FunctionalWithFp32Softmax()


def time_size(mod, size, precision, batch, warmup, repeats, maths):
    s = SIZES[size]
    torch.manual_seed(1)
    cfg = mod.GPTConfig(block_size=s["block_size"], vocab_size=4096, n_layer=s["n_layer"], n_head=4,
                        n_embd=s["n_embd"], dropout=0.0, bias=True)
    model = mod.GPT(cfg)
    if maths == "engine":
        use_engine_maths(mod, model)
    model.train()
    opt = model.configure_optimizers(0.1, 6e-4, (0.9, 0.95), "cpu")
    x = torch.randint(0, 4096, (batch, s["block_size"]))
    y = torch.randint(0, 4096, (batch, s["block_size"]))
    ctx = torch.autocast("cpu", dtype=torch.bfloat16) if precision == "bf16" else contextlib.nullcontext()
    times = []
    for it in range(warmup + repeats):
        t0 = time.perf_counter()
        with ctx:
            _, loss = model(x, y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        if it >= warmup:
            times.append(time.perf_counter() - t0)
    step = statistics.median(times)
    return step, batch * s["block_size"] / step


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model-py", required=True, help="nanoGPT's model.py")
    ap.add_argument("--sizes", nargs="+", default=["quickstart", "medium"], choices=sorted(SIZES))
    ap.add_argument("--precision", nargs="+", default=["fp32", "bf16"], choices=["fp32", "bf16"])
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--maths", choices=["nanogpt", "engine"], default="nanogpt",
                    help="engine: tanh GELU and an fp32 attention softmax, as the engine computes")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    for size in a.sizes:
        for precision in a.precision:
            mod = load_model_py(a.model_py)  # fresh: --maths engine patches the module
            step, tps = time_size(mod, size, precision, a.batch, a.warmup, a.repeats, a.maths)
            print(f"nanogpt({a.maths}) {size} {precision} step_ms {1e3 * step:.1f} tokens_per_s {tps:.0f}", flush=True)


if __name__ == "__main__":
    main()
