//! `/ui/audit/advisor`: the least-privilege advisor. For a policy, the rules no request
//! used in the window (candidates to remove), the capabilities nobody used (candidates
//! to trim) and the requests denied to its tokens (candidates to review), from the
//! audit record. Needs what the audit trail needs.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;

use super::kv::query;
use super::utc;
use crate::api::advisor::{WINDOWS, policy_advice};
use crate::api::dto::{AdvisorReport, RuleAdvice};
use crate::api::policies::list_policies;
use crate::components::alert::ErrorAlert;
use crate::components::failure::Failure;
use crate::components::style::{CARD, INPUT, LABEL, LINK, PANEL, PRIMARY, TABLE, TD, TH};

#[component]
pub fn AdvisorPage() -> impl IntoView {
    let (policy, days) = (query("policy"), query("days"));
    let days = move || days.get().parse::<u32>().ok().filter(|d| WINDOWS.contains(d)).unwrap_or(30);
    let advice = Resource::new(
        move || (policy.get(), days()),
        |(policy, days)| async move {
            if policy.is_empty() { Ok(None) } else { policy_advice(policy, days).await.map(Some) }
        },
    );
    // Names to pick from, for users who may list policies; others type the name.
    let names = Resource::new(|| (), |_| async { list_policies().await.unwrap_or_default() });
    view! {
        <Title text="Least-privilege advisor"/>
        <p class="text-sm"><a href="/ui/audit" class=LINK>"← Audit trail"</a></p>
        <h1 class="mt-3 text-2xl font-semibold tracking-tight">"Least-privilege advisor"</h1>
        <p class="mt-1 max-w-3xl text-sm text-slate-600 dark:text-slate-400">
            "Weighs a policy's rules against the requests its tokens made: rules nobody used are candidates to remove, "
            "denied requests are candidates to review."
        </p>
        <Form method="GET" action="/ui/audit/advisor" attr:class=format!("mt-6 grid gap-4 sm:grid-cols-3 {CARD}")>
            <div class="sm:col-span-2">
                <label for="a-policy" class=LABEL>"Policy"</label>
                <input id="a-policy" name="policy" list="a-policies" required autocomplete="off" class=format!("{INPUT} font-mono") value=move || policy.get()/>
                <Transition fallback=|| ()>
                    <datalist id="a-policies">
                        {move || names.get().unwrap_or_default().into_iter().filter(|n| n != "root").map(|n| view! { <option value=n.clone()/> }).collect_view()}
                    </datalist>
                </Transition>
            </div>
            <div>
                <label for="a-days" class=LABEL>"Look back"</label>
                <select id="a-days" name="days" class=INPUT>
                    {WINDOWS.map(|d| view! { <option value=d.to_string() selected=move || days() == d>{format!("{d} days")}</option> }).collect_view()}
                </select>
            </div>
            <div><button type="submit" class=PRIMARY>"Weigh the policy"</button></div>
        </Form>
        <Transition fallback=|| view! { <p role="status" class="mt-6 text-sm text-slate-500">"Weighing…"</p> }>
            {move || advice.get().map(|result| match result {
                Err(error) if error.is_forbidden() || error.is_signed_out() => view! { <Failure error/> }.into_any(),
                Err(error) => view! { <div class="mt-6"><ErrorAlert message=error.message/></div> }.into_any(),
                Ok(None) => ().into_any(),
                Ok(Some(advice)) => view! { <Advice advice/> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn Advice(advice: AdvisorReport) -> impl IntoView {
    let unused_rules = advice.rules.iter().filter(|r| unused(r)).count();
    let summary = match unused_rules {
        0 => format!("Every rule of {} was used in the last {} days.", advice.policy, advice.days),
        1 => format!("1 rule of {} was not used in the last {} days.", advice.policy, advice.days),
        n => format!("{n} rules of {} were not used in the last {} days.", advice.policy, advice.days),
    };
    view! {
        <section aria-labelledby="rules-title" class="mt-6">
            <h2 id="rules-title" class="text-lg font-semibold">"Rules"</h2>
            <p role="status" class="mt-1 text-sm">{summary}</p>
            {advice.truncated.then(|| view! {
                <p class="mt-1 text-sm text-amber-700 dark:text-amber-400">"The record held more distinct requests than the advisor weighs; the least frequent were left out."</p>
            })}
            <div class=format!("mt-3 overflow-x-auto {PANEL}")>
                <table class=TABLE aria-label="Rules and their use">
                    <thead><tr>
                        <th scope="col" class=TH>"Path"</th>
                        <th scope="col" class=TH>"Grants"</th>
                        <th scope="col" class=TH>"Requests"</th>
                        <th scope="col" class=TH>"Last used (UTC)"</th>
                        <th scope="col" class=TH>"Advice"</th>
                    </tr></thead>
                    <tbody class="divide-y divide-slate-100 dark:divide-slate-800">
                        {advice.rules.into_iter().map(|rule| {
                            let verdict = verdict(&rule);
                            let flagged = unused(&rule);
                            view! {
                                <tr data-unused=flagged.to_string()>
                                    <td class=format!("{TD} break-all font-mono text-xs")>{rule.pattern.clone()}</td>
                                    <td class=format!("{TD} text-xs")>{rule.capabilities.join(", ")}</td>
                                    <td class=TD>{rule.requests}</td>
                                    <td class=format!("{TD} whitespace-nowrap font-mono text-xs")>{rule.last_used.as_deref().map(utc).unwrap_or_default()}</td>
                                    <td class=format!("{TD} text-sm")>
                                        <span class=if flagged { "font-medium text-amber-700 dark:text-amber-400" } else { "" }>{verdict}</span>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            {(advice.served_elsewhere > 0).then(|| view! {
                <p class="mt-2 text-sm text-slate-600 dark:text-slate-400">
                    {match advice.served_elsewhere {
                        1 => "1 allowed request by these tokens was granted by their other policies.".to_string(),
                        n => format!("{n} allowed requests by these tokens were granted by their other policies."),
                    }}
                </p>
            })}
        </section>
        <section aria-labelledby="denied-title" class="mt-6">
            <h2 id="denied-title" class="text-lg font-semibold">"Denied requests"</h2>
            {if advice.denied.is_empty() {
                view! { <p class="mt-1 text-sm">"No request by these tokens was denied."</p> }.into_any()
            } else {
                view! {
                    <p class="mt-1 text-sm text-slate-600 dark:text-slate-400">"A missing grant, or a client asking for what it should not: review each."</p>
                    <div class=format!("mt-3 overflow-x-auto {PANEL}")>
                        <table class=TABLE aria-label="Denied requests">
                            <thead><tr>
                                <th scope="col" class=TH>"Path"</th>
                                <th scope="col" class=TH>"Operation"</th>
                                <th scope="col" class=TH>"Requests"</th>
                                <th scope="col" class=TH>"Last (UTC)"</th>
                            </tr></thead>
                            <tbody class="divide-y divide-slate-100 dark:divide-slate-800">
                                {advice.denied.into_iter().map(|d| view! {
                                    <tr>
                                        <td class=format!("{TD} break-all font-mono text-xs")>{d.path}</td>
                                        <td class=TD>{d.operation}</td>
                                        <td class=TD>{d.count}</td>
                                        <td class=format!("{TD} whitespace-nowrap font-mono text-xs")>{utc(&d.last)}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}

fn unused(rule: &RuleAdvice) -> bool {
    rule.not_weighed.is_none() && rule.requests == 0
}

/// What to do about a rule, in words.
fn verdict(rule: &RuleAdvice) -> String {
    match &rule.not_weighed {
        Some(why) => format!("Not weighed: {why}."),
        None if rule.requests == 0 => "Unused: a candidate to remove.".to_string(),
        None if rule.unused_capabilities.is_empty() => "Used.".to_string(),
        None => format!("Used; never: {} (candidates to trim).", rule.unused_capabilities.join(", ")),
    }
}
