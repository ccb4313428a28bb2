//! The `duizhang` command: serve (default), user add, seed-demo, backup.

use std::io::BufRead;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

use duizhang::config::Config;
use duizhang::db::{self, Db};
use duizhang::domain::history::AuditAction;
use duizhang::domain::password_policy::{check_new_password, check_username};
use duizhang::domain::{BranchId, CommitteeId, Role, UserId};
use duizhang::{AppState, auth, demo};

#[derive(Parser)]
#[command(name = "duizhang", version, about = "党支部对账整改系统")]
struct Cli {
    /// Configuration file (default: ./config.toml if present).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (the default).
    Serve,
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Fill an empty database with a demo campus; every demo account gets PASSWORD.
    SeedDemo {
        #[arg(long)]
        password: String,
    },
    /// Write a consistent copy of the database to PATH (safe while the server runs).
    Backup { path: PathBuf },
    /// Send the daily digest once, now (each secretary's measures due within 7 days or overdue,
    /// each reviewer's queue), with the day's reminders, through the configured mail transport.
    Digest,
    /// Fill an empty database with a synthetic campus of a given size, for benchmarks
    /// (deterministic from --seed); every account gets PASSWORD.
    Generate {
        #[arg(long, default_value_t = 100)]
        committees: i64,
        #[arg(long, default_value_t = 10)]
        branches_per_committee: i64,
        #[arg(long, default_value_t = 33)]
        findings_per_branch: i64,
        #[arg(long, default_value_t = 42)]
        seed: i64,
        #[arg(long)]
        password: String,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account. The password is read from the first line of standard input.
    Add {
        username: String,
        #[arg(long, value_parser = ["overseer", "reviewer", "secretary"])]
        role: String,
        /// The committee id (reviewer) or branch id (secretary).
        #[arg(long)]
        unit: Option<i64>,
        /// Name shown in the app (default: the username).
        #[arg(long)]
        name: Option<String>,
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .init();
    let cli = Cli::parse();
    let config = Config::load(cli.config.as_deref())?;
    let db = Db::open(&config.database).await?;

    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config, db.clone()).await,
        Command::User {
            command:
                UserCommand::Add {
                    username,
                    role,
                    unit,
                    name,
                    password_stdin: _,
                },
        } => add_user(&db, &username, &role, unit, name.as_deref()).await,
        Command::SeedDemo { password } => {
            check_new_password("", &password).map_err(|m| anyhow::anyhow!("password refused: {m}"))?;
            let summary = demo::seed(&db, &password).await?;
            println!("{summary}");
            Ok(())
        }
        Command::Generate {
            committees,
            branches_per_committee,
            findings_per_branch,
            seed,
            password,
        } => {
            check_new_password("", &password).map_err(|m| anyhow::anyhow!("password refused: {m}"))?;
            if !db::units::campus_is_empty(&db.read).await? {
                anyhow::bail!("the database already holds units or accounts; generate needs an empty one");
            }
            let hash = duizhang::auth::password::hash(password).await?;
            let size = db::generate::Size {
                committees,
                branches_per_committee,
                findings_per_branch,
                seed,
            };
            let started = std::time::Instant::now();
            let summary = db::generate::campus(&db, size, &hash).await?;
            println!("{summary} ({:.1} s)", started.elapsed().as_secs_f64());
            Ok(())
        }
        Command::Backup { path } => {
            db::backup(&db, &path).await?;
            println!("backup written to {}", path.display());
            Ok(())
        }
        Command::Digest => digest(&config, &db).await,
    };
    db.close().await;
    result
}

/// `duizhang digest`: queues today's digest (once a day: a second run queues nothing new), then
/// sends what is due for up to a minute; what could not be sent stays queued for the server.
async fn digest(config: &Config, db: &Db) -> anyhow::Result<()> {
    db.set_mail_on(!config.mail.smtp_url.is_empty());
    if !db.mail_on() {
        println!("e-mail is off (no DUIZHANG_SMTP_URL): the digest goes to the in-app list only");
    }
    let today = duizhang::domain::dates::today();
    let reached = duizhang::notify::daily(db, config, today).await?;
    let sender = duizhang::notify::Sender::new(config)?;
    let until = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let mut sent = 0;
    while std::time::Instant::now() < until {
        match sender.send_due(db).await? {
            0 => break,
            n => sent += n,
        }
    }
    let waiting = db::notify::pending(&db.read).await?;
    if reached == 0 {
        println!(
            "digest for {today}: nothing new to queue (the digest goes out once a day: the server queues it itself from [mail] digest_hour unless digest = false)"
        );
    } else {
        println!("digest for {today}: {reached} accounts told");
    }
    println!("{sent} messages handled now, {waiting} still waiting to be sent");
    Ok(())
}

async fn serve(config: Config, db: Db) -> anyhow::Result<()> {
    if db::users::count_active_overseers(&db.read).await? == 0 {
        tracing::warn!(
            "no 组织部 (overseer) account yet. Create the first one with:\n    \
             duizhang user add USERNAME --role overseer --name 姓名 --password-stdin\n\
             (type the password and press Enter), or load a demo campus with: duizhang seed-demo --password PW"
        );
    }
    if !config.secure_cookies && !config.listen.ip().is_loopback() {
        tracing::warn!(
            "secure_cookies is false on a non-loopback address: session cookies may travel over plain http. \
             Serve behind https and set secure_cookies = true."
        );
    }
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("binding {}", config.listen))?;
    tracing::info!("listening on http://{}", listener.local_addr()?);
    let state = AppState::new(db, config).await?;
    duizhang::serve(listener, state, shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

async fn add_user(db: &Db, username: &str, role: &str, unit: Option<i64>, name: Option<&str>) -> anyhow::Result<()> {
    check_username(username).map_err(|m| anyhow::anyhow!("username refused: {m}"))?;
    let role = Role::parse(role).context("unknown role")?;
    let (committee_id, branch_id) = match (role, unit) {
        (Role::Overseer, None) => (None, None),
        (Role::Overseer, Some(_)) => bail!("an overseer (组织部) belongs to no unit: drop --unit"),
        (Role::Reviewer, Some(id)) => {
            if !db::units::committee_exists(&db.read, CommitteeId(id)).await? {
                bail!("no committee with id {id}");
            }
            (Some(CommitteeId(id)), None)
        }
        (Role::Secretary, Some(id)) => {
            if !db::units::branch_exists(&db.read, BranchId(id)).await? {
                bail!("no branch with id {id}");
            }
            (None, Some(BranchId(id)))
        }
        (_, None) => bail!("--unit is required: the committee id for a reviewer, the branch id for a secretary"),
    };
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    let password = line.trim_end_matches(['\n', '\r']);
    check_new_password(username, password).map_err(|m| anyhow::anyhow!("password refused: {m}"))?;
    let hash = auth::password::hash(password.to_string()).await?;

    let id = db
        .write(async |tx| -> anyhow::Result<UserId> {
            let id = db::users::insert(
                &mut *tx,
                &db::users::NewUser {
                    username,
                    display_name: name.unwrap_or(username),
                    password_hash: &hash,
                    role,
                    committee_id,
                    branch_id,
                    must_change_password: false,
                },
            )
            .await
            .map_err(|e| {
                if db::is_constraint_violation(&e) {
                    anyhow::anyhow!("username {username} is already taken")
                } else {
                    e.into()
                }
            })?;
            db::audit::record(tx, &db::audit::Entry::account(id, AuditAction::UserAdd)).await?;
            Ok(id)
        })
        .await?;
    println!("created {} account {username} (id {id})", role.code());
    Ok(())
}
