//! Charset detection and decoding: BOM, the Content-Type header, `<meta charset>` /
//! `<meta http-equiv>`, else sniffing; GB2312 and GBK labels decode as GBK/GB18030.
//!
//! The order follows the HTML standard (BOM, transport layer, `<meta>` prescan, sniffing),
//! with one deliberate departure: government sites are often served by misconfigured
//! servers (a Tomcat default of `ISO-8859-1` in front of GBK pages, a `gb2312` label on pages
//! saved as UTF-8), so a declaration that does not fit the bytes is replaced by one that
//! does. A browser would show such a page garbled; [`Decoded::overridden_declaration`] keeps
//! the evidence so that a check can report it, while extraction still sees the real text.
//!
//! GB2312 and GBK labels resolve to encoding_rs's `GBK`, whose decoder is the full GB18030
//! decoder (as the Encoding Standard specifies), so four-byte GB18030 sequences decode
//! correctly whichever of the three labels a page uses. `GBK` is kept as the encoding (rather
//! than being widened to `GB18030`) because browsers use the GBK *encoder* for such pages
//! when they percent-encode link queries, and [`super::urls`] must do the same.

use std::sync::LazyLock;

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::{
    CoderResult, Encoding, GB18030, GBK, REPLACEMENT, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252,
    X_USER_DEFINED,
};
use regex::bytes::Regex;

/// Where the charset used to decode a page came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CharsetSource {
    Bom,
    Header,
    Meta,
    Sniffed,
    Default,
}

/// A decoded body.
#[derive(Debug, Clone)]
pub struct Decoded {
    pub text: String,
    pub encoding: &'static Encoding,
    pub source: CharsetSource,
    /// Some bytes could not be decoded with the chosen encoding.
    pub had_errors: bool,
    /// The encoding the header or `<meta>` declared, when it did not fit the bytes and another
    /// encoding was used instead (`source` then says where that one came from). A browser
    /// honours the declaration and shows the page garbled, so this is worth reporting.
    pub overridden_declaration: Option<&'static Encoding>,
}

/// How much of the body the `<meta>` prescan looks at. The standard says 1024 bytes, but
/// many Chinese government pages carry long comment banners and script blocks before their
/// `<meta>`, and a few KB cost nothing.
const PRESCAN_BYTES: usize = 4096;

/// How much of an undeclared body the sniffer is fed; enough to decide, bounded in time.
const SNIFF_BYTES: usize = 64 * 1024;

/// Decode a body given the Content-Type header (if any).
pub fn decode(body: &[u8], content_type: Option<&str>) -> Decoded {
    if let Some((encoding, bom_len)) = Encoding::for_bom(body) {
        let (text, had_errors) = decode_with(encoding, body.get(bom_len..).unwrap_or_default());
        return Decoded {
            text,
            encoding,
            source: CharsetSource::Bom,
            had_errors,
            overridden_declaration: None,
        };
    }
    let header = content_type.and_then(|ct| charset_param(ct.as_bytes()));
    let header = header.and_then(|label| encoding_for_label(label, false));
    let meta = prescan_meta(body);
    match (header, meta) {
        (Some(declared), meta) => decode_declared(body, declared, CharsetSource::Header, meta),
        (None, Some(declared)) => decode_declared(body, declared, CharsetSource::Meta, None),
        (None, None) => sniff(body),
    }
}

