//! Help and usage errors in Chinese: clap's own words (`Usage`, `Options`, `Print help`,
//! `error:`, `invalid digit found in string` …) never reach the user.
//!
//! The derived command is adjusted once here rather than attribute by attribute: every command
//! gets the Chinese help template and its own `-h/--help` (clap's is switched off), every
//! argument a Chinese heading, and defaults and possible values are written into the argument's
//! help in Chinese (clap's `[default: …]` is hidden). Parse errors are rendered from their kind
//! and context by [`render_error`], never with clap's English formatter.

use std::ffi::OsString;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgAction, Command, CommandFactory, FromArgMatches};

use super::Cli;

/// The layout of every help page: about, usage, the argument sections, the examples.
const TEMPLATE: &str = "{about-with-newline}\n用法：{usage}\n\n{all-args}{after-help}";

/// Heading of positional arguments.
pub const ARGUMENTS: &str = "参数";
/// Heading of a command's own options (and `-h/--help`).
pub const OPTIONS: &str = "选项";

/// The command line with its help in Chinese.
pub fn command() -> Command {
    let root = localize(Cli::command())
        .disable_help_subcommand(true)
        .disable_version_flag(true)
        .subcommand_help_heading("命令")
        .arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("显示版本号")
                .help_heading(OPTIONS),
        );
    root.mut_subcommands(localize)
}

fn localize(cmd: Command) -> Command {
    cmd.help_template(TEMPLATE)
        .disable_help_flag(true)
        // `--max-rows -5` is a wrong value (said so), not an unknown option.
        .allow_negative_numbers(true)
        .mut_args(localize_arg)
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help("显示帮助（-h 简要，--help 完整）")
                .help_heading(OPTIONS),
        )
}

/// A Chinese heading; the default value and the possible values said in the help text.
fn localize_arg(arg: Arg) -> Arg {
    let mut arg = arg;
    if arg.get_help_heading().is_none() {
        let heading = if arg.is_positional() {
            ARGUMENTS
        } else {
            OPTIONS
        };
        arg = arg.help_heading(heading);
    }
    let mut notes = Vec::new();
    let defaults: Vec<String> = arg
        .get_default_values()
        .iter()
        .map(|v| v.to_string_lossy().into_owned())
        .collect();
    if !defaults.is_empty() && !arg.is_hide_default_value_set() {
        notes.push(format!("默认：{}", defaults.join("、")));
    }
    let possible: Vec<String> = arg
        .get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| v.get_name().to_string())
        .collect();
    if !possible.is_empty() && !arg.is_hide_possible_values_set() {
        notes.push(format!("可选：{}", possible.join("、")));
    }
    if notes.is_empty() || !arg.get_action().takes_values() {
        return arg;
    }
    let note = format!("（{}）", notes.join("；"));
    let help = arg.get_help().map(ToString::to_string).unwrap_or_default();
    let long = arg.get_long_help().map(|h| format!("{h}{note}"));
    arg = arg
        .help(format!("{help}{note}"))
        .hide_default_value(true)
        .hide_possible_values(true);
    if let Some(long) = long {
        arg = arg.long_help(long);
    }
    arg
}

/// Parse the arguments, or print help, the version or a Chinese usage error and exit (help and
/// version on stdout with 0, an error on stderr with 2). `nianbao help [命令]` is
/// `nianbao [命令] --help` (clap's own `help` subcommand, described in English, is switched off).
pub fn parse_or_exit(args: impl IntoIterator<Item = OsString>) -> Cli {
    let mut args: Vec<OsString> = args.into_iter().collect();
    if args.get(1).is_some_and(|a| a == "help") {
        args.remove(1);
        args.push("--help".into());
    }
    let result = command()
        .try_get_matches_from(&args)
        .and_then(|m| Cli::from_arg_matches(&m));
    match result {
        Ok(cli) => cli,
        Err(e) => match e.kind() {
            // Help and version are our own Chinese text: clap prints them (with colour on a
            // terminal), exit code 0; help shown for a bare `nianbao` goes to stderr, code 2.
            ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => e.exit(),
            _ => {
                eprintln!("错误：{}", render_error(&e, &args));
                std::process::exit(super::exit::UNREADABLE)
            }
        },
    }
}

