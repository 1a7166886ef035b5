//! `/ui/secrets/show?mount=&path=[&version=]`: one secret. Values stay masked (and
//! stay on the server) until the user reveals or copies one; then the version history
//! with delete, undelete and destroy, a side-by-side diff of any two versions, the
//! custom metadata, moving the secret with its history, and deleting it.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;

use super::{Breadcrumbs, browse_href, edit_href, query, show_href};
use crate::api::ConsoleError;
use crate::api::dto::{DiffRow, KvMetadata, KvSecret};
use crate::api::kv::{WriteMetadata, change_versions, diff_versions, move_secret, read_secret, reveal_value};
use crate::browser::copy_to_clipboard;
use crate::components::alert::ErrorAlert;
use crate::components::diff::DiffTable;
use crate::components::failure::Failure;
use crate::components::style::{CARD, DANGER, INPUT, LABEL, PANEL, PRIMARY, SECONDARY, SMALL, TABLE, TD, TH};

#[component]
pub fn ShowPage() -> impl IntoView {
    let mount = query("mount");
    let path = query("path");
    let version = query("version");
    let refresh = RwSignal::new(0u32);
    let secret = Resource::new(
        move || (mount.get(), path.get(), version.get().parse::<u64>().unwrap_or(0), refresh.get()),
        |(mount, path, version, _)| read_secret(mount, path, version),
    );
    view! {
        <Title text="Secret"/>
        <Transition fallback=|| view! { <p role="status" class="text-sm text-slate-500">"Loading…"</p> }>
            {move || secret.get().map(|result| match result {
                Err(error) => view! { <Failure error/> }.into_any(),
                Ok(secret) => view! { <SecretView secret refresh/> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn SecretView(secret: KvSecret, refresh: RwSignal<u32>) -> impl IntoView {
    let mount = secret.mount.mount.clone();
    let path = secret.path.clone();
    let current = secret.metadata.as_ref().map(|m| m.current_version).unwrap_or_default();
    let status = if secret.destroyed {
        Some("destroyed")
    } else if secret.deleted {
        Some("deleted")
    } else {
        None
    };
    let showing = match (secret.mount.version, secret.version) {
        (2, v) if v == current => format!("Version {v} (current)"),
        (2, v) => format!("Version {v} of {current}"),
        _ => "KV version 1: no history".to_string(),
    };
    view! {
        <Breadcrumbs mount=mount.clone() path=path.clone()/>
        <div class="mt-3 flex flex-wrap items-center justify-between gap-3">
            <div>
                <h1 class="break-all font-mono text-2xl font-semibold tracking-tight">{path.clone()}</h1>
                <p class="mt-1 text-sm text-slate-600 dark:text-slate-400" data-testid="version-shown">
                    {showing}
                    {status.map(|s| view! {
                        <span class="ml-2 rounded-full bg-red-100 px-2 py-0.5 text-xs font-medium text-red-800 dark:bg-red-950 dark:text-red-200">{s}</span>
                    })}
                </p>
            </div>
            <a href=edit_href(&mount, &path, "") class=PRIMARY>"Edit"</a>
        </div>
        {if secret.keys.is_empty() {
            view! {
                <p class=format!("mt-6 {CARD} text-sm text-slate-600 dark:text-slate-400")>
                    "This version holds no data: it was deleted or destroyed."
                </p>
            }.into_any()
        } else {
            view! {
                <section aria-labelledby="data-title" class=format!("mt-6 overflow-x-auto {PANEL}")>
                    <h2 id="data-title" class="px-4 pt-4 text-lg font-semibold">"Data"</h2>
                    <table class=format!("mt-2 {TABLE}") aria-label="Secret data">
                        <thead><tr>
                            <th scope="col" class=TH>"Key"</th>
                            <th scope="col" class=TH>"Value"</th>
                            <th scope="col" class=TH><span class="sr-only">"Actions"</span></th>
                        </tr></thead>
                        <tbody class="divide-y divide-slate-100 dark:divide-slate-800">
                            {secret.keys.iter().map(|key| view! {
                                <ValueRow mount=mount.clone() path=path.clone() version=secret.version key=key.clone()/>
                            }).collect_view()}
                        </tbody>
                    </table>
                </section>
            }.into_any()
        }}
        {secret.metadata.clone().map(|metadata| view! {
            <Versions mount=mount.clone() path=path.clone() metadata=metadata.clone() refresh/>
            <Compare mount=mount.clone() path=path.clone() metadata=metadata.clone()/>
            <CustomMetadata mount=mount.clone() path=path.clone() metadata refresh/>
        })}
        <Move mount=mount.clone() path=path.clone()/>
        <DeleteSecret mount path/>
    }
}

/// One key: masked until revealed; copying fetches the value without showing it.
#[component]
fn ValueRow(mount: String, path: String, version: u64, key: String) -> impl IntoView {
    let shown = RwSignal::new(None::<String>);
    let copied = RwSignal::new(false);
    let fetch = Action::new(move |(mount, path, key): &(String, String, String)| {
        reveal_value(mount.clone(), path.clone(), version, key.clone())
    });
    let wants_copy = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(Ok(value)) = fetch.value().get() {
            if wants_copy.get_untracked() {
                copy_to_clipboard(&value);
                copied.set(true);
                wants_copy.set(false);
            } else {
                shown.set(Some(value));
            }
        }
    });
    let args = (mount, path, key.clone());
    let reveal_args = args.clone();
    let label = key.clone();
    view! {
        <tr>
            <th scope="row" class=format!("{TD} font-mono font-medium")>{key.clone()}</th>
            <td class=format!("{TD} font-mono break-all")>
                {move || match shown.get() {
                    Some(value) => view! { <code data-testid="secret-value">{value}</code> }.into_any(),
                    None => view! { <span aria-label="hidden value">"••••••••"</span> }.into_any(),
                }}
                {move || fetch.value().get().and_then(Result::err).map(|e| view! { <ErrorAlert message=e.message/> })}
            </td>
            <td class=format!("{TD} whitespace-nowrap text-right")>
                <button type="button" class=SMALL aria-label=move || format!("{} {label}", if shown.get().is_some() { "Hide" } else { "Reveal" })
                    on:click=move |_| {
                        if shown.get_untracked().is_some() {
                            shown.set(None);
                        } else {
                            fetch.dispatch(reveal_args.clone());
                        }
                    }>
                    {move || if shown.get().is_some() { "Hide" } else { "Reveal" }}
                </button>
                " "
                <button type="button" class=SMALL aria-label=format!("Copy {key}")
                    on:click=move |_| {
                        match shown.get_untracked() {
                            Some(value) => {
                                copy_to_clipboard(&value);
                                copied.set(true);
                            }
                            None => {
                                wants_copy.set(true);
                                fetch.dispatch(args.clone());
                            }
                        }
                    }>
                    {move || if copied.get() { "Copied" } else { "Copy" }}
                </button>
            </td>
        </tr>
    }
}

/// Every version, newest first, with what can be done to each.
#[component]
fn Versions(mount: String, path: String, metadata: KvMetadata, refresh: RwSignal<u32>) -> impl IntoView {
    let change = Action::new(|(mount, path, action, version): &(String, String, &'static str, u64)| {
        change_versions(mount.clone(), path.clone(), action.to_string(), vec![*version])
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = change.value().get() {
            refresh.update(|n| *n += 1);
        }
    });
    let current = metadata.current_version;
    view! {
        <section aria-labelledby="versions-title" class=format!("mt-6 overflow-x-auto {PANEL}")>
            <h2 id="versions-title" class="px-4 pt-4 text-lg font-semibold">"Versions"</h2>
            <p class="px-4 text-xs text-slate-500">{format!("Keeps up to {} versions.", if metadata.max_versions == 0 { 10 } else { metadata.max_versions })}</p>
            {move || change.value().get().and_then(Result::err).map(|e| view! { <div class="px-4 pt-2"><ErrorAlert message=e.message/></div> })}
            <table class=format!("mt-2 {TABLE}") aria-label="Versions">
                <thead><tr>
                    <th scope="col" class=TH>"Version"</th>
                    <th scope="col" class=TH>"Created"</th>
                    <th scope="col" class=TH>"State"</th>
                    <th scope="col" class=TH><span class="sr-only">"Actions"</span></th>
                </tr></thead>
                <tbody class="divide-y divide-slate-100 dark:divide-slate-800">
                    {metadata.versions.into_iter().map(|v| {
                        let state = if v.destroyed { "destroyed" } else if !v.deletion_time.is_empty() { "deleted" } else if v.version == current { "current" } else { "" };
                        let n = v.version;
                        let act = {
                            let (mount, path) = (mount.clone(), path.clone());
                            move |action: &'static str| { change.dispatch((mount.clone(), path.clone(), action, n)); }
                        };
                        let (undelete, delete, destroy) = (act.clone(), act.clone(), act);
                        view! {
                            <tr>
                                <td class=TD><a class="font-mono text-indigo-700 hover:underline dark:text-indigo-300" href=show_href(&mount, &path, n)>{format!("v{n}")}</a></td>
                                <td class=format!("{TD} text-slate-600 dark:text-slate-400")>{crate::pages::utc(&v.created_time)}</td>
                                <td class=TD>{state}</td>
                                <td class=format!("{TD} whitespace-nowrap text-right")>
                                    {(!v.destroyed && !v.deletion_time.is_empty()).then(|| view! {
                                        <button type="button" class=SMALL aria-label=format!("Undelete version {n}") on:click=move |_| undelete("undelete")>"Undelete"</button>
                                    })}
                                    {(!v.destroyed && v.deletion_time.is_empty()).then(|| view! {
                                        <button type="button" class=SMALL aria-label=format!("Delete version {n}") on:click=move |_| delete("delete")>"Delete"</button>
                                    })}
                                    " "
                                    {(!v.destroyed).then(|| view! {
                                        <button type="button" class=SMALL aria-label=format!("Destroy version {n}") on:click=move |_| destroy("destroy")>"Destroy"</button>
                                    })}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

/// Pick two versions and see them side by side.
#[component]
fn Compare(mount: String, path: String, metadata: KvMetadata) -> impl IntoView {
    let readable: Vec<u64> =
        metadata.versions.iter().filter(|v| !v.destroyed && v.deletion_time.is_empty()).map(|v| v.version).collect();
    if readable.len() < 2 {
        return ().into_any();
    }
    let to = RwSignal::new(readable[0]);
    let from = RwSignal::new(readable[1]);
    let diff = Action::new(|(mount, path, from, to): &(String, String, u64, u64)| {
        diff_versions(mount.clone(), path.clone(), *from, *to)
    });
    let options = move |selected: RwSignal<u64>| {
        readable
            .iter()
            .map(|v| {
                let v = *v;
                view! { <option value=v.to_string() selected=move || selected.get() == v>{format!("v{v}")}</option> }
            })
            .collect_view()
    };
    let (from_options, to_options) = (options.clone()(from), options(to));
    view! {
        <section aria-labelledby="compare-title" class=format!("mt-6 {CARD}")>
            <h2 id="compare-title" class="text-lg font-semibold">"Compare versions"</h2>
            <form class="mt-3 flex flex-wrap items-end gap-3" on:submit=move |ev| {
                ev.prevent_default();
                diff.dispatch((mount.clone(), path.clone(), from.get_untracked(), to.get_untracked()));
            }>
                <div>
                    <label for="diff-from" class=LABEL>"From"</label>
                    <select id="diff-from" class=INPUT on:change=move |ev| from.set(event_target_value(&ev).parse().unwrap_or_default())>{from_options}</select>
                </div>
                <div>
                    <label for="diff-to" class=LABEL>"To"</label>
                    <select id="diff-to" class=INPUT on:change=move |ev| to.set(event_target_value(&ev).parse().unwrap_or_default())>{to_options}</select>
                </div>
                <button type="submit" class=SECONDARY>"Compare"</button>
            </form>
            {move || diff.value().get().map(|result| diff_view(result, from.get_untracked(), to.get_untracked()))}
        </section>
    }
    .into_any()
}

fn diff_view(result: Result<Vec<DiffRow>, ConsoleError>, from: u64, to: u64) -> AnyView {
    match result {
        Err(e) => view! { <div class="mt-3"><ErrorAlert message=e.message/></div> }.into_any(),
        Ok(rows) => view! { <DiffTable rows left=format!("v{from}") right=format!("v{to}")/> }.into_any(),
    }
}

#[component]
fn CustomMetadata(mount: String, path: String, metadata: KvMetadata, refresh: RwSignal<u32>) -> impl IntoView {
    let save = ServerAction::<WriteMetadata>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = save.value().get() {
            refresh.update(|n| *n += 1);
        }
    });
    let lines: String = metadata.custom_metadata.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
    let editor = view! {
        <details class="mt-4">
            <summary class="cursor-pointer text-sm font-medium">"Edit metadata"</summary>
            <ActionForm action=save attr:class="mt-3 space-y-3">
                <input type="hidden" name="mount" value=mount/>
                <input type="hidden" name="path" value=path/>
                <div>
                    <label for="meta-custom" class=LABEL>"Custom metadata (one key=value per line)"</label>
                    <textarea id="meta-custom" name="custom_metadata" rows="4" class=format!("{INPUT} font-mono")>{lines}</textarea>
                </div>
                <div class="grid gap-3 sm:grid-cols-2">
                    <div>
                        <label for="meta-max-versions" class=LABEL>"Versions kept (0: the mount's setting)"</label>
                        <input id="meta-max-versions" name="max_versions" type="number" min="0" value=metadata.max_versions.to_string() class=INPUT/>
                    </div>
                    <label class="flex items-center gap-2 self-end text-sm">
                        <input type="checkbox" name="cas_required" checked=metadata.cas_required/>
                        "Require check-and-set on writes"
                    </label>
                </div>
                <button type="submit" class=SECONDARY disabled=move || save.pending().get()>"Save metadata"</button>
            </ActionForm>
            {move || save.value().get().and_then(Result::err).map(|e| view! { <div class="mt-3"><ErrorAlert message=e.message/></div> })}
        </details>
    };
    view! {
        <section aria-labelledby="meta-title" class=format!("mt-6 {CARD}")>
            <h2 id="meta-title" class="text-lg font-semibold">"Custom metadata"</h2>
            {if metadata.custom_metadata.is_empty() {
                view! { <p class="mt-2 text-sm text-slate-600 dark:text-slate-400">"None."</p> }.into_any()
            } else {
                view! {
                    <dl class="mt-2 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
                        {metadata.custom_metadata.into_iter().map(|(k, v)| view! {
                            <dt class="font-mono font-medium">{k}</dt><dd class="break-all font-mono">{v}</dd>
                        }).collect_view()}
                    </dl>
                }.into_any()
            }}
            {metadata.cas_required.then(|| view! { <p class="mt-2 text-xs text-slate-500">"Check-and-set is required for writes."</p> })}
            {editor}
        </section>
    }
}

/// Move (rename) the secret, history and all.
#[component]
fn Move(mount: String, path: String) -> impl IntoView {
    let target = RwSignal::new(path.clone());
    let moving = Action::new(|(mount, from, to): &(String, String, String)| {
        move_secret(mount.clone(), from.clone(), to.clone())
    });
    let navigate = use_navigate();
    let mount_after = mount.clone();
    Effect::new(move |_| {
        if let Some(Ok(())) = moving.value().get() {
            navigate(&show_href(&mount_after, &target.get_untracked(), 0), Default::default());
        }
    });
    view! {
        <section aria-labelledby="move-title" class=format!("mt-6 {CARD}")>
            <h2 id="move-title" class="text-lg font-semibold">"Move or rename"</h2>
            <p class="mt-1 text-sm text-slate-600 dark:text-slate-400">"Every version moves with it, in order."</p>
            <form class="mt-3 flex flex-wrap items-end gap-3" on:submit=move |ev| {
                ev.prevent_default();
                moving.dispatch((mount.clone(), path.clone(), target.get_untracked()));
            }>
                <div class="min-w-0 flex-1">
                    <label for="move-to" class=LABEL>"New path"</label>
                    <input id="move-to" class=format!("{INPUT} font-mono") prop:value=target on:input=move |ev| target.set(event_target_value(&ev))/>
                </div>
                <button type="submit" class=SECONDARY disabled=move || moving.pending().get()>"Move"</button>
            </form>
            {move || moving.value().get().and_then(Result::err).map(|e| view! { <div class="mt-3"><ErrorAlert message=e.message/></div> })}
        </section>
    }
}

/// Delete the secret and all its versions, once its path has been typed to confirm.
#[component]
fn DeleteSecret(mount: String, path: String) -> impl IntoView {
    let typed = RwSignal::new(String::new());
    let deleting = Action::new(|(mount, path): &(String, String)| {
        change_versions(mount.clone(), path.clone(), "delete-all".into(), Vec::new())
    });
    let navigate = use_navigate();
    let folder = path.rsplit_once('/').map(|(f, _)| format!("{f}/")).unwrap_or_default();
    let after = browse_href(&mount, &folder);
    Effect::new(move |_| {
        if let Some(Ok(())) = deleting.value().get() {
            navigate(&after, Default::default());
        }
    });
    let confirm_label = format!("Type {path} to confirm");
    let expected = path.clone();
    view! {
        <section aria-labelledby="delete-title" class="mt-6 rounded-lg border border-red-200 p-6 dark:border-red-900">
            <h2 id="delete-title" class="text-lg font-semibold text-red-800 dark:text-red-300">"Delete this secret"</h2>
            <p class="mt-1 text-sm text-slate-600 dark:text-slate-400">"Removes every version and the metadata. This cannot be undone."</p>
            <form class="mt-3 flex flex-wrap items-end gap-3" on:submit=move |ev| {
                ev.prevent_default();
                deleting.dispatch((mount.clone(), path.clone()));
            }>
                <div class="min-w-0 flex-1">
                    <label for="delete-confirm" class=LABEL>{confirm_label}</label>
                    <input id="delete-confirm" class=format!("{INPUT} font-mono") autocomplete="off"
                        prop:value=typed on:input=move |ev| typed.set(event_target_value(&ev))/>
                </div>
                <button type="submit" class=DANGER disabled=move || typed.get() != expected || deleting.pending().get()>
                    "Delete secret"
                </button>
            </form>
            {move || deleting.value().get().and_then(Result::err).map(|e| view! { <div class="mt-3"><ErrorAlert message=e.message/></div> })}
        </section>
    }
}
