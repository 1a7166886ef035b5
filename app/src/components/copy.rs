//! A button that copies a value and says so.

use leptos::prelude::*;

use crate::browser::copy_to_clipboard;

#[component]
pub fn CopyButton(
    /// What to copy.
    #[prop(into)]
    value: String,
    /// Accessible name, e.g. "Copy key share 1".
    #[prop(into)]
    label: String,
) -> impl IntoView {
    let copied = RwSignal::new(false);
    view! {
        <button
            type="button"
            aria-label=label
            class="shrink-0 rounded border border-slate-300 px-2 py-1 text-xs font-medium text-slate-700 hover:bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:border-slate-700 dark:text-slate-200 dark:hover:bg-slate-800"
            on:click=move |_| {
                copy_to_clipboard(&value);
                copied.set(true);
            }
        >
            {move || if copied.get() { "Copied" } else { "Copy" }}
        </button>
    }
}
