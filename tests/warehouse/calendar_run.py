#!/usr/bin/env python3
"""Run SQL on DuckDB for tests/sql_calendar.rs: the statements of each --setup file (e.g. the
output of `handoff calendar --format sql`), then the one query of --sql, whose result is
printed as CSV (a header line; NULL is empty). Minimal on purpose: tests/warehouse/run.py
(branch sql-decisions) is the runner for every engine."""

import argparse
import csv
import sys

import duckdb


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--setup", action="append", default=[])
    parser.add_argument("--sql", required=True)
    args = parser.parse_args()
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    for path in args.setup:
        with open(path, encoding="utf-8") as f:
            con.execute(f.read())
    with open(args.sql, encoding="utf-8") as f:
        cursor = con.execute(f.read())
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow([d[0] for d in cursor.description])
    for row in cursor.fetchall():
        writer.writerow(["" if v is None else v for v in row])
    return 0


if __name__ == "__main__":
    sys.exit(main())
