//! Per-site zstd dictionaries for the stored page bodies (`site_dicts`, version 12; the raw
//! observations and link lists apart before version 14).
//!
//! The pages of one site share most of their visible text (header, navigation, side
//! navigation, footer with 主办单位, 网站标识码 and 备案 lines) and many of their links
//! (the same menus on every page), and compressed one at a time each page pays for them
//! again. A dictionary trained on the first pages of a site holds them once: the pages after
//! it are compressed against it and keep mostly what is their own.
//!
//! - **Training.** A [`SiteCodec`] per site and scan gathers the JSON of the site's first
//!   [`DICT_SAMPLES`] page bodies (raw observation, links, title and facts; at most
//!   [`DICT_SAMPLE_MAX`] of each, [`DICT_SAMPLE_BYTES`] in all) and trains a dictionary of at most [`DICT_BYTES`] from them
//!   (`zstd::dict::from_samples`) on the crawl thread that brings the last sample; the other
//!   threads go on compressing without it meanwhile. What is compressed before it is plain
//!   zstd frames.
//! - **Reuse.** A later scan of the site starts from the site's latest dictionary
//!   ([`Store::latest_site_dict`](super::Store::latest_site_dict)), and trains a new one only
//!   when the first pages compress clearly worse with it than its own training pages did
//!   (the site changed its templates): [`RETRAIN_WORSE`].
//! - **Storage.** A dictionary is written (content-addressed, `site_dicts`) by the writer with
//!   the first new page body compressed with it, and `page_bodies.dict_id` names it
//!   (`page_raws.dict_id` and `link_lists.dict_id` in rows written before version 14); a
//!   body already stored (an unchanged page) keeps its row and its dictionary.
//! - **Reading.** A reader loads each dictionary once per read ([`Dicts`]), checks it against
//!   its hash, and a frame compressed with a dictionary is only read with that dictionary
//!   (zstd checks the dictionary id of the frame): a missing or corrupt one is an error
//!   naming it, never a panic or wrong text.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use super::db::{params, Conn, DbResult, OptionalExtension};

/// The zstd level of the stored page bodies (with or without a dictionary). Level 3 kept
/// about 14 % of the JSON of a benchmark page where LZ4 kept 23 %; with the site's
/// dictionary, level 6 stores a benchmark page's body in 12 % fewer bytes than level 3
/// (2.27 against 2.58 KB), for about 0.2 ms more of a crawl thread's time a page (three times
/// level 3's, most of it matching, a fifth loading the dictionary), which the scan's pages/s
/// did not show beyond this machine's noise (README, "Store size").
pub(super) const RAW_ZSTD_LEVEL: i32 = 6;

/// Samples (page bodies, one a page: raw observation, links, title and facts) a site's
/// dictionary is trained on: those of its first 32 pages in a scan. On the benchmark's pages
/// 32 pages do as well as 64 to 256 (measured: 2.1 KB a raw observation after it either way).
pub const DICT_SAMPLES: usize = 32;

/// The most sample bytes gathered for a site's dictionary (bounds the memory of training: a
/// page's raw observation may reach 64 KiB, and all sites of a scan start together).
pub const DICT_SAMPLE_BYTES: usize = 1 << 20;

/// The most bytes of one page body taken as a sample (its start).
pub const DICT_SAMPLE_MAX: usize = 32 << 10;

/// The largest dictionary trained (16 to 64 KiB compress the benchmark's pages alike; 110 KiB
/// less well).
pub const DICT_BYTES: usize = 32 << 10;

/// A reused dictionary is replaced when the first pages of a scan compress to more than this
/// many times the share its training pages compressed to.
pub const RETRAIN_WORSE: f64 = 1.5;

/// A site's dictionary, ready to compress with (shared by the crawl's threads).
pub struct SiteDict {
    /// xxh3-128 of `bytes` (what `site_dicts` is keyed by).
    pub(super) hash: [u8; 16],
    pub(super) bytes: Vec<u8>,
    pub(super) site: String,
    /// Raw observations it was trained on.
    pub(super) samples: usize,
    /// Compressed size over JSON size of its training samples, compressed with it.
    pub(super) ratio: f64,
}

