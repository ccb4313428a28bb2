use super::states::coded_enum;

coded_enum!(
    /// What a user may do; their unit (branch or committee) decides where.
    Role {
        /// 组织部: the whole campus.
        Overseer = "overseer" / "组织部",
        /// 党总支（党委）书记 or 组织员: one committee and its branches.
        Reviewer = "reviewer" / "党总支（党委）审核人",
        /// 党支部书记: one branch.
        Secretary = "secretary" / "党支部书记",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_is_refused() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.code()), Some(*r));
        }
        assert_eq!(Role::parse("admin"), None);
        assert_eq!(Role::parse("Overseer"), None);
    }
}
