//! Password hashing: Argon2id with OWASP's recommended parameters (m = 19456 KiB, t = 2,
//! p = 1), stored as a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`) with a
//! fresh 128-bit salt per password.
//!
//! Invariants: the plaintext is never stored or logged, and is wiped when dropped (it
//! travels as `Zeroizing<String>`); verification compares in constant time (argon2's
//! `Output` equality); a login for a user that does not exist costs the same as a real
//! one, by verifying against [`DUMMY_HASH`]. Hashing is CPU- and memory-heavy, so it runs
//! on the blocking pool, and at most a few hashes run at once ([`PERMITS`]): a burst of
//! logins queues instead of exhausting memory (each one needs ~19 MiB).

use std::sync::OnceLock;

use argon2::password_hash::SaltString;
use argon2::{Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version};
use tokio::sync::Semaphore;
use zeroize::Zeroizing;

use crate::crypto;
use crate::logical::{Error, Result};

/// OWASP Password Storage Cheat Sheet, first Argon2id option.
pub(super) const M_COST_KIB: u32 = 19_456;
pub(super) const T_COST: u32 = 2;
pub(super) const P_COST: u32 = 1;

/// An Argon2id PHC string with the parameters above and an output no known password
/// produces. Verifying against it costs what verifying a real user's hash costs.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$EMlsWHhmAPFPHKoWtVc1jw$CHN3qC7nHgvkJJp4qbmPs2V+078zFQMAPDb28Lr9P5s";

/// Bounds on an imported `password_hash`. The floor is OWASP's weakest recommended
/// Argon2id setting (m = 7168 KiB with t = 5; m·t >= 35840 covers the whole list); the
/// ceiling keeps one login's memory and time bounded (64 MiB, t <= 8).
const MIN_M_COST_KIB: u32 = 7_168;
const MIN_M_TIMES_T: u64 = 35_840;
const MAX_M_COST_KIB: u32 = 65_536;
const MAX_T_COST: u32 = 8;
const MAX_P_COST: u32 = 8;
const MAX_HASH_LEN: usize = 512;
/// 8 bytes of salt, base64 without padding.
const MIN_SALT_B64_LEN: usize = 11;

/// How many hashes may run at once in this process.
static PERMITS: OnceLock<Semaphore> = OnceLock::new();

fn permits() -> &'static Semaphore {
    PERMITS.get_or_init(|| {
        let cpus = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        Semaphore::new(cpus.max(2))
    })
}

/// Run a hashing job on the blocking pool, within the process-wide limit.
async fn run_limited<T: Send + 'static>(job: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    let _permit = permits().acquire().await.map_err(|_| Error::internal("the password hashing limiter is closed"))?;
    tokio::task::spawn_blocking(job).await.map_err(|_| Error::internal("the password hashing task failed"))
}

fn hasher() -> Result<Argon2<'static>> {
    let params = Params::new(M_COST_KIB, T_COST, P_COST, None).map_err(Error::internal)?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hash `password` into a PHC string.
pub(super) async fn hash(password: Zeroizing<String>) -> Result<String> {
    let salt =
        SaltString::encode_b64(&crypto::random_array::<16>().map_err(Error::Internal)?).map_err(Error::internal)?;
    let argon2 = hasher()?;
    run_limited(move || {
        argon2.hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(Error::internal)
    })
    .await?
}

/// Whether `password` matches `stored`. With no stored hash (an unknown user) or one
/// that does not parse, a verification against [`DUMMY_HASH`] still runs and the answer
/// is `false`, so the time taken does not tell whether the user exists.
pub(super) async fn verify(password: Zeroizing<String>, stored: Option<String>) -> Result<bool> {
    run_limited(move || {
        let real = stored.as_deref().and_then(|s| PasswordHash::new(s).ok());
        if stored.is_some() && real.is_none() {
            tracing::warn!("a stored userpass password hash does not parse; the login is refused");
        }
        match real {
            Some(hash) => Argon2::default().verify_password(password.as_bytes(), &hash).is_ok(),
            None => {
                if let Ok(dummy) = PasswordHash::new(DUMMY_HASH) {
                    let _ = Argon2::default().verify_password(password.as_bytes(), &dummy);
                }
                false
            }
        }
    })
    .await
}