impl std::fmt::Debug for SiteDict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SiteDict")
            .field("site", &self.site)
            .field("bytes", &self.bytes.len())
            .field("samples", &self.samples)
            .field("ratio", &self.ratio)
            .finish()
    }
}

impl SiteDict {
    fn new(site: &str, bytes: Vec<u8>, samples: usize, ratio: f64) -> SiteDict {
        SiteDict {
            hash: xxhash_rust::xxh3::xxh3_128(&bytes).to_le_bytes(),
            bytes,
            site: site.to_string(),
            samples,
            ratio,
        }
    }

    /// A stored dictionary, checked against its hash.
    pub(super) fn stored(
        site: &str,
        hash: &[u8],
        bytes: Vec<u8>,
        samples: i64,
        ratio: f64,
    ) -> Result<SiteDict, String> {
        if xxhash_rust::xxh3::xxh3_128(&bytes).to_le_bytes()[..] != *hash {
            return Err("the stored dictionary does not match its hash".into());
        }
        Ok(SiteDict::new(
            site,
            bytes,
            usize::try_from(samples).unwrap_or(0),
            ratio,
        ))
    }

    /// `json` compressed with this dictionary.
    ///
    /// The dictionary is loaded into each page's compression context rather than prepared
    /// once per site: a prepared dictionary holds its level's match tables (most of a
    /// megabyte at level 3, more at level 6), and a scan crawls every site at once (40 sites:
    /// about 33 MiB of the scan's peak at level 3), while loading 32 KiB costs a fifth of
    /// compressing the page.
    fn compress(&self, json: &[u8]) -> std::io::Result<Vec<u8>> {
        zstd::bulk::Compressor::with_dictionary(RAW_ZSTD_LEVEL, &self.bytes)?.compress(json)
    }

    /// The dictionary's bytes (zstd's format).
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

/// What a site's codec learns from its first pages.
#[derive(Default)]
struct Learning {
    samples: Vec<Vec<u8>>,
    sample_bytes: usize,
    /// JSON and compressed bytes of the samples compressed with the dictionary reused.
    json: usize,
    stored: usize,
    /// Training is decided (done, under way, or not needed).
    decided: bool,
}

/// How one site's raw observations are compressed during a scan (see the module
/// documentation). Shared by the crawl's threads.
pub struct SiteCodec {
    site: String,
    dict: RwLock<Option<Arc<SiteDict>>>,
    learning: Mutex<Learning>,
}

impl std::fmt::Debug for SiteCodec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SiteCodec")
            .field("site", &self.site)
            .finish()
    }
}

impl SiteCodec {
    /// The codec of `site`, starting from the site's stored dictionary if it has one.
    pub fn new(site: &str, previous: Option<SiteDict>) -> SiteCodec {
        SiteCodec {
            site: site.to_string(),
            dict: RwLock::new(previous.map(Arc::new)),
            learning: Mutex::new(Learning::default()),
        }
    }

    /// The dictionary pages are compressed with now.
    pub fn dict(&self) -> Option<Arc<SiteDict>> {
        self.dict.read().ok().and_then(|d| d.clone())
    }

    /// `json` compressed (with the site's dictionary when there is one), and the dictionary
    /// used. Learns from the site's first pages (and may train a dictionary meanwhile).
    pub(super) fn compress(&self, json: &[u8]) -> (Vec<u8>, Option<Arc<SiteDict>>) {
        let dict = self.dict();
        let with_dict = dict.as_ref().and_then(|d| d.compress(json).ok());
        let (blob, dict) = match with_dict {
            Some(b) => (b, dict),
            None => (plain(json), None),
        };
        self.learn(json, blob.len(), dict.is_some());
        (blob, dict)
    }

