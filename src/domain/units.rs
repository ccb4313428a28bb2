//! What makes a valid 党总支（党委）, 党支部 and account as the 组织部 keeps them.

use time::Date;

use super::Role;
use super::dates::parse_typed_date;
use super::hints::Profile;
use super::input::{FieldErrors, text};
use super::states::coded_enum;

coded_enum!(
    /// Who answers a ledger item, and what a unit with a ledger is: a 党支部, or a 党总支（党委）
    /// answering for itself (本级) the items that are its own duties (1(5), 5(1), 5(2) in 2022).
    Level {
        Branch = "branch" / "党支部",
        Committee = "committee" / "党总支（党委）本级",
    }
);

/// A user's part in a unit's ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The unit's own people: they answer, record findings and measures, ask for 销号 and
    /// submit (a branch's secretary; a committee's reviewers for its 本级 ledger).
    Own,
    /// The 上级党组织: they review, confirm 销号, sign off and reopen (a branch's committee or
    /// the 组织部; the 组织部 for a committee's 本级 ledger).
    Above,
}

impl Part {
    /// The part `role` plays in the ledger of a unit of `level` its scope covers (a secretary
    /// never reaches a committee's own unit).
    pub fn of(role: Role, level: Level) -> Option<Part> {
        match (level, role) {
            (Level::Branch, Role::Secretary) | (Level::Committee, Role::Reviewer) => Some(Part::Own),
            (Level::Branch, Role::Reviewer | Role::Overseer) | (Level::Committee, Role::Overseer) => Some(Part::Above),
            (Level::Committee, Role::Secretary) => None,
        }
    }
}

pub const UNIT_NAME_MAX: usize = 60;
pub const PERSON_NAME_MAX: usize = 30;
pub const MEMBERS_MAX: i64 = 10_000;

pub struct CommitteeInput {
    pub name: String,
}

impl CommitteeInput {
    pub fn parse(name: &str) -> Result<CommitteeInput, FieldErrors> {
        let mut e = FieldErrors::default();
        match text("党总支（党委）名称", name, UNIT_NAME_MAX, true) {
            Ok(name) => Ok(CommitteeInput { name }),
            Err(m) => {
                e.add("name", m);
                Err(e)
            }
        }
    }
}

#[derive(Debug, Clone)]
pub struct BranchInput {
    pub name: String,
    pub secretary_name: String,
}

impl BranchInput {
    pub fn parse(name: &str, secretary: &str) -> Result<BranchInput, FieldErrors> {
        let mut e = FieldErrors::default();
        let name = text("党支部名称", name, UNIT_NAME_MAX, true).unwrap_or_else(|m| {
            e.add("name", m);
            String::new()
        });
        let secretary_name = text("书记姓名", secretary, PERSON_NAME_MAX, false).unwrap_or_else(|m| {
            e.add("secretary_name", m);
            String::new()
        });
        if e.is_empty() {
            Ok(BranchInput { name, secretary_name })
        } else {
            Err(e)
        }
    }
}

/// The longest term a branch's committee may have (the schema's CHECK too).
pub const TERM_YEARS_MAX: i64 = 5;
pub const COMMITTEE_MEMBERS_MAX: i64 = 50;

