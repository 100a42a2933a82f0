#!/usr/bin/env python3
"""Run SQL queries on a real engine over CSV tables loaded as text (tests/sql.rs).

    run.py --engine duckdb|datafusion|spark|postgres --table NAME=FILE.csv [--table ...]
           [--lines NAME=COLUMN ...] --sql FILE.sql --out FILE.csv [--sql FILE.sql --out FILE.csv ...]

Every column of every table is text. How an empty CSV field loads is each engine's usual way,
on purpose different, since the compiled SQL must treat '' and NULL alike:
  duckdb      read_csv(all_varchar) — an empty field is NULL
  postgres    COPY … CSV HEADER into TEXT columns — an empty unquoted field is NULL, "" is ''
  datafusion  pyarrow.csv with every column a string — an empty field is ''
  spark       Python's csv module into a DataFrame of strings — an empty field is ''
--lines NAME=COLUMN adds to the table NAME a text column COLUMN holding each record's line in
its CSV file, as replay counts lines (the line a record starts on; blank lines hold none), for
`handoff sql --emit partials --line-column COLUMN` (docs/warehouse.md).
Each query's result goes to its --out file as CSV (header first, NULL as an empty field),
rows ordered by the first column; an --out file named *.error is a query expected to fail: it
gets "ERROR" and the engine's message, or "NO ERROR" when the query ran. One engine session (one JVM for Spark, one Postgres server
on a temporary folder and a unix socket, stopped afterwards, also on error) serves every query
of the run. Exit 3 when the engine is not installed (the caller decides whether that fails).
"""

import argparse
import contextlib
import csv
import os
import shutil
import subprocess
import sys
import tempfile

NOT_INSTALLED = 3


def read_header(path):
    with open(path, newline="", encoding="utf-8") as f:
        return next(csv.reader(f))


def read_rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def write_result(path, header, rows):
    def key(row):
        first = row[0]
        return (first is not None, "" if first is None else str(first))

    rows = sorted(rows, key=key)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for row in rows:
            w.writerow(["" if v is None else (str(v).lower() if isinstance(v, bool) else v) for v in row])


def expecting_error(out, run):
    """Run `run()`; for an --out file named *.error, write what the failure said instead."""
    if not out.endswith(".error"):
        run()
        return
    try:
        run()
    except Exception as e:  # each engine's own error type
        message = e.stderr.decode("utf-8", "replace") if hasattr(e, "stderr") and e.stderr else str(e)
        with open(out, "w", encoding="utf-8") as f:
            f.write("ERROR\n" + message)
        return
    with open(out, "w", encoding="utf-8") as f:
        f.write("NO ERROR\n")


def numbered(path, column, folder):
    """A copy of the CSV at `path` with the column `column` last: each record's line."""

    class Lines:
        def __init__(self, f):
            self.f, self.n = f, 0

        def __iter__(self):
            return self

        def __next__(self):
            line = next(self.f)
            self.n += 1
            return line

    out = os.path.join(folder, os.path.basename(path) + f".{column}.csv")
    with open(path, newline="", encoding="utf-8-sig") as f, \
            open(out, "w", newline="", encoding="utf-8") as o:
        lines = Lines(f)
        reader = csv.reader(lines)
        writer = csv.writer(o, lineterminator="\n")
        header = True
        while True:
            start = lines.n + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            if not row:
                continue
            writer.writerow(row + ([column] if header else [str(start)]))
            header = False
    return out


def run_duckdb(tables, jobs):
    try:
        import duckdb
    except ImportError:
        return None
    con = duckdb.connect()
    for name, path in tables:
        columns = ", ".join(f"'{c}': 'VARCHAR'" for c in read_header(path))
        con.execute(
            f"CREATE TABLE \"{name}\" AS SELECT * FROM read_csv(?, header = true, columns = {{{columns}}}, quote = '\"', escape = '\"')",
            [path],
        )
    for sql, out in jobs:
        def run(sql=sql, out=out):
            cur = con.execute(open(sql, encoding="utf-8").read())
            header = [d[0] for d in cur.description]
            write_result(out, header, cur.fetchall())
        expecting_error(out, run)
    return 0


def run_datafusion(tables, jobs):
    try:
        import datafusion
        import pyarrow as pa
        import pyarrow.csv as pacsv
    except ImportError:
        return None
    ctx = datafusion.SessionContext()
    for name, path in tables:
        header = read_header(path)
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(use_threads=False),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in header},
                strings_can_be_null=False,
            ),
        )
        ctx.register_record_batches(name, [table.to_batches()])
    for sql, out in jobs:
        def run(sql=sql, out=out):
            table = ctx.sql(open(sql, encoding="utf-8").read()).to_arrow_table()
            write_result(out, table.column_names, [tuple(r.values()) for r in table.to_pylist()])
        expecting_error(out, run)
    return 0


