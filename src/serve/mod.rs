//! `nianbao serve`: a web page on the office's own machine for checking workbooks, rolling them
//! up and downloading templates (issue 12).
//!
//! **HTTP.** Served by [`http`]: std's listener, a fixed number of worker threads, one request
//! per connection, every connection bounded in time (why no HTTP crate: see there). The reading
//! itself runs on the library's rayon pool as `check` does. The server lives in the binary crate
//! only: the library knows nothing of HTTP; the handlers here are thin, like the command line's
//! (parse the request, call one library function, shape the answer with the CLI's own JSON).
//!
//! **Security.** Bound to loopback unless `--listen` says otherwise, and then an access token is
//! required on every request (`Authorization: Bearer`, the `nianbao_token` cookie the page gets
//! when opened with `?token=`, or `?token=`). The `Host` of every request must be the served
//! address written as an IP address (or `localhost`): a DNS name, which is what DNS rebinding
//! needs, is refused (403). A POST whose `Origin` is another site is refused (403). Uploads are
//! bounded per file, per request and in number (413) and read with the reader's guards; they
//! are held in memory only for the request and dropped with it (a roll-up's: until the roll-up
//! ends, see [`rollup`]); client file names are only text in messages. A connection that sends
//! slowly or not at all is cut off ([`Timeouts`]).

mod http;
mod multipart;
mod rollup;

use std::io::Read;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use anyhow::Context;
use http::Request;

use nianbao::model::FormatVersion;
use nianbao::read::ReadOptions;

/// The page, embedded in the binary: nothing is fetched from elsewhere.
const PAGE: &str = include_str!("page.html");

/// The page as served: the files its pickers send are those a folder scan reads
/// ([`nianbao::batch::WORKBOOK_EXTENSIONS`], the one list).
static PAGE_SERVED: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    PAGE.replace(
        "WORKBOOK_EXTENSIONS",
        &nianbao::batch::WORKBOOK_EXTENSIONS.join("|"),
    )
});

/// Upload limits (413 beyond them).
#[derive(Debug, Clone, Copy)]
pub struct UploadLimits {
    /// The largest file (the reader's own limit).
    pub file_bytes: u64,
    /// The largest request body.
    pub request_bytes: u64,
    /// The most files in one request.
    pub files: usize,
}

/// What to serve and how.
pub struct Config {
    /// The address to listen on (port 0: any free port).
    pub listen: SocketAddr,
    /// The access token; required when `listen` is not loopback.
    pub token: Option<String>,
    /// Upload limits.
    pub limits: UploadLimits,
    /// Reading options, with the reader's guards (as the CLI's `--max-*`).
    pub read: ReadOptions,
    /// How long a connection may keep the server waiting.
    pub timeouts: Timeouts,
    /// At most this many roll-ups at once (the page's 汇总).
    pub rollups: usize,
}

/// How long a connection may keep the server waiting.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// The longest a connection may send nothing (or take nothing of an answer): each read and
    /// write on it fails after this, and the connection is closed. A request's head must also
    /// arrive within it.
    pub idle: std::time::Duration,
    /// The longest one upload may take in all (408 beyond it).
    pub upload: std::time::Duration,
}

/// A bound server, not yet serving.
pub struct Server {
    listener: std::net::TcpListener,
    state: Arc<State>,
}

struct State {
    addr: SocketAddr,
    token: Option<String>,
    limits: UploadLimits,
    read: ReadOptions,
    timeouts: Timeouts,
    rollup: rollup::Rollups,
}

/// The library's help texts in the page's words: the page has no flags, so a hint says what
/// the person at the page can do, or what whoever started `nianbao serve` can.
pub fn wording() -> nianbao::wording::Wording {
    nianbao::wording::Wording {
        previous: "请在“汇总”页的“上年报表”中上传上一年度各单位的报表或上年的汇总表。".into(),
        agency_year: "或在文件名中写明单位名称和年度后重新上传。".into(),
        limits: "或请启动 nianbao serve 的人用 --max-* 选项放宽上限。".into(),
        format_version:
            "请在表头标明格式版本，或请启动 nianbao serve 的人用 --format-version 2019 或 2021 指定。"
                .into(),
    }
}

