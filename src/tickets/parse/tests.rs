//! Unit tests of the ticket parser (kept apart so `parse.rs` stays one concern).

use super::*;

#[test]
fn fields_split_inside_a_character_are_not_text() {
    // "\xC3" and "\xA9" join into "é": the record is UTF-8, its fields are not.
    let input: &[u8] = b"id,text,csat,note\nT1,\xC3,\xA9,ok\nT2,caf\xC3\xA9,4,fine\n";
    let needs = Needs {
        extras: vec!["note".into()],
        ..Needs::default()
    };
    let mapping = Mapping::default();
    let mut reader = super::super::TicketReader::new(Box::new(input), &mapping, &needs).unwrap();
    let mut parser = TicketParser::new(&reader.layout, &mapping, &needs).unwrap();
    let (mut records, mut ticket) = (super::super::Records::default(), Ticket::default());
    while reader.read(&mut records).unwrap() {}
    parser
        .parse(records.get(0).unwrap(), 1, &mut ticket)
        .unwrap();
    assert_eq!(ticket.texts, [""]);
    assert_eq!(ticket.csat, None);
    assert_eq!(ticket.extras, ["ok"]);
    let counted: Vec<(&str, u64)> = parser
        .bad_values
        .iter()
        .map(|(k, v)| (k.as_str(), *v))
        .collect();
    assert_eq!(counted, [("csat", 1), ("text", 1)]);
    parser
        .parse(records.get(1).unwrap(), 2, &mut ticket)
        .unwrap();
    assert_eq!((ticket.texts[0].as_str(), ticket.csat), ("café", Some(4.0)));
    assert_eq!(ticket.line, 3);
}

/// Labels remembered per column read exactly as labels read afresh: the same tickets,
/// rejections and bad-value counts, over seeded spellings with aliases, case, blanks,
/// non-ASCII text, unknown priorities and tiers, and more spellings than are remembered.
#[test]
fn remembered_labels_read_as_fresh_ones() {
    use rand::{RngExt, SeedableRng};
    let spellings = [
        "",
        " ",
        "Enterprise",
        " enterprise ",
        "ENTERPRISE",
        "gold",
        "GOLD ",
        "Free",
        "ÜBER",
        "über",
        "İx",
        "urgent",
        "URGENT",
        "Hi",
        "hi",
        "high",
        "p9",
        "normal",
        "low",
        "Low",
        "l1",
        "L1",
        "l2",
        "L3",
        "ai",
        "AI",
        "Ai",
        "nope",
        "chat",
        "Email",
        "k",
        "K",
        "\u{212a}",
        "ſ",
        "a1",
        "a2",
        "a3",
        "a4",
        "a5",
        "a6",
        "a7",
        "a8",
        "a9",
        "a10",
        LONG,
        "premium-plat-x-y-annual",
    ];
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(16);
    let mut input = String::from("id,customer_tier,channel,category,priority,resolved_tier\n");
    // Longer than sixteen bytes, with the same length, first eight and last eight bytes as the
    // last spelling above (equal keys, another label): remembered first in every column.
    const LONG: &str = "premium-plan-x-y-annual";
    input.push_str(&format!("T-long{}\n", format!(",{LONG}").repeat(5)));
    for row in 0..3000 {
        let pick = |rng: &mut rand_chacha::ChaCha8Rng| {
            let text = spellings[rng.random_range(0..spellings.len())];
            format!("\"{text}\"")
        };
        let fields: Vec<String> = (0..5).map(|_| pick(&mut rng)).collect();
        input.push_str(&format!("T{row},{}\n", fields.join(",")));
    }
    let mut mapping = Mapping::default();
    mapping.aliases.insert(
        "customer_tier".into(),
        [("Gold".to_string(), "Enterprise".to_string())].into(),
    );
    mapping.aliases.insert(
        "priority".into(),
        [("HI".to_string(), "high".to_string())].into(),
    );
    for rule_read in [false, true] {
        let needs = Needs {
            priorities: ["urgent", "high", "normal", "low"]
                .map(String::from)
                .to_vec(),
            tiers: ["L1", "L2", "L3"].map(String::from).to_vec(),
            rule_fields: if rule_read {
                ["priority".to_string()].into()
            } else {
                Default::default()
            },
            ..Needs::default()
        };
        let mut reader = super::super::TicketReader::new(
            Box::new(std::io::Cursor::new(input.clone())),
            &mapping,
            &needs,
        )
        .unwrap();
        let fresh = TicketParser::new(&reader.layout, &mapping, &needs).unwrap();
        let mut remembering = fresh.clone();
        let mut records = super::super::Records::default();
        while reader.read(&mut records).unwrap() {}
        let (mut ticket, mut expected) = (Ticket::default(), Ticket::default());
        let mut fresh_bad: BTreeMap<String, u64> = BTreeMap::new();
        for index in 0..records.len() {
            let record = records.get(index).unwrap();
            let got = remembering.parse(record, index as u64 + 1, &mut ticket);
            let mut alone = fresh.clone();
            let wanted = alone.parse(record, index as u64 + 1, &mut expected);
            assert_eq!(format!("{got:?}"), format!("{wanted:?}"));
            assert_eq!(format!("{ticket:?}"), format!("{expected:?}"));
            // Spellings as the data has them, trimmed (columns 1–4 are the four labels).
            if got.is_ok() {
                for (column, label) in Label::ALL.into_iter().enumerate() {
                    let raw = std::str::from_utf8(record.get(column + 1).unwrap()).unwrap();
                    assert_eq!(ticket.label_spellings[label], raw.trim());
                }
            }
            for (field, count) in alone.bad_values {
                *fresh_bad.entry(field).or_default() += count;
            }
        }
        assert_eq!(remembering.bad_values, fresh_bad);
        assert!(
            remembering
                .known_labels
                .iter()
                .any(|k| k.len() == KNOWN_LABELS)
        );
    }
}

/// A spelling's key matches another's exactly when the spellings are equal: every length from
/// 0 to 24 bytes, spellings that differ in one byte anywhere, or only in length.
#[test]
fn spelling_keys_match_equal_spellings_only() {
    let mut spellings: Vec<String> = Vec::new();
    for len in 0..=24 {
        let base: String = (0..len)
            .map(|i| char::from(b'a' + (i % 26) as u8))
            .collect();
        spellings.push(base.clone());
        for at in 0..len {
            let mut changed = base.clone().into_bytes();
            changed[at] = b'Z';
            spellings.push(String::from_utf8(changed).unwrap());
        }
    }
    spellings.extend(["\0", "\0\0", "é", "e\u{301}", "İx"].map(String::from));
    for a in &spellings {
        for b in &spellings {
            let (ka, kb) = (SpellingKey::of(a), SpellingKey::of(b));
            assert_eq!(ka.matches(a, kb, b), a == b, "{a:?} {b:?}");
        }
    }
}
