//! What the crawl produces, written as it arrives: pages with their links (edges), link
//! results and facts; and read back for resuming a crawl and for conditional requests.

use std::collections::HashMap;
use std::path::Path;

use super::db::{params, Conn, DbResult, OptionalExtension, Row};

use super::sitedict::{self, Dicts, SiteCodec, SiteDict};
use super::{
    col_json, col_json_opt, col_u64, col_usize, int, int_usize, to_json, Edge, Fact, Result,
    ResumeState, SiteRunId, Store, StoreError, ValidatorIndex, Validators,
};
use crate::crawl::{FetchOutcome, LinkFact, PageRecord};
use std::sync::Arc;

/// One write transaction: everything saved through it is committed together by
/// [`Store::write`], or not at all.
pub struct Batch<'a> {
    tx: super::db::Tx<'a>,
    path: &'a Path,
}

impl std::fmt::Debug for Batch<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batch").field("path", &self.path).finish()
    }
}

/// A page's links as stored: `[to, text, element]` arrays in JSON, zstd-compressed (with the
/// site's dictionary once it has one, see [`super::sitedict`]; a page carries dozens of links,
/// and they were most of the database). Since version 14 the list is part of the page's body
/// ([`Body`]); version 4 to 13 kept it in `link_lists` (LZ4 with the length prepended before
/// version 12), versions before inline as JSON text; all are read.
type CompactLink = (String, String, crate::extract::LinkElement);

/// The most a stored link list may claim to expand to (a corrupt length prefix must not
/// allocate gigabytes).
const MAX_LINKS_JSON: usize = 64 << 20;

/// The compressed list and the hash of its content (what `link_lists` was keyed by; version
/// 13's format, written by tests of reading older rows).
#[cfg(test)]
fn encode_links<'a>(
    links: impl Iterator<Item = (&'a str, &'a str, crate::extract::LinkElement)>,
    codec: Option<&SiteCodec>,
) -> std::result::Result<Encoded, serde_json::Error> {
    let compact: Vec<(&str, &str, crate::extract::LinkElement)> = links.collect();
    Ok(Encoded::new(serde_json::to_vec(&compact)?, codec))
}

/// What a page showed, as one stored frame (`page_bodies`, version 14): its raw observation,
/// the links on it, its title and its facts, in this order, as JSON. One frame instead of a
/// raw observation and a link list apart: the anchor texts of a page's links (often the
/// titles of the pages they lead to) are in its visible text, its title and most of its facts
/// (article title, column name) too, so the compressor stores them once. A page's own
/// columns keep what is read without it (URL, status, validators, times, sizes).
#[derive(serde::Serialize)]
struct BodyOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    raw: Option<&'a crate::extract::PageRaw>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    links: &'a [(&'a str, &'a str, crate::extract::LinkElement)],
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    #[serde(skip_serializing_if = "crate::extract::PageFacts::is_empty")]
    facts: &'a crate::extract::PageFacts,
}

/// A stored body read back; `R` is [`crate::extract::PageRaw`], or
/// [`serde::de::IgnoredAny`] when the raw observation is not wanted.
#[derive(serde::Deserialize)]
struct BodyIn<R> {
    #[serde(default = "none")]
    raw: Option<R>,
    #[serde(default)]
    links: Vec<CompactLink>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    facts: crate::extract::PageFacts,
}

fn none<R>() -> Option<R> {
    None
}

/// A page's body read back.
struct Body {
    raw: Option<Box<crate::extract::PageRaw>>,
    links: Vec<Edge>,
    title: Option<String>,
    facts: crate::extract::PageFacts,
}

/// The most a stored body may claim to expand to (a raw observation and a link list).
const MAX_BODY_JSON: usize = MAX_RAW_JSON + MAX_LINKS_JSON;

/// A page's body, compressed (with the site's dictionary when `codec` has one).
fn encode_body<'a>(
    page: &PageRecord,
    links: impl Iterator<Item = (&'a str, &'a str, crate::extract::LinkElement)>,
    codec: Option<&SiteCodec>,
) -> std::result::Result<Encoded, serde_json::Error> {
    let links: Vec<(&str, &str, crate::extract::LinkElement)> = links.collect();
    let body = BodyOut {
        raw: page.raw.as_deref(),
        links: &links,
        title: page.title.as_deref(),
        facts: &page.facts,
    };
    Ok(Encoded::new(serde_json::to_vec(&body)?, codec))
}

/// A stored body (see [`unpack`]); its raw observation only when `raw`.
fn decode_body(
    b: &[u8],
    dict: Option<(i64, &Dicts<'_>)>,
    raw: bool,
) -> std::result::Result<Body, String> {
    let json = unpack(b, dict, MAX_BODY_JSON)?;
    let edges = |links: Vec<CompactLink>| -> Vec<Edge> {
        links
            .into_iter()
            .map(|(to, text, element)| Edge { to, text, element })
            .collect()
    };
    if raw {
        let b: BodyIn<crate::extract::PageRaw> =
            serde_json::from_slice(&json).map_err(|e| format!("page body: {e}"))?;
        Ok(Body {
            raw: b.raw.map(Box::new),
            links: edges(b.links),
            title: b.title,
            facts: b.facts,
        })
    } else {
        let b: BodyIn<serde::de::IgnoredAny> =
            serde_json::from_slice(&json).map_err(|e| format!("page body: {e}"))?;
        Ok(Body {
            raw: None,
            links: edges(b.links),
            title: b.title,
            facts: b.facts,
        })
    }
}

/// The most a stored raw observation may claim to expand to.
const MAX_RAW_JSON: usize = 4 << 20;

/// The first bytes of a zstd frame. An LZ4 blob starts with its length (little-endian), and
/// these bytes as a length (about 4 GiB) are beyond what any stored observation may claim, so
/// the two never mix up.
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xB5, 0x2F, 0xFD];

