//! nianbao's own xlsx reader against calamine's, on the same files: the committed sample
//! workbooks (every `.xlsx` under `sample_workbooks/` except the hostile ones in `bad/`: the real
//! layouts the tool is for, 8–30 KB each). Then one report as published — a ~300 KB web page in
//! Word's "save as web page" markup (GBK) and a Word document — against the official workbook of
//! the same report (issue 11: a page or document should cost no more than a few times the
//! workbook).
//!
//! ```sh
//! cargo bench --bench read            # 41 rounds
//! cargo bench --bench read -- 101     # other round counts
//! ```
//!
//! Each round reads every file once with each reader, from the page cache (the files are read
//! once before timing), alternating which reader goes first; the table shows the median round
//! (this machine's speed drifts by tens of percent from minute to minute, and alternating rounds
//! compare the two under the same conditions). Readers, one thread:
//! - `nianbao`: `nianbao::read::read_grid` (sniff, guards, every sheet's cells with formulas
//!   marked, merged regions, visibility): what the rest of the tool reads;
//! - `calamine values`: `open_workbook::<Xlsx<_>>` and `worksheet_range` of every sheet, nothing
//!   else (less than nianbao needs: no merges, no formulas);
//! - `calamine as needed`: the same plus `worksheet_formula` and `merge_cells_by_sheet_name` of
//!   every sheet, what nianbao would have to ask calamine for to build the same grid (calamine
//!   parses the sheet's XML once for each).

use std::path::{Path, PathBuf};
use std::time::Instant;

use calamine::{open_workbook, Reader, Xlsx};

#[allow(dead_code)]
#[path = "../tests/support/documents.rs"]
mod documents;

fn corpus() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_workbooks");
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(&root)
        .into_iter()
        .filter_map(Result::ok)
        .map(walkdir::DirEntry::into_path)
        .filter(|p| p.extension().is_some_and(|e| e == "xlsx"))
        .filter(|p| !p.starts_with(root.join("bad")))
        .collect();
    files.sort();
    files
}

fn ours(files: &[PathBuf]) -> usize {
    let limits = nianbao::read::Limits::default();
    let mut sheets = 0;
    for f in files {
        let grid = nianbao::read::read_grid(f, "bench", &limits).expect("sample reads");
        sheets += std::hint::black_box(grid).sheets.len();
    }
    sheets
}

fn calamine_values(files: &[PathBuf]) -> usize {
    let mut sheets = 0;
    for f in files {
        let mut wb: Xlsx<_> = open_workbook(f).expect("sample opens");
        for name in wb.sheet_names() {
            std::hint::black_box(wb.worksheet_range(&name).expect("sheet reads"));
            sheets += 1;
        }
    }
    sheets
}

fn calamine_as_needed(files: &[PathBuf]) -> usize {
    let mut sheets = 0;
    for f in files {
        let mut wb: Xlsx<_> = open_workbook(f).expect("sample opens");
        for name in wb.sheet_names() {
            std::hint::black_box(wb.worksheet_range(&name).expect("sheet reads"));
            std::hint::black_box(wb.worksheet_formula(&name).expect("formulas read"));
            std::hint::black_box(wb.merge_cells_by_sheet_name(&name).expect("merges read"));
            sheets += 1;
        }
    }
    sheets
}

/// Read (sniff, guards, grid with prose) and locate the tables, from memory, `n` times.
fn read_and_locate(bytes: &[u8], n: usize) -> usize {
    let opts = nianbao::read::ReadOptions::default();
    let mut values = 0;
    for _ in 0..n {
        let grid = nianbao::read::read_grid_bytes(bytes, "bench", &opts.limits).expect("reads");
        let (report, _) = nianbao::read::locate(&grid, &opts).expect("locates");
        values += std::hint::black_box(report).values().len();
    }
    values
}

