//! `duizhang seed-demo`: a small but realistic campus — three committees, seven branches, an
//! account for each, and ledgers at every stage — for trying the product and for tests.
//! Names use characters outside GB2312 (喆 堃 玥 昇 赟 珺) on purpose: exports must render them.

use anyhow::{Context, bail};
use time::{Date, Duration};

use crate::auth::password;
use crate::db::findings::NewFinding;
use crate::db::measures::NewMeasure;
use crate::db::units::NewBranch;
use crate::db::users::NewUser;
use crate::db::{self, Db};
use crate::domain::campaign::CampaignInput;
use crate::domain::dates::today;
use crate::domain::hints::Profile;
use crate::domain::meeting::{Meeting, MeetingKind};
use crate::domain::states::{FindingSource, LedgerState, MeasureStatus, ReviewState, Verdict};
use crate::domain::units::Level;
use crate::domain::{BranchId, CategoryId, LedgerItemId, Role, UserId};

struct DemoCommittee {
    name: &'static str,
    reviewer: &'static str,
    branches: &'static [DemoBranch],
    /// Its own 本级 ledger (the committee's own items), kept by its reviewer.
    own: Option<DemoLedger>,
}

struct DemoBranch {
    name: &'static str,
    secretary: &'static str,
    members: i64,
    /// Its data (附件1's checks): the term ends this many days from today (negative: overdue),
    /// counted from a 换届 three years before; 支委 count; 书记 vacant for this many days.
    term_ends_in_days: i64,
    committee_members: i64,
    vacant_days: Option<i64>,
    ledger: Option<DemoLedger>,
}

struct DemoLedger {
    state: LedgerState,
    /// Items answered: every item of these categories (by position) …
    categories_answered: &'static [i64],
    /// … 存在问题 on these (category, item) …
    problems: &'static [(i64, i64)],
    /// … 不适用 on these, with the reason; the rest 未发现问题.
    not_applicable: &'static [(i64, i64)],
    findings: &'static [DemoFinding],
}

struct DemoFinding {
    category: i64,
    /// `None` = 延伸自查.
    item: Option<i64>,
    text: &'static str,
    review: ReviewState,
    review_comment: &'static str,
    measures: &'static [DemoMeasure],
}

struct DemoMeasure {
    text: &'static str,
    /// Deadline in days from today (negative = already past); `None` = not set yet.
    due_in_days: Option<i64>,
    owner: &'static str,
    status: MeasureStatus,
    immediate: bool,
    /// 长期坚持: `due_in_days` is then its first checkpoint.
    long_term: bool,
    note: &'static str,
}

const ALL: &[i64] = &[1, 2, 3, 4, 5, 6];

/// A 1×1 PNG standing in for a photo of a 工作记录本 page.
const DEMO_PHOTO: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0A, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00,
    0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];
const NA_REASON: &str = "本支部无此项工作，经支委会研究确认不适用。";

