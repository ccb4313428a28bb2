//! Who is asking, and what they may do.
//!
//! * `session`  — typed session keys; the id is cycled on login; idle and absolute expiry.
//! * `password` — argon2id in `spawn_blocking`; a dummy hash for unknown users.
//! * `current_user` — the user, reloaded from the database on every request.
//! * `scope`    — which rows: made only from an account's role and unit.
//! * `guards`   — role extractors applied per route group in routes.rs.
//! * `csrf`     — every POST: same-origin headers and a session-bound token.

pub mod csrf;
pub mod current_user;
pub mod guards;
pub mod login;
pub mod password;
pub mod scope;
pub mod session;
pub mod session_store;

pub use current_user::{CurrentUser, User};
pub use guards::{RequireKeeper, RequireOverseer, RequireReviewer};
pub use scope::{Reach, Scope};
