//! Event logs and reply threads folded into tickets (DESIGN §7, issue 11): every canonical
//! field of the folded tickets of `fixtures/events/` against values computed by hand (the
//! comments beside each expected value say how), and the ways a fold refuses its input.

use std::path::Path;
use std::process::Command;

use handoff::tickets::filter::Where;
use handoff::tickets::source::Needs;
use handoff::tickets::{Mapping, Ticket, TicketSource};

fn needs(extras: &[&str]) -> Needs {
    Needs {
        extras: extras.iter().map(|s| s.to_string()).collect(),
        priorities: ["urgent", "high", "normal", "low"]
            .map(String::from)
            .to_vec(),
        tiers: ["L1", "L2", "L3"].map(String::from).to_vec(),
        ..Needs::default()
    }
}

/// A ticket, or a rejected record's line, id and reason.
type Read = Result<Ticket, (u64, Option<String>, String)>;

/// Every ticket (or rejection) of `csv` read through `map`, and the notes of the read.
fn read(
    csv: &str,
    map: &str,
    extras: &[&str],
    wheres: &[&str],
) -> Result<(Vec<Read>, Vec<String>), String> {
    let dir = Path::new("fixtures/events");
    let mapping = Mapping::load(&dir.join(map)).map_err(|e| e.to_string())?;
    let input = std::fs::read(dir.join(csv)).map_err(|e| e.to_string())?;
    let mut source = TicketSource::new(
        Box::new(std::io::Cursor::new(input)),
        &mapping,
        needs(extras),
    )?;
    let wheres: Vec<Where> = wheres.iter().map(|w| w.parse().unwrap()).collect();
    source.keep_only(&wheres, &mapping)?;
    let mut out = Vec::new();
    let mut ticket = Ticket::default();
    while let Some(result) = source.next(&mut ticket).map_err(|e| e.to_string())? {
        out.push(match result {
            Ok(()) => Ok(ticket.clone()),
            Err(e) => Err((e.line, e.id, e.reason)),
        });
    }
    Ok((out, source.notes()))
}

fn ts(text: &str) -> Option<jiff::Timestamp> {
    Some(format!("{text}:00Z").replace(' ', "T").parse().unwrap())
}

const AUDIT_EXTRAS: [&str; 5] = [
    "transcript",
    "customer_record",
    "updates",
    "groups",
    "handled_by",
];

