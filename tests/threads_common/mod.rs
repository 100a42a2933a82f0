//! Shared by `tests/threads.rs` and `tests/sweep_threads.rs`: the repository root and running
//! the real binary there (exit 0 or 1 expected; anything else fails the test with stderr).

// Each test binary uses a part of this module.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub fn handoff(args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_handoff"))
        .current_dir(root())
        .args(args)
        .output()
        .expect("run handoff");
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "handoff {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}
