#!/usr/bin/env python3
"""Checks every trtkit kernel against PyTorch on fresh random inputs, then times it.

Runs on the GPU machine: loads the kernels through their C entries (libtrtkit_kernels_capi.so, built by
build.sh) and passes PyTorch tensors' device pointers. Checks: outputs are poisoned (NaN / -1) before each
run; every element must be written; error vs a float64 (or PyTorch fp32) reference within a bound per dtype.
Timing: CUDA events around each launch, after warm-up, with the queue kept ahead of the host by a spin
kernel; median of many; inputs rotated over several sets so the working set exceeds L2.
"""
import argparse
import ctypes
import json
import math
import statistics
import sys
import time

import torch
import torch.nn.functional as F

FP32, FP16 = 0, 1
U = ctypes.c_uint64
I = ctypes.c_int

parser = argparse.ArgumentParser()
parser.add_argument("--lib", required=True)
parser.add_argument("--out", default=".")
parser.add_argument("--iters", type=int, default=300)
parser.add_argument("--checks-only", action="store_true")
parser.add_argument("--only", default="", help="comma-separated benchmark groups to time (msda, msda-decoder, "
                    "msda-encoder (fp16 encoder only), layernorm, preprocess, postprocess; msda-waves, the fp16 encoder at "
                    "whole waves, only when named); default all")
args = parser.parse_args()

lib = ctypes.CDLL(args.lib)
lib.tk_msda.argtypes = [I] * 9 + [U] * 7
lib.tk_empty.argtypes = [U]
lib.tk_msda_tuned.argtypes = [I, ctypes.POINTER(I)] + [I] * 7 + [U] * 7
lib.tk_layernorm.argtypes = [I, ctypes.c_int64, I, U, U, U, ctypes.c_float, U, U]
lib.tk_preprocess.argtypes = [I] * 8 + [ctypes.POINTER(ctypes.c_float)] * 2 + [ctypes.c_float, U, U, U]
lib.tk_detr_softmax.argtypes = [I] * 4 + [U] * 7
lib.tk_detr_topk.argtypes = [I] * 5 + [U] * 7
lib.tk_upsample_argmax.argtypes = [I] * 8 + [U] * 3
lib.tk_upsample_argmax_path.argtypes = [I] * 9 + [U] * 3

dev = torch.device("cuda")
props = torch.cuda.get_device_properties(0)
results = {"device": props.name, "sms": props.multi_processor_count, "torch": torch.__version__, "checks": [], "bench": []}
failures = []


def stream():
    return torch.cuda.current_stream().cuda_stream


def ck(err, what):
    if err != 0:
        raise RuntimeError(f"{what}: CUDA error {err}")
    e = torch.cuda.synchronize()


def code(t):
    return FP16 if t.dtype == torch.float16 else FP32


def rel(out, ref):
    out, ref = out.double(), ref.double()
    return ((out - ref).norm() / ref.norm().clamp_min(1e-300)).item()


def record(name, ok, detail):
    results["checks"].append({"name": name, "ok": ok, **detail})
    print(f"[{'ok' if ok else 'FAIL'}] {name} {json.dumps(detail)}", flush=True)
    if not ok:
        failures.append(name)


# ---------------------------------------------------------------- MSDA

def msda_launch(value, shapes, starts, loc, attn, out, scalar=False):
    n, s, m, d = value.shape
    _, lq, _, l, p, _ = loc.shape
    return lib.tk_msda(code(value), int(scalar), n, s, m, d, lq, l, p, value.data_ptr(), shapes.data_ptr(),
                       starts.data_ptr(), loc.data_ptr(), attn.data_ptr(), out.data_ptr(), stream())


EXCHANGE_TEXT = {1: ", four-corner exchange", 2: ", row exchange", 3: ", byte rows", 4: ", byte rows + half2 weights",
                 6: ", byte rows + fp16 row blend + half2 row weights", 7: ", packed rows + fp16 row blend"}
TUNING_FIELDS = ("split", "nv", "sharing", "block", "loads", "heads_per_warp", "exchange", "prefetch", "unroll",
                 "grid")  # MsdaTuning
_tunings = {}


def msda_tuned_launch(value, shapes, starts, loc, attn, out, split, nv, sharing=0, block=0, loads=0, heads_per_warp=0,
                      exchange=0, prefetch=0, unroll=0, grid=0):
    n, s, m, d = value.shape
    _, lq, _, l, p, _ = loc.shape
    key = (split, nv, sharing, block, loads, heads_per_warp, exchange, prefetch, unroll, grid)
    if key not in _tunings:  # built once: the timed loop should not allocate
        _tunings[key] = (I * len(TUNING_FIELDS))(*key)
    return lib.tk_msda_tuned(code(value), _tunings[key], n, s, m, d, lq, l, p, value.data_ptr(), shapes.data_ptr(),
                             starts.data_ptr(), loc.data_ptr(), attn.data_ptr(), out.data_ptr(), stream())


def msda_torch(value, level_hw, loc, attn):
    """The pure-PyTorch grid_sample decomposition (as in Deformable DETR's reference code)."""
    n, s, m, d = value.shape
    _, lq, _, l, p, _ = loc.shape
    values = value.split([h * w for h, w in level_hw], dim=1)
    grids = 2 * loc.to(value.dtype) - 1
    samples = []
    for i, (h, w) in enumerate(level_hw):
        v = values[i].flatten(2).transpose(1, 2).reshape(n * m, d, h, w)
        g = grids[:, :, :, i].transpose(1, 2).flatten(0, 1)
        samples.append(F.grid_sample(v, g, mode="bilinear", padding_mode="zeros", align_corners=False))
    a = attn.transpose(1, 2).reshape(n * m, 1, lq, l * p)
    out = (torch.stack(samples, dim=-2).flatten(-2) * a).sum(-1).view(n, m * d, lq)
    return out.transpose(1, 2).reshape(n, lq, m, d)


def msda_inputs(n, level_hw, m, d, lq, p, dtype, loc_range=(0.0, 1.0)):
    s = sum(h * w for h, w in level_hw)
    l = len(level_hw)
    value = torch.randn(n, s, m, d, device=dev).to(dtype)
    shapes = torch.tensor(level_hw, dtype=torch.int32, device=dev)
    starts = torch.tensor([0] + list(torch.tensor([h * w for h, w in level_hw]).cumsum(0)[:-1]), dtype=torch.int32, device=dev)
    lo, hi = loc_range
    loc = (torch.rand(n, lq, m, l, p, 2, device=dev) * (hi - lo) + lo).float()
    attn = torch.softmax(torch.randn(n, lq, m, l * p, device=dev), -1).view(n, lq, m, l, p).to(dtype)
    return value, shapes, starts, loc, attn


