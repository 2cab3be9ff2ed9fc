#!/usr/bin/env python3
"""How late this machine wakes a sleeping thread: sleeps 1 ms COUNT times and prints the percentiles of the
overshoot. Run it alone, then beside a busy thread (BUSY=1 starts one spinning process for the length of the
run): a scheduler that packs threads onto one vCPU shows it as a tail of several milliseconds although the
other vCPU is idle. That tail is the floor under any latency percentile measured on the machine.

    [BUSY=1] load-tests/scripts/wakeup-jitter.py [COUNT=5000]
"""
import os
import subprocess
import sys
import time

count = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
busy = None
if os.environ.get("BUSY") == "1":
    busy = subprocess.Popen([sys.executable, "-c", "import time\nend = time.time() + 60\nwhile time.time() < end: pass"])
    time.sleep(0.5)
try:
    late = []
    for _ in range(count):
        start = time.perf_counter()
        time.sleep(0.001)
        late.append((time.perf_counter() - start - 0.001) * 1000)
finally:
    if busy:
        busy.kill()
late.sort()
print("1 ms sleep, overshoot ms: p50 %.3f p99 %.3f p99.9 %.3f max %.3f (%d sleeps%s)" % (
    late[count // 2], late[int(count * 0.99)], late[int(count * 0.999)], late[-1], count,
    ", one busy process beside" if busy else ""))
