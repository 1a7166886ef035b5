//! `/ui/audit/reports`: "who accessed this secret", "what did this identity access" (each
//! printable and downloadable as CSV), and finding the requests that carried a value,
//! which the server hashes with the device's salt (the value goes in a POST body, never
//! into the address). Needs `sudo` and read on `sys/audit-log/*`.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;

use super::kv::query;
use super::utc;
use crate::api::ConsoleError;
use crate::api::audit::{FindValue, accessed_by, who_accessed};
use crate::api::dto::ReportLine;
use crate::browser::{download, print_page};
use crate::components::alert::ErrorAlert;
use crate::components::failure::Failure;
use crate::components::style::{CARD, INPUT, LABEL, LINK, PANEL, PRIMARY, SECONDARY, SMALL, TABLE, TD, TH};

type Report = Result<Option<Vec<ReportLine>>, ConsoleError>;

#[component]
pub fn ReportsPage() -> impl IntoView {
    let (path, prefix, identity, window) = (query("path"), query("prefix"), query("identity"), query("window"));
    let by_secret = Resource::new(
        move || (path.get(), prefix.get(), window.get()),
        |(path, prefix, window)| async move {
            if path.is_empty() { Ok(None) } else { who_accessed(path, prefix, window).await.map(Some) }
        },
    );
    let by_identity = Resource::new(
        move || (identity.get(), window.get()),
        |(identity, window)| async move {
            if identity.is_empty() { Ok(None) } else { accessed_by(identity, window).await.map(Some) }
        },
    );
    let find = ServerAction::<FindValue>::new();
    let windows = move || {
        view! {
            <div>
                <label class=LABEL>"Time"
                    <select name="window" class=INPUT>
                        {[("", "All time"), ("24h", "Last 24 hours"), ("7d", "Last 7 days"), ("30d", "Last 30 days")].map(|(value, label)| {
                            view! { <option value=value selected=move || window.get() == value>{label}</option> }
                        }).collect_view()}
                    </select>
                </label>
            </div>
        }
    };
    view! {
        <Title text="Compliance reports"/>
        <p class="text-sm print:hidden"><a href="/ui/audit" class=LINK>"← Audit trail"</a></p>
        <h1 class="mt-3 text-2xl font-semibold tracking-tight">"Compliance reports"</h1>

        <section aria-labelledby="who-title" class=format!("mt-6 {CARD}")>
            <h2 id="who-title" class="text-lg font-semibold">"Who accessed this secret"</h2>
            <Form method="GET" action="/ui/audit/reports" attr:class="mt-3 grid gap-4 sm:grid-cols-3 print:hidden">
                <div class="sm:col-span-2">
                    <label for="r-path" class=LABEL>"Secret path"</label>
                    <input id="r-path" name="path" placeholder="secret/data/app/db" class=format!("{INPUT} font-mono") value=move || path.get()/>
                    <label class="mt-2 flex items-center gap-2 text-sm">
                        <input type="checkbox" name="prefix" checked=move || prefix.get() == "on"/>
                        "Everything under this path"
                    </label>
                </div>
                {windows()}
                <div><button type="submit" class=PRIMARY>"Show who"</button></div>
            </Form>
            <ReportTable report=by_secret subject="Identity" file="who-accessed.csv"/>
        </section>

        <section aria-labelledby="what-title" class=format!("mt-6 {CARD}")>
            <h2 id="what-title" class="text-lg font-semibold">"What did this identity access"</h2>
            <Form method="GET" action="/ui/audit/reports" attr:class="mt-3 grid gap-4 sm:grid-cols-3 print:hidden">
                <div class="sm:col-span-2">
                    <label for="r-identity" class=LABEL>"Identity"</label>
                    <input id="r-identity" name="identity" placeholder="userpass-alice" class=INPUT value=move || identity.get()/>
                </div>
                {windows()}
                <div><button type="submit" class=PRIMARY>"Show what"</button></div>
            </Form>
            <ReportTable report=by_identity subject="Path" file="accessed-by.csv"/>
        </section>

        <section aria-labelledby="value-title" class=format!("mt-6 {CARD} print:hidden")>
            <h2 id="value-title" class="text-lg font-semibold">"Find a value"</h2>
            <p class="mt-1 text-sm text-slate-600 dark:text-slate-400">
                "Which requests carried this secret or token? The server hashes it with the audit device's salt; it is never stored."
            </p>
            <ActionForm action=find attr:class="mt-3 flex flex-wrap items-end gap-3">
                <div class="min-w-0 flex-1">
                    <label for="r-value" class=LABEL>"Value"</label>
                    <input id="r-value" name="value" type="password" autocomplete="off" required class=INPUT/>
                </div>
                <button type="submit" class=SECONDARY>"Find"</button>
            </ActionForm>
            {move || find.value().get().map(|result| match result {
                Err(e) => view! { <div class="mt-3"><ErrorAlert message=e.message/></div> }.into_any(),
                Ok(page) if page.rows.is_empty() => view! { <p role="status" class="mt-3 text-sm">"No request carried this value."</p> }.into_any(),
                Ok(page) => view! {
                    <ul aria-label="Requests carrying the value" class="mt-3 space-y-1 font-mono text-xs">
                        {page.rows.into_iter().map(|r| view! {
                            <li>{format!("{} {} {} {}", utc(&r.time), r.display_name, r.operation, r.path)}</li>
                        }).collect_view()}
                    </ul>
                }.into_any(),
            })}
        </section>
    }
}

