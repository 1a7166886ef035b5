//! `/ui/audit`: the audit trail, newest first, one row per request, with filters kept in
//! the address (so a filtered view can be shared), keyset paging, each entry's detail,
//! and export of the current filter as CSV or JSON lines. Needs `sudo` and read on
//! `sys/audit-log/*` and a database audit device.

use leptos::prelude::*;
use leptos_meta::Title;

use super::encode;
use super::kv::query;
use crate::api::audit::{ExportAudit, search_audit};
use crate::api::dto::AuditRow;
use crate::browser::download;
use crate::components::alert::ErrorAlert;
use crate::components::failure::Failure;
use crate::components::style::{CARD, INPUT, LABEL, LINK, PANEL, PRIMARY, SECONDARY, TABLE, TD, TH};

/// How often the live tail reloads.
const LIVE_EVERY: std::time::Duration = std::time::Duration::from_secs(3);

const FILTERS: [&str; 7] =
    ["window", "identity", "path_prefix", "operation", "outcome", "remote_address", "path_contains"];

#[component]
pub fn AuditTrailPage() -> impl IntoView {
    let filters: Vec<Memo<String>> = FILTERS.iter().map(|name| query(name)).collect();
    let cursor = query("cursor");
    let values = {
        let filters = filters.clone();
        move || filters.iter().map(|f| f.get()).collect::<Vec<String>>()
    };
    // Live tail: while on, a browser timer reloads the newest page every few seconds.
    let live = RwSignal::new(false);
    let tick = RwSignal::new(0_u64);
    let timer = StoredValue::new(None::<IntervalHandle>);
    let stop_timer = move || {
        if let Some(handle) = timer.try_update_value(Option::take).flatten() {
            handle.clear();
        }
    };
    Effect::new(move |_| {
        stop_timer();
        if live.get() {
            timer.set_value(set_interval_with_handle(move || tick.update(|t| *t += 1), LIVE_EVERY).ok());
        }
    });
    on_cleanup(stop_timer);
    // Loaded by the browser once the page is interactive, so the page itself answers at
    // once however long a search over a large trail takes.
    let page = LocalResource::new({
        let values = values.clone();
        move || {
            tick.track();
            // Live shows the newest entries, whatever page was open.
            let (v, cursor) = (values(), if live.get() { String::new() } else { cursor.get() });
            let f = |i: usize| v[i].clone();
            search_audit(f(0), f(1), f(2), f(6), f(3), f(4), f(5), cursor)
        }
    });
    let export = ServerAction::<ExportAudit>::new();
    let exporting = RwSignal::new("csv");
    Effect::new(move |_| {
        if let Some(Ok(body)) = export.value().get() {
            let (name, mime) = match exporting.get_untracked() {
                "csv" => ("audit.csv", "text/csv"),
                _ => ("audit.jsonl", "application/x-ndjson"),
            };
            download(name, mime, &body);
        }
    });
    let export_as = {
        let values = values.clone();
        move |format: &'static str| {
            exporting.set(format);
            let v = values();
            export.dispatch(ExportAudit {
                format: format.to_string(),
                window: v[0].clone(),
                identity: v[1].clone(),
                path_prefix: v[2].clone(),
                path_contains: v[6].clone(),
                operation: v[3].clone(),
                outcome: v[4].clone(),
                remote_address: v[5].clone(),
            });
        }
    };
    let (csv, jsonl) = (export_as.clone(), export_as);
    // The address of the next (older) page: these filters, and the cursor.
    let older = move |next: String| {
        let mut href = String::from("/ui/audit?");
        for (name, value) in FILTERS.iter().zip(values()) {
            href.push_str(&format!("{name}={}&", encode(&value)));
        }
        href.push_str(&format!("cursor={}", encode(&next)));
        href
    };
    let selected = move |i: usize, option: &'static str| {
        let filters = filters.clone();
        move || filters[i].get() == option
    };

    // The filters live in the address. A user the trail is closed to gets the
    // access-denied page instead of the form; for everyone else the form is drawn once
    // and stays while pages (and the live tail) reload under it, so text being typed
    // into a filter is kept.
    let gate = Memo::new(move |before: Option<&Gate>| match page.get() {
        Some(Err(error)) if error.is_forbidden() || error.is_signed_out() => Gate::Closed(error),
        Some(_) => Gate::Open,
        None => before.cloned().unwrap_or(Gate::Loading),
    });
    let form = move || {
        let (csv, jsonl, selected) = (csv.clone(), jsonl.clone(), selected.clone());
        view! {
            // A plain GET form: applying filters loads the page for the new address.
            <form method="get" action="/ui/audit" class=format!("mt-6 grid gap-4 sm:grid-cols-3 lg:grid-cols-4 {CARD}") aria-label="Filters">
                <div>
                    <label for="f-window" class=LABEL>"Time"</label>
                    <select id="f-window" name="window" class=INPUT>
                        <option value="" selected=selected(0, "")>"All time"</option>
                        <option value="1h" selected=selected(0, "1h")>"Last hour"</option>
                        <option value="24h" selected=selected(0, "24h")>"Last 24 hours"</option>
                        <option value="7d" selected=selected(0, "7d")>"Last 7 days"</option>
                        <option value="30d" selected=selected(0, "30d")>"Last 30 days"</option>
                    </select>
                </div>
                <div>
                    <label for="f-identity" class=LABEL>"Identity"</label>
                    <input id="f-identity" name="identity" placeholder="userpass-alice" class=INPUT value=query_value(1)/>
                </div>
                <div>
                    <label for="f-path" class=LABEL>"Path prefix"</label>
                    <input id="f-path" name="path_prefix" placeholder="secret/data/" class=format!("{INPUT} font-mono") value=query_value(2)/>
                </div>
                <div>
                    <label for="f-path-contains" class=LABEL>"Path contains"</label>
                    <input id="f-path-contains" name="path_contains" placeholder="stripe" class=format!("{INPUT} font-mono") value=query_value(6)/>
                </div>
                <div>
                    <label for="f-operation" class=LABEL>"Operation"</label>
                    <select id="f-operation" name="operation" class=INPUT>
                        <option value="" selected=selected(3, "")>"Any"</option>
                        {["read", "list", "create", "update", "patch", "delete"].map(|op| view! {
                            <option value=op selected=selected(3, op)>{op}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div>
                    <label for="f-outcome" class=LABEL>"Outcome"</label>
                    <select id="f-outcome" name="outcome" class=INPUT>
                        <option value="" selected=selected(4, "")>"Any"</option>
                        <option value="success" selected=selected(4, "success")>"Succeeded"</option>
                        <option value="error" selected=selected(4, "error")>"Failed"</option>
                    </select>
                </div>
                <div>
                    <label for="f-remote" class=LABEL>"Remote address"</label>
                    <input id="f-remote" name="remote_address" class=format!("{INPUT} font-mono") value=query_value(5)/>
                </div>
                <div class="flex flex-wrap items-end gap-3 sm:col-span-3 lg:col-span-4">
                    <button type="submit" class=PRIMARY>"Apply filters"</button>
                    <button type="button" class=SECONDARY on:click=move |_| csv("csv")>"Export CSV"</button>
                    <button type="button" class=SECONDARY on:click=move |_| jsonl("jsonl")>"Export JSON lines"</button>
                    <label class="ml-auto flex items-center gap-2 text-sm">
                        <input type="checkbox" prop:checked=move || live.get() on:change=move |ev| live.set(event_target_checked(&ev))/>
                        "Live (newest entries, every 3 s)"
                    </label>
                </div>
            </form>
        }
    };

    view! {
        <Title text="Audit trail"/>
        <div class="flex flex-wrap items-center justify-between gap-3">
            <h1 class="text-2xl font-semibold tracking-tight">"Audit trail"</h1>
            <div class="flex flex-wrap gap-2">
                <a href="/ui/audit/reports" class=SECONDARY>"Compliance reports"</a>
                <a href="/ui/audit/advisor" class=SECONDARY>"Least-privilege advisor"</a>
            </div>
        </div>
        {move || match gate.get() {
            Gate::Loading => view! { <p role="status" class="text-sm text-slate-500">"Loading entries…"</p> }.into_any(),
            Gate::Closed(error) => view! { <Failure error/> }.into_any(),
            Gate::Open => {
                let older = older.clone();
                view! {
                {form()}
                {move || export.value().get().and_then(Result::err).map(|e| view! { <div class="mt-3"><ErrorAlert message=e.message/></div> })}
                <Transition fallback=|| ()>
                    {move || page.get().map(|result| { let older = older.clone(); match result {
                        Err(error) => view! { <div class="mt-6"><ErrorAlert message=error.message/></div> }.into_any(),
                        Ok(page) if page.rows.is_empty() => view! {
                            <p class="mt-6 text-sm text-slate-600 dark:text-slate-400">"No entry matches these filters."</p>
                        }.into_any(),
                        Ok(page) => view! {
                            <section class=format!("mt-6 overflow-x-auto {PANEL}")>
                                <table class=TABLE aria-label="Audit entries">
                                    <thead><tr>
                                        <th scope="col" class=TH>"Time (UTC)"</th>
                                        <th scope="col" class=TH>"Identity"</th>
                                        <th scope="col" class=TH>"Operation"</th>
                                        <th scope="col" class=TH>"Path"</th>
                                        <th scope="col" class=TH>"Outcome"</th>
                                        <th scope="col" class=TH>"From"</th>
                                    </tr></thead>
                                    <tbody class="divide-y divide-slate-100 dark:divide-slate-800">
                                        {page.rows.into_iter().map(|row| view! { <Row row/> }).collect_view()}
                                    </tbody>
                                </table>
                            </section>
                            {page.next_cursor.filter(|_| !live.get_untracked()).map(|next| view! {
                                <p class="mt-4 text-right"><a class=LINK href=older(next)>"Older entries →"</a></p>
                            })}
                        }.into_any(),
                    }})}
                </Transition>
                }.into_any()
            }
        }}
    }
}

/// Whether the trail is open to the user, as the first page load told.
#[derive(Clone, PartialEq)]
enum Gate {
    Loading,
    Open,
    Closed(crate::api::error::ConsoleError),
}

/// The current value of filter `i`, for the form's fields.
fn query_value(i: usize) -> String {
    leptos_router::hooks::use_query_map().with(|q| q.get(FILTERS[i]).unwrap_or_default())
}

#[component]
fn Row(row: AuditRow) -> impl IntoView {
    let outcome = match (&row.error, row.status) {
        (error, Some(status)) if !error.is_empty() => format!("{status}: {error}"),
        (_, Some(status)) => status.to_string(),
        (error, None) => error.clone(),
    };
    let failed = !row.error.is_empty();
    view! {
        <tr data-request-id=row.request_id.clone()>
            <td class=format!("{TD} whitespace-nowrap font-mono text-xs")>{super::utc(&row.time)}</td>
            <td class=TD>{row.display_name}</td>
            <td class=TD>{row.operation}</td>
            <td class=format!("{TD} break-all font-mono text-xs")>
                {row.path}
                <details class="mt-1">
                    <summary class="cursor-pointer font-sans text-slate-500">"Entry"</summary>
                    <pre class="mt-1 max-h-96 overflow-auto whitespace-pre-wrap rounded bg-slate-50 p-2 dark:bg-slate-950">{row.entry}</pre>
                </details>
            </td>
            <td class=format!("{TD} {}", if failed { "text-red-700 dark:text-red-300" } else { "" })>{outcome}</td>
            <td class=format!("{TD} font-mono text-xs")>{row.remote_address}</td>
        </tr>
    }
}
