//! What makes a valid 党总支（党委）, 党支部 and account as the 组织部 keeps them.

use super::Role;
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
    pub full_member_count: i64,
    pub secretary_name: String,
}

impl BranchInput {
    pub fn parse(name: &str, members: &str, secretary: &str) -> Result<BranchInput, FieldErrors> {
        let mut e = FieldErrors::default();
        let name = text("党支部名称", name, UNIT_NAME_MAX, true).unwrap_or_else(|m| {
            e.add("name", m);
            String::new()
        });
        let full_member_count = match members.trim() {
            "" => 0,
            m => match m.parse::<i64>() {
                Ok(n) if (0..=MEMBERS_MAX).contains(&n) => n,
                _ => {
                    e.add("full_member_count", format!("正式党员人数应为 0–{MEMBERS_MAX} 的整数"));
                    0
                }
            },
        };
        let secretary_name = text("书记姓名", secretary, PERSON_NAME_MAX, false).unwrap_or_else(|m| {
            e.add("secretary_name", m);
            String::new()
        });
        if e.is_empty() {
            Ok(BranchInput {
                name,
                full_member_count,
                secretary_name,
            })
        } else {
            Err(e)
        }
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
        let b = BranchInput::parse(" 化学系教工党支部 ", "12", "赵珺").unwrap();
        assert_eq!(
            (b.name.as_str(), b.full_member_count, b.secretary_name.as_str()),
            ("化学系教工党支部", 12, "赵珺")
        );
        let e = BranchInput::parse("", "-1", &"名".repeat(31)).err().unwrap();
        assert!(e.get("name").is_some() && e.get("full_member_count").is_some() && e.get("secretary_name").is_some());
        assert_eq!(BranchInput::parse("x", "", "").unwrap().full_member_count, 0);
        assert!(BranchInput::parse("x", "七", "").is_err());
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