/// A new random access token (128 bits from the operating system, hex).
pub fn new_token() -> anyhow::Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("无法生成访问口令：{e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

impl Server {
    /// Bind the address. Refuses an address beyond loopback without a token.
    pub fn bind(config: Config) -> anyhow::Result<Self> {
        if !config.listen.ip().is_loopback() && config.token.is_none() {
            anyhow::bail!("监听本机以外的地址时必须使用访问口令");
        }
        if config.token.as_deref().is_some_and(|t| t.len() < 8) {
            anyhow::bail!("访问口令太短：至少 8 个字符");
        }
        let listener = std::net::TcpListener::bind(config.listen).map_err(|e| {
            let why = match e.kind() {
                std::io::ErrorKind::AddrInUse => "端口已被占用：请用 --port 换一个端口".to_string(),
                std::io::ErrorKind::AddrNotAvailable => {
                    "本机没有这个地址：--listen 请给本机的 IP 地址".to_string()
                }
                _ => nianbao::error::os_reason(&e),
            };
            anyhow::anyhow!("无法在 {} 上启动网页服务：{why}", config.listen)
        })?;
        let addr = listener.local_addr().context("网页服务没有 IP 地址")?;
        Ok(Server {
            listener,
            state: Arc::new(State {
                addr,
                token: config.token,
                limits: config.limits,
                read: config.read,
                timeouts: config.timeouts,
                rollup: rollup::Rollups::new(config.rollups),
            }),
        })
    }

    /// The page's address to open in a browser (with the token when there is one).
    pub fn url(&self) -> String {
        let addr = self.state.addr;
        let host = if addr.ip().is_unspecified() {
            SocketAddr::new(IpAddr::from([127, 0, 0, 1]), addr.port())
        } else {
            addr
        };
        match &self.state.token {
            Some(t) => format!("http://{host}/?token={t}"),
            None => format!("http://{host}/"),
        }
    }

    /// Serve with `workers` threads until the process ends.
    pub fn run(self, workers: usize) {
        let state = self.state;
        let idle = state.timeouts.idle;
        http::run(
            self.listener,
            workers,
            idle,
            move |stream| match http::read_request(stream, idle) {
                Ok(req) => state.handle(req),
                Err((stream, why)) => http::refuse(stream, why, error_json),
            },
        );
    }
}

/// An answer before it is written ([`http::Answer`]).
struct Reply {
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
    headers: Vec<(&'static str, String)>,
}

impl Reply {
    fn json(status: u16, body: Vec<u8>) -> Self {
        Reply {
            status,
            content_type: JSON,
            body,
            headers: Vec::new(),
        }
    }

    /// A JSON document made here (`json!`).
    fn value(status: u16, doc: serde_json::Value) -> Self {
        Reply::json(status, serde_json::to_vec(&doc).unwrap_or_default())
    }

    /// An error: `{"error": message}` with the status.
    fn error(status: u16, message: &str) -> Self {
        Reply::json(status, error_json(message))
    }

    fn with_header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.to_string()));
        self
    }

    fn download(content_type: &'static str, name: &str, body: Vec<u8>) -> Self {
        Reply {
            status: 200,
            content_type,
            body,
            headers: vec![("Content-Disposition", attachment(name))],
        }
    }
}

/// `{"error": message}`.
fn error_json(message: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({ "error": message })).unwrap_or_default()
}

