#!/usr/bin/python3
"""Golden-value generator for tests/engine/test_golden.cpp.

An INDEPENDENT float64 PyTorch reference of SeqPE (arXiv 2506.13277) and the baseline position
encodings, written from the method as docs/METHOD.md and the paper describe it (digits, encoder,
attention application, objectives; the § numbers below are that page's sections) -- NOT from the
C++ engine. It writes small JSON fixtures that the C++ test compares
the engine against. CI never runs this script: the fixtures are committed.

Regenerating the goldens is a deliberate act (it changes what the engine is tested against):

    apt-get install -y --no-install-recommends python3-torch python3-numpy   # Debian's torch
    /usr/bin/python3 tests/tools/gen_golden.py            # writes tests/engine/golden/*.json
    /usr/bin/python3 tests/tools/gen_golden.py --check    # recompute, compare with the committed files

(/usr/bin/python3: a pyenv python first on PATH cannot see Debian's torch.) Review the diff of
tests/engine/golden/ before committing; bump FORMAT when the JSON layout changes (the C++ test
checks it).

Files written (tests/engine/golden/):
    encoder.json    SeqPE encoder e(p) (1D, 2D, per_dim slots, mask_padding, no-final-LN +
                    temperature), digit tokenisation, parameter counts of the official sizes
    seqpe_qk.json   encoder -> q/k map (single, 1D attn_mul; multi, 2D attn_mul with the class PE)
    losses.json     contrastive loss (5.3); transfer loss (6.3): KL / MSE, beta = 1 / < 1, values
                    and gradients
    attn_apply.json attn_mul / attn_add / attn_scalar logits (3.3) with G > 1 layouts
    rope.json       RoPE 1D (RoFormer pairs), RoPE 2D axial (class token unrotated)
    alibi_sinusoid.json  ALiBi slopes + biases (paper and official scaling), sinusoid rows
    resample.json   linear 512 -> 1024 and bicubic 4x4 -> 7x7 resampling (align_corners=False)
    attention.json  one full attention call (scale, bias, causal mask, softmax, @ v)
    field_encodings.json  T5 bias (1D one-sided, 2D per-axis bidirectional buckets), FIRE, KERPLE (log,
                    power, 2D), xPos, RoPE's NTK and YaRN extensions (1D, 2D per-axis factors)

Deterministic weights (no weight files): every parameter is filled by
    i = arange(numel) (float64);  w = offset + amp * sin(1.618 * seed + 0.7071 * i + 0.0577 * (i * i))
reshaped row-major to the PyTorch shape ((out, in) for linear weights, (rows, E) for embedding
tables). The quadratic phase term matters: without it every matrix would be
sin(a + b*i) = rank 2 (each row a combination of cos(b*c) and sin(b*c)), which hides bugs; with
it the test matrices are full rank (smallest/largest singular value >= 0.04 for the shapes used).
Evaluate exactly in this order (0.0577 * (i * i), not (0.0577 * i) * i) so both sides round alike.
Role -> (seed, amp, offset), with seed += 100 * l for block / map index l:

    name                       seed  amp  offset   name                     seed  amp  offset
    tok.weight                   1   1.0   0       blocks.l.fc.weight         18   0.3   0
    slot.weight                  2   1.0   0       blocks.l.fc.bias           19   0.1   0
    dim       (d, E)             3   1.0   0       blocks.l.fc_out.weight     20   0.2   0
    cls       (E)                4   1.0   0       blocks.l.fc_out.bias       21   0.1   0
    blocks.l.ln1.weight         10   0.1   1       ln_f.weight                30   0.1   1
    blocks.l.ln1.bias           11   0.1   0       ln_f.bias                  31   0.1   0
    blocks.l.qkv.weight (3E,E)  12   0.3   0       out_proj.weight            32   0.3   0
    blocks.l.qkv.bias           13   0.1   0       out_proj.bias              33   0.1   0
    blocks.l.proj.weight        14   0.2   0       qk_single.weight (2P,P)    40   0.3   0
    blocks.l.proj.bias          15   0.1   0       qk_single.bias             41   0.1   0
    blocks.l.ln2.weight         16   0.1   1       qk_multi.l.weight          42   0.3   0
    blocks.l.ln2.bias           17   0.1   0       qk_multi.l.bias            43   0.1   0
                                                   cls_pe (P)                 44   1.0   0
A parameter's role and index come from its name ("encoder.blocks.1.qkv.weight" -> qkv.weight,
l = 1; "qk_multi.1.bias" -> qk_multi.bias, l = 1), as the C++ module names them. encoder.json and
seqpe_qk.json carry this table under "roles" (the C++ test checks its own copy against it) and the
total parameter count of each case under "num_params". Plain input tensors (q, k, anchors, ...)
use the same formula with the seed / amp / shape given in each fixture; only outputs are stored.
See also tests/engine/golden/README.md.
"""

import argparse
import json
import math
import os
import sys

import torch
import torch.nn.functional as F

FORMAT = 1
DT = torch.float64
HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.normpath(os.path.join(HERE, "..", "engine", "golden"))


# ---- deterministic values --------------------------------------------------------------------------

def formula(seed, shape, amp=1.0, offset=0.0):
    n = 1
    for s in shape:
        n *= s
    i = torch.arange(n, dtype=DT)
    return (offset + amp * torch.sin(1.618 * seed + 0.7071 * i + 0.0577 * (i * i))).reshape(shape)


