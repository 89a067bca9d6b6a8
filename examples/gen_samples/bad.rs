//! Bad inputs for `sample_workbooks/bad/` (issue 3): one file per hostile or broken case, each
//! described in `sample_workbooks/bad/README.md` with the error kind nianbao must report.
//!
//! Everything is built in memory and deterministically (no clock, no randomness): rust_xlsxwriter
//! for ordinary workbooks, the zip crate for hand-written xlsx parts that rust_xlsxwriter would
//! not produce (a formula without cached value, a cell at XFD1048576, a missing part, a zip
//! bomb), a small BIFF8 writer plus the cfb crate for legacy xls and encrypted containers.
//!
//! The builders are `pub` so that tests can include this file (`#[path = …] mod bad;`) and make
//! the same bytes without going through the disk.
#![allow(dead_code)]

use std::io::Write;
use std::path::Path;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook};

/// A workbook with a fixed creation time, so the bytes are the same on every run.
fn workbook() -> Workbook {
    let mut wb = Workbook::new();
    let when = ExcelDateTime::from_ymd(2021, 1, 1).expect("date");
    wb.set_properties(&DocProperties::new().set_creation_datetime(&when));
    wb
}

/// Write every bad sample into `dir` (created if needed).
pub fn generate(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let w = |name: &str, bytes: Vec<u8>| std::fs::write(dir.join(name), bytes);
    w("empty.xlsx", Vec::new())?;
    w("random.xlsx", random_bytes(4096, 0x5EED_2020))?;
    w("text_named.xlsx", text_file())?;
    w("html_table.xls", html_table())?;
    w("html_no_table.xls", html_no_table())?;
    w("truncated.xlsx", truncated_xlsx())?;
    w("truncated.xls", truncated_xls())?;
    w("missing_part.xlsx", missing_part_xlsx())?;
    w("encrypted.xlsx", encrypted_ooxml())?;
    w("encrypted.xls", encrypted_xls())?;
    w("far_cell.xlsx", far_cell_xlsx())?;
    w("wide.xlsx", wide_xlsx())?;
    w("tall.xlsx", tall_xlsx())?;
    w("zip_bomb.xlsx", zip_bomb_xlsx(256 * 1024 * 1024))?;
    w("formula_no_cache.xlsx", formula_no_cache_xlsx())?;
    w("bad_codepage.xls", bad_codepage_xls())?;
    w("huge_string_count.xlsx", huge_string_count_xlsx())?;
    w(
        "huge_shared_formula_index.xlsx",
        huge_shared_formula_index_xlsx(),
    )?;
    w("huge_dimensions.xls", huge_dimensions_xls())?;
    w("html_report.xls", html_report())?;
    w("formula_report_no_cache.xlsx", formula_report_no_cache())?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// whole reports in awkward containers

/// The report of the two whole-report samples below: consistent, 2021 format (two agencies, so
/// that checking the whole folder finds no duplicate submission).
pub fn sample_report(agency: &str) -> nianbao::model::Report {
    nianbao::model::synthetic::consistent_report(
        nianbao::model::FormatVersion::V2021,
        agency,
        2022,
        2022,
    )
}

/// A whole report exported by an office system as an HTML table and saved with an `.xls` name
/// (GBK, one `<table>`, group labels repeated, numbers as text): readable, and it checks clean.
///
/// ```text
///    A                         B                    C        D          …
/// 1  [ 云台区档案馆2022年政府信息公开工作年度报告统计表 ]
/// 2  [ 第二十条第（一）项 ]
/// 3  [ 信息内容 ][ 本年制发件数 ][ 本年废止件数 ][ 现行有效件数 ]
/// …
///    [ 本列数据的勾稽关系 ][ ][ 申请人情况 ]
///    [ ][ ][ 自然人 ][ 法人或其他组织 ][ ][ ][ ][ ][ 总计 ]
///    [ ][ ][ ][ 商业企业 ][ 科研机构 ][ 社会公益组织 ][ 法律服务机构 ][ 其他 ]
///    [ 一、本年新收政府信息公开申请数量 ][ ][ 7 ][ 0 ] …
///    [ （三）不予公开 ][ 1.属于国家秘密 ][ 0 ] …
/// ```
pub fn html_report() -> Vec<u8> {
    use nianbao::model::spec::{APPLICANT_HEADER, LITIGATION_HEADER, ORG_HEADER, REQUESTS_NOTE};
    use nianbao::model::TableKey;
    let r = sample_report("云台区档案馆");
    let spec = r.spec();
    let num = |t: TableKey, row: &str, col: &str| {
        r.get(t, row, col)
            .expect("field")
            .value
            .normalize()
            .to_string()
    };
    let mut rows: Vec<Vec<String>> = vec![vec![
        "云台区档案馆2022年政府信息公开工作年度报告统计表".into()
    ]];
    let mut section = None;
    for row in spec.table(TableKey::Proactive).rows {
        if row.section != section {
            section = row.section;
            rows.push(vec![row.section.expect("section").into()]);
            let mut h = vec!["信息内容".to_string()];
            h.extend(row.columns.iter().map(|c| c.label.to_string()));
            rows.push(h);
        }
        let mut line = vec![row.label.to_string()];
        line.extend(
            row.columns
                .iter()
                .map(|c| num(TableKey::Proactive, row.key, c.key)),
        );
        rows.push(line);
    }
    let req = spec.table(TableKey::Requests);
    let cols = req.rows[0].columns;
    rows.push(vec![
        REQUESTS_NOTE.into(),
        String::new(),
        APPLICANT_HEADER.into(),
    ]);
    let mut h = vec![
        String::new(),
        String::new(),
        cols[0].label.into(),
        ORG_HEADER.into(),
    ];
    h.extend(std::iter::repeat_n(String::new(), 4));
    h.push(cols[6].label.into());
    rows.push(h);
    let mut h = vec![String::new(); 3];
    h.extend(cols[1..6].iter().map(|c| c.label.to_string()));
    rows.push(h);
    for row in req.rows {
        let mut line = vec![row.group.unwrap_or("").to_string(), row.label.to_string()];
        line.extend(cols.iter().map(|c| num(TableKey::Requests, row.key, c.key)));
        rows.push(line);
    }
    let appeals = spec.table(TableKey::Appeals);
    let labels: Vec<String> = appeals.rows[0]
        .columns
        .iter()
        .map(|c| c.label.to_string())
        .collect();
    let mut top = vec![appeals.rows[0].label.to_string()];
    top.extend(std::iter::repeat_n(String::new(), 4));
    top.push(LITIGATION_HEADER.into());
    rows.push(top);
    let mut second = labels.clone();
    second.push(appeals.rows[1].label.into());
    second.extend(std::iter::repeat_n(String::new(), 4));
    second.push(appeals.rows[2].label.into());
    rows.push(second);
    let mut third = vec![String::new(); 5];
    third.extend(labels.iter().cloned());
    third.extend(labels.iter().cloned());
    rows.push(third);
    rows.push(
        appeals
            .rows
            .iter()
            .flat_map(|row| {
                row.columns
                    .iter()
                    .map(|c| num(TableKey::Appeals, row.key, c.key))
            })
            .collect(),
    );
    let mut page = String::from(
        "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gbk\"></head>\n<body>\n<table border=\"1\">\n",
    );
    for line in rows {
        page.push_str(" <tr>");
        for cell in line {
            page.push_str(&format!("<td>{cell}</td>"));
        }
        page.push_str("</tr>\n");
    }
    page.push_str("</table>\n</body></html>\n");
    encoding_rs::GBK.encode(&page).0.into_owned()
}

/// A whole report in the official template whose totals are formulas saved without their
/// results (as files written by scripts are): every total is "formula not calculated" (I7),
/// never a silent 0, and every other number is still read and checked.
pub fn formula_report_no_cache() -> Vec<u8> {
    use std::io::Read;
    let r = sample_report("云台区地方志办公室");
    let mut wb = nianbao::write::template::new_workbook("t").expect("workbook");
    nianbao::write::template::add_report_sheet(
        &mut wb,
        nianbao::write::template::SHEET_NAME,
        &r,
        &Default::default(),
    )
    .expect("sheet");
    let bytes = wb.save_to_buffer().expect("xlsx");
    let mut zin = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    let cached = regex::Regex::new(r"(<f>[^<]*</f>)<v>[^<]*</v>").expect("regex");
    for i in 0..zin.len() {
        let mut e = zin.by_index(i).expect("entry");
        let name = e.name().expect("name").to_string();
        let mut data = Vec::new();
        e.read_to_end(&mut data).expect("read");
        if name.starts_with("xl/worksheets/") {
            let xml = String::from_utf8(data).expect("utf-8");
            data = cached.replace_all(&xml, "$1").into_owned().into_bytes();
        }
        out.start_file(name, opts).expect("zip entry");
        out.write_all(&data).expect("zip write");
    }
    out.finish().expect("zip").into_inner()
}

// ---------------------------------------------------------------------------------------------
// not a workbook at all

/// Deterministic pseudo-random bytes (xorshift), checked not to start like any known format.
pub fn random_bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed;
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    assert!(!out.starts_with(b"PK") && out[0] != 0xD0 && out[0] != b'<');
    out
}

