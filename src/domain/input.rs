//! Validated input. Each `parse` takes what the form sent and returns either a value that obeys
//! the rules or the Chinese message for each field at fault, so the page can show it next to the
//! field with the user's input kept.

use time::{Date, Duration};

use super::dates::parse_typed_date;
use super::states::{MeasureStatus, Verdict};

/// Length limits, stated to the user next to each field.
pub const FINDING_MAX: usize = 2000;
pub const MEASURE_MAX: usize = 1000;
pub const OWNER_MAX: usize = 50;
pub const REASON_MAX: usize = 500;
pub const NOTE_MAX: usize = 2000;

/// What a form sent, by field name, kept to show again after a refusal.
pub fn typed_fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// Messages by field name (the form field's `name`).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FieldErrors(pub Vec<(&'static str, String)>);

impl FieldErrors {
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.push((field, message.into()));
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, m)| m.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every message, in one line.
    pub fn messages(&self) -> String {
        self.0.iter().map(|(_, m)| m.as_str()).collect::<Vec<_>>().join("；")
    }

    pub fn into_result<T>(self, value: T) -> Result<T, FieldErrors> {
        if self.is_empty() { Ok(value) } else { Err(self) }
    }
}

/// Typed text as it is stored: control characters (a pasted NUL, an escape sequence) and bidi
/// overrides (which can make a row read differently from what it says) are dropped, line breaks
/// kept as `\n`, tabs as spaces. SQLite would cut a string at a NUL, and a row of nothing but
/// control characters would pass for text here and be refused by the database's CHECK.
/// Invisible characters that reorder text (bidi marks, embeddings, overrides, isolates): with
/// them a row, or a file name such as "报告\u{202e}gnp.exe", reads differently from what it is.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{061c}')
}

pub fn clean(value: &str) -> String {
    value
        .replace("\r\n", "\n")
        .chars()
        .filter_map(|c| match c {
            '\n' => Some('\n'),
            '\t' => Some(' '),
            c if is_bidi_control(c) => None,
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

/// Cleans and trims `value` and checks it is present (if `required`) and at most `max`
/// characters.
pub fn text(label: &str, value: &str, max: usize, required: bool) -> Result<String, String> {
    let cleaned = clean(value);
    let v = cleaned.trim();
    let len = v.chars().count();
    if required && len == 0 {
        return Err(format!("请填写{label}"));
    }
    if len > max {
        return Err(format!("{label}不能超过 {max} 字（现为 {len} 字）"));
    }
    Ok(v.to_string())
}

fn field(errors: &mut FieldErrors, name: &'static str, r: Result<String, String>) -> String {
    r.unwrap_or_else(|m| {
        errors.add(name, m);
        String::new()
    })
}

/// 对账查摆 answer to one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerdictInput {
    pub verdict: Verdict,
    /// Required for 不适用; kept empty otherwise.
    pub reason: String,
}

impl VerdictInput {
    pub fn parse(verdict: &str, reason: &str) -> Result<VerdictInput, FieldErrors> {
        let mut e = FieldErrors::default();
        let Some(verdict) = Verdict::parse(verdict) else {
            e.add("verdict", "请选择：存在问题、未发现问题或不适用");
            return Err(e);
        };
        let reason = if verdict == Verdict::NotApplicable {
            field(&mut e, "reason", text("不适用的理由", reason, REASON_MAX, true))
        } else {
            String::new()
        };
        e.into_result(VerdictInput { verdict, reason })
    }
}

/// The text of a finding.
pub fn finding_text(value: &str) -> Result<String, FieldErrors> {
    let mut e = FieldErrors::default();
    let t = field(&mut e, "text", text("查摆问题", value, FINDING_MAX, true));
    e.into_result(t)
}

/// The dates a deadline may take: from the campaign's notice to three years after it. Anything
/// else is a typing slip (2202, 1022…), not a plan.
pub fn deadline_window(issued_on: Date) -> (Date, Date) {
    (issued_on, issued_on + Duration::days(3 * 365))
}

/// A measure as the secretary edits it. Deadline and owner may stay blank while drafting; the
/// submission gate requires them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeasureInput {
    pub text: String,
    /// 整改时限; for a 长期坚持 measure its 阶段性完成时限 (the first checkpoint).
    pub deadline: Option<Date>,
    pub owner: String,
    pub status: MeasureStatus,
    /// 立行立改: done on the spot.
    pub immediate: bool,
    /// 长期坚持: a rule that runs on past its first checkpoint.
    pub long_term: bool,
}

/// The measure as stored, for checking an edit of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SavedMeasure {
    pub status: MeasureStatus,
    pub deadline: Option<Date>,
    /// The ledger has been handed in: the deadline moves only by an approved 延期申请
    /// (domain::progress::deadline_locked).
    pub deadline_locked: bool,
}

