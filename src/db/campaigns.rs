//! 专项行动 and their phase dates.

use crate::domain::history::AuditAction;
use sqlx::{SqliteConnection, SqlitePool};
use time::Date;

use super::audit::{self, Entry};
use super::{Db, Stale};
use crate::domain::campaign::CampaignInput;
use crate::domain::dates::format_date;
use crate::domain::progress::DeadlineBasis;
use crate::domain::{CampaignId, UserId};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Campaign {
    pub id: CampaignId,
    pub title: String,
    pub doc_number: String,
    pub issued_on: Date,
    pub self_check_due: Date,
    pub report_due: Date,
    pub rectify_due: Date,
    pub results_due: Date,
    /// Which deadline 五星级 eligibility judges against.
    pub eligibility_deadline: DeadlineBasis,
    pub is_current: bool,
    pub version: i64,
}

impl Campaign {
    /// `?campaign=ID` for links while looking at a past campaign; empty for the current one.
    pub fn link_query(&self) -> String {
        if self.is_current {
            String::new()
        } else {
            format!("?campaign={}", self.id)
        }
    }
}

const COLUMNS: &str =
    "id, title, doc_number, issued_on, self_check_due, report_due, rectify_due, results_due, eligibility_deadline,
     is_current, version";

/// The current campaign; every page asks, so it is memoised (see [`super::memo`]).
pub async fn current(db: &Db) -> sqlx::Result<Option<Campaign>> {
    let found = db
        .memos
        .current_campaign
        .get_or_load(db, (), || async {
            sqlx::query_as(&format!("SELECT {COLUMNS} FROM campaigns WHERE is_current = 1"))
                .fetch_optional(&db.read)
                .await
        })
        .await?;
    Ok(Option::clone(&found))
}

/// The current campaign, read inside a write transaction.
pub async fn current_in(conn: &mut SqliteConnection) -> sqlx::Result<Option<Campaign>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM campaigns WHERE is_current = 1"))
        .fetch_optional(conn)
        .await
}

pub async fn by_id(conn: impl sqlx::SqliteExecutor<'_>, id: CampaignId) -> sqlx::Result<Option<Campaign>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM campaigns WHERE id = ?"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// The campaign a page shows: the one asked for with `?campaign=ID`, else the current one.
pub async fn resolve(db: &Db, asked: Option<CampaignId>) -> sqlx::Result<Option<Campaign>> {
    match asked {
        Some(id) => by_id(&db.read, id).await,
        None => current(db).await,
    }
}

/// Every campaign, newest first, with how many answers its ledger has (0 = still editable).
pub async fn all(pool: &SqlitePool) -> sqlx::Result<Vec<(Campaign, i64)>> {
    let campaigns: Vec<Campaign> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM campaigns ORDER BY issued_on DESC, id DESC"
    ))
    .fetch_all(pool)
    .await?;
    let mut out = Vec::with_capacity(campaigns.len());
    for c in campaigns {
        let answers: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM self_checks sc JOIN ledger_items i ON i.id = sc.ledger_item_id
             JOIN ledger_categories lc ON lc.id = i.category_id WHERE lc.campaign_id = ?",
        )
        .bind(c.id)
        .fetch_one(pool)
        .await?;
        out.push((c, answers));
    }
    Ok(out)
}

#[derive(serde::Serialize)]
struct Settings<'a> {
    title: &'a str,
    doc_number: &'a str,
    dates: [String; 5],
    eligibility_deadline: DeadlineBasis,
}

fn settings(c: &CampaignInput) -> Settings<'_> {
    Settings {
        title: &c.title,
        doc_number: &c.doc_number,
        dates: [
            c.issued_on,
            c.self_check_due,
            c.report_due,
            c.rectify_due,
            c.results_due,
        ]
        .map(format_date),
        eligibility_deadline: c.basis,
    }
}

/// A new campaign with a copy of `from`'s ledger; with `carry_over`, every finding that still
/// has a measure not closed off comes along with those measures (their history stays behind).
pub async fn create(
    conn: &mut SqliteConnection, by: UserId, c: &CampaignInput, from: CampaignId, carry_over: bool,
) -> sqlx::Result<CampaignId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO campaigns (title, doc_number, issued_on, self_check_due, report_due, rectify_due, results_due,
                                eligibility_deadline)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(&c.title)
    .bind(&c.doc_number)
    .bind(c.issued_on)
    .bind(c.self_check_due)
    .bind(c.report_due)
    .bind(c.rectify_due)
    .bind(c.results_due)
    .bind(c.basis)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query("INSERT INTO ledger_categories (campaign_id, position, title) SELECT ?, position, title FROM ledger_categories WHERE campaign_id = ?")
        .bind(id)
        .bind(from)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO ledger_items (category_id, position, text, level, hint)
         SELECT nc.id, i.position, i.text, i.level, i.hint FROM ledger_items i
         JOIN ledger_categories oc ON oc.id = i.category_id
         JOIN ledger_categories nc ON nc.campaign_id = ?1 AND nc.position = oc.position
         WHERE oc.campaign_id = ?2",
    )
    .bind(id)
    .bind(from)
    .execute(&mut *conn)
    .await?;
    // Branches' data moves on from where the last campaign left it.
    super::profiles::copy(conn, from, CampaignId(id)).await?;
    // So do the documents branches check themselves against (the 组织部 replaces what changed).
    super::documents::copy(conn, from, CampaignId(id)).await?;
    if carry_over {
        carry_over_unfinished(conn, from, CampaignId(id)).await?;
    }
    audit::record(
        conn,
        &Entry::new(by, AuditAction::CampaignCreate, id).after(&settings(c)),
    )
    .await?;
    Ok(CampaignId(id))
}

