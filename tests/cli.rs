//! CLI snapshot tests: every `console` block in these Markdown files is run against the real
//! binary and its output and exit code must match exactly. Regenerate after an intended change
//! with `TRYCMD=overwrite cargo test --test cli`.

#[test]
fn cli_snapshots() {
    trycmd::TestCases::new()
        .case("tests/cmd/*.md")
        .case("README.md")
        .case("docs/*.md");
}
