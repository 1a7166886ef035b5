//! A row's "Revoke" button that asks once before acting: the first click shows the
//! question with the real button beside a way back.

use leptos::prelude::*;

use super::style::{DANGER, LINK, SMALL};

/// `label` names what the first button revokes (for screen readers: "Revoke alice");
/// `question` is asked before `on_confirm` runs.
#[component]
pub fn ConfirmRevoke(label: String, question: &'static str, on_confirm: Callback<()>) -> impl IntoView {
    let confirming = RwSignal::new(false);
    view! {
        <Show
            when=move || confirming.get()
            fallback=move || view! { <button type="button" class=SMALL aria-label=label.clone() on:click=move |_| confirming.set(true)>"Revoke"</button> }
        >
            <span class="inline-flex flex-wrap items-center justify-end gap-2">
                <span class="text-xs">{question}</span>
                <button type="button" class=DANGER on:click=move |_| on_confirm.run(())>"Revoke"</button>
                <button type="button" class=LINK on:click=move |_| confirming.set(false)>"Cancel"</button>
            </span>
        </Show>
    }
}
