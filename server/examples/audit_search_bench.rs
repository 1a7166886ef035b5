//! How fast the audit trail viewer's searches are at a million entries: seeds the
//! database device's table with a realistic trail (request and response entries of
//! 200 identities over 30 days, a few heavy users, 2% failures), then times each filter
//! the console offers, one page of 50 response entries as the viewer asks for it.
//!
//!   cargo run --release -p arcanum --example audit_search_bench -- [rows] [sqlite|postgres|both]
//!
//! SQLite goes to a temporary file; PostgreSQL to a database of its own on the local
//! server (dropped afterwards). Prints the median and worst of 5 runs per filter.

use std::sync::Arc;
use std::time::{Duration, Instant};

use arcanum::audit::records::{AuditQuery, AuditRecord, AuditRecords, EntryType, Outcome, TimeRange};
use arcanum::storage::{Physical, SqlStorage, SqliteStorage};
use arcanum::testing::TestPostgres;
use time::OffsetDateTime;

const PAGE: u32 = 50;
const RUNS: usize = 5;
const BATCH: usize = 5_000;
const IDENTITIES: u64 = 200;
const SECRETS: u64 = 20_000;

#[tokio::main]
async fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let rows: u64 = args
        .next()
        .map(|n| n.parse().map_err(|_| format!("rows must be a number, not {n}")))
        .transpose()?
        .unwrap_or(1_000_000);
    let which = args.next().unwrap_or_else(|| "both".into());
    let now = OffsetDateTime::now_utc();
    if matches!(which.as_str(), "sqlite" | "both") {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let store = SqliteStorage::open(&dir.path().join("audit.db")).await.map_err(|e| e.to_string())?;
        run("SQLite", store.audit_records().map_err(|e| e.to_string())?, rows, now).await?;
    }
    if matches!(which.as_str(), "postgres" | "both") {
        let db = TestPostgres::create().await?;
        let store = SqlStorage::open_postgres(&db.url).await.map_err(|e| e.to_string())?;
        run("PostgreSQL", store.audit_records().map_err(|e| e.to_string())?, rows, now).await?;
    }
    Ok(())
}

async fn run(name: &str, records: Arc<dyn AuditRecords>, rows: u64, now: OffsetDateTime) -> Result<(), String> {
    let started = Instant::now();
    let mut batch = Vec::with_capacity(BATCH);
    for n in 0..rows {
        batch.push(entry(n, rows, now));
        if batch.len() == BATCH || n + 1 == rows {
            records.insert(&batch).await.map_err(|e| e.to_string())?;
            batch.clear();
        }
    }
    let count = records.count().await.map_err(|e| e.to_string())?;
    println!("\n{name}: {count} entries seeded in {:.1} s", started.elapsed().as_secs_f64());
    println!("{:<44} {:>10} {:>10} {:>6}", "filter (one page of 50 responses)", "median ms", "worst ms", "rows");
    let mut slowest = Duration::ZERO;
    for (label, query) in queries(now) {
        let (median, worst, found) = time(records.as_ref(), &query).await?;
        slowest = slowest.max(worst);
        println!("{label:<44} {:>10.1} {:>10.1} {found:>6}", ms(median), ms(worst));
    }
    // The second page of the broadest search: the cursor keeps it as fast as the first.
    let first = records.search(&response_query(AuditQuery::default())).await.map_err(|e| e.to_string())?;
    if let Some(cursor) = first.next_cursor {
        let query = AuditQuery {
            cursor: Some(arcanum::audit::records::Cursor::parse(&cursor)?),
            ..response_query(AuditQuery::default())
        };
        let (median, worst, found) = time(records.as_ref(), &query).await?;
        slowest = slowest.max(worst);
        println!("{:<44} {:>10.1} {:>10.1} {found:>6}", "everything, second page (cursor)", ms(median), ms(worst));
    }
    println!("{name}: slowest filtered page {:.1} ms", ms(slowest));
    let since = Some(now - time::Duration::days(30));
    let usage_started = Instant::now();
    let usage =
        records.policy_usage("team-3", TimeRange { since, until: None }, 20_000).await.map_err(|e| e.to_string())?;
    println!(
        "{name}: advisor grouping for one policy over 30 days: {:.1} ms ({} groups)",
        ms(usage_started.elapsed()),
        usage.len()
    );
    Ok(())
}

/// The viewer's page: response entries (one per request), 50 of them.
fn response_query(query: AuditQuery) -> AuditQuery {
    AuditQuery { entry_type: Some(EntryType::Response), limit: PAGE, ..query }
}