/// A usage error in Chinese: what is wrong, the usage line, where to read more.
pub fn render_error(e: &clap::Error, args: &[OsString]) -> String {
    let text = |kind| match e.get(kind) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        Some(ContextValue::Strings(v)) => Some(v.join("、")),
        Some(ContextValue::StyledStr(s)) => Some(s.to_string()),
        Some(ContextValue::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    // `--year <年度>` → `--year`: the value's name adds nothing to "the value of --year".
    let flag = |a: String| match a.split_once(' ') {
        Some((flag, _)) if flag.starts_with('-') => flag.to_string(),
        _ => a,
    };
    let arg = text(ContextKind::InvalidArg).map(flag);
    let arg = arg.unwrap_or_else(|| "参数".to_string());
    let sub = invoked(args);
    let value = text(ContextKind::InvalidValue).unwrap_or_default();
    let mut out = match e.kind() {
        ErrorKind::ValueValidation => {
            let reason = std::error::Error::source(e)
                .map(|s| reason(&s.to_string()))
                .unwrap_or_else(|| "无效".to_string());
            format!("{arg} 的值“{value}”{reason}")
        }
        ErrorKind::InvalidValue if value.is_empty() => format!("{arg} 需要一个值"),
        ErrorKind::InvalidValue => {
            let mut s = format!("{arg} 的值“{value}”无效");
            if let Some(valid) = text(ContextKind::ValidValue) {
                s.push_str(&format!("，可选：{valid}"));
            }
            s
        }
        ErrorKind::UnknownArgument => format!("不认识的参数“{arg}”"),
        ErrorKind::InvalidSubcommand => {
            let name = text(ContextKind::InvalidSubcommand).unwrap_or_default();
            format!("没有“{name}”这个命令（命令有 check、convert、template、rollup、serve）")
        }
        ErrorKind::MissingSubcommand => {
            "缺少命令：check、convert、template、rollup 或 serve".to_string()
        }
        ErrorKind::MissingRequiredArgument => format!("缺少必需的参数：{arg}"),
        ErrorKind::ArgumentConflict => match text(ContextKind::PriorArg).map(flag) {
            Some(prior) if prior != arg => format!("{arg} 不能与 {prior} 同时使用"),
            _ => format!("{arg} 只能给出一次"),
        },
        ErrorKind::NoEquals => format!("{arg} 的值须用等号给出（{arg}=值）"),
        ErrorKind::TooManyValues => format!("多余的值“{value}”（{arg} 不再需要值）"),
        ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            format!("{arg} 的值的个数不对")
        }
        ErrorKind::InvalidUtf8 => "参数中有无法识别的字符（不是有效的 UTF-8）".to_string(),
        _ => "命令行参数有误".to_string(),
    };
    for kind in [
        ContextKind::SuggestedArg,
        ContextKind::SuggestedSubcommand,
        ContextKind::SuggestedValue,
    ] {
        if let Some(s) = text(kind) {
            out.push_str(&format!("；是不是 {s}？"));
        }
    }
    if e.kind() == ErrorKind::UnknownArgument {
        if sub == "nianbao rollup" && arg == "--agency" {
            out.push_str("（rollup 从每个单位的工作簿中读取单位名称）");
        } else if !arg.starts_with("--") && e.get(ContextKind::Suggested).is_some() {
            out.push_str(&format!(
                "\n\n  提示：如果“{arg}”是一个值（例如以 - 开头的文件名），请在它前面写 --：-- {arg}"
            ));
        }
    }
    if let Some(usage) = text(ContextKind::Usage) {
        let usage = usage.trim();
        let usage = usage.strip_prefix("Usage:").unwrap_or(usage).trim();
        out.push_str(&format!("\n\n用法：{usage}"));
    }
    out.push_str(&format!("\n\n运行 {sub} --help 查看全部选项和示例。"));
    out
}

/// `nianbao` or `nianbao 子命令`, as far as the arguments name one.
fn invoked(args: &[OsString]) -> String {
    let subs = ["check", "convert", "template", "rollup", "serve"];
    match args
        .iter()
        .skip(1)
        .find(|a| !a.to_string_lossy().starts_with('-'))
    {
        Some(a) if subs.contains(&a.to_string_lossy().as_ref()) => {
            format!("nianbao {}", a.to_string_lossy())
        }
        _ => "nianbao".to_string(),
    }
}

/// The reason a value was refused, in Chinese: the value parsers of this crate already say it
/// in Chinese; a standard library parse error (should one still reach here) is translated.
fn reason(source: &str) -> String {
    match source {
        "invalid digit found in string" => "不是整数".to_string(),
        "cannot parse integer from empty string" => "是空的".to_string(),
        "number too large to fit in target type" => "太大".to_string(),
        "number too small to fit in target type" => "太小".to_string(),
        s if s.is_ascii() => "无效".to_string(),
        s => s.to_string(),
    }
}

/// `--year`: a whole year between 2000 and 2100.
pub fn year(s: &str) -> Result<u16, String> {
    let year: u16 = s.trim().parse().map_err(|_| "不是整数年份".to_string())?;
    if !(2000..=2100).contains(&year) {
        return Err("不在 2000–2100 之间".to_string());
    }
    Ok(year)
}

/// A count or a size limit: a whole number ≥ 0 that fits `T`.
pub fn whole<T: TryFrom<u64>>(s: &str) -> Result<T, String> {
    let n: u64 = s.trim().parse().map_err(|_| "不是非负整数".to_string())?;
    T::try_from(n).map_err(|_| "太大".to_string())
}