/// Decode with a declared encoding, falling back to an alternative when the declaration
/// evidently does not fit the bytes.
fn decode_declared(
    body: &[u8],
    declared: &'static Encoding,
    source: CharsetSource,
    meta: Option<&'static Encoding>,
) -> Decoded {
    let (text, had_errors) = decode_with(declared, body);
    // windows-1252 (what `ISO-8859-1`, the Java servlet default, maps to) and UTF-16 decode
    // almost any bytes without an error, so an error count cannot expose them; they are
    // suspect whenever the body is not plain ASCII (UTF-16 pages without a BOM do not occur
    // in practice, while a wrong `charset=utf-16` header does).
    let single_byte_suspect = declared == WINDOWS_1252 && !body.is_ascii();
    let utf16_suspect = declared == UTF_16BE || declared == UTF_16LE;
    // A page saved as UTF-8 under a `gb2312` label can decode "cleanly" as GBK: every pair of
    // UTF-8 bytes of CJK text is a valid GBK pair, so only runs of odd length betray it. The
    // converse (legacy CJK text that happens to be valid UTF-8) is vanishingly rare beyond a
    // few characters, so non-ASCII bytes that form valid UTF-8 make any other label suspect.
    let utf8_suspect = declared != UTF_8 && !body.is_ascii() && is_utf8_ignoring_truncation(body);
    if !had_errors && !single_byte_suspect && !utf16_suspect && !utf8_suspect {
        return Decoded {
            text,
            encoding: declared,
            source,
            had_errors,
            overridden_declaration: None,
        };
    }

    // Alternatives, most trusted first: the page's own `<meta>` when the header disagrees,
    // then UTF-8 (valid UTF-8 is practically never accidental), then GB18030. GB18030 is not
    // tried against a windows-1252 declaration: Latin-1 text often decodes "cleanly" as GBK
    // mojibake.
    let mut alternatives: Vec<(&'static Encoding, CharsetSource)> = Vec::with_capacity(3);
    if let Some(meta) = meta.filter(|m| !same_decoder(m, declared)) {
        alternatives.push((meta, CharsetSource::Meta));
    }
    alternatives.push((UTF_8, CharsetSource::Sniffed));
    if !single_byte_suspect {
        alternatives.push((GB18030, CharsetSource::Sniffed));
    }
    for (alternative, alt_source) in alternatives {
        if same_decoder(alternative, declared) {
            continue;
        }
        let (alt_text, alt_errors) = decode_with(alternative, body);
        if !alt_errors {
            return Decoded {
                text: alt_text,
                encoding: alternative,
                source: alt_source,
                had_errors: false,
                overridden_declaration: Some(declared),
            };
        }
    }
    Decoded {
        text,
        encoding: declared,
        source,
        had_errors,
        overridden_declaration: None,
    }
}

/// No BOM and no declaration: UTF-8 if the bytes are UTF-8, else ask chardetng.
fn sniff(body: &[u8]) -> Decoded {
    if body.is_ascii() {
        // Any ASCII-compatible encoding gives the same text; UTF-8 is the natural default.
        return Decoded {
            text: String::from_utf8_lossy(body).into_owned(),
            encoding: UTF_8,
            source: CharsetSource::Default,
            had_errors: false,
            overridden_declaration: None,
        };
    }
    let encoding = if is_utf8_ignoring_truncation(body) {
        UTF_8
    } else {
        let prefix = body.get(..SNIFF_BYTES).unwrap_or(body);
        let mut detector = EncodingDetector::new(Iso2022JpDetection::Deny);
        detector.feed(prefix, prefix.len() == body.len());
        // The sites govscan inspects are Chinese; the `cn` TLD hint tilts close calls
        // towards GBK, the usual legacy encoding of those sites.
        detector.guess(Some(b"cn"), Utf8Detection::Allow)
    };
    let (text, had_errors) = decode_with(encoding, body);
    Decoded {
        text,
        encoding,
        source: CharsetSource::Sniffed,
        had_errors,
        overridden_declaration: None,
    }
}

/// Decode `bytes` (no BOM handling) with replacement, reporting whether anything was
/// replaced. An incomplete sequence at the very end is dropped rather than counted as an
/// error: the crawler caps body sizes, and a cut in the middle of a character must not make
/// a correct declaration look wrong.
fn decode_with(encoding: &'static Encoding, bytes: &[u8]) -> (String, bool) {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let capacity = decoder
        .max_utf8_buffer_length(bytes.len())
        .unwrap_or(bytes.len());
    let mut out = String::with_capacity(capacity);
    let mut src = bytes;
    let mut had_errors = false;
    loop {
        let (result, read, replaced) = decoder.decode_to_string(src, &mut out, false);
        had_errors |= replaced;
        src = src.get(read..).unwrap_or_default();
        match result {
            CoderResult::InputEmpty => break,
            // Only reachable if the capacity estimate overflowed; grow and continue.
            CoderResult::OutputFull => out.reserve(src.len().saturating_mul(3).max(16)),
        }
    }
    (out, had_errors)
}

/// Whether `bytes` are valid UTF-8, allowing an incomplete sequence at the end (see
/// [`decode_with`]).
fn is_utf8_ignoring_truncation(bytes: &[u8]) -> bool {
    match std::str::from_utf8(bytes) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none(),
    }
}

/// GBK and GB18030 share one decoder, so trying one after the other is pointless.
fn same_decoder(a: &'static Encoding, b: &'static Encoding) -> bool {
    let gb = |e: &'static Encoding| e == GBK || e == GB18030;
    a == b || (gb(a) && gb(b))
}