/// One 2021-format report as the official workbook, a Word-exported page of ≥ 300 KB and a
/// Word document with the same prose; each read and located `PER_ROUND` times per round.
fn published(rounds: usize) {
    const PER_ROUND: usize = 20;
    use nianbao::model::FormatVersion;
    let report =
        nianbao::model::synthetic::consistent_report(FormatVersion::V2021, "云台区测试局", 2023, 7);
    let mut narrative = 0;
    let page = loop {
        let page = documents::word_page(&report, narrative, encoding_rs::GBK);
        if page.len() >= 300 * 1024 {
            break page;
        }
        narrative += 20;
    };
    let docx = documents::docx(&report, narrative);
    let mut wb = nianbao::write::template::new_workbook("t").expect("workbook");
    nianbao::write::template::add_report_sheet(
        &mut wb,
        nianbao::write::template::SHEET_NAME,
        &report,
        &Default::default(),
    )
    .expect("sheet");
    let xlsx = wb.save_to_buffer().expect("xlsx");
    let inputs: [(&str, &[u8]); 3] = [
        ("official workbook (.xlsx)", &xlsx),
        ("Word-exported web page (.htm, GBK)", &page),
        ("Word document (.docx)", &docx),
    ];
    let n = read_and_locate(&xlsx, 1);
    for (name, bytes) in &inputs {
        assert_eq!(read_and_locate(bytes, 1), n, "{name}: same fields");
    }
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); inputs.len()];
    for round in 0..rounds {
        for k in 0..inputs.len() {
            let i = (k + round) % inputs.len();
            let t = Instant::now();
            read_and_locate(inputs[i].1, PER_ROUND);
            times[i].push(t.elapsed().as_secs_f64() * 1e3 / PER_ROUND as f64);
        }
    }
    let med: Vec<f64> = times.into_iter().map(median).collect();
    println!();
    println!(
        "One report as published ({narrative} paragraphs of prose in 一), read and located from memory, \
         one thread, median of {rounds} alternating rounds of {PER_ROUND} reads each:"
    );
    println!();
    println!("| input | size | ms per report | time / workbook |");
    println!("|---|---:|---:|---:|");
    for ((name, bytes), ms) in inputs.iter().zip(&med) {
        println!(
            "| {name} | {:.0} KB | {ms:.3} | {:.2} |",
            bytes.len() as f64 / 1024.0,
            ms / med[0]
        );
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let rounds: usize = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .find_map(|a| a.parse().ok())
        .unwrap_or(41);
    let files = corpus();
    let bytes: u64 = files.iter().map(|f| f.metadata().unwrap().len()).sum();
    // Warm the page cache and check that both see the same sheets.
    let n = ours(&files);
    assert_eq!(n, calamine_values(&files), "same sheets");
    calamine_as_needed(&files);
    type Reader = fn(&[PathBuf]) -> usize;
    let readers: [(&str, Reader); 3] = [
        ("nianbao read_grid", ours),
        ("calamine values", calamine_values),
        ("calamine as needed", calamine_as_needed),
    ];
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); readers.len()];
    for round in 0..rounds {
        for k in 0..readers.len() {
            let i = (k + round) % readers.len();
            let t = Instant::now();
            std::hint::black_box((readers[i].1)(&files));
            times[i].push(t.elapsed().as_secs_f64() * 1e3);
        }
    }
    let med: Vec<f64> = times.into_iter().map(median).collect();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "{} xlsx files ({:.1} KB each, {n} sheets), one thread, median of {rounds} alternating rounds \
         (load average {}):",
        files.len(),
        bytes as f64 / files.len() as f64 / 1024.0,
        load.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
    );
    println!();
    println!("| reader | ms per pass | ms per file | time / nianbao |");
    println!("|---|---:|---:|---:|");
    for ((name, _), ms) in readers.iter().zip(&med) {
        println!(
            "| {name} | {ms:.2} | {:.3} | {:.2} |",
            ms / files.len() as f64,
            ms / med[0]
        );
    }
    published(rounds);
}