/// `attachment` with an ASCII fallback name and the UTF-8 name (RFC 6266 / 5987).
fn attachment(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// The value of `key` in a query string (percent-decoded).
fn query(url: &str, key: &str) -> Option<String> {
    let (_, q) = url.split_once('?')?;
    q.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        (k == key).then(|| percent_decode(v))
    })
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let hex = |c: u8| (c as char).to_digit(16);
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether a `Host` header names the server at `served` by IP address (or `localhost`) and
/// its port (80 when none is written). A DNS name, which DNS rebinding needs, never does.
fn host_ok(served: SocketAddr, host: &str) -> bool {
    let (name, port) = match host.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((name, rest)) => (name, rest),
            None => return false,
        },
        None => match host.split_once(':') {
            Some((name, port)) => (name, host.get(name.len()..).unwrap_or(port)),
            None => (host, ""),
        },
    };
    let port = match port {
        "" => 80,
        p => match p.strip_prefix(':').and_then(|p| p.parse::<u16>().ok()) {
            Some(p) => p,
            None => return false,
        },
    };
    if port != served.port() {
        return false;
    }
    let ip = if name.eq_ignore_ascii_case("localhost") {
        IpAddr::from([127, 0, 0, 1])
    } else {
        match name.parse::<IpAddr>() {
            Ok(ip) => ip,
            Err(_) => return false,
        }
    };
    let at = served.ip();
    ip == at || ip.is_loopback() && at.is_loopback() || at.is_unspecified()
}

/// Equal in time independent of where they differ.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// A client's file name as text for messages: its last component, without control characters,
/// at most 200 characters (never a path).
fn display_name(given: &str, n: usize) -> String {
    let last = given.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = last.chars().filter(|c| !c.is_control()).take(200).collect();
    if clean.trim().is_empty() {
        format!("上传的文件{n}")
    } else {
        clean
    }
}

