//! `nianbao check`: read and validate workbooks.

use std::path::PathBuf;

use super::{inputs, output, ReadArgs};

/// 读取并校验统计表工作簿（可给多个文件或目录，目录递归查找）
///
/// 退出码：0 没有错误（允许有警告）；1 有错误级别的校验问题；2 有文件无法读取或用法错误。
#[derive(Debug, clap::Args)]
pub struct Args {
    /// 工作簿文件或目录（目录中递归查找 .xlsx .xlsm .xls .ods .et，以及发布的网页、Word 文档 .html .htm .docx）
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// 输出格式：text（给人看）或 json（给程序用）
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(flatten)]
    pub read: ReadArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

pub fn run(args: Args) -> anyhow::Result<i32> {
    let files = inputs(&args.inputs, &args.read)?.files;
    let results = nianbao::batch::check_files(&files, &args.read.options());
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match args.format {
        Format::Text => output::text(&mut out, &results)?,
        Format::Json => output::json(&mut out, &results)?,
    }
    Ok(output::Summary::of(&results).exit_code())
}
