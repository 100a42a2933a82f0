//! `handoff replay` on a hand-written fixture whose every figure was derived by hand.
//!
//! Policy `fixtures/replay/policy.yaml` — calendar Mon–Fri 09:00–17:00 UTC, holiday Tue
//! 2026-03-10; priorities urgent, high, normal, low (default normal); rules in order:
//!
//! | rule            | when                          | route | notes                        |
//! |-----------------|-------------------------------|-------|------------------------------|
//! | asks-for-human  | requested_human               | L1    | reactive, `continue: true`   |
//! | legal-threat    | keywords lawyer*, lawsuit, gdpr | L3  | priority urgent              |
//! | billing-dispute | category billing              | L2    |                              |
//! | low-confidence  | confidence below 0.60         | L1    |                              |
//! | angry-customer  | sentiment below -0.5          | L1    |                              |
//! | social-media    | channel twitter               | L1    | no ticket matches it         |
//! | default         |                               | ai    |                              |
//!
//! SLA targets (first response / resolution, business time):
//!
//! | tier | urgent   | high   | normal   | low      |
//! |------|----------|--------|----------|----------|
//! | L1   | 15m / 4h | 1h / 8h | 2h / 2bd | 1bd / 5bd |
//! | L2   | 15m / 4h | 1h / 8h | 4h / 3bd | 1bd / 5bd |
//! | L3   | 30m / 1bd | 2h / 2bd | 4h / 3bd | 1bd / 5bd |
//!
//! `escalate_after.no_first_response`: L1 {urgent 10m, high 30m, default 1h} → L2;
//! L2 {urgent 10m, high 30m, default 2h} → L3. Context required: transcript, customer_record.
//!
//! Tickets `fixtures/replay/tickets.csv` (43 records; the header is line 1). Days of March 2026:
//! Mon 02, Tue 03, Wed 04, Thu 05, Fri 06, Sat 07, Mon 09, Tue 10 (holiday), Wed 11, Thu 12,
//! Fri 13. Times UTC. "esc" = escalated_at, "reply" = first_human_response_at, "res" =
//! resolved_at, "tier" = resolved_tier, "re" = reassignments. Every escalated ticket carries
//! both context fields unless noted.
//!
//! | id  | line | decision (deciding rule; + other matches) | prio | created | esc | reply | res | tier | re | notes |
//! |-----|------|-----------------------------|------|-----------|-------|-----------|-----------|----|---|-------|
//! | A01 | 2  | ai (default)                 | normal | Mon02 09:00 | | | 09:10 | ai | 0 | |
//! | A02 | 3  | ai                           | low    | Mon02 10:00 | | | 10:20 | ai | 0 | text "gdprx": not a whole word |
//! | A03 | 4  | ai                           | normal | Tue03 11:00 | | | 11:30 | ai | 0 | "lawsuitcase": not a whole word |
//! | A04 | 5  | ai                           | normal | Tue03 14:00 | | | 14:05 | ai | 0 | confidence 0.60 is not below 0.60; "outlawyers" |
//! | A05 | 6  | ai                           | normal | Wed04 09:30 | | | 09:45 | ai | 0 | confidence empty: unknown, no match |
//! | A06 | 7  | ai                           | normal | Wed04 10:00 | | | 10:40 | ai | 0 | text, confidence, sentiment, requested_human empty; no context |
//! | —   | 8  | rejected: empty id           | | | | | | | | |
//! | A07 | 9  | ai                           | normal | Wed04 13:00 | 13:10 | 13:40 | 15:00 | L1 | 0 | missed escalation |
//! | A08 | 10 | ai                           | high   | Thu05 09:00 | 09:20 | 10:00 | 12:00 | –  | 1 | missed, resolving tier unknown |
//! | A09 | 11 | ai                           | normal | Thu05 15:00 | | | | | | unresolved |
//! | A10 | 12 | ai                           | normal | Fri06 10:00 | 10:30 | 11:00 | | | | unresolved although escalated |
//! | A11 | 13 | ai                           | low    | Mon09 09:00 | | | 09:50 | ai | 0 | |
//! | A12 | 14 | ai                           | normal | Mon09 12:00 | | | 12:30 | ai | 0 | sentiment -0.5 is not below -0.5; channel empty |
//! | L01 | 15 | L3 legal-threat              | urgent (ticket: low) | Mon02 09:30 | 09:40 | 10:00 | 15:00 | L3 | 0 | category billing, never tried |
//! | L02 | 16 | L3 legal-threat (+asks-for-human) | urgent | Mon02 11:00 | | 11:20 | 13:00 | L2 | 1 | |
//! | L03 | 17 | L3 legal-threat              | urgent (ticket: high) | Tue03 10:00 | | 11:00 | 16:00 | L3 | 0 | "GDPR"; phone |
//! | L04 | 18 | L3 legal-threat (+asks-for-human) | urgent | Wed04 09:00 | | 09:30 | 12:00 | L3 | 2 | "lawyers" via `lawyer*`; reply exactly when due |
//! | —   | 19 | rejected: confidence 180     | | | | | | | | |
//! | L05 | 20 | L3 legal-threat              | urgent | Thu05 10:00 | | | | | | unanswered, unresolved |
//! | L06 | 21 | L3 legal-threat              | urgent | Mon09 09:00 | 09:05 | 09:45 | 16:00 | L1 | 0 | no transcript; phone |
//! | L07 | 22 | L3 legal-threat              | urgent | Tue03 15:00 | | Tue03 14:50 | 16:30 | L3 | 0 | reply before creation |
//! | L08 | 23 | L3 legal-threat (+asks-for-human) | urgent | Tue10 10:00 | | Wed11 09:20 | Wed11 12:00 | L3 | 0 | opened on the holiday |
//! | H01 | 24 | L1 asks-for-human            | normal | Mon02 13:00 | | 13:30 | 14:00 | L1 | 0 | |
//! | H02 | 25 | L1 asks-for-human (+low-confidence) | high | Mon02 14:00 | | 14:25 | 16:00 | L2 | 1 | no customer_record |
//! | H03 | 26 | L1 asks-for-human            | normal | Tue03 09:00 | 09:00 | 12:30 | 15:00 | L2 | 1 | phone |
//! | H04 | 27 | L1 asks-for-human            | high   | Wed04 10:00 | 10:10 | 10:50 | 16:00 | L1 | 0 | |
//! | H05 | 28 | L1 asks-for-human (+angry-customer) | normal | Thu05 13:00 | 13:00 | 14:00 | 14:30 | L1 | 0 | reply exactly at the escalate_after deadline |
//! | H06 | 29 | L1 asks-for-human            | low    | Fri13 16:00 | 16:00 | | | | | the latest timestamp: as-of |
//! | B01 | 30 | L2 billing-dispute           | normal | Mon02 15:00 | | 15:30 | Tue03 10:00 | L2 | 0 | |
//! | B02 | 31 | L2 billing-dispute (+asks-for-human) | high | Tue03 13:00 | | 13:30 | 15:00 | L1 | 0 | category " Billing " |
//! | B03 | 32 | L2 billing-dispute           | normal | Wed04 11:00 | | | 11:10 | ai | 0 | not reopened; no customer_record |
//! | B04 | 33 | L2 billing-dispute           | normal | Thu05 10:00 | | 10:45 | 11:00 | ai | 0 | reopened; "BILLING" |
//! | B05 | 34 | L2 billing-dispute           | urgent | Fri06 16:55 | 16:55 | Mon09 09:30 | Mon09 11:00 | L2 | 0 | phone |
//! | —   | 35 | rejected: 4 fields           | | | | | | | | |
//! | C01 | 36 | L1 low-confidence            | normal | Mon02 16:00 | | 16:30 | 16:45 | L1 | 0 | confidence 0.59 |
//! | C02 | 37 | L1 low-confidence            | high   | Sat07 10:00 | | Mon09 09:30 | Mon09 11:00 | L1 | 0 | opened on Saturday |
//! | C03 | 38 | L1 low-confidence            | normal | Tue03 16:30 | | Wed04 09:15 | Wed04 10:00 | L2 | 1 | sentiment -0.9, angry-customer never tried |
//! | C04 | 39 | L1 low-confidence            | urgent | Mon09 10:00 | 10:00 | | | | | unanswered, unresolved |
//! | C05 | 40 | L1 low-confidence            | low    | Thu12 11:00 | | 11:30 | | | | unresolved |
//! | C06 | 41 | L1 low-confidence            | normal | Wed11 14:00 | | 14:10 | 15:00 | L1 | "two" | bad value; no context |
//! | D01 | 42 | L1 angry-customer            | normal | Mon02 10:30 | | 10:45 | 11:30 | L1 | 0 | |
//! | D02 | 43 | L1 angry-customer            | normal | Thu05 16:00 | | Fri06 09:30 | Fri06 14:00 | L1 | 0 | confidence empty |
//! | D03 | 44 | L1 angry-customer            | normal | Fri13 14:00 | | | | | | first response due exactly at as-of |
//!
//! Channels: phone = L03, L06, H03, B05; none = A12; email = A02, A05, A06, A08, A10, L01, L04,
//! L05, L08, H04, B01, B04, C01, C02, C05, D02; chat = the other 19.
//!
//! Percentiles are nearest-rank, the ⌈p·n⌉-th smallest, read from an HDR histogram with 3
//! significant digits (DESIGN §4): exact below 2048 s; from 2^(10+k) to 2^(11+k) s buckets are
//! 2^k s wide and the report gives the bucket's lowest value, e.g. 3601 → [3600, 3601] → 3600.
//!
//! Expected report files: `fixtures/replay/expected.{table.txt,csv}`; after an intended change,
//! rerun with `HANDOFF_BLESS=1` and review the diff.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use serde_json::{Value, json};

