//! The per-site frontier: a queue of work plus the set of URLs already seen, marked when they
//! are enqueued (so a URL is never fetched twice), and the protections against endless URL
//! spaces (calendars, filters, session ids, repeated path segments).

use std::collections::{HashMap, HashSet, VecDeque};

use url::Url;

/// What to do with a URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskKind {
    /// Fetch with GET, parse, follow its links.
    Page,
    /// Check only: HEAD, falling back to GET.
    Check,
}

/// One unit of work.
#[derive(Debug, Clone)]
pub struct Task {
    pub url: Url,
    pub key: String,
    pub depth: u32,
    pub kind: TaskKind,
    pub internal: bool,
    /// A link to another site followed by visitors (`<a>`, `<area>`, frames): its target's
    /// title and text are sampled (see [`super::types::TargetSample`]).
    pub sample: bool,
}

/// Why a URL was not crawled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trap {
    TooLong,
    RepeatedSegments,
    QueryVariants,
    FarFutureDate,
}

impl Trap {
    /// Chinese description for reports.
    pub fn zh(&self) -> &'static str {
        match self {
            Trap::TooLong => "疑似爬虫陷阱：网址过长",
            Trap::RepeatedSegments => "疑似爬虫陷阱：路径重复",
            Trap::QueryVariants => "疑似爬虫陷阱：同一路径参数组合过多（如日历、筛选）",
            Trap::FarFutureDate => "疑似爬虫陷阱：远期日期（日历）",
        }
    }
}

/// The queue and the seen set of one site. The seen set keeps a 64-bit hash of each key, not
/// the key (8 bytes a URL instead of the URL: a site of a million URLs takes about 16 MiB); two
/// different URLs of one site share a hash with a probability of about n²/2⁶⁵ (one in 37
/// million for a million URLs), and then the second is not crawled.
#[derive(Debug, Default)]
pub struct Frontier {
    queue: VecDeque<Task>,
    seen: HashSet<u64>,
    /// Query strings seen per host and path (by the hash of host and path).
    query_variants: HashMap<u64, usize>,
    /// Page tasks ever enqueued (the page budget counts these).
    pub pages_enqueued: usize,
    /// Check tasks ever enqueued (the link budget counts these).
    pub checks_enqueued: usize,
}

impl Frontier {
    /// Mark a key seen; false when it was seen before.
    pub fn mark(&mut self, key: &str) -> bool {
        self.seen.insert(hash(key))
    }

    /// Whether a key was seen.
    pub fn seen(&self, key: &str) -> bool {
        self.seen.contains(&hash(key))
    }

    /// Add a task (its key must have been marked).
    pub fn push(&mut self, task: Task) {
        match task.kind {
            TaskKind::Page => self.pages_enqueued += 1,
            TaskKind::Check => self.checks_enqueued += 1,
        }
        self.queue.push_back(task);
    }

    /// Next task.
    pub fn pop(&mut self) -> Option<Task> {
        self.queue.pop_front()
    }

    /// Tasks waiting.
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    /// Nothing waiting.
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Whether crawling this URL looks like walking into a trap. Counts query variants of a
    /// path as a side effect, so call it once per new URL.
    pub fn trap(
        &mut self,
        url: &Url,
        max_len: usize,
        max_variants: usize,
        max_year: i32,
    ) -> Option<Trap> {
        if url.as_str().len() > max_len {
            return Some(Trap::TooLong);
        }
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for seg in url.path().split('/').filter(|s| !s.is_empty()) {
            let c = counts.entry(seg).or_insert(0);
            *c += 1;
            if *c >= 3 {
                return Some(Trap::RepeatedSegments);
            }
        }
        if url.query().is_some() {
            for (k, v) in url.query_pairs() {
                let k = k.to_ascii_lowercase();
                let date_like = ["year", "month", "date", "day", "cal", "ym", "time"]
                    .iter()
                    .any(|n| k.contains(n));
                if date_like && year_in(&v).is_some_and(|y| y > max_year) {
                    return Some(Trap::FarFutureDate);
                }
            }
            let key = hash(&format!("{}{}", url.host_str().unwrap_or(""), url.path()));
            let n = self.query_variants.entry(key).or_insert(0);
            *n += 1;
            if *n > max_variants {
                return Some(Trap::QueryVariants);
            }
        }
        None
    }
}

/// The seen set's hash of a key.
fn hash(key: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(key.as_bytes())
}

/// A plausible year at the start of a value such as `2031`, `2031-05` or `203105`.
fn year_in(v: &str) -> Option<i32> {
    let digits: String = v.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.len() >= 4 {
        digits[..4]
            .parse()
            .ok()
            .filter(|y| (1000..10000).contains(y))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn marks_once() {
        let mut f = Frontier::default();
        assert!(f.mark("a"));
        assert!(!f.mark("a"));
    }

    #[test]
    fn traps() {
        let mut f = Frontier::default();
        assert_eq!(
            f.trap(&u("http://x/a/b/a/b/a/"), 1000, 5, 2027),
            Some(Trap::RepeatedSegments)
        );
        assert_eq!(
            f.trap(&u("http://x/cal?year=2031"), 1000, 5, 2027),
            Some(Trap::FarFutureDate)
        );
        assert_eq!(f.trap(&u("http://x/cal?year=2026"), 1000, 5, 2027), None);
        for i in 0..5 {
            assert_eq!(
                f.trap(&u(&format!("http://x/list?page={i}")), 1000, 5, 2027),
                None
            );
        }
        assert_eq!(
            f.trap(&u("http://x/list?page=9"), 1000, 5, 2027),
            Some(Trap::QueryVariants)
        );
        assert_eq!(
            f.trap(&u("http://x/list?page=10"), 1000, 5, 2027),
            Some(Trap::QueryVariants)
        );
        assert_eq!(
            f.trap(&u("http://x/aaaaaaaaaaaaaaaa"), 10, 5, 2027),
            Some(Trap::TooLong)
        );
        assert_eq!(
            f.trap(&u("http://x/news/2026/11/a.html"), 1000, 5, 2027),
            None
        );
    }
}
