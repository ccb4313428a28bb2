//! What the system tells people who are not looking: each event's short Chinese message (what
//! happened, what to do, the deadline, and the row it concerns), who receives it, and what a
//! committee's work-group robot may say of it. Robots post into third-party groups: they say
//! counts and give a link, never a finding's text, a name or evidence.

use time::Date;

use super::dates::{days_left, format_date};
use super::states::coded_enum;
use super::{BranchId, CommitteeId, MeasureId};

coded_enum!(
    /// What an account wants by e-mail (the in-app list always has everything).
    MailChoice {
        All = "all" / "每条消息都发邮件",
        Digest = "digest" / "只发每日汇总",
        Off = "off" / "不发邮件",
    }

    /// How a committee's work group receives robot messages.
    RobotKind {
        WeCom = "wecom" / "企业微信群机器人",
        DingTalk = "dingtalk" / "钉钉群机器人",
    }

    /// Where a message goes out.
    Channel {
        Email = "email" / "邮件",
        WeCom = "wecom" / "企业微信",
        DingTalk = "dingtalk" / "钉钉",
    }

    /// A queued message's state.
    OutboxState {
        Queued = "queued" / "待发送",
        Sending = "sending" / "发送中",
        Sent = "sent" / "已发送",
        Failed = "failed" / "发送失败",
    }
);

/// Who receives a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Whoever keeps the unit's ledger: a branch's secretary, a committee's reviewers for its 本级.
    Keepers(BranchId),
    /// The level above the unit: its committee's reviewers (and robot), or the 组织部 for a
    /// committee's 本级.
    Above(BranchId),
    /// A committee's reviewers (and robot).
    Reviewers(CommitteeId),
    /// Every active account.
    Everyone,
}

/// A message as the in-app list, an e-mail and (if any) a robot carry it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub subject: String,
    pub body: String,
    /// The row concerned: a path in the app.
    pub link: String,
    /// What a robot may post (counts, and a link); `None`: not for robots.
    pub robot: Option<Robot>,
}

/// A robot's post: a count in words and the page to handle it on. The sender frames it
/// (`robot_text`) with the full address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Robot {
    pub what: String,
    pub link: String,
}

/// A robot's post as it is sent.
pub fn robot_text(what: &str, url: &str) -> String {
    format!("【党支部对账整改】{what}。请登录系统处理：{url}")
}

