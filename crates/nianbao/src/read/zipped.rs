//! The zip container of xlsx, ods and docx: its guard (the sizes its central directory declares,
//! checked before anything is inflated), and the look inside that tells which workbook (or Word
//! document) it holds.

use std::io::{Cursor, Read, Seek};

use super::open::{no_panic, Content, Ctx, Refusal};
use super::xlsx::Properties;
use super::{docx, ods};
use crate::error::ReadError;

/// Every worksheet of the workbook in a zip container with its custom document properties
/// (xlsx; none for ods), or the tables and paragraphs of a Word document.
pub(super) fn read(bytes: &[u8], ctx: &Ctx) -> Result<Content, ReadError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
        ctx.corrupt(
            "zip 压缩包结构损坏（文件可能被截断或下载不完整）",
            Some(e.into()),
        )
    })?;
    check_zip(
        &mut zip,
        ctx.limits.max_unpacked_bytes,
        ctx.limits.max_zip_ratio,
    )
    .map_err(|r| ctx.refusal(r))?;
    if let Some(dup) = duplicate_entry(&zip, bytes) {
        let named = dup.map(|n| format!("“{n}”")).unwrap_or_default();
        return Err(ctx.corrupt(
            format!("压缩包中有两个同名部件{named}，无法确定以哪一个为准（文件可能被篡改或拼接）"),
            None,
        ));
    }

    let names: Vec<String> = zip
        .file_names()
        .filter_map(|n| n.ok().map(|n| n.into_owned()))
        .collect();
    let has = |n: &str| names.iter().any(|x| x.eq_ignore_ascii_case(n));
    if has("mimetype") {
        let mime = read_small_entry(&mut zip, "mimetype");
        let mime = mime.trim();
        if mime == ods::MIME || mime == ods::TEMPLATE_MIME {
            return no_panic(ctx, || ods::read(bytes, zip, ctx)).map(Into::into);
        }
        if let Some(kind) = mime.strip_prefix("application/vnd.oasis.opendocument.") {
            return Err(ctx.unknown(format!("OpenDocument 文件（{kind}），不是电子表格")));
        }
    }
    if has("xl/workbook.xml")
        || names
            .iter()
            .any(|n| n.to_ascii_lowercase().starts_with("xl/worksheets/"))
    {
        return no_panic(ctx, || super::xlsx::read(&mut zip, ctx)).map(Into::into);
    }
    if has("xl/workbook.bin") {
        return Err(ctx.unknown("Excel 二进制工作簿（.xlsb），暂不支持"));
    }
    if has(docx::DOCUMENT) {
        return no_panic(ctx, || docx::read(&mut zip, ctx));
    }
    if names.iter().any(|n| n.starts_with("word/")) {
        return Err(ctx.corrupt(
            format!("Word 文档（.docx）中没有正文部件 {}", docx::DOCUMENT),
            None,
        ));
    }
    if names.iter().any(|n| n.starts_with("ppt/")) {
        return Err(ctx.unknown("PowerPoint 演示文稿（.pptx）"));
    }
    if has("content.xml") && has("META-INF/manifest.xml") {
        // An OpenDocument package that lost its `mimetype` entry: try it as a spreadsheet.
        return no_panic(ctx, || ods::read(bytes, zip, ctx)).map(Into::into);
    }
    if has("[Content_Types].xml") || names.iter().any(|n| n.starts_with("xl/")) {
        // An OOXML package without the usual workbook part: it is looked for through the
        // package relationships, and a missing part is reported as damage.
        return no_panic(ctx, || super::xlsx::read(&mut zip, ctx)).map(Into::into);
    }
    Err(ctx.unknown("zip 压缩包（其中没有工作簿）"))
}

