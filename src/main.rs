//! The `govscan` binary: everything lives in the library; see [`govscan::cli`].

fn main() {
    tune_malloc();
    std::process::exit(govscan::cli::main());
}

/// glibc's malloc gives each thread that allocates its own arena (up to 8 per core), and
/// memory freed in one arena is seldom returned to the system: a scan judging sites on the
/// runtime's and the blocking pool's threads in turn kept about twice the memory it used
/// (a 40-site, 84,640-page scan peaked at 493 MiB with the default, 257 MiB with two arenas,
/// at the same speed). Two arenas, as `MALLOC_ARENA_MAX=2` would set; an explicit
/// `MALLOC_ARENA_MAX` in the environment wins.
fn tune_malloc() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt only sets a malloc parameter; called before any other thread exists.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 2);
        }
    }
    // Freed memory between live blocks is not returned by `free` (only the top of a heap is
    // trimmed), and over a long crawl the holes add up; `malloc_trim` gives back every free
    // page of every arena. Once a second, from a thread of its own (it takes each arena's
    // lock for a moment): one 2,000-page site's scan peaked at 64 MiB with it and 72 without,
    // at the same pages/s. Fixing glibc's mmap and trim thresholds instead (no dynamic
    // adjustment) did as well for memory but cost about 30 % of pages/s (compression
    // contexts and other blocks over 128 KiB were mapped and zeroed afresh each time).
    // `GOVSCAN_NO_MALLOC_TRIM` turns it off.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("GOVSCAN_NO_MALLOC_TRIM").is_none() {
        let _ = std::thread::Builder::new()
            .name("malloc-trim".into())
            .spawn(|| loop {
                std::thread::sleep(std::time::Duration::from_secs(1));
                // SAFETY: malloc_trim only returns free memory to the system.
                unsafe {
                    libc::malloc_trim(0);
                }
            });
    }
}