/// A page's raw observation as stored: JSON, zstd-compressed (with the site's dictionary
/// when `codec` has one, see [`super::sitedict`]; rows written before took LZ4, and are still
/// read), with the hash of the JSON (what `page_raws` is keyed by). Version 13's format,
/// written by tests of reading older rows.
#[cfg(test)]
fn encode_raw(
    raw: &crate::extract::PageRaw,
    codec: Option<&SiteCodec>,
) -> std::result::Result<Encoded, serde_json::Error> {
    Ok(Encoded::new(serde_json::to_vec(raw)?, codec))
}

/// JSON compressed for a content-addressed table (`page_bodies`; `page_raws` and
/// `link_lists` before version 14), ready to insert.
#[derive(Debug, Clone)]
struct Encoded {
    blob: Vec<u8>,
    /// xxh3-128 of the JSON (what the row is keyed by).
    hash: [u8; 16],
    /// The dictionary the blob was compressed with (stored with the first row using it).
    dict: Option<Arc<SiteDict>>,
}

impl Encoded {
    fn new(json: Vec<u8>, codec: Option<&SiteCodec>) -> Encoded {
        let hash = xxhash_rust::xxh3::xxh3_128(&json).to_le_bytes();
        let (blob, dict) = match codec {
            Some(c) => c.compress(&json),
            None => (sitedict::plain(&json), None),
        };
        Encoded { blob, hash, dict }
    }
}

