use super::*;

fn policy() -> (String, CompiledPolicy) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/support.yaml");
    let loaded = crate::policy::load_file(&path).unwrap();
    let compiled = CompiledPolicy::new(&loaded.policy).unwrap();
    (loaded.source.text.clone(), compiled)
}

/// A replay of generated tickets, as a partial.
fn partial(by: Option<By>) -> Partial {
    let (source, policy) = policy();
    let options = crate::tickets::synthetic::GenOptions {
        rows: 3000,
        seed: 9,
        start: "2026-01-05T00:00:00Z".parse().unwrap(),
        days: 30,
    };
    let mut csv = Vec::new();
    crate::tickets::synthetic::generate(&options, &mut csv).unwrap();
    let mapping = Mapping::default();
    let mut reader = crate::tickets::TicketReader::new(
        Box::new(std::io::Cursor::new(csv)),
        &mapping,
        &policy.needs,
    )
    .unwrap();
    let parser = TicketParser::new(&reader.layout, &mapping, &policy.needs).unwrap();
    let replay_options = crate::engine::replay::ReplayOptions {
        as_of: Some("2026-03-01T00:00:00Z".parse().unwrap()),
        by: by.map(Segments::from),
        ..Default::default()
    };
    struct Nowhere;
    impl crate::engine::replay::ReplaySink for Nowhere {
        fn decisions(&mut self, _: &[u8]) -> std::io::Result<()> {
            Ok(())
        }
        fn rejected(
            &mut self,
            _: &RowError,
            _: crate::tickets::RawRecord<'_>,
        ) -> std::io::Result<()> {
            Ok(())
        }
    }
    let outcome = crate::engine::replay::replay(
        &policy,
        &mut reader,
        parser,
        &replay_options,
        None,
        &mut Nowhere,
    )
    .unwrap();
    Partial::of(
        &source,
        &policy,
        &reader.layout,
        &outcome,
        by.map(Segments::from).as_ref(),
    )
}

#[test]
fn a_partial_round_trips_through_its_json() {
    for by in [None, Some(By::Channel)] {
        let partial = partial(by);
        let json = partial.to_json().unwrap();
        let back = Partial::read("p.json", json.as_bytes()).unwrap();
        assert_eq!(back.to_json().unwrap(), json);
        assert!(!back.metrics.first_response_wall.is_empty());
        assert!(!back.metrics.confusion.is_empty());
    }
}

#[test]
fn one_partial_merged_alone_gives_its_own_report() {
    let partial = partial(Some(By::Priority));
    let json = partial.to_json().unwrap();
    let merged = merge(vec![(
        "a".into(),
        Partial::read("a", json.as_bytes()).unwrap(),
    )])
    .unwrap();
    let again = merge(vec![("a".into(), partial)]).unwrap();
    assert_eq!(merged.report, again.report);
    assert_eq!(merged.report.input.records, 3000);
}

/// A part from a SQL engine may list its columns in another order (DataFusion's rows come
/// in any order): the same columns merge; other columns are refused.
#[test]
fn parts_with_the_same_columns_in_another_order_merge() {
    let a = partial(None);
    let mut b = a.clone();
    b.columns.fields.reverse();
    b.columns.extras.reverse();
    let merged = merge(vec![("a".into(), a.clone()), ("b".into(), b.clone())]).unwrap();
    assert_eq!(merged.report.input.records, 6000);
    b.columns.fields.pop();
    assert!(matches!(
        merge(vec![("a".into(), a), ("b".into(), b)]),
        Err(PartialError::Mismatch { .. })
    ));
}

#[test]
fn malformed_partials_are_refused_without_panicking() {
    let partial = partial(None);
    let mut value = serde_json::to_value(&partial).unwrap();
    value["metrics"]["by_route"] = serde_json::json!([1]);
    let bytes = serde_json::to_vec(&value).unwrap();
    let read = Partial::read("bad.json", &bytes).unwrap();
    assert!(matches!(
        merge(vec![("bad.json".into(), read)]),
        Err(PartialError::Invalid { .. })
    ));
    assert!(matches!(
        Partial::read("x", b"{\"format\": \"other\"}"),
        Err(PartialError::NotAPartial { .. })
    ));
    assert!(matches!(
        Partial::read("x", b"not json"),
        Err(PartialError::NotAPartial { .. })
    ));
    assert_eq!(fingerprint(b""), "fnv1a64:cbf29ce484222325");
}
