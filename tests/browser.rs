//! `nianbao serve` in a real browser (issue 12): headless Chromium driven over WebDriver (the
//! W3C protocol, spoken by `chromedriver`) with a minimal client over a TcpStream. It does what a
//! person at the page does — picks files, waits for the verdicts, opens a file's findings,
//! runs the sample roll-up, downloads, asks for a template — and checks what the page shows and
//! what lands in the download folder against the command line on the same files. It also takes the screenshots
//! the README shows (`target/screenshots/`; `NIANBAO_UPDATE_SCREENSHOTS=1` writes them to
//! `docs/screenshots/` too).
//!
//! Needs Debian's `chromium` and `chromium-driver`; without them the test says so and passes,
//! unless `NIANBAO_REQUIRE_BROWSER=1` (set by `.ci/run`), when it fails.

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

// ---------------------------------------------------------------------------------------------
// A minimal WebDriver client

/// The key of an element reference in the W3C protocol.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// One HTTP/1.1 request to the driver; the answer's status and body.
fn http(
    port: u16,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> std::io::Result<(u16, Vec<u8>)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\
         Content-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(body.as_bytes())?;
    // chromedriver keeps the connection open whatever we ask: read by Content-Length
    let mut reader = std::io::BufReader::new(stream);
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" {
            break;
        }
        head.push_str(&line.to_ascii_lowercase());
    }
    let status = head.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    let length = head.lines().find_map(|l| {
        l.strip_prefix("content-length:")
            .and_then(|n| n.trim().parse::<usize>().ok())
    });
    let mut body = Vec::new();
    match length {
        Some(n) => {
            body.resize(n, 0);
            reader.read_exact(&mut body)?;
        }
        None => {
            reader.read_to_end(&mut body)?;
            if head.contains("transfer-encoding: chunked") {
                body = dechunk(&body);
            }
        }
    }
    Ok((status, body))
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = b.windows(2).position(|w| w == b"\r\n") {
        let size = std::str::from_utf8(&b[..eol])
            .ok()
            .and_then(|s| usize::from_str_radix(s.split(';').next()?.trim(), 16).ok())
            .unwrap_or(0);
        if size == 0 || b.len() < eol + 2 + size {
            break;
        }
        out.extend_from_slice(&b[eol + 2..eol + 2 + size]);
        b = &b[(eol + 4 + size).min(b.len())..];
    }
    out
}

/// Standard base64 (the screenshots).
fn base64(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .expect("base64")
}

/// A running chromedriver, stopped when dropped.
struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Driver {
    fn start(program: &Path) -> Driver {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(program)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", program.display()));
        let mut driver = Driver { child, port };
        wait_for("chromedriver to be ready", Duration::from_secs(15), || {
            if let Ok(Some(status)) = driver.child.try_wait() {
                panic!("chromedriver ended at once: {status}");
            }
            let (_, body) = http(port, "GET", "/status", None).ok()?;
            let v: Value = serde_json::from_slice(&body).ok()?;
            (v["value"]["ready"] == true).then_some(())
        });
        driver
    }

    fn session(&self, browser: &Path, user_data: &Path, downloads: &Path) -> Session {
        let caps = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": browser,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1366,768",
                    "--lang=zh-CN", format!("--user-data-dir={}", user_data.display()),
                ],
                "prefs": {
                    "download.default_directory": downloads,
                    "download.prompt_for_download": false,
                    "profile.default_content_setting_values.automatic_downloads": 1,
                    "intl.accept_languages": "zh-CN,zh",
                },
            },
        }}});
        let (status, body) = http(self.port, "POST", "/session", Some(&caps)).unwrap();
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(status, 200, "no browser session: {v}");
        let session = Session {
            port: self.port,
            id: v["value"]["sessionId"].as_str().unwrap().to_string(),
        };
        // --window-size is the window's: the page gets 1366×768 itself (Chromium's DevTools
        // protocol through chromedriver)
        session.cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": 1366, "height": 768, "deviceScaleFactor": 1, "mobile": false }),
        );
        session
    }
}

/// A browser session, closed when dropped.
struct Session {
    port: u16,
    id: String,
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = http(self.port, "DELETE", &format!("/session/{}", self.id), None);
    }
}

/// An element of the page (its WebDriver reference).
#[derive(Clone)]
struct El(String);