/// A stored zstd frame (with dictionary `dict` when the row names one), else LZ4 with its
/// length prepended (rows written before zstd); none may expand beyond `max`.
fn unpack(
    b: &[u8],
    dict: Option<(i64, &Dicts<'_>)>,
    max: usize,
) -> std::result::Result<Vec<u8>, String> {
    if b.starts_with(&ZSTD_MAGIC) {
        // A frame says how much it expands to (the writer's frames do): allocate that much,
        // not `max`, and refuse more.
        if let Ok(Some(size)) = zstd::zstd_safe::get_frame_content_size(b) {
            let size = usize::try_from(size).unwrap_or(usize::MAX);
            if size > max {
                return Err(format!("frame claims {size} bytes"));
            }
            return unpack_frame(b, dict, size);
        }
    }
    unpack_frame(b, dict, max)
}

fn unpack_frame(
    b: &[u8],
    dict: Option<(i64, &Dicts<'_>)>,
    max: usize,
) -> std::result::Result<Vec<u8>, String> {
    if let Some((id, dicts)) = dict {
        if !b.starts_with(&ZSTD_MAGIC) {
            return Err(format!(
                "the row names dictionary {id} but is no zstd frame"
            ));
        }
        return dicts.decompress(id, b, max);
    }
    if b.starts_with(&ZSTD_MAGIC) {
        return zstd::bulk::decompress(b, max).map_err(|e| e.to_string());
    }
    let claimed = b
        .get(..4)
        .and_then(|p| <[u8; 4]>::try_from(p).ok())
        .map(|p| u32::from_le_bytes(p) as usize)
        .ok_or("blob shorter than its length")?;
    if claimed > max {
        return Err(format!("blob claims {claimed} bytes"));
    }
    lz4_flex::decompress_size_prepended(b).map_err(|e| e.to_string())
}

/// The id of the row of a content-addressed table (`page_bodies`; `link_lists` and
/// `page_raws` as version 13 wrote them) holding `e`, inserted (with its dictionary, see
/// [`sitedict::dict_id`]) if missing. The insert does nothing on a conflict (another worker's
/// transaction inserted the same content first), and the row is then read again. `insert` takes the hash, the blob and the dictionary's id.
fn shared_row(tx: &Conn, select: &str, insert: &str, e: &Encoded, at: &str) -> DbResult<i64> {
    let find = || {
        tx.prepare_cached(select)?
            .query_row(params![&e.hash[..]], |row| row.get(0))
            .optional()
    };
    if let Some(id) = find()? {
        return Ok(id);
    }
    let dict = match &e.dict {
        Some(d) => Some(sitedict::dict_id(tx, d, at)?),
        None => None,
    };
    let inserted: Option<i64> = tx
        .prepare_cached(insert)?
        .query_row(params![&e.hash[..], &e.blob[..], dict], |row| row.get(0))
        .optional()?;
    match inserted {
        Some(id) => Ok(id),
        None => find()?.ok_or(super::db::DbError::NoRows),
    }
}

/// The two expressions that read the raw observation of the page row aliased `alias`: the
/// blob and the id of the dictionary it was compressed with.
fn raw_of(alias: &str) -> String {
    format!(
        "(SELECT r.raw FROM page_raws r WHERE r.id = {alias}.raw_id), \
         (SELECT r.dict_id FROM page_raws r WHERE r.id = {alias}.raw_id)"
    )
}

/// [`raw_of`] when the raw observation is not read (typed NULLs: PostgreSQL reads a bare NULL
/// as text).
const NO_RAW: &str = "CAST(NULL AS BYTEA), CAST(NULL AS BIGINT)";

/// The raw observation of a page row (None for rows written before version 8): the blob at
/// `idx`, the id of its dictionary at `idx + 1`.
fn decode_raw(
    row: &Row<'_>,
    idx: usize,
    dicts: &Dicts<'_>,
) -> DbResult<Option<Box<crate::extract::PageRaw>>> {
    let Some(b): Option<Vec<u8>> = row.get(idx)? else {
        return Ok(None);
    };
    let dict: Option<i64> = row.get(idx + 1)?;
    decode_raw_blob(&b, dict.map(|id| (id, dicts)))
        .map(|r| Some(Box::new(r)))
        .map_err(|e| super::db::bad(idx, e))
}

/// A stored raw observation: zstd (from the first bytes of a zstd frame; with dictionary
/// `dict` when the row names one), else LZ4 with its length prepended (rows written before
/// zstd); none may expand beyond [`MAX_RAW_JSON`].
fn decode_raw_blob(
    b: &[u8],
    dict: Option<(i64, &Dicts<'_>)>,
) -> std::result::Result<crate::extract::PageRaw, String> {
    let json = unpack(b, dict, MAX_RAW_JSON)?;
    serde_json::from_slice(&json).map_err(|e| e.to_string())
}

#[cfg(test)]
mod raw_tests {
    use super::*;

    #[test]
    fn raw_observations_are_zstd_and_old_lz4_ones_still_read() {
        let raw = crate::extract::PageRaw {
            text: "示范县人民政府 政府信息公开 ".repeat(200),
            meta: vec![("sitecode".into(), "5000000001".into())],
            ..Default::default()
        };
        let blob = encode_raw(&raw, None).expect("encode").blob;
        assert!(blob.starts_with(&ZSTD_MAGIC));
        assert_eq!(decode_raw_blob(&blob, None).expect("zstd").text, raw.text);
        let json = serde_json::to_vec(&raw).expect("json");
        let old = lz4_flex::compress_prepend_size(&json);
        assert!(
            old.len() > blob.len(),
            "zstd is smaller: {} vs {}",
            blob.len(),
            old.len()
        );
        let back = decode_raw_blob(&old, None).expect("lz4");
        assert_eq!((back.text, back.meta), (raw.text, raw.meta));
        // Corrupt or hostile blobs are errors, never a panic or a huge allocation.
        assert!(decode_raw_blob(&[0x28, 0xB5, 0x2F, 0xFD, 1, 2, 3], None).is_err());
        assert!(decode_raw_blob(&[0xFF, 0xFF, 0xFF, 0x7F, 0], None).is_err());
        assert!(decode_raw_blob(&[1], None).is_err());
    }
}

/// The tables a page row is read from: `p` is `pages`, `l` its `link_lists` row (versions 4
/// to 13), `b` its `page_bodies` row (version 14).
pub(super) const PAGE_FROM: &str = "FROM pages p LEFT JOIN link_lists l ON l.id = p.links_id \
     LEFT JOIN page_bodies b ON b.id = p.body_id";

/// The expressions a page is read from by [`read_page`], for the row `p` of [`PAGE_FROM`]:
/// its columns (0 to 15), then the raw observation of a row written before version 14 (16:
/// blob, 17: dictionary; typed NULLs without `raw`), its link list (18: list, 19:
/// dictionary), its body (20: blob, 21: dictionary).
pub(super) fn page_select(raw: bool) -> String {
    format!(
        "p.url, p.final_url, p.depth, p.status, p.charset, p.title, p.content_hash, p.etag, \
         p.last_modified, p.fetched_at, p.elapsed_ms, p.bytes, p.truncated, p.links_found, \
         p.facts, p.http_status, {}, COALESCE(l.links, p.links), l.dict_id, b.body, b.dict_id",
        if raw { raw_of("p") } else { NO_RAW.to_string() }
    )
}

/// The links of a page written before version 14: the list at `idx`, its dictionary's id at
/// `idx + 1`.
fn decode_links(row: &Row<'_>, idx: usize, dicts: &Dicts<'_>) -> DbResult<Vec<Edge>> {
    use super::db::RawValue;
    let bad = |e: Box<dyn std::error::Error + Send + Sync>| super::db::bad(idx, e);
    let dict: Option<i64> = row.get(idx + 1)?;
    let list: Vec<CompactLink> = match row.get_raw(idx)? {
        RawValue::Null => Vec::new(),
        RawValue::Text(t) => serde_json::from_slice(t).map_err(|e| bad(Box::new(e)))?,
        RawValue::Blob(b) => {
            let json = unpack(b, dict.map(|id| (id, dicts)), MAX_LINKS_JSON)
                .map_err(|e| bad(format!("link list: {e}").into()))?;
            serde_json::from_slice(&json).map_err(|e| bad(Box::new(e)))?
        }
        RawValue::Other(what) => {
            return Err(bad(
                format!("a link list is text or a blob, not {what}").into()
            ))
        }
    };
    Ok(list
        .into_iter()
        .map(|(to, text, element)| Edge { to, text, element })
        .collect())
}

/// A status as stored: empty for a 2xx answer (since version 14: its code is in
/// `http_status`), else the JSON of the [`LinkStatus`](crate::crawl::LinkStatus).
fn encode_status(
    status: &crate::crawl::LinkStatus,
) -> std::result::Result<String, serde_json::Error> {
    match status {
        crate::crawl::LinkStatus::Ok { .. } => Ok(String::new()),
        other => serde_json::to_string(other),
    }
}

/// The status at `idx` with the HTTP status at `http` (see [`encode_status`]).
fn decode_status(row: &Row<'_>, idx: usize, http: usize) -> DbResult<crate::crawl::LinkStatus> {
    let s: String = row.get(idx)?;
    if !s.is_empty() {
        return serde_json::from_str(&s).map_err(|e| super::db::bad(idx, e));
    }
    let code: Option<i64> = row.get(http)?;
    let status = code
        .and_then(|c| u16::try_from(c).ok())
        .ok_or_else(|| super::db::bad(http, "an empty status needs an HTTP status"))?;
    Ok(crate::crawl::LinkStatus::Ok { status })
}

/// A final URL as stored: empty when it is the URL asked for (since version 14).
fn encode_final_url(url: &str, final_url: &str) -> String {
    if final_url == url {
        String::new()
    } else {
        final_url.to_string()
    }
}

/// The final URL at `idx` of the URL `url` (see [`encode_final_url`]).
fn decode_final_url(row: &Row<'_>, idx: usize, url: &str) -> DbResult<String> {
    let f: String = row.get(idx)?;
    Ok(if f.is_empty() { url.to_string() } else { f })
}

/// A page and the links on it, from the expressions of [`page_select`] starting at `offset`;
/// its raw observation only when `raw`.
pub(super) fn read_page(
    row: &Row<'_>,
    offset: usize,
    dicts: &Dicts<'_>,
    raw: bool,
) -> DbResult<(PageRecord, Vec<Edge>)> {
    let o = offset;
    let url: String = row.get(o)?;
    let depth: i64 = row.get(o + 2)?;
    let body: Option<Vec<u8>> = row.get(o + 20)?;
    let (raw, links, title, facts) = match body {
        Some(b) => {
            let dict: Option<i64> = row.get(o + 21)?;
            let body = decode_body(&b, dict.map(|id| (id, dicts)), raw)
                .map_err(|e| super::db::bad(o + 20, e))?;
            (body.raw, body.links, body.title, body.facts)
        }
        None => (
            if raw {
                decode_raw(row, o + 16, dicts)?
            } else {
                None
            },
            decode_links(row, o + 18, dicts)?,
            row.get(o + 5)?,
            match row.get::<Option<String>>(o + 14)? {
                Some(t) => serde_json::from_str(&t).map_err(|e| super::db::bad(o + 14, e))?,
                None => Default::default(),
            },
        ),
    };
    let page = PageRecord {
        final_url: decode_final_url(row, o + 1, &url)?,
        url,
        depth: u32::try_from(depth).map_err(|e| super::db::bad(o + 2, e))?,
        status: decode_status(row, o + 3, o + 15)?,
        charset: row.get(o + 4)?,
        title,
        content_hash: row.get(o + 6)?,
        etag: row.get(o + 7)?,
        last_modified: row.get(o + 8)?,
        fetched_at: row.get(o + 9)?,
        elapsed_ms: col_u64(row, o + 10)?,
        bytes: col_u64(row, o + 11)?,
        truncated: row.get(o + 12)?,
        links_found: col_usize(row, o + 13)?,
        facts,
        raw,
    };
    Ok((page, links))
}

/// Referring pages kept per link row (all are counted in `referrer_count`; the pages
/// themselves keep every link, so nothing is lost).
const STORED_REFERRERS: usize = 5;

/// The columns [`link_row`] reads.
const LINK_COLUMNS: &str = "url, internal, on_home, status, redirects, final_url, elapsed_ms, \
     referrers, referrer_count, target, http_status";

fn link_row(row: &Row<'_>) -> DbResult<LinkFact> {
    let url: String = row.get(0)?;
    Ok(LinkFact {
        internal: row.get(1)?,
        on_home: row.get(2)?,
        outcome: FetchOutcome {
            status: decode_status(row, 3, 10)?,
            redirects: col_json(row, 4)?,
            final_url: decode_final_url(row, 5, &url)?,
            elapsed_ms: col_u64(row, 6)?,
        },
        url,
        referrers: col_json(row, 7)?,
        referrer_count: col_usize(row, 8)?,
        target: col_json_opt(row, 9)?,
    })
}

/// A page encoded for the store, ready to insert: built where the page was parsed (on the
/// crawl's threads, from borrowed data, without copying the page's links and facts), so the
/// writer thread only binds and inserts.
#[derive(Debug, Clone)]
pub struct PageRow {
    url: String,
    final_url: String,
    depth: i64,
    status: String,
    http_status: Option<u16>,
    charset: Option<String>,
    content_hash: Option<String>,
    etag: Option<String>,
    last_modified: Option<String>,
    fetched_at: String,
    elapsed_ms: i64,
    bytes: i64,
    truncated: bool,
    links_found: i64,
    content: Content,
}

/// What a page showed, as stored.
#[derive(Debug, Clone)]
enum Content {
    /// Its body (version 14): raw observation, links, title and facts in one frame.
    Body(Encoded),
    /// As version 13 wrote it (title and facts in the page row, the raw observation and the
    /// link list apart): tests of reading older rows write it.
    #[cfg(test)]
    V13 {
        title: Option<String>,
        facts: Option<String>,
        raw: Option<Encoded>,
        links: Encoded,
    },
}

impl PageRow {
    /// Encode a page and the links on it (`(to, text, element)`); its body is compressed
    /// without a dictionary.
    pub fn encode<'a>(
        page: &PageRecord,
        links: impl Iterator<Item = (&'a str, &'a str, crate::extract::LinkElement)>,
    ) -> Result<PageRow> {
        PageRow::encode_with(page, links, None)
    }

    /// [`PageRow::encode`] with the site's codec: the body is compressed with the site's
    /// dictionary once it has one (see [`SiteCodec`]).
    pub fn encode_with<'a>(
        page: &PageRecord,
        links: impl Iterator<Item = (&'a str, &'a str, crate::extract::LinkElement)>,
        codec: Option<&SiteCodec>,
    ) -> Result<PageRow> {
        let fail = |e: serde_json::Error| StoreError::Encode {
            what: format!("the page {}", page.url),
            message: e.to_string(),
        };
        let body = encode_body(page, links, codec).map_err(fail)?;
        PageRow::with_content(page, Content::Body(body))
    }

    /// A page encoded as version 13 stored it (for tests of reading older rows).
    #[cfg(test)]
    pub(super) fn encode_v13<'a>(
        page: &PageRecord,
        links: impl Iterator<Item = (&'a str, &'a str, crate::extract::LinkElement)>,
        codec: Option<&SiteCodec>,
    ) -> Result<PageRow> {
        let fail = |e: serde_json::Error| StoreError::Encode {
            what: format!("the page {}", page.url),
            message: e.to_string(),
        };
        let mut row = PageRow::with_content(
            page,
            Content::V13 {
                title: page.title.clone(),
                facts: if page.facts.is_empty() {
                    None
                } else {
                    Some(serde_json::to_string(&page.facts).map_err(fail)?)
                },
                raw: page
                    .raw
                    .as_deref()
                    .map(|r| encode_raw(r, codec))
                    .transpose()
                    .map_err(fail)?,
                links: encode_links(links, codec).map_err(fail)?,
            },
        )?;
        row.final_url = page.final_url.clone();
        row.status = serde_json::to_string(&page.status).map_err(fail)?;
        Ok(row)
    }

    fn with_content(page: &PageRecord, content: Content) -> Result<PageRow> {
        Ok(PageRow {
            url: page.url.clone(),
            final_url: encode_final_url(&page.url, &page.final_url),
            depth: i64::from(page.depth),
            status: encode_status(&page.status).map_err(|e| StoreError::Encode {
                what: format!("the page {}", page.url),
                message: e.to_string(),
            })?,
            http_status: page.status.http_status(),
            charset: page.charset.clone(),
            content_hash: page.content_hash.clone(),
            etag: page.etag.clone(),
            last_modified: page.last_modified.clone(),
            fetched_at: page.fetched_at.clone(),
            elapsed_ms: int(page.elapsed_ms),
            bytes: int(page.bytes),
            truncated: page.truncated,
            links_found: int_usize(page.links_found),
            content,
        })
    }

    /// The page's URL.
    pub fn url(&self) -> &str {
        &self.url
    }
}

