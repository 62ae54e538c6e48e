#!/bin/sh
# Peak RSS, pages/s and store size of a real `govscan scan` process against generated sites
# served on loopback (see examples/scan_rss.rs). Release build.
#
#   scripts/bench-scan-rss.sh                                   # 40 sites x 2116 pages (~84,600)
#   BENCH_SITES=1 BENCH_PAGES=200000 scripts/bench-scan-rss.sh  # one 200,000-page site
#   BENCH_SITES=1 BENCH_PAGES=2000 scripts/bench-scan-rss.sh    # one 2,000-page site
set -eu
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
cargo build --release --locked --bin govscan --example scan_rss
exec "$target/release/examples/scan_rss" "$target/release/govscan"
