//! URL resolution and canonical form.
//!
//! Resolution follows what a browser does with an href, because the links a visitor can
//! follow are what an inspection judges: surrounding ASCII whitespace and control characters
//! are stripped and tabs and newlines inside are removed; the path is UTF-8 percent-encoded;
//! the query is encoded in the *page's* encoding (a GBK page's `?q=中文` is sent as GBK bytes,
//! characters GBK lacks as `&#NNNN;`, exactly as browsers send it).
//!
//! The canonical form exists so that one resource is fetched once per scan however its links
//! spell it, and so that session ids do not turn one page into endlessly many.

use std::borrow::Cow;
use std::sync::LazyLock;

use encoding_rs::{EncoderResult, Encoding, UTF_8};
use regex::Regex;
use url::Url;

/// What an href points at.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LinkTarget {
    /// An http(s) URL, resolved and canonical.
    Http(Url),
    /// Another scheme (`javascript:`, `mailto:`, `tel:`...): recorded, not fetched.
    NotHttp { scheme: String, raw: String },
    /// Not a valid URL.
    Invalid { raw: String, reason: String },
}

/// Session-id parameter names removed whatever the configuration says: `;jsessionid=` is
/// appended to URLs by every Java servlet container when cookies are off, as the crawler's are.
const BUILTIN_SESSION_PARAMS: &[&str] = &["jsessionid"];

/// `raw` strings are cut to this many bytes: inline `data:` images can be hundreds of KB and
/// only their scheme matters.
const MAX_RAW_BYTES: usize = 512;

static SCHEME_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([A-Za-z][A-Za-z0-9+.\-]*):").expect("scheme regex is valid"));

/// Resolve an href found on a page against its base URL. The query of a relative URL is
/// encoded in the page's encoding (as browsers do for GBK pages).
///
/// Returns `None` for hrefs that point at the page itself: empty ones and fragment-only
/// ones (`#`, `#top`).
pub fn resolve_href(
    base: &Url,
    href: &str,
    encoding: &'static Encoding,
    session_params: &[String],
) -> Option<LinkTarget> {
    let href = clean_href(href);
    if href.is_empty() || href.starts_with('#') {
        return None;
    }
    if let Some(caps) = SCHEME_RE.captures(&href) {
        let scheme = caps.get(1).map_or("", |m| m.as_str()).to_ascii_lowercase();
        let after = href.get(scheme.len() + 1..).unwrap_or_default();
        // `C:\公文\通知.doc` pasted from an editor's machine: a browser takes `c` for a scheme
        // and the link leads nowhere, which an inspector needs to see as broken.
        if scheme.len() == 1 && (after.starts_with('\\') || after.starts_with('/')) {
            return Some(LinkTarget::Invalid {
                raw: truncate_raw(&href),
                reason: "a local file path (drive letter), not a web address".to_string(),
            });
        }
        if scheme != "http" && scheme != "https" {
            return Some(LinkTarget::NotHttp {
                scheme,
                raw: truncate_raw(&href),
            });
        }
    }

    // Browsers use the document's encoding for the query of every URL parsed in it; its
    // output encoding maps UTF-16 to UTF-8, for which no override is needed.
    let encoding = encoding.output_encoding();
    let encode = query_encoder(move |s: &str| encode_query(encoding, s));
    let encoding_override: url::EncodingOverride<'_> = if encoding == UTF_8 {
        None
    } else {
        Some(&encode)
    };
    match Url::options()
        .base_url(Some(base))
        .encoding_override(encoding_override)
        .parse(&href)
    {
        Ok(url) if matches!(url.scheme(), "http" | "https") => {
            Some(LinkTarget::Http(canonicalize(&url, session_params)))
        }
        Ok(url) => Some(LinkTarget::NotHttp {
            scheme: url.scheme().to_string(),
            raw: truncate_raw(&href),
        }),
        Err(e) => Some(LinkTarget::Invalid {
            raw: truncate_raw(&href),
            reason: e.to_string(),
        }),
    }
}

/// Pins the closure's signature to the higher-ranked one `encoding_override` wants.
fn query_encoder<F: Fn(&str) -> Cow<'_, [u8]>>(f: F) -> F {
    f
}

