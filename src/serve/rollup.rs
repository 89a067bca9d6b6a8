//! The page's 汇总: `POST /api/rollup` takes the agencies' workbooks (field `file`), last year's
//! (`previous`), a roster CSV (`roster`), the region's `name` and `year`, and starts the
//! roll-up in the background; `GET /api/rollup?id=` says how far it is and, once it is done,
//! gives the whole result once: what `rollup --format json` prints, the summary line, the
//! totals tables and the two outputs (the summary workbook and the long CSV, base64).
//!
//! It is the library's one roll-up ([`nianbao::rollup::run`] into
//! [`nianbao::write::summary::RollupFiles`]), as the command line runs it without `--strict` or
//! `--include-invalid`. The uploads are held in memory until the roll-up ends; the outputs are
//! written in a private temporary folder, read into memory and the folder removed; the result
//! waits in memory until the page fetches it, and is dropped then, or [`KEPT_FOR`] after the
//! roll-up ended if the page never does.
//!
//! At most `max` roll-ups run at once (each holds its uploads, up to the request limit): one
//! more is refused at once with 503 and a Chinese "busy" message, before its upload is read.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;

use nianbao::batch::Input;
use nianbao::model::{Report, TableKey};
use nianbao::rollup::{RollupJob, RollupOptions};
use nianbao::write::summary::RollupFiles;

use super::http::Request;
use super::{query, Reply, State, Upload};
use crate::cli::output;

/// How long a finished roll-up's result waits for the page to fetch it.
pub const KEPT_FOR: Duration = Duration::from_secs(10 * 60);

/// The roll-ups started and not yet fetched.
pub struct Rollups {
    /// At most this many run at once.
    max: usize,
    running: Arc<AtomicUsize>,
    jobs: Mutex<HashMap<String, Arc<Job>>>,
}

/// A roll-up's end: when, and the result (the JSON the page gets) or why there is none.
type Ended = (Instant, Result<Vec<u8>, String>);

/// One roll-up: its progress, then its result.
struct Job {
    files: usize,
    done: AtomicUsize,
    /// Once it ended.
    ended: Mutex<Option<Ended>>,
}

/// A running roll-up's place among the `max`: given back when dropped.
struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Rollups {
    /// At most `max` roll-ups at once (at least one).
    pub fn new(max: usize) -> Self {
        Rollups {
            max: max.max(1),
            running: Arc::new(AtomicUsize::new(0)),
            jobs: Mutex::new(HashMap::new()),
        }
    }

    fn slot(&self) -> Option<Slot> {
        self.running
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < self.max).then_some(n + 1)
            })
            .ok()
            .map(|_| Slot(Arc::clone(&self.running)))
    }

    /// Forget results nobody fetched in time.
    fn sweep(&self) {
        let mut jobs = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
        jobs.retain(|_, job| {
            let ended = job.ended.lock().unwrap_or_else(|e| e.into_inner());
            ended
                .as_ref()
                .is_none_or(|(at, _)| at.elapsed() <= KEPT_FOR)
        });
    }

    /// `POST /api/rollup`: read the upload, start the roll-up, answer its id (202).
    pub fn start(&self, state: &State, req: &mut Request) -> Result<Reply, Reply> {
        self.sweep();
        let slot = self.slot().ok_or_else(|| {
            Reply::error(
                503,
                &format!(
                    "服务器正在进行 {} 个汇总（同时最多 {} 个）：请等一会儿再点“开始汇总”",
                    self.max, self.max
                ),
            )
            .with_header("Retry-After", "10")
        })?;
        let form = state.form(req)?;
        let parts = form.parts(&state.limits)?;
        let name = parts.text("name").unwrap_or("汇总").to_string();
        let year = match parts.text("year") {
            Some(y) => Some(
                crate::cli::help::year(y)
                    .map_err(|e| Reply::error(400, &format!("汇总年度“{y}”{e}")))?,
            ),
            None => None,
        };
        let take = |field: &str| -> Vec<&Upload> {
            parts.files.iter().filter(|f| f.field == field).collect()
        };
        let inputs = |field: &str| -> Vec<Input> {
            take(field)
                .into_iter()
                .map(|f| Input::Bytes {
                    name: f.name.clone(),
                    bytes: Arc::from(f.data),
                })
                .collect()
        };
        let files = inputs("file");
        if files.is_empty() {
            return Err(Reply::error(
                400,
                "没有收到各单位的报表：请选择或拖入工作簿",
            ));
        }
        let (roster, warnings) = match take("roster").as_slice() {
            [] => (None, Vec::new()),
            [r] => {
                let roster = nianbao::rollup::roster::parse_roster(r.data, &r.name)
                    .map_err(|e| Reply::error(422, &e.to_string()))?;
                (Some(roster.entries), roster.warnings)
            }
            _ => return Err(Reply::error(400, "名单只能上传一个 CSV 文件")),
        };
        let job = RollupJob {
            files,
            previous: inputs("previous"),
            roster,
            options: RollupOptions {
                read: state.read.clone(),
                name,
                include_invalid: false,
                year,
                // the page's progress moves every this many files
                chunk: 16,
            },
            strict: false,
            reads: Default::default(),
        };
        drop(form);

        let id = super::new_token().map_err(|e| Reply::error(500, &e.to_string()))?;
        let shared = Arc::new(Job {
            files: job.files.len(),
            done: AtomicUsize::new(0),
            ended: Mutex::new(None),
        });
        self.jobs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id.clone(), Arc::clone(&shared));
        std::thread::Builder::new()
            .name("nianbao-rollup".into())
            .spawn(move || {
                let _slot = slot;
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    run(&job, &shared.done, &warnings)
                }))
                .unwrap_or_else(|_| {
                    Err("内部错误：这是 nianbao 的缺陷，请报告给维护者".to_string())
                });
                drop(job);
                *shared.ended.lock().unwrap_or_else(|e| e.into_inner()) =
                    Some((Instant::now(), result));
            })
            .map_err(|e| Reply::error(500, &format!("无法开始汇总：{e}")))?;
        Ok(Reply::value(202, serde_json::json!({ "id": id })))
    }

    /// `GET /api/rollup?id=`: `{"state": "running", "done", "files"}` while it runs; then the
    /// result once (`{"state": "done", …}` or `{"state": "error", "error"}`), after which the
    /// id is unknown (404).
    pub fn status(&self, url: &str) -> Reply {
        self.sweep();
        let id = query(url, "id").unwrap_or_default();
        let mut jobs = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
        let Some(job) = jobs.get(&id).cloned() else {
            return Reply::error(404, "没有这个汇总：结果已取回或已过期，请重新汇总");
        };
        let ended = job.ended.lock().unwrap_or_else(|e| e.into_inner()).take();
        match ended {
            None => Reply::value(
                200,
                serde_json::json!({
                    "state": "running",
                    "done": job.done.load(Ordering::SeqCst),
                    "files": job.files,
                }),
            ),
            Some((_, result)) => {
                jobs.remove(&id);
                match result {
                    Ok(body) => Reply::json(200, body),
                    Err(e) => {
                        Reply::value(200, serde_json::json!({ "state": "error", "error": e }))
                    }
                }
            }
        }
    }
}