#[component]
fn ReportTable(report: Resource<Report>, subject: &'static str, file: &'static str) -> impl IntoView {
    view! {
        <Transition fallback=|| view! { <p role="status" class="mt-3 text-sm text-slate-500">"Loading…"</p> }>
            {move || report.get().map(|result| match result {
                Err(error) if error.is_forbidden() || error.is_signed_out() => view! { <Failure error/> }.into_any(),
                Err(error) => view! { <div class="mt-3"><ErrorAlert message=error.message/></div> }.into_any(),
                Ok(None) => ().into_any(),
                Ok(Some(lines)) if lines.is_empty() => view! { <p role="status" class="mt-3 text-sm">"No access in this window."</p> }.into_any(),
                Ok(Some(lines)) => {
                    let body = csv(subject, &lines);
                    view! {
                        <div class="mt-3 flex gap-2 print:hidden">
                            <button type="button" class=SMALL on:click=move |_| print_page()>"Print"</button>
                            <button type="button" class=SMALL on:click=move |_| download(file, "text/csv", &body)>"Download CSV"</button>
                        </div>
                        <div class=format!("mt-3 overflow-x-auto {PANEL}")>
                            <table class=TABLE aria-label=format!("Report by {}", subject.to_lowercase())>
                                <thead><tr>
                                    <th scope="col" class=TH>{subject}</th>
                                    <th scope="col" class=TH>"Operations"</th>
                                    <th scope="col" class=TH>"Requests"</th>
                                    <th scope="col" class=TH>"Refused"</th>
                                    <th scope="col" class=TH>"First (UTC)"</th>
                                    <th scope="col" class=TH>"Last (UTC)"</th>
                                </tr></thead>
                                <tbody class="divide-y divide-slate-100 dark:divide-slate-800">
                                    {lines.into_iter().map(|l| view! {
                                        <tr>
                                            <td class=format!("{TD} break-all font-mono text-xs")>{l.subject}</td>
                                            <td class=TD>{l.operations}</td>
                                            <td class=TD>{l.count}</td>
                                            <td class=TD>{l.errors}</td>
                                            <td class=format!("{TD} whitespace-nowrap font-mono text-xs")>{utc(&l.first)}</td>
                                            <td class=format!("{TD} whitespace-nowrap font-mono text-xs")>{utc(&l.last)}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any()
                }
            })}
        </Transition>
    }
}

/// The report as CSV: every field quoted, and a leading `=`, `+`, `-` or `@` defused so a
/// spreadsheet never runs a path or a name as a formula.
fn csv(subject: &str, lines: &[ReportLine]) -> String {
    let field = |text: &str| {
        let text = if text.starts_with(['=', '+', '-', '@']) { format!("'{text}") } else { text.to_string() };
        format!("\"{}\"", text.replace('"', "\"\""))
    };
    let mut out = format!("{},operations,requests,refused,first,last\n", subject.to_lowercase());
    for l in lines {
        let row = [
            field(&l.subject),
            field(&l.operations),
            l.count.to_string(),
            l.errors.to_string(),
            field(&l.first),
            field(&l.last),
        ];
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out
}