/// Encode a query in a legacy encoding the way the URL Standard's "percent-encode after
/// encoding" does: a character the encoding lacks becomes `%26%23NNNN%3B` (an escaped
/// `&#NNNN;`). The url crate percent-encodes what this returns but leaves `%` alone, so the
/// escapes pass through; letting encoding_rs write a bare `&#NNNN;` instead would put a
/// parameter separator into the query.
fn encode_query<'a>(encoding: &'static Encoding, s: &'a str) -> Cow<'a, [u8]> {
    let (bytes, _, unmappable) = encoding.encode(s);
    if !unmappable {
        return bytes;
    }
    let mut encoder = encoding.new_encoder();
    let mut out = Vec::with_capacity(s.len() * 2 + 16);
    let mut src = s;
    loop {
        let (result, read) =
            encoder.encode_from_utf8_to_vec_without_replacement(src, &mut out, true);
        src = src.get(read..).unwrap_or_default();
        match result {
            EncoderResult::InputEmpty => break,
            EncoderResult::OutputFull => out.reserve(src.len() * 2 + 16),
            EncoderResult::Unmappable(c) => {
                out.extend_from_slice(format!("%26%23{}%3B", u32::from(c)).as_bytes());
            }
        }
    }
    Cow::Owned(out)
}

/// What a browser does to an href before parsing it: strip leading and trailing C0 controls
/// and spaces, remove every tab and newline. (Non-ASCII spaces such as U+3000 are *not*
/// stripped by browsers, so a link ending in one is as broken for us as for a visitor.)
fn clean_href(href: &str) -> String {
    href.trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect()
}

fn truncate_raw(raw: &str) -> String {
    if raw.len() <= MAX_RAW_BYTES {
        return raw.to_string();
    }
    let mut end = MAX_RAW_BYTES;
    while !raw.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &raw[..end])
}

/// Canonical form of an http(s) URL: fragment dropped, default port removed, host lower-cased,
/// percent-encoding normalised, session-id parameters removed, empty path as `/`.
///
/// The url crate already lower-cases the host, drops default ports and gives http(s) URLs a
/// `/` path when parsing; this adds the fragment, percent-encoding (hex upper-cased,
/// unreserved characters decoded) and session ids (`;jsessionid=` path parameters and the
/// `session_params` query parameters, names compared case-insensitively). Query parameters
/// keep their order: some servers depend on it. An empty query is dropped. The result is a
/// fixed point: canonicalising it again changes nothing.
pub fn canonicalize(url: &Url, session_params: &[String]) -> Url {
    let mut u = url.clone();
    u.set_fragment(None);
    let is_session = |name: &str| {
        let name = normalize_percent(name);
        let name = percent_decode_lossy(&name);
        BUILTIN_SESSION_PARAMS
            .iter()
            .any(|p| p.eq_ignore_ascii_case(&name))
            || session_params.iter().any(|p| p.eq_ignore_ascii_case(&name))
    };

    if !u.cannot_be_a_base() {
        let path = canonical_path(u.path(), &is_session);
        if path != u.path() {
            u.set_path(&path);
        }
    }

    let query = u.query().map(|q| {
        q.split('&')
            .filter(|pair| !pair.is_empty())
            .filter(|pair| !is_session(pair.split('=').next().unwrap_or_default()))
            .map(normalize_percent)
            .collect::<Vec<_>>()
            .join("&")
    });
    match query {
        Some(q) if q.is_empty() => u.set_query(None),
        Some(q) if u.query() != Some(q.as_str()) => u.set_query(Some(&q)),
        _ => {}
    }
    u
}

