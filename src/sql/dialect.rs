//! The SQL dialects `handoff sql` and `handoff calendar --format sql` write.

use std::fmt;

/// A SQL engine the policy can be compiled for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Dialect {
    /// DuckDB (executed in the test suite).
    Duckdb,
    /// Apache DataFusion (executed in the test suite).
    Datafusion,
    /// Spark SQL (executed in the test suite, local mode).
    Spark,
    /// PostgreSQL (executed in the test suite).
    Postgres,
    /// Google BigQuery (golden files only: not executed here).
    Bigquery,
    /// Snowflake (golden files only: not executed here).
    Snowflake,
}

impl Dialect {
    /// Every dialect, in the order `--help` lists them.
    pub const ALL: [Dialect; 6] = [
        Dialect::Duckdb,
        Dialect::Datafusion,
        Dialect::Spark,
        Dialect::Postgres,
        Dialect::Bigquery,
        Dialect::Snowflake,
    ];

    /// The name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Duckdb => "duckdb",
            Dialect::Datafusion => "datafusion",
            Dialect::Spark => "spark",
            Dialect::Postgres => "postgres",
            Dialect::Bigquery => "bigquery",
            Dialect::Snowflake => "snowflake",
        }
    }

    /// Whether the test suite runs this dialect's queries on the real engine.
    pub fn executed_in_tests(self) -> bool {
        !matches!(self, Dialect::Bigquery | Dialect::Snowflake)
    }

    /// `name` quoted as an identifier.
    pub fn quote_ident(self, name: &str) -> String {
        match self {
            Dialect::Spark | Dialect::Bigquery => format!("`{}`", name.replace('`', "``")),
            _ => format!("\"{}\"", name.replace('"', "\"\"")),
        }
    }

    /// `text` as a string literal.
    pub fn quote_text(self, text: &str) -> String {
        match self {
            // Spark and BigQuery read backslash escapes inside string literals.
            Dialect::Spark | Dialect::Bigquery => {
                format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'"))
            }
            _ => format!("'{}'", text.replace('\'', "''")),
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_escape_their_quotes() {
        assert_eq!(Dialect::Duckdb.quote_text("it's"), "'it''s'");
        assert_eq!(Dialect::Spark.quote_text("it's \\"), "'it\\'s \\\\'");
        assert_eq!(Dialect::Postgres.quote_ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(Dialect::Bigquery.quote_ident("a`b"), "`a``b`");
    }
}