DETR_LEVELS = [(100, 167), (50, 84), (25, 42), (13, 21)]


def realistic_loc(n, lq, m, levels, p, encoder):
    """Sampling locations shaped like Deformable DETR's: a reference point per query (the query's own pixel
    centre in the encoder, uniform in the decoder) plus per-head offsets of 1..P pixels of each level in the
    head's direction (the model's initialisation) with N(0, 1)-pixel noise."""
    l = len(levels)
    if encoder:
        refs = []
        for h, w in levels:
            ys, xs = torch.meshgrid((torch.arange(h, device=dev) + 0.5) / h, (torch.arange(w, device=dev) + 0.5) / w, indexing="ij")
            refs.append(torch.stack([xs.flatten(), ys.flatten()], -1))
        ref = torch.cat(refs)
        assert ref.shape[0] == lq
    else:
        ref = torch.rand(lq, 2, device=dev)
    theta = torch.arange(m, device=dev) * (2 * math.pi / m)
    dirs = torch.stack([theta.cos(), theta.sin()], -1)
    dirs = dirs / dirs.abs().max(-1, keepdim=True).values
    dist = torch.arange(1, p + 1, device=dev).float()
    off = (dirs.view(m, 1, 1, 2) * dist.view(1, 1, p, 1)).expand(m, l, p, 2)
    off = off + torch.randn(n, lq, m, l, p, 2, device=dev)
    norm = torch.tensor([[w, h] for h, w in levels], device=dev, dtype=torch.float32).view(1, 1, 1, l, 1, 2)
    return (ref.view(1, lq, 1, 1, 1, 2) + off / norm).contiguous()


def check_msda_first_in_capture():
    """The process's first default MSDA launch made inside CUDA graph capture (the resident grid asks for its
    shared-memory carve-out on first use; nothing it calls may break a capture), then replayed: float64 reference.
    Must run before any other MSDA launch."""
    lv = [(20, 33), (10, 17), (5, 9), (3, 5)]
    value, shapes, starts, loc, attn = msda_inputs(2, lv, 8, 32, 300, 4, torch.float16, (-0.1, 1.1))
    ref = msda_torch(value.double(), lv, loc.double(), attn.double())
    out = torch.full((2, 300, 8, 32), float("nan"), device=dev, dtype=torch.float16)
    rc, detail = None, {}
    try:
        g = torch.cuda.CUDAGraph()
        with torch.cuda.graph(g):
            rc = msda_launch(value, shapes, starts, loc, attn, out)
        g.replay()
        torch.cuda.synchronize()
        detail = {"rc": rc, "rel_err": rel(out, ref), "all_written": bool(torch.isfinite(out).all())}
    except Exception as e:  # a broken capture raises here
        detail = {"rc": rc, "error": str(e).splitlines()[0][:200]}
    ok = rc == 0 and detail.get("all_written", False) and detail.get("rel_err", 1) < 2e-3
    record("msda float16 default, first launch inside CUDA graph capture", ok, detail)


def check_msda():
    cases = [
        ("detr-small", 2, [(20, 33), (10, 17), (5, 9), (3, 5)], 8, 32, 300, 4, (0.0, 1.0)),
        ("borders", 2, [(20, 33), (10, 17), (5, 9), (3, 5)], 8, 32, 123, 4, (-0.2, 1.2)),
        ("tiny-split", 3, [(7, 9), (4, 5)], 2, 32, 7, 3, (-0.1, 1.1)),
        ("d24", 1, [(16, 16), (8, 8)], 4, 24, 200, 4, (-0.1, 1.1)),
        ("d20", 1, [(16, 16), (8, 8)], 4, 20, 200, 4, (-0.1, 1.1)),
        ("d64-1lvl", 2, [(30, 40)], 1, 64, 500, 1, (-0.1, 1.1)),
        ("d256-5lvl", 1, [(24, 24), (12, 12), (6, 6), (3, 3), (2, 2)], 2, 256, 64, 3, (-0.1, 1.1)),
        ("encoder-full", 1, DETR_LEVELS, 8, 32, sum(h * w for h, w in DETR_LEVELS), 4, (0.0, 1.0)),
    ]
    for dtype, bound in ((torch.float32, 1e-5), (torch.float16, 2e-3)):
        for name, n, lv, m, d, lq, p, rng in cases:
            value, shapes, starts, loc, attn = msda_inputs(n, lv, m, d, lq, p, dtype, rng)
            ref = msda_torch(value.double(), lv, loc.double(), attn.double())
            for scalar in (False, True):
                out = torch.full((n, lq, m, d), float("nan"), device=dev, dtype=dtype)
                ck(msda_launch(value, shapes, starts, loc, attn, out, scalar), "msda")
                written = bool(torch.isfinite(out).all())
                e = rel(out, ref)
                record(f"msda {name} {str(dtype)[6:]} {'scalar' if scalar else 'wide'}", written and e < bound,
                       {"rel_err": e, "bound": bound, "all_written": written})


# ---------------------------------------------------------------- LayerNorm

def ln_launch(x, g, b, y, eps=1e-5):
    cols = x.shape[-1]
    rows = x.numel() // cols
    return lib.tk_layernorm(code(x), rows, cols, x.data_ptr(), g.data_ptr() if g is not None else 0,
                            b.data_ptr() if b is not None else 0, eps, y.data_ptr(), stream())


def msda_design(dtype, m, d, n, s, lq, l, p, tuning):
    """The design the library resolves for a tuning: ok, shared, nv, split, loads, exchange, prefetch, block,
    unrolled, resident blocks."""
    res = (I * 10)()
    ck(lib.tk_msda_design(FP16 if dtype == torch.float16 else FP32, (I * 10)(*tuning), n, s, m, d, lq, l, p, res),
       "msda design")
    return list(res)


