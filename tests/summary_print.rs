//! How the roll-up workbook prints, read from the XML it writes (the rendered pages were looked
//! at with `scripts/render.sh`; README “汇总”): each sheet's page setup, print titles and page
//! breaks, and the charts' cached categories (text, so that viewers that do not recalculate
//! still label them).

use std::io::Read;
use std::path::Path;

use regex::Regex;

/// The sample roll-up of the README, written to a temporary folder; its parts by name.
struct Written {
    _dir: tempfile::TempDir,
    zip: zip::ZipArchive<std::fs::File>,
}

impl Written {
    fn new() -> Self {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("汇总.xlsx");
        let status = assert_cmd::Command::cargo_bin("nianbao")
            .unwrap()
            .current_dir(root)
            .args([
                "rollup",
                "sample_workbooks/rollup_2023/",
                "--name",
                "云台区",
            ])
            .args(["--roster", "sample_workbooks/rollup_2023_roster.csv"])
            .args(["--previous", "sample_workbooks/rollup_2022/", "-o"])
            .arg(&out)
            .output()
            .unwrap()
            .status;
        assert_eq!(status.code(), Some(1)); // the samples' expected findings
        let zip = zip::ZipArchive::new(std::fs::File::open(&out).unwrap()).unwrap();
        Written { _dir: dir, zip }
    }

    fn part(&mut self, name: &str) -> String {
        let mut s = String::new();
        self.zip
            .by_name(name)
            .unwrap()
            .read_to_string(&mut s)
            .unwrap();
        s
    }

    /// The XML of a sheet, by its name (sheets are `sheetN.xml` in tab order).
    fn sheet(&mut self, name: &str) -> String {
        let n = SHEETS.iter().position(|s| *s == name).unwrap() + 1;
        self.part(&format!("xl/worksheets/sheet{n}.xml"))
    }
}

const SHEETS: [&str; 6] = [
    "汇总",
    "分单位明细",
    "校验问题",
    "报送情况",
    "指标",
    "分单位指标",
];

fn page_setup(xml: &str) -> String {
    let re = Regex::new(r"<pageSetup [^>]*/>").unwrap();
    re.find(xml).expect("pageSetup").as_str().to_string()
}

