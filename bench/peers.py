#!/usr/bin/env python3
"""The routing of policies/support.yaml in the engines an analyst would pick instead of handoff.

bench/run.sh times each of these against `handoff replay` after checking that it counts the
same tickets per tier. Each engine runs the same query, written the way its users write it:

- the CSV is read as text (only an empty cell is missing, as in handoff), only the five
  columns the rules read;
- keywords are whole words, case-insensitive: the text is lower-cased and searched with a
  regular expression whose "word boundary" is any character that is not a letter, a digit or
  `_` (none of these engines has look-around); `cancel*` matches any word that starts with
  `cancel`. Unlike handoff and bench/reference.py, no engine here normalises to NFC (DataFusion
  and polars have no such function): the generated benchmark text is ASCII, and the per-tier
  check in bench/run.sh would catch any difference;
- a missing or non-numeric confidence or sentiment never matches (TRY_CAST / strict=False);
- rules are tried in order, the first matching rule without `continue` decides, and the
  highest tier among the matched rules wins (`asks-for-human`, L1, has `continue: true`).

It prints the number of tickets decided per tier, one `tier count` line each.

Usage: peers.py duckdb|datafusion|polars TICKETS.csv
"""

import sys

TIERS = ["ai", "L1", "L2", "L3"]  # rank = index
COLUMNS = ["text", "confidence", "sentiment", "customer_tier", "requested_human"]

NOT_WORD = r"[^\pL\pN_]"


def whole_words(words, prefixes=()):
    """A pattern for any of `words` as a whole word, or a word starting with one of `prefixes`."""
    alternatives = [f"(?:{'|'.join(words)})(?:{NOT_WORD}|$)"] if words else []
    alternatives += [f"(?:{'|'.join(prefixes)})"] if prefixes else []
    return f"(?:^|{NOT_WORD})(?:{'|'.join(alternatives)})"


LEGAL = whole_words(["legal", "lawsuit", "attorney", "gdpr", "subpoena"], ["lawyer"])
CANCEL = whole_words(["chargeback"], ["cancel", "refund"])
TRUE_WORDS = ["true", "yes", "y", "1", "t"]

# One SQL for DuckDB and DataFusion; `{matches}` is each engine's regular-expression test.
SQL = """
WITH t AS (
  SELECT
    lower(text) AS text,
    TRY_CAST(trim(confidence) AS DOUBLE) AS confidence,
    TRY_CAST(trim(sentiment) AS DOUBLE) AS sentiment,
    lower(trim(customer_tier)) AS customer_tier,
    lower(trim(requested_human)) AS requested_human
  FROM tickets
), ranked AS (
  SELECT
    GREATEST(
      CASE
        WHEN {legal} THEN 3
        WHEN {cancel} AND customer_tier = 'enterprise' THEN 2
        WHEN confidence < 0.80 THEN 1
        WHEN sentiment < -0.5 THEN 1
        ELSE 0
      END,
      CASE WHEN requested_human IN ({true_words}) THEN 1 ELSE 0 END
    ) AS tier_rank
  FROM t
)
SELECT tier_rank, count(*) AS tickets FROM ranked GROUP BY tier_rank ORDER BY tier_rank
"""


def sql(matches):
    true_words = ", ".join(f"'{word}'" for word in TRUE_WORDS)
    return SQL.format(
        legal=matches("text", LEGAL),
        cancel=matches("text", CANCEL),
        true_words=true_words,
    )


def quoted(pattern):
    return pattern.replace("'", "''")


def run_duckdb(path):
    import duckdb

    con = duckdb.connect()
    con.execute(
        "CREATE VIEW tickets AS SELECT * FROM "
        f"read_csv('{quoted(path)}', header = true, all_varchar = true)"
    )
    query = sql(lambda column, pattern: f"regexp_matches({column}, '{quoted(pattern)}')")
    return con.execute(query).fetchall()


def run_datafusion(path):
    import pyarrow as pa
    from datafusion import SessionContext

    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\r\n").split(",")
    ctx = SessionContext()
    schema = pa.schema([(name, pa.string()) for name in header])
    ctx.register_csv("tickets", path, schema=schema, has_header=True)
    query = sql(lambda column, pattern: f"regexp_like({column}, '{quoted(pattern)}')")
    table = ctx.sql(query).to_arrow_table().to_pydict()
    return list(zip(table["tier_rank"], table["tickets"]))


def run_polars(path):
    import polars as pl

    frame = pl.scan_csv(path, infer_schema=False).select(COLUMNS)
    text = pl.col("text").str.to_lowercase()
    number = lambda name: pl.col(name).str.strip_chars().cast(pl.Float64, strict=False)
    label = lambda name: pl.col(name).str.strip_chars().str.to_lowercase()
    legal = text.str.contains(LEGAL).fill_null(False)
    cancel = text.str.contains(CANCEL).fill_null(False)
    stopping = (
        pl.when(legal)
        .then(3)
        .when(cancel & (label("customer_tier") == "enterprise").fill_null(False))
        .then(2)
        .when((number("confidence") < 0.80).fill_null(False))
        .then(1)
        .when((number("sentiment") < -0.5).fill_null(False))
        .then(1)
        .otherwise(0)
    )
    asks = label("requested_human").is_in(TRUE_WORDS).fill_null(False).cast(pl.Int32)
    counts = (
        frame.select(pl.max_horizontal(stopping, asks).alias("tier_rank"))
        .group_by("tier_rank")
        .len()
        .collect()
    )
    return list(zip(counts["tier_rank"].to_list(), counts["len"].to_list()))


ENGINES = {"duckdb": run_duckdb, "datafusion": run_datafusion, "polars": run_polars}


def main(engine, path):
    counts = dict.fromkeys(range(len(TIERS)), 0)
    for rank, count in ENGINES[engine](path):
        counts[int(rank)] += int(count)
    for rank, tier in enumerate(TIERS):
        print(f"{tier} {counts[rank]}")


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ENGINES:
        sys.exit(__doc__.strip().splitlines()[-1])
    main(sys.argv[1], sys.argv[2])
