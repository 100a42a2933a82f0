#!/usr/bin/env python3
"""Paired CPU time of two or more handoff binaries on one replay (issue 16, docs/performance.md).

Usage: bench/ab.py N THREADS BIN...   (FILE=path: the tickets, default
       bench/out/floor-1000000-7.csv, written by bench/floor.sh; EXTRA="--by channel": more
       replay arguments)

Runs `BIN replay --policy policies/support.yaml --quiet --format json --threads THREADS` on the
file N times for each binary, the binaries alternated so that a change in the machine's load
falls on all of them, and prints the min and median of user+sys CPU per binary (and of the wall
time), the median as a change against the first binary, and the load average before and after.
CPU time comes from wait4's rusage at microsecond resolution: /usr/bin/time counts in 10 ms
steps, too coarse for a 1-3 % change. Not part of the tests.
"""
import os
import shlex
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    n, threads, bins = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    tickets = os.environ.get("FILE", os.path.join(ROOT, "bench/out/floor-1000000-7.csv"))
    if not os.path.exists(tickets):
        sys.exit(f"ab.py: {tickets} does not exist (bench/floor.sh writes it)")
    policy = os.path.join(ROOT, "policies/support.yaml")
    extra = shlex.split(os.environ.get("EXTRA", ""))
    runs = {b: [] for b in bins}
    walls = {b: [] for b in bins}
    print("load before:", " ".join(open("/proc/loadavg").read().split()[:3]))
    for _ in range(n):
        for b in bins:
            start = time.monotonic()
            pid = os.fork()
            if pid == 0:
                null = os.open("/dev/null", os.O_WRONLY)
                os.dup2(null, 1)
                args = [b, "replay", "--policy", policy, "--quiet", "--format", "json",
                        "--threads", threads, "--tickets", tickets, *extra]
                try:
                    os.execv(b, args)
                finally:
                    os._exit(127)
            _, status, usage = os.wait4(pid, 0)
            walls[b].append(time.monotonic() - start)
            if status != 0:
                sys.exit(f"ab.py: {b} failed (wait status {status})")
            runs[b].append(usage.ru_utime + usage.ru_stime)
    print("load after:", " ".join(open("/proc/loadavg").read().split()[:3]))
    base = statistics.median(runs[bins[0]])
    for b in bins:
        v = sorted(runs[b])
        median = statistics.median(v)
        print(f"{b}: min {v[0]:.4f} median {median:.4f} "
              f"({median / base - 1:+.1%} median vs first, n={len(v)}); "
              f"wall min {min(walls[b]):.4f} median {statistics.median(walls[b]):.4f}")


if __name__ == "__main__":
    main()