#[test]
fn an_audit_log_folds_into_incidents_field_by_field() {
    let (tickets, notes) = read("audit.csv", "audit.toml", &AUDIT_EXTRAS, &[]).unwrap();
    // Records: the two rejected events of INC3 come before INC3 itself, which is complete
    // only at the end of the file.
    assert_eq!(tickets.len(), 5, "{tickets:#?}");
    let ok: Vec<&Ticket> = tickets.iter().filter_map(|t| t.as_ref().ok()).collect();
    let ids: Vec<&str> = ok.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["INC1", "INC2", "INC3"]);

    // INC1 in time order: line 2 (09:05, Service Desk), line 4 (09:10, Network), line 3
    // (09:20, Service Desk), line 5 (11:00, Network).
    let t = ok[0];
    assert_eq!(t.line, 2);
    assert_eq!(t.created_at, ts("2026-03-02 09:00")); // first opened_at; line 4's `?` is na
    assert_eq!(t.texts, ["my vpn is down\nstill down please help"]); // inbound, time order
    assert_eq!(t.confidence, Some(0.4)); // min of 0.7, 0.4 (and `?`)
    assert_eq!(t.sentiment, Some(0.3)); // max of -0.5, 0.3
    assert_eq!(t.label(handoff::fields::Label::CustomerTier), Some("pro"));
    assert_eq!(t.label(handoff::fields::Label::Channel), Some("chat")); // first non-empty
    assert_eq!(t.label(handoff::fields::Label::Category), Some("vpn")); // last by time (11:00)
    assert_eq!(t.label(handoff::fields::Label::Priority), Some("high")); // last: 2 - High
    assert_eq!(t.requested_human, Some(true)); // line 3 says yes
    assert_eq!(t.escalated_at, ts("2026-03-02 09:10")); // first event at Network
    assert_eq!(t.first_human_response_at, ts("2026-03-02 09:20")); // first Active
    assert_eq!(t.resolved_at, ts("2026-03-02 11:00"));
    assert_eq!(t.resolved_tier.as_deref(), Some("L2")); // Network when Resolved
    assert_eq!(t.reassignments, Some(3)); // SD → Network → SD → Network
    assert_eq!(t.reopened, Some(false)); // no event says true
    assert_eq!(t.csat, Some(4.0));
    assert_eq!(
        t.extras,
        [
            "My VPN is down\nStill down please help\nWe are looking\nFixed",
            "crm-1",
            "4",
            "2",
            "Service Desk", // last New/Active event: line 3 at 09:20
        ]
    );

    // INC2: lines 6 and 7 share 10:00, so they keep file order.
    let t = ok[1];
    assert_eq!(t.line, 6);
    assert_eq!(t.created_at, ts("2026-03-03 09:58"));
    assert_eq!(t.texts, ["where is my invoice\nthanks"]);
    assert_eq!(t.confidence, Some(0.95));
    assert_eq!(t.sentiment, Some(0.1));
    assert_eq!(t.label(handoff::fields::Label::CustomerTier), Some("free"));
    assert_eq!(t.label(handoff::fields::Label::Channel), Some("email")); // tie: line 6 first
    assert_eq!(t.label(handoff::fields::Label::Category), Some("invoice"));
    assert_eq!(t.label(handoff::fields::Label::Priority), Some("low")); // N/A is empty
    assert_eq!(t.requested_human, Some(false));
    assert_eq!(t.escalated_at, None); // never at Network
    assert_eq!(t.first_human_response_at, ts("2026-03-03 10:00"));
    assert_eq!(t.resolved_at, ts("2026-03-03 10:30"));
    assert_eq!(t.resolved_tier.as_deref(), Some("ai")); // Bot
    assert_eq!(t.reassignments, Some(1)); // SD → Bot → Bot
    assert_eq!(t.reopened, Some(false));
    assert_eq!(t.csat, Some(5.0));
    assert_eq!(
        t.extras,
        [
            "Where is my invoice\nHere it is\nthanks",
            "", // `?`, `?`, `N/A`: never filled
            "3",
            "2",
            "Bot", // tie at 10:00: the later line wins `last`
        ]
    );

    // INC3: two events rejected (no valid time), one left.
    assert_eq!(
        tickets[2].as_ref().err(),
        Some(&(
            9,
            Some("INC3".into()),
            "time `sys_updated_at`: `not a time` is not a timestamp".into()
        ))
    );
    assert_eq!(
        tickets[3].as_ref().err(),
        Some(&(
            10,
            Some("INC3".into()),
            "time `sys_updated_at`: empty".into()
        ))
    );
    let t = ok[2];
    assert_eq!(t.line, 11);
    assert_eq!(t.created_at, ts("2026-03-04 08:00"));
    assert_eq!(t.texts, ["cancel my account now"]);
    assert_eq!((t.confidence, t.sentiment), (Some(0.3), Some(-0.9)));
    assert_eq!(t.label(handoff::fields::Label::Priority), Some("urgent"));
    assert_eq!(t.label(handoff::fields::Label::Channel), Some("phone"));
    assert_eq!(t.requested_human, Some(true));
    assert_eq!(
        (t.escalated_at, t.first_human_response_at, t.resolved_at),
        (None, None, None)
    );
    assert_eq!(t.resolved_tier, None);
    assert_eq!(t.reassignments, Some(0));
    assert_eq!(t.csat, None);
    assert_eq!(
        t.extras,
        ["Cancel my account now", "crm-3", "1", "1", "Service Desk"]
    );
    assert!(
        notes.contains(&"10 events made 3 tickets (2 events rejected)".to_string()),
        "{notes:?}"
    );
}

/// Id, line, created_at, text, first_human_response_at, extras.
type Summary<'a> = (
    &'a str,
    u64,
    Option<jiff::Timestamp>,
    &'a str,
    Option<jiff::Timestamp>,
    &'a [String],
);

