//! Arcanum's web console: a Leptos app rendered on the server and hydrated in the
//! browser. It never talks to `/v1` and never holds a Vault token: every action is a
//! server function that calls the server through the narrow [`api::Console`] trait.

#![recursion_limit = "256"]

pub mod api;
mod browser;
mod components;
mod identity;
mod pages;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{Lazy, path};

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    api::security::apply_headers();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <link rel="stylesheet" href="/pkg/arcanum.css"/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body class="min-h-screen bg-slate-50 text-slate-900 antialiased dark:bg-slate-950 dark:text-slate-100">
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    identity::provide_identity();
    view! {
        <Title formatter=|page: String| if page.is_empty() { "Arcanum".to_string() } else { format!("{page} · Arcanum") }/>
        <Router>
            <components::layout::Layout>
                <Routes fallback=pages::not_found::NotFound>
                    <Route path=path!("/ui") view=pages::home::HomePage/>
                    <Route path=path!("/ui/sign-in") view=pages::sign_in::SignInPage/>
                    <Route path=path!("/ui/unseal") view=pages::unseal::UnsealPage/>
                    <Route path=path!("/ui/secrets") view=pages::secrets::SecretsPage/>
                    <Route path=path!("/ui/secrets/browse") view={Lazy::<pages::lazy::BrowseRoute>::new()}/>
                    <Route path=path!("/ui/secrets/show") view={Lazy::<pages::lazy::ShowRoute>::new()}/>
                    <Route path=path!("/ui/secrets/edit") view={Lazy::<pages::lazy::EditRoute>::new()}/>
                    <Route path=path!("/ui/mounts") view={Lazy::<pages::lazy::MountsRoute>::new()}/>
                    <Route path=path!("/ui/mounts/settings") view={Lazy::<pages::lazy::MountSettingsRoute>::new()}/>
                    <Route path=path!("/ui/policies") view=pages::policies::PoliciesPage/>
                    <Route path=path!("/ui/policies/edit") view={Lazy::<pages::lazy::PolicyEditRoute>::new()}/>
                    <Route path=path!("/ui/policies/simulate") view={Lazy::<pages::lazy::SimulateRoute>::new()}/>
                    <Route path=path!("/ui/audit") view={Lazy::<pages::lazy::AuditRoute>::new()}/>
                    <Route path=path!("/ui/audit/reports") view={Lazy::<pages::lazy::ReportsRoute>::new()}/>
                    <Route path=path!("/ui/audit/advisor") view={Lazy::<pages::lazy::AdvisorRoute>::new()}/>
                    <Route path=path!("/ui/tokens") view={Lazy::<pages::lazy::TokensRoute>::new()}/>
                    <Route path=path!("/ui/secrets/staleness") view={Lazy::<pages::lazy::StalenessRoute>::new()}/>
                    <Route path=path!("/ui/leases") view={Lazy::<pages::lazy::LeasesRoute>::new()}/>
                </Routes>
            </components::layout::Layout>
        </Router>
    }
}

/// Entry point of the wasm build: attach to the server-rendered page. Lazy routes (see
/// `pages::lazy`) need the asynchronous hydration, which loads a page's chunk first.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // What `hydrate_lazy` does, plus a signal once the page, lazy parts included, is
    // interactive: tests (and curious operators) wait for it.
    let _ = any_spawner::Executor::init_wasm_bindgen();
    leptos::task::spawn_local(async {
        let Some(body) = document().body() else { return };
        leptos::mount::hydrate_from_async(body, App).await.forget();
        if let Some(window) = web_sys::window() {
            let _ = js_sys::Reflect::set(&window, &"__arcanum_hydrated".into(), &true.into());
        }
    });
}
