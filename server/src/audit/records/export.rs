//! Exports of one page of the trail. Large exports page through `search` and join the
//! pieces; only the first CSV piece should keep its header (`to_csv_rows` has none).

use time::format_description::well_known::Rfc3339;

use super::AuditRecord;

/// Each record's JSON entry, one per line (JSON Lines, as a file device writes them).
pub fn to_json_lines(records: &[AuditRecord]) -> String {
    let mut out = String::new();
    for record in records {
        // The entry is one line already; a stray newline would split a record in two.
        out.push_str(&record.entry.replace(['\r', '\n'], " "));
        out.push('\n');
    }
    out
}

pub const CSV_HEADER: &str = "time,type,request_id,operation,path,mount,display_name,entity_id,policies,\
                              token_accessor,remote_address,status,error,duration_ms";

/// A header and one row per record with the structured columns (not the entry), as
/// RFC 4180 says: CRLF line ends, fields quoted when they must be.
pub fn to_csv(records: &[AuditRecord]) -> String {
    let mut out = format!("{CSV_HEADER}\r\n");
    out.push_str(&to_csv_rows(records));
    out
}

/// `to_csv` without the header, for the pages after the first.
pub fn to_csv_rows(records: &[AuditRecord]) -> String {
    let mut out = String::new();
    for r in records {
        let time = r.time.format(&Rfc3339).unwrap_or_default();
        let fields = [
            time.as_str(),
            r.entry_type.as_str(),
            &r.request_id,
            &r.operation,
            &r.path,
            &r.mount,
            &r.display_name,
            &r.entity_id,
            &r.policies.join(","),
            &r.token_accessor,
            &r.remote_address,
            &r.status.map(|s| s.to_string()).unwrap_or_default(),
            &r.error,
            &r.duration_ms.map(|d| d.to_string()).unwrap_or_default(),
        ];
        let row: Vec<String> = fields.iter().map(|f| field(f)).collect();
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out
}

/// One CSV field. A spreadsheet runs a cell starting with `=`, `+`, `-`, `@`, tab or CR
/// as a formula; a path or display name is chosen by whoever made the request, so such
/// a field gets a leading `'` (OWASP's advice) and shows as text.
fn field(value: &str) -> String {
    let defused = match value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        true => format!("'{value}"),
        false => value.to_string(),
    };
    match defused.contains([',', '"', '\r', '\n']) || defused.starts_with(' ') || defused.ends_with(' ') {
        true => format!("\"{}\"", defused.replace('"', "\"\"")),
        false => defused,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::records::EntryType;
    use crate::audit::records::tests::sample;

    #[test]
    fn json_lines_are_the_entries_one_per_line() {
        let a = sample("a");
        let b = AuditRecord { entry: "{\"x\":\n1}".into(), ..sample("b") };
        let out = to_json_lines(&[a.clone(), b]);
        assert_eq!(out, format!("{}\n{{\"x\": 1}}\n", a.entry));
        assert_eq!(to_json_lines(&[]), "");
    }

    #[test]
    fn csv_has_a_header_and_quotes_as_rfc_4180_says() {
        let record = AuditRecord {
            request_id: "r\"1".into(),
            entry_type: EntryType::Response,
            path: "secret/data/a,b".into(),
            policies: vec!["default".into(), "ops".into()],
            error: "line one\nline two".into(),
            display_name: " padded".into(),
            ..sample("r")
        };
        let csv = to_csv(&[record]);
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines[0], CSV_HEADER);
        assert_eq!(
            csv,
            format!(
                "{CSV_HEADER}\r\n2026-03-01T12:00:00Z,response,\"r\"\"1\",read,\"secret/data/a,b\",secret/,\" padded\",,\
                 \"default,ops\",hmac-sha256:root,127.0.0.1,200,\"line one\nline two\",1.25\r\n"
            )
        );
        assert_eq!(to_csv(&[]), format!("{CSV_HEADER}\r\n"));
        assert_eq!(to_csv_rows(&[]), "");
    }

    #[test]
    fn csv_defuses_formulas() {
        for (value, cell) in [
            ("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\""),
            ("+1", "'+1"),
            ("-1+2", "'-1+2"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tcmd", "'\tcmd"),
            ("\rcmd", "\"'\rcmd\""),
            ("=a,b", "\"'=a,b\""),
            ("a=b", "a=b"),
        ] {
            assert_eq!(field(value), cell, "{value:?}");
            let record = AuditRecord { display_name: value.into(), ..sample("f") };
            assert!(to_csv_rows(&[record]).contains(&format!(",{cell},")), "{value:?}");
        }
    }
}
