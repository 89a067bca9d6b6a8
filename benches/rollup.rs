//! Roll-up throughput and peak memory, side by side with a bare calamine read of the same files.
//!
//! ```sh
//! cargo bench --bench rollup              # 2,000 and 20,000 workbooks
//! cargo bench --bench rollup -- 500       # other sizes
//! cargo bench --bench rollup -- stages    # per-file cost of each stage, one thread
//! ```
//!
//! Generates N distinct official-layout xlsx workbooks (consistent made-up reports of N agencies,
//! written by the template writer; cached under `target/bench-data/N`), then runs, each in its
//! own child process so that peak RSS (`VmHWM`) is its own:
//! - `bare`: one thread opens each workbook with calamine and reads every sheet, nothing else;
//! - `rollup`: `nianbao rollup` as the CLI runs it (read, locate, validate, spool, totals, summary
//!   workbook), on all cores.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use calamine::Reader;
use rayon::prelude::*;

use nianbao::batch::Input;
use nianbao::model::synthetic::consistent_report;
use nianbao::model::FormatVersion;
use nianbao::rollup::roster::CoverageRow;
use nianbao::rollup::{
    run, Detail, Head, ReportEncoder, Rollup, RollupJob, RollupOptions, RollupSink, SinkError,
};
use nianbao::write::summary::SummaryWriter;
use nianbao::write::template;

/// The binary's allocator (see src/main.rs), so the bench measures what users run.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn data_dir(n: usize) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/bench-data")
        .join(n.to_string())
}

fn generate(n: usize) -> PathBuf {
    let dir = data_dir(n);
    let done = dir.join(".complete");
    if done.exists() {
        return dir;
    }
    std::fs::create_dir_all(&dir).unwrap();
    let t = Instant::now();
    (0..n).into_par_iter().for_each(|i| {
        let r = consistent_report(
            FormatVersion::V2021,
            &format!("测试区第{i:05}局"),
            2023,
            i as u64,
        );
        // The official layout alone, as an agency fills it in: one sheet.
        let mut wb =
            template::new_workbook(&template::title(r.meta.agency.as_deref(), r.meta.year))
                .unwrap();
        template::add_report_sheet(&mut wb, template::SHEET_NAME, &r, &Default::default()).unwrap();
        wb.save(dir.join(format!("{i:05}.xlsx"))).unwrap();
    });
    std::fs::write(&done, b"").unwrap();
    eprintln!(
        "generated {n} workbooks in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    dir
}

fn files(dir: &Path) -> Vec<PathBuf> {
    nianbao::batch::collect_inputs(&[dir.to_path_buf()])
        .unwrap()
        .files
}

/// Peak resident set size of this process, in MiB.
fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn child(mode: &str, dir: &Path) {
    let files = files(dir);
    let t = Instant::now();
    let mut summary = 0.0;
    match mode {
        "bare" => {
            let mut cells = 0usize;
            for f in &files {
                let mut wb = calamine::open_workbook_auto(f).unwrap();
                for name in wb.sheet_names() {
                    cells += wb.worksheet_range(&name).unwrap().used_cells().count();
                }
            }
            assert!(cells > 0);
        }
        "rollup" => {
            let opts = RollupOptions {
                name: "测试区".into(),
                chunk: 256,
                ..Default::default()
            };
            // As the CLI runs it: the per-file sheets written while the files are read.
            let dir = tempfile::tempdir().unwrap();
            let out = dir.path().join("summary.xlsx");
            let mut writer = Timed {
                sink: SummaryWriter::create(&out, &nianbao::batch::ReadSet::of(&files)).unwrap(),
                secs: 0.0,
            };
            let job = RollupJob {
                files: files.iter().cloned().map(Input::from).collect(),
                options: opts,
                ..Default::default()
            };
            let outcome = nianbao::rollup::run(&job, &mut [&mut writer], &|_| {}).unwrap();
            summary = writer.secs;
            assert_eq!(outcome.tally.counted, files.len());
            assert!(out.exists());
        }
        _ => unreachable!(),
    }
    let secs = t.elapsed().as_secs_f64();
    println!("{secs} {} {summary}", peak_rss_mib());
}

/// A sink that times what its inner sink does once the reading is done (finish and commit).
struct Timed<S> {
    sink: S,
    secs: f64,
}

impl<S: RollupSink> RollupSink for Timed<S> {
    fn encoder(&self) -> Option<ReportEncoder> {
        self.sink.encoder()
    }

    fn file(
        &mut self,
        head: &Head,
        detail: Option<&Detail>,
        encoded: &[u8],
    ) -> Result<(), SinkError> {
        self.sink.file(head, detail, encoded)
    }

    fn finish(&mut self, rollup: &mut Rollup, coverage: &[CoverageRow]) -> Result<(), SinkError> {
        let t = Instant::now();
        let r = self.sink.finish(rollup, coverage);
        self.secs += t.elapsed().as_secs_f64();
        r
    }

    fn commit(&mut self) -> Result<(), SinkError> {
        let t = Instant::now();
        let r = self.sink.commit();
        self.secs += t.elapsed().as_secs_f64();
        r
    }
}

/// Per-file cost of each stage on one thread, over the same 2,000 workbooks, best of five
/// rounds (the file bytes are read into memory first, so no stage pays for the disk).
fn stages() {
    use nianbao::read::{locate, read_grid_bytes, ReadOptions};
    let files = files(&generate(2_000));
    let bytes: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(f).unwrap()).collect();
    let opts = ReadOptions::default();
    let grids: Vec<_> = bytes
        .iter()
        .map(|b| read_grid_bytes(b, "bench", &opts.limits).unwrap())
        .collect();
    let reports: Vec<_> = grids.iter().map(|g| locate(g, &opts).unwrap().0).collect();
    let per_file = |f: &mut dyn FnMut()| {
        (0..5)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed().as_secs_f64() * 1e3 / files.len() as f64
            })
            .fold(f64::INFINITY, f64::min)
    };
    let ropts = RollupOptions {
        name: "测试区".into(),
        ..Default::default()
    };
    let job = RollupJob {
        files: files.iter().cloned().map(Input::from).collect(),
        options: ropts,
        ..Default::default()
    };
    let mut rolled = run(&job, &mut [], &|_| {}).unwrap().rollup;

    let out = tempfile::Builder::new().suffix(".xlsx").tempfile().unwrap();
    let rows: [(&str, f64); 5] = [
        (
            "bare calamine read (open, every sheet's range)",
            per_file(&mut || {
                for b in &bytes {
                    let mut wb =
                        calamine::open_workbook_auto_from_rs(std::io::Cursor::new(b)).unwrap();
                    for name in wb.sheet_names() {
                        std::hint::black_box(wb.worksheet_range(&name).unwrap());
                    }
                }
            }),
        ),
        (
            "nianbao read (sniff, guards, cells, merges)",
            per_file(&mut || {
                for b in &bytes {
                    std::hint::black_box(read_grid_bytes(b, "bench", &opts.limits).unwrap());
                }
            }),
        ),
        (
            "locate (tables by label → report)",
            per_file(&mut || {
                for g in &grids {
                    std::hint::black_box(locate(g, &opts).unwrap());
                }
            }),
        ),
        (
            "validate (every rule)",
            per_file(&mut || {
                for r in &reports {
                    std::hint::black_box(nianbao::validate::validate(r));
                }
            }),
        ),
        (
            "summary workbook, all of it after the reading pass",
            per_file(&mut || {
                nianbao::write::summary::write_summary(
                    &mut rolled,
                    &[],
                    out.path(),
                    &nianbao::batch::ReadSet::of(&files),
                )
                .unwrap();
            }),
        ),
    ];
    println!("| stage, one thread | ms per workbook |");
    println!("|---|---:|");
    for (stage, ms) in rows {
        println!("| {stage} | {ms:.3} |");
    }
}