const CAMPUS: &[DemoCommittee] = &[
    DemoCommittee {
        name: "计算机工程学院党委",
        reviewer: "周国栋",
        own: Some(DemoLedger {
            state: LedgerState::InProgress,
            categories_answered: &[1, 5],
            problems: &[(5, 2)],
            not_applicable: &[],
            findings: &[DemoFinding {
                category: 5,
                item: Some(2),
                text: "党委{Y}年仅组织1次党支部书记集中培训，2名新任支部书记未参加，书记轮训未做到全覆盖；对所属党支部“三会一课”的日常检查以听汇报为主，现场督导少。",
                review: ReviewState::Pending,
                review_comment: "",
                measures: &[DemoMeasure {
                    text: "{Y}年12月组织新任党支部书记专题轮训，每季度对所属党支部开展1次现场督导检查。",
                    due_in_days: Some(25),
                    owner: "周国栋",
                    status: MeasureStatus::InProgress,
                    immediate: false,
                    long_term: false,
                    note: "",
                }],
            }],
        }),
        branches: &[
            DemoBranch {
                name: "计算机科学与技术系教工党支部",
                secretary: "张喆",
                members: 18,
                term_ends_in_days: -40,
                committee_members: 5,
                vacant_days: None,
                ledger: Some(DemoLedger {
                    state: LedgerState::Submitted,
                    categories_answered: ALL,
                    problems: &[(2, 1), (3, 1), (6, 2), (6, 3)],
                    not_applicable: &[],
                    findings: &[
                        DemoFinding {
                            category: 2,
                            item: Some(1),
                            text: "{Y}年上半年支部共召开党员大会3次、支委会5次，对照《中国共产党支部工作条例（试行）》“支委会一般每月召开1次”的要求，4月、6月因集中外出调研和期末教学任务未召开支委会；讲党课仅1次（书记讲党课，主题为“喜迎二十大、奋进新征程”），未达到每季度至少1次的要求。另外，e支部/灯塔系统中第2季度有2次活动补传超过7天（分别为5月12日、6月3日），工作记录本与系统记录存在不一致，例如参会人数记录为“18人”，系统填写为“17人”；上述问题反映出支部“三会一课”计划性不强、台账管理不够规范。",
                            review: ReviewState::Pending,
                            review_comment: "",
                            measures: &[
                                DemoMeasure {
                                    text: "制定《支部{Y}—{Y+1}学年“三会一课”工作计划》，明确每月第二周周三召开支委会，每季度书记或委员讲党课1次，经支委会研究后报党委备案。",
                                    due_in_days: Some(20),
                                    owner: "张喆",
                                    status: MeasureStatus::InProgress,
                                    immediate: false,
                                    long_term: false,
                                    note: "",
                                },
                                DemoMeasure {
                                    text: "在支委会上如实说明4月、6月未召开支委会的原因并报党委备案；自本月起按计划每月召开，会议记录当场记录、当场签字。",
                                    due_in_days: Some(-4),
                                    owner: "组织委员 李明",
                                    status: MeasureStatus::NotStarted,
                                    immediate: false,
                                    long_term: false,
                                    note: "",
                                },
                            ],
                        },
                        DemoFinding {
                            category: 3,
                            item: Some(1),
                            text: "经逐份核查{Y-3}—{Y}年入党材料，发现2名入党积极分子（均为{Y-2}级本科生）的入党申请书存在段落雷同（相似度约60%）；1名预备党员{Y}年3—5月党费未按时缴纳，补缴时间为6月20日；培养联系人考察记录过于简单，个别季度只写“表现良好”4个字，未体现思想汇报和谈话情况。另有1份发展对象政审材料缺少函调回执，已联系生源地补寄（快递单号SF1234567890）；入党宣誓仪式未按规范流程领誓，照片、视频等影像资料未及时上传“灯塔—党建在线”系统，报学校党委备案平均延迟约2周。",
                            review: ReviewState::Pending,
                            review_comment: "",
                            measures: &[
                                DemoMeasure {
                                    text: "督促该预备党员补缴党费，并在支部党员大会上通报党费缴纳情况。",
                                    due_in_days: Some(-10),
                                    owner: "张喆",
                                    status: MeasureStatus::ClosedOut,
                                    immediate: true,
                                    long_term: false,
                                    note: "已补缴并于党员大会通报，见工作记录本第23页。",
                                },
                                DemoMeasure {
                                    text: "对雷同的入党申请书约谈当事人，要求重新撰写；培养联系人自本季度起按规范填写考察记录，写明思想汇报和谈话情况。",
                                    due_in_days: Some(15),
                                    owner: "组织委员 李明",
                                    status: MeasureStatus::Done,
                                    immediate: false,
                                    long_term: false,
                                    note: "2名积极分子已重新提交申请书；培养联系人本季度考察记录已按规范填写。",
                                },
                                DemoMeasure {
                                    text: "补齐发展对象政审函调回执后归档。",
                                    due_in_days: Some(-3),
                                    owner: "李明",
                                    status: MeasureStatus::InProgress,
                                    immediate: false,
                                    long_term: false,
                                    note: "",
                                },
                            ],
                        },
                        DemoFinding {
                            category: 6,
                            item: Some(2),
                            text: "工作记录本9月份2次支委会未记录缺席人员及原因，1次主题党日参会人员未签字。",
                            review: ReviewState::Pending,
                            review_comment: "",
                            measures: &[DemoMeasure {
                                text: "组织委员在每次会议上当场记录缺席人员及原因、参会人员当场签字；支部书记每月末检查工作记录本。",
                                due_in_days: Some(30),
                                owner: "张喆",
                                status: MeasureStatus::NotStarted,
                                immediate: false,
                                long_term: true,
                                note: "",
                            }],
                        },
                        DemoFinding {
                            category: 6,
                            item: Some(3),
                            text: "灯塔—党建在线系统中7月主题党日活动类型错选为“党员大会”，未上传活动影像资料。",
                            review: ReviewState::Pending,
                            review_comment: "",
                            measures: &[DemoMeasure {
                                text: "更正活动类型并补传影像资料。",
                                due_in_days: Some(-11),
                                owner: "宣传委员 王珂",
                                status: MeasureStatus::Done,
                                immediate: true,
                                long_term: false,
                                note: "已在系统中更正，截图见附件。",
                            }],
                        },
                        DemoFinding {
                            category: 4,
                            item: None,
                            text: "支部年度工作计划与系党建工作要点重复较多，结合教学科研中心工作不够，“双带头人”作用发挥不明显。",
                            review: ReviewState::Pending,
                            review_comment: "",
                            measures: &[DemoMeasure {
                                text: "围绕学科建设和课程思政重新修订年度工作计划，设立“党员示范课堂”项目。",
                                due_in_days: Some(45),
                                owner: "张喆",
                                status: MeasureStatus::NotStarted,
                                immediate: false,
                                long_term: false,
                                note: "",
                            }],
                        },
                    ],
                }),
            },
            DemoBranch {
                name: "软件工程系教工党支部",
                secretary: "李堃",
                members: 12,
                term_ends_in_days: 60,
                committee_members: 3,
                vacant_days: None,
                ledger: Some(DemoLedger {
                    state: LedgerState::InProgress,
                    categories_answered: &[1, 2, 3],
                    problems: &[(2, 2), (3, 3)],
                    not_applicable: &[],
                    findings: &[
                        DemoFinding {
                            category: 2,
                            item: Some(2),
                            text: "主题党日活动以集中学习文件为主，形式单一，部分活动无明确主题。",
                            review: ReviewState::Pending,
                            review_comment: "",
                            measures: &[DemoMeasure {
                                text: "每月主题党日提前一周确定主题并报党委审核。",
                                due_in_days: None,
                                owner: "",
                                status: MeasureStatus::NotStarted,
                                immediate: false,
                                long_term: false,
                                note: "",
                            }],
                        },
                        DemoFinding {
                            category: 3,
                            item: Some(3),
                            text: "党员“政治生日”制度未落实，对生活困难党员的关爱帮扶缺少具体措施。",
                            review: ReviewState::Pending,
                            review_comment: "",
                            measures: &[],
                        },
                    ],
                }),
            },
            DemoBranch {
                name: "计算机工程学院本科生第一党支部",
                secretary: "王玥",
                members: 35,
                term_ends_in_days: 400,
                committee_members: 5,
                vacant_days: None,
                ledger: Some(DemoLedger {
                    state: LedgerState::Returned,
                    categories_answered: ALL,
                    problems: &[(2, 5), (3, 2), (6, 1)],
                    not_applicable: &[],
                    findings: &[
                        DemoFinding {
                            category: 2,
                            item: Some(5),
                            text: "组织生活补课要求落实不到位。",
                            review: ReviewState::Returned,
                            review_comment: "问题描述过于笼统：请写明涉及哪几次组织生活、几名党员未参加、是否安排补课。",
                            measures: &[DemoMeasure {
                                text: "建立缺席党员补课登记表。",
                                due_in_days: Some(10),
                                owner: "王玥",
                                status: MeasureStatus::NotStarted,
                                immediate: false,
                                long_term: false,
                                note: "",
                            }],
                        },
                        DemoFinding {
                            category: 3,
                            item: Some(2),
                            text: "支委与党员谈心谈话多谈学习和就业，较少涉及思想状况，谈话记录内容简单。",
                            review: ReviewState::Approved,
                            review_comment: "",
                            measures: &[DemoMeasure {
                                text: "支委每学期与每名党员至少谈心谈话1次，谈话记录写明思想状况和帮助措施。",
                                due_in_days: Some(-1),
                                owner: "王玥",
                                status: MeasureStatus::InProgress,
                                immediate: false,
                                long_term: false,
                                note: "",
                            }],
                        },
                        DemoFinding {
                            category: 6,
                            item: Some(1),
                            text: "{Y-2}年以前的发展党员档案未按年度分类装盒，部分材料保存在个人电脑中。",
                            review: ReviewState::Approved,
                            review_comment: "",
                            measures: &[DemoMeasure {
                                text: "按年度、按人整理党建档案并统一存放于学院党建档案室。",
                                due_in_days: Some(25),
                                owner: "组织委员 赵一帆",
                                status: MeasureStatus::InProgress,
                                immediate: false,
                                long_term: false,
                                note: "",
                            }],
                        },
                    ],
                }),
            },
        ],
    },
    DemoCommittee {
        name: "文学与新闻传播学院党总支",
        reviewer: "吴晓梅",
        own: None,
        branches: &[
            DemoBranch {
                name: "汉语言文学系教工党支部",
                secretary: "刘昇",
                members: 9,
                term_ends_in_days: -20,
                committee_members: 3,
                vacant_days: None,
                ledger: Some(DemoLedger {
                    state: LedgerState::SignedOff,
                    categories_answered: ALL,
                    problems: &[(1, 1), (4, 5)],
                    not_applicable: &[],
                    findings: &[
                        DemoFinding {
                            category: 1,
                            item: Some(1),
                            text: "支部于{Y-3}年9月换届，按期应于{Y}年9月换届，因支部书记外出访学，换届选举党员大会推迟召开。",
                            review: ReviewState::Approved,
                            review_comment: "",
                            measures: &[DemoMeasure {
                                text: "报党总支批准后召开党员大会完成换届选举。",
                                due_in_days: Some(-6),
                                owner: "刘昇",
                                status: MeasureStatus::ClosedOut,
                                immediate: false,
                                long_term: false,
                                note: "已召开党员大会完成换届选举，党总支批复文件已存档。",
                            }],
                        },
                        DemoFinding {
                            category: 4,
                            item: Some(5),
                            text: "“书香支部”特色创建提炼不够，创建方案措施不具体。",
                            review: ReviewState::Approved,
                            review_comment: "",
                            measures: &[DemoMeasure {
                                text: "修订特色支部创建方案，明确年度“经典诵读进社区”等3项具体活动。",
                                due_in_days: Some(-2),
                                owner: "刘昇",
                                status: MeasureStatus::InProgress,
                                immediate: false,
                                long_term: false,
                                note: "",
                            }],
                        },
                    ],
                }),
            },
            DemoBranch {
                name: "新闻传播系学生党支部",
                secretary: "陈赟",
                members: 22,
                term_ends_in_days: 200,
                committee_members: 5,
                vacant_days: None,
                ledger: None,
            },
        ],
    },
    DemoCommittee {
        name: "机关党委",
        reviewer: "郑海涛",
        own: None,
        branches: &[
            DemoBranch {
                name: "党委办公室党支部",
                secretary: "赵珺",
                members: 6,
                term_ends_in_days: 500,
                committee_members: 3,
                vacant_days: None,
                ledger: Some(DemoLedger {
                    state: LedgerState::InProgress,
                    categories_answered: &[1, 2],
                    problems: &[(1, 4)],
                    not_applicable: &[],
                    findings: &[DemoFinding {
                        category: 1,
                        item: Some(4),
                        text: "支部正式党员6人，不足7人却设立了支部委员会（3名委员），不符合规定。",
                        review: ReviewState::Pending,
                        review_comment: "",
                        measures: &[DemoMeasure {
                            text: "报机关党委批准，不设支部委员会，改设书记1名、副书记1名。",
                            due_in_days: Some(14),
                            owner: "赵珺",
                            status: MeasureStatus::NotStarted,
                            immediate: false,
                            long_term: false,
                            note: "",
                        }],
                    }],
                }),
            },
            DemoBranch {
                name: "组织部宣传部联合党支部",
                secretary: "孙立群",
                members: 11,
                term_ends_in_days: 300,
                committee_members: 0,
                vacant_days: Some(120),
                ledger: None,
            },
        ],
    },
];

