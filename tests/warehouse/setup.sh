#!/usr/bin/env bash
# The Python engines the SQL execution tests (tests/sql.rs) run the compiled queries on, in a
# venv under target/ that is reused when it is there: DuckDB, DataFusion and pyspark (Spark in
# local mode, on the JDK 17 the machine has). Postgres is the server binaries on PATH (initdb,
# pg_ctl, postgres, createdb, psql), which tests/warehouse/run.py starts itself. The DuckDB CLI
# (the `duckdb-cli` package, in the same venv) runs docs/warehouse.md's CLI lines, and pyspark's
# `spark-submit` its Spark blocks (tests/warehouse/docs_run.py, which also runs its psql lines).
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=target/warehouse-venv
# The versions are pinned in requirements.txt; the venv keeps a copy of the file it was
# installed from, so an edited pin reinstalls and an unchanged one costs nothing.
pins=tests/warehouse/requirements.txt
if ! cmp -s "$pins" "$venv/requirements.txt"; then
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$pins"
  cp "$pins" "$venv/requirements.txt"
fi
echo "duckdb CLI $("$venv/bin/duckdb" --version)"
"$venv/bin/python" -c "import duckdb, datafusion, pyspark; print('duckdb', duckdb.__version__, '| datafusion', datafusion.__version__, '| pyspark', pyspark.__version__)"
for tool in initdb pg_ctl createdb psql java; do
  command -v "$tool" > /dev/null || echo "warning: $tool not on PATH (its engine's tests will fail under WAREHOUSE_REQUIRED=1)"
done