const POLICY: &str = "fixtures/replay/policy.yaml";
const TICKETS: &str = "fixtures/replay/tickets.csv";
const MAPPED: &str = "fixtures/replay/mapped.csv";
const MAP: &str = "fixtures/replay/map.toml";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn handoff_with_stdin(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_handoff"))
        .current_dir(root())
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run handoff");
    if let Some(bytes) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(bytes)
            .expect("write stdin");
    }
    child.wait_with_output().expect("wait for handoff")
}

fn handoff(args: &[&str]) -> Output {
    handoff_with_stdin(args, None)
}

/// `handoff replay --policy POLICY --tickets TICKETS <extra>`; must exit 0.
fn replay(extra: &[&str]) -> Output {
    let mut args = vec!["replay", "--policy", POLICY, "--tickets", TICKETS];
    args.extend_from_slice(extra);
    let out = handoff(&args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn parse(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).expect("JSON report")
}

/// The JSON report of the fixture, computed once for all tests.
fn report() -> &'static Value {
    static REPORT: OnceLock<Value> = OnceLock::new();
    REPORT.get_or_init(|| parse(&replay(&["--format", "json"])))
}

fn metrics() -> &'static Value {
    &report()["report"]
}

/// A rate: 4-decimal fraction, numerator, denominator, and the n < 30 flag.
#[track_caller]
fn assert_rate(v: &Value, numerator: u64, denominator: u64, value: f64) {
    assert_eq!(
        v,
        &json!({
            "value": value,
            "numerator": numerator,
            "denominator": denominator,
            "small_sample": denominator < 30,
        })
    );
}

/// A rate with nothing to divide: value null.
#[track_caller]
fn assert_empty_rate(v: &Value) {
    assert_eq!(
        v,
        &json!({ "value": null, "numerator": 0, "denominator": 0, "small_sample": true })
    );
}

