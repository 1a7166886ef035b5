//! The unseal ceremony: seal status, initialisation (keys shown once, with copy and
//! download), and key shares entered one at a time with progress, reset and clear
//! errors. Everything works with the keyboard alone.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::dto::{InitResult, SealStatus};
use crate::api::sys::{Initialize, ResetUnseal, SubmitUnsealKey, get_seal_status};
use crate::browser::download;
use crate::components::alert::ErrorAlert;
use crate::components::copy::CopyButton;
use crate::components::style::{CARD, INPUT, PRIMARY, SECONDARY};

#[component]
pub fn UnsealPage() -> impl IntoView {
    let init = ServerAction::<Initialize>::new();
    let unseal = ServerAction::<SubmitUnsealKey>::new();
    let reset = ServerAction::<ResetUnseal>::new();
    let status = Resource::new(
        move || (init.version().get(), unseal.version().get(), reset.version().get()),
        |_| get_seal_status(),
    );
    // Keys from a successful initialisation, shown until the operator confirms they are stored.
    let issued = RwSignal::new(None::<InitResult>);
    Effect::new(move |_| {
        if let Some(Ok(keys)) = init.value().get() {
            issued.set(Some(keys));
        }
    });
    // A reset clears the last share's error along with the progress.
    Effect::new(move |_| {
        if reset.version().get() > 0 {
            unseal.value().set(None);
        }
    });

    view! {
        <Title text="Seal"/>
        <div class="space-y-6">
            <div>
                <h1 class="text-2xl font-semibold tracking-tight">"Seal"</h1>
                <p class="mt-1 text-sm text-slate-600 dark:text-slate-400">
                    "While sealed, the server holds no keys and answers every request with 503. "
                    "Unsealing needs a quorum of key shares."
                </p>
            </div>
            {move || match issued.get() {
                Some(keys) => view! { <KeysPanel keys on_done=move || issued.set(None)/> }.into_any(),
                None => view! {
                    <Transition fallback=|| view! { <p class="text-sm text-slate-500" role="status">"Loading seal status…"</p> }>
                        {move || status.get().map(|result| match result {
                            Err(err) => view! { <ErrorAlert message=err.message/> }.into_any(),
                            Ok(s) if !s.initialized => view! { <InitForm action=init/> }.into_any(),
                            Ok(s) if s.sealed => view! { <UnsealForm status=s action=unseal reset=reset/> }.into_any(),
                            Ok(s) => view! { <UnsealedCard status=s/> }.into_any(),
                        })}
                    </Transition>
                }.into_any(),
            }}
        </div>
    }
}

/// True once the page is interactive. Server-rendered buttons stay disabled until then:
/// a form posted without the app would lose the answer (for init, the keys).
fn hydrated() -> ReadSignal<bool> {
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));
    hydrated
}

#[component]
fn InitForm(action: ServerAction<Initialize>) -> impl IntoView {
    let ready = hydrated();
    let error = move || action.value().get().and_then(|r| r.err()).map(|e| e.message);
    view! {
        <section aria-labelledby="init-title" class=CARD>
            <h2 id="init-title" class="text-lg font-semibold">"Initialise"</h2>
            <p class="mt-1 text-sm text-slate-600 dark:text-slate-400">
                "This server has no keys yet. The unseal key is split into shares; any threshold of them "
                "unseals the server. Give each share to a different person."
            </p>
            <ActionForm action=action>
                <div class="mt-4 grid gap-4 sm:grid-cols-2">
                    <div>
                        <label for="secret_shares" class="block text-sm font-medium">"Key shares"</label>
                        <input id="secret_shares" name="secret_shares" type="number" min="1" max="255" value="5"
                            required class=INPUT aria-describedby="shares-help"/>
                        <p id="shares-help" class="mt-1 text-xs text-slate-500">"How many shares to create (1–255)."</p>
                    </div>
                    <div>
                        <label for="secret_threshold" class="block text-sm font-medium">"Key threshold"</label>
                        <input id="secret_threshold" name="secret_threshold" type="number" min="1" max="255" value="3"
                            required class=INPUT aria-describedby="threshold-help"/>
                        <p id="threshold-help" class="mt-1 text-xs text-slate-500">"How many shares are needed to unseal."</p>
                    </div>
                </div>
                <div class="mt-4 space-y-4">
                    {move || error().map(|message| view! { <ErrorAlert message/> })}
                    <button type="submit" class=PRIMARY disabled=move || !ready.get() || action.pending().get()>
                        {move || if action.pending().get() { "Initialising…" } else { "Initialise" }}
                    </button>
                </div>
            </ActionForm>
        </section>
    }
}

