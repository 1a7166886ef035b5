//! The signed-in identity as every page sees it: loaded with the page, and again after
//! sign-in and sign-out.

use leptos::prelude::*;

use crate::api::ConsoleError;
use crate::api::auth::who_am_i;
use crate::api::dto::Identity;

#[derive(Clone, Copy)]
pub struct IdentityContext {
    pub identity: Resource<Result<Option<Identity>, ConsoleError>>,
    version: RwSignal<u32>,
}

impl IdentityContext {
    /// Load the identity again (after sign-in or sign-out).
    pub fn refresh(&self) {
        self.version.update(|v| *v += 1);
    }
}

pub fn provide_identity() {
    let version = RwSignal::new(0u32);
    let identity = Resource::new(move || version.get(), |_| who_am_i());
    provide_context(IdentityContext { identity, version });
}

pub fn use_identity() -> IdentityContext {
    expect_context::<IdentityContext>()
}
