//! 专题支委会 (notice 三(二): 就贯彻落实专项行动召开专题支委会): the meeting a branch holds for
//! the campaign, or why it did not. A branch with a 支部委员会 holds a 支委会; one without
//! (fewer than 7 正式党员, 附件1 1(4)) a 支部党员大会. Who should attend comes from the branch's
//! data (issue 15 item 4) where it is known; more than half must be present for the meeting to
//! decide anything.

use time::Date;

use super::dates::{self, DoneOnRefusal, format_date};
use super::hints::Profile;
use super::input::{FieldErrors, text};
use super::states::coded_enum;

pub const TOPICS_MAX: usize = 1000;
pub const DECISIONS_MAX: usize = 1000;
pub const REASON_MAX: usize = 500;
pub const CHAIR_MAX: usize = 30;
pub const ABSENTEES_MAX: usize = 300;

coded_enum!(
    /// Which body met.
    MeetingKind {
        Committee = "committee" / "支委会",
        General = "general" / "支部党员大会",
    }
);

impl MeetingKind {
    /// Who attends, in the words of the form: "支委" or "党员".
    pub fn members_word(self) -> &'static str {
        match self {
            MeetingKind::Committee => "支委",
            MeetingKind::General => "党员",
        }
    }
}

/// A meeting as the branch recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Meeting {
    Held {
        on: Date,
        kind: MeetingKind,
        chair: String,
        present: i64,
        expected: i64,
        /// 缺席人员及原因: required when fewer attended than expected.
        absentees: String,
        topics: String,
        decisions: String,
    },
    NotHeld {
        reason: String,
    },
}

impl Meeting {
    pub fn is_held(&self) -> bool {
        matches!(self, Meeting::Held { .. })
    }

    /// One line for lists and 附件3: "2026-11-20 支委会，到会5/5人" or "未召开：…".
    pub fn summary(&self) -> String {
        match self {
            Meeting::Held {
                on,
                kind,
                present,
                expected,
                ..
            } => format!(
                "{} 召开{}，到会{}{present}/{expected}人",
                format_date(*on),
                kind.label(),
                kind.members_word()
            ),
            Meeting::NotHeld { reason } => format!("原因：{reason}"),
        }
    }
}

/// The meeting form as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct MeetingForm {
    /// "yes" or "no".
    pub held: String,
    pub held_on: String,
    pub kind: String,
    pub chair: String,
    pub present: String,
    pub expected: String,
    pub absentees: String,
    pub topics: String,
    pub decisions: String,
    pub not_held_reason: String,
    pub version: i64,
}

impl MeetingForm {
    /// A saved record as its form shows it again (the inverse of [`parse`]).
    pub fn of(m: &Meeting, version: i64) -> MeetingForm {
        match m.clone() {
            Meeting::Held {
                on,
                kind,
                chair,
                present,
                expected,
                absentees,
                topics,
                decisions,
            } => MeetingForm {
                held: "yes".into(),
                held_on: format_date(on),
                kind: kind.code().into(),
                chair,
                present: present.to_string(),
                expected: expected.to_string(),
                absentees,
                topics,
                decisions,
                not_held_reason: String::new(),
                version,
            },
            Meeting::NotHeld { reason } => MeetingForm {
                held: "no".into(),
                not_held_reason: reason,
                version,
                ..MeetingForm::default()
            },
        }
    }

    /// The branch says the meeting was not held (then it brings no files).
    pub fn says_not_held(&self) -> bool {
        self.held == "no"
    }
}

