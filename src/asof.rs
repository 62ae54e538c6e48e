//! The as-of time: every date rule is judged against it (default now, China Standard Time),
//! so that tests and re-evaluations are reproducible.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};

/// China Standard Time (UTC+8), the time zone of every date on a government site.
pub fn cst() -> FixedOffset {
    // 8 hours is within the valid range of FixedOffset: a constant, not input.
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// Now, in China Standard Time.
pub fn now() -> DateTime<FixedOffset> {
    Utc::now().with_timezone(&cst())
}

/// Parse an as-of time: RFC 3339 (`2026-11-30T09:00:00+08:00`), `2026-11-30 09:00`, or a date
/// (`2026-11-30`, taken as the end of that day in China Standard Time).
pub fn parse(s: &str) -> Result<DateTime<FixedOffset>, String> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t);
    }
    for f in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(s, f) {
            if let Some(t) = cst().from_local_datetime(&n).single() {
                return Ok(t);
            }
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        if let Some(t) = d
            .and_hms_opt(23, 59, 59)
            .and_then(|n| cst().from_local_datetime(&n).single())
        {
            return Ok(t);
        }
    }
    Err(format!(
        "`{s}` is not a time: use 2026-11-30, 2026-11-30 09:00 or 2026-11-30T09:00:00+08:00"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_accepted_forms() {
        assert_eq!(
            parse("2026-11-30").map(|t| t.to_rfc3339()),
            Ok("2026-11-30T23:59:59+08:00".into())
        );
        assert_eq!(
            parse("2026-11-30 09:00").map(|t| t.to_rfc3339()),
            Ok("2026-11-30T09:00:00+08:00".into())
        );
        assert_eq!(
            parse("2026-11-30T01:00:00Z").map(|t| t.to_rfc3339()),
            Ok("2026-11-30T01:00:00+00:00".into())
        );
        assert!(parse("yesterday").is_err());
    }
}
