//! Facts the crawl and the probes hand on and the checks judge: the values shared by the
//! layers (crawl produces them, the store keeps them, checks and reports read them). This
//! module depends on nothing above it, so every layer can use it without an arrow running back
//! up the pipeline. The IPv6 measurement's detail ([`Ipv6Detail`]) is defined beside the
//! measurement in `crawl::ipv6` (its parts carry the crawl's `LinkStatus`) and re-exported here.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

pub use crate::crawl::ipv6::Ipv6Detail;

/// IP address family of a probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IpFamily {
    V4,
    V6,
}

impl IpFamily {
    pub(crate) fn number(self) -> i64 {
        match self {
            IpFamily::V4 => 4,
            IpFamily::V6 => 6,
        }
    }

    pub(crate) fn from_number(n: i64) -> Option<IpFamily> {
        match n {
            4 => Some(IpFamily::V4),
            6 => Some(IpFamily::V6),
            _ => None,
        }
    }
}

/// One availability probe of a site's home page over one address family.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Probe {
    pub site: String,
    pub at: DateTime<FixedOffset>,
    pub family: IpFamily,
    /// The address connected to, if name resolution gave one.
    pub address: Option<String>,
    /// The home page answered normally.
    pub ok: bool,
    /// HTTP status, if there was an answer.
    pub status: Option<u16>,
    pub latency_ms: Option<u64>,
    pub error: Option<String>,
}

/// A site's IPv6 support as measured in one scan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ipv6Summary {
    /// The home page's host has an AAAA record.
    pub has_aaaa: bool,
    /// The home page answered over IPv6.
    pub home_reachable: bool,
    /// Second- and third-level links checked over IPv6, and how many answered.
    pub links_checked: usize,
    pub links_reachable: usize,
    /// Everything the measurement recorded (addresses, per-level coverage, failures,
    /// delegation). Stored as JSON; fields missing from an older row take their empty value.
    pub detail: Ipv6Detail,
}