/// A link result encoded for the store (with its first few referrers when it is broken or
/// blocked; all of them are counted).
#[derive(Debug, Clone)]
pub struct LinkRow {
    url: String,
    internal: bool,
    on_home: bool,
    status: String,
    http_status: Option<u16>,
    broken: bool,
    redirects: String,
    final_url: String,
    elapsed_ms: i64,
    referrers: String,
    referrer_count: i64,
    target: Option<String>,
}

impl LinkRow {
    /// Encode what is known of a link target.
    pub fn encode(link: &LinkFact) -> Result<LinkRow> {
        let fail = |e: serde_json::Error| StoreError::Encode {
            what: format!("the link {}", link.url),
            message: e.to_string(),
        };
        let o = &link.outcome;
        // Which pages link to a working target is in those pages' link lists already; the
        // referrers are kept here only where a finding needs them at hand.
        let failing = o.status.is_broken() || o.status.is_blocked();
        Ok(LinkRow {
            url: link.url.clone(),
            internal: link.internal,
            on_home: link.on_home,
            status: encode_status(&o.status).map_err(fail)?,
            http_status: o.status.http_status(),
            broken: o.status.is_broken(),
            redirects: serde_json::to_string(&o.redirects).map_err(fail)?,
            final_url: encode_final_url(&link.url, &o.final_url),
            elapsed_ms: int(o.elapsed_ms),
            referrers: serde_json::to_string(if failing {
                &link.referrers[..link.referrers.len().min(STORED_REFERRERS)]
            } else {
                &[]
            })
            .map_err(fail)?,
            referrer_count: int_usize(link.referrer_count),
            target: link
                .target
                .as_ref()
                .map(serde_json::to_string)
                .transpose()
                .map_err(fail)?,
        })
    }

