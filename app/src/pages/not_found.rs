use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFound() -> impl IntoView {
    crate::components::failure::set_status(404);
    view! {
        <Title text="Not found"/>
        <section aria-labelledby="nf-title" class="mx-auto max-w-lg text-center">
            <h1 id="nf-title" class="text-2xl font-semibold">"Page not found"</h1>
            <p class="mt-2 text-slate-600 dark:text-slate-400">"There is nothing at this address."</p>
            <a href="/ui" class="mt-6 inline-block rounded-md bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-2">
                "Back to the console"
            </a>
        </section>
    }
}
