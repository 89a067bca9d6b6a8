//! `nianbao convert`: one workbook → JSON, long CSV (or the filled template, `.xlsx`).

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

use super::{output, ReadArgs};

/// 把一个工作簿转换为 JSON（报表模型）或 CSV（长表，每个数一行），按输出文件扩展名决定
///
/// 校验问题打印到标准错误。退出码：0 没有错误；1 有错误级别的校验问题（输出照常写出）；2 文件无法读取或用法错误。
#[derive(Debug, clap::Args)]
pub struct Args {
    /// 输入工作簿
    pub input: PathBuf,
    /// 输出文件：.json 或 .csv
    #[arg(short, long)]
    pub output: PathBuf,
    #[command(flatten)]
    pub read: ReadArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Json,
    Csv,
}

fn target(output: &Path) -> anyhow::Result<Target> {
    let ext = output
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("json") => Ok(Target::Json),
        Some("csv") => Ok(Target::Csv),
        Some("xlsx") => {
            bail!("暂不支持输出 .xlsx（填好的官方模板将在后续版本提供）；请改用 .json 或 .csv")
        }
        _ => bail!(
            "无法从输出文件名 {} 判断格式：请用 .json 或 .csv 结尾",
            output.display()
        ),
    }
}

pub fn run(args: Args) -> anyhow::Result<i32> {
    let target = target(&args.output)?;
    if args.input.is_dir() {
        bail!("convert 只接受一个工作簿文件；要检查整个目录请用 nianbao check");
    }
    let files = super::inputs(std::slice::from_ref(&args.input), &args.read)?;
    nianbao::write::atomic::refuse_input(&args.output, &files)?;
    let checked = nianbao::batch::check_file(&files[0], &args.read.options());
    {
        let stderr = std::io::stderr();
        output::text(&mut stderr.lock(), std::slice::from_ref(&checked))?;
    }
    let Ok((report, _)) = &checked.outcome else {
        return Ok(super::exit::UNREADABLE);
    };
    nianbao::write::atomic::write_atomic(&args.output, &files, |w| match target {
        Target::Json => {
            serde_json::to_writer_pretty(&mut *w, report)?;
            w.write_all(b"\n")
        }
        Target::Csv => nianbao::write::csv::write_long(w, [report]),
    })
    .with_context(|| format!("写出 {} 失败", args.output.display()))?;
    Ok(output::Summary::of(std::slice::from_ref(&checked)).exit_code())
}
