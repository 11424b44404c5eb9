#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 virtio-container authors
"""Statistics, table, CSV and chart for devtools/bench.sh.

    bench_report.py DIR

Reads DIR/raw.csv (one row per run) and DIR/meta.txt, prints the comparison
table and the start-up table, writes DIR/results.csv (one row per
configuration), DIR/startup.csv and DIR/bench.png (when matplotlib is there).

A configuration is NOISY when, for either driver,
  - the min-max spread of a Mpps figure (either direction) or of a
    cycles/packet figure (either side) exceeds BENCH_MAX_SPREAD (0.10) of
    its median, or
  - in any run either process got less than BENCH_MIN_CPU (0.90) of its core
    (another process or the hypervisor took the rest: the two sides no
    longer ran at the speed of their own code).
Its ratios are then printed as "~1.23" and the reasons are given.

Each round runs ours and then upstream, seconds apart: the per-round ratio
of RX Mpps ("pairs") compares two runs the machine most likely ran in the
same state.  Their median is what to read when one round of three caught
the machine switching speed and the ratio of the medians mixes states.
"""

import csv
import os
import statistics
import sys

MAX_SPREAD = float(os.environ.get("BENCH_MAX_SPREAD", "0.10"))
MIN_CPU = float(os.environ.get("BENCH_MIN_CPU", "0.90"))
DRIVERS = ("ours", "upstream")
MPPS = ("tx_mpps", "rx_mpps")
CYC = ("front_cyc", "back_cyc")
LABEL = {"tx_mpps": "TX Mpps", "rx_mpps": "RX Mpps",
         "front_cyc": "frontend cycles/pkt", "back_cyc": "backend cycles/pkt"}


def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def gbps(mpps, size):
    """Wire rate: preamble + SFD + inter-frame gap (20 B) per frame."""
    return None if mpps is None else mpps * (size + 20) * 8 / 1000


def fmt(v, nd=3):
    return "-" if v is None else f"{v:.{nd}f}"


