//! What every records backend must do. Each part starts from an empty table (cleared
//! with `prune`, which is itself under test) so the parts cannot see each other's rows.

use time::{Duration, OffsetDateTime, macros::datetime};

use crate::audit::records::{
    AccessorSummary, AuditPage, AuditQuery, AuditRecord, AuditRecords, EntryType, Outcome, PathSummary, PolicyUsage,
    Retention, TimeRange,
};

const T0: OffsetDateTime = datetime!(2026-03-01 12:00:00 UTC);

fn at(seconds: i64) -> OffsetDateTime {
    T0 + Duration::seconds(seconds)
}

pub(super) async fn run(s: &dyn AuditRecords) {
    round_trips_every_field(s).await;
    filters_alone_and_combined(s).await;
    path_prefixes_are_literal(s).await;
    values_are_never_sql(s).await;
    pages_every_row_once_in_order(s).await;
    summarises_who_and_what(s).await;
    groups_requests_by_policy(s).await;
    finds_rare_old_rows_beyond_the_recent_window(s).await;
    prunes_by_age_and_by_rows(s).await;
}

/// A record with plausible defaults; `seconds` after T0.
pub(super) fn record(request_id: &str, entry_type: EntryType, seconds: i64) -> AuditRecord {
    let response = entry_type == EntryType::Response;
    let entry = format!(r#"{{"type":"{}","request":{{"id":"{request_id}"}}}}"#, entry_type.as_str());
    AuditRecord {
        time: at(seconds),
        entry_type,
        token_accessor: "hmac-sha256:root".into(),
        status: response.then_some(200),
        duration_ms: response.then_some(1.25),
        ..AuditRecord::sample(request_id, &entry)
    }
}

async fn clear(s: &dyn AuditRecords) {
    s.prune(Retention { older_than: None, max_rows: Some(0) }).await.unwrap();
    assert_eq!(s.count().await.unwrap(), 0);
}

/// `request_id` + `q`/`s` (request/response) of each row of a page, in order.
fn keys(page: &AuditPage) -> Vec<String> {
    page.records.iter().map(|r| format!("{}{}", r.request_id, &r.entry_type.as_str()[2..3])).collect()
}

async fn search_keys(s: &dyn AuditRecords, query: AuditQuery) -> Vec<String> {
    let page = s.search(&query).await.unwrap();
    assert_eq!(page.next_cursor, None, "one page holds it all");
    keys(&page)
}

async fn round_trips_every_field(s: &dyn AuditRecords) {
    clear(s).await;
    s.insert(&[]).await.unwrap();
    let full = AuditRecord {
        time: T0 + Duration::microseconds(123_456),
        request_id: "5f0c-uuid".into(),
        entry_type: EntryType::Response,
        operation: "patch".into(),
        path: "secret/data/ünïcode/路径".into(),
        mount: "secret/".into(),
        display_name: "userpass-alice".into(),
        entity_id: "ent-1".into(),
        policies: vec!["default".into(), "dev, ops".into()],
        token_accessor: "hmac-sha256:abc".into(),
        remote_address: "::1".into(),
        status: Some(403),
        error: "permission denied".into(),
        duration_ms: Some(0.062_5),
        entry: r#"{"type":"response","error":"permission denied"}"#.into(),
    };
    let no_extras =
        AuditRecord { status: None, duration_ms: None, policies: vec![], ..record("r0", EntryType::Request, 0) };
    s.insert(&[full.clone(), no_extras.clone()]).await.unwrap();
    assert_eq!(s.count().await.unwrap(), 2);
    let page = s.search(&AuditQuery::default()).await.unwrap();
    assert_eq!(page.records, vec![full.clone(), no_extras]);

    // NUL, which PostgreSQL text cannot hold, must not lose the batch.
    clear(s).await;
    let odd = AuditRecord { display_name: "a\0b".into(), ..full };
    s.insert(&[odd]).await.unwrap();
    let page = s.search(&AuditQuery::default()).await.unwrap();
    assert_eq!(page.records[0].display_name, "a\u{FFFD}b");
}

/// Five requests, each with its request (`q`) and response (`s`) entry, a second apart.
fn fixture() -> Vec<AuditRecord> {
    struct R(&'static str, &'static str, &'static str, &'static str, &'static str, &'static str, &'static str);
    let requests = [
        (R("r1", "read", "secret/data/app/db", "secret/", "alice", "e-alice", "acc-a"), "10.0.0.1", 200, ""),
        (R("r2", "update", "secret/data/app/web", "secret/", "bob", "e-bob", "acc-b"), "10.0.0.2", 204, ""),
        (R("r3", "read", "secret/data/other", "secret/", "alice", "e-alice", "acc-a2"), "10.0.0.1", 403, "denied"),
        (R("r4", "list", "kv/metadata/", "kv/", "root", "", "acc-root"), "127.0.0.1", 200, ""),
        (R("r5", "delete", "secret/data/app/db", "secret/", "bob", "e-bob", "acc-b"), "10.0.0.2", 500, "internal"),
    ];
    let mut rows = Vec::new();
    for (n, (R(id, op, path, mount, name, entity, accessor), remote, status, error)) in requests.into_iter().enumerate()
    {
        for (kind, second) in [(EntryType::Request, 2 * n as i64 + 1), (EntryType::Response, 2 * n as i64 + 2)] {
            let mut r = record(id, kind, second);
            (r.operation, r.path, r.mount) = (op.into(), path.into(), mount.into());
            (r.display_name, r.entity_id, r.token_accessor) = (name.into(), entity.into(), accessor.into());
            r.remote_address = remote.into();
            // A denial is known before the request runs; a failure only after.
            let known = kind == EntryType::Response || status == 403;
            r.error = if known { error.into() } else { String::new() };
            if kind == EntryType::Response {
                r.status = Some(status);
            }
            rows.push(r);
        }
    }
    rows
}

async fn filters_alone_and_combined(s: &dyn AuditRecords) {
    clear(s).await;
    s.insert(&fixture()).await.unwrap();
    let q = AuditQuery::default;
    let all = ["r5s", "r5q", "r4s", "r4q", "r3s", "r3q", "r2s", "r2q", "r1s", "r1q"];
    assert_eq!(search_keys(s, q()).await, all);

    let range = |since, until| TimeRange { since, until };
    assert_eq!(search_keys(s, AuditQuery { range: range(Some(at(9)), None), ..q() }).await, ["r5s", "r5q"]);
    assert_eq!(search_keys(s, AuditQuery { range: range(None, Some(at(3))), ..q() }).await, ["r1s", "r1q"]);
    let window = AuditQuery { range: range(Some(at(4)), Some(at(6))), ..q() };
    assert_eq!(search_keys(s, window).await, ["r3q", "r2s"]);
    let prefix = AuditQuery { path_prefix: Some("secret/data/app/".into()), ..q() };
    assert_eq!(search_keys(s, prefix).await, ["r5s", "r5q", "r2s", "r2q", "r1s", "r1q"]);
    let exact_prefix = AuditQuery { path_prefix: Some("secret/data/app/db".into()), ..q() };
    assert_eq!(search_keys(s, exact_prefix).await, ["r5s", "r5q", "r1s", "r1q"]);
    assert_eq!(search_keys(s, AuditQuery { mount: Some("kv/".into()), ..q() }).await, ["r4s", "r4q"]);
    assert_eq!(search_keys(s, AuditQuery { mount: Some("kv".into()), ..q() }).await, Vec::<String>::new());
    let reads = AuditQuery { operation: Some("read".into()), ..q() };
    assert_eq!(search_keys(s, reads).await, ["r3s", "r3q", "r1s", "r1q"]);
    let alice = AuditQuery { identity: Some("alice".into()), ..q() };
    assert_eq!(search_keys(s, alice).await, ["r3s", "r3q", "r1s", "r1q"]);
    let bob_entity = AuditQuery { identity: Some("e-bob".into()), ..q() };
    assert_eq!(search_keys(s, bob_entity).await, ["r5s", "r5q", "r2s", "r2q"]);
    let accessor = AuditQuery { token_accessor: Some("acc-a".into()), ..q() };
    assert_eq!(search_keys(s, accessor).await, ["r1s", "r1q"]);
    let remote = AuditQuery { remote_address: Some("10.0.0.2".into()), ..q() };
    assert_eq!(search_keys(s, remote).await, ["r5s", "r5q", "r2s", "r2q"]);
    let errors = AuditQuery { outcome: Some(Outcome::Error), ..q() };
    assert_eq!(search_keys(s, errors).await, ["r5s", "r3s", "r3q"]);
    let successes = AuditQuery { outcome: Some(Outcome::Success), ..q() };
    assert_eq!(search_keys(s, successes).await, ["r5q", "r4s", "r4q", "r2s", "r2q", "r1s", "r1q"]);
    let requests = AuditQuery { entry_type: Some(EntryType::Request), ..q() };
    assert_eq!(search_keys(s, requests).await, ["r5q", "r4q", "r3q", "r2q", "r1q"]);

    let containing = AuditQuery { contains: Some(r#""id":"r3""#.into()), ..q() };
    assert_eq!(search_keys(s, containing).await, ["r3s", "r3q"]);
    let wildcard = AuditQuery { contains: Some("%".into()), ..q() };
    assert_eq!(search_keys(s, wildcard).await, Vec::<String>::new(), "a substring is literal");

    let alice_errors = AuditQuery { identity: Some("alice".into()), outcome: Some(Outcome::Error), ..q() };
    assert_eq!(search_keys(s, alice_errors).await, ["r3s", "r3q"]);
    let recent_responses = AuditQuery {
        path_prefix: Some("secret/".into()),
        entry_type: Some(EntryType::Response),
        range: range(Some(at(4)), None),
        ..q()
    };
    assert_eq!(search_keys(s, recent_responses).await, ["r5s", "r3s", "r2s"]);
    let everything = AuditQuery {
        range: range(Some(at(1)), Some(at(11))),
        path_prefix: Some("secret/data/app/db".into()),
        mount: Some("secret/".into()),
        operation: Some("delete".into()),
        identity: Some("bob".into()),
        token_accessor: Some("acc-b".into()),
        remote_address: Some("10.0.0.2".into()),
        outcome: Some(Outcome::Error),
        entry_type: Some(EntryType::Response),
        ..q()
    };
    assert_eq!(search_keys(s, everything).await, ["r5s"]);
}

async fn path_prefixes_are_literal(s: &dyn AuditRecords) {
    clear(s).await;
    let paths = ["a%b/x", "a_b/x", "aXb/x", r"a\b/x", "A%b/x", "a%bc", "a"];
    let rows: Vec<_> = paths
        .iter()
        .enumerate()
        .map(|(n, path)| AuditRecord { path: path.to_string(), ..record(path, EntryType::Request, n as i64) })
        .collect();
    s.insert(&rows).await.unwrap();
    let under = |prefix: &str| {
        let query = AuditQuery { path_prefix: Some(prefix.into()), ..AuditQuery::default() };
        async move { s.search(&query).await.unwrap().records.into_iter().map(|r| r.path).collect::<Vec<_>>() }
    };
    assert_eq!(under("a%b/").await, ["a%b/x"]);
    assert_eq!(under("a%").await, ["a%bc", "a%b/x"]);
    assert_eq!(under("a_b").await, ["a_b/x"]);
    assert_eq!(under(r"a\").await, [r"a\b/x"]);
    assert_eq!(under("A").await, ["A%b/x"], "case-sensitive");
    assert_eq!(under("%").await, Vec::<String>::new());
    assert_eq!(under("_").await, Vec::<String>::new());
    assert_eq!(under("a").await.len(), 6);
    let containing = |part: &str| {
        let query = AuditQuery { path_contains: Some(part.into()), ..AuditQuery::default() };
        async move { s.search(&query).await.unwrap().records.into_iter().map(|r| r.path).collect::<Vec<_>>() }
    };
    assert_eq!(containing("b/").await, ["A%b/x", r"a\b/x", "aXb/x", "a_b/x", "a%b/x"]);
    assert_eq!(containing("%b").await, ["a%bc", "A%b/x", "a%b/x"], "free text is literal");
    assert_eq!(containing("_").await, ["a_b/x"]);
    assert_eq!(containing("X").await, ["aXb/x"], "case-sensitive");
    let who = s.who_accessed("a_", true, TimeRange::default()).await.unwrap();
    assert_eq!(who.iter().map(|w| w.count).sum::<u64>(), 1);
}

async fn values_are_never_sql(s: &dyn AuditRecords) {
    clear(s).await;
    s.insert(&[record("x'y", EntryType::Request, 0)]).await.unwrap();
    let hostile = ["' OR '1'='1", "x'); DROP TABLE arcanum_audit_log; --", "\\", "%", "?1", "$1"];
    for value in hostile {
        let query =
            AuditQuery { path_prefix: Some(value.into()), identity: Some(value.into()), ..AuditQuery::default() };
        assert!(s.search(&query).await.unwrap().records.is_empty(), "{value}");
        let query = AuditQuery { path_contains: Some(value.into()), ..AuditQuery::default() };
        assert!(s.search(&query).await.unwrap().records.is_empty(), "{value}");
        assert!(s.accessed_by(value, TimeRange::default()).await.unwrap().is_empty(), "{value}");
        assert!(s.who_accessed(value, false, TimeRange::default()).await.unwrap().is_empty(), "{value}");
    }
    let quoted = AuditQuery { identity: Some("root".into()), ..AuditQuery::default() };
    assert_eq!(search_keys(s, quoted).await, ["x'yq"]);
    assert_eq!(s.count().await.unwrap(), 1, "the table is still there");
}

async fn pages_every_row_once_in_order(s: &dyn AuditRecords) {
    clear(s).await;
    // 250 rows over 10 timestamps: 25 share each, so only the id orders them.
    let rows: Vec<_> = (0..250).map(|n| record(&format!("p{n:03}"), EntryType::Request, n / 25)).collect();
    for batch in rows.chunks(50) {
        s.insert(batch).await.unwrap();
    }
    let mut expected: Vec<String> = rows.iter().map(|r| r.request_id.clone()).collect();
    expected.reverse();

    let mut seen = Vec::new();
    let mut query = AuditQuery { limit: 7, ..AuditQuery::default() };
    let mut pages = 0;
    loop {
        let page = s.search(&query).await.unwrap();
        pages += 1;
        assert!(page.records.len() <= 7);
        seen.extend(page.records.iter().map(|r| r.request_id.clone()));
        if pages == 1 {
            // Rows arriving while paging (newer, and at the same instant as rows already
            // read) must not shift the pages that follow.
            let late = [record("late-new", EntryType::Request, 100), record("late-same", EntryType::Request, 9)];
            s.insert(&late).await.unwrap();
        }
        let Some(cursor) = page.next_cursor else { break };
        query.cursor = Some(crate::audit::records::Cursor::parse(&cursor).unwrap());
    }
    assert_eq!(pages, 36);
    assert_eq!(seen, expected);

    // A last page that is exactly full says there is nothing after it.
    let filtered = AuditQuery { limit: 50, path_prefix: Some("secret/".into()), ..AuditQuery::default() };
    let mut query = filtered.clone();
    let mut count = 0;
    let mut pages = 0;
    loop {
        let page = s.search(&query).await.unwrap();
        count += page.records.len();
        pages += 1;
        let Some(cursor) = page.next_cursor else { break };
        query = AuditQuery { cursor: Some(crate::audit::records::Cursor::parse(&cursor).unwrap()), ..filtered.clone() };
    }
    assert_eq!((count, pages), (252, 6));
    // Before the late rows' instant: 225 rows, five full pages.
    let first_225 = AuditQuery { range: TimeRange { since: None, until: Some(at(9)) }, limit: 45, ..filtered };
    let mut query = first_225.clone();
    let mut pages = 0;
    loop {
        let page = s.search(&query).await.unwrap();
        pages += 1;
        assert_eq!(page.records.len(), 45);
        let Some(cursor) = page.next_cursor else { break };
        query =
            AuditQuery { cursor: Some(crate::audit::records::Cursor::parse(&cursor).unwrap()), ..first_225.clone() };
    }
    assert_eq!(pages, 5, "no empty sixth page");
}

async fn summarises_who_and_what(s: &dyn AuditRecords) {
    clear(s).await;
    s.insert(&fixture()).await.unwrap();
    let all = TimeRange::default();
    let summary =
        |name: &str, entity: &str, accessor: &str, count, errors, ops: &[&str], first, last| AccessorSummary {
            display_name: name.into(),
            entity_id: entity.into(),
            token_accessor: accessor.into(),
            count,
            errors,
            operations: ops.iter().map(|o| o.to_string()).collect(),
            first: at(first),
            last: at(last),
        };
    assert_eq!(
        s.who_accessed("secret/data/app/db", false, all).await.unwrap(),
        [
            summary("bob", "e-bob", "acc-b", 1, 1, &["delete"], 9, 10),
            summary("alice", "e-alice", "acc-a", 1, 0, &["read"], 1, 2),
        ]
    );
    assert_eq!(
        s.who_accessed("secret/data/app/", true, all).await.unwrap(),
        [
            summary("bob", "e-bob", "acc-b", 2, 1, &["delete", "update"], 3, 10),
            summary("alice", "e-alice", "acc-a", 1, 0, &["read"], 1, 2),
        ]
    );
    let since_5 = TimeRange { since: Some(at(5)), until: None };
    assert_eq!(
        s.who_accessed("secret/", true, since_5).await.unwrap(),
        [
            summary("bob", "e-bob", "acc-b", 1, 1, &["delete"], 9, 10),
            summary("alice", "e-alice", "acc-a2", 1, 1, &["read"], 5, 6),
        ]
    );
    assert!(s.who_accessed("secret/data/app", false, all).await.unwrap().is_empty());

    let path = |path: &str, operation: &str, count, errors, first, last| PathSummary {
        path: path.into(),
        operation: operation.into(),
        count,
        errors,
        first: at(first),
        last: at(last),
    };
    assert_eq!(
        s.accessed_by("alice", all).await.unwrap(),
        [path("secret/data/other", "read", 1, 1, 5, 6), path("secret/data/app/db", "read", 1, 0, 1, 2)]
    );
    assert_eq!(
        s.accessed_by("e-bob", TimeRange { since: None, until: Some(at(10)) }).await.unwrap(),
        [path("secret/data/app/db", "delete", 1, 0, 9, 9), path("secret/data/app/web", "update", 1, 0, 3, 4)]
    );
    assert!(s.accessed_by("nobody", all).await.unwrap().is_empty());
}

async fn groups_requests_by_policy(s: &dyn AuditRecords) {
    clear(s).await;
    let row = |id: &str, policies: &[&str], path: &str, operation: &str, status: u16, seconds| AuditRecord {
        policies: policies.iter().map(|p| p.to_string()).collect(),
        path: path.into(),
        operation: operation.into(),
        status: Some(status),
        ..record(id, EntryType::Response, seconds)
    };
    let mut rows = vec![
        row("1", &["default", "dev"], "secret/data/a", "read", 200, 1),
        row("2", &["dev"], "secret/data/a", "read", 404, 2),
        row("3", &["dev"], "secret/data/a", "update", 403, 3),
        // Names that contain "dev" are other policies.
        row("4", &["dev-ops", "devx"], "secret/data/b", "read", 200, 4),
        row("5", &["dev"], "secret/data/c", "list", 200, 20),
    ];
    // Request entries are not counted (the response says how it ended).
    rows.push(AuditRecord { policies: vec!["dev".into()], ..record("6", EntryType::Request, 5) });
    s.insert(&rows).await.unwrap();
    let usage = |path: &str, operation: &str, denied, count, last| PolicyUsage {
        path: path.into(),
        operation: operation.into(),
        denied,
        count,
        last: at(last),
    };
    let all = TimeRange::default();
    assert_eq!(
        s.policy_usage("dev", all, 100).await.unwrap(),
        [
            usage("secret/data/a", "read", false, 2, 2),
            usage("secret/data/a", "update", true, 1, 3),
            usage("secret/data/c", "list", false, 1, 20),
        ]
    );
    let until_10 = TimeRange { since: None, until: Some(at(10)) };
    assert_eq!(s.policy_usage("dev", until_10, 1).await.unwrap(), [usage("secret/data/a", "read", false, 2, 2)]);
    assert!(s.policy_usage("de", all, 100).await.unwrap().is_empty());
    assert!(s.policy_usage("\"dev\"'; --", all, 100).await.unwrap().is_empty());
}

/// A search reads the newest rows first and falls back to the full plan when they do
/// not fill a page: both paths give the same, complete answer.
async fn finds_rare_old_rows_beyond_the_recent_window(s: &dyn AuditRecords) {
    clear(s).await;
    let total = super::super::sql::RECENT_ROWS as i64 + 100;
    let rows: Vec<AuditRecord> = (0..total)
        .map(|n| AuditRecord {
            display_name: if n < 3 { "rare".into() } else { "busy".into() },
            ..record(&format!("w{n:05}"), EntryType::Request, n)
        })
        .collect();
    s.insert(&rows).await.unwrap();
    let by = |identity: &str, limit| AuditQuery { identity: Some(identity.into()), limit, ..AuditQuery::default() };
    assert_eq!(search_keys(s, by("rare", 10)).await, ["w00002q", "w00001q", "w00000q"]);
    let page = s.search(&by("busy", 2)).await.unwrap();
    assert_eq!(keys(&page), [format!("w{:05}q", total - 1), format!("w{:05}q", total - 2)]);
    // The last page of the busy identity lies beyond the window: the cursor gets there.
    let before_last = AuditQuery {
        cursor: Some(crate::audit::records::Cursor::parse(&page.next_cursor.unwrap()).unwrap()),
        range: TimeRange { since: None, until: Some(at(5)) },
        ..by("busy", 10)
    };
    assert_eq!(search_keys(s, before_last).await, ["w00004q", "w00003q"]);
}

async fn prunes_by_age_and_by_rows(s: &dyn AuditRecords) {
    clear(s).await;
    let rows: Vec<_> = (0..20).map(|n| record(&format!("k{n:02}"), EntryType::Request, n)).collect();
    s.insert(&rows).await.unwrap();
    let remaining = || async {
        let page = s.search(&AuditQuery::default()).await.unwrap();
        page.records.iter().rev().map(|r| r.request_id.clone()).collect::<Vec<_>>()
    };
    let ids = |range: std::ops::Range<i64>| range.map(|n| format!("k{n:02}")).collect::<Vec<_>>();

    assert_eq!(s.prune(Retention::default()).await.unwrap(), 0);
    assert_eq!(s.prune(Retention { older_than: Some(at(5)), max_rows: None }).await.unwrap(), 5);
    assert_eq!(remaining().await, ids(5..20));
    assert_eq!(s.prune(Retention { older_than: None, max_rows: Some(10) }).await.unwrap(), 5);
    assert_eq!(remaining().await, ids(10..20));
    assert_eq!(s.prune(Retention { older_than: None, max_rows: Some(10) }).await.unwrap(), 0);
    assert_eq!(s.prune(Retention { older_than: Some(at(12)), max_rows: Some(5) }).await.unwrap(), 5);
    assert_eq!(remaining().await, ids(15..20));
    assert_eq!(s.count().await.unwrap(), 5);
    assert_eq!(s.prune(Retention { older_than: None, max_rows: Some(0) }).await.unwrap(), 5);
    assert_eq!(s.prune(Retention { older_than: Some(at(100)), max_rows: Some(0) }).await.unwrap(), 0);
    assert_eq!(s.count().await.unwrap(), 0);
}
