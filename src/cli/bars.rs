//! Progress on stderr, only when stderr is a terminal: one spinner for `check` and `demo`, one
//! line per site in progress plus a total for `scan`.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::crawl::{NoObserver, Observer, Progress};

/// The progress bar of one site on stderr (only on a terminal).
pub struct ProgressBar {
    bar: Option<indicatif::ProgressBar>,
}

struct BarObserver(indicatif::ProgressBar);

impl Observer for BarObserver {
    fn progress(&self, _site: &str, p: Progress) {
        self.0.set_message(format!(
            "页面 {} · 队列 {} · 已检查链接 {} · 错误 {}",
            p.pages, p.queued, p.checked, p.errors
        ));
        self.0.tick();
    }
}

impl ProgressBar {
    pub fn start(site: &str) -> ProgressBar {
        if !std::io::stderr().is_terminal() {
            return ProgressBar { bar: None };
        }
        let bar = indicatif::ProgressBar::new_spinner();
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{spinner} {prefix} [{elapsed}] {msg}")
        {
            bar.set_style(style);
        }
        bar.set_prefix(site.to_string());
        bar.enable_steady_tick(Duration::from_millis(120));
        ProgressBar { bar: Some(bar) }
    }

    pub fn observer(&self) -> Arc<dyn Observer> {
        match &self.bar {
            Some(b) => Arc::new(BarObserver(b.clone())),
            None => Arc::new(NoObserver),
        }
    }

    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

/// The scan's progress: a line per site in progress, and the total.
pub struct ScanBars {
    bars: Option<Arc<Bars>>,
}

struct Bars {
    multi: indicatif::MultiProgress,
    sites: Mutex<HashMap<String, indicatif::ProgressBar>>,
    total: indicatif::ProgressBar,
}

impl Observer for Bars {
    fn progress(&self, site: &str, p: Progress) {
        let Ok(mut map) = self.sites.lock() else {
            return;
        };
        if p.done {
            if let Some(b) = map.remove(site) {
                b.finish_and_clear();
                self.multi.remove(&b);
            }
            self.total.inc(1);
            return;
        }
        let bar = map.entry(site.to_string()).or_insert_with(|| {
            let b = self
                .multi
                .insert_before(&self.total, indicatif::ProgressBar::new_spinner());
            if let Ok(style) =
                indicatif::ProgressStyle::with_template("{spinner} {prefix:20} [{elapsed}] {msg}")
            {
                b.set_style(style);
            }
            b.set_prefix(site.to_string());
            b.enable_steady_tick(Duration::from_millis(150));
            b
        });
        bar.set_message(format!(
            "页面 {} · 队列 {} · 链接 {} · 错误 {}",
            p.pages, p.queued, p.checked, p.errors
        ));
    }
}

impl ScanBars {
    /// The bars, when stderr is a terminal.
    pub fn start() -> ScanBars {
        if !std::io::stderr().is_terminal() {
            return ScanBars { bars: None };
        }
        let multi = indicatif::MultiProgress::new();
        let total = multi.add(indicatif::ProgressBar::new_spinner());
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("  合计 [{elapsed}] {pos} 个站点完成")
        {
            total.set_style(style);
        }
        ScanBars {
            bars: Some(Arc::new(Bars {
                multi,
                sites: Mutex::new(HashMap::new()),
                total,
            })),
        }
    }

    /// What the scan reports its progress to.
    pub fn observer(&self) -> Arc<dyn Observer> {
        match &self.bars {
            Some(b) => b.clone(),
            None => Arc::new(NoObserver),
        }
    }

    /// Clear the bars.
    pub fn finish(&self) {
        if let Some(b) = &self.bars {
            b.total.finish_and_clear();
        }
    }
}