impl Session {
    /// One command: its `value`, or a panic with the driver's message.
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("/session/{}{path}", self.id);
        let (status, raw) = http(self.port, method, &url, body.as_ref())
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let v: Value = serde_json::from_slice(&raw).unwrap_or_else(|_| {
            panic!(
                "{method} {path}: {status} {}",
                String::from_utf8_lossy(&raw)
            )
        });
        if status != 200 {
            panic!(
                "{method} {path}: {} — {}",
                v["value"]["error"], v["value"]["message"]
            );
        }
        v["value"].clone()
    }

    /// A command of Chromium's DevTools protocol (chromedriver's extension).
    fn cdp(&self, cmd: &str, params: Value) -> Value {
        self.call(
            "POST",
            "/goog/cdp/execute",
            Some(json!({ "cmd": cmd, "params": params })),
        )
    }

    fn go(&self, url: &str) {
        self.call("POST", "/url", Some(json!({ "url": url })));
    }

    fn all(&self, css: &str) -> Vec<El> {
        let v = self.call(
            "POST",
            "/elements",
            Some(json!({ "using": "css selector", "value": css })),
        );
        elements(&v)
    }

    fn find(&self, css: &str) -> El {
        let mut all = self.all(css);
        assert_eq!(all.len(), 1, "{css}: {} elements on the page", all.len());
        all.remove(0)
    }

    /// The elements inside `el` matching `css`.
    fn all_in(&self, el: &El, css: &str) -> Vec<El> {
        let v = self.call(
            "POST",
            &format!("/element/{}/elements", el.0),
            Some(json!({ "using": "css selector", "value": css })),
        );
        elements(&v)
    }

    /// The text the element shows (as rendered: hidden text is not there).
    fn text(&self, el: &El) -> String {
        let v = self.call("GET", &format!("/element/{}/text", el.0), None);
        v.as_str().unwrap_or("").to_string()
    }

    fn attr(&self, el: &El, name: &str) -> Option<String> {
        let v = self.call("GET", &format!("/element/{}/attribute/{name}", el.0), None);
        v.as_str().map(str::to_string)
    }

    fn has_class(&self, el: &El, class: &str) -> bool {
        self.attr(el, "class")
            .is_some_and(|c| c.split_whitespace().any(|c| c == class))
    }

    fn displayed(&self, el: &El) -> bool {
        self.call("GET", &format!("/element/{}/displayed", el.0), None) == true
    }

    fn click(&self, el: &El) {
        self.call("POST", &format!("/element/{}/click", el.0), Some(json!({})));
    }

    fn clear(&self, el: &El) {
        self.call("POST", &format!("/element/{}/clear", el.0), Some(json!({})));
    }

    fn send_keys(&self, el: &El, text: &str) {
        self.call(
            "POST",
            &format!("/element/{}/value", el.0),
            Some(json!({ "text": text })),
        );
    }

    /// Script run in the page (`arguments[i]` are `args`).
    fn script(&self, script: &str, args: Vec<Value>) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": args })),
        )
    }

    /// The viewport as a PNG.
    fn screenshot(&self) -> Vec<u8> {
        base64(self.call("GET", "/screenshot", None).as_str().unwrap())
    }

    /// The element with this text among those matching `css`.
    fn with_text(&self, css: &str, text: &str) -> El {
        let all = self.all(css);
        let texts: Vec<String> = all.iter().map(|e| self.text(e)).collect();
        let at = texts
            .iter()
            .position(|t| t == text)
            .unwrap_or_else(|| panic!("no {css} says «{text}»: {texts:?}"));
        all[at].clone()
    }
}

fn elements(v: &Value) -> Vec<El> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| {
            El(e[ELEMENT]
                .as_str()
                .unwrap_or_else(|| panic!("not an element: {e}"))
                .to_string())
        })
        .collect()
}

