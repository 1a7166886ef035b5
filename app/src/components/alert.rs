//! Error messages, announced to screen readers as they appear.

use leptos::prelude::*;

#[component]
pub fn ErrorAlert(#[prop(into)] message: String) -> impl IntoView {
    view! {
        <div role="alert" class="rounded-md border border-red-300 bg-red-50 px-4 py-3 text-sm text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200">
            {message}
        </div>
    }
}
