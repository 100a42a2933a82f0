//! Unit tests of [`super`]: the histogram buckets and how often the query reads its steps.

use super::*;
use crate::engine::stats::Durations;

/// How many times the query reads the step `name` (`FROM name` or `JOIN name`).
fn readings(sql: &str, name: &str) -> usize {
    let words: Vec<&str> = sql.split_whitespace().collect();
    words
        .windows(2)
        .filter(|w| matches!(w[0], "FROM" | "JOIN") && w[1] == name)
        .count()
}

/// Spark plans every reading of a step anew and DataFusion runs it anew: the last step
/// `j` (one row per ticket) is read once, by `jw`; `d` (the decisions) by `k` and by
/// `dn`, and once more for the rejected examples with a line column. (The query read `j`
/// 70 times for this policy before it was one pass over a table of figures.)
#[test]
fn the_last_step_is_read_once() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/support.yaml");
    let source = std::fs::read_to_string(&path).unwrap();
    let policy = crate::policy::load::load_file(&path).unwrap().policy;
    let mapping = Mapping::default();
    for dialect in Dialect::ALL {
        for line_column in [None, Some("line")] {
            let o = PartialOptions {
                options: Options {
                    dialect,
                    table: "tickets",
                    calendar_table: "cal",
                },
                policy_source: &source,
                as_of: "2026-05-01T00:00:00Z".parse().unwrap(),
                headers: default_headers(&policy, &mapping),
                line_column,
            };
            let sql = partials(&policy, &mapping, &o).unwrap();
            assert_eq!(readings(&sql, "j"), 1, "{dialect}");
            for step in ["jw", "ju", "jg"] {
                assert_eq!(readings(&sql, step), 1, "{dialect} {step}");
            }
            let d = if line_column.is_some() { 3 } else { 2 };
            assert_eq!(readings(&sql, "d"), d, "{dialect}");
        }
    }
}

#[test]
fn buckets_are_hdrhistograms() {
    let mut values: Vec<u64> = (0..5000).collect();
    values.extend((0..40).flat_map(|p| {
        let v = 1u64 << p;
        [v.saturating_sub(1), v, v + 1, v + 12_345, v * 3 / 2]
    }));
    // Durations are at most 20,000 years (`stats::MAX_SECONDS`); text timestamps of years
    // 0000–9999 never come near it.
    for v in values.into_iter().filter(|&v| v <= 20_000 * 366 * 86_400) {
        let mut h = Durations::default();
        h.record(v as i64);
        let json = serde_json::to_string(&h).unwrap();
        assert_eq!(json, format!("[[{},1]]", bucket(v)), "value {v}");
    }
}
