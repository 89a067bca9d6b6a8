//! The command line: one file per subcommand, each with its clap `Args` and `run`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use nianbao::model::FormatVersion;
use nianbao::read::{Limits, ReadOptions};

pub mod check;
pub mod convert;
pub mod help;
pub mod output;
pub mod rollup;
pub mod serve;
pub mod template;

/// 政府信息公开工作年度报告统计表：读取、校验、转换、汇总。
#[derive(Debug, Parser)]
#[command(
    name = "nianbao",
    version,
    override_usage = "nianbao <命令> [参数和选项]",
    after_help = "示例：
  nianbao check sample_workbooks/
  nianbao rollup sample_workbooks/rollup_2023/ --name 云台区 -o 云台区2023年汇总.xlsx
  nianbao check --help  # 每个命令的用法和示例

退出码：0 没有错误（允许有警告）；1 有错误级别的校验问题；2 有文件无法读取，或命令用法错误。"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Check(check::Args),
    Convert(convert::Args),
    Template(template::Args),
    Rollup(rollup::Args),
    Serve(serve::Args),
}

/// Exit codes, documented in `--help` and the README.
pub mod exit {
    /// No error findings (warnings allowed).
    pub const OK: i32 = 0;
    /// At least one error finding.
    pub const FINDINGS: i32 = 1;
    /// An input could not be read, or the command was misused.
    pub const UNREADABLE: i32 = 2;

    /// The exit code of a library verdict.
    pub fn of(v: nianbao::batch::Verdict) -> i32 {
        use nianbao::batch::Verdict;
        match v {
            Verdict::Clean => OK,
            Verdict::Findings => FINDINGS,
            Verdict::Unreadable => UNREADABLE,
        }
    }
}

/// Run the parsed command; returns the process exit code.
pub fn run(cli: Cli) -> anyhow::Result<i32> {
    match cli.command {
        Command::Check(a) => check::run(a),
        Command::Convert(a) => convert::run(a),
        Command::Template(a) => template::run(a),
        Command::Rollup(a) => rollup::run(a),
        Command::Serve(a) => serve::run(a),
    }
}

/// The agency and year of one workbook, given on the command line (`check`, `convert`: a
/// roll-up reads them from each workbook).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct IdentityArgs {
    /// 单位名称（覆盖工作簿中的“填报单位”或标题；只用于单个文件）
    #[arg(long, value_name = "名称")]
    pub agency: Option<String>,
    /// 统计年度（覆盖工作簿中的年度；只用于单个文件）
    #[arg(long, value_name = "年度", value_parser = help::year)]
    pub year: Option<u16>,
}

impl IdentityArgs {
    /// The reading options with this agency and year.
    pub fn options(&self, read: &ReadArgs) -> ReadOptions {
        ReadOptions {
            agency: self.agency.clone(),
            year: self.year,
            ..read.options()
        }
    }
}

/// Options for reading workbooks, shared by every subcommand that reads.
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "读取选项")]
pub struct ReadArgs {
    /// 标签无法判断版本时采用的格式版本：2019 或 2021（标签能判断时以标签为准）
    #[arg(long, value_name = "版本", value_parser = parse_version)]
    pub format_version: Option<FormatVersion>,
    /// 单个文件的大小上限（MB）
    #[arg(long, value_name = "MB", value_parser = help::whole::<u64>, default_value_t = Limits::default().max_file_bytes / MB)]
    pub max_file_mb: u64,
    /// 压缩包（xlsx/ods）解压后的总大小上限（MB）
    #[arg(long, value_name = "MB", value_parser = help::whole::<u64>, default_value_t = Limits::default().max_unpacked_bytes / MB)]
    pub max_unpacked_mb: u64,
    /// 工作表的行数上限（有内容的最远行）
    #[arg(long, value_name = "个数", value_parser = help::whole::<u32>, default_value_t = Limits::default().max_rows)]
    pub max_rows: u32,
    /// 工作表的列数上限（有内容的最远列）
    #[arg(long, value_name = "个数", value_parser = help::whole::<u32>, default_value_t = Limits::default().max_cols)]
    pub max_cols: u32,
    /// 整个工作簿读取或分配的单元格数上限
    #[arg(long, value_name = "个数", value_parser = help::whole::<u64>, default_value_t = Limits::default().max_cells)]
    pub max_cells: u64,
    /// 压缩包中单个部件（大于 1 MiB 时）的压缩比上限（防“压缩炸弹”）
    #[arg(long, value_name = "倍数", value_parser = help::whole::<u64>, default_value_t = Limits::default().max_zip_ratio)]
    pub max_zip_ratio: u64,
    /// 一个工作簿中的工作表数上限
    #[arg(long, value_name = "个数", value_parser = help::whole::<u32>, default_value_t = Limits::default().max_sheets)]
    pub max_sheets: u32,
    /// 读取时展开的文字总量上限（MB）：共享字符串被多个单元格引用、共享公式、重复单元格的每一份都计入
    #[arg(long, value_name = "MB", value_parser = help::whole::<u64>, default_value_t = Limits::default().max_text_bytes / MB)]
    pub max_text_mb: u64,
}

