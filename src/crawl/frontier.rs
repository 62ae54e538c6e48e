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
///
/// The queue keeps at most about two [`SPILL_CHUNK`]s of tasks in memory, each as its URL and
/// a few flags; the tasks queued beyond that wait in an anonymous temporary file, in chunks,
/// read back in order when the ones in memory are done. A large site early in its crawl has
/// discovered far more URLs than it has fetched: they cost disk, not memory. Order is kept:
/// `head`, then the spilled chunks, then `tail`.
#[derive(Debug, Default)]
pub struct Frontier {
    /// The next tasks, in order.
    head: VecDeque<Queued>,
    /// Chunks of tasks written to the spill file, after `head`, before `tail`.
    spill: Option<Spill>,
    /// The latest tasks, after the spilled ones.
    tail: Vec<Queued>,
    seen: HashSet<u64>,
    /// Query strings seen per host and path (by the hash of host and path).
    query_variants: HashMap<u64, usize>,
    /// Page tasks ever enqueued (the page budget counts these).
    pub pages_enqueued: usize,
    /// Check tasks ever enqueued (the link budget counts these).
    pub checks_enqueued: usize,
    /// Tasks lost because the spill file could not be read back (each is logged; the site's
    /// facts say that tasks were lost).
    pub lost: usize,
}

/// Tasks queued in memory beyond which new ones go to the spill file, and the size of a
/// spilled chunk.
pub const SPILL_CHUNK: usize = 1024;

/// A queued task: the canonical URL (its key) and what to do with it. The URL is parsed again
/// when the task is taken.
#[derive(Debug, Clone)]
struct Queued {
    key: Box<str>,
    depth: u32,
    flags: u8,
}

const PAGE: u8 = 1;
const INTERNAL: u8 = 2;
const SAMPLE: u8 = 4;

impl Queued {
    fn of(task: Task) -> Queued {
        let mut flags = 0;
        if task.kind == TaskKind::Page {
            flags |= PAGE;
        }
        if task.internal {
            flags |= INTERNAL;
        }
        if task.sample {
            flags |= SAMPLE;
        }
        // The key is the URL's serialisation everywhere a task is made; keep the URL if not.
        let key = if task.key == task.url.as_str() {
            task.key
        } else {
            task.url.to_string()
        };
        Queued {
            key: key.into_boxed_str(),
            depth: task.depth,
            flags,
        }
    }

    fn task(self) -> Option<Task> {
        let url = Url::parse(&self.key).ok()?;
        Some(Task {
            url,
            key: self.key.into_string(),
            depth: self.depth,
            kind: if self.flags & PAGE != 0 {
                TaskKind::Page
            } else {
                TaskKind::Check
            },
            internal: self.flags & INTERNAL != 0,
            sample: self.flags & SAMPLE != 0,
        })
    }
}

/// The spill file: an anonymous temporary file (gone when dropped) holding chunks of tasks
/// back to back, and where each chunk not yet read back starts and how long it is.
#[derive(Debug)]
struct Spill {
    file: std::fs::File,
    chunks: VecDeque<(u64, usize, usize)>,
    end: u64,
}

impl Spill {
    fn open() -> std::io::Result<Spill> {
        Ok(Spill {
            file: tempfile::tempfile()?,
            chunks: VecDeque::new(),
            end: 0,
        })
    }

    /// Append a chunk (length-prefixed URLs with their depth and flags).
    fn write(&mut self, tasks: &[Queued]) -> std::io::Result<()> {
        use std::io::{Seek, SeekFrom, Write};
        let mut buf = Vec::with_capacity(tasks.iter().map(|t| t.key.len() + 9).sum());
        for t in tasks {
            buf.extend_from_slice(&t.depth.to_le_bytes());
            buf.push(t.flags);
            buf.extend_from_slice(&(t.key.len() as u32).to_le_bytes());
            buf.extend_from_slice(t.key.as_bytes());
        }
        self.file.seek(SeekFrom::Start(self.end))?;
        self.file.write_all(&buf)?;
        self.chunks.push_back((self.end, buf.len(), tasks.len()));
        self.end += buf.len() as u64;
        Ok(())
    }

    /// Read the oldest chunk back. `Err` carries how many tasks it held.
    fn read(&mut self) -> Option<Result<Vec<Queued>, usize>> {
        use std::io::{Read, Seek, SeekFrom};
        let (start, len, count) = self.chunks.pop_front()?;
        let mut buf = vec![0u8; len];
        let read = self
            .file
            .seek(SeekFrom::Start(start))
            .and_then(|_| self.file.read_exact(&mut buf));
        if let Err(e) = read {
            tracing::error!(error = %e, tasks = count, "could not read queued URLs back from the frontier's spill file");
            return Some(Err(count));
        }
        if self.chunks.is_empty() {
            // Everything written was read: start the file over.
            self.end = 0;
            if let Err(e) = self.file.set_len(0) {
                tracing::debug!(error = %e, "could not truncate the frontier's spill file");
            }
        }
        Some(decode_chunk(&buf).ok_or(count))
    }

