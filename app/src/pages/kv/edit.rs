//! `/ui/secrets/edit?mount=&path=&folder=`: create a secret (no `path`) or edit one, as
//! key/value rows or as JSON. Saving an edit on KV v2 is check-and-set against the
//! version that was loaded, so a change made meanwhile by someone else is not lost.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;
use serde_json::{Map, Value};

use super::{Breadcrumbs, query, show_href};
use crate::api::ConsoleError;
use crate::api::dto::KvSecret;
use crate::api::kv::{WriteSecret, read_secret, read_values};
use crate::components::alert::ErrorAlert;
use crate::components::failure::Failure;
use crate::components::style::{CARD, INPUT, LABEL, PRIMARY, SECONDARY, SMALL};

/// What the editor starts from: the secret and its values as JSON, or nothing (new).
type Loaded = Option<(KvSecret, String)>;

async fn load(mount: String, path: String) -> Result<Loaded, ConsoleError> {
    if path.is_empty() {
        return Ok(None);
    }
    let secret = read_secret(mount.clone(), path.clone(), 0).await?;
    // A deleted current version has no values: the edit starts empty.
    let values = if secret.keys.is_empty() { "{}".to_string() } else { read_values(mount, path, 0).await? };
    Ok(Some((secret, values)))
}

#[component]
pub fn EditPage() -> impl IntoView {
    let mount = query("mount");
    let path = query("path");
    let folder = query("folder");
    let loaded = Resource::new(move || (mount.get(), path.get()), |(mount, path)| load(mount, path));
    view! {
        <Title text="Edit secret"/>
        <Transition fallback=|| view! { <p role="status" class="text-sm text-slate-500">"Loading…"</p> }>
            {move || loaded.get().map(|result| match result {
                Err(error) => view! { <Failure error/> }.into_any(),
                Ok(loaded) => view! { <Editor mount=mount.get_untracked() folder=folder.get_untracked() loaded/> }.into_any(),
            })}
        </Transition>
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Rows,
    Json,
}

#[derive(Clone, Copy)]
struct Row {
    id: usize,
    key: RwSignal<String>,
    value: RwSignal<String>,
}

/// Rows from a JSON object whose values are all text; `None` if any is not.
fn rows_of(json: &str, next_id: &mut usize) -> Option<Vec<Row>> {
    let Ok(Value::Object(map)) = serde_json::from_str::<Value>(json) else { return None };
    map.into_iter()
        .map(|(k, v)| {
            let Value::String(text) = v else { return None };
            *next_id += 1;
            Some(Row { id: *next_id, key: RwSignal::new(k), value: RwSignal::new(text) })
        })
        .collect()
}

fn json_of(rows: &[Row]) -> String {
    let map: Map<String, Value> = rows
        .iter()
        .filter(|r| !r.key.get_untracked().is_empty())
        .map(|r| (r.key.get_untracked(), Value::String(r.value.get_untracked())))
        .collect();
    serde_json::to_string_pretty(&map).unwrap_or_default()
}

#[component]
fn Editor(mount: String, folder: String, loaded: Loaded) -> impl IntoView {
    let is_new = loaded.is_none();
    let (secret, initial) = match loaded {
        Some((secret, values)) => (Some(secret), values),
        None => (None, "{}".to_string()),
    };
    let kv_version = secret.as_ref().map(|s| s.mount.version).unwrap_or(2);
    // Check-and-set: the version the edit started from (0: the secret must not exist yet).
    let cas = secret.as_ref().and_then(|s| s.metadata.as_ref()).map(|m| m.current_version).or(is_new.then_some(0));
    let path = RwSignal::new(secret.as_ref().map(|s| s.path.clone()).unwrap_or(folder.clone()));
    let mut next_id = 0;
    let start_rows = rows_of(&initial, &mut next_id);
    let mode = RwSignal::new(if start_rows.is_some() { Mode::Rows } else { Mode::Json });
    let rows = RwSignal::new(start_rows.unwrap_or_default());
    if rows.with_untracked(Vec::is_empty) {
        next_id += 1;
        rows.set(vec![Row { id: next_id, key: RwSignal::new(String::new()), value: RwSignal::new(String::new()) }]);
    }
    let next_id = StoredValue::new(next_id);
    let json = RwSignal::new(initial);
    let switch_error = RwSignal::new(None::<String>);

    let to_json = move || {
        json.set(json_of(&rows.get_untracked()));
        switch_error.set(None);
        mode.set(Mode::Json);
    };
    let to_rows = move || {
        let mut id = next_id.get_value();
        match rows_of(&json.get_untracked(), &mut id) {
            Some(parsed) => {
                next_id.set_value(id);
                rows.set(parsed);
                switch_error.set(None);
                mode.set(Mode::Rows);
            }
            None => switch_error.set(Some("Rows hold text values only: this JSON is not an object of strings.".into())),
        }
    };
    let add_row = move |_| {
        next_id.update_value(|n| *n += 1);
        let id = next_id.get_value();
        rows.update(|r| r.push(Row { id, key: RwSignal::new(String::new()), value: RwSignal::new(String::new()) }));
    };

    let save = ServerAction::<WriteSecret>::new();
    let navigate = use_navigate();
    let mount_after = mount.clone();
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            navigate(&show_href(&mount_after, &path.get_untracked(), 0), Default::default());
        }
    });
    let mount_for_save = mount.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body =
            if mode.get_untracked() == Mode::Rows { json_of(&rows.get_untracked()) } else { json.get_untracked() };
        save.dispatch(WriteSecret {
            mount: mount_for_save.clone(),
            path: path.get_untracked(),
            json: body,
            cas: if kv_version == 2 { cas } else { None },
        });
    };
    let title = if is_new { "New secret".to_string() } else { format!("Edit {}", path.get_untracked()) };
    let crumbs = if is_new { folder.clone() } else { path.get_untracked() };

    view! {
        <Breadcrumbs mount=mount.clone() path=crumbs/>
        <h1 class="mt-3 break-all text-2xl font-semibold tracking-tight">{title}</h1>
        <form class=format!("mt-6 space-y-4 {CARD}") on:submit=submit>
            {is_new.then(|| view! {
                <div>
                    <label for="secret-path" class=LABEL>"Path"</label>
                    <input id="secret-path" required class=format!("{INPUT} font-mono") placeholder="team/database"
                        prop:value=path on:input=move |ev| path.set(event_target_value(&ev))/>
                </div>
            })}
            <div role="group" aria-label="Editor mode" class="flex gap-2">
                <button type="button" class=SMALL aria-pressed=move || (mode.get() == Mode::Rows).to_string() on:click=move |_| to_rows()>"Key/value rows"</button>
                <button type="button" class=SMALL aria-pressed=move || (mode.get() == Mode::Json).to_string() on:click=move |_| to_json()>"JSON"</button>
            </div>
            {move || switch_error.get().map(|message| view! { <ErrorAlert message/> })}
            <Show when=move || mode.get() == Mode::Rows>
                <table class="w-full text-sm" aria-label="Keys and values">
                    <thead><tr>
                        <th scope="col" class="text-left font-medium">"Key"</th>
                        <th scope="col" class="text-left font-medium">"Value"</th>
                        <th scope="col"><span class="sr-only">"Remove"</span></th>
                    </tr></thead>
                    <tbody>
                        <For each=move || rows.get() key=|row| row.id let:row>
                            <tr>
                                <td class="pr-2 align-top">
                                    <input aria-label="Key" class=format!("{INPUT} font-mono") prop:value=row.key on:input=move |ev| row.key.set(event_target_value(&ev))/>
                                </td>
                                <td class="pr-2 align-top">
                                    <input aria-label="Value" class=format!("{INPUT} font-mono") autocomplete="off" prop:value=row.value on:input=move |ev| row.value.set(event_target_value(&ev))/>
                                </td>
                                <td class="pt-1 align-top">
                                    <button type="button" class=SMALL aria-label="Remove row" on:click=move |_| rows.update(|r| r.retain(|x| x.id != row.id))>"✕"</button>
                                </td>
                            </tr>
                        </For>
                    </tbody>
                </table>
                <button type="button" class=SMALL on:click=add_row>"Add row"</button>
            </Show>
            <Show when=move || mode.get() == Mode::Json>
                <label for="secret-json" class=LABEL>"JSON"</label>
                <textarea id="secret-json" rows="12" spellcheck="false" class=format!("{INPUT} font-mono")
                    prop:value=json on:input=move |ev| json.set(event_target_value(&ev))></textarea>
            </Show>
            {move || save.value().get().and_then(Result::err).map(|e| view! { <ErrorAlert message=e.message/> })}
            <div class="flex gap-3">
                <button type="submit" class=PRIMARY disabled=move || save.pending().get()>"Save"</button>
                <a class=SECONDARY href=if is_new { super::browse_href(&mount, &folder) } else { show_href(&mount, &path.get_untracked(), 0) }>"Cancel"</a>
            </div>
        </form>
    }
}