/// The demo campaign's settings around `today`: the notice's dates (10-05 notice, 10-15 对账查摆,
/// 10-20 报送, 10-31 立项整改, 11-30 结果运用) moved as one so that today is 10-17 of that
/// pattern: 对账查摆 two days past, the 党总支's 报送 in three days, 立项整改 and 结果运用 ahead.
pub fn campaign_around(today: Date) -> CampaignInput {
    let issued_on = today - Duration::days(12);
    let year = issued_on.year();
    CampaignInput {
        title: format!("{year}年党支部对账整改专项行动"),
        doc_number: format!("组织部〔{year}〕44号"),
        issued_on,
        self_check_due: today - Duration::days(2),
        report_due: today + Duration::days(3),
        rectify_due: today + Duration::days(14),
        results_due: today + Duration::days(44),
        basis: crate::domain::progress::DeadlineBasis::Approved,
    }
}

/// A demo text with its years made relative to the campaign's: `{Y}`, `{Y-1}`… `{Y+1}`.
fn dated(text: &str, year: i32) -> String {
    let mut out = text.to_string();
    for offset in -3..=1 {
        let token = match offset {
            0 => "{Y}".to_string(),
            n if n > 0 => format!("{{Y+{n}}}"),
            n => format!("{{Y{n}}}"),
        };
        out = out.replace(&token, &(year + offset).to_string());
    }
    out
}