def msda_design_ok(dtype, m, d, nv, split, sharing, loads, hpw, ex, pf, block=0, points=0, levels=0, unroll=0, grid=0):
    """Whether msdaForwardTuned takes the design for heads m and channels d (the rules of launchWide, written
    out independently; split and sharing are given, not chosen, in every design checked)."""
    vectors = d // (8 if dtype == torch.float16 else 4)
    if nv not in (1, 2, 4) or vectors % nv:
        return False
    groups = vectors // nv
    pow2 = groups & (groups - 1) == 0
    if split > 1 and (nv != 1 or not pow2 or groups * split > 32):
        return False
    shared = sharing == 2
    if shared and not (nv == 1 and split == 1 and pow2 and 2 <= groups <= 32):
        return False
    if loads > 1 and not (shared or split == 8):
        return False
    if (hpw or ex or pf) and not shared:
        return False
    if ex >= 3 and (loads == 1 or hpw or pf == 2 or (ex >= 4 and dtype != torch.float16)):
        return False  # byte-row forms: unconditional loads, the linear map, no prefetch; half2 words for fp16 only
    if ex == 5 or ex > 7 or block not in (0, 64, 128, 256) or (shared and ex >= 3 and block not in (0, 256)):
        return False  # exchange 5 was removed; the byte forms' kernels are built for 256-thread blocks
    if ex == 7 and points % groups:
        return False  # the packed word: a round's points within one level
    if hpw and not ((32 // groups) % hpw == 0 and m % hpw == 0):
        return False
    if unroll not in (0, 1, 2) or grid not in (0, 1, 2):
        return False
    # the unrolled kernel: the packed word (asked for, or fp16's default where the shape allows it) at 4 lanes per
    # pair, 16 points per pair and d_model 256; the resident grid (grid 2) needs it
    packed = ex == 7 or (ex == 0 and shared and dtype == torch.float16 and loads != 1 and not hpw and pf in (0, 1)
                         and block in (0, 256) and points % groups == 0)
    unrolled = unroll != 1 and packed and groups == 4 and levels * points == 16 and m * d == 256
    if (unroll == 2 or grid == 2) and not unrolled:
        return False
    return True


def check_msda_variants():
    # (nv, split, sharing, block, loads, heads_per_warp, exchange, prefetch); 0 chooses.
    designs = [(1, 1, 2, 0, 0, 0, 0, 0), (1, 1, 2, 0, 1, 0, 0, 0), (1, 1, 2, 0, 2, 0, 0, 0), (1, 1, 2, 0, 3, 0, 0, 0),
               (1, 1, 1, 0, 0, 0, 0, 0), (1, 2, 0, 0, 0, 0, 0, 0), (1, 4, 0, 0, 0, 0, 0, 0), (1, 8, 0, 0, 0, 0, 0, 0),
               (1, 8, 0, 0, 1, 0, 0, 0), (1, 8, 0, 0, 2, 0, 0, 0), (1, 8, 0, 0, 3, 0, 0, 0),
               (1, 8, 0, 128, 0, 0, 0, 0), (1, 8, 0, 64, 0, 0, 0, 0), (2, 1, 0, 0, 0, 0, 0, 0), (4, 1, 0, 0, 0, 0, 0, 0),
               (1, 8, 0, 0, 0, 2, 0, 0), (1, 8, 0, 0, 0, 0, 2, 0), (1, 8, 0, 0, 0, 0, 0, 2)]  # last three: refused
    # Shared-corner kernel: pair maps (heads per warp), exchange forms and point prefetch, with each load form.
    designs += [(1, 1, 2, 0, 0, h, 0, 0) for h in (1, 2, 4, 8)]
    designs += [(1, 1, 2, 0, x, h, ex, pf) for x in (0, 1, 2, 3) for h in (0, 2) for ex in (1, 2, 3, 4, 5, 6, 7) for pf in (1, 2)]
    designs += [(1, 1, 2, b, 0, 0, ex, 1) for b in (128, 1024) for ex in (2, 3, 4, 6)]  # 1024 refused, 128 too for bytes
    designs = [t + (0,) for t in designs]
    # The unrolled shared-corner kernel (unroll 2) against the rounds as a loop (1); 3 is refused.
    designs += [(1, 1, 2, 0, x, 0, ex, 1, u) for x in (0, 2, 3) for ex in (0, 6, 7) for u in (1, 2)]
    designs += [(1, 1, 2, 0, 0, 0, 0, 0, 3), (1, 8, 0, 0, 0, 0, 0, 0, 2)]
    designs = [t + (0,) for t in designs]
    # The unrolled kernel on a block per 8 queries (grid 1) and on the resident grid (2; the default's choice at these
    # sizes, but only for an all-zero tuning); grid 2 with the loop and grid 3 are refused.
    designs += [(1, 1, 2, 0, x, 0, 7, 1, 0, g) for x in (0, 2, 3) for g in (1, 2)]
    designs += [(1, 1, 2, 0, 0, 0, 0, 0, 1, 2), (1, 1, 2, 0, 0, 0, 0, 0, 0, 3)]
    shapes_ = [("m8 d32", 2, [(20, 33), (10, 17), (5, 9), (3, 5)], 8, 32, 77, 4),
               ("m2 d64", 3, [(7, 9), (4, 5)], 2, 64, 13, 3)]
    for dtype, bound in ((torch.float32, 1e-5), (torch.float16, 2e-3)):
        dn = str(dtype)[6:]
        for sname, n, lv, m, d, lq, p in shapes_:
            value, shapes, starts, loc, attn = msda_inputs(n, lv, m, d, lq, p, dtype, (-0.1, 1.1))
            ref = msda_torch(value.double(), lv, loc.double(), attn.double())
            first = {}
            for nv, split, minb, block, loads, hpw, ex, pf, un, gr in designs:
                out = torch.full((n, lq, m, d), float("nan"), device=dev, dtype=dtype)
                rc = msda_tuned_launch(value, shapes, starts, loc, attn, out, split, nv, minb, block, loads, hpw, ex, pf, un,
                                       gr)
                name = (f"msda variant {sname} {nv} vec/thread split {split} sharing {minb}"
                        + (f" block {block}" if block else "") + (f" load form {loads}" if loads else "")
                        + (f" heads/warp {hpw}" if hpw else "") + (f" exchange {ex}" if ex else "")
                        + (f" prefetch {pf}" if pf else "") + (f" unroll {un}" if un else "")
                        + (f" grid {gr}" if gr else "") + f" {dn}")
                ok = msda_design_ok(dtype, m, d, nv, split, minb, loads, hpw, ex, pf, block, p, len(lv), un, gr)
                if rc != 0 or not ok:
                    # A design the shape cannot take must be refused, and only such a design.
                    record(f"{name} refused" if rc else f"{name} accepted", not ok and rc != 0, {"rc": rc})
                    continue
                torch.cuda.synchronize()
                e = rel(out, ref)
                written = bool(torch.isfinite(out).all())
                record(name, written and e < bound, {"rel_err": e})
                # Load forms, pair maps, exchange forms 1-3 and prefetch change no arithmetic: equal bits to the same
                # design's default. Forms 4 (half2 weights) and 5 (rows blended in fp16) round differently: each is
                # its own family, whose first design accepted here is the reference.
                # Families by the exchange form the design resolves to (the default is a byte form now).
                res = msda_design(dtype, m, d, n, sum(h * w for h, w in lv), lq, len(lv), p,
                                  (split, nv, minb, block, loads, hpw, ex, pf, un, gr))
                rex, resident = res[5], res[9]
                # the packed word: the row blend's bits; the resident grid sums its left-over queries' rounds in
                # another order, and which are left over depends on its size
                key = (nv, split, minb, {4: 4, 6: 6, 7: 6}.get(rex, 0), resident)
                if key not in first:
                    first[key] = out.clone()
                elif loads or hpw or ex or pf or un or gr or (block and minb == 2):
                    record(f"{name} == default form, bit for bit", key in first and torch.equal(out, first[key]), {})


def check_layernorm():
    for dtype, bound in ((torch.float32, 1e-5), (torch.float16, 2e-3)):
        for cols in (1, 7, 32, 64, 96, 100, 128, 256, 320, 384, 512, 768, 1000, 1024, 2048, 2056, 4000):
            for rows, affine in ((1, True), (3, False), (1000, True)):
                x = (torch.randn(rows, cols, device=dev) * 3 + 1).to(dtype)
                g = (torch.randn(cols, device=dev)).to(dtype) if affine else None
                b = (torch.randn(cols, device=dev)).to(dtype) if affine else None
                y = torch.full_like(x, float("nan"))
                ck(ln_launch(x, g, b, y), "layernorm")
                ref = F.layer_norm(x.double(), (cols,), g.double() if affine else None, b.double() if affine else None, 1e-5)
                written = bool(torch.isfinite(y).all())
                e = rel(y, ref) if cols > 1 else (y.double() - ref).abs().max().item()
                record(f"layernorm {str(dtype)[6:]} rows={rows} cols={cols} affine={affine}", written and e < bound,
                       {"rel_err": e, "bound": bound, "all_written": written})


# ---------------------------------------------------------------- Preprocess

MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]
MEAN_C = (ctypes.c_float * 3)(*MEAN)
STD_C = (ctypes.c_float * 3)(*STD)


def pre_launch(img, out, resize, b, pad=0.0):
    h, w, _ = img.shape
    _, _, oh, ow = out.shape
    return lib.tk_preprocess(code(out), h, w, resize[0], resize[1], oh, ow, b, MEAN_C, STD_C, pad, img.data_ptr(),
                             out.data_ptr(), stream())


def pre_torch(img, resize, canvas, dtype, pad=0.0, compute=torch.float32):
    x = img.permute(2, 0, 1).unsqueeze(0).to(compute)
    x = F.interpolate(x, size=resize, mode="bilinear", align_corners=False, antialias=False) / 255
    mean = torch.tensor(MEAN, device=dev, dtype=compute).view(1, 3, 1, 1)
    std = torch.tensor(STD, device=dev, dtype=compute).view(1, 3, 1, 1)
    x = (x - mean) / std
    out = torch.full((1, 3, *canvas), pad, device=dev, dtype=dtype)
    out[:, :, : resize[0], : resize[1]] = x.to(dtype)
    return out


def check_preprocess():
    cases = [((1080, 1920), (750, 1333), (800, 1333), 2, 1), ((37, 53), (100, 77), (128, 128), 1, 0),
             ((480, 640), (480, 640), (480, 640), 3, 2), ((600, 400), (300, 200), (320, 256), 1, 0)]
    for dtype, bound in ((torch.float32, 1e-4), (torch.float16, 4e-3)):
        for (h, w), resize, canvas, batch, b in cases:
            img = torch.randint(0, 256, (h, w, 3), dtype=torch.uint8, device=dev)
            out = torch.full((batch, 3, *canvas), float("nan"), device=dev, dtype=dtype)
            ck(pre_launch(img, out, resize, b, pad=-0.5), "preprocess")
            ref = pre_torch(img, resize, canvas, torch.float32, pad=-0.5)[0]
            others = torch.cat([out[:b], out[b + 1:]])
            untouched = bool(torch.isnan(others).all()) if others.numel() else True
            written = bool(torch.isfinite(out[b]).all())
            e = (out[b].float() - ref).abs().max().item()
            e64 = (out[b].double() - pre_torch(img, resize, canvas, torch.float64, pad=-0.5, compute=torch.float64)[0]).abs().max().item()
            record(f"preprocess {str(dtype)[6:]} {h}x{w}->{resize} in {canvas} b={b}/{batch}",
                   written and untouched and e < bound,
                   {"max_abs_err_vs_torch_fp32": e, "max_abs_err_vs_fp64": e64, "bound": bound, "all_written": written,
                    "other_slots_untouched": untouched})


# ---------------------------------------------------------------- Postprocess

def boxes_xyxy(boxes, sizes):
    cx, cy, w, h = boxes.double().unbind(-1)
    hh = sizes[:, 0].double().view(-1, 1)
    ww = sizes[:, 1].double().view(-1, 1)
    return torch.stack([(cx - 0.5 * w) * ww, (cy - 0.5 * h) * hh, (cx + 0.5 * w) * ww, (cy + 0.5 * h) * hh], -1)


def softmax_launch(logits, boxes, sizes, scores, labels, bout):
    n, q, c = logits.shape
    return lib.tk_detr_softmax(code(logits), n, q, c, logits.data_ptr(), boxes.data_ptr(), sizes.data_ptr(),
                               scores.data_ptr(), labels.data_ptr(), bout.data_ptr(), stream())


def topk_launch(logits, boxes, sizes, k, scores, labels, bout):
    n, q, c = logits.shape
    return lib.tk_detr_topk(code(logits), n, q, c, k, logits.data_ptr(), boxes.data_ptr(), sizes.data_ptr(),
                            scores.data_ptr(), labels.data_ptr(), bout.data_ptr(), stream())


def check_decode():
    for dtype in (torch.float32, torch.float16):
        n, q, cp1 = 2, 100, 92
        logits = (torch.randn(n, q, cp1, device=dev) * 3).to(dtype)
        boxes = torch.rand(n, q, 4, device=dev).to(dtype)
        sizes = torch.tensor([[480, 640], [800, 1333]], dtype=torch.int32, device=dev)
        scores = torch.full((n, q), float("nan"), device=dev)
        labels = torch.full((n, q), -1, dtype=torch.int32, device=dev)
        bout = torch.full((n, q, 4), float("nan"), device=dev)
        ck(softmax_launch(logits, boxes, sizes, scores, labels, bout), "softmax")
        prob = logits.double().softmax(-1)[..., :-1]
        ref_scores, ref_labels = prob.max(-1)
        ref_labels = prob.argmax(-1)
        ok = (bool(torch.isfinite(scores).all()) and bool((labels >= 0).all())
              and rel(scores, ref_scores) < 1e-4 and bool((labels == ref_labels).all())
              and rel(bout, boxes_xyxy(boxes, sizes)) < 1e-6)
        record(f"detr softmax decode {str(dtype)[6:]}", ok,
               {"score_rel_err": rel(scores, ref_scores), "label_mismatch": int((labels != ref_labels).sum()),
                "box_rel_err": rel(bout, boxes_xyxy(boxes, sizes))})
        for name, (q, c, k, ties) in {"deformable": (300, 91, 100, False), "ties": (50, 10, 37, True),
                                      "k-max": (40, 30, 1024, False), "k-1": (300, 91, 1, False)}.items():
            if ties:
                logits = torch.randint(-3, 4, (n, q, c), device=dev).to(dtype)
            else:
                logits = (torch.randn(n, q, c, device=dev) * 3).to(dtype)
            boxes = torch.rand(n, q, 4, device=dev).to(dtype)
            scores = torch.full((n, k), float("nan"), device=dev)
            labels = torch.full((n, k), -1, dtype=torch.int32, device=dev)
            bout = torch.full((n, k, 4), float("nan"), device=dev)
            ck(topk_launch(logits, boxes, sizes, k, scores, labels, bout), "topk")
            flat = logits.double().flatten(1)
            vals, idx = torch.sort(flat, dim=-1, descending=True, stable=True)
            idx = idx[:, :k]
            ref_scores = vals[:, :k].sigmoid()
            ref_labels = (idx % c).int()
            qi = idx // c
            ref_boxes = boxes_xyxy(torch.gather(boxes, 1, qi.unsqueeze(-1).expand(-1, -1, 4)), sizes)
            ok = (bool(torch.isfinite(scores).all()) and rel(scores, ref_scores) < 1e-5
                  and bool((labels == ref_labels).all()) and rel(bout, ref_boxes) < 1e-6)
            record(f"detr sigmoid top-k {name} q={q} c={c} k={k} {str(dtype)[6:]}", ok,
                   {"score_rel_err": rel(scores, ref_scores), "label_mismatch": int((labels != ref_labels).sum()),
                    "box_rel_err": rel(bout, ref_boxes)})


def argmax_launch(logits, out, path=None):
    n, c, h, w = logits.shape
    _, oh, ow = out.shape
    if path is None:
        return lib.tk_upsample_argmax(code(logits), n, c, h, w, oh, ow, int(out.dtype == torch.uint8),
                                      logits.data_ptr(), out.data_ptr(), stream())
    return lib.tk_upsample_argmax_path(code(logits), n, c, h, w, oh, ow, int(out.dtype == torch.uint8), path,
                                       logits.data_ptr(), out.data_ptr(), stream())


ARGMAX_PATHS = {1: "tile", 2: "row", 3: "pixel"}


def check_argmax():
    # Exact 4x (SegFormer), ratios that are not integers, a 1-pixel-wide input, the same size, ratios above
    # 4 (several threads per input cell, several runs per thread), more than 32 classes (staged in chunks),
    # 150 classes, downsampling and a 1x1 output (the row and pixel kernels).
    shapes = (((2, 19, 64, 64), (256, 256)), ((1, 19, 256, 256), (1024, 1024)), ((1, 5, 13, 17), (50, 61)),
              ((1, 150, 32, 32), (128, 96)), ((1, 7, 1, 1), (5, 9)), ((2, 19, 20, 30), (20, 30)),
              ((1, 4, 10, 3), (95, 97)), ((1, 19, 8, 8), (300, 17)), ((1, 40, 3, 4), (150, 200)),
              ((1, 19, 64, 64), (40, 50)), ((1, 3, 7, 5), (1, 1)))
    for dtype in (torch.float32, torch.float16):
        for (n, c, h, w), (oh, ow) in shapes:
            for odt in (torch.int32, torch.uint8):
                logits = torch.randn(n, c, h, w, device=dev).to(dtype)
                up = F.interpolate(logits.float(), size=(oh, ow), mode="bilinear", align_corners=False)
                ref = up.argmax(1)
                top2 = up.topk(2, dim=1).values if c > 1 else None
                near_tie = (top2[:, 0] - top2[:, 1]) < 1e-4 if c > 1 else torch.zeros_like(ref, dtype=torch.bool)
                maps = {}
                for path in (None, 1, 2, 3):
                    out = torch.full((n, oh, ow), 255 if odt == torch.uint8 else -1, dtype=odt, device=dev)
                    err = argmax_launch(logits, out, path)
                    if path is not None and err != 0:
                        continue  # the design does not apply to this shape
                    ck(err, "argmax")
                    mism = out.long() != ref
                    bad = int((mism & ~near_tie).sum())
                    written = bool((out.long() < c).all() and (out.long() >= 0).all())
                    label = "" if path is None else f" [{ARGMAX_PATHS[path]}]"
                    record(f"upsample+argmax {str(dtype)[6:]} {n}x{c}x{h}x{w}->{oh}x{ow} {str(odt)[6:]}{label}",
                           written and bad == 0,
                           {"mismatches": int(mism.sum()), "mismatches_not_near_tie": bad, "pixels": n * oh * ow,
                            "all_written": written})
                    if path is not None:
                        maps[path] = out.long()
                # The tile and row kernels blend in the same order with the same rounding: identical maps.
                if 1 in maps and 2 in maps:
                    diff = int((maps[1] != maps[2]).sum())
                    record(f"upsample+argmax {str(dtype)[6:]} {n}x{c}x{h}x{w}->{oh}x{ow} {str(odt)[6:]} tile == row",
                           diff == 0, {"differing_pixels": diff})


# ---------------------------------------------------------------- timing

def graph_time(fns, replays=30):
    """Mean time of one launch (µs) inside a CUDA graph of >= 20 launches (no launch or event overhead),
    median over replays."""
    try:
        n = max(len(fns), 20)
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):
            for i in range(3):
                fns[i % len(fns)]()
        torch.cuda.current_stream().wait_stream(side)
        g = torch.cuda.CUDAGraph()
        with torch.cuda.graph(g):
            for i in range(n):
                fns[i % len(fns)]()
        g.replay()
        torch.cuda.synchronize()
        a = torch.cuda.Event(enable_timing=True)
        b = torch.cuda.Event(enable_timing=True)
        ts = []
        for _ in range(replays):
            a.record()
            g.replay()
            b.record()
            torch.cuda.synchronize()
            ts.append(a.elapsed_time(b) * 1e3 / n)
        del g
        return statistics.median(ts)
    except Exception as e:  # some eager ops cannot be captured; say so rather than fail the run
        print(f"    (graph capture failed: {str(e).splitlines()[0][:100]})", flush=True)
        torch.cuda.synchronize()
        return None


