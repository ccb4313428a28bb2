//! Which rows a user may see or change. Built only from the logged-in user, never from the request.

use super::{BranchId, CommitteeId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// 组织部: every committee and branch.
    Campus,
    /// A reviewer: one committee and its branches.
    Committee(CommitteeId),
    /// A secretary: one branch.
    Branch(BranchId),
}

/// The scope as two nullable SQL parameters, so every query on branch-owned rows can apply it as
/// `(?c IS NULL OR branches.committee_id = ?c) AND (?b IS NULL OR branches.id = ?b)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScopeFilter {
    pub committee: Option<i64>,
    pub branch: Option<i64>,
}

impl Scope {
    pub fn filter(self) -> ScopeFilter {
        match self {
            Scope::Campus => ScopeFilter {
                committee: None,
                branch: None,
            },
            Scope::Committee(c) => ScopeFilter {
                committee: Some(c.0),
                branch: None,
            },
            Scope::Branch(b) => ScopeFilter {
                committee: None,
                branch: Some(b.0),
            },
        }
    }

    /// Whether a whole committee (its page, its report) is within this scope.
    pub fn covers_committee(self, committee: CommitteeId) -> bool {
        match self {
            Scope::Campus => true,
            Scope::Committee(c) => c == committee,
            Scope::Branch(_) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_narrow_to_the_users_unit() {
        assert_eq!(
            Scope::Campus.filter(),
            ScopeFilter {
                committee: None,
                branch: None
            }
        );
        assert_eq!(
            Scope::Committee(CommitteeId(3)).filter(),
            ScopeFilter {
                committee: Some(3),
                branch: None
            }
        );
        assert_eq!(
            Scope::Branch(BranchId(7)).filter(),
            ScopeFilter {
                committee: None,
                branch: Some(7)
            }
        );
    }

    #[test]
    fn only_campus_and_the_same_committee_cover_a_committee() {
        assert!(Scope::Campus.covers_committee(CommitteeId(1)));
        assert!(Scope::Committee(CommitteeId(1)).covers_committee(CommitteeId(1)));
        assert!(!Scope::Committee(CommitteeId(2)).covers_committee(CommitteeId(1)));
        assert!(!Scope::Branch(BranchId(1)).covers_committee(CommitteeId(1)));
    }
}