/// Fills an empty database; refuses one that already holds units or accounts.
/// Returns a summary of the accounts made.
pub async fn seed(db: &Db, password_for_all: &str) -> anyhow::Result<String> {
    if !db::units::campus_is_empty(&db.read).await? {
        bail!("the database already holds committees, branches or accounts; seed-demo only fills an empty one");
    }
    let campaign = db::campaigns::current(db)
        .await?
        .context("no current campaign in the database")?;
    let settings = campaign_around(today());
    let ledger_index = LedgerIndex {
        categories: db::ledger::categories(db, campaign.id).await?,
        items: db::ledger::items(db, campaign.id).await?,
        today: today(),
        year: settings.issued_on.year(),
    };

    // Hash first (CPU, off the write transaction): one salt per account.
    let account_count = 1 + CAMPUS.len() + CAMPUS.iter().map(|c| c.branches.len()).sum::<usize>();
    let mut hashes = Vec::with_capacity(account_count);
    for _ in 0..account_count {
        hashes.push(password::hash(password_for_all.to_string()).await?);
    }
    let mut hashes = hashes.into_iter();

    let lines = db
        .write(async |tx| -> anyhow::Result<Vec<String>> {
            let overseer = db::users::insert(
                &mut *tx,
                &NewUser {
                    username: "overseer",
                    display_name: "马文博",
                    password_hash: &hashes.next().expect("counted"),
                    role: Role::Overseer,
                    committee_id: None,
                    branch_id: None,
                    must_change_password: false,
                },
            )
            .await?;
            // The campaign lives in today, so its banners and deadlines read as a campaign in progress.
            if db::campaigns::update(&mut *tx, overseer, &campaign, campaign.version, &settings)
                .await?
                .is_err()
            {
                bail!("the current campaign changed while the demo was being made; run seed-demo again");
            }

            let mut branch_no = 0;
            let mut lines = vec!["overseer (组织部)".to_string()];
            let mut own_ledgers = Vec::new();
            for (ci, committee) in CAMPUS.iter().enumerate() {
                let committee_id = db::units::insert_committee(&mut *tx, committee.name, ci as i64 + 1).await?;
                let reviewer_name = format!("reviewer{}", ci + 1);
                let reviewer = db::users::insert(
                    &mut *tx,
                    &NewUser {
                        username: &reviewer_name,
                        display_name: committee.reviewer,
                        password_hash: &hashes.next().expect("counted"),
                        role: Role::Reviewer,
                        committee_id: Some(committee_id),
                        branch_id: None,
                        must_change_password: false,
                    },
                )
                .await?;
                // The committee's one reviewer is its 党组织负责人, who signs 附件3.
                db::admin::set_leader(&mut *tx, committee_id, reviewer).await?;
                lines.push(format!("{reviewer_name} ({}, {})", committee.reviewer, committee.name));

                for (bi, b) in committee.branches.iter().enumerate() {
                    branch_no += 1;
                    let branch_id = db::units::insert_branch(
                        &mut *tx,
                        &NewBranch {
                            committee_id,
                            name: b.name,
                            secretary_name: b.secretary,
                            sort_order: bi as i64 + 1,
                        },
                    )
                    .await?;
                    db::profiles::write(&mut *tx, overseer, campaign.id, branch_id, &b.profile(today())).await?;
                    let username = format!("secretary{branch_no}");
                    let secretary = db::users::insert(
                        &mut *tx,
                        &NewUser {
                            username: &username,
                            display_name: b.secretary,
                            password_hash: &hashes.next().expect("counted"),
                            role: Role::Secretary,
                            committee_id: None,
                            branch_id: Some(branch_id),
                            must_change_password: false,
                        },
                    )
                    .await?;
                    lines.push(format!("{username} ({}, {})", b.secretary, b.name));

                    if let Some(demo) = &b.ledger {
                        // A ledger handed in has its 专题支委会 recorded (the gate asks for it).
                        if demo.state != LedgerState::InProgress {
                            let actor = db::audit::Actor::for_seeding(secretary, branch_id, campaign.id, Level::Branch);
                            let meeting = b.meeting(settings.issued_on);
                            db::meetings::set(&mut *tx, actor, 0, &meeting)
                                .await?
                                .map_err(|_| anyhow::anyhow!("a new branch has no meeting yet"))?;
                            db::meetings::add_evidence(
                                &mut *tx,
                                actor,
                                "专题支委会会议记录.png",
                                "image/png",
                                DEMO_PHOTO,
                            )
                            .await?;
                        }
                        let people = People {
                            keeper: secretary,
                            reviewer,
                        };
                        fill_ledger(
                            &mut *tx,
                            &ledger_index,
                            campaign.id,
                            branch_id,
                            Level::Branch,
                            people,
                            demo,
                        )
                        .await?;
                    }
                }
                own_ledgers.push((committee_id, reviewer, &committee.own));
            }
            // The committees' own units come after every branch, so the branches are numbered
            // 1… in the order of the secretaries' accounts.
            db::units::add_own_units(&mut *tx).await?;
            // The document the notice names for 评星定级, as a link the 组织部 attached.
            let rules = crate::domain::documents::Document {
                title: "潍坊学院党支部评星定级管理实施办法".into(),
                doc_number: format!("组织部〔{}〕43号", settings.issued_on.year()),
                source: crate::domain::documents::Source::Link("https://www.example.org/zzb/pxdj.html".into()),
            };
            db::documents::add(&mut *tx, overseer, campaign.id, &rules).await?;
            for (committee_id, reviewer, own) in own_ledgers {
                let Some(demo) = own else { continue };
                let unit = db::units::own_unit_in_tx(&mut *tx, committee_id)
                    .await?
                    .context("every committee has its own unit")?;
                let people = People {
                    keeper: reviewer,
                    reviewer: overseer,
                };
                fill_ledger(
                    &mut *tx,
                    &ledger_index,
                    campaign.id,
                    unit,
                    Level::Committee,
                    people,
                    demo,
                )
                .await?;
            }
            seed_schedules(&mut *tx, campaign.id).await?;
            seed_inspection(&mut *tx, overseer, campaign.id).await?;
            // Every demo account can be written to (CONTRACT.md: USERNAME@example.org).
            db::notify::demo_addresses(&mut *tx).await?;
            Ok(lines)
        })
        .await?;
    Ok(format!(
        "demo campus created for {}; accounts (all with the given password):\n  {}",
        settings.title,
        lines.join("\n  ")
    ))
}

