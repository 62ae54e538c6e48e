//! Extraction: turns a fetched body into facts — the decoded text (charset detection for
//! UTF-8, GBK, GB2312 and GB18030), the page's title, meta tags, visible text, and every link
//! it carries with its anchor text, resolved against the page URL and `<base href>` and put in
//! canonical form.
//!
//! Owns: charset decoding ([`charset`]), URL resolution and canonical form ([`urls`]), link
//! and page extraction ([`links`]), the bounds on what a page may cost to read (binary
//! content, links per page, DOM size and nesting, with a tokenizer-level fallback:
//! [`bounded`]), and the soft-404 text heuristics ([`soft404`]).

pub mod annual_report;
pub mod bounded;
pub mod charset;
pub mod dates;
pub mod facts;
pub mod feeds;
pub mod hidden;
pub mod interaction;
pub mod links;
pub mod normdoc;
pub mod pagination;
pub mod service;
pub mod soft404;
pub mod urls;

pub use bounded::{looks_binary, ParseLimits};
pub use charset::{decode, CharsetSource, Decoded};
pub use dates::ItemDate;
pub use facts::{
    apply_fact_rules, page_facts, page_facts_and_raw, FactRules, PageFacts, PageRaw,
    MAX_RAW_TEXT_BYTES,
};
pub use links::{
    extract_document, extract_document_capped, extract_page, ExtractedPage, LinkElement, RawLink,
};
pub use urls::{canonicalize, resolve_href, LinkTarget};
