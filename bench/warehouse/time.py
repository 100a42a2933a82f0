#!/usr/bin/env python3
"""Time DuckDB queries over one ticket table, alternating them; print per-tier counts and times.

Usage: time.py TICKETS.csv CALENDAR.csv REPS NAME=QUERY.sql [NAME=QUERY.sql ...]

Loads TICKETS.csv once into an in-memory table `tickets` and CALENDAR.csv (`handoff calendar`)
into `handoff_calendar`, every column as text (as a CSV loads them), then runs each query REPS
times, going round the queries so that a burst of other work hits one run of each. Each run
materialises the columns both queries have (`id, decision, rule`) with `CREATE TABLE ... AS`;
a name ending in `+dues` materialises the whole result instead (the SLA dues included). Prints, per query, one line `NAME counts L1=.. L2=.. ...` (the
decisions per tier) and one line `NAME times t1 t2 ...` (seconds).
"""

import sys
import time

import duckdb


def main(tickets, calendar, reps, queries):
    con = duckdb.connect()
    # A query that spills (the dues' correlated subqueries did at 200k rows) must not fill the
    # disk: it fails instead.
    con.execute("SET max_temp_directory_size = '4GB'")
    con.execute(
        "CREATE TABLE handoff_calendar AS SELECT * FROM read_csv(?, all_varchar = true, header = true)",
        [calendar],
    )
    con.execute(
        "CREATE TABLE tickets AS SELECT * FROM read_csv(?, all_varchar = true, header = true)",
        [tickets],
    )
    times = {name: [] for name, _ in queries}
    for _ in range(reps):
        for name, sql in queries:
            con.execute("DROP TABLE IF EXISTS result")
            start = time.perf_counter()
            if name.endswith("+dues"):
                con.execute(f"CREATE TABLE result AS {sql}")
            else:
                con.execute(f"CREATE TABLE result AS SELECT id, decision, rule FROM ({sql})")
            times[name].append(time.perf_counter() - start)
            if len(times[name]) == 1:
                counts = con.execute(
                    "SELECT decision, count(*) FROM result WHERE decision IS NOT NULL "
                    "GROUP BY decision ORDER BY decision"
                ).fetchall()
                print(name, "counts", " ".join(f"{tier}={n}" for tier, n in counts))
    for name, _ in queries:
        print(name, "times", " ".join(f"{t:.4f}" for t in times[name]))


if __name__ == "__main__":
    if len(sys.argv) < 5:
        sys.exit(__doc__.strip().splitlines()[2])
    pairs = []
    for arg in sys.argv[4:]:
        name, path = arg.split("=", 1)
        with open(path, encoding="utf-8") as file:
            pairs.append((name, file.read().strip().rstrip(";")))
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), pairs)
