#!/usr/bin/env python3
"""Python peer for scripts/bench/preprocess.mjs: transformers' DETR and SegFormer image-processor steps, PIL backend,
written out with PIL + numpy only (no transformers install needed), timed in one process.

usage: preprocess_peer.py [--repeats N] [--images DIR]
Prints one JSON line: {"peer": ..., "pil": version, "numpy": version, "results": [{recipe, case, images, ms}]}.

Steps per image, in transformers' order (load_image, then DetrImageProcessor / SegformerImageProcessor with the
PIL backend, transformers 4's default for these processors): open, EXIF transpose, convert to RGB, to a numpy
array; resize with PIL bilinear (reducing_gap=None) to DETR's shortest-800/longest-1333 size or SegFormer's
512x512; rescale in float64 then cast to float32; normalise with float32 ImageNet mean/std; HWC -> CHW; DETR:
zero-pad to the batch's largest size with an int64 pixel mask; stack into one batch array.
"""

import argparse
import json
import os
import sys
import time

MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)
RESCALE = 1 / 255


def detr_size(height, width, size=800, max_size=1333):
    """transformers' get_size_with_aspect_ratio (shortest edge, capped longest edge)."""
    raw = None
    lo, hi = float(min(height, width)), float(max(height, width))
    if hi / lo * size > max_size:
        raw = max_size * lo / hi
        size = int(round(raw))
    if (height <= width and height == size) or (width <= height and width == size):
        return height, width
    if width < height:
        return int((raw if raw is not None else size) * height / width), size
    return size, int((raw if raw is not None else size) * width / height)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=10)
    ap.add_argument("--images", default=os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "processors"))
    a = ap.parse_args()

    import numpy as np
    import PIL
    from PIL import Image, ImageOps

    mean = np.array(MEAN, dtype=np.float32)
    std = np.array(STD, dtype=np.float32)

    def load(path):
        im = Image.open(path)
        im = ImageOps.exif_transpose(im)
        return np.array(im.convert("RGB"))

    def resize(arr, oh, ow):
        return np.array(Image.fromarray(arr).resize((ow, oh), resample=Image.BILINEAR, reducing_gap=None))

    def rescale_normalise_chw(arr):
        x = (arr.astype(np.float64) * RESCALE).astype(np.float32)
        x = (x - mean) / std
        return x.transpose(2, 0, 1)

    def detr(paths):
        chw = []
        for p in paths:
            arr = load(p)
            oh, ow = detr_size(*arr.shape[:2])
            chw.append(rescale_normalise_chw(resize(arr, oh, ow)))
        ph = max(x.shape[1] for x in chw)
        pw = max(x.shape[2] for x in chw)
        padded, masks = [], []
        for x in chw:
            h, w = x.shape[1:]
            padded.append(np.pad(x, ((0, 0), (0, ph - h), (0, pw - w)), mode="constant", constant_values=0))
            m = np.zeros((ph, pw), dtype=np.int64)
            m[:h, :w] = 1
            masks.append(m)
        return np.array(padded), np.array(masks)

    def segformer(paths):
        return np.array([rescale_normalise_chw(resize(load(p), 512, 512)) for p in paths]), None

    big = os.path.join(a.images, "photo_1920x1080_exif6.jpg")
    small = os.path.join(a.images, "photo_640x480.jpg")
    cases = [("1080p JPEG (EXIF 6), single", [big]), ("640x480 JPEG, single", [small]),
             ("batch of 8 (4 of each)", [big, small] * 4)]
    results = []
    for recipe, fn in (("detr", detr), ("segformer", segformer)):
        for case, paths in cases:
            for _ in range(2):
                values, _ = fn(paths)
            ms = []
            for _ in range(a.repeats):
                t = time.perf_counter()
                fn(paths)
                ms.append((time.perf_counter() - t) * 1000)
            results.append({"recipe": recipe, "case": case, "images": len(paths), "ms": ms,
                            "shape": list(values.shape)})
    print(json.dumps({"peer": "PIL + numpy (transformers' PIL-backend steps)", "python": sys.version.split()[0],
                      "pil": PIL.__version__, "numpy": np.__version__, "results": results}))


if __name__ == "__main__":
    main()
