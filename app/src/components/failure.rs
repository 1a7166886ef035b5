//! What a page shows when its data cannot be had: the sign-in page for an ended
//! session, the access-denied page, the sealed page, or the error itself. Rendered on
//! the server, it also gives the page the matching HTTP status.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

use super::alert::ErrorAlert;
use super::style::PRIMARY;
use crate::api::ConsoleError;

#[component]
pub fn Failure(error: ConsoleError) -> impl IntoView {
    set_status(error.status);
    match error.status {
        401 => view! { <Redirect path="/ui/sign-in"/> }.into_any(),
        403 => view! { <Forbidden/> }.into_any(),
        503 => view! { <Sealed/> }.into_any(),
        _ => view! { <ErrorAlert message=error.message/> }.into_any(),
    }
}

#[component]
pub fn Forbidden() -> impl IntoView {
    view! {
        <Title text="Access denied"/>
        <section aria-labelledby="forbidden-title" class="mx-auto max-w-lg text-center">
            <p class="text-sm font-semibold text-red-700 dark:text-red-400">"403"</p>
            <h1 id="forbidden-title" class="mt-1 text-2xl font-semibold">"Access denied"</h1>
            <p class="mt-2 text-slate-600 dark:text-slate-400">
                "Your policies do not allow this page. If you need it, ask an administrator to extend them."
            </p>
            <a href="/ui" class=format!("mt-6 {PRIMARY}")>"Back to the console"</a>
        </section>
    }
}

#[component]
pub fn Sealed() -> impl IntoView {
    view! {
        <Title text="Sealed"/>
        <section aria-labelledby="sealed-title" class="mx-auto max-w-lg text-center">
            <h1 id="sealed-title" class="text-2xl font-semibold">"The server is sealed"</h1>
            <p class="mt-2 text-slate-600 dark:text-slate-400">
                "Nothing can be read or changed until a quorum of key holders unseals it."
            </p>
            <a href="/ui/unseal" class=format!("mt-6 {PRIMARY}")>"Go to the unseal page"</a>
        </section>
    }
}

/// The HTTP status of the page being rendered on the server; nothing in the browser.
pub fn set_status(status: u16) {
    #[cfg(feature = "ssr")]
    if let (Some(response), Ok(status)) =
        (use_context::<leptos_axum::ResponseOptions>(), http::StatusCode::from_u16(status))
        && status.as_u16() >= 400
    {
        response.set_status(status);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = status;
}