/// The roll-up, its outputs in a private temporary folder read back into memory, and the
/// page's result (or why there is none, which the page shows after "汇总失败："): `{"state": "done", "rollup": <rollup --format json>, "summary_line",
/// "warnings", "totals", "downloads": [{"id", "name", "type", "base64"}]}`.
fn run(job: &RollupJob, done: &AtomicUsize, warnings: &[String]) -> Result<Vec<u8>, String> {
    let dir = tempfile::Builder::new()
        .prefix("nianbao-serve-")
        .tempdir()
        .map_err(|e| e.to_string())?;
    let (summary, csv) = (dir.path().join("汇总.xlsx"), dir.path().join("明细.csv"));
    let mut outputs =
        RollupFiles::create(&summary, Some(&csv), &job.read_set()).map_err(|e| e.to_string())?;
    let tick = |n: usize| done.store(n, Ordering::SeqCst);
    let mut outcome =
        nianbao::rollup::run(job, &mut outputs.sinks(), &tick).map_err(|e| e.to_string())?;
    drop(outputs);

    let region = &job.options.name;
    let stem = format!("{region}{}年汇总", outcome.rollup.year);
    let names = [format!("{stem}.xlsx"), format!("{stem}明细.csv")];
    let written = output::Written {
        written: outcome.written,
        paths: names.iter().map(Path::new).collect(),
    };
    let mut doc = Vec::new();
    output::rollup_json(&mut doc, &mut outcome, &written).map_err(|e| e.to_string())?;
    let doc: serde_json::Value = serde_json::from_slice(&doc).map_err(|e| e.to_string())?;
    let mut downloads = Vec::new();
    for ((path, name), kind) in [&summary, &csv]
        .iter()
        .zip(&names)
        .zip([super::XLSX, super::CSV])
    {
        let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
        downloads.push(serde_json::json!({
            "id": if kind == super::XLSX { "summary" } else { "csv" },
            "name": name,
            "type": kind,
            "base64": base64::engine::general_purpose::STANDARD.encode(&bytes),
        }));
    }
    drop(dir);
    let page = serde_json::json!({
        "state": "done",
        "rollup": doc,
        "summary_line": output::rollup_summary(&outcome),
        "warnings": warnings,
        "totals": totals(&outcome.rollup.total),
        "downloads": downloads,
    });
    serde_json::to_vec(&page).map_err(|e| e.to_string())
}

/// One table of the region's totals as the page shows it.
#[derive(serde::Serialize)]
struct TotalsTable {
    #[serde(skip)]
    key: TableKey,
    title: &'static str,
    rows: Vec<TotalsRow>,
}

/// One row: its label (with its group), its columns' labels and values (`null`: unknown).
#[derive(serde::Serialize)]
struct TotalsRow {
    #[serde(skip)]
    key: &'static str,
    label: String,
    columns: Vec<&'static str>,
    values: Vec<Option<String>>,
}

/// The region's totals as the page shows them, table by table and row by row.
fn totals(report: &Report) -> Vec<TotalsTable> {
    let mut tables: Vec<TotalsTable> = Vec::new();
    for (f, v) in report.iter() {
        if tables.last().is_none_or(|t| t.key != f.table) {
            tables.push(TotalsTable {
                key: f.table,
                title: f.table.title(),
                rows: Vec::new(),
            });
        }
        let Some(table) = tables.last_mut() else {
            continue;
        };
        if table.rows.last().is_none_or(|r| r.key != f.row.key) {
            table.rows.push(TotalsRow {
                key: f.row.key,
                label: match f.row.group {
                    Some(g) => format!("{g}：{}", f.row.label),
                    None => f.row.label.to_string(),
                },
                columns: Vec::new(),
                values: Vec::new(),
            });
        }
        if let Some(row) = table.rows.last_mut() {
            row.columns.push(f.col.label);
            row.values
                .push(v.known().map(|d| d.normalize().to_string()));
        }
    }
    tables
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_bounded_and_given_back() {
        let r = Rollups::new(2);
        let a = r.slot().unwrap();
        let b = r.slot().unwrap();
        assert!(r.slot().is_none());
        drop(a);
        assert!(r.slot().is_some());
        drop(b);
        assert_eq!(r.running.load(Ordering::SeqCst), 0);
    }
}
