#!/usr/bin/env python3
"""Prints the comparison table of load-tests/compare-mosquitto.sh from its results.jsonl.

Per scenario and broker the median over the rounds; the ratio ours/Mosquitto (throughput: higher is better;
latency and KB per connection: lower is better); the messages lost and duplicated, summed over all rounds; and
the issue's target where there is one. Cross-node scenarios (ours only) are listed on their own.
"""
import json
import statistics
import sys
from collections import defaultdict

OURS, THEIRS, CLUSTER = "meshmq", "mosquitto", "meshmq-cluster"


def metric(key):
    """(label, function of a JSON line, higher_is_better, target description, target check on our median)."""
    if key.startswith(("fan-in", "fan-out", "cross-node-fan-in")):
        return [("msgs/s delivered", lambda d: d["msgs_per_s"], True, "ratio >= 1.0", None)]
    if "latency" in key:
        limit = 3.0 if key.startswith("cross-node") else 2.0
        return [
            ("p50 ms", lambda d: d["latency_p50_ms"], False, "", None),
            ("p99 ms", lambda d: d["latency_p99_ms"], False, f"p99 <= {limit:g} ms", lambda v: v <= limit),
            ("p99.9 ms", lambda d: d["latency_p999_ms"], False, "", None),
        ]
    if key.startswith("idle"):
        return [("KB/conn (RSS+heap)", lambda d: d["memory_per_connection_bytes"] / 1024, False,
                 "<= 4 KB", lambda v: v <= 4.0)]
    return []


def median(lines, fn):
    values = [fn(d) for d in lines if not d.get("failed")]
    return statistics.median(values) if values else None


def loss(lines):
    counted = [d for d in lines if "lost" in d]
    if not counted:
        return ""
    return f'{sum(d["lost"] for d in counted)}/{sum(d["duplicated"] for d in counted)}'


def fmt(v):
    if v is None:
        return "failed"
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.2f}"


def main(path):
    runs = defaultdict(lambda: defaultdict(list))
    order = []
    with open(path) as f:
        for raw in f:
            d = json.loads(raw)
            if d["key"] not in order:
                order.append(d["key"])
            runs[d["key"]][d["broker"]].append(d)
    rounds = max((d["round"] for k in runs for b in runs[k] for d in runs[k][b]), default=0)
    failed = sum(1 for k in runs for b in runs[k] for d in runs[k][b] if d.get("failed"))

    print(f"Medians over {rounds} round(s); lost/dup = messages lost/duplicated in all rounds; {failed} failed run(s)")
    print()
    head = f'{"scenario":<16} {"metric":<19} {"meshmq":>10} {"mosquitto":>10} {"ours/mosq":>9}  {"lost/dup ours":>13} {"lost/dup mosq":>13}  target'
    print(head)
    print("-" * len(head))
    for key in order:
        if key.startswith("cross-node"):
            continue
        for label, fn, higher, target, check in metric(key):
            ours, theirs = median(runs[key][OURS], fn), median(runs[key][THEIRS], fn)
            ratio = ours / theirs if ours is not None and theirs else None
            if check is not None:
                verdict = "" if ours is None else ("met" if check(ours) else "NOT met")
            elif target:
                verdict = "" if ratio is None else ("met" if ratio >= 1.0 else "NOT met")
            else:
                verdict = ""
            better = "higher better" if higher else "lower better"
            print(f'{key:<16} {label:<19} {fmt(ours):>10} {fmt(theirs):>10} '
                  f'{"" if ratio is None else f"{ratio:.2f}":>9}  {loss(runs[key][OURS]):>13} {loss(runs[key][THEIRS]):>13}  '
                  f'{(target + ": " + verdict) if target else ""} ({better})')
    cross = [k for k in order if k.startswith("cross-node")]
    if cross:
        print()
        print("Cross-node, MeshMQ 2-node cluster (publishers on node A, subscriber on node B); Mosquitto has no cluster")
        print()
        head = f'{"scenario":<28} {"metric":<19} {"meshmq":>10}  {"lost/dup":>9}  target'
        print(head)
        print("-" * len(head))
        for key in cross:
            for label, fn, higher, target, check in metric(key):
                ours = median(runs[key][CLUSTER], fn)
                verdict = "" if check is None or ours is None else (": met" if check(ours) else ": NOT met")
                print(f'{key:<28} {label:<19} {fmt(ours):>10}  {loss(runs[key][CLUSTER]):>9}  '
                      f'{(target + verdict) if check else ""}')


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "results.jsonl")
