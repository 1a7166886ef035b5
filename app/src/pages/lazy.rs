//! Pages whose code the browser loads only when they are first visited (Leptos's lazy
//! routes; `cargo leptos build --split` puts each in its own wasm chunk). Sign-in, the
//! shell and the unseal ceremony stay in the main bundle, so the first page a visitor
//! sees costs as little as possible.

use leptos::prelude::*;
use leptos_router::{LazyRoute, lazy_route};

macro_rules! lazy_page {
    ($route:ident, $page:path) => {
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_this: Self) -> AnyView {
                view! { <$page/> }.into_any()
            }
        }
    };
}

lazy_page!(BrowseRoute, super::kv::browse::BrowsePage);
lazy_page!(ShowRoute, super::kv::show::ShowPage);
lazy_page!(EditRoute, super::kv::edit::EditPage);
lazy_page!(MountsRoute, super::mounts::MountsPage);
lazy_page!(MountSettingsRoute, super::mount_settings::MountSettingsPage);
lazy_page!(PolicyEditRoute, super::policy_edit::PolicyEditPage);
lazy_page!(SimulateRoute, super::policy_simulate::SimulatePage);
lazy_page!(AuditRoute, super::audit::AuditTrailPage);
lazy_page!(ReportsRoute, super::audit_reports::ReportsPage);
lazy_page!(AdvisorRoute, super::audit_advisor::AdvisorPage);
lazy_page!(TokensRoute, super::tokens::TokensPage);
lazy_page!(StalenessRoute, super::staleness::StalenessPage);
lazy_page!(LeasesRoute, super::leases::LeasesPage);
