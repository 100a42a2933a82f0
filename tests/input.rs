//! The verbs that read tickets share their input flags (`handoff::cmd::input`): each flag means
//! the same and says the same in every verb's `--help`, so the texts cannot drift apart again.

use std::collections::BTreeMap;

/// The verbs that read tickets, and the flags each must have.
const READING_VERBS: [(&str, &[&str]); 6] = [
    (
        "replay",
        &[
            "tickets",
            "map",
            "config",
            "filters",
            "as_of",
            "max_reject_rate",
        ],
    ),
    (
        "diff",
        &[
            "tickets",
            "map",
            "config",
            "filters",
            "as_of",
            "max_reject_rate",
        ],
    ),
    (
        "sweep",
        &[
            "tickets",
            "map",
            "config",
            "filters",
            "as_of",
            "max_reject_rate",
        ],
    ),
    ("explain", &["tickets", "map", "config", "filters"]),
    ("test", &["tickets", "map", "config", "filters"]),
    ("lint", &["tickets", "map", "config", "filters"]),
];

/// The help of `flag` in `verb`, with the qualifier a verb may put in front of it.
fn help(verb: &str, flag: &str) -> String {
    let command = handoff::cli::command();
    let verb_command = command
        .find_subcommand(verb)
        .unwrap_or_else(|| panic!("no verb {verb}"));
    let arg = verb_command
        .get_arguments()
        .find(|a| a.get_id() == flag)
        .unwrap_or_else(|| panic!("{verb} has no --{flag}"));
    let text = arg.get_help().map(ToString::to_string).unwrap_or_default();
    // `test` takes the tickets only with --record, and says so in front of the shared text.
    match text.strip_prefix("With --record: ") {
        Some(rest) => {
            let mut letters = rest.chars();
            letters
                .next()
                .map(|first| first.to_uppercase().chain(letters).collect())
                .unwrap_or_default()
        }
        None => text,
    }
}

#[test]
fn a_shared_flag_has_one_help_text_in_every_verb() {
    let mut texts: BTreeMap<&str, BTreeMap<String, Vec<&str>>> = BTreeMap::new();
    for (verb, flags) in READING_VERBS {
        for flag in flags {
            // lint's --tickets does another job (data checks on the policies), and says which.
            if (verb, *flag) == ("lint", "tickets") {
                continue;
            }
            texts
                .entry(flag)
                .or_default()
                .entry(help(verb, flag))
                .or_default()
                .push(verb);
        }
    }
    let drifted: Vec<String> = texts
        .iter()
        .filter(|(_, by_text)| by_text.len() > 1)
        .map(|(flag, by_text)| format!("--{flag}: {by_text:#?}"))
        .collect();
    assert!(drifted.is_empty(), "{}", drifted.join("\n"));
}

#[test]
fn lint_says_what_its_tickets_are_for() {
    assert!(help("lint", "tickets").contains("H060"));
    assert!(help("test", "tickets").starts_with("Ticket CSV"));
}
