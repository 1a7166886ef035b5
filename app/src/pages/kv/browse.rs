//! `/ui/secrets/browse?mount=&folder=`: one folder of a KV mount, with breadcrumbs, a
//! search over the whole mount by path, and a way to add a secret here.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{Breadcrumbs, browse_href, edit_href, query, show_href};
use crate::api::kv::{list_folder, search_secrets};
use crate::components::alert::ErrorAlert;
use crate::components::failure::Failure;
use crate::components::style::{INPUT, LINK, PANEL, PRIMARY, SECONDARY};

#[component]
pub fn BrowsePage() -> impl IntoView {
    let mount = query("mount");
    let folder = query("folder");
    let listing = Resource::new(move || (mount.get(), folder.get()), |(m, f)| list_folder(m, f));
    view! {
        <Title text="Secrets"/>
        <Transition fallback=|| view! { <p role="status" class="text-sm text-slate-500">"Loading…"</p> }>
            {move || listing.get().map(|result| match result {
                Err(error) => view! { <Failure error/> }.into_any(),
                Ok(listed) => {
                    let mount = listed.mount.mount.clone();
                    let here = listed.folder.clone();
                    view! {
                        <div class="flex flex-wrap items-center justify-between gap-3">
                            <Breadcrumbs mount=mount.clone() path=here.clone()/>
                            <a href=edit_href(&mount, "", &here) class=PRIMARY>"New secret"</a>
                        </div>
                        <Search mount=mount.clone()/>
                        {if listed.keys.is_empty() {
                            view! {
                                <p class="mt-6 text-sm text-slate-600 dark:text-slate-400">
                                    "Nothing here yet, or nothing your policies let you list."
                                </p>
                            }.into_any()
                        } else {
                            view! {
                                <ul aria-label="Folder contents" class=format!("mt-4 divide-y divide-slate-100 dark:divide-slate-800 {PANEL}")>
                                    {listed.keys.into_iter().map(|key| {
                                        let path = format!("{here}{key}");
                                        let (href, icon) = if key.ends_with('/') {
                                            (browse_href(&mount, &path), "📁")
                                        } else {
                                            (show_href(&mount, &path, 0), "🔑")
                                        };
                                        view! {
                                            <li>
                                                <a href=href class="flex items-center gap-2 px-4 py-2 font-mono text-sm hover:bg-slate-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-inset focus-visible:ring-indigo-500 dark:hover:bg-slate-800">
                                                    <span aria-hidden="true">{icon}</span>{key}
                                                </a>
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                    }.into_any()
                }
            })}
        </Transition>
    }
}

/// Search the whole mount by path, server-side, as the user.
#[component]
fn Search(mount: String) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let search = Action::new(|(mount, text): &(String, String)| search_secrets(mount.clone(), text.clone()));
    let mount_for_submit = mount.clone();
    view! {
        <form role="search" class="mt-4 flex gap-2" on:submit=move |ev| {
            ev.prevent_default();
            search.dispatch((mount_for_submit.clone(), text.get_untracked()));
        }>
            <label for="kv-search" class="sr-only">"Search this mount by path"</label>
            <input id="kv-search" type="search" placeholder="Search this mount by path" class=INPUT
                prop:value=text on:input=move |ev| text.set(event_target_value(&ev))/>
            <button type="submit" class=SECONDARY>"Search"</button>
        </form>
        {move || search.value().get().map(|result| match result {
            Err(e) => view! { <div class="mt-3"><ErrorAlert message=e.message/></div> }.into_any(),
            Ok(found) if found.paths.is_empty() => view! {
                <p class="mt-3 text-sm text-slate-600 dark:text-slate-400" role="status">"No secret path matches."</p>
            }.into_any(),
            Ok(found) => {
                let mount = mount.clone();
                view! {
                    {found.truncated.then(|| view! {
                        <p role="status" class="mt-3 text-sm text-amber-800 dark:text-amber-300">
                            "The search stopped at its limit: these are the first matches. Narrow it to see the rest."
                        </p>
                    })}
                    <ul aria-label="Search results" class="mt-3 space-y-1 text-sm">
                        {found.paths.into_iter().map(|path| view! {
                            <li><a class=format!("font-mono {LINK}") href=show_href(&mount, &path, 0)>{path.clone()}</a></li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }
        })}
    }
}