#[test]
fn reply_threads_fold_from_their_root_message() {
    let extras = ["customer_opened", "messages"];
    let (tickets, notes) = read("threads.csv", "threads.toml", &extras, &[]).unwrap();
    let ok: Vec<Ticket> = tickets.into_iter().map(Result::unwrap).collect();
    let summary: Vec<Summary> = ok
        .iter()
        .map(|t| {
            (
                t.id.as_str(),
                t.line,
                t.created_at,
                t.texts[0].as_str(),
                t.first_human_response_at,
                t.extras.as_slice(),
            )
        })
        .collect();
    let s = |a: &str, b: &str| [a.to_string(), b.to_string()];
    assert_eq!(
        summary,
        [
            // 1 ← 2 ← 3 ← 4 (4 comes after thread 5 in the file).
            (
                "1",
                2,
                ts("2026-03-05 10:00"),
                "@acme my order never arrived\n@acme done thanks",
                ts("2026-03-05 10:05"),
                &s("True", "4")[..]
            ),
            (
                "5",
                5,
                ts("2026-03-05 11:00"),
                "@acme refund please",
                ts("2026-03-05 11:02"),
                &s("True", "2")[..]
            ),
            // 7 answers 999, which is not in the file: 7 starts its own thread.
            (
                "7",
                8,
                ts("2026-03-05 12:00"),
                "@acme about my old question",
                ts("2026-03-05 12:01"),
                &s("True", "2")[..]
            ),
            (
                "9",
                10,
                ts("2026-03-05 12:30"),
                "",
                ts("2026-03-05 12:30"),
                &s("False", "1")[..]
            ),
        ]
    );
    assert!(
        notes.contains(&"9 events made 4 tickets".to_string()),
        "{notes:?}"
    );
}

#[test]
fn where_keeps_tickets_by_a_folded_field() {
    let extras = ["customer_opened", "messages"];
    let (tickets, notes) = read(
        "threads.csv",
        "threads.toml",
        &extras,
        &["customer_opened=true"],
    )
    .unwrap();
    let ids: Vec<String> = tickets.into_iter().map(|t| t.unwrap().id).collect();
    assert_eq!(ids, ["1", "5", "7"]);
    assert!(
        notes.contains(&"--where kept 3 of 4 tickets".to_string()),
        "{notes:?}"
    );
    // A label is kept by its alias too, and several values are alternatives.
    let (tickets, _) = read(
        "audit.csv",
        "audit.toml",
        &AUDIT_EXTRAS,
        &["priority=urgent,2 - High"],
    )
    .unwrap();
    let kept: Vec<String> = tickets
        .into_iter()
        .map(|t| t.map_or_else(|e| format!("rejected line {}", e.0), |t| t.id))
        .collect();
    assert_eq!(
        kept,
        ["INC1", "rejected line 9", "rejected line 10", "INC3"]
    );
}

#[test]
fn where_names_a_field_the_data_lacks_with_a_suggestion() {
    let err = read("audit.csv", "audit.toml", &AUDIT_EXTRAS, &["priorty=high"]).unwrap_err();
    assert_eq!(
        err,
        "--where priorty: no such field in the data; did you mean `priority`?"
    );
}

#[test]
fn a_reply_cycle_is_an_error_naming_its_messages() {
    let err = read("cycle.csv", "threads.toml", &[], &[])
        .map(|_| ())
        .unwrap_err();
    assert!(
        err.contains("reply cycle: `11` (line 3) → `12` (line 4) → `11`"),
        "{err}"
    );
}

#[test]
fn an_ungrouped_export_is_folded_when_declared_and_refused_otherwise() {
    let (tickets, _) = read("interleaved.csv", "interleaved.toml", &[], &[]).unwrap();
    let got: Vec<(String, Vec<String>, Option<String>)> = tickets
        .into_iter()
        .map(Result::unwrap)
        .map(|t| {
            (
                t.id.clone(),
                t.texts.clone(),
                t.label(handoff::fields::Label::Priority).map(String::from),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "A".into(),
                vec!["first of a\nsecond of a".to_string()],
                Some("urgent".into())
            ),
            (
                "B".into(),
                vec!["first of b".to_string()],
                Some("low".into())
            ),
        ]
    );
    let err = read("interleaved.csv", "interleaved-grouped.toml", &[], &[])
        .map(|_| ())
        .unwrap_err();
    assert!(
        err.contains("line 4: events of ticket `A` resume after other tickets' events"),
        "{err}"
    );
}

