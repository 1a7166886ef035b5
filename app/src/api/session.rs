//! The signed-in user, kept on the server (tower-sessions, whose records the server
//! stores encrypted behind the barrier): the Arcanum token never reaches the browser,
//! which holds only an opaque HttpOnly cookie. A session ends after `IDLE_TIMEOUT`
//! without use, `ABSOLUTE_TIMEOUT` after sign-in whatever happens, or at sign-out.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use tower_sessions::Session;

use super::error::ConsoleError;

/// A session unused this long ends (the record's expiry, refreshed as it is used).
pub const IDLE_TIMEOUT: time::Duration = time::Duration::minutes(30);
/// A session ends this long after sign-in, used or not.
pub const ABSOLUTE_TIMEOUT: time::Duration = time::Duration::hours(8);
/// Use refreshes the idle expiry at most this often, sparing a storage write per click.
const TOUCH_EVERY: time::Duration = time::Duration::minutes(1);

/// Where the session record keeps the [`SignedIn`] user (the server's session store reads
/// it to revoke the token of a session that expired).
pub const USER_KEY: &str = "user";

/// Who is signed in, with the token that acts for them.
#[derive(Clone, Serialize, Deserialize)]
pub struct SignedIn {
    pub token: String,
    pub accessor: String,
    pub display_name: String,
    pub policies: Vec<String>,
    /// The console obtained the token at sign-in (userpass), so sign-out revokes it.
    pub issued_by_console: bool,
    #[serde(with = "time::serde::timestamp")]
    pub signed_in_at: OffsetDateTime,
    #[serde(with = "time::serde::timestamp")]
    pub seen_at: OffsetDateTime,
}

async fn session() -> Result<Session, ConsoleError> {
    leptos_axum::extract::<Session>()
        .await
        .map_err(|_| ConsoleError::new(500, "the console's session layer is not available"))
}

/// The store logs the cause; the browser learns only that it failed.
fn storage_error(_: tower_sessions::session::Error) -> ConsoleError {
    ConsoleError::new(500, "The session could not be stored. The server log has the details.")
}

/// A token the console obtained for a session ends with the session; one the user
/// brought stays theirs.
pub async fn revoke_if_issued(user: &SignedIn) {
    if user.issued_by_console {
        // Ended either way: a token that is already gone is not an error here.
        let _ = super::client::call_as(
            Some(user.token.clone()),
            super::console::ApiOperation::Update,
            "auth/token/revoke-self",
            Default::default(),
        )
        .await;
    }
}

/// The signed-in user, if any; ends a session past its absolute timeout.
pub async fn current() -> Result<Option<SignedIn>, ConsoleError> {
    let session = session().await?;
    let Some(mut user) = session.get::<SignedIn>(USER_KEY).await.map_err(storage_error)? else {
        return Ok(None);
    };
    let now = OffsetDateTime::now_utc();
    if now - user.signed_in_at > ABSOLUTE_TIMEOUT {
        revoke_if_issued(&user).await;
        session.flush().await.map_err(storage_error)?;
        return Ok(None);
    }
    if now - user.seen_at > TOUCH_EVERY {
        user.seen_at = now;
        session.insert(USER_KEY, &user).await.map_err(storage_error)?;
    }
    Ok(Some(user))
}

/// The signed-in user, or the error that sends the browser to the sign-in page.
pub async fn require() -> Result<SignedIn, ConsoleError> {
    current().await?.ok_or_else(ConsoleError::signed_out)
}

/// Start a session for `user` under a new id (an id planted before sign-in is useless),
/// ending whoever was signed in on this browser before.
pub async fn begin(user: &SignedIn) -> Result<(), ConsoleError> {
    let session = session().await?;
    if let Ok(Some(previous)) = session.get::<SignedIn>(USER_KEY).await {
        revoke_if_issued(&previous).await;
    }
    session.cycle_id().await.map_err(storage_error)?;
    session.insert(USER_KEY, user).await.map_err(storage_error)
}

/// End the session: its record is deleted and the cookie cleared.
pub async fn end() -> Result<(), ConsoleError> {
    session().await?.flush().await.map_err(storage_error)
}
