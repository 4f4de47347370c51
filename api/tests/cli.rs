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
    let line = retention
        .lines()
        .find(|l| l.trim_start().starts_with("--older-than-years"))
        .expect("the flag");
    assert!(line.contains("years ago"), "{line}");
}