#[test]
fn na_values_are_empty_without_events_too() {
    let dir = tempfile::tempdir().unwrap();
    let map = dir.path().join("map.toml");
    std::fs::write(&map, "[values]\nna = [\"?\", \"n/a\"]\n").unwrap();
    let mapping = Mapping::load(&map).unwrap();
    let csv = "id,priority,transcript,csat\nT1,?,N/A, ? \nT2,high,conv,4\n";
    let mut source = TicketSource::new(
        Box::new(std::io::Cursor::new(csv.as_bytes().to_vec())),
        &mapping,
        needs(&["transcript"]),
    )
    .unwrap();
    let mut ticket = Ticket::default();
    source.next(&mut ticket).unwrap().unwrap().unwrap();
    assert_eq!(ticket.label(handoff::fields::Label::Priority), None);
    assert_eq!((ticket.extras[0].as_str(), ticket.csat), ("", None));
    assert!(
        source.bad_values().is_empty(),
        "`?` is empty, not a bad value"
    );
    source.next(&mut ticket).unwrap().unwrap().unwrap();
    assert_eq!(ticket.extras[0], "conv");
}

fn handoff(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_handoff"))
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Every verb that reads tickets reads events, through the one input set-up.
#[test]
fn every_reading_verb_reads_events() {
    let policy = "fixtures/replay/policy.yaml";
    let (t, m) = ("fixtures/events/audit.csv", "fixtures/events/audit.toml");
    let (code, out, err) = handoff(&[
        "replay",
        "--policy",
        policy,
        "--tickets",
        t,
        "--map",
        m,
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["input"]["records"], 5);
    assert_eq!(json["input"]["rejected"], 2);
    let notes = json["input"]["notes"].to_string();
    assert!(
        notes.contains("10 events made 3 tickets (2 events rejected)"),
        "{notes}"
    );
    let (code, out, err) = handoff(&[
        "replay",
        "--policy",
        policy,
        "--tickets",
        t,
        "--map",
        m,
        "--format",
        "json",
        "--where",
        "customer_tier=free,enterprise",
    ]);
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["input"]["decided"], 2);
    for verb in [
        vec!["diff", policy, policy, "--max-reject-rate", "1"],
        vec![
            "sweep",
            "--policy",
            policy,
            "--rule",
            "low-confidence",
            "--param",
            "confidence.below",
            "--from",
            "0.5",
            "--to",
            "0.6",
            "--step",
            "0.1",
            "--max-reject-rate",
            "1",
        ],
        vec!["explain", "--policy", policy, "--id", "INC2"],
        vec!["lint", policy],
        vec!["test", "--record", "--policy", policy],
    ] {
        let mut args = verb.clone();
        args.extend(["--tickets", t, "--map", m, "--where", "priority=low"]);
        let (code, out, err) = handoff(&args);
        assert!(code == 0 || code == 1, "{verb:?}: {code}\n{out}\n{err}");
        assert!(!err.contains("not in the CSV header"), "{verb:?}: {err}");
        if verb[0] == "test" {
            // Only INC2 is low: the recorded case is the folded ticket.
            assert!(out.contains("- name: \"INC2: (default) → ai\""), "{out}");
            assert!(out.contains("where is my invoice\n      thanks"), "{out}");
        }
    }
}

fn replay_json(args: &[&str]) -> serde_json::Value {
    let mut all = vec![
        "replay",
        "--policy",
        "fixtures/replay/policy.yaml",
        "--format",
        "json",
    ];
    all.extend(args);
    let (code, out, err) = handoff(&all);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap()
}

/// The flow of history of the audit log, computed by hand from its stages (assignment group,
/// `Bot` named `AI agent`): INC1 Service Desk 09:05 → Network 09:10 → Service Desk 09:20 →
/// Network 11:00; INC2 Service Desk 10:00 → AI agent 10:00 (same time, file order); INC3
/// Service Desk (its events without a time are not stages).
#[test]
fn the_flow_of_history_counts_hand_overs_stays_ping_pong_and_paths() {
    let json = replay_json(&[
        "--tickets",
        "fixtures/events/audit.csv",
        "--map",
        "fixtures/events/audit.toml",
    ]);
    let flow = &json["flow"];
    assert_eq!(flow["tickets"], 3);
    assert_eq!(
        flow["transitions"],
        serde_json::json!([
            { "from": "Service Desk", "to": "Network", "count": 2 },
            { "from": "Network", "to": "Service Desk", "count": 1 },
            { "from": "Service Desk", "to": "AI agent", "count": 1 },
        ])
    );
    // Service Desk stays: 0 s (INC2), 5 min, 1 h 40 min; Network: 10 min. Last stays are open.
    let spread =
        |n: u64, median: u64, p90: u64| serde_json::json!({ "n": n, "median": median, "p90": p90 });
    assert_eq!(
        flow["dwell"],
        serde_json::json!([
            { "stage": "Network", "wall": spread(1, 600, 600), "business": spread(1, 600, 600) },
            { "stage": "Service Desk", "wall": spread(3, 300, 6000), "business": spread(3, 300, 6000) },
        ])
    );
    assert_eq!(
        (
            &flow["ping_pong"]["numerator"],
            &flow["ping_pong"]["denominator"]
        ),
        (&serde_json::json!(1), &serde_json::json!(3))
    );
    assert_eq!(
        flow["paths"],
        serde_json::json!([
            { "path": ["Service Desk"], "tickets": 1 },
            { "path": ["Service Desk", "AI agent"], "tickets": 1 },
            { "path": ["Service Desk", "Network", "Service Desk", "Network"], "tickets": 1 },
        ])
    );
    // Without a stage there is no flow section.
    let json = replay_json(&[
        "--tickets",
        "fixtures/events/threads.csv",
        "--map",
        "fixtures/events/threads.toml",
    ]);
    assert!(json.get("flow").is_none());
}

#[test]
fn a_stay_across_the_night_counts_business_time_apart_from_wall_time() {
    let json = replay_json(&[
        "--tickets",
        "fixtures/events/flow.csv",
        "--map",
        "fixtures/events/flow.toml",
    ]);
    let flow = &json["flow"];
    // F1: L1 Mon 16:00 → L2 Tue 10:00 (18 h wall, 1 h + 1 h business) → L1 Tue 11:00 (1 h).
    let spread = |median: u64| serde_json::json!({ "n": 1, "median": median, "p90": median });
    assert_eq!(
        flow["dwell"],
        serde_json::json!([
            { "stage": "L1", "wall": spread(64_800), "business": spread(7_200) },
            { "stage": "L2", "wall": spread(3_600), "business": spread(3_600) },
        ])
    );
    assert_eq!(flow["ping_pong"]["numerator"], 1);
    assert_eq!(
        flow["paths"],
        serde_json::json!([
            { "path": ["L1"], "tickets": 1 },
            { "path": ["L1", "L2", "L1"], "tickets": 1 },
        ])
    );
}

#[test]
fn the_flow_section_is_in_every_format() {
    let args = [
        "--tickets",
        "fixtures/events/flow.csv",
        "--map",
        "fixtures/events/flow.toml",
    ];
    for (format, wanted) in [
        ("table", "Flow of history"),
        ("markdown", "## Flow of history"),
        ("csv", "flow,all,paths.1.path.2,L1"),
        ("json", "\"flow\""),
    ] {
        let mut all = vec![
            "replay",
            "--policy",
            "fixtures/replay/policy.yaml",
            "--format",
            format,
        ];
        all.extend(args);
        let (code, out, err) = handoff(&all);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains(wanted), "{format}:\n{out}");
    }
}

#[test]
fn an_id_other_than_the_ticket_column_is_a_mapping_error() {
    let dir = tempfile::tempdir().unwrap();
    let map = dir.path().join("map.toml");
    std::fs::write(
        &map,
        "[events]\nticket = \"number\"\n[columns]\nid = \"sys_id\"\n",
    )
    .unwrap();
    let err = Mapping::load(&map).unwrap_err().to_string();
    assert!(
        err.ends_with("[columns] id: with [events], a ticket's id is its `ticket` column `number`; map `id = \"number\"` or leave it out"),
        "{err}"
    );
}
