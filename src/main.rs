//! The `garita` binary: parse the command line, call the library, map errors to exit codes
//! (0 success, 1 runtime or I/O failure, 2 bad command line or invalid scenario).

mod cli;

use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let result = match cli::parse() {
        cli::Action::Run(cfg) => garita::app::run(&cfg),
        cli::Action::Check(files) => garita::app::check(&files),
        cli::Action::Plot(cfg) => garita::app::plot(&cfg),
        cli::Action::Report(cfg) => garita::app::report(&cfg),
        cli::Action::Compare(cfg) => garita::app::compare(&cfg),
        cli::Action::Sweep(cfg) => garita::app::sweep(&cfg),
        cli::Action::Merge(cfg) => garita::app::merge(&cfg),
        cli::Action::Staff(args) => garita::app::staff(&args),
        cli::Action::Pilot(args) => garita::app::pilot(&args),
        cli::Action::Serve(cfg) => garita::app::serve(&cfg),
        cli::Action::Validate(args) => garita::app::validate(&args),
        cli::Action::Calibrate(args) => garita::app::calibrate(&args),
    };
    match result {
        Ok(text) => {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(text.as_bytes());
            ExitCode::SUCCESS
        }
        Err(e) => {
            let mut msg = format!("error: {e}");
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                let text = s.to_string();
                if !msg.contains(&text) {
                    msg.push_str(&format!("\n  caused by: {text}"));
                }
                source = s.source();
            }
            eprintln!("{msg}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}