/// Rounds of each mode per size; the table shows the median round.
const ROUNDS: usize = 3;

/// The round with the median time.
fn median(mut rounds: Vec<[f64; 3]>) -> [f64; 3] {
    rounds.sort_by(|a, b| a[0].total_cmp(&b[0]));
    rounds[rounds.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if args.first().map(String::as_str) == Some("--child") {
        child(&args[1], Path::new(&args[2]));
        return;
    }
    if args.first().map(String::as_str) == Some("stages") {
        stages();
        return;
    }
    let sizes: Vec<usize> = if args.is_empty() {
        vec![2_000, 20_000]
    } else {
        args.iter().filter_map(|a| a.parse().ok()).collect()
    };
    println!("| workbooks | bare calamine read, 1 thread | nianbao rollup, {} threads | rollup / bare | peak RSS bare | peak RSS rollup |", rayon::current_num_threads());
    println!("|---:|---:|---:|---:|---:|---:|");
    for n in sizes {
        let dir = generate(n);
        let size: u64 = files(&dir)
            .iter()
            .map(|f| f.metadata().unwrap().len())
            .sum();
        let run = |mode: &str| -> [f64; 3] {
            let out = Command::new(std::env::current_exe().unwrap())
                .args(["--child", mode])
                .arg(&dir)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let s = String::from_utf8_lossy(&out.stdout);
            let v: Vec<f64> = s.split_whitespace().map(|x| x.parse().unwrap()).collect();
            [v[0], v[1], v[2]]
        };
        // Warm the page cache, then alternate the two modes: this machine's speed drifts by tens
        // of percent from minute to minute, and the median of alternating rounds compares the
        // two under the same conditions.
        let _ = run("bare");
        let (mut bare, mut roll) = (Vec::new(), Vec::new());
        for _ in 0..ROUNDS {
            bare.push(run("bare"));
            roll.push(run("rollup"));
        }
        let [tb, mb, _] = median(bare);
        let [tr, mr, ts] = median(roll);
        println!(
            "| {n} ({:.1} KB each) | {tb:.2} s ({:.0}/s) | {tr:.2} s ({:.0}/s), of which {ts:.2} s summary workbook | {:.2} | {mb:.0} MiB | {mr:.0} MiB |",
            size as f64 / n as f64 / 1024.0,
            n as f64 / tb,
            n as f64 / tr,
            tr / tb
        );
    }
}