#[component]
fn KeysPanel(keys: InitResult, #[prop(into)] on_done: Callback<()>) -> impl IntoView {
    let heading = NodeRef::<leptos::html::H2>::new();
    Effect::new(move |_| {
        if let Some(h) = heading.get() {
            let _ = h.focus();
        }
    });
    let document = serde_json::json!({
        "keys": keys.keys_hex,
        "keys_base64": keys.keys_base64,
        "root_token": keys.root_token,
    });
    let file = serde_json::to_string_pretty(&document).unwrap_or_default();
    let token = keys.root_token.clone();
    view! {
        <section aria-labelledby="keys-title" class="rounded-lg border-2 border-amber-400 bg-amber-50 p-6 dark:border-amber-600 dark:bg-amber-950">
            <h2 id="keys-title" node_ref=heading tabindex="-1" class="text-lg font-semibold focus:outline-none">
                "Store these keys now"
            </h2>
            <p class="mt-1 text-sm">
                "They are shown this once and cannot be recovered. Give each key share to a different person. "
                "The root token can do anything: use it to set up access, then revoke it."
            </p>
            <ol class="mt-4 space-y-2" aria-label="Unseal key shares">
                {keys.keys_base64.iter().enumerate().map(|(i, key)| {
                    let n = i + 1;
                    view! {
                        <li class="flex items-center gap-3 rounded-md bg-white p-2 dark:bg-slate-900">
                            <span class="w-24 shrink-0 text-xs font-medium text-slate-500">{format!("Key share {n}")}</span>
                            <code class="min-w-0 flex-1 break-all font-mono text-sm" data-testid="key-share">{key.clone()}</code>
                            <CopyButton value=key.clone() label=format!("Copy key share {n}")/>
                        </li>
                    }
                }).collect_view()}
            </ol>
            <div class="mt-4 flex items-center gap-3 rounded-md bg-white p-2 dark:bg-slate-900">
                <span class="w-24 shrink-0 text-xs font-medium text-slate-500">"Root token"</span>
                <code class="min-w-0 flex-1 break-all font-mono text-sm" data-testid="root-token">{token.clone()}</code>
                <CopyButton value=token label="Copy root token"/>
            </div>
            <div class="mt-6 flex flex-wrap gap-3">
                <button type="button" class=SECONDARY on:click=move |_| download("arcanum-keys.json", "application/json", &file)>
                    "Download as JSON"
                </button>
                <button type="button" class=PRIMARY on:click=move |_| on_done.run(())>
                    "I have stored the keys — continue to unseal"
                </button>
            </div>
        </section>
    }
}

#[component]
fn UnsealForm(
    status: SealStatus,
    action: ServerAction<SubmitUnsealKey>,
    reset: ServerAction<ResetUnseal>,
) -> impl IntoView {
    let ready = hydrated();
    let key_input = NodeRef::<leptos::html::Input>::new();
    // A submitted share never lingers in the field, accepted or not.
    Effect::new(move |_| {
        action.version().get();
        if let Some(input) = key_input.get() {
            input.set_value("");
        }
    });
    let error = move || action.value().get().and_then(|r| r.err()).map(|e| e.message);
    let (progress, threshold, shares) = (status.progress, status.threshold, status.shares);
    view! {
        <section aria-labelledby="unseal-title" class=CARD>
            <div class="flex items-center justify-between gap-4">
                <h2 id="unseal-title" class="text-lg font-semibold">"Unseal"</h2>
                <span class="rounded-full bg-amber-100 px-2.5 py-0.5 text-xs font-medium text-amber-800 dark:bg-amber-900 dark:text-amber-200">
                    "Sealed"
                </span>
            </div>
            <p class="mt-1 text-sm text-slate-600 dark:text-slate-400">
                {format!("Enter {threshold} of the {shares} key shares, one at a time. Each holder can enter theirs separately.")}
            </p>
            <div class="mt-4">
                <div class="flex justify-between text-sm">
                    <span id="progress-label" class="font-medium">"Progress"</span>
                    <span data-testid="unseal-progress">{format!("{progress} of {threshold} key shares provided")}</span>
                </div>
                <progress class="mt-1 h-2 w-full overflow-hidden rounded-full [&::-moz-progress-bar]:bg-indigo-600 [&::-webkit-progress-bar]:bg-slate-200 [&::-webkit-progress-value]:bg-indigo-600 dark:[&::-webkit-progress-bar]:bg-slate-700" max=threshold value=progress aria-labelledby="progress-label">
                    {format!("{progress} of {threshold}")}
                </progress>
            </div>
            <ActionForm action=action>
                <div class="mt-4">
                    <label for="key" class="block text-sm font-medium">"Key share"</label>
                    <input id="key" name="key" type="password" autocomplete="off" spellcheck="false" required
                        autofocus node_ref=key_input class=INPUT aria-describedby="key-help"/>
                    <p id="key-help" class="mt-1 text-xs text-slate-500">"Base64 or hex, as printed at initialisation."</p>
                </div>
                <div class="mt-4 space-y-4">
                    {move || error().map(|message| view! { <ErrorAlert message/> })}
                    <button type="submit" class=PRIMARY disabled=move || !ready.get() || action.pending().get()>
                        {move || if action.pending().get() { "Checking…" } else { "Submit key share" }}
                    </button>
                </div>
            </ActionForm>
            <ActionForm action=reset>
                <button type="submit" class=format!("mt-3 {SECONDARY}") disabled=move || !ready.get() || progress == 0>
                    "Start over"
                </button>
            </ActionForm>
        </section>
    }
}

#[component]
fn UnsealedCard(status: SealStatus) -> impl IntoView {
    view! {
        <section aria-labelledby="unsealed-title" class=CARD>
            <div class="flex items-center justify-between gap-4">
                <h2 id="unsealed-title" class="text-lg font-semibold">"Unsealed"</h2>
                <span class="rounded-full bg-emerald-100 px-2.5 py-0.5 text-xs font-medium text-emerald-800 dark:bg-emerald-900 dark:text-emerald-200">
                    "Serving requests"
                </span>
            </div>
            <dl class="mt-4 grid grid-cols-1 gap-x-6 gap-y-3 text-sm sm:grid-cols-2">
                <div><dt class="text-slate-500">"Cluster"</dt><dd class="font-medium">{status.cluster_name.unwrap_or_default()}</dd></div>
                <div><dt class="text-slate-500">"Key shares"</dt><dd class="font-medium">{format!("{} of {} needed", status.threshold, status.shares)}</dd></div>
                <div><dt class="text-slate-500">"Storage"</dt><dd class="font-medium">{status.storage_type}</dd></div>
                <div><dt class="text-slate-500">"Version"</dt><dd class="font-medium">{status.version}</dd></div>
            </dl>
        </section>
    }
}
