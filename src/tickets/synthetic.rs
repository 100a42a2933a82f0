//! `handoff gen`: deterministic synthetic tickets with every canonical column, for demos,
//! tests and benchmarks. The same `--seed` gives the same bytes on every machine (ChaCha8).
//!
//! The data is shaped like a support queue: subject and body text of realistic length with
//! trigger words at realistic rates (cancel ~8 %, refund ~10 %, legal ~0.5 %), timestamps over
//! several months weighted to working hours, and historical outcomes that correlate with AI
//! confidence, sentiment, explicit requests for a human and legal risk.

use std::io::{self, Write};

use jiff::{SignedDuration, Timestamp};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::fields::Field;

/// Context columns written after the canonical ones (the support policy requires them).
pub const CONTEXT_COLUMNS: [&str; 3] = ["conversation", "customer_record", "ai_summary"];

/// The header: every canonical field, then the context columns.
pub fn header() -> impl Iterator<Item = &'static str> {
    Field::ALL
        .into_iter()
        .map(Field::name)
        .chain(CONTEXT_COLUMNS)
}

#[derive(Debug, Clone)]
pub struct GenOptions {
    pub rows: u64,
    pub seed: u64,
    /// First possible creation instant.
    pub start: Timestamp,
    /// Days the creation times spread over.
    pub days: u32,
}

const PRODUCTS: [&str; 8] = [
    "annual plan",
    "mobile app",
    "router",
    "smart speaker",
    "team workspace",
    "invoice portal",
    "delivery",
    "account",
];
const OPENERS: [&str; 6] = [
    "Hello,",
    "Hi team,",
    "Good morning,",
    "Hey,",
    "To whom it may concern,",
    "Hallo,",
];
const TECHNICAL: [&str; 6] = [
    "the {p} keeps disconnecting every few minutes since the last update",
    "I cannot log in to the {p}; the page says my session expired",
    "the {p} shows an error 500 when I try to save my settings",
    "sync between my laptop and the {p} stopped working yesterday",
    "the {p} is very slow and sometimes freezes completely",
    "notifications from the {p} arrive twice or not at all",
];
const BILLING: [&str; 5] = [
    "I was charged twice for the {p} this month",
    "my invoice for the {p} shows the wrong VAT number",
    "the price of the {p} went up without any notice",
    "my card was declined although it works everywhere else",
    "I need a copy of last quarter's invoices for the {p}",
];
const ACCOUNT: [&str; 4] = [
    "please change the email address on my account",
    "I want to add two colleagues to the {p}",
    "my account was locked after a password reset",
    "how do I transfer the {p} to a new owner",
];
const SHIPPING: [&str; 4] = [
    "my {p} order has not arrived after ten days",
    "the tracking number for my {p} does not work",
    "the {p} arrived damaged and the box was open",
    "I received the wrong model of {p}",
];
const FILLER: [&str; 8] = [
    "I already restarted everything and followed the help article.",
    "This has happened a few times now and it is getting frustrating.",
    "My customer number should be in your system.",
    "I attached a screenshot of what I see.",
    "Could you please look into this as soon as possible?",
    "It worked fine until last week.",
    "I have been a customer for several years.",
    "Thanks in advance for your help.",
];

fn pick<'a>(rng: &mut ChaCha8Rng, items: &[&'a str]) -> &'a str {
    items[rng.random_range(0..items.len())]
}

/// Pick by weights (they need not sum to 1).
fn weighted<'a>(rng: &mut ChaCha8Rng, items: &[(&'a str, f64)]) -> &'a str {
    let total: f64 = items.iter().map(|(_, w)| w).sum();
    let mut roll = rng.random::<f64>() * total;
    for (item, weight) in items {
        if roll < *weight {
            return item;
        }
        roll -= weight;
    }
    items[items.len() - 1].0
}

fn clamp(v: f64, low: f64, high: f64) -> f64 {
    v.max(low).min(high)
}

/// A rough normal deviate (sum of uniforms), enough for synthetic data.
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    (0..6).map(|_| rng.random::<f64>()).sum::<f64>() - 3.0
}

fn minutes(m: f64) -> SignedDuration {
    SignedDuration::from_secs((m * 60.0) as i64)
}

struct Row {
    fields: Vec<String>,
}