    fn learn(&self, json: &[u8], stored: usize, with_dict: bool) {
        let samples = {
            let Ok(mut l) = self.learning.lock() else {
                return;
            };
            if l.decided {
                return;
            }
            if with_dict {
                l.json += json.len();
                l.stored += stored;
            }
            // A long page or link list gives its start (a hostile one must not take the
            // whole budget).
            let sample = &json[..json.len().min(DICT_SAMPLE_MAX)];
            let fits = l.sample_bytes + sample.len() <= DICT_SAMPLE_BYTES;
            if fits {
                l.sample_bytes += sample.len();
                l.samples.push(sample.to_vec());
            }
            if fits && l.samples.len() < DICT_SAMPLES {
                return;
            }
            l.decided = true;
            let current = self.dict();
            let still_good = current.as_ref().is_some_and(|d| {
                l.json > 0 && (l.stored as f64 / l.json as f64) <= d.ratio * RETRAIN_WORSE
            });
            let samples = std::mem::take(&mut l.samples);
            l.sample_bytes = 0;
            if still_good {
                return;
            }
            samples
        };
        match train(&self.site, &samples) {
            Ok(d) => {
                if let Ok(mut slot) = self.dict.write() {
                    *slot = Some(Arc::new(d));
                }
            }
            Err(e) => {
                tracing::debug!(site = %self.site, error = %e, "no dictionary for the raw text");
            }
        }
    }
}

/// `json` as one zstd frame without a dictionary.
pub(super) fn plain(json: &[u8]) -> Vec<u8> {
    match zstd::bulk::compress(json, RAW_ZSTD_LEVEL) {
        Ok(z) => z,
        // zstd does not fail on a buffer in memory; should it, LZ4 still stores the page.
        Err(_) => lz4_flex::compress_prepend_size(json),
    }
}

/// A dictionary trained on `samples`, with the share they compress to with it.
pub fn train(site: &str, samples: &[Vec<u8>]) -> std::io::Result<SiteDict> {
    let bytes = zstd::dict::from_samples(samples, DICT_BYTES)?;
    let mut d = SiteDict::new(site, bytes, samples.len(), 1.0);
    let (mut json, mut stored) = (0usize, 0usize);
    for s in samples {
        json += s.len();
        stored += d.compress(s)?.len();
    }
    d.ratio = stored as f64 / json.max(1) as f64;
    Ok(d)
}

/// A dictionary ready to decompress with, and the dictionary id its frames name.
type Loaded = (
    zstd::bulk::Decompressor<'static>,
    Option<std::num::NonZeroU32>,
);

/// The dictionaries a read needs, each loaded (and checked) once.
pub(super) struct Dicts<'c> {
    conn: &'c Conn,
    /// Each dictionary ready to decompress with, and the dictionary id of its header (what its
    /// frames name).
    loaded: RefCell<HashMap<i64, Loaded>>,
}

