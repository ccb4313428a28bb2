use serde::{Deserialize, Serialize};

/// What a user may do; their unit (branch or committee) decides where.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// 组织部: the whole campus.
    Overseer,
    /// 党总支（党委）书记 or 组织员: one committee and its branches.
    Reviewer,
    /// 党支部书记: one branch.
    Secretary,
}

impl Role {
    pub fn code(self) -> &'static str {
        match self {
            Role::Overseer => "overseer",
            Role::Reviewer => "reviewer",
            Role::Secretary => "secretary",
        }
    }

    pub fn parse(code: &str) -> Option<Role> {
        match code {
            "overseer" => Some(Role::Overseer),
            "reviewer" => Some(Role::Reviewer),
            "secretary" => Some(Role::Secretary),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Overseer => "组织部",
            Role::Reviewer => "党总支（党委）审核人",
            Role::Secretary => "党支部书记",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_is_refused() {
        for r in [Role::Overseer, Role::Reviewer, Role::Secretary] {
            assert_eq!(Role::parse(r.code()), Some(r));
        }
        assert_eq!(Role::parse("admin"), None);
        assert_eq!(Role::parse("Overseer"), None);
    }
}
