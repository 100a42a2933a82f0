#!/usr/bin/env python3
"""Time DuckDB queries over one ticket table, alternating them; check them against replay.

Usage: time.py TICKETS.csv CALENDAR.csv DECISIONS.csv REPS NAME=QUERY.sql [NAME=QUERY.sql ...]

Loads TICKETS.csv once into an in-memory table `tickets` and CALENDAR.csv (`handoff calendar`)
into `handoff_calendar`, every column as text (as a CSV loads them), then runs each query REPS
times, going round the queries so that a burst of other work hits one run of each. Each run
materialises the columns every query has (`id, decision, rule, priority, first_response_due,
resolution_due`) with `CREATE TABLE ... AS`. The first run's result is compared, ticket by
ticket, with replay's `--decisions` file DECISIONS.csv (any difference fails). Prints, per
query, one line `NAME counts L1=.. L2=.. ...` (the decisions per tier), one line `NAME times
t1 t2 ...` (wall seconds) and one line `NAME cpu c1 c2 ...` (the process's user+system CPU
seconds during each run: the machine may be busy).
"""

import csv
import os
import sys
import time

import duckdb

COLUMNS = "id, decision, rule, priority, first_response_due, resolution_due"


def replay(path):
    want = {}
    with open(path, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            want[r["id"]] = (r["decision"], r["rule"], r["priority"],
                             r["first_response_due"], r["resolution_due"])
    return want


def main(tickets, calendar, decisions, reps, queries):
    con = duckdb.connect()
    # A query that spills must not fill the disk: it fails instead.
    con.execute("SET max_temp_directory_size = '4GB'")
    con.execute(
        "CREATE TABLE handoff_calendar AS SELECT * FROM read_csv(?, all_varchar = true, header = true)",
        [calendar],
    )
    con.execute(
        "CREATE TABLE tickets AS SELECT * FROM read_csv(?, all_varchar = true, header = true)",
        [tickets],
    )
    want = replay(decisions)
    times = {name: [] for name, _ in queries}
    cpu = {name: [] for name, _ in queries}
    for _ in range(reps):
        for name, sql in queries:
            con.execute("DROP TABLE IF EXISTS result")
            start, used = time.perf_counter(), os.times()
            con.execute(f"CREATE TABLE result AS SELECT {COLUMNS} FROM ({sql})")
            after = os.times()
            times[name].append(time.perf_counter() - start)
            cpu[name].append(after.user + after.system - used.user - used.system)
            if len(times[name]) == 1:
                counts = con.execute(
                    "SELECT decision, count(*) FROM result WHERE decision IS NOT NULL "
                    "GROUP BY decision ORDER BY decision"
                ).fetchall()
                print(name, "counts", " ".join(f"{tier}={n}" for tier, n in counts), flush=True)
                got = {
                    r[0]: tuple("" if v is None else v for v in r[1:])
                    for r in con.execute(
                        f"SELECT id, decision, coalesce(rule, '(default)'), priority, "
                        f"first_response_due, resolution_due FROM result"
                    ).fetchall()
                }
                wrong = [i for i in want if got.get(i) != want[i]]
                if wrong or len(got) != len(want):
                    i = wrong[0] if wrong else None
                    sys.exit(f"{name}: {len(wrong)} tickets differ from replay's decisions "
                             f"(e.g. {i}: replay {want.get(i)}, query {got.get(i)})")
                print(name, "equal", f"{len(want)} tickets equal replay's decisions", flush=True)
    for name, _ in queries:
        print(name, "times", " ".join(f"{t:.4f}" for t in times[name]))
        print(name, "cpu", " ".join(f"{t:.2f}" for t in cpu[name]))


if __name__ == "__main__":
    if len(sys.argv) < 6:
        sys.exit(__doc__.strip().splitlines()[2])
    pairs = []
    for arg in sys.argv[5:]:
        name, path = arg.split("=", 1)
        with open(path, encoding="utf-8") as file:
            pairs.append((name, file.read().strip().rstrip(";")))
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), pairs)