/// A 督查 the 组织部 has recorded: a 集中督导 of the first committee's units four days ago. It
/// raised no finding, so every ledger reads as it was seeded.
async fn seed_inspection(
    tx: &mut sqlx::SqliteConnection, overseer: crate::domain::UserId, campaign: crate::domain::CampaignId,
) -> anyhow::Result<()> {
    let units: Vec<BranchId> = sqlx::query_scalar(
        "SELECT b.id FROM branches b WHERE b.committee_id = (SELECT id FROM committees ORDER BY sort_order, id LIMIT 1)
         ORDER BY b.id",
    )
    .fetch_all(&mut *tx)
    .await?;
    let input = crate::domain::inspection::InspectionInput {
        kind: crate::domain::inspection::InspectionKind::Supervision,
        held_on: today() - Duration::days(4),
        participants: "组织部 王玥、李想；党总支书记".into(),
        found: "各支部已召开专题支委会并完成对账查摆；个别支部“三会一课”记录签到不全，整改措施的责任人写成“支委会”而非具体人员。".into(),
    };
    db::inspections::add(tx, overseer, campaign, &input, &units).await?;
    Ok(())
}

/// 进度安排 in the demo: one measure planned in milestones (one of them 逾期 since yesterday)
/// with a progress entry; one 延期申请 waiting for the committee; one approved, so that the
/// 组织部 sees both deadlines. Each by its measure's text start.
struct DemoSchedule {
    measure: &'static str,
    /// (what, due in days from today, done in days from today).
    milestones: &'static [(&'static str, i64, Option<i64>)],
    /// (days from today, what was done).
    entries: &'static [(i64, &'static str)],
    /// (the date asked for in days from today, why, approved).
    extension: Option<(i64, &'static str, bool)>,
}

