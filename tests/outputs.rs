//! Output paths, closed pipes and progress (DESIGN §6, issue 9): every output flag goes through
//! one opening function, so these cases run the real binary against hostile targets — device
//! nodes, FIFOs, sockets, symlinks, hard links, read-only folders, signals mid-write — and check
//! that nothing the path points at is destroyed and that no pipe turns a failing check green.
//!
//! Device nodes are made with `mknod` in a temporary folder (never the machine's own `/dev/null`,
//! which a regression would replace); those tests need root and say so when they skip.

use std::io::{Read, Write};
#[cfg(unix)]
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const HANG_GUARD: Duration = Duration::from_secs(120);
const POLICY: &str = "policies/support.yaml";
const TICKETS: &str = "examples/support-tickets.csv";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_handoff")
}

fn abs(relative: &str) -> String {
    root().join(relative).to_string_lossy().into_owned()
}

fn handoff() -> Command {
    let mut command = Command::new(bin());
    command.current_dir(root());
    command
}

/// Wait for a child, killing it if it runs past the hang guard.
fn finish(mut child: Child) -> Output {
    let started = Instant::now();
    loop {
        if child.try_wait().expect("child status").is_some() {
            return child.wait_with_output().expect("child output");
        }
        if started.elapsed() > HANG_GUARD {
            let _ = child.kill();
            panic!("handoff ran longer than {HANG_GUARD:?}: a hang");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    let child = Command::new(bin())
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn handoff");
    finish(child)
}

fn run(args: &[&str]) -> Output {
    run_in(&root(), args)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn s(path: &Path) -> &str {
    path.to_str().expect("utf-8 temp path")
}

fn is_root() -> bool {
    #[cfg(unix)]
    {
        std::fs::metadata("/proc/self")
            .map(|m| m.uid() == 0)
            .unwrap_or(false)
    }
    #[cfg(not(unix))]
    {
        false
    }
}

/// Hidden temporary files left in `dir` (`.handoff-…`).
fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with('.'))
        .collect()
}

/// `replay` of the bundled example, with extra arguments.
fn replay(extra: &[&str]) -> Output {
    let mut args = vec!["replay", "--policy", POLICY, "--tickets", TICKETS];
    args.extend_from_slice(extra);
    run(&args)
}

/// A character device made with mknod (`1,3` is null, `1,7` is full), or `None` (with the reason
/// printed) when this is not root.
#[cfg(unix)]
fn device(dir: &Path, name: &str, major_minor: (u32, u32)) -> Option<PathBuf> {
    if !is_root() {
        eprintln!("skipped: mknod needs root");
        return None;
    }
    let path = dir.join(name);
    let status = Command::new("mknod")
        .arg(&path)
        .arg("c")
        .arg(major_minor.0.to_string())
        .arg(major_minor.1.to_string())
        .status()
        .expect("run mknod");
    assert!(status.success(), "mknod failed");
    Some(path)
}

#[cfg(unix)]
fn fifo(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    let status = Command::new("mkfifo")
        .arg(&path)
        .status()
        .expect("run mkfifo");
    assert!(status.success(), "mkfifo failed");
    path
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

// ---------------------------------------------------------------------------------------------
// Item 1: outputs never destroy what a path points at.
// ---------------------------------------------------------------------------------------------

#[cfg(unix)]
#[test]
fn a_null_device_stays_a_device() {
    let dir = tempfile::tempdir().unwrap();
    let Some(null) = device(dir.path(), "null", (1, 3)) else {
        return;
    };
    let out = replay(&[
        "-o",
        s(&null),
        "--decisions",
        s(&null),
        "--rejects",
        s(&null),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "", "the report went to the device");
    let meta = std::fs::symlink_metadata(&null).unwrap();
    assert!(meta.file_type().is_char_device(), "null was replaced");
    assert_eq!(meta.rdev(), std::fs::metadata("/dev/null").unwrap().rdev());
    assert_eq!(leftovers(dir.path()), Vec::<String>::new());
}

#[cfg(unix)]
#[test]
fn a_full_device_is_reported_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let Some(full) = device(dir.path(), "full", (1, 7)) else {
        return;
    };
    for flag in ["--decisions", "--output", "--rejects"] {
        let out = replay(&[flag, s(&full)]);
        assert_eq!(out.status.code(), Some(2), "{flag}: {}", stderr(&out));
        let err = stderr(&out);
        // --rejects writes at least its header, which the full device refuses.
        assert!(
            err.contains("No space left on device") && err.contains(s(&full)),
            "{flag}: {err}"
        );
        assert!(
            std::fs::symlink_metadata(&full)
                .unwrap()
                .file_type()
                .is_char_device(),
            "{flag} replaced the device"
        );
    }
    assert_eq!(leftovers(dir.path()), Vec::<String>::new());
}

#[cfg(unix)]
#[test]
fn a_fifo_is_written_in_place_for_its_reader() {
    let dir = tempfile::tempdir().unwrap();
    let pipe = fifo(dir.path(), "decisions.fifo");
    let reader = {
        let pipe = pipe.clone();
        std::thread::spawn(move || {
            let mut text = String::new();
            std::fs::File::open(&pipe)
                .unwrap()
                .read_to_string(&mut text)
                .unwrap();
            text
        })
    };
    let out = replay(&["--decisions", s(&pipe)]);
    // Checked before joining: a replaced FIFO would leave the reader waiting forever.
    assert!(
        std::fs::symlink_metadata(&pipe)
            .unwrap()
            .file_type()
            .is_fifo(),
        "the FIFO was replaced"
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = reader.join().unwrap();
    assert!(text.starts_with("id,line,decision,"), "{text:.80}");
    assert_eq!(text.lines().count(), 301);
    assert_eq!(leftovers(dir.path()), Vec::<String>::new());
}

#[cfg(unix)]
#[test]
fn a_socket_is_written_in_place() {
    use std::os::unix::net::UnixListener;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.sock");
    let listener = UnixListener::bind(&path).unwrap();
    let reader = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut text = String::new();
        stream.read_to_string(&mut text).unwrap();
        text
    });
    let out = replay(&["--format", "json", "-o", s(&path)]);
    // Checked before joining: a replaced socket would leave the listener waiting forever.
    assert!(
        std::fs::symlink_metadata(&path)
            .unwrap()
            .file_type()
            .is_socket(),
        "the socket was replaced"
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = reader.join().unwrap();
    assert!(text.contains("\"report\""), "{text:.80}");
}

#[cfg(unix)]
#[test]
fn a_symlink_stays_a_link_and_its_target_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("report.txt");
    std::fs::write(&target, "old\n").unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o644)).unwrap();
    let link = dir.path().join("latest.txt");
    std::os::unix::fs::symlink("report.txt", &link).unwrap();
    let out = replay(&["-o", s(&link)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink(),
        "the link was replaced by a file"
    );
    assert!(
        std::fs::read_to_string(&target)
            .unwrap()
            .starts_with("Replay of policy")
    );
    assert_eq!(mode(&target), 0o644);
    assert_eq!(leftovers(dir.path()), Vec::<String>::new());
}

