#!/usr/bin/env python3
"""Prints the table of load-tests/compare-persistent.sh from its results.jsonl.

One row per scenario, setup and broker: medians over the rounds of deliveries/s, deliveries/s asked (paced runs),
the publishers' acknowledged messages/s and their PUBACK/PUBCOMP wait percentiles; lost, duplicated and out-of-order
deliveries summed over the rounds (marked * where a run's drain ended while messages were still arriving, so that
"lost" includes late ones); the sessions a MeshMQ broker still held after the run's clean-up; and MeshMQ's
deliveries/s over Mosquitto's in the same scenario (Mosquitto standalone is the floor).
"""
import json
import statistics
import sys
from collections import defaultdict

MOSQUITTO = "mosquitto"
COLUMNS = [("scenario", 30), ("setup", 10), ("broker", 14), ("deliv/s", 10), ("asked/s", 8), ("acked/s", 9),
           ("lost", 9), ("dup", 7), ("ooo", 7), ("PUBACK p50", 10), ("p99 ms", 8), ("max ms", 8),
           ("left", 5), ("x mosq", 6)]


def median(lines, field):
    values = [d[field] for d in lines if field in d]
    return statistics.median(values) if values else None


def total(lines, field):
    values = [d[field] for d in lines if field in d]
    return sum(values) if values else None


def fmt(v):
    if v is None:
        return "-"
    if isinstance(v, float) and abs(v) < 100:
        return f"{v:.2f}"
    return f"{v:,.0f}"


def row(key, setup, broker, lines, floor):
    ok = [d for d in lines if not d.get("failed")]
    if not ok:
        return [key, setup, broker, "failed"] + [""] * (len(COLUMNS) - 4)
    delivered = median(ok, "msgs_per_s")
    ratio = delivered / floor if broker != MOSQUITTO and floor and delivered is not None else None
    left = [d["sessions_left"] for d in ok if d.get("sessions_left") is not None]
    return [key, setup, broker, fmt(delivered), fmt(median(ok, "deliveries_asked_per_s")), fmt(median(ok, "acked_per_s")),
            fmt(total(ok, "lost")) + ("*" if any(d.get("delivery_wait_timed_out") for d in ok) else ""),
            fmt(total(ok, "duplicated")), fmt(total(ok, "out_of_order")),
            fmt(median(ok, "puback_wait_p50_ms")), fmt(median(ok, "puback_wait_p99_ms")),
            fmt(median(ok, "puback_wait_max_ms")), fmt(max(left)) if left else "-",
            "" if ratio is None else f"{ratio:.2f}"]


def main(path):
    runs = defaultdict(list)
    order = []
    with open(path) as f:
        for raw in f:
            d = json.loads(raw)
            group = (d["key"], d.get("setup", ""), d["broker"])
            if group not in runs:
                order.append(group)
            runs[group].append(d)
    rounds = max((d["round"] for lines in runs.values() for d in lines), default=0)
    failed = sum(1 for lines in runs.values() for d in lines if d.get("failed"))
    print(f"Persistent subscribers (clean session 0). Medians over {rounds} round(s); lost/dup/ooo summed over them; "
          f"{failed} failed run(s); lost* = the drain ended while messages still arrived (late ones count). deliv/s at the subscribers; asked/s for paced runs; acked/s and PUBACK wait "
          f"(to PUBACK/PUBCOMP) at the publishers; left = sessions MeshMQ still held after the clean-up; "
          f"x mosq = deliv/s over Mosquitto's (standalone) in the same scenario.")
    print()
    head = " ".join(f"{name:<{w}}" if i < 3 else f"{name:>{w}}" for i, (name, w) in enumerate(COLUMNS))
    print(head)
    print("-" * len(head))
    for key, setup, broker in order:
        floor = median([d for d in runs[(key, "standalone", MOSQUITTO)] if not d.get("failed")], "msgs_per_s")
        cells = row(key, setup, broker, runs[(key, setup, broker)], floor)
        print(" ".join(f"{c:<{w}}" if i < 3 else f"{c:>{w}}" for i, (c, (_, w)) in enumerate(zip(cells, COLUMNS))))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "results.jsonl")