/// Poll `f` every 100 ms until it gives something; panics after `timeout` saying what it
/// waited for.
fn wait_for<T>(what: &str, timeout: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(t) = f() {
            return t;
        }
        assert!(
            start.elapsed() < timeout,
            "waited {timeout:?} for {what} in vain"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

// ---------------------------------------------------------------------------------------------
// Finding the browser

/// `fixed` when it is there, else `name` on PATH.
fn program(fixed: &str, name: &str) -> Option<PathBuf> {
    let fixed = Path::new(fixed);
    if fixed.is_file() {
        return Some(fixed.to_path_buf());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// Chromium and chromedriver, or `None` (after saying why) when the test is to be skipped.
fn browser() -> Option<(PathBuf, PathBuf)> {
    let chromium = program("/usr/bin/chromium", "chromium");
    let driver = program("/usr/bin/chromedriver", "chromedriver");
    let missing: Vec<&str> = [("chromium", &chromium), ("chromedriver", &driver)]
        .iter()
        .filter(|(_, p)| p.is_none())
        .map(|(n, _)| *n)
        .collect();
    if missing.is_empty() {
        return Some((chromium.unwrap(), driver.unwrap()));
    }
    let why = format!(
        "the browser test needs {} (Debian: apt-get install chromium chromium-driver)",
        missing.join(" and ")
    );
    if std::env::var("NIANBAO_REQUIRE_BROWSER").as_deref() == Ok("1") {
        panic!("NIANBAO_REQUIRE_BROWSER=1 and {why}");
    }
    eprintln!("skipped: {why}");
    None
}

// ---------------------------------------------------------------------------------------------
// The command line, to compare with

fn nianbao(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .args(args)
        .output()
        .unwrap()
}

/// A file as the page shows it: its name only.
fn name_of(path: &str) -> &str {
    path.rsplit('/').next().unwrap()
}

/// Files with one of these extensions directly in `dir`, as absolute paths, sorted.
fn files_in(dir: &str, exts: &[&str]) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| exts.contains(&e))
        })
        .collect();
    out.sort();
    out
}

/// Waits for `name` to arrive complete in the download folder (Chromium writes a
/// `.crdownload` and renames it when done).
fn downloaded(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    // Chromium reserves the name with an empty file, writes `….crdownload` and renames it
    // over the name when done: done is the name there, not empty, and nothing in progress
    let in_progress = || {
        std::fs::read_dir(dir).unwrap().any(|e| {
            e.unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "crdownload")
        })
    };
    wait_for(
        &format!("{name} in the download folder"),
        Duration::from_secs(20),
        || {
            let size = std::fs::metadata(&path).map_or(0, |m| m.len());
            (size > 0 && !in_progress()).then_some(())
        },
    );
    path
}

/// Every sheet of an xlsx, as calamine reads its cells.
fn sheets(path: &Path) -> BTreeMap<String, calamine::Range<calamine::Data>> {
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(path).unwrap();
    let names = wb.sheet_names();
    names
        .into_iter()
        .map(|n| {
            let range = wb.worksheet_range(&n).unwrap();
            (n, range)
        })
        .collect()
}

/// A finding without the file it names (the browser's upload and the command line's path
/// differ; the rest must not).
fn unfiled(d: &nianbao::diag::Diagnostic) -> nianbao::diag::Diagnostic {
    let mut d = d.clone();
    d.file.clear();
    d
}

/// Where the screenshots go: `target/screenshots/`, and `docs/screenshots/` when asked.
fn save_screenshot(s: &Session, name: &str) {
    let png = s.screenshot();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    let size = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    assert_eq!((size(16), size(20)), (1366, 768), "{name}: viewport size");
    // target/debug/nianbao → target/screenshots
    let target = Path::new(env!("CARGO_BIN_EXE_nianbao"))
        .ancestors()
        .nth(2)
        .unwrap();
    let mut dirs = vec![target.join("screenshots")];
    if std::env::var("NIANBAO_UPDATE_SCREENSHOTS").as_deref() == Ok("1") {
        dirs.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots"));
    }
    for dir in dirs {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), &png).unwrap();
    }
}

// ---------------------------------------------------------------------------------------------
// The test

const VERDICT_CLASS: [(&str, &str); 4] = [
    ("通过", "v-ok"),
    ("有警告", "v-warn"),
    ("有错误", "v-err"),
    ("无法读取", "v-bad"),
];

#[test]
fn the_page_in_a_browser() {
    let Some((chromium, chromedriver)) = browser() else {
        return;
    };
    let started = Instant::now();
    let served = common::serve(&[]);
    let driver = Driver::start(&chromedriver);
    let tmp = tempfile::tempdir().unwrap();
    let (profile, downloads) = (tmp.path().join("profile"), tmp.path().join("downloads"));
    std::fs::create_dir_all(&downloads).unwrap();
    let s = driver.session(&chromium, &profile, &downloads);
    s.go(&format!("http://{}/", served.addr));
    assert_eq!(
        s.text(&s.find("header h1")),
        "政府信息公开年度报告统计表",
        "the page opened"
    );

    check_page(&s, &downloads, tmp.path());
    save_screenshot(&s, "check");
    s.click(&s.find("#clear"));
    assert!(s.all("#rows tr").is_empty(), "清空列表 empties the list");
    assert_eq!(
        s.text(&s.find("#detail")),
        "点击左侧的文件查看校验问题和下载。"
    );
    assert_eq!(s.text(&s.find("#status")), "");
    drop_zones(&s);
    rollup_page(&s, &downloads, tmp.path());
    save_screenshot(&s, "rollup");
    template_page(&s, &downloads, tmp.path());
    save_screenshot(&s, "template");
    eprintln!("browser test: {:.1} s", started.elapsed().as_secs_f64());
}

