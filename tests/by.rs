//! `--by` (issues 13 and 14): the time dimensions read `created_at` in the policy's time zone,
//! two dimensions cross into one table, and the `--decisions` file carries `created_at`.
//! Every expectation is worked out by hand from `fixtures/by/` (eight tickets, Europe/Berlin =
//! UTC+1 in early March 2026):
//!
//! | id | created_at (UTC)  | Berlin          | channel | priority | policy | history |
//! |----|-------------------|-----------------|---------|----------|--------|---------|
//! | B1 | Sun 03-01 23:30   | Mon 03-02 00:30 | chat    | normal   | ai     | ai      |
//! | B2 | Mon 03-02 08:15   | Mon 09:15       | chat    | high     | L1     | L1      |
//! | B3 | Mon 03-02 08:45   | Mon 09:45       | Email   | normal   | L2     | L2      |
//! | B4 | Tue 03-03 13:00   | Tue 14:00       | email   | normal   | L1     | ai      |
//! | B5 | Sat 03-07 10:00   | Sat 11:00       | chat    | low      | ai     | L1      |
//! | B6 | Sun 03-08 22:10   | Sun 23:10       | chat    | high     | L2     | L2      |
//! | B7 | (none)            | (none)          | email   | (normal) | ai     | ai      |
//! | B8 | Mon 03-02 16:59   | Mon 17:59       | chat    | urgent   | ai     | L2      |

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

