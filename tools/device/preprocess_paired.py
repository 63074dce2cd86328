"""Paired preprocessing benchmark: transformers' image processors and our recipes, calls interleaved one by one.

Machines whose speed drifts (shared hosts, frequency scaling) make back-to-back runs of each side disagree by 2x;
interleaving puts both sides under the same conditions. Python times transformers in-process; our side is a Node
process serving one call per request (scripts/bench/preprocess.mjs --serve) and timing it itself. Order alternates
(ours first on odd repeats) so neither side always runs on a machine the other has just warmed.

    python3 tools/device/preprocess_paired.py --node /tmp/node --bundle .carry/dev/preprocess.mjs --repeats 15 --out X.json
"""
import argparse
import json
import os
import statistics
import subprocess
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--node", default="node")
    ap.add_argument("--bundle", required=True)
    ap.add_argument("--repeats", type=int, default=15)
    ap.add_argument("--out", default="preprocess-paired.json")
    ap.add_argument("--modes", default="1,default,cores")
    ap.add_argument("--cases", default="", help="case names to run, separated by | (default: all)")
    a = ap.parse_args()
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
    os.chdir(root)

    import torch
    import transformers
    from PIL import Image
    from transformers import DetrImageProcessor, SegformerImageProcessor

    images = os.path.join(root, "fixtures", "processors")
    big = os.path.join(images, "photo_1920x1080_exif6.jpg")
    small = os.path.join(images, "photo_640x480.jpg")
    cases = [("1080p JPEG (EXIF 6), single", [big]), ("640x480 JPEG, single", [small]),
             ("batch of 8 (4 of each)", [big, small] * 4), ("batch of 32 (16 of each)", [big, small] * 16),
             ("batch of 32 1080p", [big] * 32)]
    procs = {"detr": DetrImageProcessor(), "segformer": SegformerImageProcessor()}
    rows = []
    # "1": one thread each; "default": both at their defaults (torch: one thread per core; Node: 4 libuv threads);
    # "cores": Node with one libuv thread per core (UV_THREADPOOL_SIZE, set before start), torch as in "default".
    for threads in a.modes.split(","):
        torch.set_num_threads(1 if threads == "1" else os.cpu_count() or 1)
        env = dict(os.environ)
        env.pop("UV_THREADPOOL_SIZE", None)
        if threads == "1":
            env["UV_THREADPOOL_SIZE"] = "1"
        if threads == "cores":
            env["UV_THREADPOOL_SIZE"] = str(os.cpu_count() or 4)
        node_threads = "1" if threads == "1" else "default"
        node = subprocess.Popen([a.node, "scripts/bench/preprocess.mjs", "--worker", a.bundle, "--serve", "--threads", node_threads],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
        hello = json.loads(node.stdout.readline())

        def ours(recipe, case):
            node.stdin.write(json.dumps({"recipe": recipe, "resample": "torchvision", "case": case}) + "\n")
            node.stdin.flush()
            return json.loads(node.stdout.readline())["ms"]

        for recipe, proc in procs.items():
            for case, paths in cases:
                if threads == "1" and len(paths) > 8:
                    continue  # one thread: the batch of 8 already shows the per-image cost
                if a.cases and case not in a.cases.split("|"):
                    continue

                def theirs():
                    t = time.perf_counter()
                    proc(images=[Image.open(p) for p in paths], return_tensors="pt")
                    return (time.perf_counter() - t) * 1000

                for _ in range(2):
                    theirs()
                    ours(recipe, case)
                t_ms, o_ms = [], []
                for i in range(a.repeats):
                    if i % 2:
                        o_ms.append(ours(recipe, case))
                        t_ms.append(theirs())
                    else:
                        t_ms.append(theirs())
                        o_ms.append(ours(recipe, case))
                n = len(paths)
                row = {"threads": threads, "recipe": recipe, "case": case, "images": n, "transformers_ms": t_ms,
                       "ours_ms": o_ms, "native": hello.get("native"),
                       "transformers_img_s": n * 1000 / statistics.median(t_ms),
                       "ours_img_s": n * 1000 / statistics.median(o_ms)}
                row["ratio"] = row["ours_img_s"] / row["transformers_img_s"]
                rows.append(row)
                print(f"{threads:8s} {recipe:10s} {case:28s} transformers {row['transformers_img_s']:7.1f} img/s  "
                      f"ours {row['ours_img_s']:7.1f} img/s  {row['ratio']:.2f}x", flush=True)
        node.stdin.close()
        node.wait()
    meta = {"transformers": transformers.__version__, "torch": torch.__version__, "cpus": os.cpu_count()}
    with open(a.out, "w") as f:
        json.dump({"meta": meta, "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