/// A download `got` and the command line's own output `theirs`, both read back: `got` is of
/// `agency` and `year`, with the same version and the same numbers as `theirs` (`what`).
fn read_back_alike(
    got: &Path,
    theirs: &Path,
    agency: &str,
    year: u16,
    what: &str,
) -> (nianbao::batch::Checked, nianbao::batch::Checked) {
    let (page, cli) = (
        nianbao::batch::check_file(got, &Default::default()),
        nianbao::batch::check_file(theirs, &Default::default()),
    );
    let report = page.report().expect("the download reads back as a report");
    let cli_report = cli.report().unwrap();
    assert_eq!(report.meta.agency.as_deref(), Some(agency));
    assert_eq!(report.meta.year, Some(year));
    assert_eq!(report.meta.format, cli_report.meta.format);
    let values = |r: &nianbao::model::Report| r.iter().map(|(_, v)| v.clone()).collect::<Vec<_>>();
    assert_eq!(
        values(report),
        values(cli_report),
        "the same numbers as {what}"
    );
    (page, cli)
}

/// Files dropped on `css` (a drop event with a DataTransfer of made-up files `names`, each
/// holding a few bytes that are no workbook).
fn drop_files(s: &Session, css: &str, names: &[&str]) {
    s.script(
        "const dt = new DataTransfer();
         for (const n of arguments[1]) dt.items.add(new File(['not a workbook'], n));
         document.querySelector(arguments[0]).dispatchEvent(
           new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));",
        vec![css.into(), serde_json::json!(names)],
    );
}

/// The drop zones: on 检查 a dropped file is checked (and a README is not sent); on 汇总 the
/// dropped files are chosen as the agencies' workbooks.
fn drop_zones(s: &Session) {
    drop_files(s, "#drop", &["坏文件.xlsx", "README.md"]);
    let verdict = wait_for(
        "the dropped file's verdict",
        Duration::from_secs(30),
        || {
            let rows = s.all("#rows tr");
            let cells = rows.first().map(|r| s.all_in(r, "td"))?;
            let v = s.text(&cells[1]);
            (!v.contains("检查中")).then(|| (rows.len(), s.text(&cells[0]), v))
        },
    );
    assert_eq!(
        verdict,
        (1, "坏文件.xlsx".to_string(), "无法读取".to_string())
    );
    s.click(&s.find("#clear"));
    s.click(&s.find("#tab-rollup"));
    drop_files(s, "#r-drop", &["甲.xlsx", "乙.xls", "说明.pdf"]);
    wait_for("the dropped files chosen", Duration::from_secs(10), || {
        (s.text(&s.find("#r-count-file")) == "已选 2 个文件").then_some(())
    });
    s.click(&s.find("#r-clear"));
    s.click(&s.find("#tab-check"));
}

