//! A report as it is published: the official tables (as nianbao's template lays them out, merges
//! included) split into one table per section, between the report's title and prose, written as
//! a web page in the markup Word's "save as web page" produces (`MsoNormalTable`, spans inside
//! cells, `&nbsp;`, attributes over several lines; GBK or UTF-8), and as a Word document (`.docx`,
//! merged cells as `w:gridSpan` and `w:vMerge`). Used by the tests, the read bench and the sample
//! generator (`#[path]`).
//!
//! The agency and year are only in the prose (the title and the first sentence), never in a
//! table: the tables hold only the statistics.

use std::io::Write as _;

use nianbao::model::Report;
use nianbao::read::{read_grid_bytes, Limits, Rect, Sheet};

/// One block of a published report, in document order.
pub enum Block {
    /// A heading (`<h1>`/`<h2>` on the page, a bold paragraph in Word).
    Heading(String),
    /// A paragraph of prose.
    Para(String),
    /// A table: its cells (0-based, relative to the table) and merged regions.
    Table(Sheet),
}

/// The report's title: `{agency}{year}年政府信息公开工作年度报告`.
pub fn title(r: &Report) -> String {
    format!(
        "{}{}年政府信息公开工作年度报告",
        r.meta.agency.as_deref().unwrap_or(""),
        r.meta.year.unwrap_or(0)
    )
}

/// The report's blocks: title, the opening paragraph (agency and statistics period), 一、总体情况
/// with `narrative` paragraphs of filler prose, the three tables each after its heading, then
/// 五 and 六.
pub fn blocks(r: &Report, narrative: usize) -> Vec<Block> {
    let agency = r.meta.agency.clone().unwrap_or_default();
    let year = r.meta.year.unwrap_or(0);
    let mut out = vec![
        Block::Heading(title(r)),
        Block::Para(format!(
            "本年报依据《中华人民共和国政府信息公开条例》和《中华人民共和国政府信息公开工作年度报告格式》要求，\
             由{agency}办公室编制。本年报中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"
        )),
        Block::Heading("一、总体情况".into()),
    ];
    for i in 0..narrative {
        out.push(Block::Para(format!(
            "（{}）{year}年，我局坚持以人民为中心的发展思想，认真贯彻落实政务公开各项工作部署，\
             着力抓好制度建设、平台维护、日常管理等方面工作，不断提升政府信息公开工作的质量和实效，\
             及时准确地公开各类政府信息，切实保障人民群众的知情权、参与权、表达权和监督权。",
            i + 1
        )));
    }
    // The official layout, read back from the template workbook nianbao writes.
    let mut wb = nianbao::write::template::new_workbook("t").expect("workbook");
    nianbao::write::template::add_report_sheet(
        &mut wb,
        nianbao::write::template::SHEET_NAME,
        r,
        &Default::default(),
    )
    .expect("sheet");
    let bytes = wb.save_to_buffer().expect("xlsx");
    let grid = read_grid_bytes(&bytes, "t.xlsx", &Limits::default()).expect("template reads");
    let sheet = &grid.sheets[0];
    // The rows between two section headings are a table.
    let last_row = sheet.cells.keys().map(|k| k.0).max().unwrap_or(0);
    let headings: Vec<u32> = (0..=last_row)
        .filter(|&row| {
            sheet
                .text(row, 0)
                .is_some_and(|t| SECTIONS.iter().any(|p| t.starts_with(p)))
        })
        .collect();
    for (i, &h) in headings.iter().enumerate() {
        out.push(Block::Heading(sheet.text(h, 0).unwrap()));
        let end = headings.get(i + 1).map_or(last_row, |n| n - 1);
        let mut t = Sheet::new("t");
        for (&(row, col), v) in sheet.cells.range((h + 1, 0)..(end + 1, 0)) {
            t.set(row - h - 1, col, v.clone());
        }
        for m in &sheet.merges {
            if m.first_row > h && m.last_row <= end {
                t.merges.push(Rect {
                    first_row: m.first_row - h - 1,
                    last_row: m.last_row - h - 1,
                    ..*m
                });
            }
        }
        out.push(Block::Table(t));
    }
    out.push(Block::Heading("五、存在的主要问题及改进情况".into()));
    out.push(Block::Para(
        "政府信息公开工作仍存在公开内容不够全面、解读形式较为单一等问题。下一步，我局将进一步完善工作机制。"
            .into(),
    ));
    out.push(Block::Heading("六、其他需要报告的事项".into()));
    out.push(Block::Para("本年度未收取信息处理费。".into()));
    out
}

/// How the template's section heading rows start (`三、本年度办理结果` is a row label of 三).
const SECTIONS: [&str; 3] = ["二、主动公开", "三、收到和处理", "四、政府信息公开行政"];

