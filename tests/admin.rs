//! The 组织部 keeps units and accounts: create, edit, deactivate, one-time passwords.

mod common;

use common::*;
use reqwest::StatusCode;

async fn body(res: reqwest::Response) -> String {
    res.text().await.unwrap()
}

/// The one-time password in the notice after a create or reset.
fn one_time(html: &str) -> String {
    let start = html.find("的一次性密码：").expect("a one-time password notice") + "的一次性密码：".len();
    html[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect()
}

#[tokio::test]
async fn a_new_unit_and_secretary_can_start_work_with_a_one_time_password() {
    let app = spawn_demo().await;
    let o = app.login("overseer").await;
    let res = app
        .post_form(&o, "/admin/committees", "/admin", &[("name", "化学化工学院党委")])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = body(app.get(&o, "/admin").await).await;
    assert!(page.contains("化学化工学院党委"));
    let committee = duizhang::db::admin::committees(&app.db.read)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.name == "化学化工学院党委")
        .unwrap();

    // A bad member count is explained, with what was typed kept.
    let c = committee.id.0.to_string();
    let res = app
        .post_form(
            &o,
            "/admin/branches",
            "/admin",
            &[
                ("committee_id", &c),
                ("name", "化学系教工党支部"),
                ("secretary_name", &"钱".repeat(31)),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = body(res).await;
    assert!(html.contains("书记姓名") && html.contains("value=\"化学系教工党支部\""));
    let res = app
        .post_form(
            &o,
            "/admin/branches",
            "/admin",
            &[
                ("committee_id", &c),
                ("name", "化学系教工党支部"),
                ("secretary_name", "钱堃"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let branch = duizhang::db::admin::branches(&app.db.read)
        .await
        .unwrap()
        .into_iter()
        .find(|b| b.name == "化学系教工党支部")
        .unwrap();

    let b = branch.id.0.to_string();

    // Its data (附件1's checks), kept per campaign: refused field by field, kept as typed.
    let profile = format!("/branches/{b}/profile");
    let res = app
        .post_form(
            &o,
            &profile,
            &profile,
            &[("full_members", "十二"), ("committee_members", "5"), ("version", "0")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = body(res).await;
    assert!(
        html.contains("正式党员人数应为") && html.contains("value=\"5\""),
        "{html}"
    );
    let res = app
        .post_form(
            &o,
            &profile,
            &profile,
            &[
                ("full_members", "12"),
                ("committee_members", "5"),
                ("last_election_on", &day(-400)),
                ("version", "0"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = visible_text(&body(app.get(&o, &profile).await).await);
    assert!(
        page.contains("修改支部基本情况") && page.contains("正式党员人数"),
        "{page}"
    );
    let account = [
        ("username", "hx.secretary"),
        ("display_name", "钱堃"),
        ("role", "secretary"),
        ("branch_id", b.as_str()),
    ];
    let res = app.post_form(&o, "/admin/users", "/admin", &account).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let password = one_time(&body(app.get(&o, "/admin").await).await);
    assert_eq!(password.len(), 12);
    assert!(
        !body(app.get(&o, "/admin").await).await.contains(&password),
        "shown once only"
    );
    // The same username again is refused.
    let res = app.post_form(&o, "/admin/users", "/admin", &account).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(body(res).await.contains("用户名已存在"));

    // The secretary logs in, must change the password, then lands on the new branch.
    let s = app.client();
    let res = app.try_login(&s, "hx.secretary", &password).await;
    assert_eq!(location(&res), "/account/password");
    let res = app
        .post_form(
            &s,
            "/account/password",
            "/account/password",
            &[
                ("current_password", &password),
                ("new_password", "化学党支部2022"),
                ("confirm_password", "化学党支部2022"),
            ],
        )
        .await;
    assert_eq!(location(&res), format!("/branches/{b}"));
    assert!(
        body(app.get(&s, &format!("/branches/{b}")).await)
            .await
            .contains("化学系教工党支部")
    );
}

#[tokio::test]
async fn a_reset_ends_the_sessions_and_a_deactivated_account_is_out() {
    let app = spawn_demo().await;
    let o = app.login("overseer").await;
    let s = app.login("secretary2").await;
    let account = duizhang::db::admin::accounts(&app.db.read)
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.username == "secretary2")
        .unwrap();
    let res = app
        .post_form(
            &o,
            &format!("/admin/users/{}/reset-password", account.id),
            "/admin",
            &[],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let password = one_time(&body(app.get(&o, "/admin").await).await);
    assert_eq!(
        app.get(&s, "/branches/2").await.status(),
        StatusCode::SEE_OTHER,
        "the old session ended"
    );
    assert_eq!(
        app.try_login(&app.client(), "secretary2", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        location(&app.try_login(&app.client(), "secretary2", &password).await),
        "/account/password"
    );

    // Deactivate: version from before the reset is stale; the current one works.
    let stale = [("display_name", "李堃"), ("version", &account.version.to_string())];
    let res = app
        .post_form(&o, &format!("/admin/users/{}", account.id), "/admin", &stale)
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let fresh = duizhang::db::admin::account(&app.db.read, account.id)
        .await
        .unwrap()
        .unwrap();
    let res = app
        .post_form(
            &o,
            &format!("/admin/users/{}", account.id),
            "/admin",
            &[("display_name", "李堃"), ("version", &fresh.version.to_string())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.try_login(&app.client(), "secretary2", &password).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert!(body(app.get(&o, "/admin").await).await.contains("已停用"));
}

#[tokio::test]
async fn only_the_overseer_keeps_units_and_accounts() {
    let app = spawn_demo().await;
    for user in ["reviewer1", "secretary1"] {
        let c = app.login(user).await;
        assert_eq!(app.get(&c, "/admin").await.status(), StatusCode::FORBIDDEN, "{user}");
        let res = app
            .post_form(&c, "/admin/committees", "/account/password", &[("name", "假党委")])
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{user}");
    }
    assert!(
        duizhang::db::admin::committees(&app.db.read)
            .await
            .unwrap()
            .iter()
            .all(|c| c.name != "假党委")
    );
}

fn workbook(rows: &[[&str; 7]]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in duizhang::domain::bulk::COLUMNS.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                sheet.write_string(r as u32 + 1, c as u16, *v).unwrap();
            }
        }
    }
    book.save_to_buffer().unwrap()
}

async fn upload(app: &TestApp, c: &reqwest::Client, bytes: Vec<u8>) -> reqwest::Response {
    let token = app.csrf(c, "/admin/import").await;
    let form =
        reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(bytes).file_name("units.xlsx"));
    c.post(app.url(&format!("/admin/import?_csrf={token}")))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_bad_file_is_refused_whole_with_a_row_by_row_report() {
    let app = spawn_demo().await;
    let o = app.login("overseer").await;
    let before = duizhang::db::admin::committees(&app.db.read).await.unwrap().len();
    let bytes = workbook(&[
        ["化学化工学院党委", "", "", "", "hx.reviewer", "钱堃", "审核人"],
        [
            "化学化工学院党委",
            "化学系教工党支部",
            "十二",
            "赵珺",
            "hx.s1",
            "赵珺",
            "党支部书记",
        ],
        ["", "", "", "", "secretary1", "重名", "组织部"],
    ]);
    let res = upload(&app, &o, bytes).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = body(res).await;
    assert!(html.contains("文件未导入"));
    assert!(html.contains("第 3 行：正式党员人数应为"), "{html}");
    assert!(html.contains("第 4 行：用户名 secretary1 已存在"));
    assert_eq!(
        duizhang::db::admin::committees(&app.db.read).await.unwrap().len(),
        before,
        "nothing saved"
    );
    assert!(
        duizhang::db::users::find_by_username(&app.db.read, "hx.reviewer")
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn a_good_file_makes_units_and_accounts_with_one_time_passwords() {
    let app = spawn_demo().await;
    let o = app.login("overseer").await;
    let template = app.get(&o, "/admin/import/template.xlsx").await;
    assert_eq!(template.status(), StatusCode::OK);
    assert!(template.bytes().await.unwrap().starts_with(b"PK"));

    let bytes = workbook(&[
        ["化学化工学院党委", "", "", "", "hx.reviewer", "钱堃", "审核人"],
        [
            "化学化工学院党委",
            "化学系教工党支部",
            "12",
            "赵珺",
            "hx.s1",
            "赵珺",
            "党支部书记",
        ],
        ["机关党委", "党委办公室党支部", "", "", "jg.s2", "周昇", "党支部书记"],
    ]);
    let res = upload(&app, &o, bytes).await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = body(res).await;
    assert!(
        html.contains("新建党总支（党委）1 个、党支部 1 个、账号 3 个"),
        "{html}"
    );
    let password = one_time(&html.replace("<td data-label=\"一次性密码\"><code>", "的一次性密码："));
    assert_eq!(password.len(), 12);
    // The first new account logs in with its one-time password and must change it.
    assert_eq!(
        location(&app.try_login(&app.client(), "hx.reviewer", &password).await),
        "/account/password"
    );
    let jg = duizhang::db::users::find_by_username(&app.db.read, "jg.s2")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        jg.branch_id,
        Some(duizhang::domain::BranchId(6)),
        "matched the existing branch by name"
    );
}