/// A CSV export renamed to .xlsx.
pub fn text_file() -> Vec<u8> {
    "填报单位,新收政府信息公开申请数量\n某某区经济和信息化局,80\n"
        .as_bytes()
        .to_vec()
}

/// A GBK-encoded HTML table saved with an .xls name, as exported by many web systems: table
/// 三's header with rowspan/colspan, entities, a `<br>` and Excel's `x:num`.
///
/// ```text
///      A                          B            C
/// 1  [ 本列数据的勾稽关系 (rowspan 2)][ 申请人情况 (colspan 2) ]
/// 2  [                           ][ 自然人    ][ 法人或其他组织 ]
/// 3  [ 一、本年新收政府信息公开申请数量 ][ 80 ][ 12 (x:num) ]
/// 4  [ 二、上年结转&lt;br&gt;政府信息公开申请数量 ][ 0 ][ — ]
/// ```
pub fn html_table() -> Vec<u8> {
    let page = r#"<html xmlns:x="urn:schemas-microsoft-com:office:excel">
<head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"><title>导出</title></head>
<body>
<table border="1">
 <tr><td rowspan="2">本列数据的勾稽关系</td><td colspan="2">申请人情况</td></tr>
 <tr><td>自然人</td><td>法人或其他组织</td></tr>
 <tr><td>一、本年新收政府信息公开申请数量</td><td>80</td><td x:num="12">12</td></tr>
 <tr><td>二、上年结转<br>政府信息公开申请数量</td><td>0</td><td>&mdash;</td></tr>
</table>
</body></html>
"#;
    encoding_rs::GBK.encode(page).0.into_owned()
}

