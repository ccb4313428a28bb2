//! Plain types and the product's rules. No I/O here: everything is unit-tested beside it.

pub mod bulk;
pub mod campaign;
pub mod checklist_import;
pub mod dates;
pub mod delivery;
pub mod documents;
pub mod eligibility;
pub mod evidence;
pub mod hints;
pub mod history;
pub mod ids;
pub mod import;
pub mod input;
pub mod inspection;
pub mod ledger;
pub mod meeting;
pub mod notify;
pub mod password_policy;
pub mod practices;
pub mod progress;
pub mod report;
pub mod results;
pub mod review;
pub mod role;
pub mod sampling;
pub mod states;
pub mod statistics;
pub mod submission;
pub mod summary;
pub mod throttle;
pub mod units;
pub mod verification;
pub mod work;

pub use ids::*;
pub use role::Role;
