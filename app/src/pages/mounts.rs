//! `/ui/mounts`: every secret engine and auth method, with type, version, description
//! and accessor. Needs read on `sys/mounts` and `sys/auth`.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::dto::MountInfo;
use crate::api::mounts::list_mounts;
use crate::components::failure::Failure;
use crate::components::style::{PANEL, TABLE, TD, TH};

#[component]
pub fn MountsPage() -> impl IntoView {
    let mounts = Resource::new(|| (), |_| list_mounts());
    view! {
        <Title text="Mounts"/>
        <Transition fallback=|| view! { <p role="status" class="text-sm text-slate-500">"Loading mounts…"</p> }>
            {move || mounts.get().map(|result| match result {
                Err(error) => view! { <Failure error/> }.into_any(),
                Ok(table) => view! {
                    <h1 class="text-2xl font-semibold tracking-tight">"Mounts"</h1>
                    <MountList title="Secret engines" mounts=table.secrets/>
                    <MountList title="Auth methods" mounts=table.auth/>
                }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn MountList(title: &'static str, mounts: Vec<MountInfo>) -> impl IntoView {
    view! {
        <section class=format!("mt-6 overflow-x-auto {PANEL}")>
            <h2 class="px-4 pt-4 text-lg font-semibold">{title}</h2>
            <table class=format!("mt-2 {TABLE}") aria-label=title>
                <thead>
                    <tr>
                        <th scope="col" class=TH>"Path"</th>
                        <th scope="col" class=TH>"Type"</th>
                        <th scope="col" class=TH>"Description"</th>
                        <th scope="col" class=TH>"Accessor"</th>
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100 dark:divide-slate-800">
                    {mounts.into_iter().map(|m| view! {
                        <tr>
                            <td class=format!("{TD} font-mono")>{m.path}</td>
                            <td class=TD>{m.kind}{(!m.version.is_empty()).then(|| format!(" v{}", m.version))}</td>
                            <td class=format!("{TD} text-slate-600 dark:text-slate-400")>{m.description}</td>
                            <td class=format!("{TD} font-mono text-xs")>{m.accessor}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}