def run_spark(tables, jobs):
    try:
        from pyspark.sql import SparkSession
        from pyspark.sql.types import StringType, StructField, StructType
    except ImportError:
        return None
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return None
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("handoff-sql-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        # The dues are printed in the session's zone (docs/warehouse.md): UTC, as replay's.
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.bindAddress", "127.0.0.1")
        # The partials query is a long chain of steps: resolving it takes more than the
        # analyzer's default 100 passes (docs/warehouse.md).
        .config("spark.sql.analyzer.maxIterations", "1000")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    try:
        for name, path in tables:
            header, rows = read_rows(path)
            schema = StructType([StructField(c, StringType(), True) for c in header])
            spark.createDataFrame(rows, schema).createOrReplaceTempView(name)
        for sql, out in jobs:
            def run(sql=sql, out=out):
                df = spark.sql(open(sql, encoding="utf-8").read())
                write_result(out, df.columns, [tuple(r) for r in df.collect()])
            expecting_error(out, run)
    finally:
        spark.stop()
    return 0


POSTGRES_TOOLS = ("initdb", "pg_ctl", "createdb", "psql")


@contextlib.contextmanager
def postgres_server(tools):
    """A throwaway Postgres server on a temporary data folder and a unix socket (UTF-8,
    `C.UTF-8`), stopped and removed afterwards, also on error; `tools` maps POSTGRES_TOOLS to
    their paths. Yields (socket folder, sh), `sh(*args, **kw)` running a command as the server's
    account (check=True, output captured). A command that fails inside also writes the end of
    the server's log to stderr."""
    folder = tempfile.mkdtemp(prefix="handoff-pg-")
    as_user = []
    if os.geteuid() == 0:
        # initdb refuses root: the server runs as the postgres account.
        as_user = ["runuser", "-u", "postgres", "--"]
        shutil.chown(folder, "postgres")
        os.chmod(folder, 0o755)
    data = os.path.join(folder, "data")
    log = os.path.join(folder, "server.log")

    def sh(*args, **kw):
        return subprocess.run(as_user + list(args), check=True, capture_output=True, **kw)

    started = False
    try:
        sh(tools["initdb"], "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8",
           "--locale=C.UTF-8")
        sh(tools["pg_ctl"], "-D", data, "-l", log, "-w", "-o", f"-k {folder} -h '' -F", "start")
        started = True
        yield folder, sh
    except subprocess.CalledProcessError as e:
        if not started:
            sys.stderr.write(f"Postgres did not start: {' '.join(e.cmd)}\n")
            sys.stderr.write(e.stderr.decode("utf-8", "replace"))
        if os.path.exists(log):
            sys.stderr.write(open(log, encoding="utf-8", errors="replace").read()[-2000:])
        raise
    finally:
        if started:
            subprocess.run(as_user + [tools["pg_ctl"], "-D", data, "-m", "immediate", "stop"],
                           capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def run_postgres(tables, jobs):
    tools = {t: shutil.which(t) for t in POSTGRES_TOOLS}
    if None in tools.values():
        return None
    try:
        with postgres_server(tools) as (folder, _):
            # The clients run as this user (the server's account may not read the checkout:
            # psql's \copy opens the CSV on the client's side).
            def sh(*args, **kw):
                return subprocess.run(list(args), check=True, capture_output=True, **kw)

            sh(tools["createdb"], "-h", folder, "-U", "postgres", "handoff")
            psql = [tools["psql"], "-X", "-q", "-h", folder, "-U", "postgres", "-d", "handoff",
                    "-v", "ON_ERROR_STOP=1"]
            for name, path in tables:
                columns = ", ".join('"' + c.replace('"', '""') + '" TEXT' for c in read_header(path))
                setup = (f'CREATE TABLE "{name}" ({columns});\n'
                         f"\\copy \"{name}\" FROM '{os.path.abspath(path)}' WITH (FORMAT csv, HEADER true)\n")
                sh(*psql, input=setup.encode())
            for sql, out in jobs:
                def run(sql=sql, out=out):
                    result = sh(*psql, "--csv", "-f", os.path.abspath(sql))
                    rows = list(csv.reader(result.stdout.decode("utf-8").splitlines(keepends=True)))
                    # psql --csv writes NULL as an empty field: the same as write_result's.
                    write_result(out, rows[0], rows[1:])
                expecting_error(out, run)
    except subprocess.CalledProcessError as e:
        sys.stderr.write(e.stderr.decode("utf-8", "replace"))
        return 1
    return 0


ENGINES = {
    "duckdb": run_duckdb,
    "datafusion": run_datafusion,
    "spark": run_spark,
    "postgres": run_postgres,
}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--engine", required=True, choices=sorted(ENGINES))
    p.add_argument("--table", action="append", default=[], metavar="NAME=FILE.csv")
    p.add_argument("--lines", action="append", default=[], metavar="NAME=COLUMN")
    p.add_argument("--sql", action="append", default=[], metavar="FILE.sql")
    p.add_argument("--out", action="append", default=[], metavar="FILE.csv")
    args = p.parse_args()
    if len(args.sql) != len(args.out) or not args.sql:
        p.error("give --sql and --out in pairs")
    lines = {}
    for spec in args.lines:
        name, sep, column = spec.partition("=")
        if not sep:
            p.error(f"--lines {spec}: expected NAME=COLUMN")
        lines[name] = column
    folder = tempfile.mkdtemp(prefix="handoff-lines-")
    # Readable by the postgres account, which loads the tables when the tests run as root.
    os.chmod(folder, 0o755)
    try:
        tables = []
        for spec in args.table:
            name, sep, path = spec.partition("=")
            if not sep:
                p.error(f"--table {spec}: expected NAME=FILE.csv")
            if name in lines:
                path = numbered(path, lines[name], folder)
            tables.append((name, path))
        status = ENGINES[args.engine](tables, list(zip(args.sql, args.out)))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if status is None:
        sys.stderr.write(f"{args.engine} is not installed (run tests/warehouse/setup.sh)\n")
        return NOT_INSTALLED
    return status


if __name__ == "__main__":
    sys.exit(main())
