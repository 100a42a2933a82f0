//! Running the real binary from the repository root: the two helpers every `*_common` test
//! module builds on (included with `#[path]`, so each test binary compiles its own copy).

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `handoff ARGS` in the repository root, with no standard input.
pub fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_handoff"))
        .current_dir(root())
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run handoff")
}
