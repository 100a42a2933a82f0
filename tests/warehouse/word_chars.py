#!/usr/bin/env python3
"""Check each executed engine's keyword word-character class on every code point (issue 12).

    target/warehouse-venv/bin/python tests/warehouse/word_chars.py [ENGINE ...]

ENGINE is duckdb, datafusion, spark or postgres (default: all four). For every code point c
but NUL and the surrogates, the texts c + "x" and "x" + c are searched for the keyword "x" as a
whole word with the class `handoff sql` writes for the engine (src/sql/words.rs), through
tests/warehouse/run.py: the match must exist exactly when c is not a word character. The word
characters are read back from the DuckDB spelling of the class, whose ranges a unit test checks
against replay's `is_word_char`. Prints the mismatches per engine; exit 1 if any. Not part of
`cargo test`; `.ci/run` runs it after docs_run.py (2.2M rows: about 40 s for the four engines on a quiet machine).
"""

import bisect
import csv
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ENGINES = ["duckdb", "datafusion", "spark", "postgres"]


def handoff_class(dialect):
    """The class's inside as it stands in the query's string literal."""
    out = subprocess.run(
        ["cargo", "run", "-q", "--", "sql", "--policy", "fixtures/sql/policy.yaml",
         "--map", "fixtures/sql/map.toml", "--dialect", dialect, "--table", "t"],
        cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return re.search(r"(0-9A-Z_a-z[^\]]*)\]", out).group(1)


def ranges(re2_class):
    tokens = re.findall(r"\\x\{([0-9A-F]+)\}|(.)", re2_class)
    points = [int(h, 16) if h else ord(ch) for h, ch in tokens]
    found, i = [], 0
    while i < len(points):
        if i + 2 < len(points) and tokens[i + 1] == ("", "-"):
            found.append((points[i], points[i + 2]))
            i += 3
        else:
            found.append((points[i], points[i]))
            i += 1
    return found


def main():
    folder = tempfile.mkdtemp(prefix="handoff-words-")
    try:
        return check(sys.argv[1:] or ENGINES, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def check(engines, folder):
    word = ranges(handoff_class("duckdb"))
    starts = [a for a, _ in word]

    def is_word(cp):
        i = bisect.bisect_right(starts, cp) - 1
        return i >= 0 and cp <= word[i][1]

    os.chmod(folder, 0o755)  # the Postgres server's account reads the table from it
    table = os.path.join(folder, "w.csv")
    with open(table, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n", quoting=csv.QUOTE_ALL)
        w.writerow(["id", "s", "e"])
        for cp in range(1, 0x110000):
            if 0xD800 <= cp <= 0xDFFF:
                continue
            expected = "false" if is_word(cp) else "true"
            w.writerow([f"{cp:06X} before", chr(cp) + "x", expected])
            w.writerow([f"{cp:06X} after", "x" + chr(cp), expected])
    print(f"{len(word)} ranges, {sum(b - a + 1 for a, b in word)} word characters")
    failed = False
    for engine in engines:
        c = handoff_class(engine)
        if engine == "spark":
            test = f"CAST((s RLIKE '(?<![{c}])x(?![{c}])') AS STRING)"
        elif engine == "postgres":
            test = f"CASE WHEN s ~ '(^|[^{c}])x([^{c}]|$)' THEN 'true' ELSE 'false' END"
        else:
            function = "REGEXP_MATCHES" if engine == "duckdb" else "REGEXP_LIKE"
            test = f"CAST({function}(s, '(?:^|[^{c}])x(?:[^{c}]|$)') AS VARCHAR)"
        sql, out = os.path.join(folder, f"{engine}.sql"), os.path.join(folder, f"{engine}.csv")
        with open(sql, "w", encoding="utf-8") as f:
            f.write(f"SELECT id, e FROM w WHERE {test} <> e")
        run = subprocess.run(
            [sys.executable, os.path.join(ROOT, "tests/warehouse/run.py"), "--engine", engine,
             "--table", f"w={table}", "--sql", sql, "--out", out],
            capture_output=True, text=True)
        if run.returncode != 0:
            print(f"{engine}: not run (exit {run.returncode}) {run.stderr[-300:]}")
            failed = True
            continue
        with open(out, encoding="utf-8") as f:
            wrong = list(csv.reader(f))[1:]
        print(f"{engine}: {len(wrong)} mismatches" + (f", e.g. {wrong[:5]}" if wrong else ""))
        failed = failed or bool(wrong)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
