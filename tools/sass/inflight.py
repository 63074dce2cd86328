#!/usr/bin/env python3
"""Reads a cuobjdump -sass listing and reports, for each kernel whose name matches a pattern, its 128-bit global
loads: how many instructions after each load its value is first read, and the most loads issued and not yet
read at any point of the instruction sequence (a static measure of the loads a warp keeps in flight).
    python3 inflight.py listing.sass REGEX"""
import re
import sys


def kernels(text):
    for part in re.split(r"\n\s*Function : ", text)[1:]:
        name = part.split("\n", 1)[0].strip()
        body = [m.group(1) for m in re.finditer(r"/\*[0-9a-f]{4}\*/\s+(.*?)\s*;", part)]
        yield name, body


def reads(instruction, regs):
    parts = instruction.split(None, 1)
    if len(parts) < 2 or "," not in parts[1]:
        return False
    sources = parts[1].split(",", 1)[1]  # the first operand is the destination
    return any(re.search(rf"\b{r}\b", sources) for r in regs)


def report(name, body):
    loads = []
    for i, ins in enumerate(body):
        m = re.search(r"LDG\.E\.128\S*\s+R(\d+)", ins)
        if m:
            regs = [f"R{int(m.group(1)) + k}" for k in range(4)]
            use = next((j for j in range(i + 1, len(body)) if reads(body[j], regs)), None)
            loads.append((i, use))
    most = max((sum(1 for a, u in loads if a <= i and (u is None or u > i)) for i, _ in loads), default=0)
    gaps = [u - a if u is not None else None for a, u in loads]
    print(f"{name}\n  {len(body)} instructions, {len(loads)} 128-bit loads, first read after {gaps}, "
          f"most in flight {most}")


if __name__ == "__main__":
    text = open(sys.argv[1]).read()
    pattern = re.compile(sys.argv[2])
    for name, body in kernels(text):
        if pattern.search(name):
            report(name, body)
