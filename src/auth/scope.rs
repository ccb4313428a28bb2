//! Which rows a user may see or change. A `Scope` is made here only, from an account's stored
//! role and unit (the logged-in user, or an account loaded by id for a command or a test):
//! nothing in a request can widen it, and a handler cannot build one from a URL. db/ applies it
//! in SQL (db::scope).

use crate::domain::{BranchId, CommitteeId, Role};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Scope(Reach);

/// How far a scope reaches, for reading only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reach {
    /// 组织部: every committee and branch.
    Campus,
    /// A reviewer: one committee and its branches.
    Committee(CommitteeId),
    /// A secretary: one branch.
    Branch(BranchId),
}

impl Scope {
    /// The scope a role and unit give. `None` if the unit the role needs is missing (the
    /// schema's CHECK makes that impossible; this refuses rather than widening the scope).
    pub(super) fn of(role: Role, committee: Option<CommitteeId>, branch: Option<BranchId>) -> Option<Scope> {
        match role {
            Role::Overseer => Some(Scope(Reach::Campus)),
            Role::Reviewer => committee.map(|c| Scope(Reach::Committee(c))),
            Role::Secretary => branch.map(|b| Scope(Reach::Branch(b))),
        }
    }

    /// The whole campus, as the 组织部 sees it: for the server's own work (the daily digest),
    /// never for a request.
    pub fn campus() -> Scope {
        Scope(Reach::Campus)
    }

    pub fn reach(self) -> Reach {
        self.0
    }

    pub fn is_campus(self) -> bool {
        self.0 == Reach::Campus
    }

    /// Whether a whole committee (its page, its report) is within this scope.
    pub fn covers_committee(self, committee: CommitteeId) -> bool {
        match self.0 {
            Reach::Campus => true,
            Reach::Committee(c) => c == committee,
            Reach::Branch(_) => false,
        }
    }

    /// This scope narrowed to one committee it covers (the 组织部 looking at one committee's
    /// page); `None` if it does not cover it. A scope only ever narrows.
    pub fn within_committee(self, committee: CommitteeId) -> Option<Scope> {
        self.covers_committee(committee)
            .then_some(Scope(Reach::Committee(committee)))
    }

    /// The campus scope narrowed to one branch (the overview reading again a branch that
    /// changed), or a branch scope to itself. `None` for a committee's scope: which committee a
    /// branch belongs to is the database's to say, so ask it with the committee's scope.
    pub fn within_branch(self, branch: BranchId) -> Option<Scope> {
        match self.0 {
            Reach::Campus => Some(Scope(Reach::Branch(branch))),
            Reach::Branch(b) if b == branch => Some(self),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_role_without_its_unit_gets_no_scope_rather_than_a_wider_one() {
        assert_eq!(Scope::of(Role::Secretary, Some(CommitteeId(1)), None), None);
        assert_eq!(Scope::of(Role::Reviewer, None, Some(BranchId(1))), None);
        assert_eq!(
            Scope::of(Role::Secretary, None, Some(BranchId(4))).map(Scope::reach),
            Some(Reach::Branch(BranchId(4)))
        );
        assert_eq!(
            Scope::of(Role::Overseer, None, None).map(Scope::reach),
            Some(Reach::Campus)
        );
    }

    #[test]
    fn only_campus_and_the_same_committee_cover_a_committee_and_scopes_only_narrow() {
        let campus = Scope::of(Role::Overseer, None, None).unwrap();
        let one = Scope::of(Role::Reviewer, Some(CommitteeId(1)), None).unwrap();
        let branch = Scope::of(Role::Secretary, None, Some(BranchId(1))).unwrap();
        assert!(campus.covers_committee(CommitteeId(1)));
        assert!(one.covers_committee(CommitteeId(1)));
        assert!(!one.covers_committee(CommitteeId(2)));
        assert!(!branch.covers_committee(CommitteeId(1)));
        assert_eq!(
            campus.within_committee(CommitteeId(2)).map(Scope::reach),
            Some(Reach::Committee(CommitteeId(2)))
        );
        assert_eq!(one.within_committee(CommitteeId(2)), None);
        assert_eq!(branch.within_committee(CommitteeId(1)), None);
    }
}
