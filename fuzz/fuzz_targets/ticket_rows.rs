//! Any bytes as a ticket CSV, read for the bundled support policy: every record is decided or
//! rejected, and nothing panics.
#![no_main]

use std::sync::OnceLock;

use handoff::engine::eval::{CompiledPolicy, Decision};
use handoff::tickets::{Mapping, Ticket, TicketSource};
use libfuzzer_sys::fuzz_target;

const POLICY: &str = include_str!("../../policies/support.yaml");

fn policy() -> &'static CompiledPolicy {
    static POLICY_CELL: OnceLock<CompiledPolicy> = OnceLock::new();
    POLICY_CELL.get_or_init(|| {
        let loaded = handoff::policy::load::load_bytes("support.yaml".into(), POLICY.as_bytes().to_vec())
            .expect("the bundled policy loads");
        CompiledPolicy::new(&loaded.policy).expect("the bundled policy compiles")
    })
}

fuzz_target!(|data: &[u8]| {
    let policy = policy();
    let Ok(mut source) = TicketSource::new(Box::new(std::io::Cursor::new(data.to_vec())), &Mapping::default(), policy.needs.clone()) else {
        return;
    };
    let (mut ticket, mut found, mut decision) = (Ticket::default(), Vec::new(), Decision::default());
    while let Ok(Some(row)) = source.next(&mut ticket) {
        if row.is_ok() {
            policy.scan_keywords(&ticket, &mut found);
            policy.decide(&ticket, &found, &mut decision);
        }
    }
});