def bench(name, fns, bytes_moved=None, iters=None, group=None):
    """Median time of one launch (µs) over `iters` launches, rotating over `fns` (one per input set)."""
    iters = iters or args.iters
    nsets = len(fns)
    rc = fns[0]()
    if isinstance(rc, int) and rc != 0:
        print(f"  {name:60s} not run: CUDA error {rc} (variant not valid for this shape)", flush=True)
        return None
    for i in range(max(10, nsets)):
        fns[i % nsets]()
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    for i in range(10):
        fns[i % nsets]()
    host = (time.perf_counter() - t0) / 10
    torch.cuda.synchronize()
    batch = 25
    starts = [torch.cuda.Event(enable_timing=True) for _ in range(batch)]
    ends = [torch.cuda.Event(enable_timing=True) for _ in range(batch)]
    outer0 = torch.cuda.Event(enable_timing=True)
    outer1 = torch.cuda.Event(enable_timing=True)
    times, per_batch = [], []
    done = 0
    while done < iters:
        # Keep the GPU busy while the host queues the batch, so launch gaps stay out of the numbers.
        torch.cuda._sleep(int(min(2e8, max(2e5, host * batch * 2 * 2e9))))
        outer0.record()
        for j in range(batch):
            starts[j].record()
            fns[(done + j) % nsets]()
            ends[j].record()
        outer1.record()
        torch.cuda.synchronize()
        times += [s.elapsed_time(e) * 1e3 for s, e in zip(starts, ends)]
        per_batch.append(outer0.elapsed_time(outer1) * 1e3 / batch)
        done += batch
    med = statistics.median(times)
    graph_us = graph_time(fns)
    row = {"name": name, "group": group or name, "median_us": med, "graph_us": graph_us, "min_us": min(times),
           "p90_us": sorted(times)[int(0.9 * len(times))], "back_to_back_us": statistics.median(per_batch),
           "sets": nsets, "iters": len(times)}
    if bytes_moved:
        row["bytes"] = bytes_moved
        row["floor_us"] = bytes_moved / BW * 1e6
        row["dram_frac"] = row["floor_us"] / med
    results["bench"].append(row)
    extra = f" floor {row['floor_us']:.2f} µs ({row['dram_frac'] * 100:.0f}% of copy BW)" if bytes_moved else ""
    gtxt = f"{graph_us:.2f}" if graph_us is not None else "n/a"
    print(f"  {name:60s} median {med:9.2f} µs  graph {gtxt} (min {row['min_us']:.2f}, back-to-back {row['back_to_back_us']:.2f}){extra}", flush=True)
    return row


