//! `/ui/mounts/settings?class=&path=`: one mount's settings (description, lease TTLs,
//! and for KV v2 the versions kept), and disabling it after its path is typed.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;

use crate::api::dto::MountSettings;
use crate::api::mounts::{DisableMount, TuneMount, read_mount_settings};
use crate::components::alert::ErrorAlert;
use crate::components::failure::Failure;
use crate::components::style::{CARD, DANGER, INPUT, LABEL, LINK, PRIMARY};
use crate::pages::encode;
use crate::pages::kv::query;

pub fn settings_href(class: &str, path: &str) -> String {
    format!("/ui/mounts/settings?class={}&path={}", encode(class), encode(path.trim_end_matches('/')))
}

#[component]
pub fn MountSettingsPage() -> impl IntoView {
    let class = query("class");
    let path = query("path");
    let tune = ServerAction::<TuneMount>::new();
    let settings = Resource::new(
        move || (class.get(), path.get(), tune.version().get()),
        |(class, path, _)| read_mount_settings(class, path),
    );
    view! {
        <Title text="Mount settings"/>
        <p class="text-sm"><a href="/ui/mounts" class=LINK>"← Mounts"</a></p>
        <Transition fallback=|| view! { <p role="status" class="text-sm text-slate-500">"Loading…"</p> }>
            {move || settings.get().map(|result| match result {
                Err(error) => view! { <Failure error/> }.into_any(),
                Ok(settings) => view! { <Settings settings tune/> }.into_any(),
            })}
        </Transition>
    }
}

/// Seconds as the largest whole unit: `768h`, `90m`, `45s`; empty for 0 (the default).
fn ttl_text(seconds: u64) -> String {
    match seconds {
        0 => String::new(),
        s if s % 3600 == 0 => format!("{}h", s / 3600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

#[component]
fn Settings(settings: MountSettings, tune: ServerAction<TuneMount>) -> impl IntoView {
    let (class, path) = (settings.class.clone(), settings.path.clone());
    let kind = if settings.version.is_empty() {
        settings.kind.clone()
    } else {
        format!("{} v{}", settings.kind, settings.version)
    };
    view! {
        <h1 class="mt-3 font-mono text-2xl font-semibold tracking-tight">{format!("{}/", settings.path)}</h1>
        <p class="mt-1 text-sm text-slate-600 dark:text-slate-400">{kind}</p>
        <section aria-labelledby="tune-title" class=format!("mt-6 {CARD}")>
            <h2 id="tune-title" class="text-lg font-semibold">"Settings"</h2>
            <ActionForm action=tune attr:class="mt-3 grid gap-4 sm:grid-cols-2">
                <input type="hidden" name="class" value=settings.class.clone()/>
                <input type="hidden" name="path" value=settings.path.clone()/>
                <div class="sm:col-span-2">
                    <label for="tune-description" class=LABEL>"Description"</label>
                    <input id="tune-description" name="description" value=settings.description.clone() class=INPUT/>
                </div>
                <div>
                    <label for="tune-default-ttl" class=LABEL>"Default lease TTL"</label>
                    <input id="tune-default-ttl" name="default_lease_ttl" value=ttl_text(settings.default_lease_ttl)
                        placeholder="system default" aria-describedby="ttl-help" class=INPUT/>
                </div>
                <div>
                    <label for="tune-max-ttl" class=LABEL>"Maximum lease TTL"</label>
                    <input id="tune-max-ttl" name="max_lease_ttl" value=ttl_text(settings.max_lease_ttl)
                        placeholder="system default" aria-describedby="ttl-help" class=INPUT/>
                </div>
                <p id="ttl-help" class="text-xs text-slate-500 sm:col-span-2">"Durations such as 30m, 24h or 3600s; empty for the system default."</p>
                {settings.max_versions.map(|versions| view! {
                    <div>
                        <label for="tune-max-versions" class=LABEL>"Versions kept per secret"</label>
                        <input id="tune-max-versions" name="max_versions" type="number" min="0" value=versions.to_string() class=INPUT/>
                    </div>
                })}
                <div class="flex items-center gap-3 sm:col-span-2">
                    <button type="submit" class=PRIMARY disabled=move || tune.pending().get()>"Save settings"</button>
                    {move || matches!(tune.value().get(), Some(Ok(()))).then(|| view! { <p role="status" class="text-sm text-emerald-700 dark:text-emerald-300">"Saved."</p> })}
                </div>
            </ActionForm>
            {move || tune.value().get().and_then(Result::err).map(|e| view! { <div class="mt-3"><ErrorAlert message=e.message/></div> })}
        </section>
        <Disable class path/>
    }
}

/// Disable the mount, which deletes its data, once its path has been typed.
#[component]
fn Disable(class: String, path: String) -> impl IntoView {
    let disable = ServerAction::<DisableMount>::new();
    let typed = RwSignal::new(String::new());
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(())) = disable.value().get() {
            navigate("/ui/mounts", Default::default());
        }
    });
    let label = format!("Type {path} to confirm");
    let expected = path.clone();
    view! {
        <section aria-labelledby="disable-title" class="mt-6 rounded-lg border border-red-200 p-6 dark:border-red-900">
            <h2 id="disable-title" class="text-lg font-semibold text-red-800 dark:text-red-300">"Disable this mount"</h2>
            <p class="mt-1 text-sm text-slate-600 dark:text-slate-400">"Everything stored in it is deleted. This cannot be undone."</p>
            <ActionForm action=disable attr:class="mt-3 flex flex-wrap items-end gap-3">
                <input type="hidden" name="class" value=class/>
                <input type="hidden" name="path" value=path/>
                <div class="min-w-0 flex-1">
                    <label for="disable-confirm" class=LABEL>{label}</label>
                    <input id="disable-confirm" name="confirm" autocomplete="off" class=format!("{INPUT} font-mono")
                        prop:value=typed on:input=move |ev| typed.set(event_target_value(&ev))/>
                </div>
                <button type="submit" class=DANGER disabled=move || typed.get().trim_end_matches('/') != expected || disable.pending().get()>
                    "Disable"
                </button>
            </ActionForm>
            {move || disable.value().get().and_then(Result::err).map(|e| view! { <div class="mt-3"><ErrorAlert message=e.message/></div> })}
        </section>
    }
}
