//! Bulk import of units and accounts (an XLSX the 组织部 fills from a template): every row is
//! checked, and the whole file is refused with a row-by-row report unless every row is right.

use std::collections::HashSet;

use super::password_policy::check_username;
use super::role::Role;
use time::Date;

use super::hints::Profile;
use super::units::{BranchInput, CommitteeInput, person_name, profile};

/// The template's columns, in order. The branch's data (附件1's checks) and the account's e-mail
/// came last, so a file filled from an earlier template (seven or eleven columns) still reads.
pub const COLUMNS: [&str; 12] = [
    "党总支（党委）",
    "党支部",
    "正式党员人数",
    "书记",
    "用户名",
    "姓名",
    "角色",
    "上次换届日期",
    "任期（年）",
    "支委人数",
    "书记空缺起始日期",
    "邮箱",
];

/// One sheet row as read: (row number, the cells).
pub type Row = (usize, [String; 12]);

/// What already exists, to check against.
pub struct Existing<'a> {
    pub committees: Vec<&'a str>,
    /// (committee name, branch name)
    pub branches: Vec<(&'a str, &'a str)>,
    pub usernames: Vec<&'a str>,
}

/// Where an account belongs, by name (resolved to ids when saving).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unit {
    Campus,
    Committee(String),
    Branch(String, String),
}

#[derive(Debug, Default)]
pub struct Plan {
    /// New committees, in file order.
    pub committees: Vec<String>,
    /// New branches: (committee name, branch).
    pub branches: Vec<(String, BranchInput)>,
    /// New accounts: (username, name, role, unit, e-mail).
    pub accounts: Vec<(String, String, Role, Unit, Option<String>)>,
    /// A branch's data for the current campaign, new or existing branch: (committee, branch).
    pub profiles: Vec<((String, String), Profile)>,
}

fn role_of(cell: &str) -> Option<Role> {
    match cell.trim() {
        "组织部" | "overseer" => Some(Role::Overseer),
        "审核人" | "党总支（党委）审核人" | "党总支审核人" | "reviewer" => Some(Role::Reviewer),
        "党支部书记" | "书记" | "secretary" => Some(Role::Secretary),
        _ => None,
    }
}

