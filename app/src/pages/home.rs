//! `/ui`: where the console starts. An uninitialised or sealed server sends the user
//! to the unseal ceremony; otherwise to their secrets, or to sign-in first.

use leptos::prelude::*;
use leptos_router::components::Redirect;

use crate::api::sys::get_seal_status;
use crate::components::failure::Failure;
use crate::identity::use_identity;

#[component]
pub fn HomePage() -> impl IntoView {
    let status = Resource::new(|| (), |_| get_seal_status());
    let identity = use_identity().identity;
    view! {
        <Transition fallback=|| view! { <p role="status" class="text-sm text-slate-500">"Loading…"</p> }>
            {move || match (status.get(), identity.get()) {
                (Some(Err(error)), _) => view! { <Failure error/> }.into_any(),
                (Some(Ok(s)), _) if !s.initialized || s.sealed => view! { <Redirect path="/ui/unseal"/> }.into_any(),
                (Some(Ok(_)), Some(Ok(Some(_)))) => view! { <Redirect path="/ui/secrets"/> }.into_any(),
                (Some(Ok(_)), Some(Ok(None))) => view! { <Redirect path="/ui/sign-in"/> }.into_any(),
                (Some(Ok(_)), Some(Err(error))) => view! { <Failure error/> }.into_any(),
                _ => ().into_any(),
            }}
        </Transition>
    }
}