/// Resolve a charset label. Besides the Encoding Standard's labels, a few spellings seen on
/// misconfigured servers (`GB-2312`, `cp936`, `utf_8`...) are accepted. `from_meta` applies
/// the `<meta>` prescan rules: a UTF-16 label there is a lie (the prescan only runs on
/// ASCII-compatible bytes) and means UTF-8; x-user-defined means windows-1252.
fn encoding_for_label(label: &[u8], from_meta: bool) -> Option<&'static Encoding> {
    let encoding = Encoding::for_label(label).or_else(|| {
        let squashed: String = label
            .iter()
            .filter(|b| b.is_ascii_alphanumeric())
            .map(|b| char::from(b.to_ascii_lowercase()))
            .collect();
        match squashed.as_str() {
            "gb2312" | "gb231280" | "gbk" | "cp936" | "ms936" | "windows936" | "euccn"
            | "xeuccn" => Some(GBK),
            "gb18030" => Some(GB18030),
            "utf8" => Some(UTF_8),
            _ => None,
        }
    })?;
    // The replacement encoding (labels such as iso-2022-kr) would turn the page into a single
    // U+FFFD; such a label is better ignored.
    if encoding == REPLACEMENT {
        return None;
    }
    if from_meta {
        if encoding == UTF_16BE || encoding == UTF_16LE {
            return Some(UTF_8);
        }
        if encoding == X_USER_DEFINED {
            return Some(WINDOWS_1252);
        }
    }
    Some(encoding)
}

/// The value of a `charset=` parameter in a Content-Type value (header or `<meta content>`),
/// following the Standard's "extract a character encoding from a meta element": find
/// `charset`, skip spaces, require `=`, then take a quoted or unquoted value.
fn charset_param(value: &[u8]) -> Option<&[u8]> {
    let lower = value.to_ascii_lowercase();
    let mut from = 0;
    while let Some(pos) = find(lower.get(from..)?, b"charset") {
        let mut i = from + pos + b"charset".len();
        from = i;
        while value.get(i).is_some_and(|b| b.is_ascii_whitespace()) {
            i += 1;
        }
        if value.get(i) != Some(&b'=') {
            continue;
        }
        i += 1;
        while value.get(i).is_some_and(|b| b.is_ascii_whitespace()) {
            i += 1;
        }
        let rest = value.get(i..)?;
        return match rest.first() {
            Some(&q @ (b'"' | b'\'')) => {
                let inner = rest.get(1..)?;
                let end = inner.iter().position(|&b| b == q)?;
                inner.get(..end)
            }
            Some(_) => {
                let end = rest
                    .iter()
                    .position(|&b| b == b';' || b.is_ascii_whitespace())
                    .unwrap_or(rest.len());
                rest.get(..end)
            }
            None => None,
        };
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

static COMMENT_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?s)<!--.*?(?:-->|\z)").expect("comment regex is valid"));
static META_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)<meta[\s/][^>]*>").expect("meta regex is valid"));
static ATTR_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)([a-z_:][-a-z0-9_:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))"#)
        .expect("attribute regex is valid")
});