/// Checks the form against the campaign (held on or after the notice, not in the future) and the
/// branch's data (the body that should meet, and how many should attend).
pub fn parse(form: &MeetingForm, issued_on: Date, today: Date, data: &Profile) -> Result<Meeting, FieldErrors> {
    let mut e = FieldErrors::default();
    match form.held.as_str() {
        "no" => {
            return match text("未召开的原因", &form.not_held_reason, REASON_MAX, true) {
                Ok(reason) => Ok(Meeting::NotHeld { reason }),
                Err(m) => {
                    e.add("not_held_reason", m);
                    Err(e)
                }
            };
        }
        "yes" => {}
        _ => {
            e.add("held", "请选择是否已召开专题支委会");
            return Err(e);
        }
    }
    let on = dates::done_on(&form.held_on, issued_on, today)
        .map_err(|refusal| match refusal {
            DoneOnRefusal::Empty => e.add("held_on", "请填写会议日期"),
            DoneOnRefusal::Unreadable => e.add("held_on", "会议日期请按“2026-11-20”的格式填写"),
            DoneOnRefusal::BeforeNotice => e.add(
                "held_on",
                format!("专题支委会应在专项行动通知印发（{}）之后召开", format_date(issued_on)),
            ),
            DoneOnRefusal::Future => e.add("held_on", "会议日期不能晚于今天；会议召开后再记录"),
        })
        .ok();
    let has_committee = data.committee_members.map(|n| n > 0);
    let kind = match MeetingKind::parse(&form.kind) {
        None => {
            e.add("kind", "请选择会议形式：支委会或支部党员大会");
            None
        }
        Some(MeetingKind::Committee) if has_committee == Some(false) => {
            e.add("kind", "本支部未设支部委员会（见支部基本情况），应召开支部党员大会");
            None
        }
        Some(MeetingKind::General) if has_committee == Some(true) => {
            e.add("kind", "本支部设有支部委员会（见支部基本情况），应召开专题支委会");
            None
        }
        Some(k) => Some(k),
    };
    let chair = text("主持人", &form.chair, CHAIR_MAX, true).unwrap_or_else(|m| {
        e.add("chair", m);
        String::new()
    });
    let mut count = |field: &'static str, label: &str, v: &str| -> Option<i64> {
        match v.trim().parse::<i64>() {
            Ok(n) if (0..=10_000).contains(&n) => Some(n),
            _ if v.trim().is_empty() => {
                e.add(field, format!("请填写{label}"));
                None
            }
            _ => {
                e.add(field, format!("{label}应为 0–10000 的整数"));
                None
            }
        }
    };
    let present = count("present", "到会人数", &form.present);
    let expected = count("expected", "应到人数", &form.expected);
    let should = kind.and_then(|k| match k {
        MeetingKind::Committee => data.committee_members.filter(|n| *n > 0),
        MeetingKind::General => data.full_members,
    });
    if let (Some(k), Some(x), Some(should)) = (kind, expected, should)
        && x != should
    {
        e.add(
            "expected",
            format!(
                "支部基本情况记载{}{should}人，应到人数应为{should}；如人数有变化，请党总支（党委）先更新支部基本情况",
                k.members_word()
            ),
        );
    }
    match (present, expected) {
        (_, Some(0)) => e.add("expected", "应到人数应大于0"),
        (Some(p), Some(x)) if p > x => e.add("present", "到会人数不能多于应到人数"),
        (Some(p), Some(x)) if p * 2 <= x => e.add(
            "present",
            format!("到会{p}人，未超过应到人数（{x}人）的半数，会议不能作出决定"),
        ),
        _ => {}
    }
    let someone_absent = matches!((present, expected), (Some(p), Some(x)) if p < x);
    let absentees = text("缺席人员及原因", &form.absentees, ABSENTEES_MAX, someone_absent).unwrap_or_else(|m| {
        e.add("absentees", m);
        String::new()
    });
    let topics = text("会议议题", &form.topics, TOPICS_MAX, true).unwrap_or_else(|m| {
        e.add("topics", m);
        String::new()
    });
    let decisions = text("会议决定", &form.decisions, DECISIONS_MAX, false).unwrap_or_else(|m| {
        e.add("decisions", m);
        String::new()
    });
    match (on, kind, present, expected) {
        (Some(on), Some(kind), Some(present), Some(expected)) if e.is_empty() => Ok(Meeting::Held {
            on,
            kind,
            chair,
            present,
            expected,
            absentees: if someone_absent { absentees } else { String::new() },
            topics,
            decisions,
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

    fn data(committee: Option<i64>, full: Option<i64>) -> Profile {
        Profile {
            committee_members: committee,
            full_members: full,
            ..Profile::default()
        }
    }

    fn held(on: &str, kind: &str, present: &str, expected: &str) -> MeetingForm {
        MeetingForm {
            held: "yes".into(),
            held_on: on.into(),
            kind: kind.into(),
            chair: "张喆".into(),
            present: present.into(),
            expected: expected.into(),
            absentees: "一名支委因病请假".into(),
            topics: "学习通知，逐项对照问题台账".into(),
            ..MeetingForm::default()
        }
    }

    #[test]
    fn a_meeting_is_held_between_the_notice_and_today() {
        let d = data(Some(5), Some(18));
        assert!(parse(&held("2026-11-18", "committee", "5", "5"), ISSUED, TODAY, &d).is_ok());
        assert!(parse(&held("2026-11-30", "committee", "5", "5"), ISSUED, TODAY, &d).is_ok());
        let early = parse(&held("2026-11-17", "committee", "5", "5"), ISSUED, TODAY, &d).unwrap_err();
        assert!(early.get("held_on").unwrap().contains("2026-11-18"));
        let later = parse(&held("2026-12-01", "committee", "5", "5"), ISSUED, TODAY, &d).unwrap_err();
        assert!(later.get("held_on").unwrap().contains("不能晚于今天"));
    }

    #[test]
    fn the_body_that_meets_follows_the_branch_data() {
        // No 支部委员会: a 支部党员大会; one: a 支委会; not known: either.
        let none = data(Some(0), Some(6));
        let e = parse(&held("2026-11-20", "committee", "4", "6"), ISSUED, TODAY, &none).unwrap_err();
        assert!(e.get("kind").unwrap().contains("支部党员大会"));
        assert!(parse(&held("2026-11-20", "general", "4", "6"), ISSUED, TODAY, &none).is_ok());
        let some = data(Some(5), Some(18));
        assert!(
            parse(&held("2026-11-20", "general", "10", "18"), ISSUED, TODAY, &some)
                .unwrap_err()
                .get("kind")
                .is_some()
        );
        let unknown = Profile::default();
        assert!(parse(&held("2026-11-20", "general", "10", "18"), ISSUED, TODAY, &unknown).is_ok());
        assert!(parse(&held("2026-11-20", "committee", "3", "5"), ISSUED, TODAY, &unknown).is_ok());
    }

    #[test]
    fn who_should_attend_comes_from_the_branch_data() {
        let d = data(Some(5), Some(18));
        let e = parse(&held("2026-11-20", "committee", "4", "7"), ISSUED, TODAY, &d).unwrap_err();
        assert!(e.get("expected").unwrap().contains("支委5人"), "{e:?}");
        let general = data(Some(0), Some(6));
        let e = parse(&held("2026-11-20", "general", "4", "5"), ISSUED, TODAY, &general).unwrap_err();
        assert!(e.get("expected").unwrap().contains("党员6人"));
    }

    #[test]
    fn an_absence_is_explained() {
        let d = data(Some(5), Some(18));
        let mut f = held("2026-11-20", "committee", "4", "5");
        f.absentees = " ".into();
        let e = parse(&f, ISSUED, TODAY, &d).unwrap_err();
        assert_eq!(e.get("absentees"), Some("请填写缺席人员及原因"));
        let mut f = held("2026-11-20", "committee", "4", "5");
        f.absentees = "组织委员李明因公出差".into();
        assert!(
            matches!(parse(&f, ISSUED, TODAY, &d).unwrap(), Meeting::Held { ref absentees, .. } if absentees == "组织委员李明因公出差")
        );
        let all = parse(&held("2026-11-20", "committee", "5", "5"), ISSUED, TODAY, &d).unwrap();
        assert!(
            matches!(all, Meeting::Held { ref absentees, .. } if absentees.is_empty()),
            "all there: none kept"
        );
    }

    #[test]
    fn more_than_half_must_be_present() {
        let d = data(Some(6), Some(18));
        let half = parse(&held("2026-11-20", "committee", "3", "6"), ISSUED, TODAY, &d).unwrap_err();
        assert!(half.get("present").unwrap().contains("未超过应到人数（6人）的半数"));
        assert!(parse(&held("2026-11-20", "committee", "4", "6"), ISSUED, TODAY, &d).is_ok());
        let more = parse(&held("2026-11-20", "committee", "7", "6"), ISSUED, TODAY, &d).unwrap_err();
        assert!(more.get("present").is_some());
    }

    #[test]
    fn every_missing_field_is_named_at_once() {
        let form = MeetingForm {
            held: "yes".into(),
            ..MeetingForm::default()
        };
        let e = parse(&form, ISSUED, TODAY, &Profile::default()).unwrap_err();
        for f in ["held_on", "kind", "chair", "present", "expected", "topics"] {
            assert!(e.get(f).is_some(), "{f}: {e:?}");
        }
        assert!(e.get("decisions").is_none(), "decisions are optional");
        let e = parse(&MeetingForm::default(), ISSUED, TODAY, &Profile::default()).unwrap_err();
        assert!(e.get("held").is_some());
    }

    #[test]
    fn a_saved_record_reads_back_as_its_form() {
        let d = data(Some(5), Some(18));
        let mut form = held("2026-11-20", "committee", "4", "5");
        form.version = 3;
        let m = parse(&form, ISSUED, TODAY, &d).unwrap();
        assert_eq!(MeetingForm::of(&m, 3), form);
    }

    #[test]
    fn not_held_needs_a_reason() {
        let form = MeetingForm {
            held: "no".into(),
            not_held_reason: "  ".into(),
            ..MeetingForm::default()
        };
        assert!(
            parse(&form, ISSUED, TODAY, &Profile::default())
                .unwrap_err()
                .get("not_held_reason")
                .is_some()
        );
        let form = MeetingForm {
            held: "no".into(),
            not_held_reason: "书记外出学习，定于12月5日召开".into(),
            ..MeetingForm::default()
        };
        let m = parse(&form, ISSUED, TODAY, &Profile::default()).unwrap();
        assert_eq!(m.summary(), "原因：书记外出学习，定于12月5日召开");
    }

    #[test]
    fn a_summary_names_the_body_and_attendance() {
        let m = parse(
            &held("2026-11-20", "committee", "5", "5"),
            ISSUED,
            TODAY,
            &data(Some(5), Some(18)),
        )
        .unwrap();
        assert_eq!(m.summary(), "2026-11-20 召开支委会，到会支委5/5人");
    }
}
