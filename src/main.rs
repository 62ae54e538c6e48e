//! The `govscan` binary: everything lives in the library; see [`govscan::cli`].

fn main() {
    limit_malloc_arenas();
    std::process::exit(govscan::cli::main());
}

/// glibc's malloc gives each thread that allocates its own arena (up to 8 per core), and
/// memory freed in one arena is seldom returned to the system: a scan judging sites on the
/// runtime's and the blocking pool's threads in turn kept about twice the memory it used
/// (a 40-site, 84,640-page scan peaked at 493 MiB with the default, 257 MiB with two arenas,
/// at the same speed). Two arenas, as `MALLOC_ARENA_MAX=2` would set; an explicit
/// `MALLOC_ARENA_MAX` in the environment wins.
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt only sets a malloc parameter; called before any other thread exists.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 2);
        }
    }
}
