//! The physical floor for `handoff replay`: read every record of a CSV file with the `csv`
//! crate into one reused `ByteRecord` and do nothing else. `bench/run.sh` compares replay's
//! throughput with this pass on the same file.
//!
//! `cargo build --release --examples && target/release/examples/csv_floor FILE`

use std::fs::File;
use std::io::BufReader;
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(path) = std::env::args_os().nth(1) else {
        eprintln!("usage: csv_floor FILE.csv");
        return ExitCode::from(2);
    };
    let file = match File::open(&path) {
        Ok(file) => file,
        Err(e) => {
            eprintln!("cannot open {}: {e}", path.to_string_lossy());
            return ExitCode::from(2);
        }
    };
    // The same reader set-up as replay: a 64 KiB buffer, a header, flexible records.
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_reader(BufReader::with_capacity(1 << 16, file));
    let mut record = csv::ByteRecord::new();
    let mut count: u64 = 0;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => count += 1,
            Ok(false) => break,
            Err(e) => {
                eprintln!("{}: {e}", path.to_string_lossy());
                return ExitCode::from(2);
            }
        }
    }
    println!("{count}");
    ExitCode::SUCCESS
}