/// Normalise percent-encoding in each segment and drop session-id path parameters
/// (`/list.jsp;jsessionid=ABC` → `/list.jsp`).
fn canonical_path(path: &str, is_session: &dyn Fn(&str) -> bool) -> String {
    let path = if path.is_empty() { "/" } else { path };
    path.split('/')
        .map(|segment| {
            if !segment.contains(';') {
                return normalize_percent(segment);
            }
            let mut parts = segment.split(';');
            let mut kept = vec![normalize_percent(parts.next().unwrap_or_default())];
            kept.extend(
                parts
                    .filter(|param| !is_session(param.split('=').next().unwrap_or_default()))
                    .map(normalize_percent),
            );
            kept.join(";")
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Upper-case the hex of every `%XX` and decode those that encode an unreserved character
/// (`A-Za-z0-9-._~`), which RFC 3986 says are equivalent either way. A `%` not followed by
/// two hex digits is left alone.
fn normalize_percent(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            if let (Some(h), Some(l)) = (
                bytes.get(i + 1).and_then(|c| hex_value(*c)),
                bytes.get(i + 2).and_then(|c| hex_value(*c)),
            ) {
                let value = h * 16 + l;
                if value.is_ascii_alphanumeric() || matches!(value, b'-' | b'.' | b'_' | b'~') {
                    out.push(char::from(value));
                } else {
                    out.push('%');
                    out.push(char::from(HEX_UPPER[usize::from(h)]));
                    out.push(char::from(HEX_UPPER[usize::from(l)]));
                }
                i += 3;
                continue;
            }
        }
        // Copy one whole character (URL serialisations are ASCII, but be safe).
        let len = s[i..].chars().next().map_or(1, char::len_utf8);
        out.push_str(&s[i..i + len]);
        i += len;
    }
    out
}

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Percent-decode for comparing parameter names only.
fn percent_decode_lossy(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            if let (Some(h), Some(l)) = (
                bytes.get(i + 1).and_then(|c| hex_value(*c)),
                bytes.get(i + 2).and_then(|c| hex_value(*c)),
            ) {
                out.push(h * 16 + l);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::GBK;

    fn base() -> Url {
        Url::parse("http://www.example.gov.cn/zwgk/tzgg/index.html").expect("valid test URL")
    }

    fn sessions() -> Vec<String> {
        vec!["sid".to_string(), "PHPSESSID".to_string()]
    }

    fn http(href: &str) -> String {
        http_in(&base(), href, UTF_8)
    }

    fn http_in(base: &Url, href: &str, encoding: &'static Encoding) -> String {
        match resolve_href(base, href, encoding, &sessions()) {
            Some(LinkTarget::Http(u)) => u.to_string(),
            other => panic!("{href:?} resolved to {other:?}"),
        }
    }

    #[test]
    fn relative_forms() {
        assert_eq!(http("a.html"), "http://www.example.gov.cn/zwgk/tzgg/a.html");
        assert_eq!(
            http("./a.html"),
            "http://www.example.gov.cn/zwgk/tzgg/a.html"
        );
        assert_eq!(http("../a.html"), "http://www.example.gov.cn/zwgk/a.html");
        assert_eq!(
            http("../../../../a.html"),
            "http://www.example.gov.cn/a.html"
        );
        assert_eq!(http("/a.html"), "http://www.example.gov.cn/a.html");
        assert_eq!(http("//other.gov.cn/x"), "http://other.gov.cn/x");
        assert_eq!(
            http("?page=2"),
            "http://www.example.gov.cn/zwgk/tzgg/index.html?page=2"
        );
        assert_eq!(
            http("HTTPS://WWW.Example.GOV.cn"),
            "https://www.example.gov.cn/"
        );
        assert_eq!(
            http("\\zwgk\\a.html"),
            "http://www.example.gov.cn/zwgk/a.html"
        );
    }

    #[test]
    fn whitespace_is_stripped_like_browsers_do() {
        assert_eq!(
            http("  \n /zwgk/\n  a.html\t "),
            "http://www.example.gov.cn/zwgk/  a.html".replace(' ', "%20")
        );
        assert_eq!(
            http("\r\n/zwgk/\tb.html\n"),
            "http://www.example.gov.cn/zwgk/b.html"
        );
    }

    #[test]
    fn empty_and_fragment_only_hrefs_are_the_page_itself() {
        for href in ["", "   ", "#", "#top", " #main "] {
            assert_eq!(resolve_href(&base(), href, UTF_8, &[]), None, "{href:?}");
        }
    }

    #[test]
    fn fragment_is_dropped() {
        assert_eq!(http("/a.html#section2"), "http://www.example.gov.cn/a.html");
    }

    #[test]
    fn non_http_schemes() {
        for (href, scheme) in [
            ("javascript:void(0)", "javascript"),
            ("JavaScript:;", "javascript"),
            ("mailto:zwgk@example.gov.cn", "mailto"),
            ("tel:12345", "tel"),
            ("data:image/png;base64,AAAA", "data"),
            ("ftp://ftp.example.gov.cn/a", "ftp"),
            ("file:///C:/a.doc", "file"),
        ] {
            match resolve_href(&base(), href, UTF_8, &[]) {
                Some(LinkTarget::NotHttp { scheme: s, raw }) => {
                    assert_eq!(s, scheme);
                    assert_eq!(raw, href);
                }
                other => panic!("{href}: {other:?}"),
            }
        }
        let long = format!("data:image/png;base64,{}", "A".repeat(100_000));
        match resolve_href(&base(), &long, UTF_8, &[]) {
            Some(LinkTarget::NotHttp { raw, .. }) => assert!(raw.len() < 600),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn invalid_urls() {
        for href in [
            "http://",
            "http://exa mple.gov.cn/",
            "https://[::1/",
            "C:\\公文\\通知.doc",
        ] {
            assert!(
                matches!(
                    resolve_href(&base(), href, UTF_8, &[]),
                    Some(LinkTarget::Invalid { .. })
                ),
                "{href}"
            );
        }
    }

    #[test]
    fn chinese_path_is_utf8_percent_encoded_even_on_gbk_pages() {
        let expected = "http://www.example.gov.cn/zwgk/tzgg/%E9%80%9A%E7%9F%A5.html";
        assert_eq!(http("通知.html"), expected);
        assert_eq!(http_in(&base(), "通知.html", GBK), expected);
    }

    #[test]
    fn query_uses_the_page_encoding() {
        // 中文 is D6D0 CEC4 in GBK.
        assert_eq!(
            http_in(&base(), "/search?q=中文", GBK),
            "http://www.example.gov.cn/search?q=%D6%D0%CE%C4"
        );
        assert_eq!(
            http_in(&base(), "/search?q=中文", UTF_8),
            "http://www.example.gov.cn/search?q=%E4%B8%AD%E6%96%87"
        );
        // Characters GBK lacks are sent as numeric character references, as browsers do.
        assert_eq!(
            http_in(&base(), "/s?q=😀", GBK),
            "http://www.example.gov.cn/s?q=%26%23128512%3B"
        );
    }

    #[test]
    fn default_port_removed_and_host_lowercased() {
        assert_eq!(http("http://WWW.GOV.CN:80/a"), "http://www.gov.cn/a");
        assert_eq!(http("https://www.gov.cn:443/"), "https://www.gov.cn/");
        assert_eq!(http("http://www.gov.cn:8080/"), "http://www.gov.cn:8080/");
        assert_eq!(http("http://www.gov.cn"), "http://www.gov.cn/");
    }

    #[test]
    fn percent_encoding_normalised() {
        assert_eq!(
            http("/a%2d%7e%41%2fb%e4%b8%ad?x=%2a%41%3d&y=%e4"),
            "http://www.example.gov.cn/a-~A%2Fb%E4%B8%AD?x=%2AA%3D&y=%E4"
        );
        // A stray % is left as it is.
        assert_eq!(http("/100%?a=5%"), "http://www.example.gov.cn/100%?a=5%");
    }

    #[test]
    fn session_ids_are_removed() {
        assert_eq!(
            http("/list.jsp;jsessionid=0A1B2C3D?id=5"),
            "http://www.example.gov.cn/list.jsp?id=5"
        );
        assert_eq!(
            http("/list.jsp;JSESSIONID=0A1B;type=x"),
            "http://www.example.gov.cn/list.jsp;type=x"
        );
        assert_eq!(
            http("/a.php?id=5&SID=abc&page=2"),
            "http://www.example.gov.cn/a.php?id=5&page=2"
        );
        assert_eq!(
            http("/a.php?phpsessid=abc"),
            "http://www.example.gov.cn/a.php"
        );
        assert_eq!(http("/a.php?sid=abc&"), "http://www.example.gov.cn/a.php");
        assert_eq!(http("/a.php?"), "http://www.example.gov.cn/a.php");
        // Not a session parameter just because the name contains one.
        assert_eq!(
            http("/a.php?sidebar=1&b=2&a=1"),
            "http://www.example.gov.cn/a.php?sidebar=1&b=2&a=1"
        );
    }

    #[test]
    fn canonical_form_is_a_fixed_point() {
        for href in [
            "/a%2d%7e;jsessionid=1?b=%e4&sid=2#x",
            "/search?q=中文&x=%2a",
            "http://WWW.gov.cn:80",
            "/a;b=c/d?&&",
        ] {
            let once = http(href);
            let url = Url::parse(&once).expect("canonical URL parses");
            assert_eq!(canonicalize(&url, &sessions()).as_str(), once, "{href}");
        }
    }

    #[test]
    fn base_with_query_and_fragment() {
        let b = Url::parse("http://www.gov.cn/list.jsp?page=3#top").expect("valid");
        assert_eq!(
            http_in(&b, "detail.jsp?id=1", UTF_8),
            "http://www.gov.cn/detail.jsp?id=1"
        );
        assert_eq!(
            http_in(&b, "?page=4", UTF_8),
            "http://www.gov.cn/list.jsp?page=4"
        );
    }
}
