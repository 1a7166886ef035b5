//! `/ui/leases?prefix=`: the lease tree level by level (`auth/userpass/login/alice/`),
//! each lease's issue and expiry times, and revoking one lease or, after typing the
//! prefix, everything under it. Needs `list` and `sudo` on `sys/leases/lookup/*`.

use leptos::prelude::*;
use leptos_meta::Title;

use super::kv::query;
use super::tokens::ttl;
use super::{encode, utc};
use crate::api::dto::{LeaseFolder, LeaseInfo};
use crate::api::leases::{MAX_LEASES, RevokeLease, RevokePrefix, list_leases};
use crate::components::alert::ErrorAlert;
use crate::components::confirm::ConfirmRevoke;
use crate::components::failure::Failure;
use crate::components::style::{CARD, DANGER, INPUT, LABEL, LINK, PANEL, TABLE, TD, TH};

pub fn leases_href(prefix: &str) -> String {
    format!("/ui/leases?prefix={}", encode(prefix))
}

#[component]
pub fn LeasesPage() -> impl IntoView {
    let prefix = query("prefix");
    let revoke = ServerAction::<RevokeLease>::new();
    let revoke_all = ServerAction::<RevokePrefix>::new();
    let level = Resource::new(
        move || (prefix.get(), revoke.version().get(), revoke_all.version().get()),
        |(prefix, _, _)| list_leases(prefix),
    );
    view! {
        <Title text="Leases"/>
        <h1 class="text-2xl font-semibold tracking-tight">"Leases"</h1>
        <p class="mt-1 max-w-3xl text-sm text-slate-600 dark:text-slate-400">
            "Every lease by the path that made it. A token's lease ends with the token: revoking it revokes the token and the tokens it created; renew a token through the token itself."
        </p>
        {move || revoke.value().get().and_then(Result::err).map(|e| view! { <div class="mt-3"><ErrorAlert message=e.message/></div> })}
        <Transition fallback=|| view! { <p role="status" class="mt-6 text-sm text-slate-500">"Loading leases…"</p> }>
            {move || level.get().map(|result| match result {
                Err(error) => view! { <Failure error/> }.into_any(),
                Ok(level) => view! { <Level level revoke revoke_all/> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn Level(
    level: LeaseFolder,
    revoke: ServerAction<RevokeLease>,
    revoke_all: ServerAction<RevokePrefix>,
) -> impl IntoView {
    let prefix = level.prefix.clone();
    let empty = level.folders.is_empty() && level.leases.is_empty();
    view! {
        <Breadcrumbs prefix=prefix.clone()/>
        {empty.then(|| view! { <p role="status" class="mt-6 text-sm">"No leases here."</p> })}
        {(!level.folders.is_empty()).then(|| view! {
            <ul aria-label="Lease folders" class=format!("mt-6 divide-y divide-slate-100 {PANEL} dark:divide-slate-800")>
                {level.folders.iter().map(|folder| {
                    let href = leases_href(&format!("{prefix}{folder}"));
                    view! { <li><a href=href class="block px-4 py-2 font-mono text-sm hover:bg-slate-50 dark:hover:bg-slate-800">{folder.clone()}</a></li> }
                }).collect_view()}
            </ul>
        })}
        {(!level.leases.is_empty()).then(|| view! {
            <div class=format!("mt-6 overflow-x-auto {PANEL}")>
                <table class=TABLE aria-label="Leases">
                    <thead><tr>
                        <th scope="col" class=TH>"Lease"</th>
                        <th scope="col" class=TH>"Issued (UTC)"</th>
                        <th scope="col" class=TH>"Expires (UTC)"</th>
                        <th scope="col" class=TH>"TTL left"</th>
                        <th scope="col" class=TH><span class="sr-only">"Revoke"</span></th>
                    </tr></thead>
                    <tbody class="divide-y divide-slate-100 dark:divide-slate-800">
                        {level.leases.into_iter().map(|lease| view! { <LeaseRow lease revoke/> }).collect_view()}
                    </tbody>
                </table>
            </div>
        })}
        {(level.more > 0).then(|| view! {
            <p class="mt-2 text-sm">{format!("{} more leases here; the first {MAX_LEASES} are shown.", level.more)}</p>
        })}
        {(!prefix.is_empty() && !empty).then(|| view! { <RevokeAll prefix=prefix.clone() action=revoke_all/> })}
    }
}

#[component]
fn Breadcrumbs(prefix: String) -> impl IntoView {
    let mut crumbs = vec![("All leases".to_string(), String::new())];
    let mut so_far = String::new();
    for part in prefix.split('/').filter(|p| !p.is_empty()) {
        so_far.push_str(part);
        so_far.push('/');
        crumbs.push((format!("{part}/"), so_far.clone()));
    }
    let last = crumbs.len() - 1;
    view! {
        <nav aria-label="Lease path" class="mt-6 flex flex-wrap items-center gap-1 font-mono text-sm">
            {crumbs.into_iter().enumerate().map(|(i, (label, target))| {
                if i == last {
                    view! { <span aria-current="page" class="font-semibold">{label}</span> }.into_any()
                } else {
                    view! { <a href=leases_href(&target) class=LINK>{label}</a><span aria-hidden="true">" "</span> }.into_any()
                }
            }).collect_view()}
        </nav>
    }
}

#[component]
fn LeaseRow(lease: LeaseInfo, revoke: ServerAction<RevokeLease>) -> impl IntoView {
    let name = lease.id.rsplit('/').next().unwrap_or(&lease.id).to_string();
    let label = format!("Revoke lease {name}");
    let id = lease.id.clone();
    view! {
        <tr>
            <td class=format!("{TD} break-all font-mono text-xs")>{name.clone()}</td>
            <td class=format!("{TD} whitespace-nowrap font-mono text-xs")>{utc(&lease.issue_time)}</td>
            <td class=format!("{TD} whitespace-nowrap font-mono text-xs")>{if lease.expire_time.is_empty() { "never".to_string() } else { utc(&lease.expire_time) }}</td>
            <td class=format!("{TD} whitespace-nowrap")>{ttl(lease.ttl)}</td>
            <td class=format!("{TD} text-right")>
                <ConfirmRevoke label question="Revoke it and what it holds?" on_confirm=Callback::new(move |()| { revoke.dispatch(RevokeLease { lease_id: id.clone() }); })/>
            </td>
        </tr>
    }
}

/// Revoke everything under the prefix, after typing it.
#[component]
fn RevokeAll(prefix: String, action: ServerAction<RevokePrefix>) -> impl IntoView {
    let prompt = format!("Type {prefix} to confirm");
    view! {
        <section aria-labelledby="revoke-all" class=format!("mt-6 {CARD}")>
            <h2 id="revoke-all" class="text-lg font-semibold">"Revoke everything under " <span class="font-mono">{prefix.clone()}</span></h2>
            <ActionForm action attr:class="mt-3 flex flex-wrap items-end gap-3">
                <input type="hidden" name="prefix" value=prefix.clone()/>
                <div class="min-w-0 flex-1">
                    <label for="revoke-confirm" class=LABEL>{prompt}</label>
                    <input id="revoke-confirm" name="confirm" autocomplete="off" required class=format!("{INPUT} font-mono")/>
                </div>
                <button type="submit" class=DANGER>"Revoke all"</button>
            </ActionForm>
            {move || action.value().get().and_then(Result::err).map(|e| view! { <div class="mt-3"><ErrorAlert message=e.message/></div> })}
        </section>
    }
}