class Stat:
    """median / min / max of one figure over the runs of one driver."""

    def __init__(self, values):
        vals = [v for v in values if v is not None]
        self.n = len(vals)
        self.med = statistics.median(vals) if vals else None
        self.min = min(vals) if vals else None
        self.max = max(vals) if vals else None

    @property
    def spread(self):
        if self.n < 2 or not self.med:
            return None
        return (self.max - self.min) / self.med


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def load(dirname):
    with open(os.path.join(dirname, "raw.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    meta = []
    mp = os.path.join(dirname, "meta.txt")
    if os.path.exists(mp):
        with open(mp) as f:
            meta = [l.rstrip("\n") for l in f if l.strip()]
    return rows, meta


def configurations(rows):
    """Configurations in run order: (path, size, bursts)."""
    seen = []
    for r in rows:
        k = (r["path"], int(r["size"]), int(r["bursts"]))
        if k not in seen:
            seen.append(k)
    return seen


def pair_ratios(runs):
    """ours / upstream RX Mpps of each round in which both ran, in order
    (@runs: one configuration's rows)."""
    by_round = {}
    for r in runs:
        if r["status"] == "ok" and num(r["rx_mpps"]) is not None:
            by_round.setdefault(r["round"], {})[r["driver"]] = num(r["rx_mpps"])
    out = []
    for rnd in sorted(by_round, key=int):
        v = by_round[rnd]
        q = ratio(v.get("ours"), v.get("upstream"))
        if q is not None:
            out.append(q)
    return out


def summarise(rows):
    out = []
    for path, size, nb in configurations(rows):
        c = {"path": path, "size": size, "bursts": nb, "inflight": nb * 32,
             "noise": []}
        conf = [r for r in rows if r["path"] == path and int(r["size"]) == size
                and int(r["bursts"]) == nb]
        for d in DRIVERS:
            runs = [r for r in conf if r["driver"] == d]
            ok = [r for r in runs if r["status"] == "ok"]
            bad = [r for r in runs if r["status"] != "ok"]
            c[d] = {"runs": len(ok), "tries": len(runs)}
            if not ok and bad:
                c[d]["status"] = bad[0]["status"]
                c[d]["reason"] = bad[0]["reason"]
            else:
                c[d]["status"] = "ok" if ok else "none"
                c[d]["reason"] = bad[0]["reason"] if bad else ""
            for m in MPPS + CYC:
                c[d][m] = Stat([num(r[m]) for r in ok])
            for m in ("front_cpu", "back_cpu"):
                vals = [num(r[m]) for r in ok if num(r[m]) is not None]
                c[d][m] = min(vals) if vals else None
            c[d]["driver_path"] = next((r["driver_path"] for r in ok if r["driver_path"]), "")
            # Noise: wide spread or a core shared with someone else.
            why = []
            for group, name in ((MPPS, "Mpps"), (CYC, "cycles/pkt")):
                sp = [c[d][m].spread for m in group if c[d][m].spread is not None]
                if sp and max(sp) > MAX_SPREAD:
                    why.append(f"{name} spread {max(sp):.0%}")
            low = [f"{side} {c[d][m]:.0%}" for m, side in
                   (("front_cpu", "frontend"), ("back_cpu", "backend"))
                   if c[d][m] is not None and c[d][m] < MIN_CPU]
            if low:
                why.append("core share " + " ".join(low))
            if why:
                c["noise"].append(f"{d}: " + ", ".join(why))
        c["noisy"] = bool(c["noise"])
        c["ratio"] = {}
        for m in MPPS + CYC:
            c["ratio"][m] = ratio(c["ours"][m].med, c["upstream"][m].med)
        c["pairs"] = pair_ratios(conf)
        c["pair_stat"] = Stat(c["pairs"])
        out.append(c)
    return out


def ratio_str(v, noisy, nd=2):
    if v is None:
        return "-"
    return f"~{v:.{nd}f}" if noisy else f"{v:.{nd}f}"


def na_text(c, d):
    st = c[d]["status"]
    if st == "refused":
        return f"n/a ({d}: not supported)"
    if st == "failed":
        return f"n/a ({d}: failed: {c[d]['reason'][:60]})"
    return "n/a"


def print_table(confs, meta, rounds_note):
    print()
    print("virtio-container (ours) vs upstream net_virtio_user, loopback through "
          "testpmd net_vhost, mac forwarding")
    for l in meta:
        if l.startswith(("memory:", "timing:", "dpdk:")):
            print("  " + l)
    print("  Mpps: median [min-max] over the rounds, seen by the frontend "
          "(TX: frontend->vhost, RX: vhost->frontend)")
    print("  Gbit/s: wire rate of the median, Mpps x (size + 20 B preamble/IFG) "
          "x 8 / 1000 (virtio frames carry no FCS)")
    print("  cycles/pkt: testpmd --record-core-cycles, frontend (cpu 1) and "
          "vhost backend (cpu 0); ratio = ours / upstream (< 1 is better for cycles)")
    print(rounds_note)
    print()
    hdr = (f"{'path':<19}{'size':>5}{'flight':>7}  {'':<9}{'TX Mpps':<22}{'RX Mpps':<22}"
           f"{'Gbit/s TX/RX':<16}{'cyc/pkt fe':>11}{'be':>9}")
    print(hdr)
    print("-" * len(hdr))
    for c in confs:
        first = f"{c['path']:<19}{c['size']:>5}{c['inflight']:>7}  "
        blank = " " * len(first)
        for i, d in enumerate(DRIVERS):
            lead = first if i == 0 else blank
            x = c[d]
            if x["runs"] == 0:
                print(f"{lead}{d:<9}{na_text(c, d)}")
                continue
            cols = []
            for m in MPPS:
                s = x[m]
                cols.append(f"{s.med:6.3f} [{s.min:.3f}-{s.max:.3f}]".ljust(22))
            g = f"{fmt(gbps(x['tx_mpps'].med, c['size']), 2)}/{fmt(gbps(x['rx_mpps'].med, c['size']), 2)}"
            print(f"{lead}{d:<9}{''.join(cols)}{g:<16}"
                  f"{fmt(x['front_cyc'].med, 1):>11}{fmt(x['back_cyc'].med, 1):>9}")
        if c["ours"]["runs"] and c["upstream"]["runs"]:
            n = c["noisy"]
            rt = ratio_str(c["ratio"]["tx_mpps"], n)
            rr = ratio_str(c["ratio"]["rx_mpps"], n)
            print(f"{blank}{'ratio':<9}{rt:<22}{rr:<22}{rt + '/' + rr:<16}"
                  f"{ratio_str(c['ratio']['front_cyc'], n):>11}"
                  f"{ratio_str(c['ratio']['back_cyc'], n):>9}")
        if len(c["pairs"]) > 1:
            print(f"{blank}{'pairs':<9}" + " ".join(f"{q:.2f}" for q in c["pairs"])
                  + f"  (RX Mpps per round; median {c['pair_stat'].med:.2f})")
        if c["noisy"]:
            print(f"{blank}NOISY: " + "; ".join(c["noise"]))
        chose = [f"{d} chose: {c[d]['driver_path']}" for d in DRIVERS if c[d]["driver_path"]]
        if chose:
            print(f"{blank}(" + "; ".join(chose) + ")")
    print()


def startup(rows):
    out = []
    paths = []
    for r in rows:
        if r["path"] not in paths:
            paths.append(r["path"])
    for p, d in ((p, d) for p in paths for d in DRIVERS):
        ok = [r for r in rows if r["driver"] == d and r["path"] == p and num(r["link_ms"]) is not None]
        if not ok:
            continue
        e = {"driver": d, "path": p, "runs": len(ok)}
        for m in ("eal_ms", "start_ms", "link_ms", "heap_kib", "rss_kib"):
            e[m] = Stat([num(r[m]) for r in ok])
        out.append(e)
    return out


def print_startup(st):
    print("Start-up and memory per port (medians over every start of that driver and path)")
    print("  EAL: process start -> 'Configuring Port 0' (EAL init with the vdev probe, "
          "mbuf pool); started: -> dev_start done;")
    print("  link up: -> link reported up.  heap: rte_malloc bytes the port adds, "
          "RSS: process RSS it adds (both against the same testpmd without a port)")
    hdr = (f"{'path':<19}{'driver':<10}{'runs':>5}{'EAL ms':>9}{'started ms':>12}"
           f"{'link up ms':>12}{'heap KiB':>10}{'RSS KiB':>9}")
    print(hdr)
    print("-" * len(hdr))
    for e in st:
        print(f"{e['path']:<19}{e['driver']:<10}{e['runs']:>5}{fmt(e['eal_ms'].med, 0):>9}"
              f"{fmt(e['start_ms'].med, 0):>12}{fmt(e['link_ms'].med, 0):>12}"
              f"{fmt(e['heap_kib'].med, 0):>10}"
              f"{fmt(e['rss_kib'].med, 0):>9}")
    print()


RESULT_COLUMNS = [
    ("path", "ring layout / devargs set (see devtools/bench.sh)"),
    ("size", "frame size in bytes (testpmd set txpkts)"),
    ("bursts", "testpmd 'start tx_first N'"),
    ("frames_in_flight", "bursts x 32"),
    ("D_status", "ok | refused (driver says not supported) | failed | none"),
    ("D_runs", "successful runs of driver D"),
    ("D_tx_mpps_med/min/max", "frontend TX (frontend->vhost) Mpps over the rounds"),
    ("D_rx_mpps_med/min/max", "frontend RX (vhost->frontend) Mpps"),
    ("D_tx_gbps, D_rx_gbps", "wire rate of the median: Mpps x (size+20) x 8 / 1000"),
    ("D_front_cyc_med/min/max", "frontend CPU cycles/packet (testpmd --record-core-cycles)"),
    ("D_back_cyc_med/min/max", "vhost backend CPU cycles/packet"),
    ("D_front_cpu_min, D_back_cpu_min", "lowest share of its core a side got in a run"),
    ("ratio_*", "ours / upstream of the medians (Gbit/s ratios equal the Mpps ones)"),
    ("pair_rx_mpps_med/min/max", "ours / upstream RX Mpps within each round (the two "
     "runs seconds apart), over the rounds"),
    ("noisy", "1 when the figures are not trustworthy; noise says why"),
    ("ours_driver_path", "bursts ours chose (show rxq info: Burst mode)"),
    ("upstream_driver_path", "Rx/Tx functions upstream chose (its log)"),
    ("ours_reason", "why ours has no figures, when it has none"),
]


def write_results(dirname, confs, meta):
    cols = ["path", "size", "bursts", "frames_in_flight"]
    for d in DRIVERS:
        cols += [f"{d}_status", f"{d}_runs"]
        for m in MPPS:
            cols += [f"{d}_{m}_med", f"{d}_{m}_min", f"{d}_{m}_max"]
        cols += [f"{d}_tx_gbps", f"{d}_rx_gbps"]
        for m in CYC:
            cols += [f"{d}_{m}_med", f"{d}_{m}_min", f"{d}_{m}_max"]
        cols += [f"{d}_front_cpu_min", f"{d}_back_cpu_min"]
    cols += ["ratio_tx_mpps", "ratio_rx_mpps", "ratio_tx_gbps", "ratio_rx_gbps",
             "ratio_front_cyc", "ratio_back_cyc",
             "pair_rx_mpps_med", "pair_rx_mpps_min", "pair_rx_mpps_max", "noisy", "noise",
             "ours_driver_path", "upstream_driver_path", "ours_reason"]
    with open(os.path.join(dirname, "results.csv"), "w", newline="") as f:
        f.write("# virtio-container benchmark: ours (net_virtio_container) vs upstream "
                "net_virtio_user, devtools/bench.sh\n")
        for l in meta:
            f.write(f"# {l}\n")
        f.write(f"# noise thresholds: min-max spread > {MAX_SPREAD:.0%} of the median, "
                f"or a side with < {MIN_CPU:.0%} of its core\n")
        f.write("# columns (D = ours | upstream; empty = not measured):\n")
        for k, v in RESULT_COLUMNS:
            f.write(f"#   {k}: {v}\n")
        w = csv.writer(f)
        w.writerow(cols)
        for c in confs:
            row = {"path": c["path"], "size": c["size"], "bursts": c["bursts"],
                   "frames_in_flight": c["inflight"]}
            for d in DRIVERS:
                x = c[d]
                row[f"{d}_status"] = x["status"]
                row[f"{d}_runs"] = x["runs"]
                for m in MPPS + CYC:
                    row[f"{d}_{m}_med"] = fmt(x[m].med, 4) if x[m].med is not None else ""
                    row[f"{d}_{m}_min"] = fmt(x[m].min, 4) if x[m].min is not None else ""
                    row[f"{d}_{m}_max"] = fmt(x[m].max, 4) if x[m].max is not None else ""
                for m, g in (("tx_mpps", "tx_gbps"), ("rx_mpps", "rx_gbps")):
                    v = gbps(x[m].med, c["size"])
                    row[f"{d}_{g}"] = fmt(v, 4) if v is not None else ""
                for m in ("front_cpu", "back_cpu"):
                    row[f"{d}_{m}_min"] = fmt(x[m], 3) if x[m] is not None else ""
            for m in MPPS + CYC:
                v = c["ratio"][m]
                row[f"ratio_{m}"] = fmt(v, 4) if v is not None else ""
            row["ratio_tx_gbps"] = row["ratio_tx_mpps"]
            row["ratio_rx_gbps"] = row["ratio_rx_mpps"]
            for k in ("med", "min", "max"):
                v = getattr(c["pair_stat"], k)
                row[f"pair_rx_mpps_{k}"] = fmt(v, 4) if v is not None else ""
            row["noisy"] = int(c["noisy"])
            row["noise"] = "; ".join(c["noise"])
            row["ours_driver_path"] = c["ours"]["driver_path"]
            row["upstream_driver_path"] = c["upstream"]["driver_path"]
            row["ours_reason"] = c["ours"]["reason"] if c["ours"]["runs"] == 0 else ""
            w.writerow([row[k] for k in cols])


def write_startup(dirname, st):
    with open(os.path.join(dirname, "startup.csv"), "w", newline="") as f:
        f.write("# start-up and memory per port, medians; ms from process start; "
                "heap/RSS KiB added by the port over a testpmd without one\n")
        w = csv.writer(f)
        w.writerow(["driver", "path", "runs", "eal_ms", "started_ms", "link_up_ms",
                    "heap_kib", "rss_kib"])
        for e in st:
            w.writerow([e["driver"], e["path"], e["runs"]]
                       + [fmt(e[m].med, 0) for m in ("eal_ms", "start_ms", "link_ms",
                                                      "heap_kib", "rss_kib")])


def chart(dirname, confs, meta, quiet):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.patches import Patch
    except ImportError:
        print("bench: matplotlib missing (apt-get install python3-matplotlib): no chart",
              file=sys.stderr)
        return None
    sizes = sorted({c["size"] for c in confs})
    bursts = sorted({c["bursts"] for c in confs})
    paths = []
    for c in confs:
        if c["path"] not in paths:
            paths.append(c["path"])
    colours = {"ours": ["#1f77b4", "#8fbbe0"], "upstream": ["#ff7f0e", "#ffbf87"]}
    panel_w = max(4.0, 1.0 + 0.45 * len(paths) * len(bursts))
    fig, axes = plt.subplots(1, len(sizes), figsize=(max(11.0, panel_w * len(sizes)), 5.8),
                             squeeze=False, sharey=False)
    nbars = len(bursts) * 2
    width = 0.8 / nbars
    na = []
    ratios = []
    for ax, size in zip(axes[0], sizes):
        top = 0
        for pi, path in enumerate(paths):
            for bi, nb in enumerate(bursts):
                c = next((c for c in confs if c["path"] == path and c["size"] == size
                          and c["bursts"] == nb), None)
                if c is None:
                    continue
                for di, d in enumerate(DRIVERS):
                    x = pi - 0.4 + width * (bi * 2 + di + 0.5)
                    s = c[d]["rx_mpps"]
                    col = colours[d][min(bi, 1)]
                    if s.med is None:
                        na.append((ax, x, d, "not supported" if c[d]["status"] == "refused"
                                   else c[d]["status"]))
                        continue
                    ax.bar(x, s.med, width, color=col, edgecolor="black", linewidth=0.4,
                           hatch="//" if c["noisy"] else None)
                    ax.errorbar(x, s.med, yerr=[[s.med - s.min], [s.max - s.med]],
                                fmt="none", ecolor="black", capsize=2, linewidth=0.8)
                    top = max(top, s.max)
                r = c["ratio"]["rx_mpps"]
                if r is not None:
                    x = pi - 0.4 + width * (bi * 2 + 1)
                    y = max(c["ours"]["rx_mpps"].max, c["upstream"]["rx_mpps"].max)
                    ratios.append((ax, x, y, ("~" if c["noisy"] else "") + f"{r:.2f}x"))
        ax.set_xticks(range(len(paths)))
        ax.set_xticklabels(paths, rotation=30, ha="right")
        ax.set_title(f"{size}-byte frames")
        ax.set_ylabel("Mpps (frontend RX, median of rounds)")
        ax.set_ylim(0, top * 1.15 if top else 1)
        ax.grid(axis="y", alpha=0.3)
    for ax, x, y, text in ratios:
        lo, hi = ax.get_ylim()
        ax.text(x, y + 0.01 * (hi - lo), text, ha="center", va="bottom", fontsize=8)
    for ax, x, d, why in na:
        lo, hi = ax.get_ylim()
        ax.text(x, lo + 0.02 * (hi - lo), f"n/a ({d}: {why})",
                rotation=90, ha="center", va="bottom", fontsize=8, color=colours[d][0])
    handles = []
    for d, name in (("ours", "ours (net_virtio_container)"), ("upstream", "upstream net_virtio_user")):
        for bi, nb in enumerate(bursts):
            handles.append(Patch(facecolor=colours[d][min(bi, 1)], edgecolor="black",
                                 label=f"{name}, {nb * 32} frames in flight"))
    ncol = 2
    if any(c["noisy"] for c in confs):
        handles.append(Patch(facecolor="white", edgecolor="black", hatch="//",
                             label="NOISY: difference not meaningful"))
        ncol = 3
    fig.legend(handles=handles, loc="lower center", ncol=ncol, fontsize=9, frameon=False)
    rows = len(bursts)
    timing = next((l for l in meta if l.startswith("timing:")), "").replace("timing: ", "")
    fig.suptitle("ours (net_virtio_container) vs upstream net_virtio_user: testpmd mac "
                 "forwarding through net_vhost, 1 core per side\n"
                 f"bars: median Mpps, error bars: min-max over rounds, labels: ours/upstream; {timing}"
                 + ("" if quiet else "\nmachine NOISY during the run: hatched differences "
                    "are not meaningful"), fontsize=10)
    fig.tight_layout(rect=(0, 0.035 * rows + 0.02, 1, 0.99))
    p = os.path.join(dirname, "bench.png")
    fig.savefig(p, dpi=110)
    return p


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    dirname = sys.argv[1]
    rows, meta = load(dirname)
    if not rows:
        sys.exit("bench: no runs in raw.csv")
    confs = summarise(rows)
    rounds = max(c[d]["tries"] for c in confs for d in DRIVERS)
    note = (f"  {rounds} round(s) per driver and configuration, alternating ours, upstream")
    if rounds < 2:
        note += "; one round: no min-max spread, noise judged from core shares only"
    print_table(confs, meta, note)
    st = startup(rows)
    print_startup(st)
    write_results(dirname, confs, meta)
    write_startup(dirname, st)
    measured = [c for c in confs if c["ours"]["runs"] or c["upstream"]["runs"]]
    noisy = [c for c in measured if c["noisy"]]
    quiet = not noisy
    png = chart(dirname, confs, meta, quiet)
    print(f"results: {os.path.join(dirname, 'results.csv')}, "
          f"{os.path.join(dirname, 'startup.csv')}"
          + (f", {png}" if png else ""))
    cpus = [c[d][m] for c in measured for d in DRIVERS for m in ("front_cpu", "back_cpu")
            if c[d][m] is not None]
    if not measured:
        print("Machine quiet enough: unknown, nothing was measured (see the n/a reasons).")
    elif quiet:
        print(f"Machine quiet enough: yes. All {len(measured)} configurations within "
              f"{MAX_SPREAD:.0%} spread, each side had >= {MIN_CPU:.0%} of its core.")
    else:
        worst = f"; lowest core share {min(cpus):.0%}" if cpus else ""
        print(f"Machine quiet enough: NO. {len(noisy)} of {len(measured)} configurations "
              f"NOISY{worst}: ratios marked ~ are indicative only; rerun on an idle "
              "machine (load in the results.csv header).")


if __name__ == "__main__":
    main()
