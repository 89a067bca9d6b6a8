//! `nianbao rollup`: a folder of agency workbooks → a checked regional summary workbook.

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::{bail, Context};

use nianbao::read::ReadOptions;
use nianbao::rollup::{RollupError, RollupJob, RollupOptions, RollupSources};
use nianbao::write::summary::RollupFiles;

use super::check::Format;
use super::{exit, has_extension, output, warn, ReadArgs, NO_WORKBOOKS};

/// 汇总多个单位的统计表：逐个读取校验，生成区域汇总工作簿（汇总、分单位明细、校验问题、报送情况、指标、分单位指标）
///
/// 有错误或无法读取的文件列入明细但不计入合计（--include-invalid 计入，--strict 则整个汇总失败）；同一单位同一年度两份文件都报错且都不计入。一次汇总只能是同一年度、同一格式版本。
///
/// 每个单位的名称和年度从其工作簿中读取；--year 指定汇总年度。
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
    /// 终端上只打印最后一行合计（警告和错误照常打印）
    #[arg(long, short)]
    pub quiet: bool,
    /// 终端输出的格式：text（给人看，在标准错误上）或 json（整个结果作为一个 JSON 文档，在标准输出上）
    #[arg(long, value_name = "格式", value_enum, default_value_t = Format::Text, conflicts_with = "quiet")]
    pub format: Format,
    /// 输出文件已存在且不是 nianbao 写出的（或写出后被修改过）时，也覆盖它（默认拒绝，以免毁掉别人的文件）
    #[arg(long)]
    pub force: bool,
    /// 汇总年度：没有写明年度的报表按此年度计入（逐个注明）；写明了其他年度的报表报错误、不计入。
    /// 不给出时：各报表写明的年度只有一个，没有写明年度的报表按它计入（逐个警告）
    #[arg(long, value_name = "年度", value_parser = super::help::year)]
    pub year: Option<u16>,
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
        outputs: std::iter::once(args.output.clone())
            .chain(args.csv.clone())
            .collect(),
    };
    let options = RollupOptions {
        read: ReadOptions {
            wording: super::rollup_wording(),
            ..args.read.options()
        },
        name: args.name.clone(),
        include_invalid: args.include_invalid,
        year: args.year,
        chunk: 256,
    };
    let (job, warnings) = RollupJob::open(&sources, options, args.strict)?;
    warn(warnings);
    if job.files.is_empty() {
        bail!(NO_WORKBOOKS);
    }
    let mut reads = job.read_set();
    reads.set_overwrite(super::overwrite(args.force));
    let mut outputs = RollupFiles::create(&args.output, args.csv.as_deref(), &reads)?;

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
    let mut outcome = match result {
        Ok(x) => x,
        Err(RollupError::Output(e)) => {
            return Err(anyhow::anyhow!(e).context(format!("写出 {} 失败", args.output.display())))
        }
        Err(e) => {
            eprintln!("错误：{}", output::terminal_safe(&e.to_string()));
            return Ok(exit::UNREADABLE);
        }
    };

    warn(
        outcome
            .earlier_outputs()
            .into_iter()
            .map(|f| format!("已跳过 {f}：这是以前写出的本区域汇总表，不是一个单位的报表，未计入")),
    );
    let code = exit::of(outcome.verdict);
    let written = output::Written {
        written: outcome.written,
        paths: std::iter::once(args.output.as_path())
            .chain(args.csv.as_deref())
            .collect(),
    };
    let printed = match args.format {
        Format::Text => output::rollup_text(
            &mut std::io::stderr().lock(),
            &mut outcome,
            &written,
            args.quiet,
        ),
        Format::Json => output::rollup_json(&mut std::io::stdout().lock(), &mut outcome, &written),
    };
    printed.context("打印汇总结果失败")?;
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