def sets_for(set_bytes, target=200 << 20, cap=64):
    return max(2, min(cap, math.ceil(target / max(set_bytes, 1))))


def measure_bandwidth():
    n = 1 << 30
    src = torch.empty(n, dtype=torch.uint8, device=dev).random_()
    dst = torch.empty_like(src)
    for _ in range(3):
        dst.copy_(src)
    torch.cuda.synchronize()
    ts = []
    for _ in range(10):
        a = torch.cuda.Event(enable_timing=True)
        b = torch.cuda.Event(enable_timing=True)
        a.record()
        dst.copy_(src)
        b.record()
        torch.cuda.synchronize()
        ts.append(a.elapsed_time(b) / 1e3)
    bw = 2 * n / statistics.median(ts)
    del src, dst
    torch.cuda.empty_cache()
    return bw


def bench_msda(decoder_only=False, encoder_only=False):
    for dtype in (torch.float16,) if encoder_only else (torch.float16, torch.float32):
        es = 2 if dtype == torch.float16 else 4
        dn = str(dtype)[6:]
        s = sum(h * w for h, w in DETR_LEVELS)
        for call, lq in (("encoder", s), ("decoder", 300)):
            if (decoder_only and call == "encoder") or (encoder_only and call == "decoder"):
                continue
            set_bytes = s * 256 * es + lq * 8 * 16 * (8 + es) + lq * 256 * es
            ns = sets_for(set_bytes)
            for pattern in ("realistic", "uniform"):
                sets = []
                for _ in range(ns):
                    v, sh, st, loc, at = msda_inputs(1, DETR_LEVELS, 8, 32, lq, 4, dtype)
                    if pattern == "realistic":
                        loc = realistic_loc(1, lq, 8, DETR_LEVELS, 4, call == "encoder")
                    sets.append((v, sh, st, loc, at, torch.empty(1, lq, 8, 32, device=dev, dtype=dtype)))
                g = f"msda {call} (Lq={lq}) {dn}, {pattern} locations"
                bench(f"{g} trtkit wide", [lambda a=a: msda_launch(*a) for a in sets], set_bytes, group=g)
                # Load forms (msda_sampling.cuh's LoadForm) of the encoder's shared-corner kernel and the decoder's
                # 8-way split kernel (fp16; fp32's decoder splits 4 ways and has none).
                for loads in (1, 2, 3):
                    txt = {1: "predicated loads", 2: "unconditional loads", 3: "unconditional loads, stated register budget"}[loads]
                    sp, sh = (1, 2) if call == "encoder" else (8, 0)
                    bench(f"{g} trtkit wide, load form {loads} ({txt})", [lambda a=a, x=loads, sp=sp, sh=sh: msda_tuned_launch(*a, sp, 1, sh, 0, x) for a in sets], set_bytes, group=g)
                if call == "encoder":
                    # Exchange forms (four corners: 8 shuffles per point; rows: 6) with load forms, point prefetch
                    # (locations one round ahead) and pair maps (a warp holds h heads of 8/h consecutive queries) of
                    # the shared-corner kernel; load form 0 is the dtype's default.
                    # (the defaults: fp16 exchange 6, load form 3; fp32 exchange 3, load form 3)
                    for hpw, ex, pf, loads in ((0, 1, 1, 0), (0, 2, 1, 0), (0, 2, 1, 2), (0, 2, 2, 3), (2, 2, 1, 0),
                                               (0, 3, 1, 2), (0, 3, 1, 3), (0, 4, 1, 2), (0, 4, 1, 3), (0, 6, 1, 2),
                                               (0, 6, 1, 3), (0, 7, 1, 2), (0, 7, 1, 3)):
                        if ex >= 4 and dtype != torch.float16:
                            continue
                        txt = f"heads/warp {hpw}" if hpw else "heads/warp all"
                        txt += EXCHANGE_TEXT[ex]
                        txt += ", prefetch" if pf == 2 else ""
                        txt += f", load form {loads}" if loads else ""
                        bench(f"{g} trtkit wide, {txt}", [lambda a=a, h=hpw, x=ex, f=pf, lf=loads: msda_tuned_launch(*a, 1, 1, 2, 0, lf, h, x, f) for a in sets], set_bytes, group=g)
                if pattern == "realistic" and not encoder_only:
                    for nv, split, sh in ((1, 1, 2), (1, 1, 1), (1, 2, 0), (1, 4, 0), (1, 8, 0), (2, 1, 0)):
                        txt = {2: ", shared corners", 1: ", per-lane corners", 0: ""}[sh]
                        bench(f"{g} trtkit wide, {nv} vector(s)/thread, point split {split}{txt}", [lambda a=a, sp=split, v=nv, x=sh: msda_tuned_launch(*a, sp, v, x) for a in sets], set_bytes, group=g)
                if call == "decoder" and pattern == "realistic":
                    for block in (128, 64):
                        bench(f"{g} trtkit wide, point split 8, {block}-thread blocks", [lambda a=a, b=block: msda_tuned_launch(*a, 8, 1, 0, b) for a in sets], set_bytes, group=g)
                    # Inside a model the decoder's value comes straight from the preceding projection, so it
                    # is usually still in the 50 MB L2: the same launch with one input set, L2-warm.
                    bench(f"{g} trtkit wide, L2-warm (one input set)", [lambda a=sets[0]: msda_launch(*a)], set_bytes, group=g)
                    for loads in (1, 3):
                        bench(f"{g} trtkit wide, load form {loads}, L2-warm (one input set)", [lambda a=sets[0], x=loads: msda_tuned_launch(*a, 8, 1, 0, 0, x)], set_bytes, group=g)
                if call == "encoder" and dtype == torch.float16:
                    # The default's kernel with the rounds as a loop over the shape read at run time (the default
                    # before the unrolled kernel; same bits).
                    bench(f"{g} trtkit wide, rounds as a loop (unroll 1)", [lambda a=a: msda_tuned_launch(*a, 0, 0, 0, 0, 0, 0, 0, 0, 1) for a in sets], set_bytes, group=g)
                    # The default is the resident grid at this size (residentByDefault); the unrolled kernel on a
                    # block per 8 queries was the default before it.
                    bench(f"{g} trtkit wide, unrolled, a block per 8 queries (grid 1)", [lambda a=a: msda_tuned_launch(*a, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1) for a in sets], set_bytes, group=g)
                if call == "encoder" and pattern == "realistic":
                    # Inside a model the value was just written by its projection: the same launch, L2-warm.
                    bench(f"{g} trtkit wide, L2-warm (one input set)", [lambda a=sets[0]: msda_launch(*a)], set_bytes, group=g)
                bench(f"{g} trtkit scalar baseline", [lambda a=a: msda_launch(*a, scalar=True) for a in sets], set_bytes, group=g)
                if pattern == "realistic" and not encoder_only:
                    bench(f"{g} PyTorch grid_sample", [lambda a=a: msda_torch(a[0], DETR_LEVELS, a[3], a[4]) for a in sets[:4]], set_bytes, iters=100, group=g)
                del sets
                torch.cuda.empty_cache()