impl State {
    fn handle(&self, mut req: Request) {
        let reply =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.respond(&mut req)))
                .unwrap_or_else(|_| {
                    Reply::error(500, "内部错误：这是 nianbao 的缺陷，请报告给维护者")
                });
        let set_cookie = self.cookie_for(&req);
        let mut headers = vec![
            ("Content-Type", reply.content_type.to_string()),
            ("X-Content-Type-Options", "nosniff".to_string()),
            ("Referrer-Policy", "no-referrer".to_string()),
            ("X-Frame-Options", "DENY".to_string()),
            ("Cache-Control", "no-store".to_string()),
            (
                "Content-Security-Policy",
                "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; \
                 connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; \
                 frame-ancestors 'none'"
                    .to_string(),
            ),
        ];
        headers.extend(reply.headers);
        headers.extend(set_cookie.map(|c| ("Set-Cookie", c)));
        req.respond(http::Answer {
            status: reply.status,
            headers: &headers,
            body: &reply.body,
        });
    }

    /// The token cookie, when the page is opened with a right `?token=`.
    fn cookie_for(&self, req: &Request) -> Option<String> {
        let token = self.token.as_deref()?;
        let given = query(req.url(), "token")?;
        same_secret(&given, token)
            .then(|| format!("nianbao_token={token}; Path=/; HttpOnly; SameSite=Strict"))
    }

    fn authorized(&self, req: &Request) -> bool {
        let Some(token) = self.token.as_deref() else {
            return true;
        };
        let bearer = req
            .header("Authorization")
            .and_then(|v| v.strip_prefix("Bearer "));
        let cookie = req.header("Cookie").and_then(|c| {
            c.split(';')
                .find_map(|kv| kv.trim().strip_prefix("nianbao_token="))
        });
        let given = query(req.url(), "token");
        let ok = [bearer, cookie, given.as_deref()]
            .into_iter()
            .flatten()
            .any(|g| same_secret(g, token));
        ok
    }

    /// Whether a state-changing request comes from this page: an `Origin` (which browsers send
    /// with every POST) must be this server as the `Host` names it.
    fn origin_ok(req: &Request) -> bool {
        match (req.header("Origin"), req.header("Host")) {
            (None, _) => !matches!(
                req.header("Sec-Fetch-Site"),
                Some("cross-site" | "same-site")
            ),
            (Some(origin), Some(host)) => origin == format!("http://{host}"),
            _ => false,
        }
    }

    fn respond(&self, req: &mut Request) -> Reply {
        if !req.header("Host").is_some_and(|h| host_ok(self.addr, h)) {
            return Reply::error(
                403,
                "拒绝：请求的 Host 不是本服务的地址。请用 nianbao serve 打印的地址（IP 地址）访问。",
            );
        }
        if !self.authorized(req) {
            return Reply::error(
                401,
                "需要访问口令：请用 nianbao serve 打印的完整地址（含 ?token=）打开页面。",
            );
        }
        let post = req.method() == "POST";
        if post && !Self::origin_ok(req) {
            return Reply::error(403, "拒绝：请求来自其他网站（Origin 不符）。");
        }
        let path = req.url().split('?').next().unwrap_or("").to_string();
        match (req.method(), path.as_str()) {
            ("GET", "/") => Reply {
                status: 200,
                content_type: "text/html; charset=utf-8",
                body: PAGE_SERVED.as_bytes().to_vec(),
                headers: Vec::new(),
            },
            ("POST", "/api/check") => self.check(req).unwrap_or_else(|r| r),
            ("POST", "/api/convert") => self.convert(req).unwrap_or_else(|r| r),
            ("GET", "/api/template") => template(req.url()),
            ("POST", "/api/rollup") => self.rollup.start(self, req).unwrap_or_else(|r| r),
            ("GET", "/api/rollup") => self.rollup.status(req.url()),
            (_, "/" | "/api/check" | "/api/convert" | "/api/template" | "/api/rollup") => {
                Reply::error(405, "不支持的请求方法")
            }
            _ => Reply::error(404, "没有这个页面"),
        }
    }

    /// The request's multipart form, read whole (at most the request limit, within the upload
    /// deadline), or the error reply.
    fn form(&self, req: &mut Request) -> Result<Form, Reply> {
        let limits = self.limits;
        let too_large = || {
            Reply::error(
                413,
                &format!(
                    "上传的内容超过每次上限 {} MB：请分几次上传",
                    limits.request_bytes / MB
                ),
            )
        };
        if req.body_length().is_some_and(|n| n > limits.request_bytes) {
            return Err(too_large());
        }
        let content_type = req.header("Content-Type").unwrap_or("").to_string();
        let boundary = multipart::boundary(&content_type)
            .ok_or_else(|| Reply::error(400, "请以 multipart/form-data 上传文件"))?
            .to_string();
        let body = req
            .body()
            .and_then(|mut body| {
                read_within(&mut body, limits.request_bytes + 1, self.timeouts.upload)
            })
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => {
                    Reply::error(408, "上传太慢，已超时：请检查网络后重试，或分几次上传")
                }
                _ => Reply::error(400, "上传中断：请重试"),
            })?;
        if body.len() as u64 > limits.request_bytes {
            return Err(too_large());
        }
        Ok(Form { body, boundary })
    }

    /// `POST /api/check`: the uploaded files checked, as `check --format json` gives them.
    fn check(&self, req: &mut Request) -> Result<Reply, Reply> {
        let form = self.form(req)?;
        let files: Vec<(String, &[u8])> = form
            .parts(&self.limits)?
            .files
            .into_iter()
            .map(|f| (f.name, f.data))
            .collect();
        let results = nianbao::batch::check_bytes(&files, &self.read);
        drop(form);
        let mut body = Vec::new();
        crate::cli::output::json_in(&mut body, &results, &self.read.wording)
            .map_err(|e| Reply::error(500, &format!("无法生成结果：{e}")))?;
        Ok(Reply::json(200, body))
    }

    /// `POST /api/convert?to=xlsx|fixed|json|csv`: one uploaded file as `convert` writes it
    /// (`fixed`: with `--fix`).
    fn convert(&self, req: &mut Request) -> Result<Reply, Reply> {
        let to = query(req.url(), "to").unwrap_or_default();
        if !matches!(to.as_str(), "xlsx" | "fixed" | "json" | "csv") {
            return Err(Reply::error(400, "to 只能是 xlsx、fixed、json 或 csv"));
        }
        let form = self.form(req)?;
        let parts = form.parts(&self.limits)?;
        let [Upload { name, data, .. }] = parts.files.as_slice() else {
            return Err(Reply::error(400, "转换一次只接受一个文件"));
        };
        let (checked, fixed) =
            nianbao::batch::check_and_fix_bytes(data, name, &self.read, to == "fixed");
        let (report, findings) = checked
            .outcome
            .as_ref()
            .map_err(|e| Reply::error(422, &format!("{e}；{}", e.hint(&self.read.wording))))?;
        let stem = name.rsplit_once('.').map_or(name.as_str(), |(s, _)| s);
        let made = match to.as_str() {
            "xlsx" | "fixed" => {
                let suffix = if to == "fixed" {
                    "更正后"
                } else {
                    "统计表"
                };
                nianbao::write::template::report_bytes(report, findings, &fixed)
                    .map(|b| (XLSX, format!("{stem}_{suffix}.xlsx"), b))
                    .map_err(|e| e.to_string())
            }
            "json" => serde_json::to_vec_pretty(report)
                .map(|b| (JSON, format!("{stem}.json"), b))
                .map_err(|e| e.to_string()),
            _ => {
                let mut b = Vec::new();
                nianbao::write::csv::write_long(&mut b, [report])
                    .map(|_| (CSV, format!("{stem}.csv"), b))
                    .map_err(|e| e.to_string())
            }
        };
        let (kind, file, body) =
            made.map_err(|e| Reply::error(500, &format!("无法生成文件：{e}")))?;
        Ok(Reply::download(kind, &file, body))
    }
}