impl SavedMeasure {
    pub fn open(status: MeasureStatus, deadline: Option<Date>) -> SavedMeasure {
        SavedMeasure {
            status,
            deadline,
            deadline_locked: false,
        }
    }
}

/// What kind of measure: 立行立改 and 长期坚持 exclude each other (checkboxes on the form).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MeasureKind {
    pub immediate: bool,
    pub long_term: bool,
}

impl MeasureKind {
    pub const PLANNED: MeasureKind = MeasureKind {
        immediate: false,
        long_term: false,
    };
    pub const IMMEDIATE: MeasureKind = MeasureKind {
        immediate: true,
        long_term: false,
    };
    pub const LONG_TERM: MeasureKind = MeasureKind {
        immediate: false,
        long_term: true,
    };
}

impl MeasureInput {
    /// `saved` is the measure as stored, `None` for a new one. The deadline window is checked
    /// only on a deadline entered or changed: a saved deadline that now lies outside it (the
    /// campaign's dates were edited) never blocks an edit of the text.
    pub fn parse(
        text_value: &str, deadline: &str, owner: &str, status: &str, kind: MeasureKind, saved: Option<SavedMeasure>,
        window: (Date, Date),
    ) -> Result<MeasureInput, FieldErrors> {
        let current = saved.map(|s| s.status);
        let saved_deadline = saved.and_then(|s| s.deadline);
        let locked = saved.is_some_and(|s| s.deadline_locked);
        let mut e = FieldErrors::default();
        let text_value = field(&mut e, "text", text("整改措施", text_value, MEASURE_MAX, true));
        let owner = field(&mut e, "owner", text("责任人", owner, OWNER_MAX, false));
        let label = if kind.long_term {
            "阶段性完成时限"
        } else {
            "整改时限"
        };
        let deadline = match deadline.trim() {
            "" if locked && saved_deadline.is_some() => {
                e.add("deadline", super::progress::DEADLINE_LOCKED);
                None
            }
            "" => None,
            d => match parse_typed_date(d) {
                Some(d) if locked && Some(d) != saved_deadline => {
                    e.add("deadline", super::progress::DEADLINE_LOCKED);
                    None
                }
                Some(d) if Some(d) != saved_deadline && (d < window.0 || d > window.1) => {
                    e.add("deadline", format!("{label}应在 {} 至 {} 之间", window.0, window.1));
                    None
                }
                Some(d) => Some(d),
                None => {
                    e.add("deadline", format!("{label}不是有效日期，请按 2022-10-31 的格式填写"));
                    None
                }
            },
        };
        if kind.immediate && kind.long_term {
            e.add("kind", "“立行立改”和“长期坚持”只能选一项");
        }
        // The edit form offers 未开始 and 整改中; 已完成 comes by 立行立改 or a 销号 request,
        // and stays while the request is pending.
        let status = match (kind.immediate, status) {
            (true, _) => MeasureStatus::Done,
            (false, "done") if current == Some(MeasureStatus::Done) => MeasureStatus::Done,
            (false, "" | "not_started") => MeasureStatus::NotStarted,
            (false, "in_progress") => MeasureStatus::InProgress,
            (false, _) => {
                e.add("status", "请选择未开始或整改中；完成后请用“申请销号”");
                MeasureStatus::NotStarted
            }
        };
        e.into_result(MeasureInput {
            text: text_value,
            deadline,
            owner,
            status,
            immediate: kind.immediate,
            long_term: kind.long_term,
        })
    }
}

