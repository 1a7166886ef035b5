//! The frame around every page: header with the product name, main content, and a skip
//! link for keyboard users.

use leptos::prelude::*;

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    view! {
        <a href="#main" class="sr-only focus:not-sr-only focus:absolute focus:left-4 focus:top-4 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:text-slate-900 focus:shadow">
            "Skip to content"
        </a>
        <header class="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
            <div class="mx-auto flex max-w-5xl items-center justify-between gap-4 px-4 py-3">
                <a href="/ui" class="flex items-center gap-2 text-lg font-semibold tracking-tight">
                    <span aria-hidden="true" class="inline-block h-6 w-6 rounded-md bg-indigo-600"></span>
                    "Arcanum"
                </a>
                <nav aria-label="Main">
                    <a href="/ui/unseal" class="rounded px-2 py-1 text-sm text-slate-600 hover:bg-slate-100 hover:text-slate-900 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:text-slate-300 dark:hover:bg-slate-800">
                        "Seal"
                    </a>
                </nav>
            </div>
        </header>
        <main id="main" class="mx-auto max-w-5xl px-4 py-8">
            {children()}
        </main>
    }
}
