//! `nianbao template`: write the blank official template.

use std::path::PathBuf;

use nianbao::model::FormatVersion;
use nianbao::write::template;

/// 生成空白的官方统计表模板（表二、表三、表四），供各单位填报。
///
/// 填报项为空白单元格（未填写的单元格读回时会提示“未填报”，而不是当作 0）；总计单元格为公式，自动计算。
///
/// 工作表已保护（无密码），只有填报项可以修改。
#[derive(Debug, clap::Args)]
#[command(
    override_usage = "nianbao template [选项] -o <输出文件>",
    after_help = "示例：
  nianbao template -o 模板.xlsx  # 2021 版空白模板
  nianbao template --version 2019 --agency 某某局 --year 2020 -o 某某局2020.xlsx
  nianbao template --version 2021 --year 2023 -o 2023年度模板.xlsx

退出码：0 已写出；2 用法错误或无法写出。"
)]
pub struct Args {
    /// 格式版本：2021（国办公开办函〔2021〕30号，2021 年度起）或 2019（国办公开办函〔2019〕60号，2019、2020 年度）
    #[arg(long, value_name = "版本", value_parser = super::parse_version, default_value = "2021")]
    pub version: FormatVersion,

    /// 输出文件（.xlsx）
    #[arg(short, long, value_name = "输出文件")]
    pub output: PathBuf,

    /// 预先填写的填报单位名称（可选）
    #[arg(long, value_name = "名称")]
    pub agency: Option<String>,

    /// 预先填写的统计年度（可选）
    #[arg(long, value_name = "年度", value_parser = super::help::year)]
    pub year: Option<u16>,

    /// 输出文件已存在且不是 nianbao 写出的（或写出后被修改过）时，也覆盖它（默认拒绝，以免毁掉别人的文件）
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: Args) -> anyhow::Result<i32> {
    if !super::has_extension(&args.output, "xlsx") {
        anyhow::bail!(
            "模板只能写成 .xlsx：请把输出文件名改为以 .xlsx 结尾（{}）",
            args.output.display()
        );
    }
    if let Some(year) = args.year {
        let fits = FormatVersion::for_year(year);
        if fits != Some(args.version) {
            let should = fits.map_or("（2019 年以前没有统一格式）".to_string(), |v| {
                format!("应使用 {v} 版")
            });
            super::warn([format!(
                "{year} 年度的报表{should}，而这里生成的是 {} 版模板；请确认 --version",
                args.version
            )]);
        }
    }
    let mut reads = nianbao::batch::ReadSet::default();
    reads.set_overwrite(super::overwrite(args.force));
    template::write_template(
        args.version,
        args.agency.as_deref(),
        args.year,
        &args.output,
        &reads,
    )?;
    eprintln!(
        "已写出 {}（{} 版空白模板）",
        super::output::terminal_safe(&args.output.display().to_string()),
        args.version
    );
    Ok(super::exit::OK)
}