#[cfg(unix)]
#[test]
fn a_dangling_symlink_creates_its_target() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("reports")).unwrap();
    let link = dir.path().join("latest.csv");
    std::os::unix::fs::symlink("reports/decisions.csv", &link).unwrap();
    let out = replay(&["--decisions", s(&link)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let written = std::fs::read_to_string(dir.path().join("reports/decisions.csv")).unwrap();
    assert!(written.starts_with("id,line,decision,"));
    assert_eq!(leftovers(dir.path()), Vec::<String>::new());
    assert_eq!(leftovers(&dir.path().join("reports")), Vec::<String>::new());
}

#[cfg(unix)]
#[test]
fn an_existing_file_keeps_its_permissions_and_owner() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("decisions.csv");
    std::fs::write(&path, "old\n").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    let owner = if is_root() {
        std::os::unix::fs::chown(&path, Some(4321), Some(4322)).unwrap();
        Some((4321, 4322))
    } else {
        eprintln!("owner check skipped: chown needs root");
        None
    };
    let out = replay(&["--decisions", s(&path)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .starts_with("id,line,")
    );
    assert_eq!(mode(&path), 0o640, "permissions changed");
    if let Some((uid, gid)) = owner {
        let meta = std::fs::metadata(&path).unwrap();
        assert_eq!((meta.uid(), meta.gid()), (uid, gid), "owner changed");
    }
}

/// Run handoff under a umask (through `sh`, since std cannot set one for a child).
#[cfg(unix)]
fn run_with_umask(umask: &str, args: &[&str]) -> Output {
    let child = Command::new("sh")
        .current_dir(root())
        .arg("-c")
        .arg(format!("umask {umask} && exec \"$0\" \"$@\""))
        .arg(bin())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn sh");
    finish(child)
}

#[cfg(unix)]
#[test]
fn a_new_file_gets_0666_less_the_umask() {
    let dir = tempfile::tempdir().unwrap();
    for (umask, expected) in [("022", 0o644), ("027", 0o640), ("000", 0o666)] {
        let report = dir.path().join(format!("report-{umask}.txt"));
        let decisions = dir.path().join(format!("decisions-{umask}.csv"));
        let out = run_with_umask(
            umask,
            &[
                "replay",
                "--policy",
                POLICY,
                "--tickets",
                TICKETS,
                "-o",
                s(&report),
                "--decisions",
                s(&decisions),
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert_eq!(mode(&report), expected, "report under umask {umask}");
        assert_eq!(mode(&decisions), expected, "decisions under umask {umask}");
    }
    // `test --record -o` and `diff --changes` go through the same door.
    let recorded = dir.path().join("recorded.yaml");
    let changes = dir.path().join("changes.csv");
    let out = run_with_umask(
        "022",
        &[
            "test",
            "--record",
            "--policy",
            POLICY,
            "--tickets",
            TICKETS,
            "-o",
            s(&recorded),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(mode(&recorded), 0o644);
    let out = run_with_umask(
        "022",
        &[
            "diff",
            POLICY,
            "fixtures/diff/support-proposed.yaml",
            "--tickets",
            TICKETS,
            "--changes",
            s(&changes),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(mode(&changes), 0o644);
    assert_eq!(leftovers(dir.path()), Vec::<String>::new());
}

/// Copies of the policy, tickets and a config in a temporary folder, for refusals.
struct Inputs {
    dir: tempfile::TempDir,
}

impl Inputs {
    fn new() -> Inputs {
        let dir = tempfile::tempdir().unwrap();
        std::fs::copy(root().join(POLICY), dir.path().join("policy.yaml")).unwrap();
        std::fs::copy(root().join(TICKETS), dir.path().join("tickets.csv")).unwrap();
        std::fs::write(dir.path().join("c.toml"), "[lint]\nignore = [\"H043\"]\n").unwrap();
        std::fs::write(dir.path().join("m.toml"), "[columns]\nid = \"id\"\n").unwrap();
        Inputs { dir }
    }
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).unwrap()
    }
    /// `replay` in this folder with the local copies.
    fn replay(&self, extra: &[&str]) -> Output {
        let mut args = vec![
            "replay",
            "--policy",
            "policy.yaml",
            "--tickets",
            "tickets.csv",
        ];
        args.extend_from_slice(extra);
        run_in(self.dir.path(), &args)
    }
    fn unchanged(&self) {
        assert_eq!(
            self.read("policy.yaml"),
            std::fs::read(root().join(POLICY)).unwrap()
        );
        assert_eq!(
            self.read("tickets.csv"),
            std::fs::read(root().join(TICKETS)).unwrap()
        );
        assert_eq!(self.read("c.toml"), b"[lint]\nignore = [\"H043\"]\n");
        assert_eq!(self.read("m.toml"), b"[columns]\nid = \"id\"\n");
        assert_eq!(leftovers(self.dir.path()), Vec::<String>::new());
    }
}

fn assert_refused(out: &Output, needle: &str) {
    assert_eq!(out.status.code(), Some(2), "{}", stderr(out));
    assert!(stderr(out).contains(needle), "{}", stderr(out));
    assert_eq!(stdout(out), "", "a refused run wrote its report");
}

#[test]
fn an_input_named_through_dot_slash_is_refused() {
    let inputs = Inputs::new();
    let out = inputs.replay(&["-o", "./tickets.csv"]);
    assert_refused(&out, "refusing to write ./tickets.csv");
    let name = inputs.dir.path().file_name().unwrap().to_str().unwrap();
    let out = inputs.replay(&["--decisions", &format!("../{name}/policy.yaml")]);
    assert_refused(&out, "the same file as --policy policy.yaml");
    inputs.unchanged();
}

#[cfg(unix)]
#[test]
fn an_input_named_through_a_symlink_is_refused() {
    let inputs = Inputs::new();
    std::os::unix::fs::symlink("tickets.csv", inputs.path("link.csv")).unwrap();
    let out = inputs.replay(&["--rejects", "link.csv"]);
    assert_refused(&out, "the same file as --tickets tickets.csv");
    inputs.unchanged();
}

#[test]
fn an_input_named_through_a_hard_link_is_refused() {
    let inputs = Inputs::new();
    std::fs::hard_link(inputs.path("tickets.csv"), inputs.path("hard.csv")).unwrap();
    let out = inputs.replay(&["--decisions", "hard.csv"]);
    assert_refused(&out, "the same file as --tickets tickets.csv");
    inputs.unchanged();
}

#[test]
fn the_config_is_an_input() {
    let inputs = Inputs::new();
    let out = inputs.replay(&["--config", "c.toml", "--output", "c.toml"]);
    assert_refused(&out, "the same file as --config c.toml");
    // The implicit ./handoff.toml too.
    std::fs::write(inputs.path("handoff.toml"), "[lint]\n").unwrap();
    let out = inputs.replay(&["--decisions", "handoff.toml"]);
    assert_refused(&out, "the same file as the configuration handoff.toml");
    assert_eq!(inputs.read("handoff.toml"), b"[lint]\n");
    inputs.unchanged();
}

#[test]
fn the_mapping_is_an_input() {
    let inputs = Inputs::new();
    let out = inputs.replay(&["--map", "m.toml", "--rejects", "m.toml"]);
    assert_refused(&out, "the same file as --map m.toml");
    inputs.unchanged();
}

#[test]
fn diff_and_record_refuse_their_inputs() {
    let inputs = Inputs::new();
    let out = run_in(
        inputs.dir.path(),
        &[
            "diff",
            "policy.yaml",
            &abs("fixtures/diff/support-proposed.yaml"),
            "--tickets",
            "tickets.csv",
            "--config",
            "c.toml",
            "--changes",
            "./c.toml",
        ],
    );
    assert_refused(&out, "the same file as --config c.toml");
    let out = run_in(
        inputs.dir.path(),
        &[
            "test",
            "--record",
            "--policy",
            "policy.yaml",
            "--tickets",
            "tickets.csv",
            "-o",
            "./policy.yaml",
        ],
    );
    assert_refused(&out, "the same file as --policy policy.yaml");
    inputs.unchanged();
}

#[test]
fn two_outputs_naming_one_file_are_refused() {
    let inputs = Inputs::new();
    let out = inputs.replay(&["--decisions", "out.csv", "--rejects", "./out.csv"]);
    assert_refused(&out, "--decisions and --rejects name the same file");
    assert!(!inputs.path("out.csv").exists());
    std::fs::write(inputs.path("a.csv"), "keep").unwrap();
    std::fs::hard_link(inputs.path("a.csv"), inputs.path("b.csv")).unwrap();
    let out = inputs.replay(&["--decisions", "a.csv", "-o", "b.csv"]);
    assert_refused(&out, "--decisions and --output name the same file");
    assert_eq!(inputs.read("a.csv"), b"keep");
    inputs.unchanged();
}

#[test]
fn dash_is_stdout_and_only_one_output_may_use_it() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let out = replay(&["--decisions", "-", "--format", "json", "-o", s(&report)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("id,line,decision,"));
    assert_eq!(stdout(&out).lines().count(), 301);
    assert!(
        std::fs::read_to_string(&report)
            .unwrap()
            .contains("\"report\"")
    );
    assert!(!root().join("-").exists(), "a file named - was written");
    // The report on stdout too: a usage error, nothing written.
    let out = replay(&["--decisions", "-"]);
    assert_refused(&out, "--decisions - and the report both write to stdout");
    let out = replay(&["--decisions", "-", "--rejects", "-", "-o", s(&report)]);
    assert_refused(&out, "--decisions - and --rejects - both write to stdout");
    // `-o -` is the report on stdout, as without -o.
    let out = replay(&["-o", "-"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("Replay of policy"));
}

#[test]
fn a_missing_folder_is_an_error_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("missing/decisions.csv");
    let out = replay(&["--decisions", s(&target)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("missing"),
        "the error names the folder: {}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn a_folder_is_not_an_output_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = replay(&["-o", s(dir.path())]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("is a directory"), "{}", stderr(&out));
}

/// Makes a folder read-only for the test's life: `chattr +i` as root (permissions do not stop
/// root), mode 0555 otherwise. `None` (with the reason printed) when neither works.
#[cfg(unix)]
struct ReadOnly(PathBuf, bool);

#[cfg(unix)]
impl ReadOnly {
    fn new(dir: &Path) -> Option<ReadOnly> {
        if is_root() {
            let ok = Command::new("chattr")
                .arg("+i")
                .arg(dir)
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            if !ok {
                eprintln!("skipped: chattr +i is not available here (root ignores permissions)");
                return None;
            }
            Some(ReadOnly(dir.to_path_buf(), true))
        } else {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o555)).unwrap();
            Some(ReadOnly(dir.to_path_buf(), false))
        }
    }
}

#[cfg(unix)]
impl Drop for ReadOnly {
    fn drop(&mut self) {
        if self.1 {
            let _ = Command::new("chattr").arg("-i").arg(&self.0).status();
        } else {
            let _ = std::fs::set_permissions(&self.0, std::fs::Permissions::from_mode(0o755));
        }
    }
}

#[cfg(unix)]
#[test]
fn a_read_only_folder_is_an_error_and_keeps_its_file() {
    let dir = tempfile::tempdir().unwrap();
    let locked = dir.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    let existing = locked.join("report.txt");
    std::fs::write(&existing, "keep").unwrap();
    let Some(guard) = ReadOnly::new(&locked) else {
        return;
    };
    let out = replay(&["-o", s(&existing)]);
    let new = replay(&["--decisions", s(&locked.join("new.csv"))]);
    drop(guard);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains(s(&locked)), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "keep");
    assert_eq!(new.status.code(), Some(2), "{}", stderr(&new));
    assert_eq!(leftovers(&locked), Vec::<String>::new());
    assert!(!locked.join("new.csv").exists());
}

/// Start a replay reading tickets from a pipe that stays open, wait until its `--decisions`
/// temporary file exists, send `signal`, and return how it ended.
#[cfg(unix)]
fn interrupted_replay(signal: &str) -> (std::process::ExitStatus, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let decisions = dir.path().join("decisions.csv");
    let mut child = handoff()
        .args([
            "replay",
            "--policy",
            POLICY,
            "--tickets",
            "-",
            "--decisions",
            s(&decisions),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let tickets = std::fs::read_to_string(root().join(TICKETS)).unwrap();
    input.write_all(tickets.as_bytes()).unwrap();
    input.flush().unwrap();
    // The input stays open: handoff waits for more tickets with its temporary file open.
    let started = Instant::now();
    while leftovers(dir.path()).is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no temporary file appeared"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(100));
    let status = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(status.success());
    let out = finish(child);
    drop(input);
    (out.status, dir)
}

#[cfg(unix)]
#[test]
fn sigterm_mid_write_leaves_no_temporary_file() {
    use std::os::unix::process::ExitStatusExt;
    let (status, dir) = interrupted_replay("TERM");
    assert!(
        status.signal() == Some(15) || status.code() == Some(143),
        "{status:?}"
    );
    assert_eq!(leftovers(dir.path()), Vec::<String>::new());
    assert!(!dir.path().join("decisions.csv").exists());
}

#[cfg(unix)]
#[test]
fn sigint_mid_write_leaves_no_temporary_file() {
    use std::os::unix::process::ExitStatusExt;
    let (status, dir) = interrupted_replay("INT");
    assert!(
        status.signal() == Some(2) || status.code() == Some(130),
        "{status:?}"
    );
    assert_eq!(leftovers(dir.path()), Vec::<String>::new());
}

// ---------------------------------------------------------------------------------------------
// Item 2: a closed pipe never turns a failing check green.
// ---------------------------------------------------------------------------------------------

/// Run with stdout a pipe whose reading end is closed before handoff writes, as `| head -c0`.
fn closed_stdout(args: &[&str]) -> Output {
    let mut child = handoff()
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn handoff");
    drop(child.stdout.take());
    finish(child)
}

#[test]
fn lint_errors_still_fail_through_a_closed_pipe() {
    for format in ["github", "human", "json", "sarif"] {
        let out = closed_stdout(&["lint", "fixtures/lint/h010-fail.yaml", "--format", format]);
        assert_eq!(out.status.code(), Some(1), "{format}: {}", stderr(&out));
        // The verdict the reader missed is on stderr.
        assert!(
            stderr(&out).contains("1 error"),
            "{format}: {}",
            stderr(&out)
        );
    }
    let out = closed_stdout(&["lint", "fixtures/lint/h010-pass.yaml"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn replay_fail_if_still_fails_through_a_closed_pipe() {
    let out = closed_stdout(&[
        "replay",
        "--policy",
        POLICY,
        "--tickets",
        TICKETS,
        "--fail-if",
        "escalation_rate > 0.1",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("fail-if met: escalation_rate"),
        "{}",
        stderr(&out)
    );
    let out = closed_stdout(&[
        "replay",
        "--policy",
        POLICY,
        "--tickets",
        TICKETS,
        "--fail-if",
        "escalation_rate > 0.99",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out), "");
}

#[test]
fn replay_decisions_on_a_closed_stdout_keep_the_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.txt");
    let out = closed_stdout(&[
        "replay",
        "--policy",
        POLICY,
        "--tickets",
        TICKETS,
        "--decisions",
        "-",
        "-o",
        s(&report),
        "--fail-if",
        "escalation_rate > 0.1",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("fail-if met"), "{}", stderr(&out));
    assert!(
        std::fs::read_to_string(&report)
            .unwrap()
            .starts_with("Replay of policy")
    );
    assert!(!root().join("-").exists(), "a file named - was written");
}

#[test]
fn diff_fail_if_still_fails_through_a_closed_pipe() {
    let out = closed_stdout(&[
        "diff",
        POLICY,
        "fixtures/diff/support-proposed.yaml",
        "--tickets",
        TICKETS,
        "--fail-if",
        "escalation_rate > 0.1",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("fail-if met"), "{}", stderr(&out));
    let out = closed_stdout(&[
        "diff",
        POLICY,
        "fixtures/diff/support-proposed.yaml",
        "--tickets",
        TICKETS,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn sweep_through_a_closed_pipe_keeps_its_code() {
    let sweep = |extra: &[&str]| {
        let mut args = vec![
            "sweep",
            "--policy",
            POLICY,
            "--tickets",
            TICKETS,
            "--rule",
            "low-confidence",
            "--param",
            "confidence.below",
            "--from",
            "0.5",
            "--to",
            "0.9",
            "--step",
            "0.1",
        ];
        args.extend_from_slice(extra);
        closed_stdout(&args)
    };
    for format in ["table", "json", "csv"] {
        let out = sweep(&["--format", format]);
        assert_eq!(out.status.code(), Some(0), "{format}: {}", stderr(&out));
        assert_eq!(stderr(&out), "", "{format}");
    }
    // An error is still an error.
    let out = sweep(&["--rule", "no-such-rule"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[test]
fn a_failing_policy_test_still_fails_through_a_closed_pipe() {
    let out = closed_stdout(&["test", "fixtures/policy-tests/failing.yaml"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("passed, "), "{}", stderr(&out));
    let out = closed_stdout(&["test", "policies/tests/support.yaml"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn verbs_without_a_verdict_end_quietly_on_a_closed_pipe() {
    for args in [
        vec!["rules"],
        vec!["schema"],
        vec!["gen", "--rows", "5000"],
        vec!["explain", "--policy", POLICY, "--ticket", "confidence=0.2"],
    ] {
        let out = closed_stdout(&args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        assert_eq!(stderr(&out), "", "{args:?}");
    }
}

#[cfg(unix)]
#[test]
fn a_shell_pipefail_sees_the_verdict() {
    // The reader closes its end at once (`exec 0<&-`) and stays alive, so every write of
    // handoff meets a closed pipe, as with `| head -2` on a long report.
    let script = format!(
        "set -o pipefail || exit 99; \"{bin}\" lint fixtures/lint/h010-fail.yaml --format github | {{ exec 0<&-; sleep 0.5; }}",
        bin = bin()
    );
    let out = Command::new("bash")
        .current_dir(root())
        .arg("-c")
        .arg(&script)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}

#[cfg(unix)]
#[test]
fn a_fifo_output_whose_reader_leaves_is_an_error() {
    // Not stdout: losing the decisions is a failure (exit 2), not a reader's choice.
    let dir = tempfile::tempdir().unwrap();
    let pipe = fifo(dir.path(), "d.fifo");
    let reader = {
        let pipe = pipe.clone();
        std::thread::spawn(move || {
            let mut file = std::fs::File::open(&pipe).unwrap();
            let mut first = [0u8; 16];
            file.read_exact(&mut first).unwrap();
        })
    };
    let mut args = vec!["replay", "--policy", POLICY, "--tickets"];
    let big = dir.path().join("big.csv");
    let generated = Command::new(bin())
        .args(["gen", "--rows", "20000"])
        .output()
        .unwrap();
    std::fs::write(&big, &generated.stdout).unwrap();
    args.push(s(&big));
    args.extend(["--decisions", s(&pipe)]);
    let out = run(&args);
    assert!(
        std::fs::symlink_metadata(&pipe)
            .unwrap()
            .file_type()
            .is_fifo(),
        "the FIFO was replaced"
    );
    reader.join().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains(s(&pipe)), "{}", stderr(&out));
}

// ---------------------------------------------------------------------------------------------
// Item 3: -q everywhere; progress for diff and sweep.
// ---------------------------------------------------------------------------------------------

#[test]
fn every_verb_accepts_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let recorded = dir.path().join("recorded.yaml");
    let started = dir.path().join("starter.yaml");
    let cases: Vec<Vec<&str>> = vec![
        vec!["lint", "-q", "fixtures/lint/h010-pass.yaml"],
        vec!["replay", "-q", "--policy", POLICY, "--tickets", TICKETS],
        vec![
            "replay",
            "--quiet",
            "--policy",
            POLICY,
            "--tickets",
            TICKETS,
        ],
        vec![
            "diff",
            "-q",
            POLICY,
            "fixtures/diff/support-proposed.yaml",
            "--tickets",
            TICKETS,
        ],
        vec![
            "explain",
            "-q",
            "--policy",
            POLICY,
            "--ticket",
            "confidence=0.2",
        ],
        vec!["gen", "-q", "--rows", "3"],
        vec![
            "sweep",
            "-q",
            "--policy",
            POLICY,
            "--tickets",
            TICKETS,
            "--rule",
            "low-confidence",
            "--param",
            "confidence.below",
            "--from",
            "0.5",
            "--to",
            "0.6",
            "--step",
            "0.1",
        ],
        vec!["test", "-q", "policies/tests/support.yaml"],
        vec![
            "test",
            "-q",
            "--record",
            "--policy",
            POLICY,
            "--tickets",
            TICKETS,
            "-o",
            s(&recorded),
        ],
        vec!["rules", "-q"],
        vec!["schema", "-q"],
        vec!["init", "-q", s(&started)],
        vec!["-q", "rules", "H040"],
    ];
    for args in cases {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        assert_eq!(stderr(&out), "", "{args:?} printed on stderr under -q");
    }
    // Quiet never hides an error or a verdict.
    let out = run(&["lint", "-q", "fixtures/lint/h010-fail.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    let out = replay(&["-q", "--fail-if", "escalation_rate > 0.1"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("fail-if met"), "{}", stderr(&out));
    let out = run(&[
        "replay",
        "-q",
        "--policy",
        "missing.yaml",
        "--tickets",
        TICKETS,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).starts_with("error:"), "{}", stderr(&out));
}

#[test]
fn informational_lines_show_without_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let recorded = dir.path().join("recorded.yaml");
    let out = run(&[
        "test",
        "--record",
        "--policy",
        POLICY,
        "--tickets",
        TICKETS,
        "-o",
        s(&recorded),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).starts_with("wrote "), "{}", stderr(&out));
}

/// Run a shell command line under a pseudo-terminal (`script`), returning what the terminal
/// showed, or `None` (with the reason printed) when `script` is missing.
#[cfg(unix)]
fn on_a_terminal(command: &str) -> Option<String> {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: `script` (util-linux) is not installed");
        return None;
    }
    let child = Command::new("script")
        .current_dir(root())
        .args(["-qefc", command, "/dev/null"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = finish(child);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    Some(stdout(&out))
}

/// A shell line that feeds the example tickets to `handoff ARGS --tickets -` in two halves, 2 s
/// apart, so the run outlives the progress bar's one-second delay.
#[cfg(unix)]
fn slow_stdin(args: &str) -> String {
    format!(
        "(head -c 4000 {TICKETS}; sleep 2; tail -c +4001 {TICKETS}) | \"{bin}\" {args} --tickets - >/dev/null",
        bin = bin()
    )
}

#[cfg(unix)]
#[test]
fn diff_and_sweep_show_progress_on_a_terminal() {
    let sweep = "sweep --policy policies/support.yaml --rule low-confidence --param confidence.below --from 0.5 --to 0.9 --step 0.1";
    let diff = "diff policies/support.yaml fixtures/diff/support-proposed.yaml";
    for (args, verb) in [
        (sweep, "sweeping"),
        (diff, "diffing"),
        ("replay --policy policies/support.yaml", "replaying"),
    ] {
        let Some(screen) = on_a_terminal(&slow_stdin(args)) else {
            return;
        };
        assert!(screen.contains(verb), "{verb}: {screen:?}");
        // Standard input has no size: the bar counts bytes read, not a finished-looking total.
        assert!(screen.contains("read"), "{verb}: {screen:?}");
        let total = screen
            .match_indices("B/")
            .any(|(i, _)| screen[i + 2..].starts_with(|c: char| c.is_ascii_digit()));
        assert!(!total, "{verb} showed a total: {screen:?}");
        let Some(quiet) = on_a_terminal(&slow_stdin(&format!("{args} -q"))) else {
            return;
        };
        assert!(!quiet.contains(verb), "{verb} -q: {quiet:?}");
    }
}

#[cfg(target_os = "linux")]
#[test]
fn dev_stdout_is_written_in_place() {
    // /dev/stdout is a chain of links into /proc whose last hop (`pipe:[…]`) is no path: it
    // must be opened, not resolved and replaced.
    let out = replay(&["-o", "/dev/stdout", "--decisions", "/dev/stderr"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("Replay of policy"),
        "{}",
        stdout(&out)
    );
    assert!(stderr(&out).starts_with("id,line,decision,"));
    // Redirected to a file, the file the shell opened is written (same inode, not replaced).
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.txt");
    std::fs::write(&report, "").unwrap();
    let inode = std::fs::metadata(&report).unwrap().ino();
    let status = Command::new("sh")
        .current_dir(root())
        .arg("-c")
        .arg(format!(
            "\"$0\" replay --policy {POLICY} --tickets {TICKETS} -o /dev/stdout >> \"$1\""
        ))
        .arg(bin())
        .arg(&report)
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(std::fs::metadata(&report).unwrap().ino(), inode, "replaced");
    assert!(
        std::fs::read_to_string(&report)
            .unwrap()
            .starts_with("Replay of policy")
    );
    assert_eq!(leftovers(dir.path()), Vec::<String>::new());
}