const MB: u64 = 1024 * 1024;

pub fn parse_version(s: &str) -> Result<FormatVersion, String> {
    FormatVersion::from_id(s).ok_or_else(|| "不是格式版本：只能是 2019 或 2021".to_string())
}

impl ReadArgs {
    pub fn options(&self) -> ReadOptions {
        ReadOptions {
            limits: Limits {
                max_file_bytes: self.max_file_mb.saturating_mul(MB),
                max_unpacked_bytes: self.max_unpacked_mb.saturating_mul(MB),
                max_rows: self.max_rows,
                max_cols: self.max_cols,
                max_cells: self.max_cells,
                max_zip_ratio: self.max_zip_ratio,
                max_sheets: self.max_sheets,
                max_text_bytes: self.max_text_mb.saturating_mul(MB),
            },
            agency: None,
            year: None,
            batch_year: None,
            format: self.format_version,
            wording: wording(),
        }
    }
}

/// The library's help texts in the command line's words: each names the flag that does it.
pub fn wording() -> nianbao::wording::Wording {
    nianbao::wording::Wording {
        previous: "请用 --previous 提供上一年度的报表。".into(),
        agency_year: "或用 --agency / --year 指定。".into(),
        limits: "或用 --max-* 选项放宽上限。".into(),
        format_version: "请用 --format-version 2019 或 2021 指定格式版本。".into(),
    }
}

/// [`wording`] for `rollup`, which takes the roll-up's year (`--year`) and no agency: an
/// agency's name can only be stated in its workbook.
pub fn rollup_wording() -> nianbao::wording::Wording {
    nianbao::wording::Wording {
        agency_year: "或用 --year 指定汇总年度（单位名称只能在工作簿中填写）。".into(),
        ..wording()
    }
}

/// The input files of a command (paths skipped under a folder are printed as warnings);
/// `--agency`/`--year` only make sense for one file.
pub fn inputs(paths: &[PathBuf], who: &IdentityArgs) -> anyhow::Result<nianbao::batch::Inputs> {
    let found = nianbao::batch::collect_inputs(paths)?;
    warn(found.skipped.iter().map(ToString::to_string));
    let files = &found.files;
    if files.is_empty() {
        anyhow::bail!(NO_WORKBOOKS);
    }
    if files.len() > 1 && (who.agency.is_some() || who.year.is_some()) {
        anyhow::bail!(
            "--agency 和 --year 只能用于单个文件（输入中有 {} 个文件）",
            files.len()
        );
    }
    Ok(found)
}

/// Which existing files the outputs may replace: with `--force` any file that is not read;
/// without, only files nianbao wrote (the refusal names the flag).
pub fn overwrite(force: bool) -> nianbao::batch::Overwrite {
    if force {
        nianbao::batch::Overwrite::Any
    } else {
        nianbao::batch::Overwrite::OnlyNianbaos {
            how: "或加 --force 覆盖它".into(),
        }
    }
}

/// Whether a path ends in `.ext` (any case): outputs are written in the format their name says.
pub fn has_extension(path: &std::path::Path, ext: &str) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case(ext))
}

/// When the inputs hold no workbook.
pub const NO_WORKBOOKS: &str =
    "在给出的输入中没有找到工作簿文件（.xlsx .xlsm .xls .ods .et）或发布的网页、Word 文档（.html .htm .docx）";

/// Print warnings about the inputs on stderr, one line each.
pub fn warn(lines: impl IntoIterator<Item = String>) {
    for line in lines {
        eprintln!("警告：{}", output::terminal_safe(&line));
    }
}
