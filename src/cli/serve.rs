//! `nianbao serve`: the web page (the server is `crate::serve`).

use std::io::Write;
use std::net::{IpAddr, SocketAddr};

use nianbao::read::ReadOptions;

use super::ReadArgs;
use std::time::Duration;

use crate::serve::{self, Config, Server, Timeouts, UploadLimits};

/// 在本机启动网页界面：在浏览器中拖入工作簿检查、汇总各单位的报表、下载模板，下载官方格式统计表、更正后的工作簿和汇总工作簿
///
/// 默认只在本机（127.0.0.1）上提供服务，别的电脑无法访问。上传的文件只在处理请求时保存在内存中，处理完即丢弃。
///
/// 用 --listen 让局域网中的其他电脑访问时，必须使用访问口令（自动生成并打印，或用 --token 指定），每个请求都要检查口令。
#[derive(Debug, clap::Args)]
#[command(
    override_usage = "nianbao serve [选项]",
    after_help = "示例：
  nianbao serve --open  # 启动并在默认浏览器中打开页面
  nianbao serve --port 9000
  nianbao serve --listen 192.168.1.20  # 局域网访问：打印带访问口令的地址

按 Ctrl+C 停止。"
)]
pub struct Args {
    /// 端口（0 表示任选一个空闲端口）
    #[arg(long, value_name = "端口", default_value_t = 8080)]
    pub port: u16,
    /// 启动后在默认浏览器中打开页面
    #[arg(long)]
    pub open: bool,
    /// 监听的 IP 地址（默认 127.0.0.1，只有本机能访问）；本机以外的地址必须使用访问口令
    #[arg(long, value_name = "IP地址")]
    pub listen: Option<IpAddr>,
    /// 访问口令（至少 8 个字符；不给时，监听本机以外的地址会自动生成一个）
    #[arg(long, value_name = "口令")]
    pub token: Option<String>,
    /// 每次上传的总大小上限（MB）
    #[arg(long, value_name = "MB", value_parser = super::help::whole::<u64>, default_value_t = 200)]
    pub max_request_mb: u64,
    /// 每次上传的文件数上限
    #[arg(long, value_name = "个数", value_parser = super::help::whole::<usize>, default_value_t = 500)]
    pub max_files: usize,
    /// 同时进行的汇总个数上限（更多的汇总请求会得到“服务器忙”的答复，稍后再试）
    #[arg(long, value_name = "个数", value_parser = super::help::whole::<usize>, default_value_t = 2)]
    pub max_rollups: usize,
    /// 连接空闲超时（秒）：连接这么久没有发送任何内容就断开
    #[arg(long, value_name = "秒", value_parser = super::help::whole::<u64>, default_value_t = 30)]
    pub idle_timeout: u64,
    #[command(flatten)]
    pub read: ReadArgs,
}

const MB: u64 = 1024 * 1024;

/// The longest one upload may take in all: 200 MB at a slow office line's 250 KB/s.
const UPLOAD_DEADLINE: Duration = Duration::from_secs(15 * 60);

pub fn run(args: Args) -> anyhow::Result<i32> {
    let ip = args.listen.unwrap_or(IpAddr::from([127, 0, 0, 1]));
    let token = match args.token {
        Some(t) => Some(t),
        None if !ip.is_loopback() => Some(serve::new_token()?),
        None => None,
    };
    let read = ReadOptions {
        wording: serve::wording(),
        ..args.read.options()
    };
    let server = Server::bind(Config {
        listen: SocketAddr::new(ip, args.port),
        token: token.clone(),
        limits: UploadLimits {
            file_bytes: read.limits.max_file_bytes,
            request_bytes: args.max_request_mb.saturating_mul(MB),
            files: args.max_files,
        },
        read,
        timeouts: Timeouts {
            idle: Duration::from_secs(args.idle_timeout.max(1)),
            upload: UPLOAD_DEADLINE,
        },
        rollups: args.max_rollups,
    })?;
    let url = server.url();
    // The address is said, but a standard output that is gone (started with no console) is no
    // reason to stop serving: the page is still there, and --open still opens it.
    let _ = (|| -> std::io::Result<()> {
        let mut out = std::io::stdout().lock();
        writeln!(out, "nianbao 网页界面已启动：{url}")?;
        if let Some(t) = &token {
            writeln!(
                out,
                "访问口令：{t}（其他电脑请用上面的完整地址打开，或地址中的 IP 换成本机的局域网地址）"
            )?;
        }
        writeln!(
            out,
            "上传的文件只在内存中处理，处理完即丢弃。按 Ctrl+C 停止。"
        )?;
        out.flush()
    })();
    if args.open {
        open_browser(&url);
    }
    server.run(4);
    Ok(super::exit::OK)
}

/// Open `url` in the default browser (a failure is a warning: the address is printed).
fn open_browser(url: &str) {
    let mut cmd = if cfg!(target_os = "windows") {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else {
        std::process::Command::new("xdg-open")
    };
    if cmd.arg(url).spawn().is_err() {
        super::warn(["无法打开浏览器：请手动打开上面的地址".to_string()]);
    }
}