/// The `<meta>` prescan over the first [`PRESCAN_BYTES`]: the first `<meta charset>` or
/// `<meta http-equiv="Content-Type" content="…charset=…">` (outside comments) with a known
/// label wins.
fn prescan_meta(body: &[u8]) -> Option<&'static Encoding> {
    let head = body.get(..PRESCAN_BYTES).unwrap_or(body);
    let comments: Vec<(usize, usize)> = COMMENT_RE
        .find_iter(head)
        .map(|m| (m.start(), m.end()))
        .collect();
    for tag in META_RE.find_iter(head) {
        if comments
            .iter()
            .any(|&(s, e)| tag.start() >= s && tag.start() < e)
        {
            continue;
        }
        let mut charset = None;
        let mut is_content_type = false;
        let mut content = None;
        for caps in ATTR_RE.captures_iter(tag.as_bytes()) {
            let (Some(name), Some(val)) =
                (caps.get(1), caps.get(2).or(caps.get(3)).or(caps.get(4)))
            else {
                continue;
            };
            let name = name.as_bytes();
            let val = val.as_bytes();
            if name.eq_ignore_ascii_case(b"charset") {
                charset.get_or_insert(val);
            } else if name.eq_ignore_ascii_case(b"http-equiv") {
                is_content_type |= val.trim_ascii().eq_ignore_ascii_case(b"content-type");
            } else if name.eq_ignore_ascii_case(b"content") {
                content.get_or_insert(val);
            }
        }
        // As in the Standard, `charset` wins over `http-equiv` + `content` on the same tag.
        let label = charset.or_else(|| {
            if is_content_type {
                content.and_then(charset_param)
            } else {
                None
            }
        });
        if let Some(encoding) = label.and_then(|l| encoding_for_label(l, true)) {
            return Some(encoding);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gbk(s: &str) -> Vec<u8> {
        let (bytes, _, unmappable) = GBK.encode(s);
        assert!(!unmappable, "fixture must be GBK-encodable");
        bytes.into_owned()
    }

    fn page(meta: &str, body: &str) -> String {
        format!("<!DOCTYPE html><html><head>{meta}<title>政府网站</title></head><body>{body}</body></html>")
    }

    #[test]
    fn utf8_without_declaration_is_sniffed() {
        let html = page("", "中华人民共和国国务院");
        let d = decode(html.as_bytes(), None);
        assert_eq!(d.encoding, UTF_8);
        assert_eq!(d.source, CharsetSource::Sniffed);
        assert!(!d.had_errors);
        assert_eq!(d.text, html);
    }

    #[test]
    fn ascii_without_declaration_defaults_to_utf8() {
        let d = decode(b"<html>hello</html>", None);
        assert_eq!(d.encoding, UTF_8);
        assert_eq!(d.source, CharsetSource::Default);
        let d = decode(b"", None);
        assert_eq!(d.text, "");
    }

    #[test]
    fn gbk_from_header() {
        let html = page("", "政务公开 信息公开指南");
        let d = decode(&gbk(&html), Some("text/html; charset=GBK"));
        assert_eq!(d.encoding, GBK);
        assert_eq!(d.source, CharsetSource::Header);
        assert!(!d.had_errors);
        assert_eq!(d.text, html);
    }

    #[test]
    fn gb2312_label_decodes_as_gbk() {
        // 镕 is outside GB2312 but inside GBK: pages labelled gb2312 routinely contain such
        // characters and browsers decode them.
        let html = page(
            r#"<meta http-equiv="Content-Type" content="text/html; charset=gb2312">"#,
            "朱镕基 政府工作报告",
        );
        let d = decode(&gbk(&html), None);
        assert_eq!(d.encoding, GBK);
        assert_eq!(d.source, CharsetSource::Meta);
        assert!(!d.had_errors);
        assert_eq!(d.text, html);
    }

    #[test]
    fn gb18030_four_byte_sequences_decode_under_every_gb_label() {
        // U+20087 (𠂇) and U+3400 (㐀) are four-byte sequences in GB18030.
        let html = page("", "𠂇㐀 通知公告");
        let (bytes, _, unmappable) = GB18030.encode(&html);
        assert!(!unmappable);
        for label in ["gb18030", "gbk", "gb2312", "GB_2312-80"] {
            let d = decode(&bytes, Some(&format!("text/html;charset={label}")));
            assert!(!d.had_errors, "{label}");
            assert_eq!(d.text, html, "{label}");
            assert_eq!(d.source, CharsetSource::Header, "{label}");
        }
    }

    #[test]
    fn bom_wins_over_everything() {
        let html = page(r#"<meta charset="gbk">"#, "首页");
        let mut bytes = vec![0xEF, 0xBB, 0xBF];
        bytes.extend_from_slice(html.as_bytes());
        let d = decode(&bytes, Some("text/html; charset=gbk"));
        assert_eq!(d.encoding, UTF_8);
        assert_eq!(d.source, CharsetSource::Bom);
        assert_eq!(d.text, html);

        let mut utf16 = vec![0xFF, 0xFE];
        for unit in "机构设置".encode_utf16() {
            utf16.extend_from_slice(&unit.to_le_bytes());
        }
        let d = decode(&utf16, None);
        assert_eq!(d.encoding, UTF_16LE);
        assert_eq!(d.text, "机构设置");
    }

    #[test]
    fn header_takes_precedence_over_meta() {
        // Both labels fit the (ASCII) bytes, so the header wins as the Standard says.
        let html = r#"<html><head><meta charset="gbk"></head><body>plain ascii</body></html>"#;
        let d = decode(html.as_bytes(), Some("text/html; charset=utf-8"));
        assert_eq!(d.encoding, UTF_8);
        assert_eq!(d.source, CharsetSource::Header);
        let d = decode(html.as_bytes(), Some("text/html"));
        assert_eq!(d.encoding, GBK);
        assert_eq!(d.source, CharsetSource::Meta);
        // With GBK bytes, a GBK header wins over a conflicting UTF-8 meta.
        let html = page(r#"<meta charset="utf-8">"#, "领导信箱");
        let d = decode(&gbk(&html), Some("text/html; charset=gbk"));
        assert_eq!(d.encoding, GBK);
        assert_eq!(d.source, CharsetSource::Header);
        assert_eq!(d.text, html);
    }

    #[test]
    fn meta_charset_attribute_and_quoting_variants() {
        for meta in [
            r#"<meta charset="gb2312">"#,
            "<meta charset=gb2312 />",
            "<META CHARSET='GB2312'>",
            r#"<meta http-equiv="content-type" content="text/html;charset = 'gb2312'">"#,
        ] {
            let html = page(meta, "人民政府");
            let d = decode(&gbk(&html), None);
            assert_eq!(d.encoding, GBK, "{meta}");
            assert_eq!(d.source, CharsetSource::Meta, "{meta}");
            assert_eq!(d.text, html, "{meta}");
        }
    }

    #[test]
    fn meta_inside_comment_is_ignored() {
        let html = page(
            r#"<!-- <meta charset="big5"> --><meta charset="gbk">"#,
            "办事服务",
        );
        let d = decode(&gbk(&html), None);
        assert_eq!(d.encoding, GBK);
    }

    #[test]
    fn meta_beyond_prescan_window_is_not_seen() {
        let padding = "<!-- padding -->".repeat(400);
        let html =
            format!("<html><head>{padding}<meta charset=\"gbk\"></head><body>ok</body></html>");
        let d = decode(html.as_bytes(), None);
        assert_eq!(d.source, CharsetSource::Default);
    }

    #[test]
    fn meta_utf16_label_means_utf8() {
        let html = page(r#"<meta charset="utf-16">"#, "互动交流");
        let d = decode(html.as_bytes(), None);
        assert_eq!(d.encoding, UTF_8);
        assert_eq!(d.text, html);
    }

    #[test]
    fn wrong_header_charset_falls_back_to_utf8() {
        let html = page("", "政府信息公开年度报告");
        let d = decode(html.as_bytes(), Some("text/html; charset=gb2312"));
        assert_eq!(d.encoding, UTF_8);
        assert_eq!(d.source, CharsetSource::Sniffed);
        assert_eq!(d.overridden_declaration, Some(GBK));
        assert!(!d.had_errors);
        assert_eq!(d.text, html);
    }

    #[test]
    fn wrong_meta_charset_falls_back_to_gb18030() {
        let html = page(r#"<meta charset="utf-8">"#, "政策解读 新闻发布会");
        let d = decode(&gbk(&html), None);
        assert_eq!(d.encoding, GB18030);
        assert_eq!(d.source, CharsetSource::Sniffed);
        assert_eq!(d.overridden_declaration, Some(UTF_8));
        assert_eq!(d.text, html);
    }

    #[test]
    fn latin1_header_yields_to_meta() {
        // The Tomcat classic: `ISO-8859-1` in the header, the truth in the <meta>.
        let html = page(r#"<meta charset="gbk">"#, "县人民政府办公室");
        let d = decode(&gbk(&html), Some("text/html;charset=ISO-8859-1"));
        assert_eq!(d.encoding, GBK);
        assert_eq!(d.source, CharsetSource::Meta);
        assert_eq!(d.overridden_declaration, Some(WINDOWS_1252));
        assert_eq!(d.text, html);
    }

    #[test]
    fn latin1_header_yields_to_valid_utf8() {
        let html = page("", "县人民政府办公室");
        let d = decode(html.as_bytes(), Some("text/html;charset=ISO-8859-1"));
        assert_eq!(d.encoding, UTF_8);
        assert_eq!(d.overridden_declaration, Some(WINDOWS_1252));
    }

    #[test]
    fn latin1_header_kept_for_real_latin1() {
        let d = decode(
            b"<p>caf\xe9 cr\xe8me</p>",
            Some("text/html;charset=iso-8859-1"),
        );
        assert_eq!(d.encoding, WINDOWS_1252);
        assert_eq!(d.text, "<p>café crème</p>");
        assert_eq!(d.overridden_declaration, None);
    }

    #[test]
    fn declared_charset_kept_when_no_alternative_is_clean() {
        // Mostly UTF-8 with one stray GBK fragment pasted in: neither decodes cleanly, so
        // the declaration stands and the error is reported.
        // (Runs of an odd number of UTF-8 bytes, such as the single 市, are what make UTF-8
        // text fail as GB18030.)
        let mut bytes = page(r#"<meta charset="utf-8">"#, "<p>市</p>通知公告").into_bytes();
        bytes.extend_from_slice(&gbk("公告"));
        bytes.extend_from_slice("征求意见".as_bytes());
        let d = decode(&bytes, None);
        assert_eq!(d.encoding, UTF_8);
        assert_eq!(d.source, CharsetSource::Meta);
        assert!(d.had_errors);
        assert_eq!(d.overridden_declaration, None);
    }

    #[test]
    fn undeclared_gbk_is_sniffed() {
        let html = page(
            "",
            "<p>为深入贯彻落实党中央、国务院关于推进政务公开的决策部署，进一步提高政府网站建设管理水平，现将有关事项通知如下。</p>",
        );
        let d = decode(&gbk(&html), None);
        assert!(
            d.encoding == GBK || d.encoding == GB18030,
            "{}",
            d.encoding.name()
        );
        assert_eq!(d.source, CharsetSource::Sniffed);
        assert!(!d.had_errors);
        assert_eq!(d.text, html);
    }

    #[test]
    fn truncated_final_character_is_not_an_error() {
        let html = page(r#"<meta charset="utf-8">"#, "政务服务");
        let bytes = html.as_bytes();
        let cut = bytes.len() - "</body></html>".len() - 1; // inside the last 务
        let d = decode(&bytes[..cut], None);
        assert_eq!(d.encoding, UTF_8);
        assert_eq!(d.source, CharsetSource::Meta);
        assert!(!d.had_errors);
        assert!(d.text.ends_with("政务服"), "{}", d.text);
    }

    #[test]
    fn odd_labels_and_unknown_labels() {
        let html = page("", "公开");
        let bytes = gbk(&html);
        for ct in ["text/html; charset=GB-2312", "text/html; charset=\"cp936\""] {
            let d = decode(&bytes, Some(ct));
            assert_eq!(d.encoding, GBK, "{ct}");
            assert_eq!(d.source, CharsetSource::Header, "{ct}");
        }
        let d = decode(&bytes, Some("text/html; charset=no-such-thing"));
        assert_ne!(d.source, CharsetSource::Header);
        assert_eq!(d.text, html);
        let d = decode(&bytes, Some("text/html; charset=iso-2022-kr"));
        assert_ne!(d.encoding, REPLACEMENT);
    }

    #[test]
    fn charset_param_parsing() {
        assert_eq!(charset_param(b"text/html; charset=gbk"), Some(&b"gbk"[..]));
        assert_eq!(
            charset_param(b"text/html;CHARSET=\"utf-8\""),
            Some(&b"utf-8"[..])
        );
        assert_eq!(
            charset_param(b"text/html; charset=utf-8; x=y"),
            Some(&b"utf-8"[..])
        );
        assert_eq!(
            charset_param(b"text/html; charsetx; charset=gbk"),
            Some(&b"gbk"[..])
        );
        assert_eq!(charset_param(b"text/html"), None);
        assert_eq!(charset_param(b"charset="), None);
        assert_eq!(charset_param(b"charset=\"unterminated"), None);
    }

    #[test]
    fn never_panics_on_hostile_bytes() {
        let inputs: [&[u8]; 8] = [
            b"",
            b"\xff",
            b"\xfe",
            b"\xef\xbb",
            b"<meta charset=",
            b"<meta http-equiv=content-type content=charset=",
            b"<meta charset='gbk",
            b"\x81\x30\x81",
        ];
        for input in inputs {
            for ct in [
                None,
                Some(""),
                Some("charset="),
                Some("text/html;charset=utf-16be"),
            ] {
                let _ = decode(input, ct);
            }
        }
        let noise: Vec<u8> = (0..20_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let _ = decode(&noise, None);
        let _ = decode(&noise, Some("text/html; charset=gbk"));
    }

    #[test]
    fn utf16_header_without_bom_is_distrusted() {
        let html = page("", "网站地图");
        let d = decode(html.as_bytes(), Some("text/html; charset=utf-16"));
        assert_eq!(d.encoding, UTF_8);
        assert_eq!(d.text, html);
    }
}