/// A table's extent (rows, columns), merges included.
fn extent(t: &Sheet) -> (u32, u32) {
    let mut rows = 0;
    let mut cols = 0;
    for &(r, c) in t.cells.keys() {
        rows = rows.max(r + 1);
        cols = cols.max(c + 1);
    }
    for m in &t.merges {
        rows = rows.max(m.last_row + 1);
        cols = cols.max(m.last_col + 1);
    }
    (rows, cols)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The report as Word saves it as a web page: in `encoding` (GBK or UTF-8, declared in its
/// `<meta>`), with `narrative` paragraphs of prose in 一.
pub fn word_page(
    r: &Report,
    narrative: usize,
    encoding: &'static encoding_rs::Encoding,
) -> Vec<u8> {
    let charset = if encoding == encoding_rs::UTF_8 {
        "utf-8"
    } else {
        "gb2312"
    };
    let mut o = String::new();
    o.push_str(&format!(
        "<html xmlns:v=\"urn:schemas-microsoft-com:vml\"\nxmlns:o=\"urn:schemas-microsoft-com:office:office\"\n\
         xmlns:w=\"urn:schemas-microsoft-com:office:word\"\nxmlns=\"http://www.w3.org/TR/REC-html40\">\n\n\
         <head>\n<meta http-equiv=Content-Type content=\"text/html; charset={charset}\">\n\
         <meta name=ProgId content=Word.Document>\n<meta name=Generator content=\"Microsoft Word 15\">\n\
         <title>{}</title>\n<!--[if gte mso 9]><xml>\n <o:DocumentProperties>\n  <o:Author>办公室</o:Author>\n \
         </o:DocumentProperties>\n</xml><![endif]-->\n<style>\n<!--\n p.MsoNormal, li.MsoNormal, div.MsoNormal\n\t\
         {{mso-style-parent:\"\";\n\tmargin:0cm;\n\ttext-align:justify;\n\tfont-size:10.5pt;\n\tfont-family:等线;}}\n-->\n\
         </style>\n</head>\n\n<body lang=ZH-CN style='tab-interval:21.0pt;text-justify-trim:punctuation'>\n\n\
         <div class=WordSection1 style='layout-grid:15.6pt'>\n\n",
        escape(&title(r))
    ));
    for b in blocks(r, narrative) {
        match b {
            Block::Heading(h) => o.push_str(&format!(
                "<p class=MsoNormal align=center style='text-align:center;line-height:28.0pt;\nmso-line-height-rule:exactly'>\
                 <b><span style='font-size:16.0pt;font-family:黑体;mso-hansi-font-family:\n\"Times New Roman\"'>{}<span lang=EN-US><o:p></o:p></span></span></b></p>\n\n",
                escape(&h)
            )),
            Block::Para(p) => o.push_str(&format!(
                "<p class=MsoNormal style='text-indent:32.0pt;mso-char-indent-count:2.0;line-height:\n28.0pt;mso-line-height-rule:exactly'>\
                 <span style='font-size:16.0pt;font-family:仿宋_GB2312'>{}<span\nlang=EN-US><o:p></o:p></span></span></p>\n\n",
                escape(&p)
            )),
            Block::Table(t) => word_table(&mut o, &t),
        }
    }
    o.push_str("<p class=MsoNormal><span lang=EN-US><o:p>&nbsp;</o:p></span></p>\n\n</div>\n\n</body>\n\n</html>\n");
    if encoding == encoding_rs::UTF_8 {
        o.into_bytes()
    } else {
        encoding.encode(&o).0.into_owned()
    }
}

fn word_table(o: &mut String, t: &Sheet) {
    let (rows, cols) = extent(t);
    o.push_str(
        "<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 width=601\n \
         style='width:450.6pt;border-collapse:collapse;border:none;mso-border-alt:solid windowtext .5pt;\n \
         mso-yfti-tbllook:1184;mso-padding-alt:0cm 5.4pt 0cm 5.4pt'>\n",
    );
    for row in 0..rows {
        o.push_str(&format!(
            " <tr style='mso-yfti-irow:{row};height:20.0pt'>\n"
        ));
        for col in 0..cols {
            let merge = t.merge_at(row, col);
            if merge.is_some_and(|m| (m.first_row, m.first_col) != (row, col)) {
                continue;
            }
            let mut spans = String::new();
            if let Some(m) = merge {
                if m.last_row > m.first_row {
                    spans.push_str(&format!(" rowspan={}", m.last_row - m.first_row + 1));
                }
                if m.last_col > m.first_col {
                    spans.push_str(&format!(" colspan={}", m.last_col - m.first_col + 1));
                }
            }
            o.push_str(&format!(
                "  <td width=48{spans} valign=top style='width:36.0pt;border:solid windowtext 1.0pt;\n  \
                 border-top:none;mso-border-alt:solid windowtext .5pt;padding:0cm 5.4pt 0cm 5.4pt;\n  height:20.0pt'>\n"
            ));
            match t.text(row, col) {
                Some(text) => {
                    for line in text.split('\n') {
                        o.push_str(&format!(
                            "  <p class=MsoNormal align=center style='text-align:center'><span\n  \
                             lang=EN-US style='font-size:10.5pt;font-family:宋体'>{}</span><span\n  \
                             style='font-size:10.5pt;font-family:宋体'><o:p></o:p></span></p>\n",
                            escape(line)
                        ));
                    }
                }
                None => o.push_str(
                    "  <p class=MsoNormal align=center style='text-align:center'><span\n  \
                     lang=EN-US style='font-size:10.5pt'><o:p>&nbsp;</o:p></span></p>\n",
                ),
            }
            o.push_str("  </td>\n");
        }
        o.push_str(" </tr>\n");
    }
    o.push_str("</table>\n\n");
}

/// The report as a Word document: paragraphs `w:p`, tables `w:tbl` with merged cells as
/// `w:gridSpan` (horizontal) and `w:vMerge` (vertical).
pub fn docx(r: &Report, narrative: usize) -> Vec<u8> {
    let mut body = String::new();
    let para = |o: &mut String, text: &str, bold: bool| {
        let rpr = if bold { "<w:rPr><w:b/></w:rPr>" } else { "" };
        o.push_str(&format!(
            "<w:p><w:pPr><w:ind w:firstLineChars=\"200\"/></w:pPr><w:r>{rpr}<w:t xml:space=\"preserve\">{}</w:t></w:r></w:p>",
            escape(text)
        ));
    };
    for b in blocks(r, narrative) {
        match b {
            Block::Heading(h) => para(&mut body, &h, true),
            Block::Para(p) => para(&mut body, &p, false),
            Block::Table(t) => docx_table(&mut body, &t),
        }
    }
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
         <w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
         <w:body>{body}<w:sectPr/></w:body></w:document>"
    );
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    let parts = [
        (
            "[Content_Types].xml",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
             <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
             <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
             <Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>"
                .to_string(),
        ),
        (
            "_rels/.rels",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
             <Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/></Relationships>"
                .to_string(),
        ),
        ("word/document.xml", document),
    ];
    for (name, data) in parts {
        zip.start_file(name, opts).expect("zip entry");
        zip.write_all(data.as_bytes()).expect("zip write");
    }
    zip.finish().expect("zip").into_inner()
}

fn docx_table(o: &mut String, t: &Sheet) {
    let (rows, cols) = extent(t);
    o.push_str("<w:tbl><w:tblPr><w:tblW w:w=\"0\" w:type=\"auto\"/></w:tblPr><w:tblGrid>");
    for _ in 0..cols {
        o.push_str("<w:gridCol w:w=\"900\"/>");
    }
    o.push_str("</w:tblGrid>");
    for row in 0..rows {
        o.push_str("<w:tr>");
        let mut col = 0;
        while col < cols {
            let merge = t.merge_at(row, col).copied();
            let (span, vmerge) = match merge {
                Some(m) => {
                    let span = m.last_col - m.first_col + 1;
                    let v = if m.last_row == m.first_row {
                        ""
                    } else if m.first_row == row {
                        "<w:vMerge w:val=\"restart\"/>"
                    } else {
                        "<w:vMerge/>"
                    };
                    (span, v)
                }
                None => (1, ""),
            };
            let grid_span = if span > 1 {
                format!("<w:gridSpan w:val=\"{span}\"/>")
            } else {
                String::new()
            };
            let text = match merge {
                Some(m) if m.first_row != row => None,
                _ => t.text(row, col),
            };
            o.push_str(&format!(
                "<w:tc><w:tcPr><w:tcW w:w=\"900\" w:type=\"dxa\"/>{grid_span}{vmerge}</w:tcPr>"
            ));
            match text {
                Some(text) => {
                    for line in text.split('\n') {
                        o.push_str(&format!(
                            "<w:p><w:pPr><w:jc w:val=\"center\"/></w:pPr><w:r><w:t>{}</w:t></w:r></w:p>",
                            escape(line)
                        ));
                    }
                }
                None => o.push_str("<w:p/>"),
            }
            o.push_str("</w:tc>");
            col += span;
        }
        o.push_str("</w:tr>");
    }
    o.push_str("</w:tbl>");
}