/// Check an administrator-supplied `password_hash` and return it in canonical form. Only
/// Argon2id (version 19) within [`MIN_M_COST_KIB`]..[`MAX_M_COST_KIB`] and friends is
/// taken: weaker hashes would lower the bar, costlier ones would make each login a
/// denial-of-service lever.
pub(super) fn import_hash(phc: &str) -> Result<String> {
    let phc = phc.trim();
    if phc.starts_with("$2a$") || phc.starts_with("$2b$") || phc.starts_with("$2y$") {
        return Err(Error::invalid(
            "password_hash is a bcrypt hash; Arcanum stores Argon2id PHC strings \
             ($argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>)",
        ));
    }
    let not_valid = || Error::invalid("password_hash is not a valid Argon2id PHC string");
    if phc.len() > MAX_HASH_LEN {
        return Err(not_valid());
    }
    let hash = PasswordHash::new(phc).map_err(|_| not_valid())?;
    if hash.algorithm != Algorithm::Argon2id.ident() || hash.version != Some(Version::V0x13.into()) {
        return Err(Error::invalid("password_hash must be Argon2id, version 19 ($argon2id$v=19$...)"));
    }
    let params = Params::try_from(&hash).map_err(|_| not_valid())?;
    if hash.salt.is_none_or(|s| s.len() < MIN_SALT_B64_LEN) || hash.hash.is_none_or(|h| h.len() < 16) {
        return Err(Error::invalid("password_hash needs a salt of at least 8 bytes and an output of at least 16"));
    }
    let (m, t, p) = (params.m_cost(), params.t_cost(), params.p_cost());
    if m < MIN_M_COST_KIB || u64::from(m) * u64::from(t) < MIN_M_TIMES_T {
        return Err(Error::invalid(format!(
            "password_hash parameters m={m},t={t} are too weak; use at least m={M_COST_KIB},t={T_COST} \
             (or another OWASP-recommended Argon2id setting)"
        )));
    }
    if m > MAX_M_COST_KIB || t > MAX_T_COST || p > MAX_P_COST {
        return Err(Error::invalid(format!(
            "password_hash parameters m={m},t={t},p={p} exceed the maximum m={MAX_M_COST_KIB},t={MAX_T_COST},p={MAX_P_COST}"
        )));
    }
    Ok(hash.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(s: &str) -> Zeroizing<String> {
        Zeroizing::new(s.to_string())
    }

    #[tokio::test]
    async fn hashes_with_owasp_parameters_and_verifies() {
        let phc = hash(secret("correct horse")).await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(!phc.contains("correct horse"));
        assert!(verify(secret("correct horse"), Some(phc.clone())).await.unwrap());
        assert!(!verify(secret("correct horsE"), Some(phc.clone())).await.unwrap());
        assert!(!verify(secret(""), Some(phc.clone())).await.unwrap());
        let again = hash(secret("correct horse")).await.unwrap();
        assert_ne!(phc, again, "a fresh salt each time");
    }

    #[tokio::test]
    async fn unknown_or_damaged_hashes_never_verify() {
        assert!(!verify(secret("anything"), None).await.unwrap());
        assert!(!verify(secret("anything"), Some("not a hash".into())).await.unwrap());
        assert!(!verify(secret("anything"), Some(String::new())).await.unwrap());
    }

    #[test]
    fn the_dummy_hash_costs_what_a_real_one_does() {
        let dummy = PasswordHash::new(DUMMY_HASH).unwrap();
        let params = Params::try_from(&dummy).unwrap();
        assert_eq!(dummy.algorithm, Algorithm::Argon2id.ident());
        assert_eq!((params.m_cost(), params.t_cost(), params.p_cost()), (M_COST_KIB, T_COST, P_COST));
        assert_eq!(params.output_len(), Some(32));
        let current = hasher().unwrap();
        assert_eq!(current.params().m_cost(), params.m_cost());
    }

    #[tokio::test]
    async fn imports_only_sound_argon2id_hashes() {
        let phc = hash(secret("pw")).await.unwrap();
        assert_eq!(import_hash(&format!(" {phc} ")).unwrap(), phc);
        assert!(verify(secret("pw"), Some(import_hash(&phc).unwrap())).await.unwrap());
        // OWASP's other settings are fine.
        let m47 = "$argon2id$v=19$m=47104,t=1,p=1$EMlsWHhmAPFPHKoWtVc1jw$CHN3qC7nHgvkJJp4qbmPs2V+078zFQMAPDb28Lr9P5s";
        assert!(import_hash(m47).is_ok());

        let message = |s: &str| match import_hash(s) {
            Err(Error::InvalidRequest(m)) => m,
            other => panic!("expected a 400 for {s:?}, got {other:?}"),
        };
        let tail = "$EMlsWHhmAPFPHKoWtVc1jw$CHN3qC7nHgvkJJp4qbmPs2V+078zFQMAPDb28Lr9P5s";
        assert!(message("$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy").contains("bcrypt"));
        assert_eq!(message("plaintext"), "password_hash is not a valid Argon2id PHC string");
        assert_eq!(message(""), "password_hash is not a valid Argon2id PHC string");
        assert!(message(&format!("$argon2i$v=19$m=19456,t=2,p=1{tail}")).contains("must be Argon2id"));
        assert!(message(&format!("$argon2id$v=16$m=19456,t=2,p=1{tail}")).contains("must be Argon2id"));
        assert!(message(&format!("$argon2id$v=19$m=4096,t=3,p=1{tail}")).contains("too weak"));
        assert!(message(&format!("$argon2id$v=19$m=19456,t=1,p=1{tail}")).contains("too weak"));
        assert!(message(&format!("$argon2id$v=19$m=4194304,t=2,p=1{tail}")).contains("exceed the maximum"));
        assert!(message(&format!("$argon2id$v=19$m=19456,t=100,p=1{tail}")).contains("exceed the maximum"));
        assert!(
            message("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$CHN3qC7nHgvkJJp4qbmPs2V+078zFQMAPDb28Lr9P5s")
                .contains("salt of at least 8 bytes")
        );
        assert!(message("$argon2id$v=19$m=19456,t=2,p=1$EMlsWHhmAPFPHKoWtVc1jw").contains("salt of at least"));
        assert!(message(&format!("$argon2id$v=19$m=19456,t=2,p=1,x=3{tail}")).contains("not a valid"));
        assert!(message(&"$".repeat(4000)).contains("not a valid"));
    }
}