/// A finding to carry over: old id, new category, new item, branch, text, source, author.
type Carried = (i64, i64, Option<i64>, i64, String, String, Option<i64>);

/// Copies findings with unfinished measures or 长期坚持 ones (and those measures) into the new
/// campaign, mapping categories and items by their numbers.
async fn carry_over_unfinished(conn: &mut SqliteConnection, from: CampaignId, to: CampaignId) -> sqlx::Result<()> {
    let findings: Vec<Carried> = sqlx::query_as(
        "SELECT f.id, nc.id, ni.id, f.branch_id, f.text, f.source, f.created_by
         FROM findings f
         JOIN ledger_categories oc ON oc.id = f.category_id
         JOIN ledger_categories nc ON nc.campaign_id = ?2 AND nc.position = oc.position
         LEFT JOIN ledger_items oi ON oi.id = f.ledger_item_id
         LEFT JOIN ledger_items ni ON ni.category_id = nc.id AND ni.position = oi.position
         WHERE f.campaign_id = ?1
           AND EXISTS (SELECT 1 FROM measures m WHERE m.finding_id = f.id AND (m.status <> 'closed_out' OR m.long_term = 1))
         ORDER BY f.id",
    )
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await?;
    for (old, category, item, branch, text, source, created_by) in findings {
        let new: i64 = sqlx::query_scalar(
            "INSERT INTO findings (branch_id, campaign_id, category_id, ledger_item_id, position, text, source, created_by)
             VALUES (?1, ?2, ?3, ?4,
                     (SELECT COALESCE(MAX(position), 0) + 1 FROM findings WHERE branch_id = ?1 AND campaign_id = ?2 AND category_id = ?3),
                     ?5, CASE WHEN ?4 IS NULL THEN 'extended' ELSE ?6 END, ?7) RETURNING id",
        )
        .bind(branch)
        .bind(to)
        .bind(category)
        .bind(item)
        .bind(format!("（上年度未完成整改）{text}"))
        .bind(&source)
        .bind(created_by)
        .fetch_one(&mut *conn)
        .await?;
        sqlx::query(
            // A 长期坚持 measure closed off at its checkpoint runs on: it comes along 整改中, its
            // next checkpoint for the branch to set in the new campaign.
            "INSERT INTO measures (finding_id, position, text, deadline, owner, status, immediate, completion_note, long_term)
             SELECT ?, position, text, CASE WHEN status = 'closed_out' THEN NULL ELSE deadline END, owner,
                    CASE WHEN status IN ('done', 'closed_out') THEN 'in_progress' ELSE status END, immediate, '', long_term
             FROM measures WHERE finding_id = ? AND (status <> 'closed_out' OR long_term = 1) ORDER BY position",
        )
        .bind(new)
        .bind(old)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub async fn update(
    conn: &mut SqliteConnection, by: UserId, before: &Campaign, seen_version: i64, c: &CampaignInput,
) -> sqlx::Result<Result<(), Stale>> {
    let done = sqlx::query(
        "UPDATE campaigns SET title = ?, doc_number = ?, issued_on = ?, self_check_due = ?, report_due = ?, rectify_due = ?,
                              results_due = ?, eligibility_deadline = ?, version = version + 1
         WHERE id = ? AND version = ?",
    )
    .bind(&c.title)
    .bind(&c.doc_number)
    .bind(c.issued_on)
    .bind(c.self_check_due)
    .bind(c.report_due)
    .bind(c.rectify_due)
    .bind(c.results_due)
    .bind(c.basis)
    .bind(before.id)
    .bind(seen_version)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(Err(Stale));
    }
    let old = CampaignInput {
        title: before.title.clone(),
        doc_number: before.doc_number.clone(),
        issued_on: before.issued_on,
        self_check_due: before.self_check_due,
        report_due: before.report_due,
        rectify_due: before.rectify_due,
        results_due: before.results_due,
        basis: before.eligibility_deadline,
    };
    audit::record(
        conn,
        &Entry::new(by, AuditAction::CampaignUpdate, before.id.0)
            .before(&settings(&old))
            .after(&settings(c)),
    )
    .await?;
    Ok(Ok(()))
}

/// Makes `id` the current campaign (pages without ?campaign= show it).
pub async fn make_current(conn: &mut SqliteConnection, by: UserId, id: CampaignId) -> sqlx::Result<bool> {
    let previous: Option<i64> = sqlx::query_scalar("SELECT id FROM campaigns WHERE is_current = 1")
        .fetch_optional(&mut *conn)
        .await?;
    sqlx::query("UPDATE campaigns SET is_current = 0 WHERE is_current = 1")
        .execute(&mut *conn)
        .await?;
    let done = sqlx::query("UPDATE campaigns SET is_current = 1, version = version + 1 WHERE id = ?")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    let e = Entry::new(by, AuditAction::CampaignMakeCurrent, id.0)
        .before(&serde_json::json!({ "current_campaign": previous }))
        .after(&serde_json::json!({ "current_campaign": id.0 }));
    audit::record(conn, &e).await?;
    Ok(true)
}