def bench_msda_waves():
    """The fp16 encoder's default design at query counts of whole waves (a wave: the 4 blocks of 8 queries resident
    per SM, on every SM; on the resident grid, one query per resident warp) and at Deformable DETR's 22,223: the slope
    is the cost of a wave, the intercept what a launch costs besides (first loads, the last partial wave). Queries are
    the first Lq of a realistic set, repeated past S."""
    s = sum(h * w for h, w in DETR_LEVELS)
    wave = props.multi_processor_count * 4 * 8
    set_bytes = s * 256 * 2 + s * 8 * 16 * 10 + s * 256 * 2
    base = []
    for _ in range(sets_for(set_bytes)):
        v, sh, st, _, at = msda_inputs(1, DETR_LEVELS, 8, 32, s, 4, torch.float16)
        base.append((v, sh, st, realistic_loc(1, s, 8, DETR_LEVELS, 4, True), at))
    points = []
    for lq in sorted({4 * wave, 5 * wave, 6 * wave, s}):
        sets = []
        for v, sh, st, loc, at in base:
            reps = -(-lq // s)
            loc2 = torch.cat([loc] * reps, 1)[:, :lq].contiguous()
            at2 = torch.cat([at] * reps, 1)[:, :lq].contiguous()
            sets.append((v, sh, st, loc2, at2, torch.empty(1, lq, 8, 32, device=dev, dtype=torch.float16)))
        g = f"msda encoder waves fp16, Lq={lq} ({lq / wave:.2f} waves)"
        row = bench(f"{g} trtkit wide", [lambda a=a: msda_launch(*a) for a in sets], group=g)
        if row and lq % wave == 0:
            points.append((lq / wave, row["median_us"], row["graph_us"]))
        del sets
    if len(points) >= 2:
        (w0, e0, g0), (w1, e1, g1) = points[0], points[-1]
        se, sg = (e1 - e0) / (w1 - w0), (g1 - g0) / (w1 - w0) if g0 and g1 else None
        print(f"  per wave {se:.2f} µs (events), intercept {e0 - se * w0:.2f} µs" +
              (f"; in a graph {sg:.2f} µs, intercept {g0 - sg * w0:.2f} µs" if sg else ""), flush=True)
        results.setdefault("msda_waves", {"per_wave_us": se, "intercept_us": e0 - se * w0, "per_wave_graph_us": sg,
                                          "intercept_graph_us": g0 - sg * w0 if sg else None})
    del base
    torch.cuda.empty_cache()


def bench_layernorm():
    for dtype in (torch.float16, torch.float32):
        es = 2 if dtype == torch.float16 else 4
        # SegFormer's sizes (16,384 and 65,536 tokens: 2-64 MB, where the launch floor weighs), then 2^20 rows
        # (128 MB to 2 GB per tensor, far past the 50 MB L2: what DRAM bandwidth allows)
        for rows in (16384, 65536, 1 << 20):
            for cols in (64, 128, 256, 384, 512):
                by = 2 * rows * cols * es + 2 * cols * es
                ns = sets_for(by)
                sets = [((torch.randn(rows, cols, device=dev)).to(dtype), torch.randn(cols, device=dev).to(dtype),
                         torch.randn(cols, device=dev).to(dtype), torch.empty(rows, cols, device=dev, dtype=dtype))
                        for _ in range(ns)]
                g = f"layernorm {str(dtype)[6:]} {rows}x{cols}"
                bench(f"{g} trtkit", [lambda a=a: ln_launch(*a) for a in sets], by, group=g)
                bench(f"{g} PyTorch F.layer_norm",
                      [lambda a=a: F.layer_norm(a[0], (cols,), a[1], a[2], 1e-5) for a in sets], by, group=g)
                del sets


def bench_preprocess():
    for dtype in (torch.float16, torch.float32):
        es = 2 if dtype == torch.float16 else 4
        for (h, w), resize, canvas in (((1080, 1920), (750, 1333), (800, 1333)), ((1080, 1920), (800, 1333), (800, 1333))):
            by = h * w * 3 + 3 * canvas[0] * canvas[1] * es
            ns = sets_for(by)
            sets = [(torch.randint(0, 256, (h, w, 3), dtype=torch.uint8, device=dev),
                     torch.empty(1, 3, *canvas, device=dev, dtype=dtype)) for _ in range(ns)]
            g = f"preprocess {str(dtype)[6:]} {h}x{w}->{resize} in {canvas}"
            bench(f"{g} trtkit", [lambda a=a: pre_launch(a[0], a[1], resize, 0) for a in sets], by, group=g)
            bench(f"{g} PyTorch eager", [lambda a=a: pre_torch(a[0], resize, canvas, dtype) for a in sets], by, group=g)
            del sets


def bench_postprocess():
    for dtype in (torch.float16, torch.float32):
        es = 2 if dtype == torch.float16 else 4
        dn = str(dtype)[6:]
        for odt in (torch.uint8, torch.int32):
            n, c, h, w, oh, ow = 1, 19, 256, 256, 1024, 1024
            by = n * c * h * w * es + n * oh * ow * (1 if odt == torch.uint8 else 4)
            ns = sets_for(by)
            sets = [(torch.randn(n, c, h, w, device=dev).to(dtype), torch.empty(n, oh, ow, dtype=odt, device=dev)) for _ in range(ns)]
            g = f"segformer upsample+argmax {dn} 19x256x256->1024x1024 {str(odt)[6:]}"
            bench(f"{g} trtkit", [lambda a=a: argmax_launch(*a) for a in sets], by, group=g)
            bench(f"{g} trtkit row kernel", [lambda a=a: argmax_launch(*a, path=2) for a in sets], by, group=g)
            bench(f"{g} PyTorch eager", [lambda a=a: F.interpolate(a[0], size=(oh, ow), mode="bilinear", align_corners=False).argmax(1).to(odt) for a in sets], by, group=g)
            del sets
        sizes = torch.tensor([[800, 1333]], dtype=torch.int32, device=dev)
        q, cp1 = 100, 92
        sets = [((torch.randn(1, q, cp1, device=dev) * 3).to(dtype), torch.rand(1, q, 4, device=dev).to(dtype), sizes,
                 torch.empty(1, q, device=dev), torch.empty(1, q, dtype=torch.int32, device=dev), torch.empty(1, q, 4, device=dev)) for _ in range(8)]

        def torch_softmax(a):
            p = a[0].float().softmax(-1)[..., :-1]
            sc, lb = p.max(-1)
            return sc, lb, boxes_xyxy(a[1], a[2])
        g = f"detr softmax decode {dn} q=100 c=91"
        bench(f"{g} trtkit", [lambda a=a: softmax_launch(*a) for a in sets], group=g)
        bench(f"{g} PyTorch eager", [lambda a=a: torch_softmax(a) for a in sets], group=g)
        q, c, k = 300, 91, 100
        sets = [((torch.randn(1, q, c, device=dev) * 3).to(dtype), torch.rand(1, q, 4, device=dev).to(dtype), sizes,
                 torch.empty(1, k, device=dev), torch.empty(1, k, dtype=torch.int32, device=dev), torch.empty(1, k, 4, device=dev)) for _ in range(8)]

        def torch_topk(a):
            sc, idx = a[0].float().sigmoid().flatten(1).topk(k, dim=1)
            b = torch.gather(a[1], 1, (idx // c).unsqueeze(-1).expand(-1, -1, 4))
            return sc, idx % c, boxes_xyxy(b, a[2])
        g = f"detr sigmoid top-k {dn} q=300 c=91 k=100"
        bench(f"{g} trtkit", [lambda a=a: topk_launch(a[0], a[1], a[2], k, *a[3:]) for a in sets], group=g)
        bench(f"{g} PyTorch eager", [lambda a=a: torch_topk(a) for a in sets], group=g)


torch.manual_seed(20261122)
print(f"device: {props.name}, {props.multi_processor_count} SMs, torch {torch.__version__}", flush=True)
t0 = time.time()
check_msda_first_in_capture()
check_msda()
check_msda_variants()
check_layernorm()
check_preprocess()
check_decode()
check_argmax()
print(f"checks: {len(results['checks']) - len(failures)}/{len(results['checks'])} passed in {time.time() - t0:.1f}s", flush=True)
if args.checks_only:
    with open(f"{args.out}/kernels-results.json", "w") as f:
        json.dump(results, f, indent=1)
    print("FAILED CHECKS:", failures if failures else "none")
    sys.exit(1 if failures else 0)
BW = measure_bandwidth()
results["copy_bandwidth_Bps"] = BW
print(f"device-to-device copy bandwidth (read + write): {BW / 1e12:.3f} TB/s", flush=True)
bench("timing floor: empty kernel", [lambda: lib.tk_empty(stream())])
only = set(filter(None, args.only.split(",")))
if not only or "msda" in only or "msda-decoder" in only:
    bench_msda(decoder_only="msda" not in only and "msda-decoder" in only)
elif "msda-encoder" in only:
    bench_msda(encoder_only=True)
if "msda-waves" in only:
    bench_msda_waves()
if not only or "layernorm" in only:
    bench_layernorm()
if not only or "preprocess" in only:
    bench_preprocess()
if not only or "postprocess" in only:
    bench_postprocess()
with open(f"{args.out}/kernels-results.json", "w") as f:
    json.dump(results, f, indent=1)
print("FAILED CHECKS:", failures if failures else "none")
sys.exit(1 if failures else 0)