impl<'c> Dicts<'c> {
    pub(super) fn new(conn: &'c Conn) -> Dicts<'c> {
        Dicts {
            conn,
            loaded: RefCell::new(HashMap::new()),
        }
    }

    /// Dictionary `id`, read and checked against its hash, with the id its frames name.
    fn load(&self, id: i64) -> Result<Loaded, String> {
        let found: Option<(Vec<u8>, Vec<u8>)> = self
            .conn
            .query_row(
                "SELECT hash, dict FROM site_dicts WHERE id = ?1",
                params![id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| format!("dictionary {id}: {e}"))?;
        let (hash, bytes) = found.ok_or_else(|| format!("dictionary {id} is missing"))?;
        if xxhash_rust::xxh3::xxh3_128(&bytes).to_le_bytes()[..] != hash[..] {
            return Err(format!("dictionary {id} is corrupt (its hash differs)"));
        }
        let dict_id = zstd::zstd_safe::get_dict_id_from_dict(&bytes);
        zstd::bulk::Decompressor::with_dictionary(&bytes)
            .map(|d| (d, dict_id))
            .map_err(|e| format!("dictionary {id}: {e}"))
    }

    /// A frame compressed with dictionary `id`, decompressed (at most `max` bytes). A frame
    /// that names another dictionary, or none, is refused (zstd would read a frame compressed
    /// without a dictionary with any).
    pub(super) fn decompress(&self, id: i64, blob: &[u8], max: usize) -> Result<Vec<u8>, String> {
        let mut loaded = self
            .loaded
            .try_borrow_mut()
            .map_err(|_| "dictionaries read twice at once".to_string())?;
        let (d, dict_id) = match loaded.entry(id) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => e.insert(self.load(id)?),
        };
        let frame_dict = zstd::zstd_safe::get_dict_id_from_frame(blob);
        if frame_dict != *dict_id {
            return Err(format!(
                "the frame was not compressed with dictionary {id} (it names {})",
                frame_dict.map_or("none".to_string(), |n| n.to_string())
            ));
        }
        d.decompress(blob, max)
            .map_err(|e| format!("with dictionary {id}: {e}"))
    }
}

/// The id of the stored dictionary `d`, inserted if missing.
pub(super) fn dict_id(tx: &Conn, d: &SiteDict, at: &str) -> DbResult<i64> {
    let find = || {
        tx.prepare_cached("SELECT id FROM site_dicts WHERE hash = ?1")?
            .query_row(params![&d.hash[..]], |row| row.get(0))
            .optional()
    };
    if let Some(id) = find()? {
        return Ok(id);
    }
    let inserted: Option<i64> = tx
        .prepare_cached(
            "INSERT INTO site_dicts (hash, site, created_at, samples, ratio, dict) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (hash) DO NOTHING RETURNING id",
        )?
        .query_row(
            params![
                &d.hash[..],
                d.site,
                at,
                i64::try_from(d.samples).unwrap_or(i64::MAX),
                d.ratio,
                &d.bytes[..]
            ],
            |row| row.get(0),
        )
        .optional()?;
    match inserted {
        Some(id) => Ok(id),
        None => find()?.ok_or(super::db::DbError::NoRows),
    }
}

impl super::Store {
    /// The latest dictionary of `site`'s raw observations, if it has one. A stored
    /// dictionary that fails its check is an error (a scan then trains a new one).
    pub fn latest_site_dict(&self, site: &str) -> super::Result<Option<SiteDict>> {
        let read = || -> DbResult<Option<SiteDict>> {
            let found = self
                .conn
                .query_row(
                    "SELECT hash, dict, samples, ratio FROM site_dicts WHERE site = ?1 \
                     ORDER BY id DESC LIMIT 1",
                    params![site],
                    |r| {
                        Ok((
                            r.get::<Vec<u8>>(0)?,
                            r.get::<Vec<u8>>(1)?,
                            r.get::<i64>(2)?,
                            r.get::<f64>(3)?,
                        ))
                    },
                )
                .optional()?;
            found
                .map(|(hash, bytes, samples, ratio)| {
                    SiteDict::stored(site, &hash, bytes, samples, ratio)
                        .map_err(|e| super::db::bad(1, e))
                })
                .transpose()
        };
        read().map_err(|e| self.err(&format!("read the text dictionary of {site} from"), e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The JSON of page `i` of a site built on `template`: the template's header, navigation
    /// and footer around a body of its own.
    fn site_page(template: &str, i: usize) -> Vec<u8> {
        // The template's menus: labels of its own, the same on each of its pages.
        let nav: String = (0..60)
            .map(|k| {
                let h = xxhash_rust::xxh3::xxh3_64(format!("{template}{k}").as_bytes());
                format!("{template}栏目{h:x} ")
            })
            .collect();
        let body: String = (0..12)
            .map(|k| {
                format!(
                    "第{i}号文件第{k}段：{}。",
                    (i * 7919 + k * 104_729) % 1_000_003
                )
            })
            .collect();
        let raw = crate::extract::PageRaw {
            text: format!(
                "{template}县人民政府门户网站\n{nav}\n当前位置：首页 > 通知公告\n{body}\n\
                 主办单位：{template}县人民政府办公室 联系电话：0999-7654321\n\
                 网站标识码：5000000001 示ICP备05003300号 示公网安备50010302000001号"
            ),
            facts: true,
            http_status: Some(200),
            ..Default::default()
        };
        serde_json::to_vec(&raw).expect("json")
    }

    fn unpack(d: Option<&SiteDict>, blob: &[u8]) -> Vec<u8> {
        match d {
            Some(d) => zstd::bulk::Decompressor::with_dictionary(d.bytes())
                .and_then(|mut x| x.decompress(blob, 1 << 20))
                .expect("with its dictionary"),
            None => zstd::bulk::decompress(blob, 1 << 20).expect("plain"),
        }
    }

    #[test]
    fn a_site_trains_its_dictionary_on_its_first_pages_and_compresses_smaller_with_it() {
        let codec = SiteCodec::new("a", None);
        let (mut plain_bytes, mut dict_bytes) = (0, 0);
        for i in 0..DICT_SAMPLES + 40 {
            let json = site_page("甲", i);
            let (blob, dict) = codec.compress(&json);
            assert_eq!(unpack(dict.as_deref(), &blob), json, "page {i}");
            if i < DICT_SAMPLES {
                assert!(dict.is_none(), "page {i} before the dictionary");
            } else {
                assert!(dict.is_some(), "page {i} after the dictionary");
                plain_bytes += plain(&json).len();
                dict_bytes += blob.len();
            }
        }
        assert!(
            dict_bytes * 2 < plain_bytes,
            "with the dictionary {dict_bytes} bytes, without {plain_bytes}"
        );
        let d = codec.dict().expect("a dictionary");
        assert!(d.bytes().len() <= DICT_BYTES);
        assert_eq!(d.samples, DICT_SAMPLES);
        assert!(d.ratio > 0.0 && d.ratio < 1.0, "{}", d.ratio);
    }

    #[test]
    fn a_stored_dictionary_is_kept_while_it_fits_and_replaced_when_the_templates_change() {
        let first = SiteCodec::new("a", None);
        for i in 0..DICT_SAMPLES {
            first.compress(&site_page("甲", i));
        }
        let d = first.dict().expect("trained");
        let again = |template: &str| {
            let stored =
                SiteDict::stored("a", &d.hash, d.bytes.clone(), 64, d.ratio).expect("checks");
            let codec = SiteCodec::new("a", Some(stored));
            for i in 1000..1000 + DICT_SAMPLES + 5 {
                let json = site_page(template, i);
                let (blob, used) = codec.compress(&json);
                assert!(used.is_some());
                assert_eq!(unpack(used.as_deref(), &blob), json);
            }
            codec.dict().expect("a dictionary").hash
        };
        // The same templates, other pages: the dictionary stays.
        assert_eq!(again("甲"), d.hash);
        // Another template (a redesigned site, menus of its own): a new one is trained. (Not
        // a template that is one long name repeated in every label: at level 6 such pages
        // compress within 1.5 times the dictionary's share without it.)
        assert_ne!(again("乙"), d.hash);
    }

    #[test]
    fn a_stored_dictionary_that_does_not_match_its_hash_is_refused() {
        let codec = SiteCodec::new("a", None);
        for i in 0..DICT_SAMPLES {
            codec.compress(&site_page("甲", i));
        }
        let d = codec.dict().expect("trained");
        let mut bytes = d.bytes.clone();
        bytes[100] ^= 0xFF;
        let err = SiteDict::stored("a", &d.hash, bytes, 64, d.ratio).expect_err("corrupt");
        assert!(err.contains("hash"), "{err}");
    }

    #[test]
    fn a_small_site_is_compressed_without_a_dictionary() {
        let codec = SiteCodec::new("a", None);
        for i in 0..DICT_SAMPLES - 1 {
            let (_, dict) = codec.compress(&site_page("甲", i));
            assert!(dict.is_none());
        }
        assert!(codec.dict().is_none());
    }
}
