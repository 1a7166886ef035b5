//! The KV secrets browser: folders (`browse`), a secret with its versions (`show`), and
//! the editor (`edit`). Locations travel as query parameters, so any path (spaces,
//! UTF-8, slashes) round-trips through links unchanged.

pub mod browse;
pub mod edit;
pub mod show;

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::style::LINK;
use crate::pages::encode;

pub fn browse_href(mount: &str, folder: &str) -> String {
    format!("/ui/secrets/browse?mount={}&folder={}", encode(mount), encode(folder))
}

pub fn show_href(mount: &str, path: &str, version: u64) -> String {
    let version = if version > 0 { format!("&version={version}") } else { String::new() };
    format!("/ui/secrets/show?mount={}&path={}{version}", encode(mount), encode(path))
}

/// The editor for `path`; `""` for a new secret in `folder`.
pub fn edit_href(mount: &str, path: &str, folder: &str) -> String {
    format!("/ui/secrets/edit?mount={}&path={}&folder={}", encode(mount), encode(path), encode(folder))
}

/// A query parameter of the current page, `""` when absent.
pub fn query(name: &'static str) -> Memo<String> {
    let params = use_query_map();
    Memo::new(move |_| params.with(|p| p.get(name).unwrap_or_default()))
}

/// `mount / folder / … / name`, each folder a link.
#[component]
pub fn Breadcrumbs(#[prop(into)] mount: String, #[prop(into)] path: String) -> impl IntoView {
    let mut crumbs = vec![(format!("{mount}/"), browse_href(&mount, ""))];
    let mut folder = String::new();
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    let last = parts.len().saturating_sub(1);
    for (i, part) in parts.iter().enumerate() {
        folder.push_str(part);
        folder.push('/');
        let is_folder = i < last || path.ends_with('/');
        let href = if is_folder { browse_href(&mount, &folder) } else { String::new() };
        crumbs.push((part.to_string(), href));
    }
    let count = crumbs.len();
    view! {
        <nav aria-label="Breadcrumb" class="text-sm">
            <ol class="flex flex-wrap items-center gap-1 font-mono">
                {crumbs.into_iter().enumerate().map(|(i, (label, href))| {
                    let current = i + 1 == count;
                    view! {
                        <li class="flex items-center gap-1">
                            {(i > 0).then(|| view! { <span aria-hidden="true" class="text-slate-400">"/"</span> })}
                            {if current || href.is_empty() {
                                view! { <span aria-current="page" class="font-medium">{label}</span> }.into_any()
                            } else {
                                view! { <a href=href class=LINK>{label}</a> }.into_any()
                            }}
                        </li>
                    }
                }).collect_view()}
            </ol>
        </nav>
    }
}
