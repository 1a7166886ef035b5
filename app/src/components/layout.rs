//! The frame around every page: a header with the product name, the navigation the
//! user's policies allow, the seal status and the signed-in identity with sign-out;
//! then the page. A skip link lets keyboard users jump to the content.

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate};

use crate::api::auth::SignOut;
use crate::api::dto::{Identity, SealStatus};
use crate::api::sys::get_seal_status;
use crate::identity::use_identity;

const NAV_LINK: &str = "rounded px-2 py-1 text-sm text-slate-600 hover:bg-slate-100 hover:text-slate-900 \
    focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:text-slate-300 \
    dark:hover:bg-slate-800 aria-[current=page]:bg-indigo-50 aria-[current=page]:font-medium \
    aria-[current=page]:text-indigo-800 dark:aria-[current=page]:bg-indigo-950 dark:aria-[current=page]:text-indigo-200";

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let identity = use_identity().identity;
    // Created here, outside the header's Transition: a resource made while a suspended
    // view renders does not hydrate the same way on every rendering mode.
    let seal = Resource::new(|| (), |_| get_seal_status());
    view! {
        <a href="#main" class="sr-only focus:not-sr-only focus:absolute focus:left-4 focus:top-4 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:text-slate-900 focus:shadow">
            "Skip to content"
        </a>
        <header class="border-b border-slate-200 bg-white print:hidden dark:border-slate-800 dark:bg-slate-900">
            <div class="mx-auto flex max-w-6xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3">
                <a href="/ui" class="flex items-center gap-2 text-lg font-semibold tracking-tight">
                    <span aria-hidden="true" class="inline-block h-6 w-6 rounded-md bg-indigo-600"></span>
                    "Arcanum"
                </a>
                // One Transition for both: nested ones hydrate unreliably when their data
                // arrives in a different order than it was rendered on the server.
                <Transition fallback=|| ()>
                    {move || {
                        let seal = seal.get().and_then(Result::ok);
                        identity.get().map(|result| match result {
                            Ok(Some(user)) => view! { <MainNav user=user.clone()/> <UserMenu user seal/> }.into_any(),
                            _ => view! { <SealBadge seal/> }.into_any(),
                        })
                    }}
                </Transition>
            </div>
        </header>
        <main id="main" class="mx-auto max-w-6xl px-4 py-8">
            {children()}
        </main>
    }
}

/// Links to the sections the user's policies open, and nothing else.
#[component]
fn MainNav(user: Identity) -> impl IntoView {
    let location = use_location();
    let link = move |href: &'static str, label: &'static str| {
        let current = move || {
            let path = location.pathname.get();
            (path == href || path.starts_with(&format!("{href}/"))).then_some("page")
        };
        view! { <a href=href class=NAV_LINK aria-current=current>{label}</a> }
    };
    view! {
        <nav aria-label="Main" class="flex flex-1 flex-wrap items-center gap-1">
            {link("/ui/secrets", "Secrets")}
            {user.nav.mounts.then(|| link("/ui/mounts", "Mounts"))}
            {user.nav.policies.then(|| link("/ui/policies", "Policies"))}
            {user.nav.audit.then(|| link("/ui/audit", "Audit"))}
            {user.nav.tokens.then(|| link("/ui/tokens", "Tokens"))}
            {user.nav.leases.then(|| link("/ui/leases", "Leases"))}
            {link("/ui/unseal", "Seal")}
        </nav>
    }
}

/// The seal state at a glance.
#[component]
fn SealBadge(seal: Option<SealStatus>) -> impl IntoView {
    seal.map(|s| {
        let (label, class) = if !s.initialized {
            ("Not initialised", "bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-200")
        } else if s.sealed {
            ("Sealed", "bg-red-100 text-red-900 dark:bg-red-950 dark:text-red-200")
        } else {
            ("Unsealed", "bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200")
        };
        view! {
            <a href="/ui/unseal" data-testid="seal-status"
                class=format!("ml-auto rounded-full px-2 py-0.5 text-xs font-medium {class}")>
                {label}
            </a>
        }
    })
}

/// Who is signed in, and sign-out. Sign-out ends the server-side session.
#[component]
fn UserMenu(user: Identity, seal: Option<SealStatus>) -> impl IntoView {
    let sign_out = ServerAction::<SignOut>::new();
    let context = use_identity();
    Effect::new(move |_| {
        if let Some(Ok(())) = sign_out.value().get() {
            context.refresh();
            use_navigate()("/ui/sign-in", Default::default());
        }
    });
    let policies = user.policies.join(", ");
    view! {
        <div class="ml-auto flex items-center gap-3 text-sm">
            <SealBadge seal/>
            <span data-testid="identity" title=format!("Policies: {policies}")>
                <span class="sr-only">"Signed in as "</span>
                <span class="font-medium">{user.display_name}</span>
            </span>
            <ActionForm action=sign_out>
                <button type="submit" class="rounded border border-slate-300 px-2 py-1 hover:bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:border-slate-700 dark:hover:bg-slate-800">
                    "Sign out"
                </button>
            </ActionForm>
        </div>
    }
}
