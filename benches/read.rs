//! nianbao's own xlsx reader against calamine's, on the same files: the committed sample
//! workbooks (every `.xlsx` under `sample_workbooks/` except the hostile ones in `bad/`: the real
//! layouts the tool is for, 8–30 KB each).
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
}