#[track_caller]
fn assert_spread(v: &Value, n: u64, median: u64, p90: u64) {
    assert_eq!(
        v,
        &json!({ "n": n, "median_seconds": median, "p90_seconds": p90 })
    );
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Compare with a committed file, or rewrite it under `HANDOFF_BLESS=1`.
#[track_caller]
fn assert_expected_file(path: &str, actual: &[u8]) {
    let full = root().join(path);
    if std::env::var_os("HANDOFF_BLESS").is_some() {
        std::fs::write(&full, actual).expect("bless");
        return;
    }
    let expected = std::fs::read(&full)
        .unwrap_or_else(|_| panic!("{path} is missing: run with HANDOFF_BLESS=1"));
    assert_eq!(
        text(&expected),
        text(actual),
        "{path} differs; if the change is intended rerun with HANDOFF_BLESS=1 and review the diff"
    );
}

#[test]
fn input_counts_rejects_and_as_of() {
    let input = &report()["input"];
    // 43 data lines (2–44); 3 rejected (lines 8, 19, 35), so 40 decided.
    assert_eq!(input["records"], 43);
    assert_eq!(input["rejected"], 3);
    assert_eq!(input["decided"], 40);
    // Line 8 has an empty id (bad id); line 19 has confidence 180, which rule low-confidence
    // reads (so the row is rejected, not blanked); line 35 has 4 fields instead of 19.
    assert_eq!(
        input["rejected_examples"],
        json!([
            { "line": 8, "id": null, "reason": "id: empty" },
            { "line": 19, "id": "R-conf", "reason": "confidence: 180 is outside 0..1" },
            { "line": 35, "id": "R-ragged", "reason": "the record has 4 fields; the header has 19" },
        ])
    );
    // C06 has reassignments "two": no rule reads reassignments, so it counts as empty and is
    // tallied, and the ticket stays.
    assert_eq!(
        input["bad_values_counted_as_empty"],
        json!({ "reassignments": 1 })
    );
    // Timestamps are written without an offset and no mapping says otherwise.
    assert_eq!(
        input["notes"],
        json!(["111 timestamps without an offset were read as UTC"])
    );
    // Every column a rule reads is in the header.
    assert_eq!(input["rules_reading_missing_fields"], json!([]));
    // Default --as-of: the latest timestamp of the file, H06 created/escalated Fri13 16:00.
    assert_eq!(input["as_of"], "2026-03-13T16:00:00Z");
    assert_eq!(report()["policy"], "replay-fixture");
    assert!(report().get("by").is_none());
}

#[test]
fn escalation_rate_by_tier_rule_and_reason() {
    let m = metrics();
    assert_eq!(m["tickets"], 40);
    // Escalated: 8 L3 (L01–L08) + 5 L2 (B01–B05) + 15 L1 (H01–H06, C01–C06, D01–D03) = 28 of 40.
    assert_rate(&m["escalation_rate"], 28, 40, 0.7);
    // ai: A01–A12 = 12 → 0.3.
    assert_rate(&m["escalation_by_tier"]["ai"], 12, 40, 0.3);
    // L1: 6 asks-for-human + 6 low-confidence + 3 angry-customer = 15 → 0.375.
    assert_rate(&m["escalation_by_tier"]["L1"], 15, 40, 0.375);
    // L2: B01–B05 = 5 → 0.125.
    assert_rate(&m["escalation_by_tier"]["L2"], 5, 40, 0.125);
    // L3: L01–L08 = 8 → 0.2.
    assert_rate(&m["escalation_by_tier"]["L3"], 8, 40, 0.2);

    let by_rule = &m["escalation_by_rule"];
    // asks-for-human decides H01–H06 only: on L02, L04, L08 (legal, L3) and B02 (billing, L2)
    // a higher tier wins; on H02 and H05 the other match is also L1, and the earlier rule wins
    // the tie. 6/40 = 0.15.
    assert_rate(&by_rule["asks-for-human"], 6, 40, 0.15);
    // legal-threat: L01–L08 = 8/40 = 0.2.
    assert_rate(&by_rule["legal-threat"], 8, 40, 0.2);
    // billing-dispute: B01–B05 = 5/40 = 0.125 (L01's category billing is never tried: the
    // legal rule stops evaluation first).
    assert_rate(&by_rule["billing-dispute"], 5, 40, 0.125);
    // low-confidence: C01–C06 = 6/40 = 0.15.
    assert_rate(&by_rule["low-confidence"], 6, 40, 0.15);
    // angry-customer: D01–D03 = 3/40 = 0.075.
    assert_rate(&by_rule["angry-customer"], 3, 40, 0.075);
    // social-media: no ticket comes from twitter. 0/40.
    assert_rate(&by_rule["social-media"], 0, 40, 0.0);
    // (default): A01–A12 = 12/40 = 0.3.
    assert_rate(&by_rule["(default)"], 12, 40, 0.3);
    assert_eq!(by_rule.as_object().map(|o| o.len()), Some(7));

    let by_reason = &m["escalation_by_reason"];
    // Reactive: the deciding rule is asks-for-human: H01–H06 = 6/40 = 0.15.
    assert_rate(&by_reason["reactive"], 6, 40, 0.15);
    // Proactive: 8 legal + 5 billing + 6 low-confidence + 3 angry = 22/40 = 0.55 (L02, L04,
    // L08 and B02 asked for a human but a proactive rule supplied the tier).
    assert_rate(&by_reason["proactive"], 22, 40, 0.55);
    // Default: the default route is ai, which is no escalation. 0/40.
    assert_rate(&by_reason["default"], 0, 40, 0.0);
}

#[test]
fn agreement_with_history() {
    let m = metrics();
    let a = &m["agreement"];
    // Unresolved (neither resolved_at nor resolved_tier): A09, A10, L05, H06, C04, C05, D03 = 7,
    // excluded; 40 − 7 = 33 tickets with a known outcome.
    assert_eq!(a["unresolved_excluded"], 7);
    assert_eq!(a["tickets"], 33);
    // Escalated in history (escalated_at set or resolved_tier ≠ ai) among the 33: A07, A08;
    // every resolved H/C/D ticket (11, all resolved by L1 or L2); B01, B02, B05; the 7 resolved
    // L tickets. 2 + 11 + 3 + 7 = 23.
    assert_eq!(a["history_escalated"], 23);
    assert_eq!(a["confusion"]["policy"], json!(["ai", "L1", "L2", "L3"]));
    assert_eq!(
        a["confusion"]["history"],
        json!(["ai", "L1", "L2", "L3", "human (tier unknown)"])
    );
    let cell = |count: u64, examples: &[&str]| json!({ "count": count, "examples": examples });
    assert_eq!(
        a["confusion"]["cells"],
        json!([
            // Policy ai: resolved by ai A01–A06, A11, A12 (8; the 5 smallest ids);
            // A07 resolved by L1; A08 escalated with no resolving tier.
            [
                cell(8, &["A01", "A02", "A03", "A04", "A05"]),
                cell(1, &["A07"]),
                cell(0, &[]),
                cell(0, &[]),
                cell(1, &["A08"]),
            ],
            // Policy L1 (11 resolved): by L1 H01, H04, H05, C01, C02, C06, D01, D02 (8); by L2
            // H02, H03, C03 (3).
            [
                cell(0, &[]),
                cell(8, &["C01", "C02", "C06", "D01", "D02"]),
                cell(3, &["C03", "H02", "H03"]),
                cell(0, &[]),
                cell(0, &[]),
            ],
            // Policy L2: B03 and B04 resolved by ai, B02 by L1, B01 and B05 by L2.
            [
                cell(2, &["B03", "B04"]),
                cell(1, &["B02"]),
                cell(2, &["B01", "B05"]),
                cell(0, &[]),
                cell(0, &[]),
            ],
            // Policy L3 (7 resolved): L06 by L1, L02 by L2, L01, L03, L04, L07, L08 by L3.
            [
                cell(0, &[]),
                cell(1, &["L06"]),
                cell(1, &["L02"]),
                cell(5, &["L01", "L03", "L04", "L07", "L08"]),
                cell(0, &[]),
            ],
        ])
    );
    // Missed: policy ai ∧ history escalated = A07, A08 → 2/23 = 0.08696 → 0.087.
    assert_rate(&m["missed_escalation_rate"], 2, 23, 0.087);
    // Unneeded: policy escalates (23 resolved: 11 L1 + 5 L2 + 7 L3) ∧ AI resolved without a
    // reopen = B03 only (B04 was reopened) → 1/23 = 0.04348 → 0.0435.
    assert_rate(&m["unneeded_escalation_rate"], 1, 23, 0.0435);
}

#[test]
fn routing_fit_and_first_contact_resolution() {
    let m = metrics();
    // Policy-escalated tickets whose resolving tier is a human tier: the 11 resolved L1
    // tickets, B01, B02, B05, the 7 resolved L tickets = 21 (B03, B04 were resolved by ai).
    // Right tier: L1×L1 8 + L2×L2 2 (B01, B05) + L3×L3 5 = 15 → 15/21 = 0.71429 → 0.7143.
    assert_rate(&m["right_tier_rate"], 15, 21, 0.7143);
    // Under-routed (policy below the resolving tier): H02, H03, C03 (L1, resolved by L2) = 3
    // → 3/21 = 0.14286 → 0.1429.
    assert_rate(&m["under_routed_rate"], 3, 21, 0.1429);
    // Over-routed: B02 (L2, resolved by L1), L02 (L3 by L2), L06 (L3 by L1) = 3 → 0.1429.
    assert_rate(&m["over_routed_rate"], 3, 21, 0.1429);
    // Projected FCR = right + over = 18/21 = 0.85714 → 0.8571.
    assert_rate(&m["projected_fcr"], 18, 21, 0.8571);
    // Historical FCR: reassignments == 0 over the same 21, less C06 whose "two" counts as
    // empty = 20. Non-zero: H02 1, H03 1, C03 1, L02 1, L04 2 = 5, so 15/20 = 0.75.
    assert_rate(&m["historical_fcr"], 15, 20, 0.75);
}

#[test]
fn time_to_first_human_response() {
    let frt = &metrics()["first_response_time"];
    // Tickets with a reply (26), clock from escalated_at else created_at; L07's reply (14:50)
    // precedes its creation (15:00): excluded and counted. n = 25.
    assert_eq!(frt["negative_excluded"], 1);
    // Wall seconds, sorted:
    //   600 C06 | 900 D01 | 1200 L01 L02 | 1500 H02 |
    //   1800 A07 A10 L04 H01 B01 B02 C01 C05 (ranks 6–13) | 2400 A08 L06 H04 | 2700 B04 |
    //   3600 L03 H05 | 12600 H03 | 60300 C03 (Tue 16:30 → Wed 09:15) | 63000 D02 (Thu 16:00 →
    //   Fri 09:30) | 84000 L08 (Tue 10:00 → Wed 09:20) | 171000 C02 (Sat 10:00 → Mon 09:30) |
    //   232500 B05 (Fri 16:55 → Mon 09:30).
    // Median: rank ⌈0.5·25⌉ = 13 → 1800 (exact). p90: rank ⌈0.9·25⌉ = 23 → 84000, in the
    // 64-second bucket [83968, 84031], reported as its lowest value → 83968.
    assert_spread(&frt["wall"], 25, 1800, 83968);
    // Business seconds: the same except L08 1200 (Wed 09:00–09:20; Tue is the holiday),
    // C02 1800 (Mon 09:00–09:30), B05 2100 (Fri 16:55–17:00 + Mon 09:00–09:30), C03 2700
    // (30 + 15 min), D02 5400 (60 + 30 min). Sorted:
    //   600 | 900 | 1200 ×3 | 1500 | 1800 ×9 (ranks 7–15) | 2100 | 2400 ×3 | 2700 ×2 (B04,
    //   C03) | 3600 ×2 (L03, H05: ranks 22–23) | 5400 | 12600.
    // Median rank 13 → 1800; p90 rank 23 → 3600, bucket [3600, 3601] → 3600.
    assert_spread(&frt["business"], 25, 1800, 3600);
    // Clock started outside hours: L08 (holiday) and C02 (Saturday); B05 at Fri 16:55 and
    // H03 at Tue 09:00 are inside. 2/25 = 0.08.
    assert_rate(&metrics()["opened_outside_hours"], 2, 25, 0.08);
}

#[test]
fn resolution_time_escalated_and_not() {
    let res = &metrics()["resolution_time"];
    // Policy escalates, resolved (23: all escalated but L05, H06, C04, C05, D03), created →
    // resolved in wall seconds, sorted:
    //   600 B03 | 2700 C01 | 3600 H01 B04 C06 D01 | 5400 L07 H05 | 7200 L02 H02 B02 |
    //   10800 L04 (rank 12) | 19800 L01 | 21600 L03 H03 H04 | 25200 L06 | 63000 C03 |
    //   68400 B01 | 79200 D02 | 93600 L08 (rank 21) | 176400 C02 | 237900 B05.
    // Median rank ⌈11.5⌉ = 12 → 10800, 8-second bucket [10800, 10807] → 10800.
    // p90 rank ⌈20.7⌉ = 21 → 93600, 64-second bucket [93568, 93631] → 93568.
    assert_spread(&res["escalated"], 23, 10800, 93568);
    // Policy keeps with ai, resolved (10: A01–A08, A11, A12):
    //   300 A04 | 600 A01 | 900 A05 | 1200 A02 | 1800 A03 A12 (ranks 5–6) | 2400 A06 |
    //   3000 A11 | 7200 A07 (rank 9) | 10800 A08.
    // Median rank 5 → 1800; p90 rank 9 → 7200, 4-second bucket [7200, 7203] → 7200.
    assert_spread(&res["not_escalated"], 10, 1800, 7200);
    // No ticket is resolved before it was created.
    assert_eq!(res["negative_excluded"], 0);
}

#[test]
fn sla_attainment_pending_and_worst_breaches() {
    let m = metrics();
    // Per escalated ticket, clock from escalated_at else created_at, in business time:
    //   L1 urgent  C04: due 10:15 / 14:00 Mon09, unanswered and unresolved at as-of → both
    //              breached.
    //   L1 high    H02 (due 15:00, reply 14:25), H04 (esc 10:10, due 11:10, reply 10:50),
    //              C02 (Sat → due Mon 10:00, reply 09:30): 3/3 met; resolutions within 8h: 3/3.
    //   L1 normal  H01, H05, C01 (due Tue 10:00), C03 (due Wed 10:30), C06, D01, D02 (due
    //              Fri 10:00) met; H03 (due 11:00, reply 12:30) breached → 7/8; D03 (due Fri13
    //              16:00 = as-of, not before it) pending. Resolutions 8/8, D03 pending.
    //   L1 low     C05 replied within 1bd → 1/1; C05 (due Thu19) and H06 (due Fri20)
    //              unresolved, H06 unanswered (due Mon16): 3 pending, no resolution judged.
    //   L2 urgent  B05: due Mon 09:10 (5 min Fri, 10 min Mon), reply 09:30 → breached; resolved
    //              11:00 before Mon 12:55 → met.
    //   L2 high    B02: due 14:00, reply 13:30 → met; resolution met.
    //   L2 normal  B01 met (due Tue 11:00), B04 met (due 14:00), B03 never answered by a human
    //              but resolved by the AI at 11:10, before its due time (Wed 15:00): the clock
    //              stops at resolution → met: 3/3; resolutions 3/3 (B04 due Wed11, after the
    //              holiday).
    //   L3 urgent  met L01, L02, L04 (reply 09:30, exactly when due: in time), L08 (opened
    //              on the holiday: due Wed11 09:30, reply 09:20); breached L03 (due 10:30, reply 11:00), L05 (unanswered), L06 (due
    //              09:35, reply 09:45); L07 replied before the clock started: excluded and
    //              counted → 4/7. Resolution within 1bd for all but L05 → 7/8.
    let cell = |tier: &str,
                priority: &str,
                first: (u64, u64, Option<f64>),
                resolution: (u64, u64, Option<f64>),
                pending: u64,
                negative: u64| {
        let rate = |(n, d, v): (u64, u64, Option<f64>)| json!({ "value": v, "numerator": n, "denominator": d, "small_sample": d < 30 });
        json!({
            "tier": tier,
            "priority": priority,
            "first_response_met": rate(first),
            "resolution_met": rate(resolution),
            "pending": pending,
            "negative_excluded": negative,
        })
    };
    assert_eq!(
        m["sla_by_tier_priority"],
        json!([
            cell("L1", "urgent", (0, 1, Some(0.0)), (0, 1, Some(0.0)), 0, 0),
            cell("L1", "high", (3, 3, Some(1.0)), (3, 3, Some(1.0)), 0, 0),
            cell("L1", "normal", (7, 8, Some(0.875)), (8, 8, Some(1.0)), 2, 0),
            cell("L1", "low", (1, 1, Some(1.0)), (0, 0, None), 3, 0),
            cell("L2", "urgent", (0, 1, Some(0.0)), (1, 1, Some(1.0)), 0, 0),
            cell("L2", "high", (1, 1, Some(1.0)), (1, 1, Some(1.0)), 0, 0),
            cell("L2", "normal", (3, 3, Some(1.0)), (3, 3, Some(1.0)), 0, 0),
            // 4/7 = 0.57143 → 0.5714.
            cell(
                "L3",
                "urgent",
                (4, 7, Some(0.5714)),
                (7, 8, Some(0.875)),
                0,
                1
            ),
        ])
    );
    // First response met overall: 0 + 3 + 7 + 1 + 0 + 1 + 3 + 4 = 19 of 1 + 3 + 8 + 1 + 1 + 1
    // + 3 + 7 = 25 judged (28 escalated − 2 pending (H06, D03) − 1 negative (L07)) = 0.76.
    assert_rate(&m["sla_first_response_met"], 19, 25, 0.76);
    // Resolution met overall: 0 + 3 + 8 + 0 + 1 + 1 + 3 + 7 = 23 of 1 + 3 + 8 + 0 + 1 + 1 + 3
    // + 8 = 25 judged (28 − 3 pending: H06, C05, D03) = 0.92.
    assert_rate(&m["sla_resolution_met"], 23, 25, 0.92);
    // Every escalated ticket has a priority (default normal) and a start time.
    assert_eq!(m["sla_skipped"], 0);
    assert_eq!(m["sla_skipped_by_reason"], json!({}));
    // Overshoot in wall seconds past due; at as-of (Fri13 16:00) for unanswered clocks:
    //   L05 first response due Thu05 10:30 → 8 d 5 h 30 m = 711000
    //   L05 resolution due Fri06 10:00 (1bd) → 7 d 6 h = 626400
    //   C04 first response due Mon09 10:15 → 4 d 5 h 45 m = 366300
    //   C04 resolution due Mon09 14:00 → 4 d 2 h = 352800
    // then the late replies H03 5400, L03 1800, B05 1200, L06 600 (see the phone group in
    // `by_channel_groups_add_up_to_the_totals`). (B03, resolved by the AI before its
    // first-response due time, is met, not breached.) The 5 largest:
    // L05 and C04 were never answered (measured at as-of); H03 was answered late.
    let breach = |id: &str,
                  tier: &str,
                  priority: &str,
                  target: &str,
                  overshoot: i64,
                  unanswered: bool| json!({ "id": id, "tier": tier, "priority": priority, "target": target, "overshoot_seconds": overshoot, "unanswered": unanswered });
    assert_eq!(
        m["worst_breaches"],
        json!([
            breach("L05", "L3", "urgent", "first_response", 711_000, true),
            breach("L05", "L3", "urgent", "resolution", 626_400, true),
            breach("C04", "L1", "urgent", "first_response", 366_300, true),
            breach("C04", "L1", "urgent", "resolution", 352_800, true),
            breach("H03", "L1", "normal", "first_response", 5_400, false),
        ])
    );
}

#[test]
fn context_completeness() {
    let m = metrics();
    // Escalated 28; missing a field: L06 (transcript), H02 and B03 (customer_record), C06
    // (both) → 24 complete, 24/28 = 0.85714 → 0.8571. A06 lacks both but stays with the AI.
    assert_rate(&m["context_complete"], 24, 28, 0.8571);
    // customer_record: H02, B03, C06 = 3; transcript: L06, C06 = 2.
    assert_eq!(
        m["context_missing_by_field"],
        json!({ "customer_record": 3, "transcript": 2 })
    );
}

#[test]
fn rule_coverage_and_never_matched() {
    let m = metrics();
    // deciding = tickets whose tier the rule supplied; matched = tickets whose condition was
    // true when tried (a rule after a deciding non-continue rule is not tried).
    //   asks-for-human: decides H01–H06; also true on L02, L04, L08, B02 → 10.
    //   legal-threat: L01–L08, always deciding (L3 is the top tier) → 8.
    //   billing-dispute: B01–B05 → 5 (L01 stops at legal-threat before it).
    //   low-confidence: C01–C06 + H02 (tried after asks-for-human continues) → 7; B03
    //   (confidence 0.3) stops at billing-dispute before it.
    //   angry-customer: D01–D03 + H05 → 4; C03, L05, L07 are angry but stop earlier.
    //   social-media: no twitter ticket → 0.
    assert_eq!(
        m["rule_coverage"],
        json!([
            { "rule": "asks-for-human", "deciding": 6, "matched": 10 },
            { "rule": "legal-threat", "deciding": 8, "matched": 8 },
            { "rule": "billing-dispute", "deciding": 5, "matched": 5 },
            { "rule": "low-confidence", "deciding": 6, "matched": 7 },
            { "rule": "angry-customer", "deciding": 3, "matched": 4 },
            { "rule": "social-media", "deciding": 0, "matched": 0 },
        ])
    );
    assert_eq!(m["never_matched"], json!(["social-media"]));
    // social-media (channel twitter) is true for no ticket at all: never matched, not merely
    // never reached.
    assert_eq!(m["never_reached"], json!([]));
}

#[test]
fn time_based_escalation_hops() {
    // Candidates: escalated by the policy to a tier with escalate_after (L1, L2) and with
    // escalated_at: H03, H04, H05, H06, C04 (L1), B05 (L2) = 6. (L01, L06 go to L3; A07, A08,
    // A10 stay with the AI.) The clock starts at escalated_at:
    //   H03 normal: L1 1h → 10:00 < reply 12:30: hop L1→L2; L2 2h → 12:00 < 12:30: L2→L3.
    //   H04 high: L1 30m → 10:40 < reply 10:50: L1→L2; L2 30m → 11:10 ≥ 10:50: stop.
    //   H05 normal: L1 1h → 14:00 = reply 14:00: a reply at the deadline is in time, no hop.
    //   H06 low: L1 1h → Fri13 17:00, after as-of: no hop.
    //   C04 urgent, unanswered: L1 10m → 10:10, L2 10m → 10:20, both before as-of: two hops.
    //   B05 urgent: L2 10m → Mon 09:05 (5 min Fri + 5 min Mon) < reply 09:30: L2→L3.
    // Escalated on time: H03, H04, C04, B05 = 4/6 = 0.66667 → 0.6667.
    // Hops L1→L2: H03, H04, C04 = 3; L2→L3: H03, C04, B05 = 3.
    let tb = &metrics()["time_based_escalation"];
    assert_eq!(tb["tickets"], 6);
    assert_rate(&tb["escalated"], 4, 6, 0.6667);
    assert_eq!(
        tb["hops"],
        json!([
            { "from": "L1", "to": "L2", "count": 3 },
            { "from": "L2", "to": "L3", "count": 3 },
        ])
    );
}

#[test]
fn containment_and_csat_by_route() {
    // Known, resolved history: 40 decided less the 7 unresolved (A09, A10, L05, H06, C04, C05,
    // D03) = 33. Contained (not escalated, resolved by the AI, not reopened): A01–A06, A11,
    // A12 and B03 = 9 (B04 was reopened; A07, A08 were escalated in history). The policy keeps
    // all but B03 (L2, billing-dispute) with the AI: 8.
    let m = metrics();
    assert_rate(&m["containment_rate"], 9, 33, 0.2727);
    assert_rate(&m["projected_containment_rate"], 8, 33, 0.2424);
    let policy = &m["quality_by_route"]["policy"];
    // Kept by the policy and resolved: A01–A08, A11, A12 = 10, of which A07, A08 escalated.
    assert_rate(&policy["ai"]["containment_rate"], 8, 10, 0.8);
    assert_rate(&policy["L2"]["containment_rate"], 1, 5, 0.2);
    assert_rate(&policy["L1"]["containment_rate"], 0, 11, 0.0);
    assert_rate(&policy["L3"]["containment_rate"], 0, 7, 0.0);
    // CSAT means of the rows' own scores per decided route (2 decimals).
    let csat = |route: &str| policy[route]["csat"].clone();
    assert_eq!(csat("ai"), json!({ "mean": 3.88, "n": 8 }));
    assert_eq!(csat("L1"), json!({ "mean": 2.82, "n": 11 }));
    assert_eq!(csat("L2"), json!({ "mean": 3.6, "n": 5 }));
    assert_eq!(csat("L3"), json!({ "mean": 2.43, "n": 7 }));
    let history = &m["quality_by_route"]["history"];
    // History's AI route: A01–A06, A11, A12, B03 and the reopened B04 = 10.
    assert_rate(&history["ai"]["containment_rate"], 9, 10, 0.9);
    assert_eq!(history["human (tier unknown)"]["tickets"], 1);
    assert!(history["L1"]["containment_rate"]["note"].is_string());
}

#[test]
fn every_metric_of_the_report_is_asserted() {
    // A metric added to the report must get a hand-derived assertion above.
    let keys: Vec<&str> = metrics()
        .as_object()
        .expect("metrics")
        .keys()
        .map(String::as_str)
        .collect();
    let mut expected = vec![
        "tickets",
        "escalation_rate",
        "escalation_by_tier",
        "escalation_by_rule",
        "escalation_by_reason",
        "missed_escalation_rate",
        "unneeded_escalation_rate",
        "agreement",
        "right_tier_rate",
        "under_routed_rate",
        "over_routed_rate",
        "projected_fcr",
        "historical_fcr",
        "first_response_time",
        "opened_outside_hours",
        "resolution_time",
        "sla_first_response_met",
        "sla_resolution_met",
        "sla_by_tier_priority",
        "sla_skipped",
        "sla_skipped_by_reason",
        "worst_breaches",
        "context_complete",
        "context_missing_by_field",
        "rule_coverage",
        "never_matched",
        "never_reached",
        "time_based_escalation",
        // Asserted by hand in tests/html.rs (`load_counts_hours_of_the_week_in_the_policy_zone`).
        "load",
        "containment_rate",
        "projected_containment_rate",
        "quality_by_route",
    ];
    expected.sort_unstable();
    let mut keys = keys;
    keys.sort_unstable();
    assert_eq!(keys, expected);
    let input: Vec<&String> = report()["input"]
        .as_object()
        .expect("input")
        .keys()
        .collect();
    assert_eq!(
        input,
        [
            "as_of",
            "bad_values_counted_as_empty",
            "decided",
            "notes",
            "records",
            "rejected",
            "rejected_examples",
            "rules_reading_missing_fields"
        ]
    );
}

#[test]
fn table_and_csv_reports_match_the_expected_files() {
    let table = replay(&["--format", "table"]);
    assert_expected_file("fixtures/replay/expected.table.txt", &table.stdout);
    let csv = replay(&["--format", "csv"]);
    assert_expected_file("fixtures/replay/expected.csv", &csv.stdout);
    // The CSV is the JSON flattened: spot-check a few rows against the figures above.
    let csv = text(&csv.stdout);
    for row in [
        "section,group,metric,value",
        "escalation_rate,all,numerator,28",
        "missed_escalation_rate,all,value,0.087",
        "first_response_time,all,wall.p90_seconds,83968",
        "never_matched,all,0,social-media",
        "sla_by_tier_priority,all,7.first_response_met.numerator,4",
        "rejected_examples,all,2.line,35",
    ] {
        assert!(csv.lines().any(|l| l == row), "no CSV row `{row}`");
    }
}

/// Rows of a CSV file as `Vec<String>` per record (header included).
fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(path)
        .expect("open CSV");
    reader
        .records()
        .map(|r| r.expect("CSV record").iter().map(String::from).collect())
        .collect()
}

fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

#[test]
fn decisions_file_per_ticket() {
    let dir = temp_dir();
    let decisions = dir.path().join("decisions.csv");
    let out = replay(&["--format", "json", "--decisions", path_str(&decisions)]);
    // Writing decisions does not change the report.
    assert_eq!(&parse(&out), report());
    let rows = csv_rows(&decisions);
    assert_eq!(
        rows[0],
        [
            "id",
            "line",
            "decision",
            "rule",
            "matched_rules",
            "reason_kind",
            "owner",
            "priority",
            "first_response_due",
            "resolution_due",
            "historical_outcome",
            "agreement",
            "missing_context",
            "created_at"
        ]
    );
    // One row per decided ticket, in file order.
    assert_eq!(rows.len(), 1 + 40);
    let row = |id: &str| -> Vec<&str> {
        rows.iter()
            .find(|r| r[0] == id)
            .unwrap_or_else(|| panic!("no decision for {id}"))
            .iter()
            .map(String::as_str)
            .collect()
    };
    // B05: Fri06 16:55 + 15m → 5 min on Friday, 10 on Monday: due Mon09 09:10; + 4h → Mon
    // 12:55. Resolved by L2: agree.
    assert_eq!(
        row("B05"),
        [
            "B05",
            "34",
            "L2",
            "billing-dispute",
            "billing-dispute",
            "proactive",
            "specialists",
            "urgent",
            "2026-03-09T09:10:00Z",
            "2026-03-09T12:55:00Z",
            "L2",
            "agree",
            "",
            "2026-03-06T16:55:00Z"
        ]
    );
    // L02: asks-for-human (continue) then legal-threat: L3 wins, its priority urgent replaces
    // the ticket's normal; 11:00 + 30m; + 1bd → Tue 11:00. Resolved by L2: over-routed.
    assert_eq!(
        row("L02"),
        [
            "L02",
            "16",
            "L3",
            "legal-threat",
            "asks-for-human;legal-threat",
            "proactive",
            "legal",
            "urgent",
            "2026-03-02T11:30:00Z",
            "2026-03-03T11:00:00Z",
            "L2",
            "over_routed",
            "",
            "2026-03-02T11:00:00Z"
        ]
    );
    // L08: opened on the holiday (Tue10): the clock starts Wed11 09:00: + 30m, + 1bd → Thu12.
    assert_eq!(
        row("L08")[7..10],
        ["urgent", "2026-03-11T09:30:00Z", "2026-03-12T09:00:00Z"]
    );
    // L06: escalated Mon09 09:05: + 30m = 09:35; + 1bd skips the holiday → Wed11 09:05.
    assert_eq!(
        row("L06")[8..],
        [
            "2026-03-09T09:35:00Z",
            "2026-03-11T09:05:00Z",
            "L1",
            "over_routed",
            "transcript",
            "2026-03-09T09:00:00Z"
        ]
    );
    // H02: both L1 rules match; the earlier, reactive one decides. Mon 14:00 + 1h; + 8h = 3h
    // Monday + 5h Tuesday. Resolved by L2: under-routed. Lacks customer_record.
    assert_eq!(
        row("H02"),
        [
            "H02",
            "25",
            "L1",
            "asks-for-human",
            "asks-for-human;low-confidence",
            "reactive",
            "frontline",
            "high",
            "2026-03-02T15:00:00Z",
            "2026-03-03T14:00:00Z",
            "L2",
            "under_routed",
            "customer_record",
            "2026-03-02T14:00:00Z"
        ]
    );
    // C06: Wed11 14:00 + 2h; + 2bd → Fri13 14:00. Lacks both context fields.
    assert_eq!(
        row("C06")[7..],
        [
            "normal",
            "2026-03-11T16:00:00Z",
            "2026-03-13T14:00:00Z",
            "L1",
            "agree",
            "transcript;customer_record",
            "2026-03-11T14:00:00Z"
        ]
    );
    // A07: stays with the AI (no owner, no due times); history resolved by L1: missed.
    assert_eq!(
        row("A07"),
        [
            "A07",
            "9",
            "ai",
            "(default)",
            "",
            "default",
            "",
            "normal",
            "",
            "",
            "L1",
            "missed_escalation",
            "",
            "2026-03-04T13:00:00Z"
        ]
    );
    // A10 was escalated in history but never resolved: excluded from agreement, as in the
    // report. B03: AI resolved, not reopened: unneeded. B04: reopened: agree.
    assert_eq!(row("A10")[10..13], ["human", "unresolved", ""]);
    assert_eq!(
        row("B03")[10..13],
        ["ai", "unneeded_escalation", "customer_record"]
    );
    assert_eq!(row("B04")[10..13], ["ai", "agree", ""]);
    // The agreement column tallies to the report: 7 unresolved, 2 missed, 1 unneeded, 3 under-
    // and 3 over-routed; the rest (33 − 9 = 24) agree.
    let count = |verdict: &str| rows[1..].iter().filter(|r| r[11] == verdict).count();
    assert_eq!(count("unresolved"), 7);
    assert_eq!(count("missed_escalation"), 2);
    assert_eq!(count("unneeded_escalation"), 1);
    assert_eq!(count("under_routed"), 3);
    assert_eq!(count("over_routed"), 3);
    assert_eq!(count("agree"), 24);
}