ROLES = {  # suffix -> (seed, amp, offset)
    "tok.weight": (1, 1.0, 0.0), "slot.weight": (2, 1.0, 0.0), "dim": (3, 1.0, 0.0), "cls": (4, 1.0, 0.0),
    "ln1.weight": (10, 0.1, 1.0), "ln1.bias": (11, 0.1, 0.0),
    "qkv.weight": (12, 0.3, 0.0), "qkv.bias": (13, 0.1, 0.0),
    "proj.weight": (14, 0.2, 0.0), "proj.bias": (15, 0.1, 0.0),
    "ln2.weight": (16, 0.1, 1.0), "ln2.bias": (17, 0.1, 0.0),
    "fc.weight": (18, 0.3, 0.0), "fc.bias": (19, 0.1, 0.0),
    "fc_out.weight": (20, 0.2, 0.0), "fc_out.bias": (21, 0.1, 0.0),
    "ln_f.weight": (30, 0.1, 1.0), "ln_f.bias": (31, 0.1, 0.0),
    "out_proj.weight": (32, 0.3, 0.0), "out_proj.bias": (33, 0.1, 0.0),
    "qk_single.weight": (40, 0.3, 0.0), "qk_single.bias": (41, 0.1, 0.0),
    "qk_multi.weight": (42, 0.3, 0.0), "qk_multi.bias": (43, 0.1, 0.0),
    "cls_pe": (44, 1.0, 0.0),
}


def role_of(name):
    """Parameter name -> (role, index): "encoder.blocks.1.qkv.weight" -> ("qkv.weight", 1). The C++ test
    derives the seed from the module's own parameter names the same way."""
    parts = name.split(".")
    if parts[0] == "encoder":
        parts = parts[1:]
    if len(parts) >= 3 and parts[1].isdigit():
        return ".".join(parts[2:]) if parts[0] == "blocks" else parts[0] + "." + ".".join(parts[2:]), int(parts[1])
    return ".".join(parts), 0


class Params:
    """Named float64 parameters, each filled by the formula of its role."""

    def __init__(self):
        self.t = {}

    def add(self, name, shape):
        role, index = role_of(name)
        seed, amp, off = ROLES[role]
        self.t[name] = formula(seed + 100 * index, shape, amp, off)
        return self.t[name]

    def count(self):
        return sum(t.numel() for t in self.t.values())

    def __getitem__(self, k):
        return self.t[k]


def T(x):
    """Tensor -> {"shape", "data"} (row-major, float64 repr round-trips)."""
    x = torch.as_tensor(x)
    return {"shape": list(x.shape), "data": [float(v) for v in x.reshape(-1).tolist()]}


def I(x):
    x = torch.as_tensor(x)
    return {"shape": list(x.shape), "data": [int(v) for v in x.reshape(-1).tolist()]}


# ---- §1 tokenisation -------------------------------------------------------------------------------

def digits_for(max_position, dims):
    """§1.1: D = #decimal characters of (P-1) in 1D, of (floor(sqrt(P)) - 1) in 2D."""
    if dims == 1:
        return len(str(max_position - 1))
    return len(str(math.isqrt(max_position) - 1))


def tokenize(pos, D):
    """pos: tuple of d ints -> (tokens, pad mask), big-endian, left-padded with digit 0 (§1.1)."""
    toks, mask = [], []
    for p in pos:
        assert 0 <= p <= 10 ** D - 1, "not representable"
        s = str(p)
        toks += [0] * (D - len(s)) + [int(c) for c in s]
        mask += [0] * (D - len(s)) + [1] * len(s)
    return toks, mask


# ---- §2 encoder ---------------------------------------------------------------------------------

def layer_norm(x, w, b, eps=1e-5):
    mu = x.mean(-1, keepdim=True)
    var = ((x - mu) ** 2).mean(-1, keepdim=True)
    return (x - mu) / torch.sqrt(var + eps) * w + b


def gelu_new(x):  # GPT-2 "gelu_new", tanh approximation
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def linear(x, p, name):
    return x @ p[name + ".weight"].T + p[name + ".bias"]


def encoder_params(E, D, d, layers, out, per_dim=False, last_ln=True):
    p = Params()
    p.add("tok.weight", (10, E))
    p.add("slot.weight", (D if per_dim else D * d, E))
    if d > 1:
        p.add("dim", (d, E))
    p.add("cls", (E,))
    for l in range(layers):
        for n, shape in (("ln1.weight", (E,)), ("ln1.bias", (E,)), ("qkv.weight", (3 * E, E)), ("qkv.bias", (3 * E,)),
                         ("proj.weight", (E, E)), ("proj.bias", (E,)), ("ln2.weight", (E,)), ("ln2.bias", (E,)),
                         ("fc.weight", (4 * E, E)), ("fc.bias", (4 * E,)), ("fc_out.weight", (E, 4 * E)),
                         ("fc_out.bias", (E,))):
            p.add("blocks.%d.%s" % (l, n), shape)
    if last_ln:
        p.add("ln_f.weight", (E,))
        p.add("ln_f.bias", (E,))
    p.add("out_proj.weight", (out, E))
    p.add("out_proj.bias", (out,))
    return p


