//! `nianbao convert`: one workbook → the filled official template (`.xlsx`), the model (`.json`)
//! or the long CSV (`.csv`).

use std::path::{Path, PathBuf};

use anyhow::bail;

use super::{output, IdentityArgs, ReadArgs};

/// 把一个工作簿转换为官方格式统计表（.xlsx）、报表模型（.json）或长表（.csv），按输出文件扩展名决定
///
/// .xlsx：官方格式的统计表，附“校验结果”“数据来源”工作表，有错误的单元格标红；总计为公式。
///
/// 不加 --fix 时数字一律照原样写出；加 --fix 时按明细重新计算各总计（不改动任何明细数），只在更正后没有原本成立的规则变为不成立时才改；两条规则对哪个数有误意见不一时不改，列为“未更正”。更正与未更正的总计列入“更正记录”工作表并打印到标准错误。校验问题（引用原表数值）打印到标准错误。
#[derive(Debug, clap::Args)]
#[command(
    override_usage = "nianbao convert [选项] <输入工作簿> -o <输出文件>",
    after_help = "示例：
  nianbao convert sample_workbooks/dujiqu_jingxinju_2020.xlsx -o 经信局_统计表.xlsx
  nianbao convert sample_workbooks/fails_r3.xlsx -o 更正后.xlsx --fix
  nianbao convert sample_workbooks/yuntai_wenlv_2020.xls -o 文旅局.csv

退出码：0 没有错误；1 有错误级别的校验问题（输出照常写出）；2 文件无法读取或用法错误。"
)]
pub struct Args {
    /// 输入工作簿（.xlsx .xlsm .xls .ods .et）
    #[arg(value_name = "输入工作簿")]
    pub input: PathBuf,
    /// 输出文件：.xlsx、.json 或 .csv
    #[arg(short, long, value_name = "输出文件")]
    pub output: PathBuf,
    /// 按明细重新计算可推导的总计（表三总计列、（七）总计行，表四总计），不会让原本成立的规则不成立；列出每处更正和未更正
    #[arg(long)]
    pub fix: bool,
    /// 输出文件已存在且不是 nianbao 写出的（或写出后被修改过）时，也覆盖它（默认拒绝，以免毁掉别人的文件）
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub identity: IdentityArgs,
    #[command(flatten)]
    pub read: ReadArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Xlsx,
    Json,
    Csv,
}

fn target(output: &Path) -> anyhow::Result<Target> {
    let ext = output
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("xlsx") => Ok(Target::Xlsx),
        Some("json") => Ok(Target::Json),
        Some("csv") => Ok(Target::Csv),
        _ => bail!(
            "无法从输出文件名 {} 判断格式：请用 .xlsx、.json 或 .csv 结尾",
            output.display()
        ),
    }
}

pub fn run(args: Args) -> anyhow::Result<i32> {
    let target = target(&args.output)?;
    if args.input.is_dir() {
        bail!("convert 只接受一个工作簿文件；要检查整个目录请用 nianbao check");
    }
    let inputs = super::inputs(std::slice::from_ref(&args.input), &args.identity)?;
    let mut reads = inputs.reads.clone();
    reads.set_overwrite(super::overwrite(args.force));
    let (files, reads) = (&inputs.files, &reads);
    nianbao::write::atomic::refuse_input(&args.output, reads)?;
    let (checked, fixed) =
        nianbao::batch::check_and_fix(&files[0], &args.identity.options(&args.read), args.fix);
    for line in fixed.messages() {
        eprintln!("{}", output::terminal_safe(&line));
    }
    output::text(
        &mut std::io::stderr().lock(),
        std::slice::from_ref(&checked),
    )?;
    let Ok((report, findings)) = &checked.outcome else {
        return Ok(super::exit::UNREADABLE);
    };
    match target {
        Target::Xlsx => {
            nianbao::write::template::write_report(report, findings, &fixed, &args.output, reads)?
        }
        Target::Json => nianbao::write::atomic::write_atomic(&args.output, reads, |w| {
            serde_json::to_writer_pretty(&mut *w, report)?;
            writeln!(w)
        })?,
        Target::Csv => nianbao::write::atomic::write_atomic(&args.output, reads, |w| {
            nianbao::write::csv::write_long(w, [report])
        })?,
    }
    eprintln!(
        "已写出 {}",
        output::terminal_safe(&args.output.display().to_string())
    );
    Ok(output::Summary::of(std::slice::from_ref(&checked)).exit_code())
}
