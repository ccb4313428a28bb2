//! Password hashing with argon2id at the crate's default parameters (m = 19 MiB, t = 2, p = 1),
//! one of OWASP's recommended settings. Hashing takes tens of milliseconds of CPU, so it runs on
//! the blocking pool, never on the async workers.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};

/// Too many hashes queued: the system is busy (AppError turns it into a 503 page).
#[derive(Debug, Clone, Copy)]
pub struct Busy;

impl std::fmt::Display for Busy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("too many password hashes queued")
    }
}

impl std::error::Error for Busy {}

/// Each argon2 run takes 19 MiB and a core for tens of milliseconds. Without a bound, a flood of
/// login attempts would start hundreds at once on the blocking pool and exhaust memory; with
/// it, attempts queue, and one that cannot start within `QUEUE_WAIT` is told the system is busy.
static HASHING: std::sync::LazyLock<tokio::sync::Semaphore> = std::sync::LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    tokio::sync::Semaphore::new(cores * 2)
});
const QUEUE_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

async fn bounded<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> anyhow::Result<T> {
    let _permit = tokio::time::timeout(QUEUE_WAIT, HASHING.acquire())
        .await
        .map_err(|_| Busy)??;
    Ok(tokio::task::spawn_blocking(work).await?)
}

pub async fn hash(password: String) -> anyhow::Result<String> {
    bounded(move || hash_blocking(&password)).await?
}

pub fn hash_blocking(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("argon2 hash: {e}"))
}

/// Checks `password` against a stored PHC string. Unknown users are checked against the dummy
/// hash, so that a wrong username costs the same time as a wrong password.
pub async fn verify(stored_hash: String, password: String) -> anyhow::Result<bool> {
    bounded(move || {
        PasswordHash::new(&stored_hash)
            .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
            .unwrap_or(false)
    })
    .await
}

/// A hash of a random secret, made once at start, to verify against for unknown usernames.
pub fn dummy_hash() -> String {
    let secret = random_token(24);
    hash_blocking(&secret).expect("hashing a random secret succeeds")
}

/// A URL-safe random string of `bytes` random bytes (session-bound CSRF tokens, one-time passwords).
pub fn random_token(bytes: usize) -> String {
    use rand::RngCore;
    let mut buf = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buf);
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let h = hash("对账整改2022".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"), "argon2id, not another variant: {h}");
        assert!(verify(h.clone(), "对账整改2022".into()).await.unwrap());
        assert!(!verify(h, "对账整改2023".into()).await.unwrap());
    }

    #[tokio::test]
    async fn a_malformed_stored_hash_never_verifies() {
        assert!(!verify("not a hash".into(), "x".into()).await.unwrap());
    }

    #[test]
    fn tokens_are_random_and_hex() {
        let a = random_token(16);
        assert_eq!(a.len(), 32);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, random_token(16));
    }
}