/// 检查: pick the sample files; every verdict as `check` gives it; fails_r3's findings; its
/// corrected workbook downloaded and read back.
fn check_page(s: &Session, downloads: &Path, tmp: &Path) {
    let mut files = files_in("sample_workbooks", &["xlsx", "xls", "ods"]);
    files.extend(files_in("sample_published", &["txt"]));
    for bad in [
        "zip_bomb.xlsx",
        "encrypted.xlsx",
        "truncated.xls",
        "html_report.xls",
        "empty.xlsx",
    ] {
        files.push(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("sample_workbooks/bad")
                .join(bad),
        );
    }
    let mut paths: Vec<&str> = files.iter().map(|p| p.to_str().unwrap()).collect();

    // what the command line says of them
    let mut args = vec!["check", "--format", "json"];
    args.extend(&paths);
    let cli: Value = serde_json::from_slice(&nianbao(&args).stdout).unwrap();
    let cli_files: BTreeMap<&str, &Value> = cli["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (name_of(f["path"].as_str().unwrap()), f))
        .collect();
    assert_eq!(cli_files.len(), files.len(), "file names are distinct");
    for (verdict, _) in VERDICT_CLASS {
        assert!(
            cli_files.values().any(|f| f["verdict"] == verdict),
            "the sample files cover «{verdict}»"
        );
    }

    // picked as a person picks them (the hidden file input of 选择文件), with a folder's notes
    // and a JSON file among them, which are not sent
    let root = env!("CARGO_MANIFEST_DIR");
    let (notes, json) = (
        format!("{root}/sample_workbooks/README.md"),
        format!("{root}/sample_workbooks/expected.json"),
    );
    paths.extend([notes.as_str(), json.as_str()]);
    // whether a row ever said 检查中 (listed at once, before the answer)
    s.script(
        "window.pending = false; new MutationObserver(() => { \
           if (arguments[0].textContent.includes('检查中')) window.pending = true; \
         }).observe(arguments[0], { childList: true, subtree: true });",
        vec![json!({ ELEMENT: s.find("#rows").0 })],
    );
    s.send_keys(&s.find("#pick"), &paths.join("\n"));
    // each listed at once, 检查中 until the answer comes
    wait_for("every file listed", Duration::from_secs(10), || {
        (s.all("#rows tr").len() >= files.len()).then_some(())
    });
    wait_for("every verdict", Duration::from_secs(60), || {
        (!s.text(&s.find("#rows")).contains("检查中")).then_some(())
    });
    let rows = s.all("#rows tr");
    assert_eq!(
        rows.len(),
        files.len(),
        "a row a workbook, none for the others"
    );
    assert_eq!(
        s.script("return window.pending", vec![]),
        true,
        "each file listed as 检查中 before its verdict"
    );
    for row in &rows {
        let cells = s.all_in(row, "td");
        let text: Vec<String> = cells.iter().map(|c| s.text(c)).collect();
        let want = cli_files
            .get(text[0].as_str())
            .unwrap_or_else(|| panic!("a row for a file not picked: {text:?}"));
        let verdict = want["verdict"].as_str().unwrap();
        let shown = |k: &str| match &want[k] {
            Value::Null => String::new(),
            Value::String(s) => s.clone(),
            v => v.to_string(),
        };
        let format = match shown("format") {
            f if f.is_empty() => f,
            f => format!("{f} 版"),
        };
        assert_eq!(
            text[1..],
            [verdict.to_string(), shown("agency"), shown("year"), format],
            "{}: the row as `check` has it",
            text[0]
        );
        let class = VERDICT_CLASS.iter().find(|(v, _)| *v == verdict).unwrap().1;
        assert!(
            s.has_class(&cells[1], class),
            "{}: «{verdict}» in its colour ({class})",
            text[0]
        );
    }
    let sum = &cli["summary"];
    assert_eq!(
        s.text(&s.find("#status")),
        format!(
            "已检查 {} 个文件：{} 个无法读取，{} 个有错误；共 {} 个错误、{} 个警告",
            sum["files"],
            sum["unreadable"],
            sum["files_with_errors"],
            sum["errors"],
            sum["warnings"]
        )
    );

    // fails_r3's findings, as `check` lists them
    s.click(&s.with_text("#rows tr td:first-child", "fails_r3.xlsx"));
    assert_eq!(s.text(&s.find("#detail h3")), "fails_r3.xlsx");
    let want = cli_files["fails_r3.xlsx"]["findings"].as_array().unwrap();
    assert!(want.iter().any(|f| f["rule"] == "R3"), "fails_r3 fails R3");
    let shown = s.all("#detail table tr");
    assert_eq!(shown.len(), want.len() + 1, "a header and a row a finding");
    for (row, f) in shown[1..].iter().zip(want) {
        let cells = s.all_in(row, "td");
        let text: Vec<String> = cells.iter().map(|c| s.text(c)).collect();
        let severity = match f["severity"].as_str().unwrap() {
            "error" => "错误",
            "warning" => "警告",
            _ => "未校验",
        };
        assert_eq!(
            text,
            [
                f["rule"].as_str().unwrap().to_string(),
                severity.to_string(),
                format!(
                    "{}!{}",
                    f["sheet"].as_str().unwrap(),
                    f["cell"].as_str().unwrap()
                ),
                format!(
                    "{}\n提示：{}",
                    f["message"].as_str().unwrap(),
                    f["help"].as_str().unwrap()
                ),
            ]
        );
        let class = format!("sev-{}", f["severity"].as_str().unwrap());
        assert!(s.has_class(&cells[1], &class), "{severity} in its colour");
    }

    // the corrected workbook: what `convert --fix` writes. R1 and R3 disagree on fails_r3's
    // totals, so nothing is corrected: both are listed in 更正记录 as 未更正 and R3 still fails.
    s.click(&s.with_text("#detail button", "下载更正后的工作簿"));
    let got = downloaded(downloads, "fails_r3_更正后.xlsx");
    let cli_path = tmp.join("cli_fixed.xlsx");
    let r3 = files.iter().find(|p| p.ends_with("fails_r3.xlsx")).unwrap();
    let out = nianbao(&[
        "convert",
        "--fix",
        r3.to_str().unwrap(),
        "-o",
        cli_path.to_str().unwrap(),
    ]);
    assert!(
        cli_path.is_file(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (page, cli) = read_back_alike(&got, &cli_path, "云台区民政局", 2020, "`convert --fix`");
    assert_eq!(
        page.findings().iter().map(unfiled).collect::<Vec<_>>(),
        cli.findings().iter().map(unfiled).collect::<Vec<_>>(),
        "the same findings as `convert --fix`"
    );
    assert!(page.findings().iter().any(|d| d.rule.to_string() == "R3"));
    let (page_sheets, cli_sheets) = (sheets(&got), sheets(&cli_path));
    let log = page_sheets.get("更正记录").expect("a 更正记录 sheet");
    assert_eq!(
        Some(log),
        cli_sheets.get("更正记录"),
        "更正记录 as `convert --fix`"
    );
    let held: Vec<String> = log
        .rows()
        .filter(|r| r.iter().any(|c| c.to_string().starts_with("未更正")))
        .map(|r| r[4].to_string())
        .collect();
    assert_eq!(held, ["'统计表'!D50", "'统计表'!J50"], "{log:?}");
}

/// 模板: a version, agency and year; the download is `template`'s workbook.
fn template_page(s: &Session, downloads: &Path, tmp: &Path) {
    s.click(&s.find("#tab-template"));
    assert!(s.displayed(&s.find("#page-template")), "模板 shown");
    assert!(!s.displayed(&s.find("#page-check")), "检查 hidden");
    s.click(&s.find("#t-version option[value='2019']"));
    let (agency, year) = (s.find("#t-agency"), s.find("#t-year"));
    s.send_keys(&agency, "云台区测试局");
    // a year that is not one: said on the page, nothing downloaded
    s.send_keys(&year, "二〇二〇");
    s.click(&s.find("#t-go"));
    let said = wait_for(
        "the error under the button",
        Duration::from_secs(10),
        || Some(s.text(&s.find("#t-status"))).filter(|t| !t.is_empty()),
    );
    assert!(said.starts_with("无法生成模板："), "{said}");
    s.clear(&year);
    s.send_keys(&year, "2020");
    s.click(&s.find("#t-go"));
    let got = downloaded(downloads, "2019版统计表模板.xlsx");
    wait_for("the error to go", Duration::from_secs(5), || {
        s.text(&s.find("#t-status")).is_empty().then_some(())
    });
    let back = nianbao::batch::check_file(&got, &Default::default());
    let report = back.report().expect("the template reads back");
    assert_eq!(report.meta.agency.as_deref(), Some("云台区测试局"));
    assert_eq!(report.meta.year, Some(2020));
    assert_eq!(report.meta.format.to_string(), "2019");
    let cli = tmp.join("cli_template.xlsx");
    let out = nianbao(&[
        "template",
        "--version",
        "2019",
        "--agency",
        "云台区测试局",
        "--year",
        "2020",
        "-o",
        cli.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(sheets(&got), sheets(&cli), "cell for cell as `template`");
}

/// Whether `css`'s element ever changed so that `script` (on `e`) held: a flag set by a
/// MutationObserver from now on, read with [`seen`]. For what passes too fast to be polled.
fn watch(s: &Session, flag: &str, css: &str, script: &str) {
    s.script(
        &format!(
            "const e = arguments[0]; window['{flag}'] = false; \
             new MutationObserver(() => {{ if ({script}) window['{flag}'] = true; }}) \
               .observe(e, {{ attributes: true, childList: true, subtree: true, characterData: true }});"
        ),
        vec![json!({ ELEMENT: s.find(css).0 })],
    );
}

fn seen(s: &Session, flag: &str) -> bool {
    s.script(&format!("return window['{flag}']"), vec![]) == true
}

/// Waits for `#r-result`'s `data-done`.
fn rollup_done(s: &Session) -> String {
    wait_for("the roll-up's result", Duration::from_secs(60), || {
        s.attr(&s.find("#r-result"), "data-done")
    })
}

/// 汇总: the sample region's workbooks, last year's and the roster; the result as `rollup`
/// gives it on the same files, and the two downloads as it writes them.
fn rollup_page(s: &Session, downloads: &Path, tmp: &Path) {
    let this = files_in("sample_workbooks/rollup_2023", &["xlsx"]);
    let last = files_in("sample_workbooks/rollup_2022", &["xlsx"]);
    let roster =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_workbooks/rollup_2023_roster.csv");

    // The command line on the same files, run where they are copied side by side and named
    // by their bare names, as the page names an upload: then every path it writes (the CSV's
    // source column, the summary's 数据来源 and messages naming last year's file) is written as
    // the page writes it, and the outputs must be equal byte for byte, with no exception made.
    let cli = tmp.join("cli_rollup");
    std::fs::create_dir_all(cli.join("out")).unwrap();
    let mut args = vec!["rollup".to_string()];
    for f in this.iter().chain(&last).chain([&roster]) {
        let name = f.file_name().unwrap().to_str().unwrap().to_string();
        std::fs::copy(f, cli.join(&name)).unwrap();
        if this.contains(f) {
            args.push(name);
        } else if last.contains(f) {
            args.extend(["--previous".to_string(), name]);
        }
    }
    args.extend(
        [
            "--roster",
            "rollup_2023_roster.csv",
            "--name",
            "云台区",
            "--year",
            "2023",
            "-o",
            "out/汇总.xlsx",
            "--csv",
            "out/明细.csv",
        ]
        .map(String::from),
    );
    let run = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_nianbao"))
            .args(&args)
            .args(extra)
            .current_dir(&cli)
            .output()
            .unwrap()
    };
    let text = run(&[]);
    let stderr = String::from_utf8_lossy(&text.stderr).into_owned();
    let last_line = stderr.lines().last().unwrap().to_string();
    assert!(cli.join("out/汇总.xlsx").is_file(), "{stderr}");
    let json_run = run(&["--format", "json", "--force"]);
    let doc: Value = serde_json::from_slice(&json_run.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&json_run.stderr)));

    s.click(&s.find("#tab-rollup"));
    assert!(s.displayed(&s.find("#page-rollup")), "汇总 shown");
    assert!(!s.displayed(&s.find("#page-check")), "检查 hidden");
    let join = |fs: &[PathBuf]| {
        fs.iter()
            .map(|p| p.to_str().unwrap())
            .collect::<Vec<_>>()
            .join("\n")
    };
    s.send_keys(&s.find("#r-pick"), &join(&this));
    s.send_keys(&s.find("#r-prev-pick"), &join(&last));
    s.send_keys(&s.find("#r-roster-pick"), roster.to_str().unwrap());
    let (name, year) = (s.find("#r-name"), s.find("#r-year"));
    s.send_keys(&name, "云台区");

    // a year that is not one: the message, and data-done="error"
    s.send_keys(&year, "二〇二三");
    s.click(&s.find("#r-go"));
    assert_eq!(rollup_done(s), "error");
    let said = s.text(&s.find("#r-status"));
    assert!(
        said.starts_with("汇总失败：") && said.contains("二〇二三"),
        "{said}"
    );
    assert!(!s.displayed(&s.find("#r-result")), "no result on an error");

    s.clear(&year);
    s.send_keys(&year, "2023");
    watch(s, "progress", "#r-progress", "!e.hidden");
    s.click(&s.find("#r-go"));
    let done = rollup_done(s);
    assert_eq!(done, "1", "{}", s.text(&s.find("#r-status")));
    assert!(seen(s, "progress"), "a progress bar while it runs");
    assert!(!s.displayed(&s.find("#r-progress")), "and none after");
    assert!(s.displayed(&s.find("#r-result")));

    // the region, and the terminal's last line
    let region = &doc["region"];
    assert_eq!(s.text(&s.find("#r-tally")), last_line);
    assert_eq!(
        s.text(&s.find("#r-title")),
        format!(
            "{} {} 年汇总（{} 版）",
            region["name"].as_str().unwrap(),
            region["year"],
            region["format"].as_str().unwrap()
        )
    );
    // who was counted, who was not and why
    let rows = s.all("#r-files > tbody > tr");
    let files = doc["files"].as_array().unwrap();
    assert_eq!(rows.len(), files.len());
    for (row, f) in rows.iter().zip(files) {
        let text: Vec<String> = s
            .all_in(row, ":scope > td")
            .iter()
            .map(|c| s.text(c))
            .collect();
        let findings = f["findings"].as_array().unwrap();
        let said = if findings.is_empty() {
            String::new()
        } else {
            format!("{} 个错误，{} 个警告", f["errors"], f["warnings"])
        };
        let year = f["year"]
            .as_u64()
            .map(|y| y.to_string())
            .unwrap_or_default();
        assert_eq!(
            text,
            [
                f["path"].as_str().unwrap(),
                f["agency"].as_str().unwrap_or(""),
                &year,
                f["standing_label"].as_str().unwrap(),
                &said,
            ],
            "as `rollup --format json`"
        );
    }
    assert!(
        files.iter().any(|f| f["counted"] == false),
        "the sample has a file not counted"
    );
    // region-level findings and the roster, as the terminal has them
    let region_rows = s.all("#r-region tr");
    let region_findings = doc["region_findings"].as_array().unwrap();
    assert!(!region_findings.is_empty());
    assert_eq!(region_rows.len(), region_findings.len() + 1);
    for (row, f) in region_rows[1..].iter().zip(region_findings) {
        let text: Vec<String> = s.all_in(row, "td").iter().map(|c| s.text(c)).collect();
        assert_eq!(text[0], f["rule"].as_str().unwrap());
        assert_eq!(
            text[3],
            format!(
                "{}\n提示：{}",
                f["message"].as_str().unwrap(),
                f["help"].as_str().unwrap()
            )
        );
    }
    let roster_rows = s.all("#r-roster tr");
    let coverage = doc["roster"].as_array().unwrap();
    assert_eq!(roster_rows.len(), coverage.len() + 1);
    for (row, c) in roster_rows[1..].iter().zip(coverage) {
        let text: Vec<String> = s.all_in(row, "td").iter().map(|c| s.text(c)).collect();
        let field = |k: &str| c[k].as_str().unwrap_or("").to_string();
        assert_eq!(
            text,
            ["label", "name", "submitted_name", "file", "note"].map(field)
        );
    }
    assert!(coverage.iter().any(|c| c["label"] == "未报送"));

    // the summary workbook as `rollup -o` writes it: read back, the region's report with the
    // same numbers, which are the numbers the page's totals show
    s.click(&s.find("#r-dl-summary"));
    let got = downloaded(downloads, "云台区2023年汇总.xlsx");
    let (page, _) = read_back_alike(
        &got,
        &cli.join("out/汇总.xlsx"),
        "云台区",
        2023,
        "`rollup -o`",
    );
    let report = page.report().unwrap();
    let shown = s.script(
        "return [...arguments[0].querySelectorAll('td.num')].map((e) => e.textContent)",
        vec![json!({ ELEMENT: s.find("#r-totals").0 })],
    );
    let want: Vec<String> = report
        .iter()
        .map(|(_, v)| {
            v.known()
                .map(|d| d.normalize().to_string())
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(shown, json!(want), "the page's totals are the summary's");
    assert_eq!(s.all("#r-totals h3").len(), 3, "three tables");
    // and every sheet (明细, 校验问题, 报送情况, 指标 …) cell for cell
    let (page_sheets, cli_sheets) = (sheets(&got), sheets(&cli.join("out/汇总.xlsx")));
    assert_eq!(
        page_sheets.keys().collect::<Vec<_>>(),
        cli_sheets.keys().collect::<Vec<_>>()
    );
    for (name, cells) in &page_sheets {
        assert!(
            cells == &cli_sheets[name],
            "sheet {name} differs from `rollup -o`'s"
        );
    }

    // the long CSV: byte for byte (the paths in it are bare names on both sides, see above)
    s.click(&s.find("#r-dl-csv"));
    let got = downloaded(downloads, "云台区2023年汇总明细.csv");
    assert!(
        std::fs::read(&got).unwrap() == std::fs::read(cli.join("out/明细.csv")).unwrap(),
        "the CSV as `rollup --csv`"
    );
}