/// A branch's data as typed (blank: not known), checked field by field: dates that are real and
/// not in the future, counts in range, no more 支委 than 正式党员.
pub fn profile(
    last_election: &str, term_years: &str, committee_members: &str, full_members: &str, vacant_since: &str, today: Date,
) -> Result<Profile, FieldErrors> {
    let mut e = FieldErrors::default();
    let mut past_date = |field: &'static str, label: &str, v: &str| -> Option<Date> {
        match v.trim() {
            "" => None,
            t => match parse_typed_date(t) {
                Some(d) if d > today => {
                    e.add(field, format!("{label}不能晚于今天"));
                    None
                }
                Some(d) => Some(d),
                None => {
                    e.add(field, format!("{label}请按“2024-06-30”的格式填写"));
                    None
                }
            },
        }
    };
    let last_election_on = past_date("last_election_on", "上次换届日期", last_election);
    let secretary_vacant_since = past_date("secretary_vacant_since", "书记空缺起始日期", vacant_since);
    let term_years = match term_years.trim() {
        "" => Some(3),
        t => match t.parse::<i64>() {
            Ok(n) if (1..=TERM_YEARS_MAX).contains(&n) => Some(n),
            _ => {
                e.add("term_years", format!("任期应为 1–{TERM_YEARS_MAX} 年"));
                None
            }
        },
    };
    let mut count = |field: &'static str, label: &str, v: &str, max: i64| -> Option<i64> {
        match v.trim() {
            "" => None,
            t => match t.parse::<i64>() {
                Ok(n) if (0..=max).contains(&n) => Some(n),
                _ => {
                    e.add(field, format!("{label}应为 0–{max} 的整数"));
                    None
                }
            },
        }
    };
    let committee_members = count(
        "committee_members",
        "支委人数",
        committee_members,
        COMMITTEE_MEMBERS_MAX,
    );
    let full_members = count("full_members", "正式党员人数", full_members, MEMBERS_MAX);
    if let (Some(c), Some(f)) = (committee_members, full_members)
        && c > f
    {
        e.add("committee_members", "支委人数不能多于正式党员人数（支委须是正式党员）");
    }
    match term_years {
        Some(term_years) if e.is_empty() => Ok(Profile {
            last_election_on,
            term_years,
            committee_members,
            full_members,
            secretary_vacant_since,
        }),
        _ => Err(e),
    }
}

/// A display name for an account.
pub fn person_name(value: &str) -> Result<String, String> {
    text("姓名", value, PERSON_NAME_MAX, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_committee_keeps_its_own_ledger_and_the_organisation_department_reviews_it() {
        assert_eq!(Part::of(Role::Secretary, Level::Branch), Some(Part::Own));
        assert_eq!(Part::of(Role::Reviewer, Level::Branch), Some(Part::Above));
        assert_eq!(Part::of(Role::Overseer, Level::Branch), Some(Part::Above));
        assert_eq!(Part::of(Role::Reviewer, Level::Committee), Some(Part::Own));
        assert_eq!(Part::of(Role::Overseer, Level::Committee), Some(Part::Above));
        assert_eq!(Part::of(Role::Secretary, Level::Committee), None);
    }

    #[test]
    fn branch_fields_are_checked_together() {
        let b = BranchInput::parse(" 化学系教工党支部 ", "赵珺").unwrap();
        assert_eq!(
            (b.name.as_str(), b.secretary_name.as_str()),
            ("化学系教工党支部", "赵珺")
        );
        let e = BranchInput::parse("", &"名".repeat(31)).err().unwrap();
        assert!(e.get("name").is_some() && e.get("secretary_name").is_some());
    }

    #[test]
    fn a_profile_is_checked_field_by_field_and_blank_is_unknown() {
        let today = time::macros::date!(2026 - 11 - 30);
        let p = profile("2024年6月30日", "", "5", "12", "", today).unwrap();
        assert_eq!(p.last_election_on, Some(time::macros::date!(2024 - 06 - 30)));
        assert_eq!(
            (p.term_years, p.committee_members, p.full_members),
            (3, Some(5), Some(12))
        );
        assert_eq!(profile("", "", "", "", "", today).unwrap(), Profile::default());
        let e = profile("2027-01-01", "9", "七", "-1", "昨天", today).unwrap_err();
        for f in [
            "last_election_on",
            "term_years",
            "committee_members",
            "full_members",
            "secretary_vacant_since",
        ] {
            assert!(e.get(f).is_some(), "{f}");
        }
        let e = profile("", "", "8", "6", "", today).unwrap_err();
        assert!(e.get("committee_members").unwrap().contains("不能多于正式党员"));
    }

    #[test]
    fn names_are_required_and_bounded() {
        assert!(CommitteeInput::parse("  ").is_err());
        assert!(CommitteeInput::parse(&"院".repeat(61)).is_err());
        assert_eq!(
            CommitteeInput::parse("化学化工学院党委").unwrap().name,
            "化学化工学院党委"
        );
        assert!(person_name("").is_err());
    }
}
