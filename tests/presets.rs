//! The built-in mapping presets (`--map servicenow|zendesk|jira|freshdesk|intercom`), each
//! replayed on a small hand-made fixture in its vendor's shape (`fixtures/presets/NAME.csv`,
//! invented content) with a shipped policy; every expected value below was worked out by hand.
//!
//! policies/it-service.yaml (servicenow, jira): calendar America/New_York Mon–Fri 07:00–19:00
//! (UTC−5 in early March 2026); first response L3 p1 15m, L2 p3 1bd, L1 p4 2bd; resolution L3 p1
//! 4h. Rules that read confidence, sentiment or requested_human are unknown (the exports have no
//! such column), so only keyword, category, priority and `reopen_count` rules decide.
//! policies/support.yaml (zendesk, freshdesk, intercom): calendar Europe/Berlin Mon–Fri
//! 09:00–18:00 (UTC+1); legal keywords route to L3 with priority urgent (first response 30m,
//! resolution 1bd); the other rules read columns these exports lack. The SLA clock starts at
//! `escalated_at` when there is one, else at `created_at`.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn handoff(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_handoff"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run handoff")
}

/// Replay `fixtures/presets/NAME.csv` with `--map NAME`: the JSON report and the decisions file
/// cut to `id,decision,rule,priority,first_response_due,historical_outcome`.
fn replay(preset: &str, policy: &str) -> (Value, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let decisions = dir.path().join("decisions.csv");
    let tickets = format!("fixtures/presets/{preset}.csv");
    let policy = format!("policies/{policy}.yaml");
    let out = handoff(&[
        "replay",
        "-q",
        "--policy",
        &policy,
        "--tickets",
        &tickets,
        "--map",
        preset,
        "--format",
        "json",
        "--decisions",
        decisions.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{preset}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let text = std::fs::read_to_string(&decisions).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let wanted = [
        "id",
        "decision",
        "rule",
        "priority",
        "first_response_due",
        "historical_outcome",
    ];
    let columns: Vec<usize> = wanted
        .iter()
        .map(|w| header.iter().position(|h| h == w).unwrap())
        .collect();
    let rows = lines
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            columns
                .iter()
                .map(|&c| cells[c])
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect();
    (report, rows)
}

fn assert_input(report: &Value, records: u64, rejected: u64) {
    assert_eq!(report["input"]["records"], records, "{}", report["input"]);
    assert_eq!(report["input"]["rejected"], rejected, "{}", report["input"]);
}

#[test]
fn servicenow_incident_export() {
    let (report, rows) = replay("servicenow", "it-service");
    assert_input(&report, 6, 0);
    assert_eq!(
        rows,
        [
            // "Phishing … compromised": security-incident. Opened Mon 14:00Z (09:00 New York).
            "INC0010001,L3,security-incident,p1,2026-03-02T14:15:00Z,",
            // Category hardware + "laptop", "3 - Moderate" → p3; Tue 08:00 NY + 1bd.
            "INC0010002,L2,hardware-fault,p3,2026-03-04T13:00:00Z,",
            // reopen_count 2 (a [fields] column) → frustrated; "4 - Low" → p4; Tue 10:30 NY + 2bd.
            "INC0010003,L1,frustrated,p4,2026-03-05T15:30:00Z,",
            // "5 - Planning" → p4.
            "INC0010004,ai,(default),p4,,",
            "INC0010005,ai,(default),p3,,",
            // Thu 15:10 NY + 15m.
            "INC0010006,L3,security-incident,p1,2026-03-05T20:25:00Z,",
        ]
    );
    // No escalation or first-response column in the incident table: said, not guessed.
    assert_eq!(
        report["report"]["first_response_time"]["needs"],
        serde_json::json!(["first_human_response_at"])
    );
    // Resolved by the AI in history's sense: INC0010004, 16:00 → 16:20.
    let not_escalated = &report["report"]["resolution_time"]["not_escalated"];
    assert_eq!(not_escalated["n"], 1);
    assert_eq!(not_escalated["median_seconds"], 1200);
}

#[test]
fn zendesk_tickets_with_metrics() {
    let (report, rows) = replay("zendesk", "support");
    assert_input(&report, 5, 0);
    assert_eq!(
        rows,
        [
            "1001,ai,(default),normal,,",
            // "GDPR": legal-risk. Assigned (escalated) 11:05Z, a Monday inside hours: + 30m.
            "1002,L3,legal-risk,urgent,2026-03-02T11:35:00Z,human",
            // "lawyer": assigned 08:31Z = 09:31 Berlin: + 30m.
            "1003,L3,legal-risk,urgent,2026-03-03T09:01:00Z,human",
            "1004,ai,(default),high,,",
            // No priority: the policy's default.
            "1005,ai,(default),normal,,",
        ]
    );
    // 1004 is unsolved; 1002 and 1003 were assigned to an agent.
    let agreement = &report["report"]["agreement"];
    assert_eq!(agreement["tickets"], 4);
    assert_eq!(agreement["history_escalated"], 2);
    assert_eq!(agreement["unresolved_excluded"], 1);
    // Not escalated and solved: 1001 (60 min) and 1005 (45 min): median 2700 s, p90 3600 s.
    let not_escalated = &report["report"]["resolution_time"]["not_escalated"];
    assert_eq!(not_escalated["n"], 2);
    assert_eq!(not_escalated["median_seconds"], 2700);
    assert_eq!(not_escalated["p90_seconds"], 3600);
}

#[test]
fn jira_issues_from_the_rest_api() {
    let (report, rows) = replay("jira", "it-service");
    assert_input(&report, 5, 0);
    assert_eq!(
        rows,
        [
            // "down", "500 error", Incident, Highest → p1: major-outage. 09:00-0500 = 14:00Z.
            "ITSM-1,L3,major-outage,p1,2026-03-03T14:15:00Z,",
            // An offset of +0000: 15:20Z = 10:20 New York.
            "ITSM-2,L3,security-incident,p1,2026-03-03T15:35:00Z,",
            "ITSM-3,L2,hardware-fault,p3,2026-03-05T15:00:00Z,",
            "ITSM-4,ai,(default),p4,,",
            // An outage at priority Low (p4) is no major outage.
            "ITSM-5,ai,(default),p4,,",
        ]
    );
    // ITSM-4: Wed 12:00 → Thu 09:00 (-0500), 21 hours; the histogram keeps 3 digits.
    let not_escalated = &report["report"]["resolution_time"]["not_escalated"];
    assert_eq!(not_escalated["n"], 1);
    assert_eq!(not_escalated["median_seconds"], 75584);
}

#[test]
fn freshdesk_tickets_with_stats() {
    let (report, rows) = replay("freshdesk", "support");
    assert_input(&report, 5, 0);
    assert_eq!(
        rows,
        [
            // Priority 2 → normal, 1 → low, 4 → urgent; "attorney", "subpoena": legal-risk.
            "501,ai,(default),normal,,",
            "502,L3,legal-risk,urgent,2026-03-02T10:30:00Z,",
            "503,ai,(default),low,,",
            "504,L3,legal-risk,urgent,2026-03-04T13:30:00Z,",
            "505,ai,(default),urgent,,",
        ]
    );
    // First responses from creation: 30m, 1h, 2h, 10m (504 unanswered): median 1800, p90 7200.
    let wall = &report["report"]["first_response_time"]["wall"];
    assert_eq!(wall["n"], 4);
    assert_eq!(wall["median_seconds"], 1800);
    assert_eq!(wall["p90_seconds"], 7200);
}

#[test]
fn intercom_conversations_with_statistics() {
    let (report, rows) = replay("intercom", "support");
    assert_input(&report, 5, 0);
    assert_eq!(
        rows,
        [
            // Fin resolved it (assumed_resolution → ai).
            "215468,ai,(default),normal,,ai",
            // "lawyer"; assigned 11:02Z (Unix 1772449320) + 30m; routed_to_team → L1.
            "215469,L3,legal-risk,urgent,2026-03-02T11:32:00Z,L1",
            // No AI agent, assigned to a teammate: history escalated (a missed escalation).
            "215470,ai,(default),normal,,human",
            // abandoned: no resolution (a bad resolved_tier, counted below).
            "215471,ai,(default),normal,,",
            "215472,ai,(default),high,,L1",
        ]
    );
    assert_eq!(
        report["input"]["bad_values_counted_as_empty"],
        serde_json::json!({ "resolved_tier": 1 })
    );
    // From the assignment: 18m (215469) and 2h30m (215470).
    let wall = &report["report"]["first_response_time"]["wall"];
    assert_eq!(wall["n"], 2);
    assert_eq!(wall["median_seconds"], 1080);
    assert_eq!(wall["p90_seconds"], 9000);
}

/// The events made this many tickets (the report's note).
fn assert_folded(report: &Value, events: u64, tickets: u64) {
    assert_eq!(report["input"]["records"], tickets, "{}", report["input"]);
    assert_eq!(report["input"]["rejected"], 0, "{}", report["input"]);
    assert_eq!(
        report["input"]["notes"],
        serde_json::json!([format!("{events} events made {tickets} tickets")])
    );
}

#[test]
fn servicenow_incident_history_folds_updates() {
    let (report, rows) = replay("servicenow-history", "it-service");
    assert_folded(&report, 9, 3);
    assert_eq!(
        rows,
        [
            // The last priority wins ("2 - High" after "3 - Moderate").
            "INC0000045,ai,(default),p2,,",
            // reopen_count reaches 2 (max of the updates): frustrated. Opened Mon 29 Feb 04:40Z
            // = Sun 23:40 New York; the desk opens at 07:00 (12:00Z): + 15m.
            "INC0000047,L1,frustrated,p1,2016-02-29T12:15:00Z,",
            // One update, `?` everywhere it has nothing: na.
            "INC0000048,ai,(default),p4,,",
        ]
    );
    // First update in state Active: INC0000047's 05:00 row comes last in the file but first in
    // time (20 min after opening); INC0000045 08:53 - 01:16 = 27,420 s (kept to 3 digits).
    let wall = &report["report"]["first_response_time"]["wall"];
    assert_eq!(wall["n"], 2);
    assert_eq!(wall["median_seconds"], 1200);
    assert_eq!(wall["p90_seconds"], 27408);
}

#[test]
fn servicenow_incident_history_gives_the_flow_of_assignment_groups() {
    let (report, _) = replay("servicenow-history", "it-service");
    let flow = &report["flow"];
    // INC0000048's only group is `?` (na): no stage. INC0000045 went Group 56 → Group 24;
    // INC0000047 stayed with Group 70 (four updates, one group: no hand-over).
    assert_eq!(flow["tickets"], 2, "{flow}");
    assert_eq!(
        flow["transitions"],
        serde_json::json!([{ "from": "Group 56", "to": "Group 24", "count": 1 }])
    );
    assert_eq!(flow["ping_pong"]["numerator"], 0);
    assert_eq!(flow["ping_pong"]["denominator"], 2);
    let paths: Vec<(String, u64)> = flow["paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["path"].to_string(), p["tickets"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        paths,
        [
            (r#"["Group 56","Group 24"]"#.to_string(), 1),
            (r#"["Group 70"]"#.to_string(), 1)
        ]
    );
    // The one finished stay: Group 56 held INC0000045 from its first update (29/2 01:23) to the
    // update at Group 24 (1/3 10:00): 117,420 s, kept to 3 significant digits by the histogram
    // (117,376). In business time, Mon 29 Feb's whole New York working day, 07:00–19:00: 12 h.
    let dwell = &flow["dwell"];
    assert_eq!(dwell.as_array().unwrap().len(), 1, "{dwell}");
    assert_eq!(dwell[0]["stage"], "Group 56");
    assert_eq!(dwell[0]["wall"]["median"], 117376);
    assert_eq!(dwell[0]["business"]["median"], 43200);
}

#[test]
fn zendesk_metric_events_give_reply_and_solve_times() {
    let (report, rows) = replay("zendesk-events", "support");
    assert_folded(&report, 14, 3);
    assert_eq!(
        rows,
        [
            "7001,ai,(default),normal,,",
            "7002,ai,(default),normal,,",
            "7003,ai,(default),normal,,",
        ]
    );
    // reply_time fulfilled 40 min (7001) and 2h30 (7002) after its activation.
    let wall = &report["report"]["first_response_time"]["wall"];
    assert_eq!(wall["n"], 2);
    assert_eq!(wall["median_seconds"], 2400);
    assert_eq!(wall["p90_seconds"], 9000);
    // Solved: 7001 after 2 h; 7002's last fulfilment (after a reopen) 29 h after creation.
    let resolution = &report["report"]["resolution_time"]["not_escalated"];
    assert_eq!(resolution["n"], 2);
    assert_eq!(resolution["median_seconds"], 7200);
}

#[test]
fn jira_changelog_gives_hand_over_and_resolution() {
    let (report, rows) = replay("jira-changelog", "it-service");
    assert_folded(&report, 7, 2);
    assert_eq!(
        rows,
        [
            // First assignee change 09:05-0500 = 14:05Z starts the clock: + 15m.
            "ITSM-10,L3,security-incident,p1,2026-03-03T14:20:00Z,human",
            "ITSM-11,ai,(default),p3,,human",
        ]
    );
    // ITSM-10: created 14:00Z, resolution set 16:00Z.
    let escalated = &report["report"]["resolution_time"]["escalated"];
    assert_eq!(escalated["n"], 1);
    assert_eq!(escalated["median_seconds"], 7200);
    assert_eq!(report["report"]["agreement"]["unresolved_excluded"], 1);
}

#[test]
fn freshdesk_conversations_give_text_and_first_reply() {
    let (report, rows) = replay("freshdesk-conversations", "support");
    assert_folded(&report, 7, 3);
    assert_eq!(
        rows,
        [
            "501,ai,(default),normal,,",
            // "attorney" in the customer's message; first message 10:00Z = 11:00 Berlin.
            "502,L3,legal-risk,urgent,2026-03-02T10:30:00Z,",
            "503,ai,(default),normal,,",
        ]
    );
    // 501: the private note at 09:10 is no reply; the public one at 09:30 is (30 min).
    // 502: 10:00 → 11:00 (the customer's 10:30 message sits after it in the file).
    let wall = &report["report"]["first_response_time"]["wall"];
    assert_eq!(wall["n"], 2);
    assert_eq!(wall["median_seconds"], 1800);
    assert_eq!(wall["p90_seconds"], 3600);
}

#[test]
fn intercom_parts_give_assignment_reply_and_close() {
    let (report, rows) = replay("intercom-parts", "support");
    assert_folded(&report, 8, 2);
    assert_eq!(
        rows,
        [
            // The customer's part says "lawyer"; assigned 11:02Z: + 30m.
            "215469,L3,legal-risk,urgent,2026-03-02T11:32:00Z,human",
            "215470,ai,(default),normal,,",
        ]
    );
    // The bot's reply is no human reply: Ana's comment 18 min after the assignment.
    let wall = &report["report"]["first_response_time"]["wall"];
    assert_eq!(wall["n"], 1);
    assert_eq!(wall["median_seconds"], 1080);
    // 215470 closed by the bot 100 s after it opened.
    let resolution = &report["report"]["resolution_time"]["not_escalated"];
    assert_eq!(resolution["median_seconds"], 100);
}

#[test]
fn map_show_prints_each_preset_verbatim() {
    for preset in handoff::tickets::presets::PRESETS {
        let name = preset.name;
        let out = handoff(&["map", "show", name]);
        assert!(out.status.success(), "{name}");
        let file = Path::new("src/tickets/presets").join(format!("{name}.toml"));
        let file = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
        assert_eq!(
            String::from_utf8(out.stdout).unwrap(),
            std::fs::read_to_string(file).unwrap(),
            "{name}"
        );
    }
}

#[test]
fn a_saved_preset_is_an_ordinary_mapping_file() {
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("zendesk.toml");
    std::fs::write(&saved, handoff(&["map", "show", "zendesk"]).stdout).unwrap();
    let out = handoff(&[
        "replay",
        "-q",
        "--policy",
        "policies/support.yaml",
        "--tickets",
        "fixtures/presets/zendesk.csv",
        "--map",
        saved.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["report"]["escalation_rate"]["numerator"], 2);
}

/// An unknown preset name stops every verb that reads tickets with exit 2 and the list of
/// presets, before any ticket is read (the ticket file here does not even exist).
#[test]
fn an_unknown_preset_is_refused_by_every_verb() {
    let t = "no-such-tickets.csv";
    let p = "policies/support.yaml";
    let verbs: [&[&str]; 6] = [
        &["replay", "--policy", p, "--tickets", t, "--map", "zendsk"],
        &["diff", p, p, "--tickets", t, "--map", "zendsk"],
        &[
            "sweep",
            "--policy",
            p,
            "--tickets",
            t,
            "--map",
            "zendsk",
            "--rule",
            "low-confidence",
            "--param",
            "confidence.below",
            "--from",
            "0.5",
            "--to",
            "0.9",
            "--step",
            "0.1",
        ],
        &[
            "explain",
            "--policy",
            p,
            "--tickets",
            t,
            "--id",
            "1",
            "--map",
            "zendsk",
        ],
        &[
            "test",
            "--record",
            "--policy",
            p,
            "--tickets",
            t,
            "--map",
            "zendsk",
        ],
        &["lint", p, "--tickets", t, "--map", "zendsk"],
    ];
    for args in verbs {
        let out = handoff(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("--map zendsk: no preset and no file of that name; the presets are servicenow, servicenow-history, zendesk, zendesk-events, jira, jira-changelog, freshdesk, freshdesk-conversations, intercom, intercom-parts"),
            "{args:?}: {stderr}"
        );
    }
}

/// `map suggest` → save → replay: the starter mapping loads and maps what it says.
#[test]
fn a_suggested_mapping_replays() {
    let dir = tempfile::tempdir().unwrap();
    let map = dir.path().join("suggested.toml");
    let decisions = dir.path().join("decisions.csv");
    let out = handoff(&[
        "map",
        "suggest",
        "--tickets",
        "fixtures/suggest/kaggle-head.csv",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(&map, out.stdout).unwrap();
    let out = handoff(&[
        "replay",
        "-q",
        "--policy",
        "policies/support.yaml",
        "--tickets",
        "fixtures/suggest/kaggle-head.csv",
        "--map",
        map.to_str().unwrap(),
        "--decisions",
        decisions.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_input(&report, 5, 0);
    // The data set has replies but no creation or hand-over time: the first-response clock
    // has nowhere to start, and the report says so rather than guessing.
    assert_eq!(
        report["report"]["first_response_time"]["needs"],
        serde_json::json!(["created_at", "escalated_at"])
    );
    let text = std::fs::read_to_string(&decisions).unwrap();
    let rows: Vec<String> = text
        .lines()
        .skip(1)
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            format!("{},{},{},{}", c[0], c[2], c[3], c[7])
        })
        .collect();
    assert_eq!(
        rows,
        [
            // "Critical" → urgent through the suggested alias; "Medium" → normal.
            "1,ai,(default),urgent",
            "2,ai,(default),high",
            "3,ai,(default),normal",
            // "lawyer" in the description (text = subject and description).
            "4,L3,legal-risk,urgent",
            "5,ai,(default),normal",
        ]
    );
}

/// A suggested mapping for an event log folds it: `[events]` and `[values] na` are live.
#[test]
fn a_suggested_mapping_folds_an_event_log() {
    let dir = tempfile::tempdir().unwrap();
    let map = dir.path().join("suggested.toml");
    let out = handoff(&[
        "map",
        "suggest",
        "--tickets",
        "fixtures/suggest/incident-log.csv",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(&map, out.stdout).unwrap();
    let decisions = dir.path().join("decisions.csv");
    let out = handoff(&[
        "replay",
        "-q",
        "--policy",
        "policies/support.yaml",
        "--tickets",
        "fixtures/suggest/incident-log.csv",
        "--map",
        map.to_str().unwrap(),
        "--decisions",
        decisions.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_folded(&report, 6, 3);
    let text = std::fs::read_to_string(&decisions).unwrap();
    let rows: Vec<String> = text
        .lines()
        .skip(1)
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            format!("{},{},{},{}", c[0], c[2], c[3], c[7])
        })
        .collect();
    // INC0000047's ai_confidence 0.35 is below 0.80; priorities through the suggested aliases.
    assert_eq!(
        rows,
        [
            "INC0000045,ai,(default),normal",
            "INC0000047,L1,low-confidence,urgent",
            "INC0000048,ai,(default),low",
        ]
    );
}
