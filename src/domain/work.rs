//! The 党总支（党委）'s own campaign work (notice 二(三) 跟进指导, 三(二) 部署安排和跟踪调度,
//! 附件1 5(2) 书记轮训): what it records, and the rules a record obeys. These records fill 附件3
//! 一、工作开展情况 in the draft and are what its answers to 5(1)/5(2) point to.

use time::Date;

use super::dates::{self, DoneOnRefusal, format_date};
use super::input::{FieldErrors, text};
use super::states::coded_enum;

pub const TITLE_MAX: usize = 200;
pub const ATTENDEES_MAX: usize = 500;
pub const FOUND_MAX: usize = 1000;

coded_enum!(
    /// What kind of work a record is.
    WorkKind {
        Deployment = "deployment" / "部署会议",
        Guidance = "guidance" / "指导督查",
        Training = "training" / "书记轮训",
    }
);

impl WorkKind {
    /// What the form's 内容 field asks for.
    pub fn title_label(self) -> &'static str {
        match self {
            WorkKind::Deployment => "会议名称",
            WorkKind::Guidance => "指导督查内容",
            WorkKind::Training => "轮训主题",
        }
    }
}

/// A record as the form sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct WorkForm {
    pub kind: String,
    pub held_on: String,
    /// Guidance: the branch's id.
    pub branch_id: String,
    pub title: String,
    pub attendees: String,
    pub found: String,
}

/// A checked record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Work {
    pub kind: WorkKind,
    pub on: Date,
    pub branch: Option<i64>,
    pub title: String,
    pub attendees: String,
    pub found: String,
}

/// Checks a record: done on or after the notice and not in the future; guidance names one of the
/// committee's branches (`branches`); a training says who attended.
pub fn parse(form: &WorkForm, issued_on: Date, today: Date, branches: &[i64]) -> Result<Work, FieldErrors> {
    let mut e = FieldErrors::default();
    let kind = WorkKind::parse(&form.kind);
    if kind.is_none() {
        e.add("kind", "请选择工作类型：部署会议、指导督查或书记轮训");
    }
    let on = dates::done_on(&form.held_on, issued_on, today)
        .map_err(|refusal| match refusal {
            DoneOnRefusal::Empty | DoneOnRefusal::Unreadable => e.add("held_on", "请按“2026-11-20”的格式填写日期"),
            DoneOnRefusal::BeforeNotice => e.add(
                "held_on",
                format!("应为专项行动通知印发（{}）之后的日期", format_date(issued_on)),
            ),
            DoneOnRefusal::Future => e.add("held_on", "日期不能晚于今天；工作开展后再记录"),
        })
        .ok();
    let branch = match (kind, form.branch_id.trim()) {
        (Some(WorkKind::Guidance), "") => {
            e.add("branch_id", "请选择指导督查的党支部");
            None
        }
        (Some(WorkKind::Guidance), v) => match v.parse::<i64>() {
            Ok(id) if branches.contains(&id) => Some(id),
            _ => {
                e.add("branch_id", "请从本党总支（党委）所属党支部中选择");
                None
            }
        },
        _ => None,
    };
    let label = kind.map_or("内容", WorkKind::title_label);
    let title = text(label, &form.title, TITLE_MAX, true).unwrap_or_else(|m| {
        e.add("title", m);
        String::new()
    });
    let attendees = text(
        "参加人员",
        &form.attendees,
        ATTENDEES_MAX,
        kind == Some(WorkKind::Training),
    )
    .unwrap_or_else(|m| {
        e.add("attendees", m);
        String::new()
    });
    let found = text("发现的问题", &form.found, FOUND_MAX, false).unwrap_or_else(|m| {
        e.add("found", m);
        String::new()
    });
    match (kind, on) {
        (Some(kind), Some(on)) if e.is_empty() => Ok(Work {
            kind,
            on,
            branch,
            title,
            attendees,
            found,
        }),
        _ => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const ISSUED: Date = date!(2026 - 11 - 18);
    const TODAY: Date = date!(2026 - 11 - 30);

    fn form(kind: &str, on: &str) -> WorkForm {
        WorkForm {
            kind: kind.into(),
            held_on: on.into(),
            title: "书记轮训：对账整改专题".into(),
            attendees: "各党支部书记".into(),
            ..WorkForm::default()
        }
    }

    #[test]
    fn a_record_is_dated_between_the_notice_and_today() {
        assert!(parse(&form("training", "2026-11-18"), ISSUED, TODAY, &[]).is_ok());
        assert!(parse(&form("training", "2026-11-30"), ISSUED, TODAY, &[]).is_ok());
        assert!(
            parse(&form("training", "2026-11-17"), ISSUED, TODAY, &[])
                .unwrap_err()
                .get("held_on")
                .is_some()
        );
        assert!(
            parse(&form("training", "2026-12-01"), ISSUED, TODAY, &[])
                .unwrap_err()
                .get("held_on")
                .is_some()
        );
    }

    #[test]
    fn guidance_names_a_branch_of_the_committee() {
        let mut f = form("guidance", "2026-11-20");
        assert!(
            parse(&f, ISSUED, TODAY, &[1, 2])
                .unwrap_err()
                .get("branch_id")
                .is_some()
        );
        f.branch_id = "4".into();
        assert!(
            parse(&f, ISSUED, TODAY, &[1, 2])
                .unwrap_err()
                .get("branch_id")
                .is_some()
        );
        f.branch_id = "2".into();
        assert_eq!(parse(&f, ISSUED, TODAY, &[1, 2]).unwrap().branch, Some(2));
        // A branch is kept only for guidance.
        let mut t = form("training", "2026-11-20");
        t.branch_id = "2".into();
        assert_eq!(parse(&t, ISSUED, TODAY, &[1, 2]).unwrap().branch, None);
    }

    #[test]
    fn a_training_says_who_attended() {
        let mut f = form("training", "2026-11-20");
        f.attendees = " ".into();
        assert!(parse(&f, ISSUED, TODAY, &[]).unwrap_err().get("attendees").is_some());
        f.kind = "deployment".into();
        assert!(parse(&f, ISSUED, TODAY, &[]).is_ok(), "a meeting need not list them");
        let e = parse(&WorkForm::default(), ISSUED, TODAY, &[]).unwrap_err();
        assert!(e.get("kind").is_some() && e.get("held_on").is_some() && e.get("title").is_some());
    }
}