    /// The link's target URL.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Batch<'_> {
    /// Save a fetched page and the links on it, replacing an earlier copy of the same page in
    /// the same site run (a page fetched again after a resume).
    pub fn save_page(
        &mut self,
        site_run: SiteRunId,
        page: &PageRecord,
        edges: &[Edge],
    ) -> Result<()> {
        let row = PageRow::encode(
            page,
            edges
                .iter()
                .map(|e| (e.to.as_str(), e.text.as_str(), e.element)),
        )?;
        self.save_page_row(site_run, &row)
    }

    /// Save a page encoded beforehand (see [`PageRow::encode`]).
    pub fn save_page_row(&mut self, site_run: SiteRunId, row: &PageRow) -> Result<()> {
        self.save_page_inner(site_run, row).map_err(|e| {
            StoreError::from_db(&format!("save the page {} to", row.url), self.path, e)
        })
    }

    fn save_page_inner(&mut self, site_run: SiteRunId, r: &PageRow) -> DbResult<()> {
        // A page's body is stored once per distinct content: an unchanged page of
        // yesterday's scan points to yesterday's body.
        // Looked up first (the common case: the body is known), inserted without conflict
        // otherwise: another worker may be inserting the same body at the same moment.
        // A dictionary is stored with the first new row compressed with it.
        let (title, facts, links_id, raw_id, body_id) = match &r.content {
            Content::Body(body) => {
                let id = shared_row(
                    &self.tx,
                    "SELECT id FROM page_bodies WHERE hash = ?1",
                    "INSERT INTO page_bodies (hash, body, dict_id) VALUES (?1, ?2, ?3) \
                     ON CONFLICT (hash) DO NOTHING RETURNING id",
                    body,
                    &r.fetched_at,
                )?;
                (
                    None::<String>,
                    None::<String>,
                    None::<i64>,
                    None::<i64>,
                    Some(id),
                )
            }
            #[cfg(test)]
            Content::V13 {
                title,
                facts,
                raw,
                links,
            } => {
                let links_id = shared_row(
                    &self.tx,
                    "SELECT id FROM link_lists WHERE hash = ?1",
                    "INSERT INTO link_lists (hash, links, dict_id) VALUES (?1, ?2, ?3) \
                     ON CONFLICT (hash) DO NOTHING RETURNING id",
                    links,
                    &r.fetched_at,
                )?;
                let raw_id = match raw {
                    None => None,
                    Some(raw) => Some(shared_row(
                        &self.tx,
                        "SELECT id FROM page_raws WHERE hash = ?1",
                        "INSERT INTO page_raws (hash, raw, dict_id) VALUES (?1, ?2, ?3) \
                         ON CONFLICT (hash) DO NOTHING RETURNING id",
                        raw,
                        &r.fetched_at,
                    )?),
                };
                (title.clone(), facts.clone(), Some(links_id), raw_id, None)
            }
        };
        self.tx
            .prepare_cached(
                "INSERT INTO pages (site_run, url, final_url, depth, status, http_status, charset, \
                 title, content_hash, etag, last_modified, fetched_at, elapsed_ms, bytes, \
                 truncated, links_found, facts, links, links_id, raw_id, body_id) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, '[]', ?18, ?19, ?20) \
                 ON CONFLICT (site_run, url) DO UPDATE SET final_url = excluded.final_url, \
                 depth = excluded.depth, status = excluded.status, \
                 http_status = excluded.http_status, charset = excluded.charset, \
                 title = excluded.title, content_hash = excluded.content_hash, \
                 etag = excluded.etag, last_modified = excluded.last_modified, \
                 fetched_at = excluded.fetched_at, elapsed_ms = excluded.elapsed_ms, \
                 bytes = excluded.bytes, truncated = excluded.truncated, \
                 links_found = excluded.links_found, facts = excluded.facts, \
                 links = excluded.links, links_id = excluded.links_id, raw_id = excluded.raw_id, \
                 body_id = excluded.body_id",
            )?
            .execute(params![
                site_run.0,
                r.url,
                r.final_url,
                r.depth,
                r.status,
                r.http_status,
                r.charset,
                title,
                r.content_hash,
                r.etag,
                r.last_modified,
                r.fetched_at,
                r.elapsed_ms,
                r.bytes,
                r.truncated,
                r.links_found,
                facts,
                links_id,
                raw_id,
                body_id,
            ])?;
        Ok(())
    }