fn fits_one_page_wide(xml: &str) -> bool {
    xml.contains(r#"<pageSetUpPr fitToPage="1"/>"#)
        && page_setup(xml).contains(r#"fitToHeight="0""#)
}

/// The print titles of each sheet (`_xlnm.Print_Titles`), by sheet index.
fn print_titles(workbook: &str) -> Vec<(usize, String)> {
    let re = Regex::new(
        r#"<definedName name="_xlnm.Print_Titles" localSheetId="(\d+)">([^<]*)</definedName>"#,
    )
    .unwrap();
    re.captures_iter(workbook)
        .map(|c| (c[1].parse().unwrap(), c[2].to_string()))
        .collect()
}

#[test]
fn each_sheet_prints_as_what_it_is() {
    let mut w = Written::new();
    let workbook = w.part("xl/workbook.xml");
    for (i, name) in SHEETS.iter().enumerate() {
        assert!(workbook.contains(&format!(r#"<sheet name="{name}" sheetId="{}""#, i + 1)));
    }
    let titles = print_titles(&workbook);
    let title = |sheet: &str| {
        let i = SHEETS.iter().position(|s| *s == sheet).unwrap();
        titles
            .iter()
            .find(|(k, _)| *k == i)
            .map(|(_, t)| t.clone())
            .unwrap_or_default()
    };

    // 汇总: the official template's setup — A4 portrait, one page wide, its title rows.
    let total = w.sheet("汇总");
    let setup = page_setup(&total);
    assert!(setup.contains(r#"paperSize="9""#) && setup.contains(r#"orientation="portrait""#));
    assert!(fits_one_page_wide(&total));
    assert_eq!(title("汇总"), "汇总!$1:$2");

    // 校验问题, 报送情况: lists — landscape, one page wide, the header on every page, text wrapped
    // (rows as tall as their text).
    for (sheet, title_rows) in [
        ("校验问题", "校验问题!$1:$1"),
        ("报送情况", "报送情况!$1:$1"),
    ] {
        let xml = w.sheet(sheet);
        let setup = page_setup(&xml);
        assert!(setup.contains(r#"paperSize="9""#), "{sheet}");
        assert!(setup.contains(r#"orientation="landscape""#), "{sheet}");
        assert!(fits_one_page_wide(&xml), "{sheet}");
        assert_eq!(title(sheet), title_rows);
        assert!(
            xml.contains(r#"customHeight="1""#),
            "{sheet}: rows sized to their wrapped text"
        );
    }
    let styles = w.part("xl/styles.xml");
    assert!(styles.contains(r#"wrapText="1""#));

    // 分单位明细: landscape, the agency column and both header rows on every page; frozen
    // panes and the filter for the screen.
    let detail = w.sheet("分单位明细");
    let setup = page_setup(&detail);
    assert!(setup.contains(r#"orientation="landscape""#) && setup.contains(r#"paperSize="9""#));
    assert!(setup.contains(r#"pageOrder="overThenDown""#));
    assert_eq!(title("分单位明细"), "分单位明细!$A:$A,分单位明细!$1:$2");
    assert!(detail.contains(r#"state="frozen""#) && detail.contains("<autoFilter "));

    // 指标: the region's ratios and both charts, on one landscape page; no per-file rows (its
    // cells are kept in memory for the charts' caches).
    let metrics = w.sheet("指标");
    let setup = page_setup(&metrics);
    assert!(setup.contains(r#"orientation="landscape""#) && setup.contains(r#"paperSize="9""#));
    assert!(metrics.contains(r#"<pageSetUpPr fitToPage="1"/>"#));
    assert!(!setup.contains("fitToHeight") && !setup.contains("fitToWidth"));
    assert!(!metrics.contains("<rowBreaks"));
    assert_eq!(title("指标"), "");
    let drawing = w.part("xl/drawings/drawing1.xml");
    assert_eq!(
        drawing.matches("<xdr:graphicFrame").count(),
        2,
        "two charts"
    );
    let rows = Regex::new(r"<row ").unwrap();
    assert!(
        rows.find_iter(&metrics).count() < 30,
        "the region's rows only"
    );

    // 分单位指标: one row per file after the header, written in constant memory (inline
    // strings); a list to print (landscape, one page wide, the header on every page), the
    // agency column repeated and frozen.
    let per_agency = w.sheet("分单位指标");
    let files = std::fs::read_dir(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_workbooks/rollup_2023"),
    )
    .unwrap()
    .count();
    assert_eq!(rows.find_iter(&per_agency).count(), files + 1);
    assert!(per_agency.contains(r#"t="inlineStr""#), "constant memory");
    let setup = page_setup(&per_agency);
    assert!(setup.contains(r#"orientation="landscape""#) && setup.contains(r#"paperSize="9""#));
    assert!(fits_one_page_wide(&per_agency));
    assert_eq!(title("分单位指标"), "分单位指标!$A:$A,分单位指标!$1:$1");
    assert!(per_agency.contains(r#"state="frozen""#) && per_agency.contains("<autoFilter "));
}

/// The width of column `col` (1-based) in a sheet's XML.
fn column_width(xml: &str, col: u32) -> f64 {
    let re = Regex::new(r#"<col min="(\d+)" max="(\d+)" width="([0-9.]+)""#).unwrap();
    let width = re
        .captures_iter(xml)
        .find(|c| c[1].parse::<u32>().unwrap() <= col && col <= c[2].parse().unwrap())
        .map(|c| c[3].parse().unwrap());
    width.unwrap_or_else(|| panic!("no width for column {col}"))
}

/// What the rendered pages showed cut off or out of line: `分单位明细`'s file and status columns
/// (their text was cut by the next cell when printed) are as wide as their text; `N/A` stands
/// right-aligned like the ratios around it.
#[test]
fn nothing_is_cut_and_na_is_aligned() {
    let mut w = Written::new();
    let detail = w.sheet("分单位明细");
    let longest_file = std::fs::read_dir(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_workbooks/rollup_2023"),
    )
    .unwrap()
    .map(|e| {
        format!(
            "sample_workbooks/rollup_2023/{}",
            e.unwrap().file_name().to_string_lossy()
        )
        .len()
    })
    .max()
    .unwrap();
    assert!(column_width(&detail, 2) >= longest_file as f64, "文件");
    // 有错误，未汇总: seven CJK characters, two units each
    assert!(column_width(&detail, 5) >= 14.0, "状态");
    // the header row holds its longest label (三·2.申请人逾期未按收费通知要求缴纳费用、…: six
    // lines of 13 points in its column, as LibreOffice wraps it)
    let header: f64 = Regex::new(r#"<row r="1" ht="([0-9.]+)""#)
        .unwrap()
        .captures(&detail)
        .expect("the header row's height")[1]
        .parse()
        .unwrap();
    assert!(header >= 6.0 * 13.0, "{header}");

    let styles = w.part("xl/styles.xml");
    let xfs = Regex::new(r"(?s)<cellXfs[^>]*>(.*?)</cellXfs>")
        .unwrap()
        .captures(&styles)
        .unwrap()[1]
        .to_string();
    let xf: Vec<&str> = Regex::new(r"(?s)<xf .*?(/>|</xf>)")
        .unwrap()
        .find_iter(&xfs)
        .map(|m| m.as_str())
        .collect();
    let per_agency = w.sheet("分单位指标");
    let na = Regex::new(r#"<c r="[A-Z]+\d+" s="(\d+)" t="inlineStr"><is><t>N/A</t>"#).unwrap();
    let styles_of_na: Vec<usize> = na
        .captures_iter(&per_agency)
        .map(|c| c[1].parse().unwrap())
        .collect();
    assert!(
        !styles_of_na.is_empty(),
        "the sample has a ratio without a denominator"
    );
    for s in styles_of_na {
        assert!(xf[s].contains(r#"horizontal="right""#), "{}", xf[s]);
    }
}

/// The chart categories are text references with their cached text (they were numeric
/// references with empty caches, drawn as empty charts by viewers that do not recalculate).
#[test]
fn chart_categories_are_cached_text() {
    let mut w = Written::new();
    let pie = w.part("xl/charts/chart1.xml");
    let bar = w.part("xl/charts/chart2.xml");
    let cached = Regex::new(
        r"<c:cat><c:strRef><c:f>[^<]+</c:f><c:strCache><c:ptCount val=.(\d+)./>(.*?)</c:strCache>",
    )
    .unwrap();
    let values = Regex::new(r"<c:val><c:numRef><c:f>[^<]+</c:f><c:numCache><c:formatCode>[^<]*</c:formatCode><c:ptCount val=.\d+./><c:pt ").unwrap();
    let point = Regex::new(r"<c:pt idx=.\d+.><c:v>([^<]*)</c:v></c:pt>").unwrap();
    for (chart, first) in [(&pie, "自然人"), (&bar, "予以公开")] {
        let c = cached
            .captures(chart)
            .expect("categories as a string reference with a cache");
        let n: usize = c[1].parse().unwrap();
        let labels: Vec<&str> = point
            .captures_iter(&c[2])
            .map(|p| p.get(1).unwrap().as_str())
            .collect();
        assert_eq!(labels.len(), n);
        assert!(n >= 6, "{labels:?}");
        assert_eq!(labels[0], first);
        assert!(labels.iter().all(|l| !l.is_empty()));
        // the values are cached too
        assert!(values.is_match(chart));
    }
}