/// The custom document properties of an xlsx package alone (no sheet is read), and when it
/// says it was last modified, under the same guards: the zip directory's declared sizes, each
/// part's inflated size, the text limit.
pub(super) fn properties(
    bytes: &[u8],
    ctx: &Ctx,
) -> Result<(Properties, Option<String>), ReadError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| ctx.corrupt("zip 压缩包结构损坏", Some(e.into())))?;
    // Only a few small parts are read here, each within `max_unpacked_bytes` (Package::part):
    // the total of the sheets, which a summary of 20,000 agencies exceeds, does not matter.
    check_zip(&mut zip, u64::MAX, ctx.limits.max_zip_ratio).map_err(|r| ctx.refusal(r))?;
    if duplicate_entry(&zip, bytes).is_some() {
        return Err(ctx.corrupt("压缩包中有两个同名部件", None));
    }
    no_panic(ctx, || {
        let mut pkg = super::xlsx::Package::new(&mut zip, ctx);
        let props = super::xlsx::custom_properties(&mut pkg, &mut 0)?;
        Ok((props, super::xlsx::modified(&mut pkg)?))
    })
}

/// The first KB of a zip entry as text (for `mimetype`).
fn read_small_entry<R: Read + Seek>(zip: &mut zip::ZipArchive<R>, name: &str) -> String {
    let mut s = String::new();
    if let Ok(f) = zip.by_name(name) {
        let _ = f.take(1024).read_to_string(&mut s);
    }
    s
}

// ---------------------------------------------------------------------------------------------
// guard

/// Refuse a zip whose directory declares too much unpacked data, or an entry that inflates
/// suspiciously (a zip bomb). The zip crate (≥ 9.8.2) never inflates an entry beyond its
/// declared size, so the declared sizes bound what any later read produces.
pub(super) fn check_zip<R: Read + Seek>(
    zip: &mut zip::ZipArchive<R>,
    max_unpacked: u64,
    max_ratio: u64,
) -> Result<(), Refusal> {
    let mut unpacked = 0u64;
    for i in 0..zip.len() {
        let f = zip.by_index_raw(i).map_err(|e| {
            Refusal::Corrupt(
                format!("zip 目录第 {} 项无法读取", i + 1),
                Some(calamine::Error::Xlsx(calamine::XlsxError::Zip(e))),
            )
        })?;
        let size = f.size();
        let packed = f.compressed_size().max(1);
        unpacked = unpacked.saturating_add(size);
        // Small parts compress very well (a sheet of empty styled rows); only big ones matter.
        if size > RATIO_FLOOR && size / packed > max_ratio {
            return Err(Refusal::TooLarge {
                sheet: None,
                what: "压缩包中某一部件的压缩比异常（疑似“压缩炸弹”）",
                actual: size / packed,
                limit: max_ratio,
            });
        }
    }
    if unpacked > max_unpacked {
        return Err(Refusal::TooLarge {
            sheet: None,
            what: "压缩包解压后的总大小（字节）",
            actual: unpacked,
            limit: max_unpacked,
        });
    }
    Ok(())
}

/// A name the zip directory holds twice: `Some(Some(name))`, or `Some(None)` when the zip crate
/// saw a duplicate but the directory could not be walked again to name it.
///
/// The zip crate keys its index by name, so of two entries `xl/worksheets/sheet2.xml` only the
/// last can be read — a forged copy would be read silently. Names are compared as the readers
/// look them up (xlsx parts without regard to case or `\`), so `Sheet2.xml` next to
/// `sheet2.xml` is a duplicate too. Exact duplicates are no longer in the crate's index
/// (`has_duplicate_names` only says there were some): they are named by walking the central
/// directory in `bytes` ourselves.
fn duplicate_entry<R: Read + Seek>(
    zip: &zip::ZipArchive<R>,
    bytes: &[u8],
) -> Option<Option<String>> {
    let mut seen = std::collections::HashSet::new();
    let key = |n: &str| n.replace('\\', "/").to_lowercase();
    for n in zip.file_names().filter_map(Result::ok) {
        if !seen.insert(key(&n)) {
            return Some(Some(n.into_owned()));
        }
    }
    if !zip.has_duplicate_names() {
        return None;
    }
    // Central directory file headers: signature, 42 fixed bytes (name, extra and comment
    // lengths at 28, 30, 32), then the name, the extra field and the comment.
    let mut seen = std::collections::HashSet::new();
    let mut at = usize::try_from(zip.central_directory_start()).ok()?;
    let u16_at = |i: usize| {
        bytes
            .get(i..i + 2)
            .map(|b| usize::from(u16::from_le_bytes([b[0], b[1]])))
    };
    while bytes.get(at..at + 4) == Some(b"PK\x01\x02") {
        let (Some(n), Some(x), Some(c)) = (u16_at(at + 28), u16_at(at + 30), u16_at(at + 32))
        else {
            break;
        };
        let Some(name) = bytes.get(at + 46..at + 46 + n) else {
            break;
        };
        let name = String::from_utf8_lossy(name).into_owned();
        if !seen.insert(key(&name)) {
            return Some(Some(name));
        }
        at += 46 + n + x + c;
    }
    Some(None)
}