    /// Save (or update) what is known of a link target.
    pub fn save_link(&mut self, site_run: SiteRunId, link: &LinkFact) -> Result<()> {
        let row = LinkRow::encode(link)?;
        self.save_link_row(site_run, &row)
    }

    /// Save a link result encoded beforehand (see [`LinkRow::encode`]).
    pub fn save_link_row(&mut self, site_run: SiteRunId, row: &LinkRow) -> Result<()> {
        self.save_link_inner(site_run, row).map_err(|e| {
            StoreError::from_db(&format!("save the link {} to", row.url), self.path, e)
        })
    }

    fn save_link_inner(&mut self, site_run: SiteRunId, r: &LinkRow) -> DbResult<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO links (site_run, url, internal, on_home, status, http_status, broken, \
                 redirects, final_url, elapsed_ms, referrers, referrer_count, target) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) \
                 ON CONFLICT (site_run, url) DO UPDATE SET internal = excluded.internal, \
                 on_home = excluded.on_home, status = excluded.status, \
                 http_status = excluded.http_status, broken = excluded.broken, \
                 redirects = excluded.redirects, final_url = excluded.final_url, \
                 elapsed_ms = excluded.elapsed_ms, referrers = excluded.referrers, \
                 referrer_count = excluded.referrer_count, target = excluded.target",
            )?
            .execute(params![
                site_run.0,
                r.url,
                r.internal,
                r.on_home,
                r.status,
                r.http_status,
                r.broken,
                r.redirects,
                r.final_url,
                r.elapsed_ms,
                r.referrers,
                r.referrer_count,
                r.target,
            ])?;
        Ok(())
    }

    /// Save the facts of one kind found on one page (or on no page in particular), replacing
    /// those of the same kind saved earlier for the same page in the same site run.
    pub fn save_facts(
        &mut self,
        site_run: SiteRunId,
        page: Option<&str>,
        kind: &str,
        facts: &[(String, serde_json::Value)],
    ) -> Result<()> {
        self.save_facts_inner(site_run, page, kind, facts)
            .map_err(|e| {
                let action = match page {
                    Some(p) => format!("save the {kind} facts of {p} to"),
                    None => format!("save the {kind} facts to"),
                };
                StoreError::from_db(&action, self.path, e)
            })
    }

    fn save_facts_inner(
        &mut self,
        site_run: SiteRunId,
        page: Option<&str>,
        kind: &str,
        facts: &[(String, serde_json::Value)],
    ) -> DbResult<()> {
        self.tx
            .prepare_cached("DELETE FROM facts WHERE site_run = ?1 AND kind = ?2 AND page IS NOT DISTINCT FROM ?3")?
            .execute(params![site_run.0, kind, page])?;
        let mut insert = self.tx.prepare_cached(
            "INSERT INTO facts (site_run, page, kind, key, value) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for (key, value) in facts {
            insert.execute(params![site_run.0, page, kind, key, to_json(value)?])?;
        }
        Ok(())
    }
}