/// Read `reader` to its end, at most `limit` bytes, failing with `TimedOut` once `deadline`
/// has passed (each read is also bounded by the connection's own read timeout, so a client
/// that stops sending cannot hold the reading longer than that).
fn read_within(
    reader: &mut dyn Read,
    limit: u64,
    deadline: std::time::Duration,
) -> std::io::Result<Vec<u8>> {
    let start = std::time::Instant::now();
    let mut body = Vec::new();
    let mut reader = reader.take(limit);
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        if start.elapsed() > deadline {
            return Err(std::io::ErrorKind::TimedOut.into());
        }
        match reader.read(&mut chunk) {
            Ok(0) => return Ok(body),
            Ok(n) => body.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// A multipart upload, read whole.
struct Form {
    body: Vec<u8>,
    boundary: String,
}

/// One uploaded file: its form field, the name it is shown by (never a path), its bytes.
struct Upload<'b> {
    field: String,
    name: String,
    data: &'b [u8],
}

/// A form's files (at least one) and its text fields.
struct Parts<'b> {
    files: Vec<Upload<'b>>,
    fields: Vec<(String, String)>,
}

impl Parts<'_> {
    /// The text of the field `name`, trimmed; `None` when missing or blank.
    fn text(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }
}

impl Form {
    /// The files and text fields, with the upload limits applied (413 beyond them).
    fn parts(&self, limits: &UploadLimits) -> Result<Parts<'_>, Reply> {
        let parts =
            multipart::parse(&self.body, &self.boundary).map_err(|m| Reply::error(400, m))?;
        let count = parts.iter().filter(|p| p.filename.is_some()).count();
        if count > limits.files {
            return Err(Reply::error(
                413,
                &format!(
                    "一次最多上传 {} 个文件（这次有 {count} 个）：请分几次上传",
                    limits.files
                ),
            ));
        }
        let mut out = Parts {
            files: Vec::with_capacity(count),
            fields: Vec::new(),
        };
        for p in parts {
            let Some(given) = &p.filename else {
                let text = String::from_utf8_lossy(p.data).chars().take(200).collect();
                out.fields.push((p.field, text));
                continue;
            };
            let name = display_name(given, out.files.len() + 1);
            if p.data.len() as u64 > limits.file_bytes {
                return Err(Reply::error(
                    413,
                    &format!("{name}：文件超过单个文件上限 {} MB", limits.file_bytes / MB),
                ));
            }
            out.files.push(Upload {
                field: p.field,
                name,
                data: p.data,
            });
        }
        if out.files.is_empty() {
            return Err(Reply::error(400, "没有收到文件：请选择或拖入工作簿"));
        }
        Ok(out)
    }
}

