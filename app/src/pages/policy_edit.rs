//! `/ui/policies/edit?name=`: view, create and edit an ACL policy in an editor with
//! line numbers. The server's own parser checks the text and points at the line of a
//! problem; the changes can be reviewed side by side against the saved text before
//! they are saved.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;

use crate::api::dto::PolicyProblem;
use crate::api::policies::{CheckPolicy, DiffPolicy, SavePolicy, read_policy};
use crate::components::alert::ErrorAlert;
use crate::components::diff::DiffTable;
use crate::components::failure::Failure;
use crate::components::style::{CARD, INPUT, LABEL, LINK, PRIMARY, SECONDARY};
use crate::pages::encode;
use crate::pages::kv::query;

pub fn edit_href(name: &str) -> String {
    format!("/ui/policies/edit?name={}", encode(name))
}

#[component]
pub fn PolicyEditPage() -> impl IntoView {
    let name = query("name");
    let saved = Resource::new(
        move || name.get(),
        |name| async move { if name.is_empty() { Ok(String::new()) } else { read_policy(name).await } },
    );
    view! {
        <Title text="Policy"/>
        <p class="text-sm"><a href="/ui/policies" class=LINK>"← Policies"</a></p>
        <Transition fallback=|| view! { <p role="status" class="text-sm text-slate-500">"Loading…"</p> }>
            {move || saved.get().map(|result| match result {
                Err(error) => view! { <Failure error/> }.into_any(),
                Ok(text) => view! { <PolicyEditor name=name.get_untracked() saved=text/> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn PolicyEditor(name: String, saved: String) -> impl IntoView {
    let is_new = name.is_empty();
    let name = RwSignal::new(name);
    let text = RwSignal::new(saved);
    let check = ServerAction::<CheckPolicy>::new();
    let diff = ServerAction::<DiffPolicy>::new();
    let save = ServerAction::<SavePolicy>::new();
    // The problem to point at: from the last check or the last save attempt.
    let problem = RwSignal::new(None::<PolicyProblem>);
    let checked_clean = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(Ok(found)) = check.value().get() {
            checked_clean.set(found.is_none());
            problem.set(found);
        }
    });
    let navigate = use_navigate();
    Effect::new(move |_| match save.value().get() {
        Some(Ok(Some(found))) => problem.set(Some(found)),
        Some(Ok(None)) => {
            problem.set(None);
            if is_new {
                navigate(&edit_href(&name.get_untracked()), Default::default());
            }
        }
        _ => {}
    });
    // Editing clears the verdicts about the old text.
    let edited = move |ev| {
        text.set(event_target_value(&ev));
        checked_clean.set(false);
        save.value().set(None);
    };
    let saved_ok = move || matches!(save.value().get(), Some(Ok(None)));
    let request_error = move || {
        check
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| diff.value().get().and_then(Result::err))
            .or_else(|| save.value().get().and_then(Result::err))
    };

    view! {
        <h1 class="mt-3 text-2xl font-semibold tracking-tight">
            {move || if is_new { "New policy".to_string() } else { format!("Policy {}", name.get()) }}
        </h1>
        <div class=format!("mt-6 space-y-4 {CARD}")>
            {is_new.then(|| view! {
                <div>
                    <label for="policy-name" class=LABEL>"Name"</label>
                    <input id="policy-name" class=format!("{INPUT} font-mono") required
                        prop:value=name on:input=move |ev| name.set(event_target_value(&ev))/>
                </div>
            })}
            <LineNumberedEditor text problem on_input=edited/>
            {move || problem.get().map(|p| view! {
                <div role="alert" data-testid="policy-problem" class="rounded-md border border-red-300 bg-red-50 px-4 py-3 text-sm text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200">
                    {format!("Line {}, column {}: {}", p.line, p.column, p.message)}
                </div>
            })}
            {move || checked_clean.get().then(|| view! { <p role="status" class="text-sm text-emerald-700 dark:text-emerald-300">"The policy parses."</p> })}
            {move || saved_ok().then(|| view! { <p role="status" class="text-sm text-emerald-700 dark:text-emerald-300">"Saved."</p> })}
            {move || request_error().map(|e| view! { <ErrorAlert message=e.message/> })}
            <div class="flex flex-wrap gap-3">
                <button type="button" class=SECONDARY on:click=move |_| { check.dispatch(CheckPolicy { text: text.get_untracked() }); }>"Check"</button>
                <button type="button" class=SECONDARY on:click=move |_| { diff.dispatch(DiffPolicy { name: name.get_untracked(), text: text.get_untracked() }); }>"Review changes"</button>
                <button type="button" class=PRIMARY disabled=move || save.pending().get()
                    on:click=move |_| { save.dispatch(SavePolicy { name: name.get_untracked(), text: text.get_untracked() }); }>
                    "Save"
                </button>
            </div>
            {move || diff.value().get().and_then(Result::ok).map(|rows| view! {
                <section aria-label="Changes against the saved policy">
                    <h2 class="text-sm font-semibold">"Saved → edited"</h2>
                    <DiffTable rows left="Saved" right="Edited"/>
                </section>
            })}
        </div>
    }
}

/// A textarea with line numbers beside it; the line of `problem` is marked.
#[component]
fn LineNumberedEditor(
    text: RwSignal<String>,
    problem: RwSignal<Option<PolicyProblem>>,
    on_input: impl Fn(leptos::ev::Event) + 'static,
) -> impl IntoView {
    let gutter = NodeRef::<leptos::html::Div>::new();
    let area = NodeRef::<leptos::html::Textarea>::new();
    let lines = move || text.with(|t| t.split('\n').count().max(1));
    let bad_line = move || problem.get().map(|p| p.line as usize);
    view! {
        <div>
            <label for="policy-text" class=LABEL>"Policy (HCL or JSON)"</label>
            <div class="mt-1 flex overflow-hidden rounded-md border border-slate-300 font-mono text-sm leading-6 dark:border-slate-700">
                <div node_ref=gutter aria-hidden="true" class="h-96 select-none overflow-hidden bg-slate-100 px-2 py-2 text-right text-slate-500 dark:bg-slate-800">
                    {move || (1..=lines()).map(|n| {
                        let bad = bad_line() == Some(n);
                        view! {
                            <div data-line=n.to_string() data-problem=bad.to_string()
                                class=if bad { "bg-red-200 font-bold text-red-900 dark:bg-red-900 dark:text-red-100" } else { "" }>
                                {n}
                            </div>
                        }
                    }).collect_view()}
                </div>
                <textarea id="policy-text" node_ref=area spellcheck="false" wrap="off"
                    class="h-96 flex-1 resize-none bg-white px-3 py-2 focus:outline-none dark:bg-slate-950"
                    prop:value=text on:input=on_input
                    on:scroll=move |_| {
                        if let (Some(gutter), Some(area)) = (gutter.get(), area.get()) {
                            gutter.set_scroll_top(area.scroll_top());
                        }
                    }></textarea>
            </div>
        </div>
    }
}