impl Store {
    /// Run `f` in one write transaction: everything it saves through the [`Batch`] is
    /// committed together when it returns `Ok`, and nothing is when it returns an error (or
    /// panics). A crawl's writer commits many pages per call this way.
    ///
    /// On PostgreSQL, a transaction aborted because it deadlocked with another worker's (both
    /// inserting the same shared link lists in another order) is run again, a few times.
    pub fn write<T>(&mut self, mut f: impl FnMut(&mut Batch<'_>) -> Result<T>) -> Result<T> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.write_once(&mut f) {
                Err(e) if e.is_busy() && self.is_shared() && attempt < 4 => {
                    tracing::debug!(error = %e, attempt, "write transaction aborted; again");
                    std::thread::sleep(std::time::Duration::from_millis(20 * attempt));
                }
                other => return other,
            }
        }
    }

    fn write_once<T>(&mut self, f: &mut impl FnMut(&mut Batch<'_>) -> Result<T>) -> Result<T> {
        let tx = self
            .conn
            .transaction()
            .map_err(|e| StoreError::from_db("begin a write transaction in", &self.path, e))?;
        let mut batch = Batch {
            tx,
            path: &self.path,
        };
        let out = f(&mut batch)?;
        batch
            .tx
            .commit()
            .map_err(|e| StoreError::from_db("commit a write transaction to", &self.path, e))?;
        Ok(out)
    }

    /// Save a page and the links on it in one transaction.
    pub fn save_page(
        &mut self,
        site_run: SiteRunId,
        page: &PageRecord,
        edges: &[Edge],
    ) -> Result<()> {
        self.write(|b| b.save_page(site_run, page, edges))
    }

    /// Save many pages (each with its links) in one transaction.
    pub fn save_pages(
        &mut self,
        site_run: SiteRunId,
        pages: &[(PageRecord, Vec<Edge>)],
    ) -> Result<()> {
        self.write(|b| {
            for (page, edges) in pages {
                b.save_page(site_run, page, edges)?;
            }
            Ok(())
        })
    }

    /// Save (or update) a link result.
    pub fn save_link(&mut self, site_run: SiteRunId, link: &LinkFact) -> Result<()> {
        self.write(|b| b.save_link(site_run, link))
    }

    /// Save many link results in one transaction.
    pub fn save_links(&mut self, site_run: SiteRunId, links: &[LinkFact]) -> Result<()> {
        self.write(|b| {
            for link in links {
                b.save_link(site_run, link)?;
            }
            Ok(())
        })
    }

    /// Save the facts of one kind found on a page; see [`Batch::save_facts`].
    pub fn save_facts(
        &mut self,
        site_run: SiteRunId,
        page: Option<&str>,
        kind: &str,
        facts: &[(String, serde_json::Value)],
    ) -> Result<()> {
        self.write(|b| b.save_facts(site_run, page, kind, facts))
    }

    /// The facts of a site run, of one kind or of every kind, in the order they were saved.
    pub fn facts(&self, site_run: SiteRunId, kind: Option<&str>) -> Result<Vec<Fact>> {
        self.conn
            .prepare_cached(
                "SELECT page, kind, key, value FROM facts \
                 WHERE site_run = ?1 AND (CAST(?2 AS TEXT) IS NULL OR kind = ?2) ORDER BY id",
            )
            .and_then(|mut st| {
                st.query_map(params![site_run.0, kind], |row| {
                    Ok(Fact {
                        page: row.get(0)?,
                        kind: row.get(1)?,
                        key: row.get(2)?,
                        value: col_json(row, 3)?,
                    })
                })?
                .collect::<DbResult<Vec<_>>>()
            })
            .map_err(|e| self.err(&format!("read the facts of site run {site_run} from"), e))
    }

    /// Everything a killed crawl of a site had saved: its pages, their links and the link
    /// results, so the crawler can rebuild its frontier without fetching them again.
    pub fn resume_state(&self, site_run: SiteRunId) -> Result<ResumeState> {
        self.resume_state_inner(site_run).map_err(|e| {
            self.err(
                &format!("read the saved crawl of site run {site_run} from"),
                e,
            )
        })
    }

    fn resume_state_inner(&self, site_run: SiteRunId) -> DbResult<ResumeState> {
        let sql = format!(
            "SELECT {} {PAGE_FROM} WHERE p.site_run = ?1 ORDER BY p.id",
            page_select(true)
        );
        let dicts = Dicts::new(&self.conn);
        let mut pages = Vec::new();
        let mut edges: HashMap<String, Vec<Edge>> = HashMap::new();
        self.conn
            .prepare_cached(&sql)?
            .for_each(params![site_run.0], |row| {
                let (page, list) = read_page(row, 0, &dicts, true)?;
                if !list.is_empty() {
                    edges.insert(page.url.clone(), list);
                }
                pages.push(page);
                Ok(())
            })?;
        let links = self
            .conn
            .prepare_cached(&format!(
                "SELECT {LINK_COLUMNS} FROM links WHERE site_run = ?1 ORDER BY id"
            ))?
            .query_map([site_run.0], link_row)?
            .collect::<DbResult<Vec<_>>>()?;
        Ok(ResumeState {
            pages,
            edges,
            links,
        })
    }

    /// The URLs of a site run's pages, in the order they were saved.
    pub fn page_urls(&self, site_run: SiteRunId) -> Result<Vec<String>> {
        self.conn
            .prepare_cached("SELECT url FROM pages WHERE site_run = ?1 ORDER BY id")
            .and_then(|mut st| {
                st.query_map([site_run.0], |row| row.get(0))?
                    .collect::<DbResult<Vec<_>>>()
            })
            .map_err(|e| self.err(&format!("read the pages of site run {site_run} from"), e))
    }

    /// The link results of a site run, in the order they were first saved (as
    /// [`Store::resume_state`] reads them).
    pub fn link_results(&self, site_run: SiteRunId) -> Result<Vec<LinkFact>> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {LINK_COLUMNS} FROM links WHERE site_run = ?1 ORDER BY id"
            ))
            .and_then(|mut st| {
                st.query_map([site_run.0], link_row)?
                    .collect::<DbResult<Vec<_>>>()
            })
            .map_err(|e| self.err(&format!("read the links of site run {site_run} from"), e))
    }

    /// Each page URL of a site run, in the order they were saved, one at a time.
    pub fn for_each_page_url(&self, site_run: SiteRunId, f: &mut dyn FnMut(&str)) -> Result<()> {
        let mut go = || -> DbResult<()> {
            let mut st = self
                .conn
                .prepare_cached("SELECT url FROM pages WHERE site_run = ?1 ORDER BY id")?;
            st.for_each(params![site_run.0], |row| {
                let url: String = row.get(0)?;
                f(&url);
                Ok(())
            })
        };
        go().map_err(|e| self.err(&format!("read the pages of site run {site_run} from"), e))
    }

    /// Each link target URL of a site run with a result, in the order they were first saved,
    /// one at a time.
    pub fn for_each_link_url(&self, site_run: SiteRunId, f: &mut dyn FnMut(&str)) -> Result<()> {
        let mut go = || -> DbResult<()> {
            let mut st = self
                .conn
                .prepare_cached("SELECT url FROM links WHERE site_run = ?1 ORDER BY id")?;
            st.for_each(params![site_run.0], |row| {
                let url: String = row.get(0)?;
                f(&url);
                Ok(())
            })
        };
        go().map_err(|e| self.err(&format!("read the links of site run {site_run} from"), e))
    }

    /// Each link result of a site run, in the order they were first saved (as
    /// [`Store::link_results`] lists them), one at a time.
    pub fn for_each_link(&self, site_run: SiteRunId, f: &mut dyn FnMut(LinkFact)) -> Result<()> {
        let mut go = || -> DbResult<()> {
            let mut st = self.conn.prepare_cached(&format!(
                "SELECT {LINK_COLUMNS} FROM links WHERE site_run = ?1 ORDER BY id"
            ))?;
            st.for_each(params![site_run.0], |row| {
                f(link_row(row)?);
                Ok(())
            })
        };
        go().map_err(|e| self.err(&format!("read the links of site run {site_run} from"), e))
    }

    /// The page of a site run fetched as `url` (its URL, else its final URL: the first such
    /// page saved), with its raw observation when `raw`.
    pub fn page_by_url(
        &self,
        site_run: SiteRunId,
        url: &str,
        raw: bool,
    ) -> Result<Option<PageRecord>> {
        let select = page_select(raw);
        let dicts = Dicts::new(&self.conn);
        let go = || -> DbResult<Option<PageRecord>> {
            let by_url = self
                .conn
                .prepare_cached(&format!(
                    "SELECT {select} {PAGE_FROM} WHERE p.site_run = ?1 AND p.url = ?2"
                ))?
                .query_row(params![site_run.0, url], |row| {
                    read_page(row, 0, &dicts, raw).map(|(p, _)| p)
                })
                .optional()?;
            if by_url.is_some() {
                return Ok(by_url);
            }
            // A final URL equal to the page's own is stored empty: only redirected pages have
            // one to match.
            self.conn
                .prepare_cached(&format!(
                    "SELECT {select} {PAGE_FROM} \
                     WHERE p.site_run = ?1 AND p.final_url = ?2 ORDER BY p.id LIMIT 1"
                ))?
                .query_row(params![site_run.0, url], |row| {
                    read_page(row, 0, &dicts, raw).map(|(p, _)| p)
                })
                .optional()
        };
        go().map_err(|e| {
            self.err(
                &format!("read the page {url} of site run {site_run} from"),
                e,
            )
        })
    }

    /// The result of the link to `url` in a site run, if it has one.
    pub fn link_result(&self, site_run: SiteRunId, url: &str) -> Result<Option<LinkFact>> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {LINK_COLUMNS} FROM links WHERE site_run = ?1 AND url = ?2"
            ))
            .and_then(|mut st| st.query_row(params![site_run.0, url], link_row).optional())
            .map_err(|e| {
                self.err(
                    &format!("read the link {url} of site run {site_run} from"),
                    e,
                )
            })
    }

    /// The links on the page of a site run fetched as `url` (none if there is no such page).
    pub fn links_on(&self, site_run: SiteRunId, url: &str) -> Result<Vec<Edge>> {
        let select = page_select(false);
        let dicts = Dicts::new(&self.conn);
        self.conn
            .prepare_cached(&format!(
                "SELECT {select} {PAGE_FROM} WHERE p.site_run = ?1 AND p.url = ?2"
            ))
            .and_then(|mut st| {
                st.query_row(params![site_run.0, url], |row| {
                    read_page(row, 0, &dicts, false).map(|(_, links)| links)
                })
                .optional()
            })
            .map(Option::unwrap_or_default)
            .map_err(|e| {
                self.err(
                    &format!("read the links of {url} in site run {site_run} from"),
                    e,
                )
            })
    }

    /// Each page URL and depth of a site run with the links on it, in the order they were
    /// saved, one at a time.
    pub fn for_each_link_list(
        &self,
        site_run: SiteRunId,
        f: &mut dyn FnMut(&str, u32, Vec<Edge>),
    ) -> Result<()> {
        self.for_each_page(site_run, false, &mut |p, links| f(&p.url, p.depth, links))
    }

    /// Each page of a site run with the links on it, in the order they were saved, one at a
    /// time (a large site's pages are never all in memory). With `raw`, each page carries its
    /// raw observation (to draw its rule-dependent facts again); without, it is not read.
    pub fn for_each_page(
        &self,
        site_run: SiteRunId,
        raw: bool,
        f: &mut dyn FnMut(PageRecord, Vec<Edge>),
    ) -> Result<()> {
        let sql = format!(
            "SELECT {} {PAGE_FROM} WHERE p.site_run = ?1 ORDER BY p.id",
            page_select(raw)
        );
        let dicts = Dicts::new(&self.conn);
        let mut go = || -> DbResult<()> {
            let mut st = self.conn.prepare_cached(&sql)?;
            st.for_each(params![site_run.0], |row| {
                let (page, links) = read_page(row, 0, &dicts, raw)?;
                f(page, links);
                Ok(())
            })
        };
        go().map_err(|e| self.err(&format!("read the pages of site run {site_run} from"), e))
    }

    /// The validators (ETag, Last-Modified) of the latest saved copy of a page of a site that
    /// has any, with the page and its links to reuse when the server answers 304.
    pub fn validators(&self, site: &str, url: &str) -> Result<Option<Validators>> {
        self.validators_inner(site, url)
            .map_err(|e| self.err(&format!("read the validators of {url} from"), e))
    }

    /// Every page of a site that has validators in some saved scan: URL → (ETag,
    /// Last-Modified) of its latest such copy. Loaded once per site, so a scan does not query
    /// the store for every page it fetches.
    pub fn validator_index(&self, site: &str) -> Result<ValidatorIndex> {
        self.validator_index_inner(site)
            .map_err(|e| self.err(&format!("read the validators of {site} from"), e))
    }

    fn validator_index_inner(&self, site: &str) -> DbResult<ValidatorIndex> {
        let mut st = self.conn.prepare_cached(
            "SELECT p.url, p.etag, p.last_modified FROM pages p JOIN site_runs s ON s.id = p.site_run \
             WHERE s.site = ?1 AND (p.etag IS NOT NULL OR p.last_modified IS NOT NULL) \
             ORDER BY p.site_run",
        )?;
        let mut map = HashMap::new();
        st.for_each(params![site], |row| {
            // Later site runs come last and replace earlier ones.
            map.insert(row.get(0)?, (row.get(1)?, row.get(2)?));
            Ok(())
        })?;
        Ok(map)
    }

    fn validators_inner(&self, site: &str, url: &str) -> DbResult<Option<Validators>> {
        let sql = format!(
            "SELECT p.site_run, {} {PAGE_FROM} JOIN site_runs s ON s.id = p.site_run \
             WHERE s.site = ?1 AND p.url = ?2 \
             AND (p.etag IS NOT NULL OR p.last_modified IS NOT NULL) \
             ORDER BY p.site_run DESC LIMIT 1",
            page_select(true)
        );
        let dicts = Dicts::new(&self.conn);
        let found = self
            .conn
            .prepare_cached(&sql)?
            .query_row(params![site, url], |row| {
                let site_run: i64 = row.get(0)?;
                // The page's expressions follow the site run id.
                let (page, edges) = read_page(row, 1, &dicts, true)?;
                Ok((SiteRunId(site_run), page, edges))
            })
            .optional()?;
        let Some((site_run, page, edges)) = found else {
            return Ok(None);
        };
        Ok(Some(Validators {
            site_run,
            etag: page.etag.clone(),
            last_modified: page.last_modified.clone(),
            page,
            edges,
        }))
    }
}
