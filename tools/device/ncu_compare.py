#!/usr/bin/env python3
"""Side-by-side table of Nsight Compute results for one kernel launch each, from `ncu --set full --page raw --csv`
listings (one file per variant), with the L1 data-pipe work split by source. The split is what decides the MSDA
encoder: corner and location loads returning data ("reads"), shuffles (counted as shared-memory wavefronts) and the
remainder, which falls with the L1 miss sectors (about one wavefront per four: line fills from L2) over a floor of
other work.
    ncu --kernel-name regex:msdaSharedKernel --launch-skip 3 --launch-count 1 --set full --page raw --csv \\
        python3 tools/device/msda_profile.py [--tuning ...] > default.csv
    python3 tools/device/ncu_compare.py default.csv other.csv ..."""
import csv
import os
import sys

ROWS = [
    ("time (ns)", "gpu__time_duration.sum"),
    ("instructions", "smsp__inst_executed.sum"),
    ("issue slots busy (%)", "smsp__issue_active.avg.pct_of_peak_sustained_active"),
    ("FMA-heavy pipe (%)", "sm__pipe_fmaheavy_cycles_active.avg.pct_of_peak_sustained_elapsed"),
    ("L1 data pipe (%)", "l1tex__data_pipe_lsu_wavefronts.sum.pct_of_peak_sustained_elapsed"),
    ("L1 hit rate (%)", "l1tex__t_sector_hit_rate.pct"),
    ("L1 miss sectors", "l1tex__t_sectors_pipe_lsu_mem_global_op_ld_lookup_miss.sum"),
    ("L2 hit rate (%)", "lts__t_sector_hit_rate.pct"),
    ("DRAM bytes read", "dram__bytes_read.sum"),
    ("warps active (% of peak)", "sm__warps_active.avg.pct_of_peak_sustained_active"),
    ("SM cycles active", "sm__cycles_active.avg"),
    ("SM cycles elapsed", "sm__cycles_elapsed.avg"),
    ("eligible warps per cycle", "smsp__warps_eligible.avg.per_cycle_active"),
    ("stall: long scoreboard", "smsp__average_warps_issue_stalled_long_scoreboard_per_issue_active.ratio"),
    ("stall: not selected", "smsp__average_warps_issue_stalled_not_selected_per_issue_active.ratio"),
    ("stall: wait", "smsp__average_warps_issue_stalled_wait_per_issue_active.ratio"),
    ("stall: math pipe throttle", "smsp__average_warps_issue_stalled_math_pipe_throttle_per_issue_active.ratio"),
    ("stall: short scoreboard", "smsp__average_warps_issue_stalled_short_scoreboard_per_issue_active.ratio"),
]


def load(path):
    rows = list(csv.reader(open(path)))
    head = next(i for i, r in enumerate(rows) if r and r[0] == "ID")
    names, values = rows[head], rows[head + 2]  # the row between holds the units
    return {n: v for n, v in zip(names, values)}


def num(m, key):
    try:
        return float(m[key].replace(",", ""))
    except (KeyError, ValueError):
        return None


def pipe_split(m):
    """(reads, shuffles, rest) in L1 data-pipe wavefronts: the total comes from the percentage of the peak of one
    wavefront per cycle per SM over the elapsed cycles."""
    pct = num(m, "l1tex__data_pipe_lsu_wavefronts.sum.pct_of_peak_sustained_elapsed")
    cycles, sms = num(m, "sm__cycles_elapsed.avg"), num(m, "device__attribute_multiprocessor_count")
    reads = num(m, "l1tex__t_output_wavefronts_pipe_lsu_mem_global_op_ld.sum")
    shuffles = num(m, "l1tex__data_pipe_lsu_wavefronts_mem_shared.sum")
    if None in (pct, cycles, sms, reads, shuffles):
        return None
    total = pct / 100 * cycles * sms
    return reads, shuffles, total - reads - shuffles


def main():
    files = sys.argv[1:]
    if not files:
        sys.exit(__doc__)
    metrics = [load(f) for f in files]
    labels = [os.path.splitext(os.path.basename(f))[0] for f in files]
    print("| metric | " + " | ".join(labels) + " |")
    print("| --- |" + " ---: |" * len(files))
    for title, key in ROWS:
        print(f"| {title} | " + " | ".join(m.get(key, "n/a") for m in metrics) + " |")
    splits = [pipe_split(m) for m in metrics]
    for i, title in enumerate(("data pipe: load reads (M)", "data pipe: shuffles (M)", "data pipe: rest: L1 fills and other (M)")):
        print(f"| {title} | " + " | ".join(f"{s[i] / 1e6:.2f}" if s else "n/a" for s in splits) + " |")


if __name__ == "__main__":
    main()