fn ticket(rng: &mut ChaCha8Rng, index: u64, options: &GenOptions) -> Row {
    let tier = weighted(rng, &[("free", 0.5), ("pro", 0.35), ("enterprise", 0.15)]);
    let channel = weighted(
        rng,
        &[
            ("chat", 0.45),
            ("email", 0.35),
            ("phone", 0.1),
            ("social", 0.1),
        ],
    );
    let category = weighted(
        rng,
        &[
            ("technical", 0.35),
            ("billing", 0.25),
            ("account", 0.2),
            ("shipping", 0.15),
            ("legal", 0.05),
        ],
    );
    let priority = weighted(
        rng,
        &[
            ("urgent", 0.05),
            ("high", 0.2),
            ("normal", 0.55),
            ("low", 0.2),
        ],
    );

    // Text: opener, a problem sentence, fillers, and trigger phrases at realistic rates.
    let product = pick(rng, &PRODUCTS);
    let problem = match category {
        "billing" => pick(rng, &BILLING),
        "account" => pick(rng, &ACCOUNT),
        "shipping" => pick(rng, &SHIPPING),
        _ => pick(rng, &TECHNICAL),
    }
    .replace("{p}", product);
    let wants_cancel = rng.random_bool(if matches!(category, "billing" | "account") {
        0.2
    } else {
        0.04
    });
    let wants_refund = rng.random_bool(if matches!(category, "billing" | "shipping") {
        0.25
    } else {
        0.04
    });
    let legal = category == "legal" && rng.random_bool(0.6) || rng.random_bool(0.002);
    let angry = rng.random_bool(0.15);
    let requested_human = rng.random_bool(if angry { 0.25 } else { 0.05 });
    let mut text = format!("{} {}", pick(rng, &OPENERS), capitalize(&problem));
    text.push('.');
    for _ in 0..rng.random_range(2..6) {
        text.push(' ');
        text.push_str(pick(rng, &FILLER));
    }
    if wants_cancel {
        text.push_str(pick(
            rng,
            &[
                " If this is not fixed I will cancel my subscription.",
                " Please process my cancellation.",
                " I want to cancel the contract at the end of the month.",
            ],
        ));
    }
    if wants_refund {
        text.push_str(pick(
            rng,
            &[
                " I expect a full refund.",
                " Please refund the duplicate payment.",
                " Can I get a refund for the days it did not work?",
            ],
        ));
    }
    if legal {
        text.push_str(pick(
            rng,
            &[
                " My lawyer will contact you if this is not resolved.",
                " This is a formal GDPR request for all data you hold about me.",
                " I am considering legal action.",
            ],
        ));
    }
    if angry {
        text.push_str(pick(
            rng,
            &[
                " This is unacceptable!",
                " I am extremely disappointed.",
                " Worst service ever.",
            ],
        ));
    }
    if requested_human {
        text.push_str(pick(
            rng,
            &[
                " I want to talk to a real person.",
                " Please connect me with a human agent.",
                " Let me speak to someone, not a bot.",
            ],
        ));
    }
    if rng.random_bool(0.02) {
        text.push_str(" This is urgent.");
    }

    // Scores: a latent difficulty drives AI confidence; anger drives sentiment.
    let difficulty = rng.random::<f64>();
    let confidence = clamp(
        0.98 - 0.5 * difficulty.powi(3) + 0.04 * normal(rng),
        0.0,
        1.0,
    );
    let sentiment = clamp(
        0.15 + 0.25 * normal(rng) - if angry { 0.7 } else { 0.0 },
        -1.0,
        1.0,
    );

    // History, correlated with the scores.
    let p_escalated = clamp(
        0.08 + if confidence < 0.7 { 0.45 } else { 0.0 }
            + if sentiment < -0.5 { 0.2 } else { 0.0 }
            + if requested_human { 0.35 } else { 0.0 }
            + if legal { 0.6 } else { 0.0 }
            + if wants_cancel && tier == "enterprise" {
                0.3
            } else {
                0.0
            },
        0.0,
        0.97,
    );
    let escalated = rng.random_bool(p_escalated);
    let day = rng.random_range(0..options.days);
    let hour = weighted(
        rng,
        &[
            ("7", 0.5),
            ("8", 1.0),
            ("9", 1.5),
            ("10", 1.5),
            ("11", 1.5),
            ("12", 1.2),
            ("13", 1.3),
            ("14", 1.4),
            ("15", 1.4),
            ("16", 1.2),
            ("17", 0.9),
            ("18", 0.6),
            ("19", 0.4),
            ("20", 0.3),
            ("21", 0.2),
            ("22", 0.1),
            ("2", 0.1),
        ],
    );
    let offset = i64::from(day) * 86_400
        + hour.parse::<i64>().unwrap_or(9) * 3600
        + rng.random_range(0..3600);
    let created = options.start + SignedDuration::from_secs(offset);
    let mut fields = vec![
        format!("T{:07}", index + 1),
        created.to_string(),
        text,
        format!("{confidence:.3}"),
        format!("{sentiment:.2}"),
        tier.to_string(),
        channel.to_string(),
        category.to_string(),
        priority.to_string(),
        requested_human.to_string(),
    ];
    let (mut escalated_at, mut first_response, mut resolved, mut resolved_tier) = (
        String::new(),
        String::new(),
        String::new(),
        "ai".to_string(),
    );
    let mut reassignments = String::new();
    if escalated {
        let at = created + minutes(rng.random_range(1.0..20.0));
        escalated_at = at.to_string();
        resolved_tier = if legal && rng.random_bool(0.8) {
            "L3"
        } else if (category == "billing" || wants_cancel || wants_refund) && rng.random_bool(0.45) {
            "L2"
        } else {
            weighted(rng, &[("L1", 0.75), ("L2", 0.2), ("L3", 0.05)])
        }
        .to_string();
        reassignments =
            weighted(rng, &[("0", 0.7), ("1", 0.2), ("2", 0.08), ("3", 0.02)]).to_string();
        if rng.random_bool(0.97) {
            let wait = if rng.random_bool(0.7) {
                rng.random_range(2.0..90.0)
            } else {
                rng.random_range(90.0..1800.0)
            };
            let reply = at + minutes(wait);
            first_response = reply.to_string();
            if rng.random_bool(0.95) {
                resolved = (reply + minutes(rng.random_range(10.0..4000.0))).to_string();
            }
        }
    } else if rng.random_bool(0.96) {
        resolved = (created + minutes(rng.random_range(1.0..30.0))).to_string();
    } else {
        resolved_tier = String::new();
    }
    let reopened = rng.random_bool(0.05);
    let csat = if !resolved.is_empty() && rng.random_bool(0.6) {
        let base = if sentiment < -0.3 { 2.0 } else { 4.0 };
        format!("{}", clamp(base + normal(rng).round(), 1.0, 5.0))
    } else {
        String::new()
    };
    let present = |rng: &mut ChaCha8Rng, p: f64, value: &str| {
        if rng.random_bool(p) {
            value.to_string()
        } else {
            String::new()
        }
    };
    let conversation = present(rng, 0.97, "yes");
    let record = present(rng, 0.9, "yes");
    let summary = present(rng, 0.85, "yes");
    fields.extend([
        escalated_at,
        first_response,
        resolved,
        resolved_tier,
        reassignments,
        reopened.to_string(),
        csat,
        conversation,
        record,
        summary,
    ]);
    Row { fields }
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

/// Write `options.rows` tickets as CSV with the canonical header.
pub fn generate(options: &GenOptions, out: &mut dyn Write) -> io::Result<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(header())?;
    for index in 0..options.rows {
        let row = ticket(&mut rng, index, options);
        writer.write_record(&row.fields)?;
    }
    writer.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(seed: u64, rows: u64) -> String {
        let options = GenOptions {
            rows,
            seed,
            start: "2026-01-05T00:00:00Z".parse().unwrap(),
            days: 120,
        };
        let mut out = Vec::new();
        generate(&options, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn same_seed_same_bytes() {
        assert_eq!(sample(7, 200), sample(7, 200));
        assert_ne!(sample(7, 200), sample(8, 200));
    }

    #[test]
    fn rows_have_every_column_and_realistic_rates() {
        let text = sample(1, 5000);
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 5000);
        assert!(rows.iter().all(|r| r.len() == header().count()));
        let share = |needle: &str| {
            rows.iter()
                .filter(|r| r[2].to_lowercase().contains(needle))
                .count() as f64
                / 5000.0
        };
        assert!(
            (0.04..0.15).contains(&share("cancel")),
            "cancel {}",
            share("cancel")
        );
        assert!(
            (0.05..0.18).contains(&share("refund")),
            "refund {}",
            share("refund")
        );
        let escalated = rows.iter().filter(|r| !r[10].is_empty()).count() as f64 / 5000.0;
        assert!((0.15..0.5).contains(&escalated), "escalated {escalated}");
        let mean_len = rows.iter().map(|r| r[2].len()).sum::<usize>() / rows.len();
        assert!(
            (150..700).contains(&mean_len),
            "mean text length {mean_len}"
        );
    }
}
