//! The command line: one file per subcommand, each with its clap `Args` and `run`.

use clap::{Parser, Subcommand};

pub mod check;
pub mod convert;
pub mod template;

/// 政府信息公开工作年度报告统计表：读取、校验、转换、汇总。
///
/// 退出码：0 没有错误（允许有警告）；1 有错误级别的校验问题；2 有文件无法读取，或命令用法错误。
#[derive(Debug, Parser)]
#[command(name = "nianbao", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Check(check::Args),
    Convert(convert::Args),
    Template(template::Args),
}

/// Exit codes, documented in `--help` and the README.
pub mod exit {
    /// No error findings (warnings allowed).
    pub const OK: i32 = 0;
    /// At least one error finding.
    pub const FINDINGS: i32 = 1;
    /// An input could not be read, or the command was misused.
    pub const UNREADABLE: i32 = 2;
}

/// Run the parsed command; returns the process exit code.
pub fn run(cli: Cli) -> anyhow::Result<i32> {
    match cli.command {
        Command::Check(a) => check::run(a),
        Command::Convert(a) => convert::run(a),
        Command::Template(a) => template::run(a),
    }
}
