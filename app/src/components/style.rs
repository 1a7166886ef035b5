//! Tailwind class sets shared by the pages, so buttons and fields look the same
//! everywhere. Tailwind finds the classes here when it scans the sources.

pub const CARD: &str =
    "rounded-lg border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900";
/// A card whose content (a table, a list) runs to its edges. Positioned, so that
/// screen-reader-only text in a table that scrolls stays inside it.
pub const PANEL: &str =
    "relative rounded-lg border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900";
pub const INPUT: &str = "mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm \
    focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500 dark:border-slate-700 dark:bg-slate-950";
pub const PRIMARY: &str = "inline-flex items-center justify-center rounded-md bg-indigo-600 px-4 py-2 text-sm font-medium \
    text-white hover:bg-indigo-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 \
    focus-visible:ring-offset-2 disabled:cursor-not-allowed disabled:opacity-50";
pub const SECONDARY: &str = "inline-flex items-center justify-center rounded-md border border-slate-300 px-4 py-2 text-sm \
    font-medium text-slate-700 hover:bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 \
    disabled:cursor-not-allowed disabled:opacity-50 dark:border-slate-700 dark:text-slate-200 dark:hover:bg-slate-800";
pub const LABEL: &str = "block text-sm font-medium text-slate-700 dark:text-slate-300";
pub const TABLE: &str = "min-w-full divide-y divide-slate-200 text-left text-sm dark:divide-slate-800";
pub const TH: &str = "px-3 py-2 text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400";
pub const TD: &str = "px-3 py-2 align-top";
pub const LINK: &str = "text-indigo-700 underline-offset-2 hover:underline focus:outline-none focus-visible:ring-2 \
    focus-visible:ring-indigo-500 dark:text-indigo-300";
pub const DANGER: &str = "inline-flex items-center justify-center rounded-md border border-red-300 px-3 py-1.5 text-sm \
    font-medium text-red-700 hover:bg-red-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-red-500 \
    disabled:cursor-not-allowed disabled:opacity-50 dark:border-red-800 dark:text-red-300 dark:hover:bg-red-950";
pub const SMALL: &str = "inline-flex items-center justify-center rounded border border-slate-300 px-2 py-1 text-xs \
    font-medium text-slate-700 hover:bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 \
    disabled:cursor-not-allowed disabled:opacity-50 dark:border-slate-700 dark:text-slate-200 dark:hover:bg-slate-800";
