use super::*;

#[test]
fn recent_ids_forget_the_oldest_past_the_window() {
    let mut recent = RecentIds::default();
    for n in 0..=RECENT_TICKETS as u64 {
        recent.insert(n);
    }
    assert!(!recent.contains(&0));
    assert!(recent.contains(&1) && recent.contains(&(RECENT_TICKETS as u64)));
    assert_eq!(recent.set.len(), RECENT_TICKETS);
}

/// Memory stays flat however many tickets pass through the window: neither the set nor
/// the queue grows after the window first fills (a hash set that deletes as much as it
/// inserts otherwise grows once its deleted slots run out).
#[test]
fn recent_ids_do_not_grow_past_the_window() {
    let mut recent = RecentIds::default();
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..RECENT_TICKETS {
        recent.insert(next());
    }
    let full = (recent.set.capacity(), recent.order.capacity());
    for _ in 0..20 * RECENT_TICKETS {
        recent.insert(next());
    }
    // A set's capacity counts its free slots: deleted ones lower it, growing doubles it.
    assert!(
        recent.set.capacity() <= full.0,
        "{} > {}",
        recent.set.capacity(),
        full.0
    );
    assert_eq!(recent.order.capacity(), full.1);
}