const SCHEDULES: &[DemoSchedule] = &[
    DemoSchedule {
        measure: "制定《支部",
        milestones: &[
            ("组织委员起草工作计划初稿", -6, Some(-7)),
            ("支委会审议通过工作计划", -1, None),
            ("工作计划报党委备案", 15, None),
        ],
        entries: &[(
            -7,
            "组织委员对照《支部工作条例》起草了学年“三会一课”工作计划初稿，已发各支委征求意见。",
        )],
        extension: None,
    },
    DemoSchedule {
        measure: "在支委会上如实说明",
        milestones: &[],
        entries: &[],
        extension: Some((
            10,
            "原定支委会因组织委员参加学校集中培训未能召开，拟于下月第二周支委会上说明并形成书面材料报党委。",
            false,
        )),
    },
    DemoSchedule {
        measure: "修订特色支部创建方案",
        milestones: &[("支委会讨论修订方案", 4, None)],
        entries: &[(-3, "与社区党委沟通“经典诵读进社区”活动安排，初步确定3项活动。")],
        extension: Some((8, "需与共建社区商定活动时间，社区党委换届后方可确定。", true)),
    },
];

async fn seed_schedules(tx: &mut sqlx::SqliteConnection, campaign: crate::domain::CampaignId) -> anyhow::Result<()> {
    use crate::domain::progress::{EntryInput, ExtensionInput, ExtensionState, MilestoneInput};
    let today = today();
    let day = |n: i64| today + Duration::days(n);
    for s in SCHEDULES {
        let (id, branch, keeper, reviewer) = db::schedule::demo_measure(&mut *tx, campaign, s.measure)
            .await?
            .with_context(|| format!("the demo has a measure “{}…”", s.measure))?;
        let actor = db::audit::Actor::for_seeding(keeper, branch, campaign, Level::Branch);
        let measure = db::measures::get_of_branch(&mut *tx, actor, id)
            .await?
            .context("just made")?;
        for (title, due, done) in s.milestones {
            let input = MilestoneInput {
                title: title.to_string(),
                due_on: day(*due),
            };
            let added = db::schedule::add_milestone(&mut *tx, actor, &measure, &input).await?;
            if let Some(done) = done {
                let ms = db::schedule::milestone(&mut *tx, actor, added)
                    .await?
                    .context("just added")?;
                db::schedule::set_milestone_done(
                    &mut *tx,
                    actor,
                    &ms,
                    measure.finding_id,
                    ms.version,
                    Some(day(*done)),
                )
                .await?
                .map_err(|_| anyhow::anyhow!("a new milestone is not stale"))?;
            }
        }
        for (on, text) in s.entries {
            let input = EntryInput {
                on_date: day(*on),
                text: text.to_string(),
            };
            // The first entry carries a photo of the draft, as entries often do.
            let photo = db::schedule::EntryFile {
                name: "计划初稿.png",
                content_type: "image/png",
                bytes: DEMO_PHOTO,
            };
            let file = (s.measure == SCHEDULES[0].measure).then_some(photo);
            db::schedule::add_entry(&mut *tx, actor, &measure, &input, file).await?;
        }
        if let Some((to, reason, approved)) = s.extension {
            let input = ExtensionInput {
                requested: day(to),
                reason: reason.to_string(),
            };
            let previous = measure
                .deadline
                .context("a demo measure with a 延期申请 has a deadline")?;
            let x = db::schedule::request_extension(&mut *tx, actor, &measure, previous, &input).await?;
            if approved {
                let above = db::audit::Actor::for_seeding(reviewer, branch, campaign, Level::Branch);
                let request = db::schedule::extension(&mut *tx, actor, x)
                    .await?
                    .context("just made")?;
                db::schedule::settle_extension(
                    &mut *tx,
                    above,
                    &request,
                    measure.finding_id,
                    request.version,
                    ExtensionState::Approved,
                    "同意延期，请按新时限完成并及时报送进展。",
                )
                .await?
                .map_err(|_| anyhow::anyhow!("a new request is not stale"))?;
            }
        }
    }
    Ok(())
}

