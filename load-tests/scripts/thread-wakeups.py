#!/usr/bin/env python3
"""Context switches and CPU time per thread of a running process over a window: how many times its threads went
to sleep and were woken while a benchmark ran, and what each cost. Divided by the messages of that window, it
gives the thread hand-offs per message of a broker, the thing that decides its latency tail on a machine whose
scheduler is slow to wake a thread.

    load-tests/scripts/thread-wakeups.py PID [SECONDS=10]

Threads of the same name are summed, except Vert.x event loops, listed one by one (name#tid).
"""
import collections
import os
import sys
import time

pid = sys.argv[1]
seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 10.0
ticks_per_second = os.sysconf("SC_CLK_TCK")


def snapshot():
    threads = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                name = f.read().strip()
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                switches = sum(int(line.split()[1]) for line in f if "ctxt_switches" in line)
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            threads[tid] = (name, switches, int(fields[11]) + int(fields[12]))  # utime + stime
        except (FileNotFoundError, ProcessLookupError):
            pass  # the thread ended meanwhile
    return threads


before = snapshot()
time.sleep(seconds)
after = snapshot()
switches, cpu = collections.Counter(), collections.Counter()
for tid, (name, s, c) in after.items():
    if tid in before:
        key = f"{name}#{tid}" if name.startswith("vert.x-eventloo") else name
        switches[key] += s - before[tid][1]
        cpu[key] += c - before[tid][2]
print(f"{'thread':32s} {'switches/s':>11s} {'cpu ms/s':>9s}")
for key, n in switches.most_common(12):
    print(f"{key:32s} {n / seconds:11.0f} {cpu[key] * 1000 / ticks_per_second / seconds:9.1f}")
print(f"{'total':32s} {sum(switches.values()) / seconds:11.0f} {sum(cpu.values()) * 1000 / ticks_per_second / seconds:9.1f}")
