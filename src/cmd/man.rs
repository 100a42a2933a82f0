//! `handoff man`: the manual page, one roff page with every command (its synopsis and options),
//! rendered by `clap_mangen` from the same clap definition as `--help`, plus the exit codes and
//! the environment. `handoff man > handoff.1`; `man ./handoff.1` reads it.

use std::io::Write;

use anyhow::Context;

use super::Exit;

#[derive(Debug, clap::Args)]
pub struct ManArgs {}

/// Escape text for a roff line: backslashes, and a leading `.` or `'` that would start a
/// request.
fn roff_text(text: &str) -> String {
    let escaped = text.replace('\\', "\\e").replace('-', "\\-");
    match escaped.chars().next() {
        Some('.' | '\'') => format!("\\&{escaped}"),
        _ => escaped,
    }
}

/// A clap_mangen section without its `.SH` heading, to nest it under a command.
fn without_heading(section: Vec<u8>) -> anyhow::Result<String> {
    let text = String::from_utf8(section).context("the manual page is not UTF-8")?;
    Ok(text
        .lines()
        .filter(|line| !line.starts_with(".SH "))
        .map(|line| format!("{line}\n"))
        .collect())
}

/// The page with roff's apostrophe preamble (`.ie \n(.g .ds Aq …` / `.el .ds Aq '`) once at
/// the top: clap_mangen writes it before every section rendered on its own.
fn one_preamble(page: &str) -> String {
    let is_preamble = |line: &str| line.starts_with(".ie \\n(.g .ds Aq") || line == ".el .ds Aq '";
    let preamble: Vec<&str> = page.lines().filter(|l| is_preamble(l)).take(2).collect();
    let mut out: String = preamble.iter().map(|l| format!("{l}\n")).collect();
    for line in page.lines().filter(|l| !is_preamble(l)) {
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The whole page for `command`.
pub fn render(command: clap::Command) -> anyhow::Result<String> {
    let mut command = command.disable_help_subcommand(true);
    command.build();
    let top = clap_mangen::Man::new(command.clone());
    let mut page = Vec::new();
    top.render_title(&mut page)?;
    top.render_name_section(&mut page)?;
    top.render_synopsis_section(&mut page)?;
    top.render_description_section(&mut page)?;
    top.render_options_section(&mut page)?;
    let mut page = String::from_utf8(page).context("the manual page is not UTF-8")?;
    page.push_str(".SH COMMANDS\n");
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        // The global options (-q, --color) are described once, at the top.
        let globals: Vec<clap::Id> = sub
            .get_arguments()
            .filter(|a| a.is_global_set())
            .map(|a| a.get_id().clone())
            .collect();
        let sub = globals
            .into_iter()
            .fold(sub.clone(), |c, id| c.mut_arg(id, |a| a.hide(true)));
        let man = clap_mangen::Man::new(sub.clone());
        page.push_str(&format!(
            ".SS \"{}\"\n",
            roff_text(&format!("handoff {}", sub.get_name()))
        ));
        if let Some(about) = sub.get_about() {
            page.push_str(&format!("{}\n", roff_text(&about.to_string())));
        }
        let mut synopsis = Vec::new();
        man.render_synopsis_section(&mut synopsis)?;
        page.push_str(".PP\n");
        page.push_str(&without_heading(synopsis)?);
        let mut options = Vec::new();
        man.render_options_section(&mut options)?;
        page.push_str(&without_heading(options)?);
    }
    page.push_str(concat!(
        ".SH \"EXIT STATUS\"\n",
        ".TP\n0\nSuccess; for lint, no error left after suppression (and no warning under \\fB\\-\\-deny warnings\\fR).\n",
        ".TP\n1\nLint found errors (or warnings under \\fB\\-\\-deny warnings\\fR); a \\fB\\-\\-fail\\-if\\fR condition holds; a policy test failed.\n",
        ".TP\n2\nUsage error, unreadable input, a file that cannot become a policy, or a policy with lint errors given to a command that evaluates it.\n",
        ".SH ENVIRONMENT\n",
        ".TP\nNO_COLOR\nA non\\-empty value turns colour off (an empty one is ignored).\n",
        ".TP\nFORCE_COLOR, CLICOLOR_FORCE\nA non\\-empty value other than 0 turns colour on, also when the output is not a terminal.\n",
        ".TP\nCLICOLOR\n0 turns colour off.\n",
        ".PP\n\\fB\\-\\-color always\\fR or \\fB\\-\\-color never\\fR overrides them all.\n",
        ".SH FILES\n",
        ".TP\nhandoff.toml\nConfiguration, found in the current folder or the nearest parent (\\fB\\-\\-config\\fR names another).\n",
        ".SH \"SEE ALSO\"\n",
        "README.md, docs/lint.md and docs/rules.md in the handoff sources.\n",
    ));
    let mut version = Vec::new();
    top.render_version_section(&mut version)?;
    page.push_str(&String::from_utf8(version).context("the manual page is not UTF-8")?);
    Ok(one_preamble(&page))
}

pub fn run(_args: ManArgs, command: clap::Command) -> anyhow::Result<Exit> {
    let page = render(command)?;
    let mut out = super::io::stdout();
    out.write_all(page.as_bytes())
        .and_then(|()| out.flush())
        .context("cannot write the manual page")?;
    Ok(Exit::Ok)
}