impl DemoBranch {
    /// Its data as of `today`.
    /// Its 专题支委会, three days after the notice: a 支委会, or a 支部党员大会 without one.
    fn meeting(&self, issued_on: Date) -> Meeting {
        let (kind, expected) = match self.committee_members {
            0 => (MeetingKind::General, self.members),
            n => (MeetingKind::Committee, n),
        };
        Meeting::Held {
            on: issued_on + Duration::days(3),
            kind,
            chair: self.secretary.to_string(),
            present: if expected > 4 { expected - 1 } else { expected },
            expected,
            absentees: if expected > 4 {
                "一名支委因公出差，会后已传达会议精神".into()
            } else {
                String::new()
            },
            topics: "传达学习组织部关于开展党支部对账整改专项行动的通知；对照问题台账逐项研究本支部对账查摆工作；明确整改责任分工和时间安排。".into(),
            decisions: "由书记牵头、组织委员具体负责对账查摆，11月底前完成整改措施制定；每月支委会听取一次整改进展。".into(),
        }
    }

    fn profile(&self, today: Date) -> Profile {
        let term_end = today + Duration::days(self.term_ends_in_days);
        let elected = Date::from_calendar_date(term_end.year() - 3, term_end.month(), term_end.day())
            .unwrap_or(term_end - Duration::days(3 * 365));
        Profile {
            last_election_on: Some(elected),
            term_years: 3,
            committee_members: Some(self.committee_members),
            full_members: Some(self.members),
            secretary_vacant_since: self.vacant_days.map(|d| today - Duration::days(d)),
        }
    }
}

/// The campaign's ledger, to find ids by the notice's numbering.
struct LedgerIndex {
    categories: Vec<db::ledger::CategoryRow>,
    items: Vec<db::ledger::ItemRow>,
    today: Date,
    /// The campaign's year, for the demo texts' relative years.
    year: i32,
}

impl LedgerIndex {
    fn category_id(&self, pos: i64) -> anyhow::Result<CategoryId> {
        self.categories
            .iter()
            .find(|c| c.position == pos)
            .map(|c| c.id)
            .context("demo names a missing category")
    }

    fn item_id(&self, cat: i64, pos: i64) -> anyhow::Result<LedgerItemId> {
        let c = self.category_id(cat)?;
        self.items
            .iter()
            .find(|i| i.category_id == c && i.position == pos)
            .map(|i| i.id)
            .context("demo names a missing item")
    }

    fn due(&self, days: Option<i64>) -> Option<Date> {
        days.map(|d| self.today + Duration::days(d))
    }
}

struct People {
    /// Who fills the ledger in.
    keeper: UserId,
    /// Who reviews it.
    reviewer: UserId,
}