    fn len(&self) -> usize {
        self.chunks.iter().map(|c| c.2).sum()
    }
}

fn decode_chunk(mut buf: &[u8]) -> Option<Vec<Queued>> {
    let mut out = Vec::new();
    while !buf.is_empty() {
        let depth = u32::from_le_bytes(buf.get(0..4)?.try_into().ok()?);
        let flags = *buf.get(4)?;
        let len = u32::from_le_bytes(buf.get(5..9)?.try_into().ok()?) as usize;
        let key = std::str::from_utf8(buf.get(9..9 + len)?).ok()?;
        out.push(Queued {
            key: key.into(),
            depth,
            flags,
        });
        buf = &buf[9 + len..];
    }
    Some(out)
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
        let q = Queued::of(task);
        if self.spill.as_ref().is_none_or(|s| s.chunks.is_empty())
            && self.tail.is_empty()
            && self.head.len() < SPILL_CHUNK
        {
            self.head.push_back(q);
            return;
        }
        self.tail.push(q);
        if self.tail.len() >= SPILL_CHUNK {
            self.spill_tail();
        }
    }

    /// Move the tail to the spill file (kept in memory if the file cannot be written).
    fn spill_tail(&mut self) {
        if self.spill.is_none() {
            match Spill::open() {
                Ok(s) => self.spill = Some(s),
                Err(e) => {
                    tracing::warn!(error = %e, "no temporary file for the frontier: queued URLs stay in memory");
                    return;
                }
            }
        }
        let Some(spill) = self.spill.as_mut() else {
            return;
        };
        match spill.write(&self.tail) {
            Ok(()) => self.tail.clear(),
            Err(e) => {
                tracing::warn!(error = %e, "could not write queued URLs to the frontier's spill file: they stay in memory");
            }
        }
    }

    /// Next task.
    pub fn pop(&mut self) -> Option<Task> {
        loop {
            if self.head.is_empty() {
                match self.spill.as_mut().and_then(Spill::read) {
                    Some(Ok(chunk)) => self.head.extend(chunk),
                    Some(Err(lost)) => {
                        self.lost += lost;
                        continue;
                    }
                    None => self.head.extend(self.tail.drain(..)),
                }
            }
            let q = self.head.pop_front()?;
            let key = q.key.clone();
            match q.task() {
                Some(t) => return Some(t),
                None => {
                    tracing::error!(url = %key, "a queued URL no longer parses; skipped");
                    self.lost += 1;
                }
            }
        }
    }

    /// Tasks waiting.
    pub fn len(&self) -> usize {
        self.head.len() + self.tail.len() + self.spill.as_ref().map_or(0, Spill::len)
    }

    /// Nothing waiting.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
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

    fn task(i: usize, kind: TaskKind) -> Task {
        let url = u(&format!("http://x/p/{i}.html"));
        Task {
            key: url.to_string(),
            url,
            depth: i as u32 % 7,
            kind,
            internal: i.is_multiple_of(2),
            sample: i.is_multiple_of(3),
        }
    }

    #[test]
    fn a_long_queue_spills_to_disk_and_comes_back_in_order() {
        let mut f = Frontier::default();
        let n = SPILL_CHUNK * 5 + 17;
        let mut popped = Vec::new();
        for i in 0..n {
            f.push(task(
                i,
                if i.is_multiple_of(4) {
                    TaskKind::Check
                } else {
                    TaskKind::Page
                },
            ));
            // Take one now and then, as workers do while the crawl discovers more.
            if i.is_multiple_of(3) {
                popped.push(f.pop().unwrap());
            }
            assert!(f.head.len() + f.tail.len() <= 2 * SPILL_CHUNK);
        }
        assert!(f.spill.as_ref().is_some_and(|s| s.end > 0));
        assert_eq!(f.len(), n - popped.len());
        while let Some(t) = f.pop() {
            popped.push(t);
        }
        assert!(f.is_empty());
        assert_eq!(f.lost, 0);
        assert_eq!(popped.len(), n);
        for (i, t) in popped.iter().enumerate() {
            let want = task(
                i,
                if i.is_multiple_of(4) {
                    TaskKind::Check
                } else {
                    TaskKind::Page
                },
            );
            assert_eq!(
                (&t.key, t.depth, t.kind, t.internal, t.sample),
                (&want.key, want.depth, want.kind, want.internal, want.sample)
            );
            assert_eq!(t.url, want.url);
        }
        assert_eq!(f.pages_enqueued + f.checks_enqueued, n);
        // Emptied: the file starts over.
        assert_eq!(f.spill.as_ref().map(|s| s.end), Some(0));
    }

    #[test]
    fn a_damaged_spill_chunk_is_counted_as_lost_not_a_panic() {
        assert!(decode_chunk(&[1, 0, 0, 0, 1, 200, 0, 0, 0, b'a']).is_none());
        assert_eq!(decode_chunk(&[]).map(|v| v.len()), Some(0));
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