/// What a failed download saved as .xls looks like.
pub fn html_no_table() -> Vec<u8> {
    b"<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head>\n<body><h1>404 Not Found</h1><p>nginx</p></body></html>\n".to_vec()
}

// ---------------------------------------------------------------------------------------------
// xlsx made with rust_xlsxwriter

/// A small ordinary workbook: a title and a few numbers.
pub fn small_xlsx() -> Vec<u8> {
    let mut wb = workbook();
    let ws = wb.add_worksheet();
    ws.set_name("表三").expect("name");
    ws.write(0, 0, "三、收到和处理政府信息公开申请情况")
        .expect("write");
    for r in 1..30u32 {
        ws.write(r, 0, format!("第{r}行")).expect("write");
        for c in 1..8u16 {
            ws.write(r, c, f64::from(r * 10 + u32::from(c)))
                .expect("write");
        }
    }
    wb.save_to_buffer().expect("xlsx")
}

/// The download stopped at 60 %: the zip central directory is missing.
pub fn truncated_xlsx() -> Vec<u8> {
    let mut b = small_xlsx();
    b.truncate(b.len() * 6 / 10);
    b
}

/// A row of 600 columns (limit 500).
pub fn wide_xlsx() -> Vec<u8> {
    let mut wb = workbook();
    let ws = wb.add_worksheet();
    for c in 0..600u16 {
        ws.write(0, c, f64::from(c)).expect("write");
    }
    wb.save_to_buffer().expect("xlsx")
}

