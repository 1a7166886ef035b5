//! `/ui/tokens`: the tokens the server has issued, by accessor — who holds each, with
//! which policies, since when and for how long — and revoking one with the tokens it
//! created. Needs `list` and `sudo` on `auth/token/accessors`.

use leptos::prelude::*;
use leptos_meta::Title;

use super::kv::query;
use super::utc;
use crate::api::dto::{TokenInfo, TokenPage};
use crate::api::tokens::{PAGE_SIZE, RevokeToken, list_tokens};
use crate::components::alert::ErrorAlert;
use crate::components::confirm::ConfirmRevoke;
use crate::components::failure::Failure;
use crate::components::style::{PANEL, SECONDARY, TABLE, TD, TH};

#[component]
pub fn TokensPage() -> impl IntoView {
    let offset = query("offset");
    let revoke = ServerAction::<RevokeToken>::new();
    let tokens = Resource::new(
        move || (offset.get().parse::<usize>().unwrap_or(0), revoke.version().get()),
        |(offset, _)| list_tokens(offset),
    );
    view! {
        <Title text="Tokens"/>
        <h1 class="text-2xl font-semibold tracking-tight">"Tokens"</h1>
        <p class="mt-1 max-w-3xl text-sm text-slate-600 dark:text-slate-400">
            "Every token by its accessor. Revoking a token also revokes the tokens it created."
        </p>
        {move || revoke.value().get().and_then(Result::err).map(|e| view! { <div class="mt-3"><ErrorAlert message=e.message/></div> })}
        <Transition fallback=|| view! { <p role="status" class="mt-6 text-sm text-slate-500">"Loading tokens…"</p> }>
            {move || tokens.get().map(|result| match result {
                Err(error) => view! { <Failure error/> }.into_any(),
                Ok(page) => view! { <TokenTable page revoke/> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn TokenTable(page: TokenPage, revoke: ServerAction<RevokeToken>) -> impl IntoView {
    let shown = format!(
        "{}–{} of {} tokens",
        (page.offset + 1).min(page.total),
        page.offset + page.tokens.len() + page.gone,
        page.total
    );
    let previous = (page.offset > 0).then(|| format!("/ui/tokens?offset={}", page.offset.saturating_sub(PAGE_SIZE)));
    let next_offset = page.offset + PAGE_SIZE;
    let next = (next_offset < page.total).then(|| format!("/ui/tokens?offset={next_offset}"));
    view! {
        <p role="status" class="mt-6 text-sm">{shown}</p>
        <div class=format!("mt-3 overflow-x-auto {PANEL}")>
            <table class=TABLE aria-label="Tokens">
                <thead><tr>
                    <th scope="col" class=TH>"Display name"</th>
                    <th scope="col" class=TH>"Policies"</th>
                    <th scope="col" class=TH>"TTL left"</th>
                    <th scope="col" class=TH>"Created (UTC)"</th>
                    <th scope="col" class=TH>"Created by"</th>
                    <th scope="col" class=TH>"Accessor"</th>
                    <th scope="col" class=TH><span class="sr-only">"Revoke"</span></th>
                </tr></thead>
                <tbody class="divide-y divide-slate-100 dark:divide-slate-800">
                    {page.tokens.into_iter().map(|token| view! { <TokenRow token revoke/> }).collect_view()}
                </tbody>
            </table>
        </div>
        <nav aria-label="Pages" class="mt-3 flex gap-2">
            {previous.map(|href| view! { <a href=href class=SECONDARY>"Newer page"</a> })}
            {next.map(|href| view! { <a href=href class=SECONDARY>"Next page"</a> })}
        </nav>
    }
}

#[component]
fn TokenRow(token: TokenInfo, revoke: ServerAction<RevokeToken>) -> impl IntoView {
    let accessor = token.accessor.clone();
    let name = if token.display_name.is_empty() { "(no name)".to_string() } else { token.display_name.clone() };
    let created_by = match (token.path.as_str(), token.orphan) {
        ("", _) => "—".to_string(),
        (path, true) => format!("{path} (orphan)"),
        (path, false) => path.to_string(),
    };
    let label = format!("Revoke {name}");
    view! {
        <tr>
            <td class=format!("{TD} font-medium")>{name.clone()}</td>
            <td class=format!("{TD} text-xs")>{token.policies.join(", ")}</td>
            <td class=format!("{TD} whitespace-nowrap")>{ttl(token.ttl)}</td>
            <td class=format!("{TD} whitespace-nowrap font-mono text-xs")>{utc(&token.issue_time)}</td>
            <td class=format!("{TD} break-all font-mono text-xs")>{created_by}</td>
            <td class=format!("{TD} break-all font-mono text-xs")>{token.accessor.clone()}</td>
            <td class=format!("{TD} text-right")>
                <ConfirmRevoke label question="Revoke it and its child tokens?" on_confirm=Callback::new(move |()| { revoke.dispatch(RevokeToken { accessor: accessor.clone() }); })/>
            </td>
        </tr>
    }
}

/// Seconds left as the page shows them: `never` for a token without expiry.
pub(super) fn ttl(seconds: u64) -> String {
    match seconds {
        0 => "never expires".to_string(),
        s if s >= 86_400 => format!("{}d {}h", s / 86_400, s % 86_400 / 3600),
        s if s >= 3600 => format!("{}h {}m", s / 3600, s % 3600 / 60),
        s => format!("{}m {}s", s / 60, s % 60),
    }
}
