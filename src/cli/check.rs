//! `nianbao check`: read and validate workbooks.

use std::path::PathBuf;

use super::{inputs, output, IdentityArgs, ReadArgs};

/// 读取并校验统计表工作簿（可给多个文件或目录，目录递归查找）
///
/// 每个文件一行结论（单位、年度、格式版本），下面是每条校验问题：规则、级别、单元格、说明和处理提示；最后一行是合计。
#[derive(Debug, clap::Args)]
#[command(
    override_usage = "nianbao check [选项] <文件或目录>...",
    after_help = "示例：
  nianbao check sample_workbooks/  # 检查目录下的全部工作簿
  nianbao check sample_workbooks/fails_r1.xlsx  # 一个违反 R1 的文件：列出问题和单元格
  nianbao check --format json sample_workbooks/rollup_2023/ > 结果.json

退出码：0 没有错误（允许有警告）；1 有错误级别的校验问题；2 有文件无法读取或用法错误。"
)]
pub struct Args {
    /// 工作簿文件或目录（目录中递归查找 .xlsx .xlsm .xls .ods .et，以及发布的网页、Word 文档和文本 .html .htm .docx .txt .md）
    #[arg(required = true, value_name = "文件或目录")]
    pub inputs: Vec<PathBuf>,
    /// 输出格式：text 给人看，json 给程序用
    #[arg(long, value_name = "格式", value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(flatten)]
    pub identity: IdentityArgs,
    #[command(flatten)]
    pub read: ReadArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

pub fn run(args: Args) -> anyhow::Result<i32> {
    let files = inputs(&args.inputs, &args.identity)?.files;
    let results = nianbao::batch::check_files(&files, &args.identity.options(&args.read));
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match args.format {
        Format::Text => output::text(&mut out, &results)?,
        Format::Json => output::json(&mut out, &results)?,
    }
    Ok(output::Summary::of(&results).exit_code())
}
