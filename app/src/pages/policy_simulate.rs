//! `/ui/policies/simulate`: would a request be allowed? Choose a set of policies, a token
//! (by accessor) or a person (a userpass user, with the policies their sign-in grants),
//! a path and an operation; the server's ACL answers with the rule that decided
//! (`sys/policies/explain`).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::dto::Decision;
use crate::api::policies::Simulate;
use crate::components::alert::ErrorAlert;
use crate::components::style::{CARD, INPUT, LABEL, LINK, PRIMARY};

const OPERATIONS: [&str; 7] = ["read", "list", "create", "update", "patch", "delete", "scan"];

#[component]
pub fn SimulatePage() -> impl IntoView {
    let simulate = ServerAction::<Simulate>::new();
    let subject = RwSignal::new("policies".to_string());
    view! {
        <Title text="Policy simulator"/>
        <p class="text-sm"><a href="/ui/policies" class=LINK>"← Policies"</a></p>
        <h1 class="mt-3 text-2xl font-semibold tracking-tight">"Policy simulator"</h1>
        <p class="mt-1 text-sm text-slate-600 dark:text-slate-400">
            "Would this request be allowed, and which rule decides? Nothing is sent to the path itself."
        </p>
        <ActionForm action=simulate attr:class=format!("mt-6 space-y-4 {CARD}")>
            <fieldset>
                <legend class=LABEL>"Simulate for"</legend>
                <div class="mt-1 flex flex-wrap gap-x-4 gap-y-1 text-sm">
                    <label class="flex items-center gap-1">
                        <input type="radio" name="subject" value="policies" checked on:change=move |_| subject.set("policies".into())/>
                        "A set of policies"
                    </label>
                    <label class="flex items-center gap-1">
                        <input type="radio" name="subject" value="accessor" on:change=move |_| subject.set("accessor".into())/>
                        "A token, by accessor"
                    </label>
                    <label class="flex items-center gap-1">
                        <input type="radio" name="subject" value="user" on:change=move |_| subject.set("user".into())/>
                        "A person (userpass user)"
                    </label>
                </div>
            </fieldset>
            <div>
                <label for="sim-who" class=LABEL>
                    {move || match subject.get().as_str() {
                        "policies" => "Policies (comma-separated)",
                        "user" => "Username (or mount/username)",
                        _ => "Token accessor",
                    }}
                </label>
                <input id="sim-who" name="who" required class=format!("{INPUT} font-mono")/>
            </div>
            <div class="grid gap-4 sm:grid-cols-[1fr_auto]">
                <div>
                    <label for="sim-path" class=LABEL>"Path"</label>
                    <input id="sim-path" name="path" required placeholder="secret/data/team/db" class=format!("{INPUT} font-mono")/>
                </div>
                <div>
                    <label for="sim-operation" class=LABEL>"Operation"</label>
                    <select id="sim-operation" name="operation" class=INPUT>
                        {OPERATIONS.map(|op| view! { <option value=op>{op}</option> }).collect_view()}
                    </select>
                </div>
            </div>
            <button type="submit" class=PRIMARY disabled=move || simulate.pending().get()>"Simulate"</button>
        </ActionForm>
        {move || simulate.value().get().map(|result| match result {
            Err(e) => view! { <div class="mt-4"><ErrorAlert message=e.message/></div> }.into_any(),
            Ok(decision) => view! { <Verdict decision/> }.into_any(),
        })}
    }
}

#[component]
fn Verdict(decision: Decision) -> impl IntoView {
    let (label, class) = if decision.allowed {
        ("Allowed", "border-emerald-300 bg-emerald-50 dark:border-emerald-800 dark:bg-emerald-950")
    } else {
        ("Denied", "border-red-300 bg-red-50 dark:border-red-800 dark:bg-red-950")
    };
    view! {
        <section aria-label="Decision" data-testid="decision" class=format!("mt-4 rounded-lg border p-6 {class}")>
            <h2 class="text-xl font-semibold">{label}</h2>
            <p class="mt-1 text-sm">{decision.reason}</p>
            <dl class="mt-4 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
                <dt class="font-medium">"Path"</dt><dd class="font-mono">{decision.path}</dd>
                <dt class="font-medium">"Policies"</dt><dd class="font-mono">{decision.policies.join(", ")}</dd>
                {match decision.rule {
                    Some(rule) => view! {
                        <dt class="font-medium">"Deciding rule"</dt>
                        <dd class="font-mono" data-testid="deciding-rule">{format!("path \"{}\" ({})", rule.pattern, rule.kind)}</dd>
                        <dt class="font-medium">"Capabilities"</dt><dd class="font-mono">{rule.capabilities.join(", ")}</dd>
                        <dt class="font-medium">"From policies"</dt><dd class="font-mono">{rule.policies.join(", ")}</dd>
                    }.into_any(),
                    None => view! { <dt class="font-medium">"Deciding rule"</dt><dd data-testid="deciding-rule">"No rule matches this path."</dd> }.into_any(),
                }}
            </dl>
        </section>
    }
}
