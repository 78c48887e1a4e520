#!/usr/bin/env python3
"""The benchmark's reference: the same GPT as the engine's learnable-PE language model, written as
plain PyTorch eager code (a nanoGPT-style pre-LayerNorm decoder, tied embeddings, AdamW with
decay on matrices, gradient clipping), run on the same LibTorch kernels (Debian's python3-torch).
`seqpe bench` runs it beside the engine and reports the ratio. Prints one JSON line.

Written as the fastest known eager GPT code on a CPU: fused qkv projection, one additive causal
mask, tied head as one matmul, AdamW with the multi-tensor (foreach) update, gradients set to None,
and, with --precision bf16, torch.autocast("cpu", bfloat16) around the forward pass (the loss in
fp32). `seqpe bench` runs it with glibc told to keep freed memory, as the engine does.

    /usr/bin/python3 bench/reference_gpt.py --size medium --threads 2 --repeats 7 --precision bf16
"""
import argparse
import json
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

SIZES = {"quickstart": dict(n_layer=2, d=128, heads=4, T=128, B=16),
         "medium": dict(n_layer=4, d=256, heads=4, T=256, B=16)}
VOCAB = 4096


class Block(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.fc, self.fc_out = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)

    def forward(self, x, mask):
        B, T, C = x.shape
        q, k, v = self.qkv(self.ln1(x)).view(B, T, 3, self.heads, C // self.heads).permute(2, 0, 3, 1, 4)
        att = (q * (1.0 / math.sqrt(C // self.heads))) @ k.transpose(-2, -1) + mask  # (B, H, T, T)
        y = (att.softmax(-1) @ v).transpose(1, 2).reshape(B, T, C)
        x = x + self.proj(y)
        return x + self.fc_out(F.gelu(self.fc(self.ln2(x)), approximate="tanh"))


class GPT(nn.Module):
    def __init__(self, n_layer, d, heads, T):
        super().__init__()
        self.wte, self.wpe = nn.Embedding(VOCAB, d), nn.Parameter(torch.randn(T, d) * 0.02)
        self.blocks = nn.ModuleList(Block(d, heads) for _ in range(n_layer))
        self.ln_f = nn.LayerNorm(d)
        self.register_buffer("mask", torch.full((T, T), float("-inf")).triu(1))

    def forward(self, idx):
        x = self.wte(idx) + self.wpe[: idx.shape[1]]
        for b in self.blocks:
            x = b(x, self.mask)
        return self.ln_f(x) @ self.wte.weight.t()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="medium", choices=SIZES)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--precision", default="fp32", choices=["fp32", "bf16"])
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    s = SIZES[a.size]
    model = GPT(s["n_layer"], s["d"], s["heads"], s["T"])
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    groups = [{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}]
    try:
        opt = torch.optim.AdamW(groups, lr=1e-3, betas=(0.9, 0.95), foreach=True)
    except TypeError:  # a PyTorch without the foreach option
        opt = torch.optim.AdamW(groups, lr=1e-3, betas=(0.9, 0.95))
    bf16 = a.precision == "bf16"
    x = torch.randint(0, VOCAB, (s["B"], s["T"]))
    y = torch.randint(0, VOCAB, (s["B"], s["T"]))
    times = []
    for it in range(a.warmup + a.repeats):
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            logits = model(x)
        loss = F.cross_entropy(logits.view(-1, VOCAB).float(), y.view(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if it >= a.warmup:
            times.append(time.perf_counter() - t0)
    step = sorted(times)[len(times) // 2]
    print(json.dumps({"size": a.size, "step_s": step, "tokens_per_s": s["B"] * s["T"] / step,
                      "precision": a.precision, "torch": torch.__version__, "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
