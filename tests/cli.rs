//! CLI snapshot tests: every `console` block in these Markdown files is run against the real
//! binary and its output and exit code must match exactly. Regenerate after an intended change
//! with `TRYCMD=overwrite cargo test --test cli`.

#[test]
fn cli_snapshots() {
    trycmd::TestCases::new()
        // Plain text whatever the shell says: FORCE_COLOR or CLICOLOR_FORCE in a developer's
        // environment would colour every human snapshot, and a non-empty NO_COLOR wins over
        // both (an explicit `--color always` still colours).
        .env("NO_COLOR", "1")
        .case("tests/cmd/*.md")
        .case("README.md")
        .case("docs/*.md");
}
