//! The command line: every command and flag described, the environment each command reads
//! named in its help, and no default role for `create-user`.

use std::process::Command;

fn brobygger(args: &[&str]) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_brobygger"))
        .args(args)
        .env_remove("DATABASE_URL")
        .output()
        .expect("the binary runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

#[test]
fn every_command_names_the_environment_it_reads() {
    for (command, variable) in [
        ("serve", "BROBYGGER_BIND"),
        ("serve", "BROBYGGER_JWT_SECRET"),
        ("migrate", "DATABASE_URL"),
        ("retention", "BROBYGGER_ENCRYPTION_KEY"),
        ("create-user", "BROBYGGER_NEW_USER_PASSWORD"),
    ] {
        let (ok, help) = brobygger(&[command, "--help"]);
        assert!(ok, "{command} --help: {help}");
        assert!(
            help.contains(variable),
            "{command} --help names {variable}: {help}"
        );
    }
    let (_, top) = brobygger(&["--help"]);
    assert!(top.contains("DATABASE_URL"), "{top}");
}

#[test]
fn create_user_describes_every_flag_and_needs_a_role() {
    let (_, help) = brobygger(&["create-user", "--help"]);
    for flag in [
        "--username",
        "--display-name",
        "--role",
        "--organisation-id",
    ] {
        let line = help
            .lines()
            .find(|l| l.trim_start().starts_with(flag))
            .unwrap_or_else(|| panic!("{flag} in {help}"));
        assert!(
            line.split_whitespace().count() > 3,
            "{flag} is described: {line}"
        );
    }
    assert!(help.contains("integration"), "{help}");
    let (ok, refused) = brobygger(&["create-user", "--username", "nexus"]);
    assert!(!ok);
    assert!(refused.contains("--role"), "{refused}");
    let (_, retention) = brobygger(&["retention", "--help"]);
    // Short help puts a flag's description on its line, long help on the next.
    let lines: Vec<&str> = retention.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.trim_start().starts_with("--older-than-years"))
        .expect("the flag");
    let described = lines[at..(at + 2).min(lines.len())].join(" ");
    assert!(described.contains("years ago"), "{described}");
}

#[test]
fn help_is_a_command_with_its_own_help() {
    let (ok, help) = brobygger(&["help", "--help"]);
    assert!(ok, "help --help: {help}");
    assert!(help.contains("Usage: brobygger help"), "{help}");
    let (ok, top) = brobygger(&["help"]);
    assert!(
        ok && top.contains("create-user") && top.contains("retention"),
        "{top}"
    );
    let (ok, one) = brobygger(&["help", "create-user"]);
    assert!(ok, "{one}");
    assert!(one.contains("Usage: brobygger create-user"), "{one}");
    assert!(one.contains("BROBYGGER_NEW_USER_PASSWORD"), "{one}");
    let (ok, unknown) = brobygger(&["help", "frobnicate"]);
    assert!(!ok && unknown.contains("frobnicate"), "{unknown}");
}

#[test]
fn serve_names_the_proxy_and_metrics_settings() {
    let (_, help) = brobygger(&["serve", "--help"]);
    for variable in [
        "BROBYGGER_TRUSTED_PROXIES",
        "BROBYGGER_METRICS_TOKEN",
        "BROBYGGER_CORS_ORIGINS",
    ] {
        assert!(
            help.contains(variable),
            "serve --help names {variable}: {help}"
        );
    }
}

#[test]
fn every_command_is_described() {
    let (_, top) = brobygger(&["--help"]);
    for command in [
        "serve",
        "migrate",
        "openapi",
        "retention",
        "create-user",
        "help",
    ] {
        let line = top
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{command} ")))
            .unwrap_or_else(|| panic!("{command} in {top}"));
        assert!(
            line.split_whitespace().count() > 3,
            "{command} is described: {line}"
        );
    }
}

/// Off a terminal (as here: the output is a pipe) `migrate` and `retention` print one summary
/// line each, no spinner.
#[test]
fn migrate_and_retention_summarise_in_one_line_off_a_terminal() {
    let dir = std::env::temp_dir().join(format!("brobygger-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let url = format!("sqlite://{}", dir.join("cli.db").display());
    let run = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_brobygger"))
            .args(args)
            .env("DATABASE_URL", &url)
            .env("RUST_LOG", "warn")
            .output()
            .expect("the binary runs");
        assert!(output.status.success(), "{args:?}: {output:?}");
        (
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (first, spinner) = run(&["migrate"]);
    assert!(
        first.starts_with("the database is up to date: applied "),
        "{first}"
    );
    assert!(
        !first.contains("applied 0 "),
        "the first run migrates: {first}"
    );
    assert_eq!(first.lines().count(), 1, "{first}");
    assert!(spinner.is_empty(), "no spinner off a terminal: {spinner:?}");
    let (again, _) = run(&["migrate"]);
    assert_eq!(
        again.trim(),
        "the database is up to date: applied 0 migration(s)"
    );
    let (retention, spinner) = run(&["retention", "--older-than-years", "5"]);
    assert!(
        retention.starts_with("anonymised 0 citizen(s)"),
        "{retention}"
    );
    assert!(spinner.is_empty(), "{spinner:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A one-shot command exits cleanly on PostgreSQL, every time: no pool helper thread may still
/// be opening a connection (its TLS handshake) while the process exits, which crashed
/// `migrate` with a segmentation fault in about half of its runs. Runs against a database of
/// its own on the server of `BROBYGGER_TEST_POSTGRES_URL` (required when `CI` is set).
#[test]
fn migrate_exits_cleanly_on_postgresql_every_time() {
    use diesel::{Connection, PgConnection, RunQueryDsl};
    let admin = match std::env::var("BROBYGGER_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => url,
        _ if std::env::var_os("CI").is_some() => {
            panic!("CI is set but BROBYGGER_TEST_POSTGRES_URL is not")
        }
        _ => return eprintln!("BROBYGGER_TEST_POSTGRES_URL is not set: skipped"),
    };
    let name = format!("brobygger_cli_{}", std::process::id());
    let mut server = PgConnection::establish(&admin).expect("the PostgreSQL server");
    let mut sql = |statement: String| {
        diesel::sql_query(statement)
            .execute(&mut server)
            .expect("admin statement");
    };
    sql(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
    sql(format!("CREATE DATABASE {name}"));
    let base = admin.split('?').next().unwrap_or(&admin);
    let url = format!(
        "{}/{name}",
        &base[..base.rfind('/').expect("a URL with a path")]
    );
    let failures: Vec<String> = (0..12)
        .filter_map(|run| {
            let output = Command::new(env!("CARGO_BIN_EXE_brobygger"))
                .arg("migrate")
                .env("DATABASE_URL", &url)
                .env("RUST_LOG", "warn")
                .output()
                .expect("the binary runs");
            (!output.status.success()).then(|| format!("run {run}: {:?}", output.status))
        })
        .collect();
    sql(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
    assert!(failures.is_empty(), "migrate failed: {failures:?}");
}