const POLICY: &str = "fixtures/by/policy.yaml";
const TICKETS: &str = "fixtures/by/tickets.csv";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn handoff(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_handoff"))
        .current_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")))
        .args(args)
        .output()
        .expect("run handoff");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn replay(extra: &[&str]) -> Run {
    let mut args = vec!["replay", "--policy", POLICY, "--tickets", TICKETS];
    args.extend_from_slice(extra);
    handoff(&args)
}

fn json_by(by: &str) -> Value {
    let run = replay(&["--by", by, "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    serde_json::from_str(&run.stdout).expect("JSON")
}

/// Per group: (tickets, escalated numerator, missed numerator/denominator).
fn figures(json: &Value) -> Vec<(String, u64, u64, (u64, u64))> {
    let groups = json["by"]["groups"].as_object().expect("groups");
    groups
        .iter()
        .map(|(name, g)| {
            let missed = &g["missed_escalation_rate"];
            (
                name.clone(),
                g["tickets"].as_u64().unwrap(),
                g["escalation_rate"]["numerator"].as_u64().unwrap(),
                (
                    missed["numerator"].as_u64().unwrap(),
                    missed["denominator"].as_u64().unwrap(),
                ),
            )
        })
        .collect()
}

fn expect(rows: &[(&str, u64, u64, (u64, u64))]) -> Vec<(String, u64, u64, (u64, u64))> {
    rows.iter()
        .map(|&(name, tickets, escalated, missed)| (name.to_string(), tickets, escalated, missed))
        .collect()
}

#[test]
fn by_hour_reads_created_at_in_the_policy_time_zone() {
    let json = json_by("hour");
    assert_eq!(json["by"]["dimension"], "hour");
    // B1 is 23:30 in UTC but 00:30 in Berlin; B8 16:59 UTC is 17:59.
    assert_eq!(
        figures(&json),
        expect(&[
            ("(none)", 1, 0, (0, 0)),
            ("00", 1, 0, (0, 0)),
            ("09", 2, 2, (0, 2)),
            ("11", 1, 0, (1, 1)),
            ("14", 1, 1, (0, 0)),
            ("17", 1, 0, (1, 1)),
            ("23", 1, 1, (0, 1)),
        ])
    );
}

#[test]
fn by_weekday_lists_monday_first_in_the_policy_time_zone() {
    let json = json_by("weekday");
    // B1 is a Sunday in UTC, a Monday in Berlin.
    assert_eq!(
        figures(&json),
        expect(&[
            ("(none)", 1, 0, (0, 0)),
            ("mon", 4, 2, (1, 3)),
            ("sat", 1, 0, (1, 1)),
            ("sun", 1, 1, (0, 1)),
            ("tue", 1, 1, (0, 0)),
        ])
    );
    // Tables list the days in week order, not alphabetically.
    let table = replay(&["--by", "weekday"]);
    assert_eq!(table.code, 0, "{}", table.stderr);
    let order: Vec<&str> = table
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("By weekday"))
        .filter_map(|l| l.split(['│', '┆']).nth(1))
        .map(str::trim)
        .collect();
    assert_eq!(order, ["weekday", "(none)", "mon", "tue", "sat", "sun"]);
}

#[test]
fn by_date_reads_created_at_in_the_policy_time_zone() {
    let json = json_by("date");
    assert_eq!(
        figures(&json),
        expect(&[
            ("(none)", 1, 0, (0, 0)),
            ("2026-03-02", 4, 2, (1, 3)),
            ("2026-03-03", 1, 1, (0, 0)),
            ("2026-03-07", 1, 0, (1, 1)),
            ("2026-03-08", 1, 1, (0, 1)),
        ])
    );
}

#[test]
fn two_dimensions_cross_into_one_group_per_pair() {
    let json = json_by("channel,priority");
    let by = &json["by"];
    assert_eq!(by["dimension"], "channel,priority");
    assert_eq!(by["dimensions"], serde_json::json!(["channel", "priority"]));
    // `Email` is how the first email ticket (B3) spells it; B7 has no priority and gets the
    // default, normal.
    assert_eq!(
        figures(&json),
        expect(&[
            ("Email,normal", 3, 2, (0, 1)),
            ("chat,high", 2, 2, (0, 2)),
            ("chat,low", 1, 0, (1, 1)),
            ("chat,normal", 1, 0, (0, 0)),
            ("chat,urgent", 1, 0, (1, 1)),
        ])
    );
    assert_eq!(
        by["values"]["Email,normal"],
        serde_json::json!(["Email", "normal"])
    );
    // The groups add up to the whole.
    let total: u64 = figures(&json).iter().map(|g| g.1).sum();
    assert_eq!(total, json["report"]["tickets"].as_u64().unwrap());
}

#[test]
fn two_dimensions_are_one_table_with_a_column_each() {
    for format in ["table", "markdown"] {
        let run = replay(&["--by", "weekday,channel", "--format", format]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let heading = if format == "table" {
            "By weekday × channel"
        } else {
            "## By weekday × channel"
        };
        assert!(run.stdout.contains(heading), "{}", run.stdout);
        let rows: Vec<Vec<String>> = run
            .stdout
            .lines()
            .skip_while(|l| !l.contains("By weekday"))
            .filter(|l| l.contains('│') || l.starts_with('|'))
            .map(|l| {
                l.split(['│', '┆', '|'])
                    .map(|c| c.trim().to_string())
                    .filter(|c| !c.is_empty())
                    .take(3)
                    .collect()
            })
            .filter(|r: &Vec<String>| r.len() == 3 && !r[0].starts_with('-'))
            .collect();
        let expected: Vec<Vec<String>> = [
            ["weekday", "channel", "tickets"],
            ["(none)", "email", "1"],
            ["mon", "chat", "3"],
            ["mon", "Email", "1"],
            ["tue", "email", "1"],
            ["sat", "chat", "1"],
            ["sun", "chat", "1"],
        ]
        .iter()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
        assert_eq!(rows, expected, "{format}");
    }
}

#[test]
fn csv_names_each_group_by_both_dimensions() {
    let run = replay(&["--by", "channel,priority", "--format", "csv"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let tickets: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("tickets,"))
        .collect();
    assert_eq!(
        tickets,
        [
            "tickets,all,tickets,8",
            // Priorities in the policy's order (urgent, high, normal, low).
            "tickets,\"channel=chat,priority=urgent\",tickets,1",
            "tickets,\"channel=chat,priority=high\",tickets,2",
            "tickets,\"channel=chat,priority=normal\",tickets,1",
            "tickets,\"channel=chat,priority=low\",tickets,1",
            "tickets,\"channel=Email,priority=normal\",tickets,3",
        ]
    );
}

#[test]
fn an_unknown_or_a_third_or_repeated_dimension_is_a_usage_error() {
    let run = replay(&["--by", "channel,shift"]);
    assert_eq!(run.code, 2);
    assert!(run.stdout.is_empty());
    assert!(
        run.stderr.contains(
            "[possible values: channel, category, priority, customer-tier, month, hour, weekday, date]"
        ),
        "{}",
        run.stderr
    );
    let run = replay(&["--by", "channel,priority,hour"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("--by takes one or two dimensions"),
        "{}",
        run.stderr
    );
    let run = replay(&["--by", "hour", "--by", "hour"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("names `hour` twice"), "{}", run.stderr);
}

#[test]
fn the_decisions_file_carries_created_at_last() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("decisions.csv");
    let run = replay(&["--decisions", path.to_str().unwrap(), "-o", "-"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().unwrap().clone();
    assert_eq!(header.iter().next_back(), Some("created_at"));
    let created: Vec<(String, String)> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_string(), r[r.len() - 1].to_string())
        })
        .collect();
    // RFC 3339 in UTC, as read; empty when the ticket has none.
    assert_eq!(created[0], ("B1".into(), "2026-03-01T23:30:00Z".into()));
    assert_eq!(created[6], ("B7".into(), String::new()));
    assert_eq!(created.len(), 8);
}
