//! The `govscan` binary: everything lives in the library; see [`govscan::cli`].

fn main() {
    std::process::exit(govscan::cli::main());
}
