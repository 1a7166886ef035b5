//! `/ui/mounts`: every secret engine and auth method, with type, version, description
//! and accessor, a way to enable another, and each one's settings. Needs read on
//! `sys/mounts` and `sys/auth`.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::dto::{Catalog, MountInfo};
use crate::api::mounts::{EnableMount, list_mounts, plugin_catalog};
use crate::components::alert::ErrorAlert;
use crate::components::failure::Failure;
use crate::components::style::{CARD, INPUT, LABEL, LINK, PANEL, PRIMARY, TABLE, TD, TH};
use crate::pages::mount_settings::settings_href;

#[component]
pub fn MountsPage() -> impl IntoView {
    let enable = ServerAction::<EnableMount>::new();
    let mounts = Resource::new(move || enable.version().get(), |_| list_mounts());
    let catalog = Resource::new(|| (), |_| plugin_catalog());
    view! {
        <Title text="Mounts"/>
        <Transition fallback=|| view! { <p role="status" class="text-sm text-slate-500">"Loading mounts…"</p> }>
            {move || mounts.get().map(|result| match result {
                Err(error) => view! { <Failure error/> }.into_any(),
                Ok(table) => view! {
                    <h1 class="text-2xl font-semibold tracking-tight">"Mounts"</h1>
                    <MountList title="Secret engines" class="secret" mounts=table.secrets/>
                    <MountList title="Auth methods" class="auth" mounts=table.auth/>
                }.into_any(),
            })}
        </Transition>
        <Transition fallback=|| ()>
            {move || catalog.get().and_then(Result::ok).map(|catalog| view! { <EnableForm catalog action=enable/> })}
        </Transition>
    }
}

#[component]
fn MountList(title: &'static str, class: &'static str, mounts: Vec<MountInfo>) -> impl IntoView {
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
                        <th scope="col" class=TH><span class="sr-only">"Settings"</span></th>
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100 dark:divide-slate-800">
                    {mounts.into_iter().map(|m| {
                        // The system mounts are not the user's to change.
                        let fixed = matches!(m.kind.as_str(), "system" | "cubbyhole" | "identity" | "token");
                        let href = settings_href(class, &m.path);
                        let label = format!("Settings of {}", m.path);
                        view! {
                            <tr>
                                <td class=format!("{TD} font-mono")>{m.path.clone()}</td>
                                <td class=TD>{m.kind}{(!m.version.is_empty()).then(|| format!(" v{}", m.version))}</td>
                                <td class=format!("{TD} text-slate-600 dark:text-slate-400")>{m.description}</td>
                                <td class=format!("{TD} font-mono text-xs")>{m.accessor}</td>
                                <td class=format!("{TD} text-right")>
                                    {(!fixed).then(|| view! { <a href=href class=LINK aria-label=label>"Settings"</a> })}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

/// Enable a secret engine or auth method of a type the server offers.
#[component]
fn EnableForm(catalog: Catalog, action: ServerAction<EnableMount>) -> impl IntoView {
    let class = RwSignal::new("secret".to_string());
    let kind = RwSignal::new("kv".to_string());
    let catalog = StoredValue::new(catalog);
    let types = move || catalog.with_value(|c| if class.get() == "secret" { c.secret.clone() } else { c.auth.clone() });
    Effect::new(move |_| {
        // A new class starts on its first type.
        if let Some(first) = types().first()
            && !types().contains(&kind.get_untracked())
        {
            kind.set(first.clone());
        }
    });
    view! {
        <section aria-labelledby="enable-title" class=format!("mt-6 {CARD}")>
            <h2 id="enable-title" class="text-lg font-semibold">"Enable a mount"</h2>
            <ActionForm action attr:class="mt-3 grid gap-4 sm:grid-cols-2">
                <div>
                    <label for="enable-class" class=LABEL>"Kind"</label>
                    <select id="enable-class" name="class" class=INPUT on:change=move |ev| class.set(event_target_value(&ev))>
                        <option value="secret">"Secret engine"</option>
                        <option value="auth">"Auth method"</option>
                    </select>
                </div>
                <div>
                    <label for="enable-type" class=LABEL>"Type"</label>
                    <select id="enable-type" name="kind" class=INPUT on:change=move |ev| kind.set(event_target_value(&ev))>
                        {move || types().into_iter().map(|t| {
                            let selected = t == kind.get_untracked();
                            view! { <option value=t.clone() selected=selected>{t.clone()}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <div>
                    <label for="enable-path" class=LABEL>"Path"</label>
                    <input id="enable-path" name="path" required class=format!("{INPUT} font-mono") placeholder="team-secrets"/>
                </div>
                <div>
                    <label for="enable-description" class=LABEL>"Description"</label>
                    <input id="enable-description" name="description" class=INPUT/>
                </div>
                <Show when=move || class.get() == "secret" && kind.get() == "kv">
                    <div>
                        <label for="enable-kv-version" class=LABEL>"KV version"</label>
                        <select id="enable-kv-version" name="kv_version" class=INPUT>
                            <option value="2">"2 (versioned)"</option>
                            <option value="1">"1"</option>
                        </select>
                    </div>
                </Show>
                <div class="flex items-end gap-3 sm:col-span-2">
                    <button type="submit" class=PRIMARY disabled=move || action.pending().get()>"Enable"</button>
                    {move || matches!(action.value().get(), Some(Ok(()))).then(|| view! { <p role="status" class="text-sm text-emerald-700 dark:text-emerald-300">"Enabled."</p> })}
                </div>
            </ActionForm>
            {move || action.value().get().and_then(Result::err).map(|e| view! { <div class="mt-3"><ErrorAlert message=e.message/></div> })}
        </section>
    }
}
