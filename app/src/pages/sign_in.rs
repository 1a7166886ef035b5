//! Sign-in with a token or a username and password (userpass). The token is checked and
//! kept on the server; the browser gets a session cookie it cannot read. Single sign-on
//! will add a third way in beside these (the SSO issue).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;

use crate::api::auth::{SignInWithToken, SignInWithUserpass};
use crate::components::alert::ErrorAlert;
use crate::components::style::{CARD, INPUT, LABEL, PRIMARY};
use crate::identity::use_identity;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Method {
    Userpass,
    Token,
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let method = RwSignal::new(Method::Userpass);
    let by_token = ServerAction::<SignInWithToken>::new();
    let by_password = ServerAction::<SignInWithUserpass>::new();
    let context = use_identity();
    let navigate = use_navigate();
    Effect::new(move |_| {
        let signed_in =
            matches!(by_token.value().get(), Some(Ok(_))) || matches!(by_password.value().get(), Some(Ok(_)));
        if signed_in {
            context.refresh();
            navigate("/ui/secrets", Default::default());
        }
    });
    let tab = move |which: Method, label: &'static str, id: &'static str| {
        view! {
            <button type="button" role="tab" id=id
                aria-selected=move || (method.get() == which).to_string()
                on:click=move |_| method.set(which)
                class="flex-1 border-b-2 px-3 py-2 text-sm font-medium focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 aria-selected:border-indigo-600 aria-selected:text-indigo-700 border-transparent text-slate-600 dark:text-slate-300 dark:aria-selected:text-indigo-300">
                {label}
            </button>
        }
    };

    view! {
        <Title text="Sign in"/>
        <div class="mx-auto max-w-md">
            <h1 class="text-2xl font-semibold tracking-tight">"Sign in"</h1>
            <p class="mt-1 text-sm text-slate-600 dark:text-slate-400">"to the Arcanum console"</p>
            <div class=format!("mt-6 {CARD}")>
                <div role="tablist" aria-label="Sign-in method" class="-mt-2 mb-4 flex">
                    {tab(Method::Userpass, "Username", "tab-userpass")}
                    {tab(Method::Token, "Token", "tab-token")}
                </div>
                <Show when=move || method.get() == Method::Userpass>
                    <ActionForm action=by_password attr:class="space-y-4">
                        <div>
                            <label for="username" class=LABEL>"Username"</label>
                            <input id="username" name="username" autocomplete="username" required class=INPUT/>
                        </div>
                        <div>
                            <label for="password" class=LABEL>"Password"</label>
                            <input id="password" name="password" type="password" autocomplete="current-password" required class=INPUT/>
                        </div>
                        <details class="text-sm">
                            <summary class="cursor-pointer text-slate-600 dark:text-slate-400">"More options"</summary>
                            <label for="mount" class=format!("mt-2 {LABEL}")>"Mount path"</label>
                            <input id="mount" name="mount" value="userpass" class=INPUT/>
                        </details>
                        {move || by_password.value().get().and_then(Result::err).map(|e| view! { <ErrorAlert message=e.message/> })}
                        <button type="submit" class=format!("w-full {PRIMARY}") disabled=move || by_password.pending().get()>
                            "Sign in"
                        </button>
                    </ActionForm>
                </Show>
                <Show when=move || method.get() == Method::Token>
                    <ActionForm action=by_token attr:class="space-y-4">
                        <div>
                            <label for="token" class=LABEL>"Token"</label>
                            <input id="token" name="token" type="password" autocomplete="off" required class=INPUT/>
                        </div>
                        {move || by_token.value().get().and_then(Result::err).map(|e| view! { <ErrorAlert message=e.message/> })}
                        <button type="submit" class=format!("w-full {PRIMARY}") disabled=move || by_token.pending().get()>
                            "Sign in"
                        </button>
                    </ActionForm>
                </Show>
            </div>
        </div>
    }
}