def encoder_forward(p, cfg, positions):
    """§2.2 forward. positions: list of d-tuples -> (M, out)."""
    E, H, D, d, layers = cfg["E"], cfg["heads"], cfg["D"], cfg["d"], cfg["layers"]
    L = D * d
    Dh = E // H
    toks, pads = zip(*[tokenize(pos, D) for pos in positions])
    tokens = torch.tensor(toks, dtype=torch.long)                   # (M, L)
    pad = torch.tensor(pads, dtype=DT)                               # (M, L)
    M = tokens.shape[0]
    slot_ids = torch.tensor([(j % D) if cfg["per_dim"] else j for j in range(L)])
    x = p["tok.weight"][tokens] + p["slot.weight"][slot_ids].unsqueeze(0)
    if d > 1:
        x = x + p["dim"][torch.tensor([j // D for j in range(L)])].unsqueeze(0)
    x = torch.cat([x, p["cls"].view(1, 1, E).expand(M, 1, E)], 1)  # CLS appended LAST
    mask = torch.tril(torch.ones(L + 1, L + 1, dtype=DT)).expand(M, L + 1, L + 1)
    if cfg["mask_padding"]:
        keymask = torch.cat([pad, torch.ones(M, 1, dtype=DT)], 1)   # CLS key always visible
        mask = mask * keymask.unsqueeze(1)
    add = (1.0 - mask).unsqueeze(1) * torch.finfo(DT).min           # (M, 1, L+1, L+1)
    for l in range(layers):
        b = "blocks.%d." % l
        h = layer_norm(x, p[b + "ln1.weight"], p[b + "ln1.bias"])
        qkv = linear(h, p, b + "qkv")                                  # fused, first E = q, then k, v
        q, k, v = qkv.split(E, -1)
        q, k, v = (t.reshape(M, L + 1, H, Dh).transpose(1, 2) for t in (q, k, v))
        logits = q @ k.transpose(-1, -2) / math.sqrt(Dh) + add
        a = torch.softmax(logits, -1) @ v
        a = a.transpose(1, 2).reshape(M, L + 1, E)
        x = x + linear(a, p, b + "proj")
        h = layer_norm(x, p[b + "ln2.weight"], p[b + "ln2.bias"])
        x = x + linear(gelu_new(linear(h, p, b + "fc")), p, b + "fc_out")
    if cfg["last_ln"]:
        x = layer_norm(x, p["ln_f.weight"], p["ln_f.bias"])
    return linear(x[:, L], p, "out_proj") / cfg["temperature"]


def count_encoder_params(E, D, d, layers, out):
    """§2.1 shapes -> parameter count (checked against §2.5 / §11.26)."""
    n = 10 * E + D * d * E + (d * E if d > 1 else 0) + E
    block = 2 * E + (3 * E * E + 3 * E) + (E * E + E) + 2 * E + (4 * E * E + 4 * E) + (4 * E * E + E)
    return n + layers * block + 2 * E + out * E + out


def gen_encoder():
    cases = []
    base = dict(E=16, heads=2, layers=2, out=16, per_dim=False, mask_padding=False, last_ln=True, temperature=1.0)
    specs = [
        ("1d", dict(d=1, max_position=20000), [(0,), (7,), (507,), (19999,), (32767,)]),
        ("2d", dict(d=2, max_position=10000), [(0, 0), (12, 7), (2, 3), (99, 99)]),
        ("2d_per_dim", dict(d=2, max_position=10000, per_dim=True), [(0, 0), (12, 7), (2, 3), (99, 99)]),
        ("1d_mask_padding", dict(d=1, max_position=20000, mask_padding=True), [(0,), (7,), (507,), (19999,), (32767,)]),
        ("1d_no_final_ln_temperature", dict(d=1, max_position=20000, last_ln=False, temperature=2.5),
         [(0,), (507,), (32767,)]),
    ]
    for name, over, positions in specs:
        cfg = dict(base, **over)
        cfg["D"] = digits_for(cfg["max_position"], cfg["d"])
        p = encoder_params(cfg["E"], cfg["D"], cfg["d"], cfg["layers"], cfg["out"], cfg["per_dim"], cfg["last_ln"])
        e = encoder_forward(p, cfg, positions)
        toks, pads = zip(*[tokenize(pos, cfg["D"]) for pos in positions])
        cases.append({"name": name, "config": cfg, "num_params": p.count(), "positions": I(torch.tensor(positions)),
                      "tokens": I(torch.tensor(toks)), "pad_mask": I(torch.tensor(pads)), "e": T(e)})
    # §1.3 worked examples must come out of the tokeniser used above.
    assert tokenize((507,), 5) == ([0, 0, 5, 0, 7], [0, 0, 1, 1, 1])
    assert tokenize((0,), 5) == ([0, 0, 0, 0, 0], [0, 0, 0, 0, 1])
    assert tokenize((12, 7), 2) == ([1, 2, 0, 7], [1, 1, 0, 1])
    assert tokenize((2, 3), 2)[0] == [0, 2, 0, 3]
    assert [digits_for(20000, 1), digits_for(10000, 1), digits_for(10000, 2), digits_for(100000, 1)] == [5, 4, 2, 5]
    # §2.5 / §11.26 parameter counts.
    text = count_encoder_params(768, 5, 1, 2, 768)
    vit = count_encoder_params(384, 2, 2, 2, 384)
    assert text == 14780160 and vit == 3704064, (text, vit)
    # cross-check the counting formula against the actual parameter tables of the reference
    p = encoder_params(768, 5, 1, 2, 768)
    assert sum(t.numel() for t in p.t.values()) == text
    qk_text = 768 * 1536 + 1536
    qk_vit = 12 * (384 * 768 + 768)
    assert qk_text == 1181184 and qk_vit == 3548160
    counts = {
        "text_encoder": text, "text_single_qk_map": qk_text, "vit_s_encoder": vit, "vit_s_multi_qk_maps": qk_vit,
        "vit_s_cls_pe": 384,
        "text": {"d_model": 768, "n_head": 12, "n_layer": 12, "embed_dim": 768, "heads": 12, "max_position": 20000},
        "vit_s": {"d_model": 384, "n_head": 6, "n_layer": 12, "embed_dim": 384, "heads": 6, "max_position": 10000},
    }
    return {"cases": cases, "param_counts": counts}


# ---- §3.2 q/k map after the encoder -------------------------------------------------------------

def gen_seqpe_qk():
    out = []
    # (a) text-like: 1D, single shared map, multi-head PE (P = d_model = 16, 2 heads, Dh 8).
    # (b) image-like: 2D, per-layer maps, class-token PE prepended (P = 32, 4 heads, Dh 8), layer 1.
    specs = [
        dict(name="1d_single", d=1, max_position=20000, d_model=16, n_head=2, n_layer=2, E=16, heads=2, layers=2,
             qk="single", layer=0, prefix=0, positions=[(0,), (7,), (507,), (19999,)]),
        dict(name="2d_multi_cls", d=2, max_position=10000, d_model=32, n_head=4, n_layer=2, E=16, heads=2, layers=2,
             qk="multi", layer=1, prefix=1, positions=[(0, 0), (0, 1), (12, 7), (99, 99)]),
    ]
    for s in specs:
        P = s["d_model"]
        cfg = dict(E=s["E"], heads=s["heads"], layers=s["layers"], out=P, d=s["d"], D=digits_for(s["max_position"], s["d"]),
                   per_dim=False, mask_padding=False, last_ln=True, temperature=1.0)
        p = encoder_params(cfg["E"], cfg["D"], cfg["d"], cfg["layers"], P)
        e = encoder_forward(p, cfg, s["positions"])                  # (N, P)
        maps = Params()
        if s["qk"] == "single":
            W = maps.add("qk_single.weight", (2 * P, P))
            b = maps.add("qk_single.bias", (2 * P,))
        else:
            for l in range(s["n_layer"]):
                maps.add("qk_multi.%d.weight" % l, (2 * P, P))
                maps.add("qk_multi.%d.bias" % l, (2 * P,))
            W, b = maps["qk_multi.%d.weight" % s["layer"]], maps["qk_multi.%d.bias" % s["layer"]]
        if s["prefix"]:
            cls_pe = maps.add("cls_pe", (P,))
            e = torch.cat([cls_pe.view(1, P), e], 0)                  # class PE prepended (§3.1)
        m = e @ W.T + b                                                # (T, 2P)
        Hh, Dh = s["n_head"], P // s["n_head"]
        pq = m[:, :P].reshape(-1, Hh, Dh).transpose(0, 1)              # (H, T, Dh): head h = [h*Dh, (h+1)*Dh)
        pk = m[:, P:].reshape(-1, Hh, Dh).transpose(0, 1)
        out.append({"name": s["name"], "config": {k: v for k, v in s.items() if k not in ("name", "positions")},
                    "num_params": p.count() + maps.count(), "positions": I(torch.tensor(s["positions"])),
                    "pq": T(pq), "pk": T(pk)})
    return {"cases": out}


# ---- §5.3 / §6.3 losses ---------------------------------------------------------------------------

def contrastive(anchors, cands, labels):
    z = torch.einsum("bp,bcp->bc", anchors, cands)
    return (-z.gather(1, labels.view(-1, 1)).squeeze(1) + torch.logsumexp(z, 1)).mean()


def log_sim(x, H, lam):
    B, n, P = x.shape
    h = x.reshape(B, n, H, P // H).transpose(1, 2)                   # (B, H, n, Dh)
    g = lam * (h @ h.transpose(-1, -2))
    return g - torch.logsumexp(g, -1, keepdim=True)


def sym_kl_mean(lt, ls):
    return (lt.exp() * (lt - ls) + ls.exp() * (ls - lt)).mean()


def transfer(teacher, student, H, metric, beta, lam):
    lt, ls = log_sim(teacher, H, lam), log_sim(student, H, lam)
    if metric == "kl_div":
        loss = beta * sym_kl_mean(lt.detach(), ls)
        if beta < 1:
            loss = loss + (1 - beta) * sym_kl_mean(lt, ls.detach())
    else:
        loss = beta * ((ls - lt.detach()) ** 2).mean()
        if beta < 1:
            loss = loss + (1 - beta) * ((ls.detach() - lt) ** 2).mean()
    return loss


def gen_losses():
    B, c, P = 3, 4, 6
    anchors = formula(101, (B, P))
    cands = formula(102, (B, c, P))
    labels = torch.tensor([2, 0, 3])
    ct = contrastive(anchors, cands, labels)
    # cross-check with the library CE
    ref = F.cross_entropy(torch.einsum("bp,bcp->bc", anchors, cands), labels)
    assert abs(ct.item() - ref.item()) < 1e-12

    Bt, n, Pt, H = 2, 3, 4, 2
    teacher0 = formula(103, (Bt, n, Pt), 0.8)
    student0 = formula(104, (Bt, n, Pt), 0.8)
    variants = []
    for metric, beta, lam in (("kl_div", 1.0, 1.0), ("kl_div", 0.7, 1.0), ("kl_div", 1.0, 0.5),
                              ("mse", 1.0, 1.0), ("mse", 0.6, 1.0)):
        t = teacher0.clone().requires_grad_(True)
        s = student0.clone().requires_grad_(True)
        loss = transfer(t, s, H, metric, beta, lam)
        gt, gs = torch.autograd.grad(loss, [t, s], allow_unused=True)
        gt = torch.zeros_like(t) if gt is None else gt  # beta = 1: the teacher is detached
        if beta == 1.0:
            assert gt.abs().max().item() == 0.0  # §11.16
        variants.append({"metric": metric, "beta": beta, "logit_scale": lam, "loss": loss.item(),
                         "grad_teacher": T(gt) if beta < 1 else None, "grad_student": T(gs)})
    # §11.17: loss = (1/(B H n^2)) sum_{b,h,j} [KL(PT_j||PS_j) + KL(PS_j||PT_j)]
    lt, ls = log_sim(teacher0, H, 1.0), log_sim(student0, H, 1.0)
    kl = lambda a, b: (a.exp() * (a - b)).sum(-1)
    alt = (kl(lt, ls) + kl(ls, lt)).sum() / (Bt * H * n * n)
    assert abs(alt.item() - variants[0]["loss"]) < 1e-14
    # §11.16: zero for identical chunks; invariant to an orthogonal transform of every student chunk.
    assert transfer(teacher0, teacher0.clone(), H, "kl_div", 1.0, 1.0).item() == 0.0
    Q, _ = torch.linalg.qr(formula(105, (Pt // H, Pt // H)))
    rot = (student0.reshape(Bt, n, H, Pt // H) @ Q).reshape(Bt, n, Pt)
    assert abs(transfer(teacher0, rot, H, "kl_div", 1.0, 1.0).item() - variants[0]["loss"]) < 1e-12
    return {"contrastive": {"anchors": {"seed": 101, "amp": 1.0, "shape": [B, P]},
                            "cands": {"seed": 102, "amp": 1.0, "shape": [B, c, P]},
                            "labels": I(labels), "loss": ct.item()},
            "transfer": {"heads": H, "teacher": {"seed": 103, "amp": 0.8, "shape": [Bt, n, Pt]},
                         "student": {"seed": 104, "amp": 0.8, "shape": [Bt, n, Pt]}, "variants": variants,
                         "note": "grad_teacher null: exactly zero (beta = 1, teacher detached)"}}


# ---- §3.3 attn_* application --------------------------------------------------------------------

def gen_attn_apply():
    B, H, Tn, Dh, G = 4, 2, 3, 4, 2
    q, k = formula(201, (B, H, Tn, Dh)), formula(202, (B, H, Tn, Dh))
    pq, pk = formula(203, (G, H, Tn, Dh)), formula(204, (G, H, Tn, Dh))
    pq1, pk1 = formula(205, (G, 1, Tn, Dh)), formula(206, (G, 1, Tn, Dh))  # USE_PE_MULTI_HEAD off
    cases = []
    for method, s, multi in (("attn_mul", 1.0, True), ("attn_add", 1.0, True), ("attn_scalar", 1.0, True),
                             ("attn_scalar", 2.5, True), ("attn_mul", 1.0, False), ("attn_add", 1.0, False),
                             ("attn_scalar", 2.5, False)):
        PQ, PK = (pq, pk) if multi else (pq1, pk1)
        logits = torch.empty(B, H, Tn, Tn, dtype=DT)
        for b in range(B):
            g = b % G                                                  # §3.1 / §11.12
            for h in range(H):
                hp = h if multi else 0
                qi, kj, a, c = q[b, h], k[b, h], PQ[g, hp], PK[g, hp]
                if method == "attn_mul":
                    l = (qi * a) @ (kj * c).T
                elif method == "attn_add":
                    l = (qi + a) @ (kj + c).T
                else:
                    l = qi @ kj.T + s * (a @ c.T)
                logits[b, h] = l / math.sqrt(Dh)
        cases.append({"method": method, "scalar_scale": s, "multi_head": multi, "logits": T(logits)})
    return {"inputs": {"q": {"seed": 201, "amp": 1.0, "shape": [B, H, Tn, Dh]},
                       "k": {"seed": 202, "amp": 1.0, "shape": [B, H, Tn, Dh]},
                       "pq": {"seed": 203, "amp": 1.0, "shape": [G, H, Tn, Dh]},
                       "pk": {"seed": 204, "amp": 1.0, "shape": [G, H, Tn, Dh]},
                       "pq_one_head": {"seed": 205, "amp": 1.0, "shape": [G, 1, Tn, Dh]},
                       "pk_one_head": {"seed": 206, "amp": 1.0, "shape": [G, 1, Tn, Dh]}},
            "cases": cases}


# ---- §9 baselines ---------------------------------------------------------------------------------

def rope_rotate(x, ang):
    """x (..., Dh); ang (Dh/2): adjacent pairs (x_2i, x_2i+1) rotated by ang_i (RoFormer)."""
    a, b = x[..., 0::2], x[..., 1::2]
    out = torch.empty_like(x)
    out[..., 0::2] = a * torch.cos(ang) - b * torch.sin(ang)
    out[..., 1::2] = a * torch.sin(ang) + b * torch.cos(ang)
    return out


def alibi_slopes(n):
    # The ALiBi paper's recipe: geometric sequence starting at 2^(-8/n) for powers of two; otherwise
    # the closest power of two plus every other slope of the 2x sequence.
    def pow2(m):
        start = 2 ** (-(2 ** -(math.log2(m) - 3)))
        return [start * start ** i for i in range(m)]
    if math.log2(n).is_integer():
        return pow2(n)
    c = 2 ** math.floor(math.log2(n))
    return pow2(c) + alibi_slopes(2 * c)[0::2][: n - c]


def bicubic_weights(t, A=-0.75):
    def w1(x):  # |x| <= 1
        return ((A + 2) * x - (A + 3)) * x * x + 1
    def w2(x):  # 1 < |x| < 2
        return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A
    return [w2(t + 1), w1(t), w1(1 - t), w2(2 - t)]


def bicubic_resize(table, h, w):
    """table (g1, g2, C) -> (h, w, C); cubic convolution A = -0.75, align_corners = False,
    source coordinate (j + 0.5) * in / out - 0.5 (NOT clamped for cubic), indices clamped to the border."""
    g1, g2, C = table.shape
    out = torch.zeros(h, w, C, dtype=DT)
    for i in range(h):
        sy = (i + 0.5) * g1 / h - 0.5
        y0 = math.floor(sy)
        wy = bicubic_weights(sy - y0)
        for j in range(w):
            sx = (j + 0.5) * g2 / w - 0.5
            x0 = math.floor(sx)
            wx = bicubic_weights(sx - x0)
            for a in range(4):
                for b in range(4):
                    yy = min(max(y0 - 1 + a, 0), g1 - 1)
                    xx = min(max(x0 - 1 + b, 0), g2 - 1)
                    out[i, j] += wy[a] * wx[b] * table[yy, xx]
    return out


def gen_baselines():
    res = {}
    # RoPE 1D: H = 2, Dh = 8, positions [0, 1, 5, 100], base 10000; theta_i = p / base^(2i/Dh).
    H, Dh, base = 2, 8, 10000.0
    pos = [0, 1, 5, 100]
    q = formula(301, (1, H, len(pos), Dh))
    rot = torch.empty_like(q)
    for t, p in enumerate(pos):
        ang = torch.tensor([p / base ** (2 * i / Dh) for i in range(Dh // 2)], dtype=DT)
        rot[:, :, t] = rope_rotate(q[:, :, t], ang)
    res["rope_1d"] = {"heads": H, "head_dim": Dh, "base": base, "positions": pos,
                      "q": {"seed": 301, "amp": 1.0, "shape": list(q.shape)}, "rotated": T(rot)}
    # RoPE 2D axial: H = 1, Dh = 16, class token first (not rotated); first Dh/4 pairs by the column,
    # last Dh/4 by the row, frequencies 1/base^(k/Dh), k = 0, 4, ...
    for base2 in (10000.0, 100.0):
        Dh2 = 16
        pos2 = [(0, 0), (3, 5), (13, 2), (99, 99)]
        q2 = formula(302, (1, 1, 1 + len(pos2), Dh2))
        rot2 = q2.clone()
        freqs = [1.0 / base2 ** (k / Dh2) for k in range(0, Dh2, 4)]  # Dh/4 of them
        for t, (r, c) in enumerate(pos2):
            ang = torch.tensor([c * f for f in freqs] + [r * f for f in freqs], dtype=DT)
            rot2[:, :, 1 + t] = rope_rotate(q2[:, :, 1 + t], ang)
        res["rope_2d_base%d" % int(base2)] = {"heads": 1, "head_dim": Dh2, "base": base2, "prefix": 1,
                                              "positions": [list(p) for p in pos2],
                                              "q": {"seed": 302, "amp": 1.0, "shape": list(q2.shape)},
                                              "rotated": T(rot2)}
    # ALiBi: 12 heads, d_head 8 (d_model 96), 5 positions: paper -slope*|i-j|; official / sqrt(d_head).
    slopes = alibi_slopes(12)
    assert max(abs(a - b) for a, b in zip(slopes, [0.5, 0.25, 0.125, 0.0625, 0.03125, 0.015625, 0.0078125,
                                                      0.00390625, 0.7071068, 0.3535534, 0.1767767, 0.0883883])) < 1e-7
    assert alibi_slopes(8) == [2.0 ** -(i + 1) for i in range(8)]
    n = 4
    dist = torch.tensor([[abs(i - j) for j in range(n)] for i in range(n)], dtype=DT)
    paper = -torch.tensor(slopes, dtype=DT).view(12, 1, 1) * dist
    res["alibi"] = {"heads": 12, "d_model": 96, "length": n, "slopes": slopes, "paper": T(paper),
                    "official": T(paper / math.sqrt(8))}
    # Sinusoid rows: dim 2i = sin(p / base^(2i/dim)), 2i+1 = cos.
    dim = 16
    spos = [0, 1, 7, 100, 19999, 32767]
    rows = torch.empty(len(spos), dim, dtype=DT)
    for r, p in enumerate(spos):
        for i in range(dim // 2):
            a = p / 10000.0 ** (2 * i / dim)
            rows[r, 2 * i], rows[r, 2 * i + 1] = math.sin(a), math.cos(a)
    assert rows[0].tolist() == [0.0, 1.0] * (dim // 2)  # §11.21
    res["sinusoid"] = {"dim": dim, "base": 10000.0, "positions": spos, "rows": T(rows)}
    # Linear 512 -> 1024 (align_corners = False): out j samples (j + 0.5) * 512 / 1024 - 0.5, clamped.
    Lin, Lout, C = 512, 1024, 3
    table = formula(303, (Lin, C))
    rows_out = [0, 1, 2, 3, 4, 511, 512, 513, 777, 1022, 1023]
    lin = torch.empty(len(rows_out), C, dtype=DT)
    for r, j in enumerate(rows_out):
        x = min(max((j + 0.5) * Lin / Lout - 0.5, 0.0), Lin - 1)
        i0 = math.floor(x)
        i1 = min(i0 + 1, Lin - 1)
        f = x - i0
        lin[r] = (1 - f) * table[i0] + f * table[i1]
    full = F.interpolate(table.T.unsqueeze(0), size=Lout, mode="linear", align_corners=False)[0].T
    assert (full[rows_out] - lin).abs().max().item() < 1e-13
    t23 = table  # §11.23
    assert (lin[1] - (0.75 * t23[0] + 0.25 * t23[1])).abs().max() < 1e-15
    assert (lin[3] - (0.75 * t23[1] + 0.25 * t23[2])).abs().max() < 1e-15
    assert (lin[-1] - t23[511]).abs().max() < 1e-15 and (lin[0] - t23[0]).abs().max() < 1e-15
    res["resample_1d"] = {"out_rows": Lout, "table": {"seed": 303, "amp": 1.0, "shape": [Lin, C]}, "rows": rows_out,
                          "out": T(lin)}
    # Bicubic 4x4 -> 7x7 (align_corners = False), C = 2.
    grid = formula(304, (4, 4, 2))
    bic = bicubic_resize(grid, 7, 7)
    lib = F.interpolate(grid.permute(2, 0, 1).unsqueeze(0), size=(7, 7), mode="bicubic", align_corners=False)[0]
    assert (lib.permute(1, 2, 0) - bic).abs().max().item() < 1e-13
    res["resample_2d"] = {"table": {"seed": 304, "amp": 1.0, "shape": [4, 4, 2]}, "out_h": 7, "out_w": 7,
                          "out": T(bic)}
    return res


def split_baselines(b):
    return {"rope.json": {k: b[k] for k in ("rope_1d", "rope_2d_base10000", "rope_2d_base100")},
            "alibi_sinusoid.json": {k: b[k] for k in ("alibi", "sinusoid")},
            "resample.json": {k: b[k] for k in ("resample_1d", "resample_2d")}}


# ---- the field's encodings and RoPE's extensions (§9) ----------------------------------------------

def t5_bucket(rel, bidirectional, nb, maxd):
    """HF T5 _relative_position_bucket for one relative position rel = key - query."""
    ret = 0
    if bidirectional:
        nb //= 2
        if rel > 0:
            ret += nb
        n = abs(rel)
    else:
        n = max(-rel, 0)
    max_exact = nb // 2
    if n < max_exact:
        return ret + int(math.floor(n))
    v = max_exact + int(math.floor(math.log(n / max_exact) / math.log(maxd / max_exact) * (nb - max_exact)))
    return ret + min(v, nb - 1)


def yarn_freq(theta, s, original, alpha, beta):
    turns = original * theta / (2 * math.pi)
    keep = min(max((turns - alpha) / (beta - alpha), 0.0), 1.0)
    return (1 - keep) * theta / s + keep * theta


def gen_field_encodings():
    res = {}
    # T5, text: one-sided buckets of query - key; 2 heads, 8 buckets up to distance 16.
    H, nb, maxd = 2, 8, 16
    table = formula(501, (H, nb), 0.5)
    pos = [0, 1, 2, 3, 5, 9, 17, 30, 60]
    bias = torch.empty(H, len(pos), len(pos), dtype=DT)
    for a, i in enumerate(pos):
        for b, j in enumerate(pos):
            bias[:, a, b] = table[:, t5_bucket(j - i, False, nb, maxd)]
    res["t5_1d"] = {"heads": H, "buckets": nb, "max_distance": maxd, "positions": pos,
                    "table": {"seed": 501, "amp": 0.5, "shape": [H, nb]}, "bias": T(bias)}
    # T5, images: bidirectional buckets of the row and of the column offset, one table each, summed.
    t2 = formula(502, (2, H, nb), 0.5)
    pos2 = [(0, 0), (0, 3), (2, 1), (7, 5), (30, 2)]
    b2 = torch.empty(H, len(pos2), len(pos2), dtype=DT)
    for a, (ri, ci) in enumerate(pos2):
        for b, (rj, cj) in enumerate(pos2):
            b2[:, a, b] = t2[0, :, t5_bucket(rj - ri, True, nb, maxd)] + t2[1, :, t5_bucket(cj - ci, True, nb, maxd)]
    res["t5_2d"] = {"heads": H, "buckets": nb, "max_distance": maxd, "positions": [list(p) for p in pos2],
                    "table": {"seed": 502, "amp": 0.5, "shape": [2, H, nb]}, "bias": T(b2)}
    # FIRE: f(psi(|i - j|) / (psi(max(L, i)) + 1e-6)), psi(x) = log(c x + 1), f: 1 -> 4 -> 2 (ReLU).
    W, c, L = 4, 0.3, 6.0
    w1, c1 = formula(511, (W, 1), 0.5), formula(512, (W,), 0.2)
    w2, c2 = formula(513, (H, W), 0.5), formula(514, (H,), 0.1)
    fpos = [0, 1, 2, 5, 9, 20, 40]
    fb = torch.empty(H, len(fpos), len(fpos), dtype=DT)
    for a, i in enumerate(fpos):
        for b, j in enumerate(fpos):
            u = math.log(c * abs(i - j) + 1) / (math.log(c * max(L, i) + 1) + 1e-6)
            hidden = torch.relu(w1[:, 0] * u + c1)
            fb[:, a, b] = w2 @ hidden + c2
    res["fire"] = {"heads": H, "width": W, "c": c, "threshold": L, "positions": fpos,
                   "fc1_weight": {"seed": 511, "amp": 0.5, "shape": [W, 1]},
                   "fc1_bias": {"seed": 512, "amp": 0.2, "shape": [W]},
                   "fc2_weight": {"seed": 513, "amp": 0.5, "shape": [H, W]},
                   "fc2_bias": {"seed": 514, "amp": 0.1, "shape": [H]}, "bias": T(fb)}
    # KERPLE: log -r1 log(1 + r2 d), power -r1 d^r2; 1D |i - j|, 2D the Euclidean patch distance.
    r1 = [0.5, 1.2, 1.9]
    kpos = [0, 1, 3, 8, 20]
    kerple = {"heads": 3, "r1": r1, "positions": kpos}
    for variant, r2 in (("log", [0.1, 0.5, 0.9]), ("power", [0.3, 1.0, 1.8])):
        kb = torch.empty(3, len(kpos), len(kpos), dtype=DT)
        for h in range(3):
            for a, i in enumerate(kpos):
                for b, j in enumerate(kpos):
                    d = abs(i - j)
                    kb[h, a, b] = -r1[h] * (math.log1p(r2[h] * d) if variant == "log" else d ** r2[h])
        kerple[variant] = {"r2": r2, "bias": T(kb)}
    kpos2 = [(0, 0), (1, 2), (4, 4)]
    k2 = torch.empty(3, 3, 3, dtype=DT)
    for h in range(3):
        for a, (ri, ci) in enumerate(kpos2):
            for b, (rj, cj) in enumerate(kpos2):
                k2[h, a, b] = -r1[h] * math.log1p(0.1 * (h + 1) * math.hypot(ri - rj, ci - cj))
    kerple["log_2d"] = {"r2": [0.1, 0.2, 0.3], "positions": [list(p) for p in kpos2], "bias": T(k2)}
    res["kerple"] = kerple
    # xPos: rotate (RoPE, base 10000), then scale pair i of q at n by zeta_i^(n/B), of k at m by zeta_i^(-m/B).
    Dh, base, B, gamma = 8, 10000.0, 16.0, 0.4
    xpos = [0, 1, 5, 20, 63]
    q = formula(521, (1, 1, len(xpos), Dh))
    k = formula(522, (1, 1, len(xpos), Dh))
    qo, ko = q.clone(), k.clone()
    zeta = [(2 * i / Dh + gamma) / (1 + gamma) for i in range(Dh // 2)]
    for t, n in enumerate(xpos):
        ang = torch.tensor([n / base ** (2 * i / Dh) for i in range(Dh // 2)], dtype=DT)
        up = torch.tensor([z ** (n / B) for z in zeta for _ in (0, 1)], dtype=DT)
        qo[:, :, t] = rope_rotate(q[:, :, t], ang) * up
        ko[:, :, t] = rope_rotate(k[:, :, t], ang) / up
    res["xpos"] = {"head_dim": Dh, "base": base, "scale_base": B, "gamma": gamma, "positions": xpos,
                   "q": {"seed": 521, "amp": 1.0, "shape": [1, 1, len(xpos), Dh]},
                   "k": {"seed": 522, "amp": 1.0, "shape": [1, 1, len(xpos), Dh]}, "q_out": T(qo), "k_out": T(ko)}
    # RoPE extensions, 1D: trained length 16, evaluated at 64 (s = 4); NTK changes the base, YaRN ramps
    # each frequency by its turns in 16 positions (alpha 1, beta 32) and tempers by 0.1 ln s + 1.
    Dh, base, L0, s = 8, 10000.0, 16, 4.0
    epos = [0, 7, 31, 63]
    q = formula(531, (1, 1, len(epos), Dh))
    theta = [base ** (-2 * i / Dh) for i in range(Dh // 2)]
    ntk_base = base * s ** (Dh / (Dh - 2))
    ext = {"head_dim": Dh, "base": base, "trained": L0, "factor": s, "alpha": 1.0, "beta": 32.0, "positions": epos,
           "q": {"seed": 531, "amp": 1.0, "shape": [1, 1, len(epos), Dh]}}
    for mode in ("ntk", "yarn"):
        out = q.clone()
        for t, p in enumerate(epos):
            if mode == "ntk":
                f = [ntk_base ** (-2 * i / Dh) for i in range(Dh // 2)]
                m = 1.0
            else:
                f = [yarn_freq(th, s, L0, 1.0, 32.0) for th in theta]
                m = 0.1 * math.log(s) + 1
            out[:, :, t] = rope_rotate(q[:, :, t], torch.tensor([p * x for x in f], dtype=DT)) * m
        ext[mode] = T(out)
    res["rope_ext_1d"] = ext
    # 2D YaRN per axis: trained grid 4 x 4, evaluated on 8 rows x 12 columns (s = 2 rows, 3 columns);
    # Dh = 16: 4 frequencies base^(-4j/Dh) per axis, columns first; one temperature sqrt(m_rows m_cols).
    Dh2, g0, sr, sc = 16, 4, 2.0, 3.0
    pos2 = [(0, 0), (3, 5), (7, 11)]
    q2 = formula(532, (1, 1, len(pos2), Dh2))
    f0 = [base ** (-k / Dh2) for k in range(0, Dh2, 4)]
    fc = [yarn_freq(f, sc, g0, 1.0, 32.0) for f in f0]
    fr = [yarn_freq(f, sr, g0, 1.0, 32.0) for f in f0]
    m2 = math.sqrt((0.1 * math.log(sr) + 1) * (0.1 * math.log(sc) + 1))
    out2 = q2.clone()
    for t, (r, cc) in enumerate(pos2):
        out2[:, :, t] = rope_rotate(q2[:, :, t], torch.tensor([cc * f for f in fc] + [r * f for f in fr], dtype=DT)) * m2
    res["rope_ext_2d_yarn"] = {"head_dim": Dh2, "base": base, "trained": g0, "rows": 8, "cols": 12,
                               "positions": [list(p) for p in pos2],
                               "q": {"seed": 532, "amp": 1.0, "shape": [1, 1, len(pos2), Dh2]}, "out": T(out2)}
    return res


# ---- one attention call -----------------------------------------------------------------------------

def gen_attention():
    B, H, Tn, Dh = 2, 2, 5, 4
    q, k, v = formula(401, (B, H, Tn, Dh)), formula(402, (B, H, Tn, Dh)), formula(403, (B, H, Tn, Dh))
    bias = formula(404, (1, H, Tn, Tn), 0.5)
    scale = 1.0 / math.sqrt(Dh)
    out = torch.empty(B, H, Tn, Dh, dtype=DT)
    probs = torch.zeros(B, H, Tn, Tn, dtype=DT)
    for b in range(B):
        for h in range(H):
            for i in range(Tn):
                s = [scale * float(q[b, h, i] @ k[b, h, j]) + float(bias[0, h, i, j]) for j in range(i + 1)]
                mx = max(s)
                ex = [math.exp(x - mx) for x in s]
                z = sum(ex)
                for j in range(i + 1):
                    probs[b, h, i, j] = ex[j] / z
                out[b, h, i] = sum(probs[b, h, i, j] * v[b, h, j] for j in range(i + 1))
    return {"inputs": {"q": {"seed": 401, "amp": 1.0, "shape": [B, H, Tn, Dh]},
                       "k": {"seed": 402, "amp": 1.0, "shape": [B, H, Tn, Dh]},
                       "v": {"seed": 403, "amp": 1.0, "shape": [B, H, Tn, Dh]},
                       "bias": {"seed": 404, "amp": 0.5, "shape": [1, H, Tn, Tn]}},
            "scale": scale, "causal": True, "out": T(out), "probs": T(probs)}


# ---- main -------------------------------------------------------------------------------------------

def build():
    meta = {"format": FORMAT, "generator": "tests/tools/gen_golden.py", "torch_version": torch.__version__,
            "dtype": "float64", "spec": "docs/METHOD.md (arXiv 2506.13277)"}
    files = {
        "encoder.json": gen_encoder(),
        "seqpe_qk.json": gen_seqpe_qk(),
        "losses.json": gen_losses(),
        "attn_apply.json": gen_attn_apply(),
        **split_baselines(gen_baselines()),
        "attention.json": gen_attention(),
        "field_encodings.json": gen_field_encodings(),
    }
    roles = {k: list(v) for k, v in ROLES.items()}
    for name in ("encoder.json", "seqpe_qk.json"):
        files[name]["roles"] = roles  # the C++ test checks its copy of the table against this
    return {name: dict(meta, **body) for name, body in files.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="compare with the committed fixtures, write nothing")
    ap.add_argument("--out", default=OUT_DIR)
    args = ap.parse_args()
    torch.set_default_dtype(DT)
    bad = 0
    for name, obj in build().items():
        text = json.dumps(obj, separators=(",", ":"), sort_keys=False) + "\n"
        path = os.path.join(args.out, name)
        if args.check:
            try:
                with open(path) as f:
                    old = json.load(f)
            except FileNotFoundError:
                print("missing", path)
                bad += 1
                continue
            same = _close(old, json.loads(text))
            print(("ok      " if same else "DIFFERS ") + path)
            bad += not same
        else:
            os.makedirs(args.out, exist_ok=True)
            with open(path, "w") as f:
                f.write(text)
            print("wrote %s (%d bytes)" % (path, len(text)))
    return 1 if bad else 0


def _close(a, b, tol=1e-12):
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k], tol) for k in a if k != "torch_version")
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y, tol) for x, y in zip(a, b))
    if isinstance(a, float) or isinstance(b, float):
        return abs(a - b) <= tol * max(1.0, abs(a), abs(b))
    return a == b


if __name__ == "__main__":
    sys.exit(main())