/// The completion note of a 销号 request.
pub fn completion_note(value: &str) -> Result<String, FieldErrors> {
    let mut e = FieldErrors::default();
    let n = field(&mut e, "note", text("完成情况说明", value, NOTE_MAX, true));
    e.into_result(n)
}

#[cfg(test)]
mod clean_tests {
    use super::clean;

    #[test]
    fn control_characters_and_bidi_overrides_are_dropped_and_line_breaks_kept() {
        assert_eq!(clean("甲\u{0}乙\u{1b}[31m丙\u{7f}"), "甲乙[31m丙");
        assert_eq!(clean("\u{202e}反向\u{202c}"), "反向");
        assert_eq!(clean("第一行\r\n第二行\t完"), "第一行\n第二行 完");
        assert_eq!(clean("😀👨\u{200d}👩"), "😀👨\u{200d}👩", "emoji sequences stay whole");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const WINDOW: (Date, Date) = (date!(2022 - 10 - 05), date!(2025 - 10 - 04));

    #[test]
    fn not_applicable_needs_a_reason_and_others_drop_it() {
        let e = VerdictInput::parse("not_applicable", "  ").unwrap_err();
        assert_eq!(e.get("reason"), Some("请填写不适用的理由"));
        let v = VerdictInput::parse("no_problem", "ignored").unwrap();
        assert_eq!(v.reason, "");
        assert!(VerdictInput::parse("maybe", "").unwrap_err().get("verdict").is_some());
        let v = VerdictInput::parse("not_applicable", " 本支部无委员会 ").unwrap();
        assert_eq!(v.reason, "本支部无委员会");
    }

    #[test]
    fn lengths_are_counted_in_characters_and_stated() {
        assert!(finding_text(&"问".repeat(FINDING_MAX)).is_ok());
        let e = finding_text(&"问".repeat(FINDING_MAX + 1)).unwrap_err();
        assert_eq!(e.get("text"), Some("查摆问题不能超过 2000 字（现为 2001 字）"));
        assert_eq!(finding_text(" \n ").unwrap_err().get("text"), Some("请填写查摆问题"));
        assert_eq!(
            finding_text("\u{0}\u{1}\u{1b}").unwrap_err().get("text"),
            Some("请填写查摆问题"),
            "control characters alone are no text"
        );
    }

    #[test]
    fn deadlines_must_exist_and_be_sensible() {
        let ok = MeasureInput::parse(
            "补开支委会",
            "2022-11-30",
            "张喆",
            "in_progress",
            MeasureKind::PLANNED,
            None,
            WINDOW,
        )
        .unwrap();
        assert_eq!(ok.deadline, Some(date!(2022 - 11 - 30)));
        assert_eq!(ok.status, MeasureStatus::InProgress);
        for bad in ["2022-02-30", "22/11/30", "明年"] {
            let e = MeasureInput::parse("补开", bad, "", "", MeasureKind::PLANNED, None, WINDOW).unwrap_err();
            assert!(e.get("deadline").unwrap().contains("有效日期"), "{bad}");
        }
        for far in ["2202-11-30", "2021-01-01"] {
            let e = MeasureInput::parse("补开", far, "", "", MeasureKind::PLANNED, None, WINDOW).unwrap_err();
            assert!(e.get("deadline").unwrap().contains("之间"), "{far}");
        }
        assert_eq!(
            MeasureInput::parse("补开", "", "", "", MeasureKind::PLANNED, None, WINDOW)
                .unwrap()
                .deadline,
            None
        );
    }

    #[test]
    fn a_saved_deadline_outside_the_window_is_kept_but_a_new_one_is_checked() {
        let saved = Some(SavedMeasure::open(
            MeasureStatus::InProgress,
            Some(date!(2022 - 09 - 30)),
        ));
        let m = MeasureInput::parse(
            "改了文字",
            "2022-09-30",
            "张喆",
            "in_progress",
            MeasureKind::PLANNED,
            saved,
            WINDOW,
        )
        .unwrap();
        assert_eq!(m.deadline, Some(date!(2022 - 09 - 30)), "unchanged: no window check");
        let e = MeasureInput::parse(
            "改了文字",
            "2022-09-29",
            "张喆",
            "in_progress",
            MeasureKind::PLANNED,
            saved,
            WINDOW,
        )
        .unwrap_err();
        assert!(e.get("deadline").unwrap().contains("之间"), "changed: checked");
    }

    #[test]
    fn immediate_means_done_and_done_is_not_offered_otherwise() {
        let m = MeasureInput::parse("当场更正", "", "", "not_started", MeasureKind::IMMEDIATE, None, WINDOW).unwrap();
        assert_eq!(m.status, MeasureStatus::Done);
        let e = MeasureInput::parse("x", "", "", "closed_out", MeasureKind::PLANNED, None, WINDOW).unwrap_err();
        assert!(e.get("status").is_some());
        let e = MeasureInput::parse(
            "x",
            "",
            "",
            "done",
            MeasureKind::PLANNED,
            Some(SavedMeasure::open(MeasureStatus::InProgress, None)),
            WINDOW,
        )
        .unwrap_err();
        assert!(e.get("status").is_some(), "done only by request");
        let m = MeasureInput::parse(
            "x",
            "",
            "",
            "done",
            MeasureKind::PLANNED,
            Some(SavedMeasure::open(MeasureStatus::Done, None)),
            WINDOW,
        )
        .unwrap();
        assert_eq!(m.status, MeasureStatus::Done, "a pending request survives an edit");
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let e = MeasureInput::parse("", "bad", &"人".repeat(51), "", MeasureKind::PLANNED, None, WINDOW).unwrap_err();
        assert!(e.get("text").is_some() && e.get("deadline").is_some() && e.get("owner").is_some());
    }

    #[test]
    fn after_submission_a_deadline_moves_only_by_extension() {
        let saved = Some(SavedMeasure {
            deadline_locked: true,
            ..SavedMeasure::open(MeasureStatus::InProgress, Some(date!(2022 - 12 - 31)))
        });
        let same = MeasureInput::parse(
            "改了文字",
            "2022-12-31",
            "",
            "in_progress",
            MeasureKind::PLANNED,
            saved,
            WINDOW,
        );
        assert_eq!(same.unwrap().deadline, Some(date!(2022 - 12 - 31)));
        for moved in ["2023-01-31", "2022-11-30", ""] {
            let e =
                MeasureInput::parse("甲", moved, "", "in_progress", MeasureKind::PLANNED, saved, WINDOW).unwrap_err();
            assert!(e.get("deadline").unwrap().contains("延期申请"), "{moved:?}");
        }
    }

    #[test]
    fn long_term_names_its_checkpoint_and_excludes_immediate() {
        let m = MeasureInput::parse(
            "每季度公示党费",
            "2022-12-31",
            "",
            "",
            MeasureKind::LONG_TERM,
            None,
            WINDOW,
        )
        .unwrap();
        assert!(m.long_term && !m.immediate);
        let e = MeasureInput::parse("甲", "明年", "", "", MeasureKind::LONG_TERM, None, WINDOW).unwrap_err();
        assert!(e.get("deadline").unwrap().starts_with("阶段性完成时限"));
        let both = MeasureKind {
            immediate: true,
            long_term: true,
        };
        assert!(
            MeasureInput::parse("甲", "", "", "", both, None, WINDOW)
                .unwrap_err()
                .get("kind")
                .is_some()
        );
    }
}
