//! `nianbao rollup`: a folder of agency workbooks → a checked regional summary workbook.

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::bail;

use nianbao::rollup::{RollupError, RollupJob, RollupOptions, RollupSources};
use nianbao::write::summary::RollupFiles;

use super::{exit, has_extension, output, warn, ReadArgs, NO_WORKBOOKS};

/// 汇总多个单位的统计表：逐个读取校验，生成区域汇总工作簿（汇总、分单位明细、校验问题、报送情况、指标）
///
/// 有错误或无法读取的文件列入明细但不计入合计（--include-invalid 计入，--strict 则整个汇总失败）；同一单位同一年度两份文件都报错且都不计入。一次汇总只能是同一年度、同一格式版本。
///
/// 每个单位的名称和年度从其工作簿中读取。
#[derive(Debug, clap::Args)]
#[command(
    override_usage = "nianbao rollup [选项] <文件或目录>... -o <汇总工作簿>",
    after_help = "示例：
  nianbao rollup sample_workbooks/rollup_2023/ --name 云台区 -o 云台区2023年汇总.xlsx
  nianbao rollup sample_workbooks/rollup_2023/ --name 云台区 -o 云台区2023年汇总.xlsx \\
      --roster sample_workbooks/rollup_2023_roster.csv --previous sample_workbooks/rollup_2022/
  nianbao rollup sample_workbooks/rollup_2023/ -o 汇总.xlsx --csv 明细.csv  # 另写长表：每个单位每个数一行

退出码：0 全部计入且没有错误；1 有错误（相应文件未计入）；2 有文件无法读取，或用法错误、年度或版本混杂。"
)]
pub struct Args {
    /// 各单位的工作簿文件或目录（目录递归查找）
    #[arg(required = true, value_name = "文件或目录")]
    pub inputs: Vec<PathBuf>,
    /// 输出的汇总工作簿（.xlsx）
    #[arg(short, long, value_name = "汇总工作簿")]
    pub output: PathBuf,
    /// 区域名称（汇总表的“填报单位”），如“杜集区”
    #[arg(long, value_name = "名称", default_value = "汇总")]
    pub name: String,
    /// 应报送单位名单（CSV，列：单位名称[,区划代码,层级,上级]），用于列出未报送的单位
    #[arg(long, value_name = "名单.csv")]
    pub roster: Option<PathBuf>,
    /// 同时输出长表 CSV：每个单位每个数一行，最后是区域合计
    #[arg(long, value_name = "明细.csv")]
    pub csv: Option<PathBuf>,
    /// 上一年度的报表（文件或目录，或上年的汇总工作簿），用于跨年校验 X1–X3；可重复给出
    #[arg(long, value_name = "文件或目录")]
    pub previous: Vec<PathBuf>,
    /// 任何文件有错误或无法读取时，整个汇总失败（不写出任何文件）
    #[arg(long, conflicts_with = "include_invalid")]
    pub strict: bool,
    /// 有错误的报表也计入合计（默认不计入）
    #[arg(long)]
    pub include_invalid: bool,
    #[command(flatten)]
    pub read: ReadArgs,
}

pub fn run(args: Args) -> anyhow::Result<i32> {
    if !has_extension(&args.output, "xlsx") {
        bail!(
            "汇总工作簿的文件名须以 .xlsx 结尾：{}",
            args.output.display()
        );
    }
    if let Some(csv) = args.csv.as_ref().filter(|c| !has_extension(c, "csv")) {
        bail!("长表的文件名须以 .csv 结尾：{}", csv.display());
    }
    if args.csv.as_ref() == Some(&args.output) {
        bail!("--csv 与 -o 不能是同一个文件");
    }
    let sources = RollupSources {
        inputs: args.inputs.clone(),
        previous: args.previous.clone(),
        roster: args.roster.clone(),
    };
    let options = RollupOptions {
        read: args.read.options(),
        name: args.name.clone(),
        include_invalid: args.include_invalid,
        chunk: 256,
    };
    let (job, warnings) = RollupJob::open(&sources, options, args.strict)?;
    warn(warnings);
    if job.files.is_empty() {
        bail!(NO_WORKBOOKS);
    }
    let mut outputs = RollupFiles::create(&args.output, args.csv.as_deref(), &job.read_set())?;

    let progress = progress_bar(job.files.len() as u64);
    let tick = |n: usize| {
        if let Some(p) = &progress {
            p.set_position(n as u64);
        }
    };
    let result = nianbao::rollup::run(&job, &mut outputs.sinks(), &tick);
    if let Some(p) = &progress {
        p.finish_and_clear();
    }
    let outcome = match result {
        Ok(x) => x,
        Err(RollupError::Output(e)) => {
            return Err(anyhow::anyhow!(e).context(format!("写出 {} 失败", args.output.display())))
        }
        Err(e) => {
            eprintln!("错误：{}", output::terminal_safe(&e.to_string()));
            return Ok(exit::UNREADABLE);
        }
    };

    let t = outcome.tally;
    let summary = format!(
        "{} 个文件：计入 {} 个；有错误未计入 {}，重复 {}，年度未知 {}，无法读取 {}",
        t.files, t.counted, t.invalid, t.duplicate, t.year_unknown, t.unreadable,
    );
    let code = exit::of(outcome.verdict);
    if !outcome.written {
        eprintln!("{summary}");
        eprintln!("--strict：有文件有错误或无法读取，未写出任何文件（用 nianbao check 查看详情）");
        return Ok(code);
    }
    let roster_note = outcome
        .missing
        .map(|m| format!("；名单中未报送 {m} 个"))
        .unwrap_or_default();
    eprintln!("{summary}{roster_note}");
    let written = format!(
        "已写出 {}{}",
        args.output.display(),
        args.csv
            .as_ref()
            .map(|c| format!(" 和 {}", c.display()))
            .unwrap_or_default()
    );
    eprintln!("{}", output::terminal_safe(&written));
    Ok(code)
}

fn progress_bar(len: u64) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let pb = indicatif::ProgressBar::new(len);
    pb.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} 个文件 {elapsed_precise} 剩余 {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    Some(pb)
}
