//! The command line: every subcommand and flag defined in one place, and the exit statuses.

/// Run the command line; returns the process exit status.
pub fn main() -> i32 {
    0
}