/// Checks every row (dates of the branch's data against `today`); `Err` lists each problem as
/// "第 N 行：…".
pub fn plan(rows: &[Row], existing: &Existing<'_>, today: Date) -> Result<Plan, Vec<String>> {
    let mut problems = Vec::new();
    let mut plan = Plan::default();
    let mut committees: HashSet<String> = existing.committees.iter().map(|c| c.to_string()).collect();
    let mut branches: HashSet<(String, String)> = existing
        .branches
        .iter()
        .map(|(c, b)| (c.to_string(), b.to_string()))
        .collect();
    let mut usernames: HashSet<String> = existing.usernames.iter().map(|u| u.to_lowercase()).collect();

    for (line, cells) in rows {
        let cells = cells.each_ref().map(|c| super::input::clean(c));
        let [
            committee,
            branch,
            members,
            secretary,
            username,
            name,
            role,
            elected,
            term,
            committee_members,
            vacant,
            email,
        ] = cells.each_ref().map(|c| c.trim());
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut unit_failed = false;
        let mut say = |m: String| problems.push(format!("第 {line} 行：{m}"));
        let committee = if committee.is_empty() {
            None
        } else {
            match CommitteeInput::parse(committee) {
                Ok(c) => Some(c.name),
                Err(e) => {
                    e.0.iter().for_each(|(_, m)| say(m.clone()));
                    unit_failed = true;
                    None
                }
            }
        };
        if let Some(c) = &committee
            && committees.insert(c.clone())
        {
            plan.committees.push(c.clone());
        }
        let branch = if branch.is_empty() {
            None
        } else if let Some(c) = &committee {
            let data = [members, elected, term, committee_members, vacant];
            let profile = if data.iter().all(|d| d.is_empty()) {
                Ok(None)
            } else {
                profile(elected, term, committee_members, members, vacant, today).map(Some)
            };
            match (BranchInput::parse(branch, secretary), profile) {
                (Ok(b), Ok(p)) => {
                    let key = (c.clone(), b.name.clone());
                    if let Some(p) = p {
                        plan.profiles.push((key.clone(), p));
                    }
                    if branches.insert(key) {
                        plan.branches.push((c.clone(), b));
                    }
                    Some((c.clone(), branch.to_string()))
                }
                (b, p) => {
                    let errors = b.err().into_iter().chain(p.err());
                    errors.for_each(|e| e.0.iter().for_each(|(_, m)| say(m.clone())));
                    unit_failed = true;
                    None
                }
            }
        } else {
            say("填写了党支部，但没有填写所属党总支（党委）".into());
            unit_failed = true;
            None
        };
        // A unit that failed its own checks has been reported; its account's checks would only
        // repeat the same fault in other words.
        if unit_failed {
            continue;
        }
        if username.is_empty() {
            if !name.is_empty() || !role.is_empty() {
                say("填写了姓名或角色，但没有填写用户名".into());
            }
            continue;
        }
        if let Err(m) = check_username(username) {
            say(m.into());
            continue;
        }
        if !usernames.insert(username.to_lowercase()) {
            say(format!("用户名 {username} 已存在（系统中或本文件前面的行）"));
            continue;
        }
        let display = match person_name(name) {
            Ok(n) => n,
            Err(m) => {
                say(m);
                continue;
            }
        };
        let unit = match (role_of(role), &committee, &branch) {
            (Some(Role::Overseer), None, None) => Unit::Campus,
            (Some(Role::Reviewer), Some(c), None) => Unit::Committee(c.clone()),
            (Some(Role::Secretary), Some(_), Some((c, b))) => Unit::Branch(c.clone(), b.clone()),
            (None, _, _) => {
                say(format!("角色“{role}”无法识别，应为：组织部、审核人、党支部书记"));
                continue;
            }
            (Some(Role::Overseer), _, _) => {
                say("组织部账号不属于任何党总支或党支部，请清空这两列".into());
                continue;
            }
            (Some(Role::Reviewer), _, _) => {
                say("审核人账号应只填写所属党总支（党委），不填党支部".into());
                continue;
            }
            (Some(Role::Secretary), _, _) => {
                say("党支部书记账号须同时填写所属党总支（党委）和党支部".into());
                continue;
            }
        };
        let email = match super::notify::email(email) {
            Ok(e) => e,
            Err(m) => {
                say(m.into());
                continue;
            }
        };
        let role = role_of(role).expect("matched above");
        plan.accounts.push((username.to_string(), display, role, unit, email));
    }
    if problems.is_empty() { Ok(plan) } else { Err(problems) }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TODAY: Date = time::macros::date!(2026 - 11 - 30);

    /// A row of the first template's seven columns.
    fn row(line: usize, cells: [&str; 7]) -> Row {
        let mut all = [""; 12];
        all[..7].copy_from_slice(&cells);
        (line, all.map(str::to_string))
    }

    #[test]
    fn an_account_may_carry_an_e_mail_address_checked_like_any_other() {
        let mut cells = [""; 12];
        cells[..7].copy_from_slice(&["机关党委", "", "", "", "reviewer9", "王五", "审核人"]);
        cells[11] = "wangwu@example.edu.cn";
        let plan = plan(&[(2, cells.map(str::to_string))], &existing(), TODAY).unwrap();
        assert_eq!(plan.accounts[0].4.as_deref(), Some("wangwu@example.edu.cn"));
        cells[11] = "wangwu at example";
        let problems = plan_problems(&[(3, cells.map(str::to_string))]);
        assert!(problems[0].starts_with("第 3 行：邮箱地址格式不正确"), "{problems:?}");
    }

    fn plan_problems(rows: &[Row]) -> Vec<String> {
        plan(rows, &existing(), TODAY).unwrap_err()
    }

    fn existing() -> Existing<'static> {
        Existing {
            committees: vec!["机关党委"],
            branches: vec![("机关党委", "党委办公室党支部")],
            usernames: vec!["secretary1"],
        }
    }

    #[test]
    fn a_good_file_plans_units_and_accounts_once_each() {
        let rows = [
            row(2, ["化学化工学院党委", "", "", "", "hx.reviewer", "钱堃", "审核人"]),
            row(
                3,
                [
                    "化学化工学院党委",
                    "化学系教工党支部",
                    "12",
                    "赵珺",
                    "hx.s1",
                    "赵珺",
                    "党支部书记",
                ],
            ),
            row(4, ["化学化工学院党委", "化工系学生党支部", "30", "孙玥", "", "", ""]),
            row(
                5,
                ["机关党委", "党委办公室党支部", "", "", "jg.s2", "周昇", "党支部书记"],
            ),
            row(6, ["", "", "", "", "zzb2", "吴赟", "组织部"]),
            row(7, ["", "", "", "", "", "", ""]),
        ];
        let p = plan(&rows, &existing(), TODAY).unwrap();
        assert_eq!(p.committees, ["化学化工学院党委"]);
        assert_eq!(p.branches.len(), 2, "existing branches are not made again");
        assert_eq!(p.accounts.len(), 4);
        assert_eq!(
            p.accounts[1].3,
            Unit::Branch("化学化工学院党委".into(), "化学系教工党支部".into())
        );
        assert_eq!(p.accounts[3].3, Unit::Campus);
    }

    #[test]
    fn every_bad_row_is_reported_and_nothing_is_planned() {
        let rows = [
            row(2, ["", "某党支部", "", "", "", "", ""]),
            row(3, ["化学党委", "化学支部", "十二", "", "", "", ""]),
            row(4, ["化学党委", "", "", "", "secretary1", "重名", "审核人"]),
            row(5, ["化学党委", "", "", "", "new.user", "新人", "校长"]),
            row(6, ["化学党委", "", "", "", "s.x", "王", "党支部书记"]),
            row(7, ["化学党委", "", "", "", "张 三", "张三", "审核人"]),
        ];
        let problems = plan(&rows, &existing(), TODAY).unwrap_err();
        assert_eq!(problems.len(), 6, "{problems:?}");
        assert!(problems[0].starts_with("第 2 行：") && problems[0].contains("没有填写所属党总支"));
        assert!(problems[1].contains("正式党员人数"));
        assert!(problems[2].contains("secretary1 已存在"));
        assert!(problems[3].contains("角色“校长”无法识别"));
        assert!(problems[4].contains("须同时填写所属党总支（党委）和党支部"));
        assert!(problems[5].starts_with("第 7 行：用户名只能"));
    }

    #[test]
    fn a_branchs_data_is_planned_for_new_and_existing_branches_and_checked() {
        let mut rows = [
            row(2, ["化学化工学院党委", "化学系教工党支部", "12", "赵珺", "", "", ""]),
            row(3, ["机关党委", "党委办公室党支部", "", "", "", "", ""]),
            row(4, ["机关党委", "党委办公室党支部", "", "", "", "", ""]),
        ];
        rows[0].1[7] = "2024-06-30".into();
        rows[0].1[9] = "5".into();
        rows[1].1[10] = "2026/7/1".into();
        let p = plan(&rows, &existing(), TODAY).unwrap();
        assert_eq!(p.profiles.len(), 2, "a row without data changes none");
        let (key, data) = &p.profiles[0];
        assert_eq!(key, &("化学化工学院党委".to_string(), "化学系教工党支部".to_string()));
        assert_eq!(
            (data.full_members, data.committee_members, data.term_years),
            (Some(12), Some(5), 3)
        );
        assert_eq!(
            p.profiles[1].1.secretary_vacant_since,
            Some(time::macros::date!(2026 - 07 - 01))
        );
        rows[2].1[9] = "9".into();
        rows[2].1[2] = "6".into();
        let problems = plan(&rows, &existing(), TODAY).unwrap_err();
        assert!(
            problems[0].starts_with("第 4 行：支委人数不能多于正式党员人数"),
            "{problems:?}"
        );
    }

    #[test]
    fn a_username_twice_in_the_file_is_caught() {
        let rows = [
            row(2, ["", "", "", "", "a.b", "甲", "组织部"]),
            row(3, ["", "", "", "", "A.B", "乙", "组织部"]),
        ];
        assert!(plan(&rows, &existing(), TODAY).unwrap_err()[0].starts_with("第 3 行"));
    }
}
