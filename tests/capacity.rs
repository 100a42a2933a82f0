//! `handoff replay --staffing FILE` (issue 14): the capacity what-if on the bundled and on
//! generated data. Erlang C's own arithmetic is unit-tested against textbook values in
//! `src/engine/capacity/erlang.rs`; here the binary runs end to end.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn handoff(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_handoff"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run handoff")
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path.display().to_string()
}

/// The JSON report of a replay with a staffing file, and its exit code.
fn capacity_json(tickets: &str, staffing: &str, extra: &[&str]) -> Value {
    let mut args = vec![
        "replay",
        "--policy",
        "policies/support.yaml",
        "--tickets",
        tickets,
        "--staffing",
        staffing,
        "--format",
        "json",
    ];
    args.extend(extra);
    let out = handoff(&args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    report["capacity"].clone()
}

#[test]
fn minimal_staffing_form_works() {
    let dir = tempfile::tempdir().unwrap();
    let staffing = write(
        dir.path(),
        "s.yaml",
        "L1: { agents: 4, handling_time: 12m }\n",
    );
    let c = capacity_json("examples/support-tickets.csv", &staffing, &[]);
    assert_eq!(c["service_level"], 0.8);
    assert_eq!(c["time_zone"], "Europe/Berlin");
    let l1 = &c["tiers"]["L1"];
    assert_eq!(l1["handling_time_seconds"], 720);
    assert_eq!(l1["agent_hours_per_week"], 4 * 168);
    assert_eq!(l1["hours"].as_array().unwrap().len(), 168);
    assert_eq!(l1["hours"][0]["hour"], "mon 00:00");
    // The tickets of the hours add up to the tier's.
    let sum: u64 = l1["hours"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["tickets"].as_u64().unwrap())
        .sum();
    assert_eq!(l1["tickets"].as_u64(), Some(sum));
    assert!(sum > 0);
    // L2 and L3 receive tickets but are not staffed: said, not guessed.
    assert_eq!(c["tiers_not_staffed"], serde_json::json!(["L2", "L3"]));
}

#[test]
fn agents_follow_calendar_windows() {
    let c = capacity_json(
        "examples/support-tickets.csv",
        "examples/staffing.yaml",
        &[],
    );
    let hours = &c["tiers"]["L1"]["hours"];
    // mon 07:00, mon 08:00, sat 10:00, sat 14:00, sun 12:00
    let agents: Vec<&Value> = [7, 8, 5 * 24 + 10, 5 * 24 + 14, 6 * 24 + 12]
        .iter()
        .map(|&slot| &hours[slot]["agents"])
        .collect();
    assert_eq!(agents, [0, 2, 1, 0, 0]);
    // Hours with tickets but no agents cannot answer them: short, and no bounded wait.
    let l2 = &c["tiers"]["L2"];
    assert!(l2["hours_short"].as_u64().unwrap() > 0);
    assert_eq!(c["tiers_not_staffed"], serde_json::json!([]));
}

#[test]
fn simulation_and_erlang_c_agree_on_generated_data() {
    // Twenty thousand generated tickets over 120 days; L1 and L2 staffed around the clock. The
    // share answered within target (overall and per priority) agrees within 2 points.
    let dir = tempfile::tempdir().unwrap();
    let out = handoff(&["gen", "--rows", "20000", "--seed", "3"]);
    assert_eq!(out.status.code(), Some(0));
    let tickets = dir.path().join("gen.csv");
    std::fs::write(&tickets, &out.stdout).unwrap();
    let staffing = write(
        dir.path(),
        "s.yaml",
        "L1: { agents: 3, handling_time: 20m }\nL2: { agents: 2, handling_time: 30m }\n",
    );
    let c = capacity_json(tickets.to_str().unwrap(), &staffing, &[]);
    for tier in ["L1", "L2"] {
        let t = &c["tiers"][tier];
        assert!(t["tickets"].as_u64().unwrap() > 500, "{tier}: {t}");
        let erlang = t["erlang_c"]["within_target"].as_f64().unwrap();
        let simulated = t["simulated"]["within_target"].as_f64().unwrap();
        assert!(
            (erlang - simulated).abs() <= 0.02,
            "{tier}: {erlang} vs {simulated}"
        );
        for (priority, figures) in t["within_target_by_priority"].as_object().unwrap() {
            if figures["tickets"].as_u64().unwrap() < 300 {
                continue;
            }
            let erlang = figures["erlang_c"].as_f64().unwrap();
            let simulated = figures["simulated"].as_f64().unwrap();
            assert!(
                (erlang - simulated).abs() <= 0.02,
                "{tier} {priority}: {erlang} vs {simulated}"
            );
        }
    }
    // A stricter service level needs at least as many agents.
    let strict = capacity_json(
        tickets.to_str().unwrap(),
        &staffing,
        &["--service-level", "0.95"],
    );
    let needed = |c: &Value| {
        c["tiers"]["L1"]["agent_hours_needed_per_week"]
            .as_u64()
            .unwrap()
    };
    assert!(
        needed(&strict) > needed(&c),
        "{} vs {}",
        needed(&strict),
        needed(&c)
    );
}

#[test]
fn capacity_is_the_same_for_any_thread_count() {
    let one = capacity_json(
        "examples/support-tickets.csv",
        "examples/staffing.yaml",
        &["--threads", "1"],
    );
    let three = capacity_json(
        "examples/support-tickets.csv",
        "examples/staffing.yaml",
        &["--threads", "3"],
    );
    assert_eq!(one, three);
}

#[test]
fn every_format_carries_the_capacity_section() {
    let run = |format: &str| {
        let out = handoff(&[
            "replay",
            "--policy",
            "policies/support.yaml",
            "--tickets",
            "examples/support-tickets.csv",
            "--staffing",
            "examples/staffing.yaml",
            "--format",
            format,
        ]);
        assert_eq!(out.status.code(), Some(0));
        String::from_utf8(out.stdout).unwrap()
    };
    assert!(run("table").contains("Capacity (Erlang C / simulated)"));
    assert!(run("markdown").contains("## Capacity (Erlang C / simulated)"));
    let csv = run("csv");
    assert!(
        csv.contains("capacity,all,tiers.L1.erlang_c.within_target,"),
        "{csv}"
    );
    assert!(csv.contains("capacity,all,tiers.L2.hours.9.agents,1"));
}

#[test]
fn bad_staffing_files_exit_2_and_say_where() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "L4: { agents: 4, handling_time: 12m }\n",
            ":1:1: `L4` is not a tier of the policy",
        ),
        (
            "L1: { agents: 4, handlng_time: 12m }\n",
            ":1:18: unknown field `handlng_time`",
        ),
        (
            "L1: { agents: four, handling_time: 12m }\n",
            ":1:7: wrong type: found string \"four\"",
        ),
        (
            "L1:\n  agents: { \"mon-fri 9-17\": 2 }\n  handling_time: 1h\n",
            ":2:13: `9-17` is not a time range",
        ),
        ("L1: { agents: 4, handling_time: 12m\n", "s.yaml:"),
    ];
    for (yaml, expected) in cases {
        let staffing = write(dir.path(), "s.yaml", yaml);
        let out = handoff(&[
            "replay",
            "--policy",
            "policies/support.yaml",
            "--tickets",
            "examples/support-tickets.csv",
            "--staffing",
            &staffing,
        ]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{yaml}: {stderr}");
        assert!(
            stderr.contains(&format!("{staffing}{expected}")) || stderr.contains(expected),
            "{yaml}: {stderr}"
        );
        assert!(out.stdout.is_empty(), "no report for a bad staffing file");
    }
    // A missing file, and a service level that is not a share.
    let out = handoff(&[
        "replay",
        "--policy",
        "policies/support.yaml",
        "--tickets",
        "examples/support-tickets.csv",
        "--staffing",
        "no-such-staffing.yaml",
    ]);
    assert_eq!(out.status.code(), Some(2));
    for level in ["80", "0", "1", "x"] {
        let out = handoff(&[
            "replay",
            "--policy",
            "policies/support.yaml",
            "--tickets",
            "examples/support-tickets.csv",
            "--staffing",
            "examples/staffing.yaml",
            "--service-level",
            level,
        ]);
        assert_eq!(out.status.code(), Some(2), "--service-level {level}");
    }
}