/// A few words of a user's text for a message's subject: the first 24 characters.
pub fn gist(text: &str) -> String {
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut chars = one_line.chars();
    let head: String = chars.by_ref().take(24).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

/// "2 条整改措施已逾期，1 条 7 天内到期", naming only what there is.
fn due_words(due: usize, overdue: usize) -> String {
    match (overdue, due - overdue) {
        (0, soon) => format!("{soon} 条整改措施 7 天内到期"),
        (late, 0) => format!("{late} 条整改措施已逾期"),
        (late, soon) => format!("{late} 条整改措施已逾期，{soon} 条 7 天内到期"),
    }
}

fn deadline_words(deadline: Option<Date>, today: Date) -> String {
    match deadline {
        None => "未填写整改时限".into(),
        Some(d) => match days_left(d, today) {
            n if n < 0 => format!("整改时限 {}，已逾期 {} 天", format_date(d), -n),
            0 => format!("整改时限 {}，今天到期", format_date(d)),
            n => format!("整改时限 {}，还有 {n} 天", format_date(d)),
        },
    }
}

/// The events that send messages.
#[derive(Debug, Clone)]
pub enum Event<'a> {
    /// A unit handed its ledger in: the level above reviews it.
    LedgerSubmitted { branch: BranchId, unit: &'a str },
    /// A measure's 销号 was requested.
    CloseOutRequested {
        branch: BranchId,
        unit: &'a str,
        measure: MeasureId,
        text: &'a str,
    },
    /// The level above sent the ledger back.
    LedgerReturned { branch: BranchId, returned: i64 },
    /// 销号 confirmed or rejected (with why).
    CloseOutDecided {
        branch: BranchId,
        measure: MeasureId,
        text: &'a str,
        rejected: Option<&'a str>,
    },
    /// The ledger was signed off.
    LedgerSignedOff { branch: BranchId },
    /// The 组织部 put a 督查发现 into the unit's ledger.
    InspectionRaised { branch: BranchId, finding: i64 },
    /// A 督查发现 handed in on its own.
    InspectionHandedIn { branch: BranchId, unit: &'a str },
    /// The level above decided a 督查发现 handed in on its own: approved, or returned (why).
    InspectionDecided {
        branch: BranchId,
        finding: i64,
        returned: Option<&'a str>,
    },
    /// The reviewer's 催办 of one measure.
    Urged {
        branch: BranchId,
        measure: MeasureId,
        text: &'a str,
        deadline: Option<Date>,
        today: Date,
    },
    /// The reviewer's 催办 of a whole unit: its measures due within 7 days or overdue.
    UnitUrged {
        branch: BranchId,
        due: usize,
        overdue: usize,
    },
    /// 附件3 and 报送 due within 3 days (`days_left` ≥ 0) or past due, not yet 报送.
    DeliveryDue {
        committee: CommitteeId,
        due: Date,
        today: Date,
    },
    /// A branch's term ended or ends within the warning window (按期换届提醒).
    TermDue {
        committee: CommitteeId,
        branch: BranchId,
        name: &'a str,
        ends_on: Date,
        today: Date,
    },
    /// The 组织部 returned the committee's 报送.
    DeliveryReturned { committee: CommitteeId, reason: &'a str },
    /// A new campaign is current.
    CampaignOpened { title: &'a str, self_check_due: Date },
}

impl Event<'_> {
    pub fn audience(&self) -> Audience {
        use Event::*;
        match *self {
            LedgerSubmitted { branch, .. } | CloseOutRequested { branch, .. } | InspectionHandedIn { branch, .. } => {
                Audience::Above(branch)
            }
            LedgerReturned { branch, .. }
            | CloseOutDecided { branch, .. }
            | LedgerSignedOff { branch }
            | InspectionRaised { branch, .. }
            | InspectionDecided { branch, .. }
            | Urged { branch, .. }
            | UnitUrged { branch, .. } => Audience::Keepers(branch),
            DeliveryDue { committee, .. } | TermDue { committee, .. } | DeliveryReturned { committee, .. } => {
                Audience::Reviewers(committee)
            }
            CampaignOpened { .. } => Audience::Everyone,
        }
    }

    pub fn message(&self) -> Message {
        use Event::*;
        let robot = |what: &str, link: &str| {
            Some(Robot {
                what: what.to_string(),
                link: link.to_string(),
            })
        };
        match self {
            LedgerSubmitted { branch, unit } => {
                let link = format!("/branches/{}/review", branch.0);
                Message {
                    subject: format!("【待审核】{unit}提交了对账整改台账"),
                    body: format!(
                        "{unit}已提交问题整改台账，请审核：逐条通过或退回查摆问题，全部通过后确认“四个到位”并审核签字。"
                    ),
                    robot: robot("有 1 本台账提交审核", &link),
                    link,
                }
            }
            CloseOutRequested { branch, unit, measure, text } => {
                let link = format!("/branches/{}/measures/{}", branch.0, measure.0);
                Message {
                    subject: format!("【销号申请】{unit}：{}", gist(text)),
                    body: format!(
                        "{unit}申请销号的整改措施：{}。请核对证明材料后确认销号或不予销号。",
                        gist(text)
                    ),
                    robot: robot("有 1 条整改措施申请销号", &link),
                    link,
                }
            }
            LedgerReturned { branch, returned } => Message {
                subject: "【退回修改】台账被退回，请按审核意见修改".into(),
                body: format!(
                    "上级党组织退回了台账，{returned} 项需修改（审核意见写在各条旁）。请修改后重新提交审核。"
                ),
                link: format!("/branches/{}", branch.0),
                robot: None,
            },
            CloseOutDecided { branch, measure, text, rejected } => {
                let link = format!("/branches/{}/measures/{}", branch.0, measure.0);
                match rejected {
                    None => Message {
                        subject: format!("【已销号】{}", gist(text)),
                        body: format!("整改措施“{}”已经上级党组织审核确认销号。", gist(text)),
                        link,
                        robot: None,
                    },
                    Some(why) => Message {
                        subject: format!("【不予销号】{}", gist(text)),
                        body: format!(
                            "整改措施“{}”未通过销号审核。原因：{why}。请补充整改或证明材料后重新申请销号。",
                            gist(text)
                        ),
                        link,
                        robot: None,
                    },
                }
            }
            LedgerSignedOff { branch } => Message {
                subject: "【已签字】台账已审核签字".into(),
                body: "上级党组织已审核签字。请继续按整改时限推进各项措施，完成后申请销号。".into(),
                link: format!("/branches/{}", branch.0),
                robot: None,
            },
            InspectionRaised { branch, finding } => Message {
                subject: "【督查发现】组织部督查发现的问题已列入台账".into(),
                body: "组织部督查发现的问题已列入本台账（督查发现·待整改）。请制定整改措施：台账已审核签字的，这一条单独提交审核；正在审核中的，待上级退回后填写。".into(),
                link: format!("/branches/{}/findings/{finding}", branch.0),
                robot: None,
            },
            InspectionHandedIn { branch, unit } => {
                let link = format!("/branches/{}/review", branch.0);
                Message {
                    subject: format!("【待审核】{unit}提交了督查发现的整改措施"),
                    body: format!("{unit}对组织部督查发现的问题制定了整改措施并单独提交，请审核。"),
                    robot: robot("有 1 条督查发现提交审核", &link),
                    link,
                }
            }
            InspectionDecided { branch, finding, returned } => Message {
                subject: match returned {
                    None => "【已通过】督查发现的整改措施已审核通过".into(),
                    Some(_) => "【退回修改】督查发现的整改措施被退回".into(),
                },
                body: match returned {
                    None => "上级党组织审核通过了督查发现的整改措施。请按整改时限推进，完成后申请销号。".into(),
                    Some(why) => format!("上级党组织退回了督查发现的整改措施。审核意见：{why}。请修改后再单独提交审核。"),
                },
                link: format!("/branches/{}/findings/{finding}", branch.0),
                robot: None,
            },
            Urged { branch, measure, text, deadline, today } => Message {
                subject: format!("【催办】{}", gist(text)),
                body: format!(
                    "上级党组织催办整改措施“{}”（{}）。请尽快推进，完成后上传证明材料申请销号；确需延期的请申请延期。",
                    gist(text),
                    deadline_words(*deadline, *today)
                ),
                link: format!("/branches/{}/measures/{}", branch.0, measure.0),
                robot: None,
            },
            UnitUrged { branch, due, overdue } => Message {
                subject: format!("【催办】{}", due_words(*due, *overdue)),
                body: format!(
                    "上级党组织催办：本单位有 {due} 条整改措施已逾期或 7 天内到期（逾期 {overdue} 条）。请逐条推进，完成后申请销号；确需延期的请申请延期。"
                ),
                link: format!("/branches/{}", branch.0),
                robot: None,
            },
            DeliveryDue { committee, due, today } => {
                let link = format!("/committees/{}/report", committee.0);
                let (subject, when) = match days_left(*due, *today) {
                    n if n < 0 => ("【报送逾期】附件3和台账尚未报送".to_string(), format!("报送时限 {} 已过 {} 天", format_date(*due), -n)),
                    n => ("【报送提醒】附件3和台账即将到期".to_string(), format!("报送时限 {}，还有 {n} 天", format_date(*due))),
                };
                Message {
                    subject,
                    body: format!("本党总支（党委）的附件3报告和各支部台账尚未报送组织部（{when}）。请审核签字后报送。"),
                    robot: robot(&format!("附件3和台账尚未报送（{when}）"), &link),
                    link,
                }
            }
            TermDue { committee, branch, name, ends_on, today } => {
                let when = if ends_on < today {
                    format!("任期已于 {} 届满", format_date(*ends_on))
                } else {
                    format!("任期将于 {} 届满", format_date(*ends_on))
                };
                Message {
                    subject: format!("【按期换届提醒】{name}{when}"),
                    body: format!("{name}{when}。请督促其按期换届，并在支部基本情况中更新换届日期。"),
                    link: format!("/branches/{}/profile", branch.0),
                    robot: robot("有党支部任期届满或即将届满", &format!("/committees/{}", committee.0)),
                }
            }
            DeliveryReturned { committee, reason } => {
                let link = format!("/committees/{}/report#delivery", committee.0);
                Message {
                    subject: "【报送退回】组织部退回了报送材料".into(),
                    body: format!("组织部退回了本党总支（党委）的报送。原因：{reason}。请修改后重新签字报送。"),
                    robot: robot("报送材料被组织部退回", &link),
                    link,
                }
            }
            CampaignOpened { title, self_check_due } => Message {
                subject: format!("【新专项行动】{title}"),
                body: format!(
                    "{title}已开始。请登录系统对照问题台账开展对账查摆，对账查摆时限 {}。",
                    format_date(*self_check_due)
                ),
                link: "/".into(),
                robot: None,
            },
        }
    }
}

/// A secretary's digest line: a measure due within 7 days or overdue.
pub struct DueMeasure<'a> {
    pub text: &'a str,
    pub deadline: Date,
}

/// The daily digest of a secretary: their measures due within 7 days and overdue; `None` when
/// there is nothing to say.
pub fn secretary_digest(branch: BranchId, measures: &[DueMeasure<'_>], today: Date) -> Option<Message> {
    if measures.is_empty() {
        return None;
    }
    let overdue = measures.iter().filter(|m| m.deadline < today).count();
    let lines: Vec<String> = measures
        .iter()
        .map(|m| format!("· {}（{}）", gist(m.text), deadline_words(Some(m.deadline), today)))
        .collect();
    Some(Message {
        subject: format!("【每日提醒】{}", due_words(measures.len(), overdue)),
        body: format!(
            "以下整改措施已逾期或 7 天内到期，请尽快推进，完成后申请销号：\n{}",
            lines.join("\n")
        ),
        link: format!("/branches/{}", branch.0),
        robot: None,
    })
}

/// What waits for a reviewer, for the digest.
#[derive(Debug, Clone, Copy, Default)]
pub struct Queue {
    pub ledgers: i64,
    pub close_outs: i64,
    pub terms_due: i64,
}

/// The daily digest of a reviewer: their waiting queue; `None` when nothing waits.
pub fn reviewer_digest(committee: CommitteeId, q: Queue) -> Option<Message> {
    if q.ledgers + q.close_outs + q.terms_due == 0 {
        return None;
    }
    let mut parts = Vec::new();
    if q.ledgers > 0 {
        parts.push(format!("待审核台账或督查发现 {} 项", q.ledgers));
    }
    if q.close_outs > 0 {
        parts.push(format!("销号与延期申请 {} 条", q.close_outs));
    }
    if q.terms_due > 0 {
        parts.push(format!("任期届满或即将届满的党支部 {} 个（按期换届提醒）", q.terms_due));
    }
    Some(Message {
        subject: format!("【每日提醒】{}", parts.join("，")),
        body: format!("您有待处理的事项：{}。请登录系统处理。", parts.join("；")),
        link: format!("/committees/{}", committee.0),
        robot: None,
    })
}

/// When a failed send is tried again: after `base` seconds, doubling with each attempt, at most
/// an hour; `None` once `max_attempts` have failed (the message is marked failed).
pub fn retry_after(attempts: i64, base: i64, max_attempts: i64) -> Option<i64> {
    if attempts >= max_attempts {
        return None;
    }
    let exp = (attempts - 1).clamp(0, 20) as u32;
    Some(base.max(1).saturating_mul(1_i64 << exp).min(3600))
}

/// Checks an e-mail address as typed: optional; one `@` with text on both sides and a dot in the
/// domain, no spaces, at most 254 characters.
pub fn email(value: &str) -> Result<Option<String>, &'static str> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let ok = v.len() <= 254
        && !v
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>,;\"'".contains(c))
        && v.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if ok {
        Ok(Some(v.to_string()))
    } else {
        Err("邮箱地址格式不正确，请填写如 name@example.edu.cn 的地址")
    }
}

/// Checks a robot's webhook address: an http(s) URL without spaces.
pub fn webhook_url(value: &str) -> Result<String, &'static str> {
    let v = value.trim();
    let ok = (v.starts_with("https://") || v.starts_with("http://"))
        && v.len() <= 500
        && !v
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>\"".contains(c));
    if ok {
        Ok(v.to_string())
    } else {
        Err("请填写群机器人的 Webhook 地址（以 https:// 开头）")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 12 - 01);

    #[test]
    fn each_event_says_what_happened_what_to_do_and_links_to_its_row() {
        let e = Event::CloseOutDecided {
            branch: BranchId(4),
            measure: MeasureId(13),
            text: "补开专题组织生活会，逐一对照检查",
            rejected: Some("缺少会议记录"),
        };
        let m = e.message();
        assert_eq!(e.audience(), Audience::Keepers(BranchId(4)));
        assert!(m.subject.starts_with("【不予销号】"));
        assert!(m.body.contains("缺少会议记录") && m.body.contains("重新申请销号"));
        assert_eq!(m.link, "/branches/4/measures/13");
        assert!(m.robot.is_none(), "a secretary's message is not for a group");
        let u = Event::Urged {
            branch: BranchId(1),
            measure: MeasureId(2),
            text: "x",
            deadline: Some(date!(2026 - 11 - 28)),
            today: TODAY,
        };
        assert!(u.message().body.contains("整改时限 2026-11-28，已逾期 3 天"));
    }

    #[test]
    fn a_robot_says_counts_and_a_link_never_the_text_or_a_name() {
        let e = Event::CloseOutRequested {
            branch: BranchId(2),
            unit: "汉语言文学系学生第一党支部",
            measure: MeasureId(9),
            text: "秘密的整改措施内容",
        };
        let robot = e.message().robot.unwrap();
        assert_eq!(robot.link, "/branches/2/measures/9");
        let robot = robot_text(&robot.what, "https://dj.example.edu.cn/branches/2/measures/9");
        assert!(robot.contains("1 条整改措施申请销号") && robot.ends_with("/branches/2/measures/9"));
        assert!(!robot.contains("秘密") && !robot.contains("汉语言"), "{robot}");
        let t = Event::TermDue {
            committee: CommitteeId(1),
            branch: BranchId(3),
            name: "某支部",
            ends_on: TODAY,
            today: TODAY,
        };
        assert!(!t.message().robot.unwrap().what.contains("某支部"));
    }

    #[test]
    fn a_digest_is_nothing_when_there_is_nothing_to_say() {
        assert!(secretary_digest(BranchId(1), &[], TODAY).is_none());
        assert!(reviewer_digest(CommitteeId(1), Queue::default()).is_none());
        let d = secretary_digest(
            BranchId(1),
            &[
                DueMeasure {
                    text: "补齐会议记录",
                    deadline: date!(2026 - 11 - 29),
                },
                DueMeasure {
                    text: "换届选举",
                    deadline: date!(2026 - 12 - 05),
                },
            ],
            TODAY,
        )
        .unwrap();
        assert_eq!(d.subject, "【每日提醒】1 条整改措施已逾期，1 条 7 天内到期");
        assert!(d.body.contains("补齐会议记录（整改时限 2026-11-29，已逾期 2 天）"));
        let r = reviewer_digest(
            CommitteeId(2),
            Queue {
                ledgers: 1,
                close_outs: 2,
                terms_due: 0,
            },
        )
        .unwrap();
        assert!(r.subject.contains("待审核台账或督查发现 1 项") && r.subject.contains("销号与延期申请 2 条"));
    }

    #[test]
    fn counts_name_only_what_there_is() {
        assert_eq!(due_words(3, 3), "3 条整改措施已逾期");
        assert_eq!(due_words(2, 0), "2 条整改措施 7 天内到期");
        assert_eq!(due_words(3, 1), "1 条整改措施已逾期，2 条 7 天内到期");
    }

    #[test]
    fn retries_back_off_doubling_up_to_an_hour_then_stop() {
        assert_eq!(retry_after(1, 60, 8), Some(60));
        assert_eq!(retry_after(2, 60, 8), Some(120));
        assert_eq!(retry_after(7, 60, 8), Some(3600));
        assert_eq!(retry_after(8, 60, 8), None);
    }

    #[test]
    fn addresses_are_checked() {
        assert_eq!(email(" a.b@example.edu.cn "), Ok(Some("a.b@example.edu.cn".into())));
        assert_eq!(email(""), Ok(None));
        for bad in ["ab", "a@b", "a b@c.cn", "@c.cn", "a@.cn", "a@b@c.cn", "<a@b.cn>"] {
            assert!(email(bad).is_err(), "{bad}");
        }
        assert!(webhook_url("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc").is_ok());
        assert!(webhook_url("javascript:alert(1)").is_err());
    }

    #[test]
    fn a_gist_is_one_line_of_at_most_24_characters() {
        assert_eq!(gist("一二三\n四五"), "一二三 四五");
        assert_eq!(gist(&"字".repeat(30)).chars().count(), 25);
    }
}
