//! The scope predicate, written once. A query on branch-owned rows is written with the CTE
//! `scoped(id)` — the branches the user's scope holds — in front (`scoped`), and binds the scope
//! first (`bind_scope`): the scope takes parameters ?1 (committee) and ?2 (branch), the query's
//! own parameters are numbered from ?3. A row is in scope when its branch is
//! `IN (SELECT id FROM scoped)`; aggregates over a scope drive from `scoped`.
//!
//! The CTE has three arms of which the parameters leave one, so each uses an index: written as
//! `(?1 IS NULL OR committee_id = ?1) AND (?2 IS NULL OR id = ?2)` it makes SQLite scan every
//! branch, since the plan is made before the values are known.

use sqlx::Sqlite;
use sqlx::query::{Query, QueryAs, QueryScalar};
use sqlx::sqlite::SqliteArguments;

use crate::auth::{Reach, Scope};

const SCOPED: &str = "scoped(id) AS (
    SELECT id FROM branches WHERE id = ?2
    UNION ALL SELECT id FROM branches WHERE ?2 IS NULL AND committee_id = ?1
    UNION ALL SELECT id FROM branches WHERE ?2 IS NULL AND ?1 IS NULL)";

/// `sql` with the CTE `scoped` in front (joined to the query's own `WITH`, if it has one).
pub(crate) fn scoped(sql: &str) -> String {
    let sql = sql.trim_start();
    match sql
        .strip_prefix("WITH")
        .filter(|rest| rest.starts_with(char::is_whitespace))
    {
        Some(rest) => format!("WITH {SCOPED},\n{}", rest.trim_start()),
        None => format!("WITH {SCOPED}\n{sql}"),
    }
}

/// One row by its id, if the scope covers its branch (and it is of `branch`, when given: a URL
/// naming one branch and another branch's row finds nothing). `sql` selects it with the id as
/// ?3 and the branch as ?4, its own branch column `IN (SELECT id FROM scoped)`.
pub(crate) async fn scoped_row<T>(
    pool: &sqlx::SqlitePool, scope: Scope, sql: &str, id: i64, branch: Option<crate::domain::BranchId>,
) -> sqlx::Result<Option<T>>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> + Send + Unpin,
{
    sqlx::query_as(&scoped(sql))
        .bind_scope(scope)
        .bind(id)
        .bind(branch)
        .fetch_optional(pool)
        .await
}

/// The scope as the CTE's two parameters (NULL = not limited).
fn parameters(scope: Scope) -> (Option<i64>, Option<i64>) {
    match scope.reach() {
        Reach::Campus => (None, None),
        Reach::Committee(c) => (Some(c.0), None),
        Reach::Branch(b) => (None, Some(b.0)),
    }
}

/// Who reads: a user within their scope, or the system campus-wide. The campus-wide readers
/// (`*_campus_wide`) are the few that serve no logged-in user: `/verify` comparing a printed
/// copy with today's content, and the commands.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Reader {
    Within(Scope),
    CampusWide,
}

/// Binds the scope as ?1 and ?2: call it before binding the query's own parameters.
pub(crate) trait BindScope: Sized {
    fn bind_pair(self, committee: Option<i64>, branch: Option<i64>) -> Self;

    fn bind_scope(self, scope: Scope) -> Self {
        let (committee, branch) = parameters(scope);
        self.bind_pair(committee, branch)
    }

    fn bind_reader(self, reader: Reader) -> Self {
        match reader {
            Reader::Within(scope) => self.bind_scope(scope),
            Reader::CampusWide => self.bind_pair(None, None),
        }
    }
}

impl<'q> BindScope for Query<'q, Sqlite, SqliteArguments<'q>> {
    fn bind_pair(self, committee: Option<i64>, branch: Option<i64>) -> Self {
        self.bind(committee).bind(branch)
    }
}

impl<'q, O> BindScope for QueryAs<'q, Sqlite, O, SqliteArguments<'q>> {
    fn bind_pair(self, committee: Option<i64>, branch: Option<i64>) -> Self {
        self.bind(committee).bind(branch)
    }
}

impl<'q, O> BindScope for QueryScalar<'q, Sqlite, O, SqliteArguments<'q>> {
    fn bind_pair(self, committee: Option<i64>, branch: Option<i64>) -> Self {
        self.bind(committee).bind(branch)
    }
}

#[cfg(test)]
mod tests {
    use super::scoped;

    #[test]
    fn the_scope_joins_a_query_s_own_with_clause() {
        assert!(scoped("SELECT 1").starts_with("WITH scoped(id) AS ("));
        let joined = scoped("WITH a AS (SELECT 1) SELECT * FROM a");
        assert!(
            joined.ends_with("?1 IS NULL),\na AS (SELECT 1) SELECT * FROM a"),
            "{joined}"
        );
        let joined = scoped("WITH\n  a AS (SELECT 1) SELECT * FROM a");
        assert!(
            joined.ends_with("?1 IS NULL),\na AS (SELECT 1) SELECT * FROM a"),
            "{joined}"
        );
        assert!(scoped("WITHOUT").ends_with("\nWITHOUT"));
    }
}
