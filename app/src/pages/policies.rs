//! `/ui/policies`: the ACL policies, each opening in the editor, with a way to write a
//! new one and the simulator. Needs list on `sys/policies/acl`.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::policies::list_policies;
use crate::components::failure::Failure;
use crate::components::style::{PANEL, PRIMARY, SECONDARY};
use crate::pages::policy_edit::edit_href;

#[component]
pub fn PoliciesPage() -> impl IntoView {
    let policies = Resource::new(|| (), |_| list_policies());
    view! {
        <Title text="Policies"/>
        <Transition fallback=|| view! { <p role="status" class="text-sm text-slate-500">"Loading policies…"</p> }>
            {move || policies.get().map(|result| match result {
                Err(error) => view! { <Failure error/> }.into_any(),
                Ok(names) => view! {
                    <div class="flex flex-wrap items-center justify-between gap-3">
                        <h1 class="text-2xl font-semibold tracking-tight">"Policies"</h1>
                        <div class="flex gap-2">
                            <a href="/ui/policies/simulate" class=SECONDARY>"Simulator"</a>
                            <a href="/ui/policies/edit" class=PRIMARY>"New policy"</a>
                        </div>
                    </div>
                    <ul class=format!("mt-6 divide-y divide-slate-100 {PANEL} dark:divide-slate-800") aria-label="ACL policies">
                        {names.into_iter().map(|name| view! {
                            <li>
                                <a href=edit_href(&name) class="block px-4 py-2 font-mono text-sm hover:bg-slate-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-inset focus-visible:ring-indigo-500 dark:hover:bg-slate-800">
                                    {name.clone()}
                                </a>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any(),
            })}
        </Transition>
    }
}