/// Containment and CSAT by route (issue 14), on five hand-made tickets.
#[test]
fn containment_and_csat_by_route() {
    let dir = tempfile::tempdir().unwrap();
    // Low confidence (below 0.8) goes to L1; the rest stays with the AI.
    let policy = "fixtures/bad/tickets/policy.yaml";
    // K1 kept, AI resolved: contained. K2 kept, reopened. E1 escalated by the policy, the AI
    // resolved it in history. E2 escalated, L1 resolved. U1 unresolved (CSAT only).
    let tickets = write(
        dir.path(),
        "t.csv",
        "id,confidence,resolved_at,resolved_tier,reopened,csat\n\
         K1,0.9,2026-03-02 10:00,ai,false,5\n\
         K2,0.9,2026-03-02 10:00,ai,true,2\n\
         E1,0.3,2026-03-02 10:00,ai,,\n\
         E2,0.3,2026-03-02 10:00,L1,,4.5\n\
         U1,0.3,,,,1\n",
    );
    let run = |tickets: &str| -> Value {
        let out = handoff(&[
            "replay",
            "--policy",
            policy,
            "--tickets",
            tickets,
            "--format",
            "json",
        ]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<Value>(&out.stdout).unwrap()["report"].clone()
    };
    let r = run(&tickets);
    let rate = |v: &Value| {
        (
            v["numerator"].as_u64().unwrap(),
            v["denominator"].as_u64().unwrap(),
        )
    };
    assert_eq!(rate(&r["containment_rate"]), (2, 4));
    assert_eq!(rate(&r["projected_containment_rate"]), (1, 4));
    let policy_side = &r["quality_by_route"]["policy"];
    assert_eq!(rate(&policy_side["ai"]["containment_rate"]), (1, 2));
    assert_eq!(
        policy_side["ai"]["csat"],
        serde_json::json!({"mean": 3.5, "n": 2})
    );
    assert_eq!(rate(&policy_side["L1"]["containment_rate"]), (1, 2));
    assert_eq!(
        policy_side["L1"]["csat"],
        serde_json::json!({"mean": 2.75, "n": 2})
    );
    let history = &r["quality_by_route"]["history"];
    assert_eq!(rate(&history["ai"]["containment_rate"]), (2, 3));
    assert_eq!(
        history["ai"]["csat"],
        serde_json::json!({"mean": 3.5, "n": 2})
    );
    assert_eq!(
        history["L1"]["csat"],
        serde_json::json!({"mean": 4.5, "n": 1})
    );
    assert!(history["L1"]["containment_rate"]["note"].is_string());
    // Without csat: CSAT is n/a, naming the column; --fail-if reads the rates.
    let no_csat = write(
        dir.path(),
        "n.csv",
        "id,confidence,resolved_at,resolved_tier\nK1,0.9,2026-03-02 10:00,ai\n",
    );
    let r = run(&no_csat);
    assert_eq!(
        r["quality_by_route"]["policy"]["ai"]["csat"],
        serde_json::json!({"value": null, "needs": ["csat"]})
    );
    let out = handoff(&[
        "replay",
        "--policy",
        policy,
        "--tickets",
        &tickets,
        "--fail-if",
        "projected_containment_rate < 0.5",
    ]);
    assert_eq!(out.status.code(), Some(1));
}