/// Entries smaller than this are not subject to the ratio check.
const RATIO_FLOOR: u64 = 1024 * 1024;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::{read_grid_bytes, Limits};

    fn read(bytes: &[u8]) -> Result<crate::read::Grid, ReadError> {
        read_grid_bytes(bytes, "t.xlsx", &Limits::default())
    }

    /// A two-sheet workbook plus a decoy entry `extra` holding 72 in A1.
    fn with_extra_entry(extra: &str) -> Vec<u8> {
        let mut wb = rust_xlsxwriter::Workbook::new();
        wb.add_worksheet().write(0, 0, "真").unwrap();
        wb.add_worksheet().write(0, 0, 71).unwrap();
        let good = wb.save_to_buffer().unwrap();
        assert!(read(&good).is_ok());
        let mut src = zip::ZipArchive::new(Cursor::new(good.as_slice())).unwrap();
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for i in 0..src.len() {
            out.raw_copy_file(src.by_index_raw(i).unwrap()).unwrap();
        }
        out.start_file(extra, zip::write::SimpleFileOptions::default())
            .unwrap();
        std::io::Write::write_all(
            &mut out,
            br#"<worksheet><sheetData><row r="1"><c r="A1"><v>72</v></c></row></sheetData></worksheet>"#,
        )
        .unwrap();
        out.finish().unwrap().into_inner()
    }

    /// Two entries of one name: the zip crate indexes only the last, which would be read
    /// silently. Made by writing the decoy under a placeholder name of the same length (the zip
    /// writer refuses a duplicate), then renaming it in its local header and the directory.
    #[test]
    fn duplicate_entry_names_are_refused_naming_the_entry() {
        let mut bytes = with_extra_entry("xl/worksheets/sheetX.xml");
        let (from, to) = (b"xl/worksheets/sheetX.xml", b"xl/worksheets/sheet2.xml");
        let mut renamed = 0;
        for i in 0..bytes.len() - from.len() {
            if &bytes[i..i + from.len()] == from {
                bytes[i..i + from.len()].copy_from_slice(to);
                renamed += 1;
            }
        }
        assert_eq!(renamed, 2, "local header and central directory");
        let zip = zip::ZipArchive::new(Cursor::new(bytes.as_slice())).unwrap();
        assert!(zip.has_duplicate_names());
        let e = read(&bytes).unwrap_err();
        assert_eq!(e.kind(), "corrupt", "{e}");
        assert!(e.to_string().contains("“xl/worksheets/sheet2.xml”"), "{e}");

        // Names that differ only in case or separator are one part to the xlsx reader.
        for extra in ["XL/Worksheets/Sheet2.xml", "xl\\worksheets\\sheet2.xml"] {
            let e = read(&with_extra_entry(extra)).unwrap_err();
            assert_eq!(e.kind(), "corrupt", "{e}");
            assert!(e.to_string().contains(extra), "{e}");
        }
    }

    #[test]
    fn a_plain_zip_is_not_a_workbook_and_a_docx_is_a_document() {
        let zip_of = |name: &str| {
            let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
            zip.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            std::io::Write::write_all(&mut zip, b"<w:document/>").unwrap();
            zip.finish().unwrap().into_inner()
        };
        match read(&zip_of("notes/a.xml")).unwrap_err() {
            ReadError::UnknownFormat { what, .. } => assert!(what.contains("zip"), "{what}"),
            other => panic!("{other:?}"),
        }
        let doc = read(&zip_of("word/document.xml")).unwrap();
        assert!(doc.sheets.is_empty() && doc.prose.is_empty());
        let e = read(&zip_of("word/styles.xml")).unwrap_err();
        assert_eq!(e.kind(), "corrupt", "{e}");
        assert!(e.to_string().contains("word/document.xml"), "{e}");
    }
}
