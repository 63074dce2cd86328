#!/usr/bin/env python3
"""Reads a cuobjdump -sass listing and reports, for each kernel whose name matches a pattern, the instruction mix
of its innermost loop that contains an opcode (default LDG.E.128: the loop of a gather kernel's main step):
instructions per iteration, then counts per opcode. A static measure of the work an iteration issues.
    python3 loopmix.py listing.sass REGEX [OPCODE]"""
import collections
import re
import sys


def instructions(part):
    for m in re.finditer(r"/\*([0-9a-f]{4,})\*/\s+(?:@!?U?P[0-9T]+\s+)?([A-Z0-9_.]+)([^;]*);", part):
        yield int(m.group(1), 16), m.group(2), m.group(3)


def innermost_loop(body, opcode):
    """Shortest [target, branch] range closed by a backward branch that contains `opcode`."""
    best = None
    for addr, op, rest in body:
        target = re.search(r"0x([0-9a-f]+)", rest) if op == "BRA" else None
        if target and int(target.group(1), 16) < addr:
            start = int(target.group(1), 16)
            loop = [o for a, o, _ in body if start <= a <= addr]
            if any(o.startswith(opcode) for o in loop) and (best is None or len(loop) < len(best)):
                best = loop
    return best


def main():
    listing, pattern = sys.argv[1], re.compile(sys.argv[2])
    opcode = sys.argv[3] if len(sys.argv) > 3 else "LDG.E.128"
    for part in re.split(r"\n\s*Function : ", open(listing).read())[1:]:
        name = part.split("\n", 1)[0].strip()
        if not pattern.search(name):
            continue
        loop = innermost_loop(list(instructions(part)), opcode)
        if loop is None:
            print(f"{name}: no loop with {opcode}")
            continue
        mix = collections.Counter(o.split(".")[0] for o in loop)
        print(f"{name}: {len(loop)} per iteration; " + ", ".join(f"{o} {n}" for o, n in mix.most_common()))


if __name__ == "__main__":
    main()