fn queries(now: OffsetDateTime) -> Vec<(&'static str, AuditQuery)> {
    let since = |d: time::Duration| TimeRange { since: Some(now - d), until: None };
    let q = |query: AuditQuery| response_query(query);
    let text = |s: &str| Some(s.to_string());
    vec![
        ("everything", q(AuditQuery::default())),
        ("last hour", q(AuditQuery { range: since(time::Duration::hours(1)), ..Default::default() })),
        ("last 24 hours", q(AuditQuery { range: since(time::Duration::hours(24)), ..Default::default() })),
        ("identity: a light user", q(AuditQuery { identity: text("userpass-user157"), ..Default::default() })),
        ("identity: the heaviest (root)", q(AuditQuery { identity: text("root"), ..Default::default() })),
        ("identity: nobody by that name", q(AuditQuery { identity: text("userpass-nobody"), ..Default::default() })),
        ("path: one secret", q(AuditQuery { path_prefix: text("secret/data/app7/s1234"), ..Default::default() })),
        ("path: a folder", q(AuditQuery { path_prefix: text("secret/data/app7/"), ..Default::default() })),
        ("path: a whole mount", q(AuditQuery { path_prefix: text("secret/"), ..Default::default() })),
        ("path: a rare mount", q(AuditQuery { path_prefix: text("sys/"), ..Default::default() })),
        ("path contains: a common word", q(AuditQuery { path_contains: text("app7/"), ..Default::default() })),
        ("path contains: one secret's name", q(AuditQuery { path_contains: text("/s1234"), ..Default::default() })),
        ("path contains: nothing matches", q(AuditQuery { path_contains: text("no-such-name"), ..Default::default() })),
        ("operation: delete", q(AuditQuery { operation: text("delete"), ..Default::default() })),
        ("outcome: error", q(AuditQuery { outcome: Some(Outcome::Error), ..Default::default() })),
        ("remote address", q(AuditQuery { remote_address: text("10.0.3.77"), ..Default::default() })),
        (
            "identity + operation + 7 days",
            q(AuditQuery {
                identity: text("userpass-user47"),
                operation: text("update"),
                range: since(time::Duration::days(7)),
                ..Default::default()
            }),
        ),
        (
            "folder + errors + 24 hours",
            q(AuditQuery {
                path_prefix: text("secret/data/app3/"),
                outcome: Some(Outcome::Error),
                range: since(time::Duration::hours(24)),
                ..Default::default()
            }),
        ),
    ]
}

async fn time(records: &dyn AuditRecords, query: &AuditQuery) -> Result<(Duration, Duration, usize), String> {
    let mut times = Vec::with_capacity(RUNS);
    let mut found = 0;
    for _ in 0..RUNS {
        let started = Instant::now();
        let page = records.search(query).await.map_err(|e| e.to_string())?;
        times.push(started.elapsed());
        found = page.records.len();
    }
    times.sort();
    Ok((times[RUNS / 2], times[RUNS - 1], found))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The `n`th of `rows` entries, oldest first, spread over the last 30 days. Pairs: a
/// request entry, then its response. A deterministic mix (no RNG dependency): root and
/// a few service accounts are heavy, most users light; 2% of requests fail.
fn entry(n: u64, rows: u64, now: OffsetDateTime) -> AuditRecord {
    let request = n / 2;
    let kind = if n.is_multiple_of(2) { EntryType::Request } else { EntryType::Response };
    let span = time::Duration::days(30).whole_microseconds() as u64;
    let age = span - span * (n + 1) / rows.max(1);
    let time = now - time::Duration::microseconds(age as i64);
    let mix = request.wrapping_mul(2_654_435_761) >> 7;
    let identity = match mix % 10 {
        0..=2 => "root".to_string(),
        3..=4 => format!("approle-service{}", mix % 5),
        _ => format!("userpass-user{}", mix % IDENTITIES),
    };
    let secret = (mix / 7) % SECRETS;
    let (path, mount) = match mix % 50 {
        0 => ("sys/mounts".to_string(), "sys/"),
        1 => ("auth/token/lookup-self".to_string(), "auth/token/"),
        _ => (format!("secret/data/app{}/s{secret}", secret % 10), "secret/"),
    };
    let operation = match mix % 20 {
        0 => "delete",
        1..=4 => "update",
        5 => "list",
        _ => "read",
    };
    let failed = mix % 50 == 7;
    let status = match kind {
        EntryType::Request => None,
        EntryType::Response if failed => Some(403),
        EntryType::Response => Some(200),
    };
    let entry = format!(
        concat!(
            r#"{{"time":"{time}","type":"{kind}","auth":{{"client_token":"hmac-sha256:{n:064x}","#,
            r#""accessor":"hmac-sha256:{mix:064x}","display_name":"{identity}","policies":["default","team-{team}"]}},"#,
            r#""request":{{"id":"{request:036}","operation":"{operation}","path":"{path}","remote_address":"10.0.{a}.{b}"}}}}"#
        ),
        time = time,
        kind = kind.as_str(),
        n = n,
        mix = mix,
        identity = identity,
        team = mix % 8,
        request = request,
        operation = operation,
        path = path,
        a = mix % 8,
        b = mix % 250,
    );
    AuditRecord {
        time,
        request_id: format!("{request:036}"),
        entry_type: kind,
        operation: operation.to_string(),
        path,
        mount: mount.to_string(),
        display_name: identity,
        entity_id: String::new(),
        policies: vec!["default".into(), format!("team-{}", mix % 8)],
        token_accessor: format!("hmac-sha256:{mix:064x}"),
        remote_address: format!("10.0.{}.{}", mix % 8, mix % 250),
        status,
        error: if failed && kind == EntryType::Response { "permission denied".into() } else { String::new() },
        duration_ms: (kind == EntryType::Response).then_some(0.4),
        entry,
    }
}