/// 20 000 rows (limit 10 000).
pub fn tall_xlsx() -> Vec<u8> {
    let mut wb = workbook();
    let ws = wb.add_worksheet();
    for r in 0..20_000u32 {
        ws.write(r, 0, f64::from(r)).expect("write");
    }
    wb.save_to_buffer().expect("xlsx")
}

// ---------------------------------------------------------------------------------------------
// hand-written xlsx packages

/// Write a minimal xlsx package: one worksheet per `(name, sheet_xml)`; `None` as XML leaves the
/// part out (its relationship stays), `extra` adds or replaces parts.
pub fn package(sheets: &[(&str, Option<&str>)], extra: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    let mut put = |name: &str, data: &[u8]| {
        zip.start_file(name, opts).expect("zip entry");
        zip.write_all(data).expect("zip write");
    };
    let mut types = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>"#,
    );
    let mut wb = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>"#,
    );
    let mut rels = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    );
    for (i, (name, _)) in sheets.iter().enumerate() {
        let n = i + 1;
        types.push_str(&format!(r#"<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#));
        wb.push_str(&format!(
            r#"<sheet name="{name}" sheetId="{n}" r:id="rId{n}"/>"#
        ));
        rels.push_str(&format!(r#"<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{n}.xml"/>"#));
    }
    types.push_str("</Types>");
    wb.push_str("</sheets></workbook>");
    rels.push_str("</Relationships>");
    let has_extra = |n: &str| extra.iter().any(|(e, _)| *e == n);
    if !has_extra("[Content_Types].xml") {
        put("[Content_Types].xml", types.as_bytes());
    }
    put("_rels/.rels", br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#);
    put("xl/workbook.xml", wb.as_bytes());
    put("xl/_rels/workbook.xml.rels", rels.as_bytes());
    for (i, (_, xml)) in sheets.iter().enumerate() {
        if let Some(xml) = xml {
            put(&format!("xl/worksheets/sheet{}.xml", i + 1), xml.as_bytes());
        }
    }
    for (name, data) in extra {
        put(name, data);
    }
    zip.finish().expect("zip").into_inner()
}

/// A worksheet part around `sheet_data` (the content of `<sheetData>`).
pub fn sheet_xml(dimension: &str, sheet_data: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="{dimension}"/><sheetData>{sheet_data}</sheetData></worksheet>"#
    )
}

/// One cell at A1 and one at XFD1048576: about 1 KB, and a dense read would need ~550 GB.
pub fn far_cell_xlsx() -> Vec<u8> {
    let xml = sheet_xml(
        "A1:XFD1048576",
        r#"<row r="1"><c r="A1" t="inlineStr"><is><t>统计表</t></is></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#,
    );
    package(&[("Sheet1", Some(&xml))], &[])
}

/// The workbook lists a sheet whose part is not in the zip.
pub fn missing_part_xlsx() -> Vec<u8> {
    let xml = sheet_xml("A1", r#"<row r="1"><c r="A1"><v>1</v></c></row>"#);
    package(&[("表二", Some(&xml)), ("表三", None)], &[])
}

/// A sheet part padded with `unpacked` bytes of whitespace inside an XML comment: the zip is
/// a few hundred KB, its directory declares `unpacked` bytes.
pub fn zip_bomb_xlsx(unpacked: usize) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9))
        .large_file(unpacked > u32::MAX as usize)
        .last_modified_time(zip::DateTime::default());
    let small = package(&[("Sheet1", Some(&sheet_xml("A1", "")))], &[]);
    let mut src = zip::ZipArchive::new(std::io::Cursor::new(small)).expect("zip");
    for i in 0..src.len() {
        let f = src.by_index_raw(i).expect("entry");
        if f.name().ok().as_deref() != Some("xl/worksheets/sheet1.xml") {
            zip.raw_copy_file(f).expect("copy");
        }
    }
    zip.start_file("xl/worksheets/sheet1.xml", opts)
        .expect("entry");
    zip.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><!--"#)
        .expect("write");
    let chunk = vec![b' '; 1024 * 1024];
    let mut left = unpacked;
    while left > 0 {
        let n = left.min(chunk.len());
        zip.write_all(&chunk[..n]).expect("write");
        left -= n;
    }
    zip.write_all(b"--><sheetData/></worksheet>")
        .expect("write");
    zip.finish().expect("zip").into_inner()
}

/// Written the way openpyxl or a script writes formulas: no cached value.
///
/// ```text
///      A      B                 C
/// 1  [ 新收 ][ 80              ][ =B1*2  (shared, no value) ]
/// 2  [ 结转 ][ 3               ][ =B2*2  (shared, no value) ]
/// 3  [ 合计 ][ =SUM(B1:B2) (no value) ][ 166 (cached) ]
/// ```
pub fn formula_no_cache_xlsx() -> Vec<u8> {
    let xml = sheet_xml(
        "A1:C3",
        r#"<row r="1"><c r="A1" t="inlineStr"><is><t>新收</t></is></c><c r="B1"><v>80</v></c><c r="C1"><f t="shared" ref="C1:C2" si="0">B1*2</f></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>结转</t></is></c><c r="B2"><v>3</v></c><c r="C2"><f t="shared" si="0"/></c></row><row r="3"><c r="A3" t="inlineStr"><is><t>合计</t></is></c><c r="B3"><f>SUM(B1:B2)</f><v></v></c><c r="C3"><f>C1+C2</f><v>166</v></c></row>"#,
    );
    package(&[("Sheet1", Some(&xml))], &[])
}

/// `<sst uniqueCount>` claims 2⁴⁰ strings (calamine would `reserve` them and abort).
pub fn huge_string_count_xlsx() -> Vec<u8> {
    let xml = sheet_xml("A1", r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#);
    let sst = br#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1099511627776"><si><t>x</t></si></sst>"#;
    package(&[("Sheet1", Some(&xml))], &[("xl/sharedStrings.xml", sst)])
}

/// A shared formula with index 4 000 000 000 (calamine's formula-expanding readers would
/// `resize` a vector to that length and abort). nianbao reads it: the cell is a formula
/// without cached value.
pub fn huge_shared_formula_index_xlsx() -> Vec<u8> {
    let xml = sheet_xml(
        "A1:A2",
        r#"<row r="1"><c r="A1"><v>5</v></c></row><row r="2"><c r="A2"><f t="shared" ref="A2:A3" si="4000000000">A1+1</f></c></row>"#,
    );
    package(&[("Sheet1", Some(&xml))], &[])
}

// ---------------------------------------------------------------------------------------------
// OLE: legacy xls and encrypted containers

/// An OLE compound file holding the given streams.
pub fn ole(streams: &[(&str, &[u8])]) -> Vec<u8> {
    // Version 3 (512-byte sectors) is what Excel writes; calamine refuses a version-4 file
    // without a mini stream.
    let mut cfb =
        cfb::CompoundFile::create_with_version(cfb::Version::V3, std::io::Cursor::new(Vec::new()))
            .expect("cfb");
    for (name, data) in streams {
        let mut s = cfb.create_stream(name).expect("stream");
        s.write_all(data).expect("write");
    }
    cfb.flush().expect("flush");
    cfb.into_inner().into_inner()
}

/// A cell of a BIFF8 sheet.
#[derive(Debug, Clone)]
pub enum XlsCell {
    Number(f64),
    Text(String),
}

/// A BIFF8 sheet: name, hidden, cells `(row, col, value)`, merges `(r1, r2, c1, c2)` inclusive.
#[derive(Debug, Clone, Default)]
pub struct XlsSheet {
    pub name: String,
    pub hidden: bool,
    pub cells: Vec<(u16, u16, XlsCell)>,
    pub merges: Vec<(u16, u16, u16, u16)>,
    /// Override the DIMENSIONS record `(first_row, last_row + 1, first_col, last_col + 1)`.
    pub dimensions: Option<(u32, u32, u16, u16)>,
}

fn record(out: &mut Vec<u8>, typ: u16, data: &[u8]) {
    out.extend_from_slice(&typ.to_le_bytes());
    out.extend_from_slice(&(data.len() as u16).to_le_bytes());
    out.extend_from_slice(data);
}

fn bof(dt: u16) -> Vec<u8> {
    let mut d = vec![0x00, 0x06];
    d.extend_from_slice(&dt.to_le_bytes());
    d.extend_from_slice(&[0xBB, 0x0D, 0xCC, 0x07, 0, 0, 0, 0, 0x06, 0x03, 0, 0]);
    d
}

/// A minimal BIFF8 `Workbook` stream. Strings are written as UTF-16 (`fHighByte` = 1); the
/// CODEPAGE record says `codepage` (1200 is right; anything else reproduces the files whose
/// text comes out NUL-interleaved). `filepass` adds a FILEPASS record (an encrypted workbook).
pub fn biff8(sheets: &[XlsSheet], codepage: u16, filepass: bool) -> Vec<u8> {
    let utf16 = |s: &str| -> Vec<u8> { s.encode_utf16().flat_map(u16::to_le_bytes).collect() };
    // Sheet substreams first, to know their sizes.
    let mut subs = Vec::new();
    for sh in sheets {
        let mut s = Vec::new();
        record(&mut s, 0x0809, &bof(0x0010));
        let (rf, rl, cf, cl) = sh.dimensions.unwrap_or_else(|| {
            let rl = sh
                .cells
                .iter()
                .map(|c| u32::from(c.0) + 1)
                .max()
                .unwrap_or(0);
            let cl = sh.cells.iter().map(|c| c.1 + 1).max().unwrap_or(0);
            (0, rl, 0, cl)
        });
        let mut d = Vec::new();
        d.extend_from_slice(&rf.to_le_bytes());
        d.extend_from_slice(&rl.to_le_bytes());
        d.extend_from_slice(&cf.to_le_bytes());
        d.extend_from_slice(&cl.to_le_bytes());
        d.extend_from_slice(&[0, 0]);
        record(&mut s, 0x0200, &d);
        for (r, c, v) in &sh.cells {
            let mut d = Vec::new();
            d.extend_from_slice(&r.to_le_bytes());
            d.extend_from_slice(&c.to_le_bytes());
            d.extend_from_slice(&0u16.to_le_bytes());
            match v {
                XlsCell::Number(f) => {
                    d.extend_from_slice(&f.to_le_bytes());
                    record(&mut s, 0x0203, &d);
                }
                XlsCell::Text(t) => {
                    let units = t.encode_utf16().count() as u16;
                    d.extend_from_slice(&units.to_le_bytes());
                    d.push(1);
                    d.extend_from_slice(&utf16(t));
                    record(&mut s, 0x0204, &d);
                }
            }
        }
        if !sh.merges.is_empty() {
            let mut d = (sh.merges.len() as u16).to_le_bytes().to_vec();
            for (r1, r2, c1, c2) in &sh.merges {
                for v in [r1, r2, c1, c2] {
                    d.extend_from_slice(&v.to_le_bytes());
                }
            }
            record(&mut s, 0x00E5, &d);
        }
        record(&mut s, 0x000A, &[]);
        subs.push(s);
    }
    // Globals, with BOUNDSHEET offsets patched once the globals' length is known.
    let mut g = Vec::new();
    record(&mut g, 0x0809, &bof(0x0005));
    if filepass {
        // RC4 CryptoAPI header (wEncryptionType = 1), contents irrelevant here.
        let mut d = vec![0x01, 0x00, 0x02, 0x00, 0x02, 0x00];
        d.extend_from_slice(&[0u8; 48]);
        record(&mut g, 0x002F, &d);
    }
    record(&mut g, 0x0042, &codepage.to_le_bytes());
    let mut patch = Vec::new();
    for sh in sheets {
        patch.push(g.len() + 4);
        let mut d = vec![0, 0, 0, 0, u8::from(sh.hidden), 0];
        d.push(sh.name.encode_utf16().count() as u8);
        d.push(1);
        d.extend_from_slice(&utf16(&sh.name));
        record(&mut g, 0x0085, &d);
    }
    record(&mut g, 0x000A, &[]);
    let mut pos = g.len();
    for (at, s) in patch.iter().zip(&subs) {
        g[*at..*at + 4].copy_from_slice(&(pos as u32).to_le_bytes());
        pos += s.len();
    }
    for s in subs {
        g.extend_from_slice(&s);
    }
    g
}

/// An xls file (OLE container with a `Workbook` stream).
pub fn xls(sheets: &[XlsSheet], codepage: u16) -> Vec<u8> {
    ole(&[("Workbook", &biff8(sheets, codepage, false))])
}

/// A table-like xls sheet: title at A1, numbers below.
pub fn small_xls_sheets() -> Vec<XlsSheet> {
    let mut cells = vec![(0, 0, XlsCell::Text("行政复议".to_string()))];
    for r in 1..40u16 {
        cells.push((r, 0, XlsCell::Text(format!("第{r}行"))));
        for c in 1..6u16 {
            cells.push((r, c, XlsCell::Number(f64::from(r * 10 + c))));
        }
    }
    vec![XlsSheet {
        name: "表四".to_string(),
        cells,
        merges: vec![(0, 0, 0, 5)],
        ..Default::default()
    }]
}

/// An xls cut at half its length.
pub fn truncated_xls() -> Vec<u8> {
    let mut b = xls(&small_xls_sheets(), 1200);
    b.truncate(b.len() / 2);
    b
}

/// The CODEPAGE record says 1252 while the strings are UTF-16: read naively, "行政复议"
/// comes out as NUL-interleaved Latin-1. nianbao detects the NULs and re-reads as UTF-16.
pub fn bad_codepage_xls() -> Vec<u8> {
    xls(&small_xls_sheets(), 1252)
}

/// A FILEPASS record in the globals: a password-protected legacy workbook.
pub fn encrypted_xls() -> Vec<u8> {
    ole(&[("Workbook", &biff8(&small_xls_sheets(), 1200, true))])
}

/// A DIMENSIONS record declaring 1 000 000 × 256 cells over one real cell (calamine would
/// reserve that many cells up front).
pub fn huge_dimensions_xls() -> Vec<u8> {
    let sheet = XlsSheet {
        name: "Sheet1".to_string(),
        cells: vec![(0, 0, XlsCell::Number(1.0))],
        dimensions: Some((0, 1_000_000, 0, 256)),
        ..Default::default()
    };
    xls(&[sheet], 1200)
}

/// What Excel makes of an xlsx saved with "encrypt with password": an OLE container holding
/// `EncryptionInfo` (agile encryption, version 4.4) and `EncryptedPackage`.
pub fn encrypted_ooxml() -> Vec<u8> {
    let mut info = vec![0x04, 0x00, 0x04, 0x00, 0x40, 0x00, 0x00, 0x00];
    info.extend_from_slice(
        br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<encryption xmlns="http://schemas.microsoft.com/office/2006/encryption"><keyData saltSize="16" blockSize="16" keyBits="256" hashSize="64" cipherAlgorithm="AES" cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512" saltValue="AAAAAAAAAAAAAAAAAAAAAA=="/></encryption>"#,
    );
    let mut package = 4096u64.to_le_bytes().to_vec();
    package.extend(random_bytes(4096, 0xC0FFEE));
    ole(&[("EncryptionInfo", &info), ("EncryptedPackage", &package)])
}
