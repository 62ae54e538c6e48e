//! The decisions people have made on findings (人工确认), as a table.

use std::fmt::Write as _;

use super::tables::{TableFormat, BOM};
use crate::finding::Review;

/// The decisions as text, JSON or CSV.
pub fn list(rows: &[Review], format: TableFormat) -> String {
    match format {
        TableFormat::Json => serde_json::to_string_pretty(rows).unwrap_or_default() + "\n",
        TableFormat::Csv | TableFormat::CsvExcel => {
            let mut w = csv::Writer::from_writer(Vec::new());
            let _ = w.write_record([
                "site", "rule", "target", "decision", "reviewer", "note", "at",
            ]);
            for r in rows {
                let _ = w.write_record([
                    r.site.as_str(),
                    r.rule.as_str(),
                    r.target.as_str(),
                    r.decision.zh(),
                    r.reviewer.as_deref().unwrap_or(""),
                    r.note.as_deref().unwrap_or(""),
                    r.at.as_str(),
                ]);
            }
            let bytes = w.into_inner().unwrap_or_default();
            let text = String::from_utf8_lossy(&bytes);
            if format == TableFormat::CsvExcel {
                format!("{BOM}{text}")
            } else {
                text.into_owned()
            }
        }
        TableFormat::Text => {
            let mut out = String::new();
            if rows.is_empty() {
                let _ = writeln!(out, "存储中没有人工确认记录。");
            }
            for r in rows {
                let by = r
                    .reviewer
                    .as_deref()
                    .map(|b| format!(" · {b}"))
                    .unwrap_or_default();
                let note = r
                    .note
                    .as_deref()
                    .map(|n| format!(" · {n}"))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "{} · {} · {} · {}{by} · {}{note}",
                    r.site,
                    r.rule,
                    r.target,
                    r.decision.zh(),
                    r.at
                );
            }
            out
        }
    }
}
