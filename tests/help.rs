//! The help pages and usage errors speak Chinese: none of clap's English words reach the user,
//! every subcommand shows at least two examples, and the examples run as written.

use std::path::Path;

use assert_cmd::Command;

const SUBCOMMANDS: [&str; 5] = ["check", "convert", "template", "rollup", "serve"];

/// The subcommands whose examples run to an end (`serve` runs until stopped).
const FINITE: [&str; 4] = ["check", "convert", "template", "rollup"];

/// clap's own words, which must never show.
const ENGLISH: [&str; 16] = [
    "Usage",
    "Options",
    "Arguments",
    "Commands",
    "error:",
    "Print help",
    "Print version",
    "[default",
    "possible values",
    "[OPTIONS]",
    "For more information",
    "invalid value",
    "invalid digit",
    "unexpected",
    "required",
    "tip:",
];

fn nianbao() -> Command {
    Command::cargo_bin("nianbao").unwrap()
}

fn help(args: &[&str]) -> String {
    let out = nianbao().args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{args:?}");
    assert!(out.stderr.is_empty(), "{args:?}");
    String::from_utf8(out.stdout).unwrap()
}

fn no_english(text: &str, what: &str) {
    for word in ENGLISH {
        assert!(!text.contains(word), "{what} 中有 “{word}”：\n{text}");
    }
    // clap's default value names: an option's field name in capitals (`<FORMAT>`); the unit
    // `<MB>` is ours
    for placeholder in text.split('<').skip(1).filter_map(|s| s.split('>').next()) {
        assert!(
            placeholder == "MB"
                || !placeholder
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c == '_'),
            "{what} 中有英文占位符 <{placeholder}>：\n{text}"
        );
    }
}

/// The example command lines of a help page: the lines under 示例：, continuation lines joined.
fn examples(text: &str) -> Vec<String> {
    let section = text.split("示例：").nth(1).expect("示例：");
    let mut lines: Vec<String> = Vec::new();
    let mut continued = false;
    for line in section.lines().skip(1) {
        if line.trim().is_empty() {
            break;
        }
        let line = line.split("  #").next().unwrap().trim();
        if continued {
            let last = lines.last_mut().unwrap();
            last.push(' ');
            last.push_str(line);
        } else {
            lines.push(line.to_string());
        }
        continued = lines.last().unwrap().ends_with('\\');
        if continued {
            let last = lines.last_mut().unwrap();
            last.pop();
        }
    }
    lines
}

#[test]
fn every_help_page_is_chinese_with_examples() {
    for sub in [None].into_iter().chain(SUBCOMMANDS.map(Some)) {
        for flag in ["-h", "--help"] {
            let args: Vec<&str> = sub.into_iter().chain([flag]).collect();
            let text = help(&args);
            let what = format!("nianbao {}", args.join(" "));
            no_english(&text, &what);
            assert!(text.contains("用法："), "{what}:\n{text}");
            assert!(text.contains("选项"), "{what}:\n{text}");
            assert!(text.contains("显示帮助"), "{what}:\n{text}");
            let examples = examples(&text);
            assert!(examples.len() >= 2, "{what}: {examples:?}");
            for example in &examples {
                assert!(example.starts_with("nianbao "), "{what}: {example}");
                if let Some(sub) = sub {
                    assert!(example.starts_with(&format!("nianbao {sub} ")), "{example}");
                }
            }
        }
    }
    let root = help(&["--help"]);
    assert!(
        root.contains("命令") && root.contains("显示版本号"),
        "{root}"
    );
}

#[test]
fn help_subcommand_is_the_commands_help() {
    assert_eq!(help(&["help", "rollup"]), help(&["rollup", "--help"]));
    assert_eq!(help(&["help"]), help(&["--help"]));
    assert!(help(&["--version"]).starts_with("nianbao "));
}

/// Each example runs as written (from the repository's root): it may find errors in the
/// samples (exit 1, or 2 for `sample_workbooks/bad/`), but it is never a usage error.
#[test]
fn examples_run_as_written() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for sub in FINITE {
        for example in examples(&help(&[sub, "--help"])) {
            let dir = tempfile::tempdir().unwrap();
            #[cfg(unix)]
            std::os::unix::fs::symlink(
                root.join("sample_workbooks"),
                dir.path().join("sample_workbooks"),
            )
            .unwrap();
            let command = example.split(" > ").next().unwrap();
            let mut words = command.split_whitespace();
            assert_eq!(words.next(), Some("nianbao"));
            let words: Vec<&str> = words.collect();
            for path in words.iter().filter(|w| w.starts_with("sample_workbooks/")) {
                assert!(root.join(path).exists(), "{example}: {path} 不存在");
            }
            if cfg!(not(unix)) {
                continue;
            }
            let out = nianbao()
                .current_dir(dir.path())
                .args(&words)
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(!stderr.contains("--help 查看"), "{example}:\n{stderr}");
            assert!(
                matches!(out.status.code(), Some(0..=2)),
                "{example}:\n{stderr}"
            );
            if sub != "check" {
                assert!(stderr.contains("已写出"), "{example}:\n{stderr}");
            }
        }
    }
}

#[test]
fn parse_errors_are_chinese() {
    let cases: [(&[&str], &str); 11] = [
        (
            &["check", "--year", "abc", "a.xlsx"],
            "--year 的值“abc”不是整数年份",
        ),
        (
            &["check", "--year", "1800", "a.xlsx"],
            "--year 的值“1800”不在 2000–2100 之间",
        ),
        (
            &["template", "--year", "x", "-o", "t.xlsx"],
            "--year 的值“x”不是整数年份",
        ),
        (
            &["check", "--max-rows", "-5", "a.xlsx"],
            "--max-rows 的值“-5”不是非负整数",
        ),
        (
            &["check", "--format", "xml", "a.xlsx"],
            "--format 的值“xml”无效，可选：text、json",
        ),
        (
            &["check", "--format-version", "2020", "a.xlsx"],
            "不是格式版本",
        ),
        (&["check"], "缺少必需的参数：<文件或目录>"),
        (
            &["check", "--agncy", "x", "a.xlsx"],
            "不认识的参数“--agncy”；是不是 --agency？",
        ),
        (&["chek", "a.xlsx"], "没有“chek”这个命令"),
        (
            &["rollup", "a", "-o", "b.xlsx", "--agency", "某局"],
            "不认识的参数“--agency”",
        ),
        (
            &[
                "rollup",
                "a",
                "-o",
                "b.xlsx",
                "--strict",
                "--include-invalid",
            ],
            "--strict 不能与 --include-invalid 同时使用",
        ),
    ];
    for (args, expected) in cases {
        let out = nianbao().args(args).output().unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.starts_with("错误："), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(
            stderr.contains("--help 查看全部选项和示例"),
            "{args:?}: {stderr}"
        );
        no_english(&stderr, &format!("{args:?}"));
    }
}

/// A subcommand lists only the options it accepts: a roll-up reads each agency's name from its
/// workbook, so it has no `--agency`.
#[test]
fn rollup_does_not_offer_agency() {
    assert!(!help(&["rollup", "--help"]).contains("--agency"));
    for sub in ["check", "convert"] {
        let text = help(&[sub, "--help"]);
        assert!(
            text.contains("--agency") && text.contains("--year"),
            "{sub}"
        );
    }
}
