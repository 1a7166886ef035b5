//! A side-by-side diff: removed lines marked on the left, added on the right, changed
//! pairs on both.

use leptos::prelude::*;

use super::style::TH;
use crate::api::dto::DiffRow;

#[component]
pub fn DiffTable(rows: Vec<DiffRow>, #[prop(into)] left: String, #[prop(into)] right: String) -> impl IntoView {
    view! {
        <div class="mt-2 overflow-x-auto">
            <table class="w-full table-fixed border-collapse font-mono text-xs" aria-label="Differences">
                <thead><tr>
                    <th scope="col" class=TH>{left}</th>
                    <th scope="col" class=TH>{right}</th>
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|row| {
                        let (left_class, right_class) = match (row.changed, &row.left, &row.right) {
                            (false, _, _) => ("", ""),
                            (true, Some(_), Some(_)) => ("bg-amber-50 dark:bg-amber-950", "bg-amber-50 dark:bg-amber-950"),
                            (true, Some(_), None) => ("bg-red-50 dark:bg-red-950", ""),
                            (true, None, _) => ("", "bg-emerald-50 dark:bg-emerald-950"),
                        };
                        let marker = |side: &Option<String>, sign: &'static str| if row.changed && side.is_some() { sign } else { " " };
                        let (left_mark, right_mark) = (marker(&row.left, "−"), marker(&row.right, "+"));
                        view! {
                            <tr data-changed=row.changed.to_string()>
                                <td class=format!("whitespace-pre-wrap break-all px-2 py-0.5 align-top {left_class}")>{left_mark}" "{row.left.unwrap_or_default()}</td>
                                <td class=format!("whitespace-pre-wrap break-all px-2 py-0.5 align-top {right_class}")>{right_mark}" "{row.right.unwrap_or_default()}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
