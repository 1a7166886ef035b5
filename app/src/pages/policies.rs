//! `/ui/policies`: the ACL policies. Needs list on `sys/policies/acl`.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::policies::list_policies;
use crate::components::failure::Failure;
use crate::components::style::PANEL;

#[component]
pub fn PoliciesPage() -> impl IntoView {
    let policies = Resource::new(|| (), |_| list_policies());
    view! {
        <Title text="Policies"/>
        <Transition fallback=|| view! { <p role="status" class="text-sm text-slate-500">"Loading policies…"</p> }>
            {move || policies.get().map(|result| match result {
                Err(error) => view! { <Failure error/> }.into_any(),
                Ok(names) => view! {
                    <h1 class="text-2xl font-semibold tracking-tight">"Policies"</h1>
                    <ul class=format!("mt-6 divide-y divide-slate-100 {PANEL} dark:divide-slate-800") aria-label="ACL policies">
                        {names.into_iter().map(|name| view! {
                            <li class="px-4 py-2 font-mono text-sm">{name}</li>
                        }).collect_view()}
                    </ul>
                }.into_any(),
            })}
        </Transition>
    }
}