const MB: u64 = 1024 * 1024;
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const JSON: &str = "application/json; charset=utf-8";
const CSV: &str = "text/csv; charset=utf-8";

/// `GET /api/template?version=2021&agency=…&year=…`: the blank template, as `template` writes it.
fn template(url: &str) -> Reply {
    let version = query(url, "version").unwrap_or_else(|| "2021".into());
    let Some(version) = FormatVersion::from_id(&version) else {
        return Reply::error(400, "格式版本只能是 2019 或 2021");
    };
    let agency = query(url, "agency").filter(|a| !a.trim().is_empty());
    let year = match query(url, "year").filter(|y| !y.trim().is_empty()) {
        None => None,
        Some(y) => match crate::cli::help::year(y.trim()) {
            Ok(y) => Some(y),
            Err(e) => return Reply::error(400, &e),
        },
    };
    match nianbao::write::template::template_bytes(version, agency.as_deref(), year) {
        Ok(b) => Reply::download(XLSX, &format!("{version}版统计表模板.xlsx"), b),
        Err(e) => Reply::error(500, &format!("无法生成模板：{e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_picks_the_files_a_folder_scan_reads() {
        assert_eq!(PAGE.matches("WORKBOOK_EXTENSIONS").count(), 1);
        let pattern = format!("/\\.({})$/i", nianbao::batch::WORKBOOK_EXTENSIONS.join("|"));
        assert!(PAGE_SERVED.contains(&pattern), "{pattern}");
        assert!(pattern.contains("|docx|") && pattern.contains("|md)"));
    }

    #[test]
    fn names_and_queries() {
        assert_eq!(display_name("C:\\a\\b\\局.xlsx", 1), "局.xlsx");
        assert_eq!(display_name("../../etc/passwd", 1), "passwd");
        assert_eq!(display_name("..\u{1b}[31m", 1), "..[31m");
        assert_eq!(display_name("/", 2), "上传的文件2");
        assert_eq!(
            query("/x?a=1&agency=%E5%B1%80+x", "agency").as_deref(),
            Some("局 x")
        );
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert!(same_secret("abc", "abc") && !same_secret("abc", "abd"));
        let at = |a: &str| a.parse::<SocketAddr>().unwrap();
        let local = at("127.0.0.1:8080");
        assert!(host_ok(local, "127.0.0.1:8080") && host_ok(local, "localhost:8080"));
        assert!(host_ok(local, "[::1]:8080") && host_ok(at("127.0.0.1:80"), "localhost"));
        assert!(!host_ok(local, "127.0.0.1") && !host_ok(local, "127.0.0.1:8081"));
        assert!(!host_ok(local, "evil.example:8080") && !host_ok(local, "[::1:8080"));
        assert!(!host_ok(local, "192.168.1.2:8080") && !host_ok(local, "127.0.0.1:8080:1"));
        let lan = at("192.168.1.2:8080");
        assert!(host_ok(lan, "192.168.1.2:8080") && !host_ok(lan, "192.168.1.3:8080"));
        assert!(host_ok(at("0.0.0.0:8080"), "10.0.0.7:8080"));
        assert!(!host_ok(at("0.0.0.0:8080"), "intranet.local:8080"));
        assert!(attachment("局.xlsx").contains("filename*=UTF-8''%E5%B1%80.xlsx"));
    }
}
