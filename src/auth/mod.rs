//! Who is asking, and what they may do.
//!
//! * `session`  — typed session keys; the id is cycled on login; idle and absolute expiry.
//! * `password` — argon2id in `spawn_blocking`; a dummy hash for unknown users.
//! * `current_user` — the user, reloaded from the database on every request.
//! * `guards`   — role extractors applied per route group in routes.rs.
//! * `csrf`     — every POST: same-origin headers and a session-bound token.

pub mod csrf;
pub mod current_user;
pub mod guards;
pub mod login;
pub mod password;
pub mod session;
pub mod session_store;

pub use current_user::CurrentUser;
pub use guards::{RequireOverseer, RequireReviewer, RequireSecretary};