#[test]
fn rejects_file_copies_each_rejected_record() {
    let dir = temp_dir();
    let rejects = dir.path().join("rejects.csv");
    replay(&["--format", "json", "--rejects", path_str(&rejects)]);
    let written = std::fs::read_to_string(&rejects).expect("rejects file");
    let header = std::fs::read_to_string(root().join(TICKETS))
        .expect("tickets")
        .lines()
        .next()
        .expect("header")
        .to_string();
    // The header with _line and _reason in front, then lines 8, 19 and 35 as they were read
    // (the ragged one keeps its 4 fields).
    assert_eq!(
        written,
        format!(
            "_line,_reason,{header}\n\
             8,id: empty,,2026-03-04 12:00,Hello there,0.9,0.1,free,chat,howto,normal,false,,,2026-03-04 12:10,ai,0,false,5,conv,crm\n\
             19,confidence: 180 is outside 0..1,R-conf,2026-03-04 10:00,Please help,180,0,free,chat,howto,normal,false,,,,,,,,conv,crm\n\
             35,the record has 4 fields; the header has 19,R-ragged,2026-03-05 11:00,A short row,0.9\n"
        )
    );
}

#[test]
fn strict_stops_at_the_first_bad_line() {
    let out = handoff(&[
        "replay",
        "--policy",
        POLICY,
        "--tickets",
        TICKETS,
        "--strict",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("line 8: id: empty (stopped by --strict)"),
        "stderr: {stderr}"
    );
}

#[test]
fn check_ids_rejects_a_duplicate() {
    let dir = temp_dir();
    let tickets = dir.path().join("tickets.csv");
    let mut data = std::fs::read_to_string(root().join(TICKETS)).expect("tickets");
    // Line 45: a second A01.
    data.push_str(
        "A01,2026-03-02 09:00,Same id again,0.9,0,free,chat,howto,normal,false,,,,,,,,c,c\n",
    );
    std::fs::write(&tickets, data).expect("write");
    let out = handoff(&[
        "replay",
        "--policy",
        POLICY,
        "--tickets",
        path_str(&tickets),
        "--check-ids",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let input = &parse(&out)["input"];
    // 44 records, the 3 bad ones plus the duplicate rejected.
    assert_eq!(input["records"], 44);
    assert_eq!(input["rejected"], 4);
    assert_eq!(
        input["rejected_examples"][3],
        json!({ "line": 45, "id": "A01", "reason": "duplicate id (first on line 2)" })
    );
    // The duplicate never reached the metrics.
    assert_eq!(parse(&out)["report"], *metrics());
    // Without --check-ids the same file decides it as a 41st ticket.
    let out = handoff(&[
        "replay",
        "--policy",
        POLICY,
        "--tickets",
        path_str(&tickets),
        "--format",
        "json",
    ]);
    assert_eq!(parse(&out)["report"]["tickets"], 41);
}

#[test]
fn fail_if_exit_codes() {
    // escalation_rate is 0.7 (28/40) > 0.1: exit 1, with the report still printed.
    let out = handoff(&[
        "replay",
        "--policy",
        POLICY,
        "--tickets",
        TICKETS,
        "--format",
        "json",
        "--fail-if",
        "escalation_rate > 0.1",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(&parse(&out), report());
    assert!(text(&out.stderr).contains("fail-if met: escalation_rate = 0.7 > 0.1"));
    // missed_escalation_rate is 0.087 (2/23), not > 0.5: exit 0.
    let out = handoff(&[
        "replay",
        "--policy",
        POLICY,
        "--tickets",
        TICKETS,
        "--format",
        "json",
        "--fail-if",
        "missed_escalation_rate > 0.5",
    ]);
    assert_eq!(out.status.code(), Some(0));
    // A dotted path reaches nested rates: escalation_by_tier.L3 = 0.2 >= 0.2.
    let out = handoff(&[
        "replay",
        "--policy",
        POLICY,
        "--tickets",
        TICKETS,
        "--format",
        "json",
        "--fail-if",
        "escalation_by_tier.L3 >= 0.2",
    ]);
    assert_eq!(out.status.code(), Some(1));
    // The mapped export has no reassignments column: historical_fcr is n/a, which cannot be
    // compared: exit 2, naming what it needs.
    let out = handoff(&[
        "replay",
        "--policy",
        POLICY,
        "--tickets",
        MAPPED,
        "--map",
        MAP,
        "--format",
        "json",
        "--fail-if",
        "historical_fcr < 0.5",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("`historical_fcr`: the metric is n/a for this data")
            && stderr.contains("reassignments"),
        "stderr: {stderr}"
    );
}

#[test]
fn by_channel_groups_add_up_to_the_totals() {
    let out = parse(&replay(&["--format", "json", "--by", "channel"]));
    // The overall report is the same with or without --by.
    assert_eq!(&out["report"], metrics());
    assert_eq!(out["by"]["dimension"], "channel");
    let groups = out["by"]["groups"].as_object().expect("groups");
    // A12 has no channel: "(none)".
    let names: Vec<&String> = groups.keys().collect();
    assert_eq!(names, ["(none)", "chat", "email", "phone"]);
    // Every count splits across the groups: tickets 1 + 19 + 16 + 4 = 40, and so on.
    let counts = [
        "/tickets",
        "/escalation_rate/numerator",
        "/escalation_by_tier/ai/numerator",
        "/escalation_by_tier/L1/numerator",
        "/escalation_by_tier/L2/numerator",
        "/escalation_by_tier/L3/numerator",
        "/escalation_by_rule/asks-for-human/numerator",
        "/escalation_by_rule/(default)/numerator",
        "/escalation_by_reason/reactive/numerator",
        "/escalation_by_reason/proactive/numerator",
        "/agreement/tickets",
        "/agreement/unresolved_excluded",
        "/agreement/history_escalated",
        "/missed_escalation_rate/numerator",
        "/unneeded_escalation_rate/numerator",
        "/unneeded_escalation_rate/denominator",
        "/right_tier_rate/numerator",
        "/right_tier_rate/denominator",
        "/under_routed_rate/numerator",
        "/over_routed_rate/numerator",
        "/historical_fcr/numerator",
        "/historical_fcr/denominator",
        "/first_response_time/wall/n",
        "/first_response_time/negative_excluded",
        "/opened_outside_hours/numerator",
        "/resolution_time/escalated/n",
        "/resolution_time/not_escalated/n",
        "/sla_first_response_met/numerator",
        "/sla_first_response_met/denominator",
        "/sla_resolution_met/numerator",
        "/sla_resolution_met/denominator",
        "/context_complete/numerator",
        "/context_complete/denominator",
        "/context_missing_by_field/transcript",
        "/context_missing_by_field/customer_record",
        "/time_based_escalation/tickets",
        "/time_based_escalation/escalated/numerator",
        "/rule_coverage/0/matched",
        "/rule_coverage/3/matched",
        "/rule_coverage/4/matched",
    ];
    for pointer in counts {
        let total = metrics()
            .pointer(pointer)
            .and_then(Value::as_u64)
            .unwrap_or(0);
        let sum: u64 = groups
            .values()
            .map(|g| g.pointer(pointer).and_then(Value::as_u64).unwrap_or(0))
            .sum();
        assert_eq!(
            sum, total,
            "{pointer}: groups add up to {sum}, total is {total}"
        );
    }
    // The confusion matrix splits cell by cell.
    for row in 0..4 {
        for col in 0..5 {
            let pointer = format!("/agreement/confusion/cells/{row}/{col}/count");
            let sum: u64 = groups
                .values()
                .map(|g| g.pointer(&pointer).and_then(Value::as_u64).unwrap_or(0))
                .sum();
            assert_eq!(
                Some(sum),
                metrics().pointer(&pointer).and_then(Value::as_u64)
            );
        }
    }
    assert_eq!(groups["chat"]["tickets"], 19);
    assert_eq!(groups["email"]["tickets"], 16);
    // Phone: L03, L06, H03, B05, all escalated, all replied late, none unanswered, so its
    // worst breaches are the late replies (reply − due): H03 12:30 − 11:00 = 5400; L03 11:00 −
    // 10:30 = 1800; B05 Mon 09:30 − 09:10 = 1200; L06 09:45 − 09:35 = 600.
    let phone = &groups["phone"];
    assert_rate(&phone["escalation_rate"], 4, 4, 1.0);
    assert_rate(&phone["sla_first_response_met"], 0, 4, 0.0);
    assert_eq!(
        phone["worst_breaches"],
        json!([
            { "id": "H03", "tier": "L1", "priority": "normal", "target": "first_response", "overshoot_seconds": 5400, "unanswered": false },
            { "id": "L03", "tier": "L3", "priority": "urgent", "target": "first_response", "overshoot_seconds": 1800, "unanswered": false },
            { "id": "B05", "tier": "L2", "priority": "urgent", "target": "first_response", "overshoot_seconds": 1200, "unanswered": false },
            { "id": "L06", "tier": "L3", "priority": "urgent", "target": "first_response", "overshoot_seconds": 600, "unanswered": false },
        ])
    );
    // (none): A12 alone, kept with the AI and resolved by it; no reply, so no response time.
    let none = &groups["(none)"];
    assert_rate(&none["escalation_rate"], 0, 1, 0.0);
    assert_eq!(
        none["first_response_time"]["wall"],
        json!({ "n": 0, "median_seconds": null, "p90_seconds": null })
    );
}

#[test]
fn stdin_gzip_and_repeated_runs_give_identical_reports() {
    let file = replay(&["--format", "json"]).stdout;
    // Two runs: byte-identical (also in the other formats).
    assert_eq!(replay(&["--format", "json"]).stdout, file);
    assert_eq!(
        replay(&["--format", "csv"]).stdout,
        replay(&["--format", "csv"]).stdout
    );
    assert_eq!(
        replay(&["--format", "table"]).stdout,
        replay(&["--format", "table"]).stdout
    );
    // The same bytes on stdin.
    let bytes = std::fs::read(root().join(TICKETS)).expect("tickets");
    let out = handoff_with_stdin(
        &[
            "replay",
            "--policy",
            POLICY,
            "--tickets",
            "-",
            "--format",
            "json",
        ],
        Some(&bytes),
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), text(&file));
    // A gzip copy.
    let dir = temp_dir();
    let gz = dir.path().join("tickets.csv.gz");
    let mut encoder = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).expect("create"),
        flate2::Compression::default(),
    );
    encoder.write_all(&bytes).expect("compress");
    encoder.finish().expect("finish gzip");
    let out = handoff(&[
        "replay",
        "--policy",
        POLICY,
        "--tickets",
        path_str(&gz),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), text(&file));
}

#[test]
fn an_output_that_is_an_input_is_refused() {
    let dir = temp_dir();
    let tickets: PathBuf = dir.path().join("tickets.csv");
    std::fs::copy(root().join(TICKETS), &tickets).expect("copy");
    let before = std::fs::read(&tickets).expect("read");
    for (flag, target) in [
        ("--decisions", path_str(&tickets)),
        ("--rejects", path_str(&tickets)),
        ("--decisions", POLICY),
        ("--rejects", MAP),
    ] {
        let out = handoff(&[
            "replay",
            "--policy",
            POLICY,
            "--tickets",
            path_str(&tickets),
            "--map",
            MAP,
            flag,
            target,
        ]);
        assert_eq!(out.status.code(), Some(2), "{flag} {target}");
        assert!(
            text(&out.stderr).contains("it is an input of this command"),
            "{flag} {target}: {}",
            text(&out.stderr)
        );
    }
    assert_eq!(std::fs::read(&tickets).expect("read"), before);
    // Also when spelled differently.
    let out = handoff(&[
        "replay",
        "--policy",
        POLICY,
        "--tickets",
        TICKETS,
        "--decisions",
        "./fixtures/../fixtures/replay/tickets.csv",
    ]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_mapped_export_is_read_through_the_mapping() {
    // mapped.csv: renamed columns, subject and body, confidence in percent, sentiment labels,
    // priorities P1–P4 (and "p1"), "Tier 1"-style resolving tiers, day-first timestamps in
    // Europe/Berlin (CET in March: UTC+1), no reassignments column.
    let dir = temp_dir();
    let decisions = dir.path().join("decisions.csv");
    let out = handoff(&[
        "replay",
        "--policy",
        POLICY,
        "--tickets",
        MAPPED,
        "--map",
        MAP,
        "--format",
        "json",
        "--decisions",
        path_str(&decisions),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report = parse(&out);
    let rows = csv_rows(&decisions);
    let rows: Vec<Vec<&str>> = rows[1..]
        .iter()
        .map(|r| r.iter().map(String::as_str).collect())
        .collect();
    assert_eq!(
        rows,
        [
            // "lawyer" is in the body (second text column); P4 becomes urgent. 10:30 CET =
            // 09:30Z + 30m; + 1bd.
            vec![
                "M1",
                "2",
                "L3",
                "legal-threat",
                "legal-threat",
                "proactive",
                "legal",
                "urgent",
                "2026-03-02T10:00:00Z",
                "2026-03-03T09:30:00Z",
                "L3",
                "agree",
                "",
                "2026-03-02T09:30:00Z"
            ],
            // "55" % = 0.55 < 0.60; P2 = high; escalated 10:00Z + 1h; + 8h = 7h Tue + 1h Wed.
            vec![
                "M2",
                "3",
                "L1",
                "low-confidence",
                "low-confidence",
                "proactive",
                "frontline",
                "high",
                "2026-03-03T11:00:00Z",
                "2026-03-04T10:00:00Z",
                "L2",
                "under_routed",
                "",
                "2026-03-03T10:00:00Z"
            ],
            // "Negative" = -0.8 < -0.5; P3 = normal; 09:00Z + 2h; + 2bd.
            vec![
                "M3",
                "4",
                "L1",
                "angry-customer",
                "angry-customer",
                "proactive",
                "frontline",
                "normal",
                "2026-03-04T11:00:00Z",
                "2026-03-06T09:00:00Z",
                "L1",
                "agree",
                "customer_record",
                "2026-03-04T09:00:00Z"
            ],
            // "Yes"; "p1" = urgent; opened 08:30Z, before hours: 09:00 + 15m; + 4h. "tier 1".
            vec![
                "M4",
                "5",
                "L1",
                "asks-for-human",
                "asks-for-human",
                "reactive",
                "frontline",
                "urgent",
                "2026-03-05T09:15:00Z",
                "2026-03-05T13:00:00Z",
                "L1",
                "agree",
                "",
                "2026-03-05T08:30:00Z"
            ],
            // "Bot" = ai.
            vec![
                "M5",
                "6",
                "ai",
                "(default)",
                "",
                "default",
                "",
                "normal",
                "",
                "",
                "ai",
                "agree",
                "",
                "2026-03-06T11:00:00Z"
            ],
            // Billing; 14:00Z + 4h = 3h Mon + 1h Wed (Tue is the holiday); + 3bd = Wed, Thu,
            // Fri. Unresolved.
            vec![
                "M6",
                "7",
                "L2",
                "billing-dispute",
                "billing-dispute",
                "proactive",
                "specialists",
                "normal",
                "2026-03-11T10:00:00Z",
                "2026-03-13T14:00:00Z",
                "",
                "unresolved",
                "",
                "2026-03-09T14:00:00Z"
            ],
        ]
    );
    // The zone is declared, so there is no UTC note; as-of is M6's 15:00 CET = 14:00Z.
    assert_eq!(report["input"]["notes"], json!([]));
    assert_eq!(report["input"]["as_of"], "2026-03-09T14:00:00Z");
    let m = &report["report"];
    // M1–M4 and M6 escalate: 5/6 = 0.8333.
    assert_rate(&m["escalation_rate"], 5, 6, 0.8333);
    // No reassignments column: n/a, naming it.
    assert_eq!(
        m["historical_fcr"],
        json!({ "value": null, "needs": ["reassignments"] })
    );
    // Resolving tier known for M1–M4: right M1, M3, M4; under M2 → 3/4.
    assert_rate(&m["right_tier_rate"], 3, 4, 0.75);
    // Replies: M1 1200 s, M2 2700 (from escalation), M3 1800, M4 3000 wall (08:30 → 09:20) but
    // 1200 business. Wall sorted 1200, 1800, 2700, 3000: median rank 2 → 1800, p90 rank 4 →
    // 3000 (bucket [3000, 3001], lowest value). Business 1200, 1200, 1800, 2700: 1200 and
    // 2700.
    assert_spread(&m["first_response_time"]["wall"], 4, 1800, 3000);
    assert_spread(&m["first_response_time"]["business"], 4, 1200, 2700);
    // M4 opened before 09:00.
    assert_rate(&m["opened_outside_hours"], 1, 4, 0.25);
    // First response: M4 late by 5 min; M6 pending → 3/4.
    assert_rate(&m["sla_first_response_met"], 3, 4, 0.75);
    // M2 is the only candidate: L1 30m → 10:30Z < reply 10:45Z, one hop; L2 30m → 11:00Z ≥
    // reply: stop.
    assert_rate(&m["time_based_escalation"]["escalated"], 1, 1, 1.0);
    // M6's resolution is not due yet at as-of: nothing judged in L2 × normal.
    let l2_normal = &m["sla_by_tier_priority"][3];
    assert_eq!(
        (&l2_normal["tier"], &l2_normal["priority"]),
        (&json!("L2"), &json!("normal"))
    );
    assert_empty_rate(&l2_normal["resolution_met"]);
    assert_eq!(l2_normal["pending"], 2);
}

/// A fraction of a second is dropped when a ticket's timestamp is read, so clocks, dues and
/// durations run in whole seconds, as in the compiled SQL (`fixtures/fractions/`, policy of
/// `fixtures/by/`: L1 answers within 1 business hour, Mon–Fri 09:00–17:00 Europe/Berlin, UTC+1).
/// Before, F1 and F2 were breached by less than a second (F1 due 09:15:00.7, answered
/// 09:15:00.9; F2's clock started at 09:00:00 sharp outside hours, answered 09:00:00.2), F1's
/// and F3's dues kept the fraction and F2's did not.
#[test]
fn a_fraction_of_a_second_is_dropped_from_every_timestamp() {
    let tickets = "fixtures/fractions/tickets.csv";
    let args = [
        "replay",
        "--policy",
        "fixtures/by/policy.yaml",
        "--tickets",
        tickets,
    ];
    let decisions = handoff(&[&args[..], &["--decisions", "-", "-o", "/dev/null"]].concat());
    assert_eq!(
        decisions.status.code(),
        Some(0),
        "{}",
        text(&decisions.stderr)
    );
    let dues: Vec<String> = text(&decisions.stdout)
        .lines()
        .skip(1)
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            format!("{} {} {} {}", cells[0], cells[13], cells[8], cells[9])
        })
        .collect();
    assert_eq!(
        dues,
        [
            // id, created_at, first response due, resolution due (1 business day)
            "F1 2026-03-02T08:15:00Z 2026-03-02T09:15:00Z 2026-03-03T08:15:00Z",
            "F2 2026-03-02T06:00:00Z 2026-03-02T09:00:00Z 2026-03-03T08:00:00Z",
            "F3 2026-03-02T09:30:00Z 2026-03-02T10:30:00Z 2026-03-03T09:30:00Z",
            "F4 2026-03-02T09:00:00Z 2026-03-02T10:00:00Z 2026-03-03T09:00:00Z",
        ]
    );
    let out = handoff(&[&args[..], &["--format", "json"]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let m = &parse(&out)["report"];
    // Answered at the due second: F1, F2, F3 met; F4 answered 30 s late.
    assert_rate(&m["sla_first_response_met"], 3, 4, 0.75);
    // Wall time to the first reply: 3600, 10800, 3600, 3630 s (sorted 3600, 3600, 3630,
    // 10800: median rank 2, p90 rank 4).
    assert_spread(&m["first_response_time"]["wall"], 4, 3600, 10800);
}
