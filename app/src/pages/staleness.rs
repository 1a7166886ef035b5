//! `/ui/secrets/staleness?mount=`: a KV v2 mount's secrets, least recently changed
//! first, with their version counts: what was never rotated stands at the top.

use leptos::prelude::*;
use leptos_meta::Title;

use super::kv::{query, show_href};
use super::{encode, utc};
use crate::api::dto::StalenessReport;
use crate::api::staleness::{MAX_SECRETS, staleness};
use crate::components::alert::ErrorAlert;
use crate::components::failure::Failure;
use crate::components::style::{LINK, PANEL, TABLE, TD, TH};

pub fn staleness_href(mount: &str) -> String {
    format!("/ui/secrets/staleness?mount={}", encode(mount))
}

#[component]
pub fn StalenessPage() -> impl IntoView {
    let mount = query("mount");
    let report = Resource::new(move || mount.get(), staleness);
    view! {
        <Title text="Secret staleness"/>
        <p class="text-sm"><a href="/ui/secrets" class=LINK>"← Secrets"</a></p>
        <h1 class="mt-3 text-2xl font-semibold tracking-tight">"Secret staleness: " <span class="font-mono">{move || mount.get()}</span></h1>
        <p class="mt-1 max-w-3xl text-sm text-slate-600 dark:text-slate-400">
            "Secrets by time since their last new version, oldest first: the ones at the top were never rotated or not for the longest."
        </p>
        <Transition fallback=|| view! { <p role="status" class="mt-6 text-sm text-slate-500">"Reading the mount…"</p> }>
            {move || report.get().map(|result| match result {
                Err(error) if error.is_forbidden() || error.is_signed_out() => view! { <Failure error/> }.into_any(),
                Err(error) => view! { <div class="mt-6"><ErrorAlert message=error.message/></div> }.into_any(),
                Ok(report) => view! { <Report report/> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn Report(report: StalenessReport) -> impl IntoView {
    let mount = report.mount.clone();
    let count = report.secrets.len();
    view! {
        <p role="status" class="mt-6 text-sm">
            {match count { 0 => "No secrets here.".to_string(), 1 => "1 secret.".to_string(), n => format!("{n} secrets.") }}
            {(report.hidden > 0).then(|| format!(" {} more you may not read.", report.hidden))}
            {report.truncated.then(|| format!(" The mount holds more; only the first {MAX_SECRETS} were weighed."))}
        </p>
        {(count > 0).then(|| view! {
            <div class=format!("mt-3 overflow-x-auto {PANEL}")>
                <table class=TABLE aria-label="Secrets by staleness">
                    <thead><tr>
                        <th scope="col" class=TH>"Secret"</th>
                        <th scope="col" class=TH>"Last changed (UTC)"</th>
                        <th scope="col" class=TH>"Age"</th>
                        <th scope="col" class=TH>"Current version"</th>
                        <th scope="col" class=TH>"Versions kept"</th>
                    </tr></thead>
                    <tbody class="divide-y divide-slate-100 dark:divide-slate-800">
                        {report.secrets.into_iter().map(|s| {
                            let href = show_href(&mount, &s.path, 0);
                            view! {
                                <tr>
                                    <td class=format!("{TD} break-all font-mono text-xs")><a href=href class=LINK>{s.path.clone()}</a></td>
                                    <td class=format!("{TD} whitespace-nowrap font-mono text-xs")>{utc(&s.updated)}</td>
                                    <td class=format!("{TD} whitespace-nowrap")>{age(s.age_days)}</td>
                                    <td class=TD>{s.current_version}</td>
                                    <td class=TD>{s.versions}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        })}
    }
}

fn age(days: i64) -> String {
    match days {
        ..=0 => "today".to_string(),
        1 => "1 day".to_string(),
        n => format!("{n} days"),
    }
}
