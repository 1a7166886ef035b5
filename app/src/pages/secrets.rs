//! `/ui/secrets`: the secret engines the user can reach.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::mounts::list_secret_mounts;
use crate::components::failure::Failure;
use crate::components::style::{CARD, LINK};
use crate::pages::kv::browse_href;
use crate::pages::staleness::staleness_href;

#[component]
pub fn SecretsPage() -> impl IntoView {
    let mounts = Resource::new(|| (), |_| list_secret_mounts());
    view! {
        <Title text="Secrets"/>
        <h1 class="text-2xl font-semibold tracking-tight">"Secrets"</h1>
        <p class="mt-1 text-sm text-slate-600 dark:text-slate-400">"Secret engines your policies let you use."</p>
        <Transition fallback=|| view! { <p role="status" class="mt-6 text-sm text-slate-500">"Loading mounts…"</p> }>
            {move || mounts.get().map(|result| match result {
                Err(error) => view! { <Failure error/> }.into_any(),
                Ok(list) if list.is_empty() => view! {
                    <div class=format!("mt-6 {CARD} text-sm text-slate-600 dark:text-slate-400")>
                        "No secret engine is open to you. Ask an administrator for access."
                    </div>
                }.into_any(),
                Ok(list) => view! {
                    <ul class="mt-6 grid gap-3 sm:grid-cols-2 lg:grid-cols-3" aria-label="Secret engines">
                        {list.into_iter().map(|m| view! {
                            <li class=CARD>
                                {if m.kind == "kv" {
                                    let mount = m.path.trim_end_matches('/').to_string();
                                    view! { <a class=format!("font-mono text-base font-medium {LINK}") href=browse_href(&mount, "")>{m.path.clone()}</a> }.into_any()
                                } else {
                                    view! { <p class="font-mono text-base font-medium">{m.path.clone()}</p> }.into_any()
                                }}
                                <p class="mt-1 text-xs text-slate-500">
                                    {m.kind.clone()}
                                    {(!m.version.is_empty()).then(|| format!(" v{}", m.version))}
                                </p>
                                {(!m.description.is_empty()).then(|| view! { <p class="mt-2 text-sm">{m.description.clone()}</p> })}
                                {(m.kind == "kv" && m.version == "2").then(|| {
                                    let href = staleness_href(m.path.trim_end_matches('/'));
                                    let label = format!("Staleness of {}", m.path);
                                    view! { <p class="mt-2 text-sm"><a href=href class=LINK aria-label=label>"Staleness"</a></p> }
                                })}
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any(),
            })}
        </Transition>
    }
}
