"""Peer side of the preprocessing benchmark: transformers' own image processors on the bundled photos.

Run where transformers is installed (the GPU machine image has it), beside our side on the same machine:
    python3 tools/device/preprocess_transformers.py --repeats 7 --out transformers.json
Times DetrImageProcessor and SegformerImageProcessor (the classes transformers instantiates by default, and the
`*Fast` torchvision variants when present) from a JPEG path to pixel_values (+ pixel_mask), per call: open with PIL,
then the processor. Cases as in scripts/bench/preprocess.mjs.
"""
import argparse
import json
import os
import statistics
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--out", default="transformers.json")
    ap.add_argument("--images", default=os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "processors"))
    a = ap.parse_args()

    import torch
    import transformers
    from PIL import Image
    from transformers import DetrImageProcessor, SegformerImageProcessor

    torch.set_num_threads(1)  # like-for-like with one thread of ours; the default-thread row is below
    big = os.path.join(a.images, "photo_1920x1080_exif6.jpg")
    small = os.path.join(a.images, "photo_640x480.jpg")
    cases = [
        ("1080p JPEG (EXIF 6), single", [big]),
        ("640x480 JPEG, single", [small]),
        ("batch of 8 (4 of each)", [big, small] * 4),
    ]
    procs = [("detr", "DetrImageProcessor", DetrImageProcessor()), ("segformer", "SegformerImageProcessor", SegformerImageProcessor())]
    for recipe, name in (("detr", "DetrImageProcessorFast"), ("segformer", "SegformerImageProcessorFast")):
        cls = getattr(transformers, name, None)
        if cls is not None:
            procs.append((recipe, name, cls()))
    rows = []
    for threads in ("1", "default"):
        torch.set_num_threads(1 if threads == "1" else os.cpu_count() or 1)
        for recipe, name, proc in procs:
            for case, paths in cases:
                def run():
                    images = [Image.open(p) for p in paths]
                    return proc(images=images, return_tensors="pt")

                out = None
                for _ in range(2):
                    out = run()
                ms = []
                for _ in range(a.repeats):
                    t = time.perf_counter()
                    run()
                    ms.append((time.perf_counter() - t) * 1000)
                rows.append({"threads": threads, "recipe": recipe, "processor": name, "case": case,
                             "images": len(paths), "ms": ms, "median_ms": statistics.median(ms),
                             "shape": list(out["pixel_values"].shape)})
                print(json.dumps(rows[-1]), flush=True)
    meta = {"transformers": transformers.__version__, "torch": torch.__version__, "cpus": os.cpu_count()}
    with open(a.out, "w") as f:
        json.dump({"meta": meta, "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