/// Fills a unit's ledger: a branch's (kept by its secretary, reviewed by its committee's
/// reviewer) or a committee's own (kept by its reviewer, reviewed by the 组织部).
async fn fill_ledger(
    tx: &mut sqlx::SqliteConnection, index: &LedgerIndex, campaign: crate::domain::CampaignId, branch: BranchId,
    level: Level, People { keeper, reviewer }: People, ledger: &DemoLedger,
) -> anyhow::Result<()> {
    let secretary = keeper;
    for cat in index
        .categories
        .iter()
        .filter(|c| ledger.categories_answered.contains(&c.position))
    {
        for item in index
            .items
            .iter()
            .filter(|i| i.category_id == cat.id && i.level == level)
        {
            let key = (cat.position, item.position);
            let (verdict, reason) = if ledger.problems.contains(&key) {
                (Verdict::Problem, "")
            } else if ledger.not_applicable.contains(&key) {
                (Verdict::NotApplicable, NA_REASON)
            } else {
                (Verdict::NoProblem, "")
            };
            db::self_checks::insert(tx, branch, item.id, verdict, reason, secretary).await?;
        }
    }
    let mut position_in_category = std::collections::HashMap::new();
    for f in ledger.findings {
        let position = position_in_category
            .entry(f.category)
            .and_modify(|p| *p += 1)
            .or_insert(1);
        let finding = db::findings::insert(
            tx,
            &NewFinding {
                branch_id: branch,
                campaign_id: campaign,
                category_id: index.category_id(f.category)?,
                ledger_item_id: f.item.map(|i| index.item_id(f.category, i)).transpose()?,
                position: *position,
                text: &dated(f.text, index.year),
                created_by: secretary,
                source: if f.item.is_some() {
                    FindingSource::SelfCheck
                } else {
                    FindingSource::Extended
                },
            },
        )
        .await?;
        if f.review != ReviewState::Pending {
            db::findings::set_review(tx, finding, f.review, f.review_comment, reviewer).await?;
        }
        for (mi, m) in f.measures.iter().enumerate() {
            let measure = db::measures::insert(
                tx,
                &NewMeasure {
                    finding_id: finding,
                    position: mi as i64 + 1,
                    text: &dated(m.text, index.year),
                    deadline: index.due(m.due_in_days),
                    owner: m.owner,
                    status: m.status,
                    immediate: m.immediate,
                    long_term: m.long_term,
                    completion_note: m.note,
                    closed_out_by: (m.status == MeasureStatus::ClosedOut).then_some(reviewer),
                },
            )
            .await?;
            // A photo of the 工作记录本 page with every completed measure, as a 销号 request has.
            if !m.note.is_empty() {
                let actor = db::audit::Actor::for_seeding(secretary, branch, campaign, level);
                let row = db::measures::get_of_branch(tx, actor, measure)
                    .await?
                    .context("just inserted")?;
                db::evidence::add(tx, actor, &row, "工作记录本.png", "image/png", DEMO_PHOTO).await?;
            }
        }
    }
    match ledger.state {
        LedgerState::SignedOff => {
            db::ledger::sign_off(
                tx,
                campaign,
                branch,
                reviewer,
                "经逐条审核，问题查摆到位、措施制定到位、责任明确到位、整改落实到位。",
            )
            .await?
        }
        state => db::ledger::set_ledger_state(tx, campaign, branch, state).await?,
    }
    // Handed in before the 对账查摆 deadline (two days past), except a returned ledger, handed
    // in a day late (迟交) to show the mark.
    if ledger.state.has_been_submitted() {
        let days = if ledger.state == LedgerState::Returned { 1 } else { 3 };
        db::ledger::date_submission_back(tx, campaign, branch, days).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_demo_campaign_puts_today_in_the_rectification_phase() {
        let today = date!(2026 - 11 - 30);
        let c = campaign_around(today);
        assert!(c.self_check_due < today, "对账查摆 is already due");
        assert!(
            c.report_due > today && c.report_due - today <= Duration::days(5),
            "报送 in a few days"
        );
        assert!(c.rectify_due > c.report_due && c.results_due > c.rectify_due);
        assert_eq!(c.title, "2026年党支部对账整改专项行动");
        // It passes the 组织部's own checks on a campaign's dates.
        let f = crate::domain::dates::format_date;
        let again = CampaignInput::parse(
            &c.title,
            &c.doc_number,
            [
                c.issued_on,
                c.self_check_due,
                c.report_due,
                c.rectify_due,
                c.results_due,
            ]
            .map(f)
            .each_ref()
            .map(String::as_str),
            c.basis.code(),
        );
        assert_eq!(again, Ok(c));
    }

    #[test]
    fn demo_texts_speak_of_the_campaigns_years() {
        assert_eq!(dated("{Y-3}—{Y}年，{Y}—{Y+1}学年", 2026), "2023—2026年，2026—2027学年");
    }

    #[test]
    fn no_demo_deadline_lies_before_the_notice_and_no_measure_back_fills_records() {
        let window = -12;
        for c in CAMPUS {
            for b in c.branches {
                for f in b.ledger.iter().flat_map(|l| l.findings) {
                    for m in f.measures {
                        assert!(m.due_in_days.is_none_or(|d| d >= window), "{}", m.text);
                        assert!(!m.text.contains("补签") && !m.note.contains("补写"), "{}", m.text);
                    }
                }
            }
        }
    }
}
