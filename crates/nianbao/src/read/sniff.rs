//! Recognize a file by its first bytes, never by its name.
//!
//! The extension of an agency file says little: HTML tables are saved as `.xls`, `.xlsx` files are
//! renamed `.xls`, PDFs arrive named `.xlsx`. [`sniff`] looks at the magic bytes and says which
//! container to open; the container readers ([`super::zipped`], [`super::xls`], [`super::html`])
//! then look inside.

/// The container family found from the magic bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Container {
    /// Zero bytes.
    Empty,
    /// `PK\x03\x04`: a zip archive (xlsx, xlsm, ods — or docx, a plain zip…).
    Zip,
    /// `D0 CF 11 E0 A1 B1 1A E1`: an OLE compound file (xls, an encrypted OOXML file, doc…).
    Ole,
    /// Text starting with `<` (after a BOM and whitespace): HTML or XML.
    Markup,
    /// Something else; the string says what it looks like, in Chinese.
    Unknown(String),
}

const OLE_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Which container the bytes are.
pub fn sniff(bytes: &[u8]) -> Container {
    if bytes.is_empty() {
        return Container::Empty;
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return Container::Zip;
    }
    if bytes.starts_with(&OLE_MAGIC) {
        return Container::Ole;
    }
    if starts_with_markup(bytes) {
        return Container::Markup;
    }
    Container::Unknown(describe_unknown(bytes))
}

/// The bytes after a UTF-8 BOM, decoded loosely to inspect the beginning of a text file.
/// UTF-16 (with BOM) is decoded too, because "save as Unicode text/web page" produces it.
pub fn text_head(bytes: &[u8], max: usize) -> String {
    let head = &bytes[..bytes.len().min(max)];
    if let Some(rest) = head.strip_prefix(&[0xFF, 0xFE]) {
        let (s, _) = encoding_rs::UTF_16LE.decode_without_bom_handling(rest);
        return s.into_owned();
    }
    if let Some(rest) = head.strip_prefix(&[0xFE, 0xFF]) {
        let (s, _) = encoding_rs::UTF_16BE.decode_without_bom_handling(rest);
        return s.into_owned();
    }
    let rest = head.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(head);
    String::from_utf8_lossy(rest).into_owned()
}

fn starts_with_markup(bytes: &[u8]) -> bool {
    text_head(bytes, 64)
        .trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
        .starts_with('<')
}

/// A Chinese description of bytes that are not a workbook container.
pub fn describe_unknown(bytes: &[u8]) -> String {
    let magic: &[(&[u8], &str)] = &[
        (b"%PDF", "PDF 文档"),
        (b"{\\rtf", "RTF 文档"),
        (b"\x89PNG", "PNG 图片"),
        (b"\xFF\xD8\xFF", "JPEG 图片"),
        (b"GIF8", "GIF 图片"),
        (b"Rar!", "RAR 压缩包"),
        (b"7z\xBC\xAF\x27\x1C", "7z 压缩包"),
        (b"\x1F\x8B", "gzip 压缩文件"),
        (b"PK\x05\x06", "空的 zip 压缩包"),
        (b"PK", "损坏或分卷的 zip 压缩包"),
        (b"\x09\x08", "早期 Excel（BIFF2–4）工作表"),
        (b"ID;", "SYLK 表格文件"),
    ];
    for (m, what) in magic {
        if bytes.starts_with(m) {
            return (*what).to_string();
        }
    }
    if looks_like_text(bytes) {
        let head = text_head(bytes, 4096);
        let first_line = head.lines().next().unwrap_or("");
        if first_line.contains(',') || first_line.contains('\t') {
            return "纯文本（可能是 CSV 或制表符分隔的文本）".to_string();
        }
        return "纯文本".to_string();
    }
    let shown: Vec<String> = bytes.iter().take(8).map(|b| format!("{b:02X}")).collect();
    format!("无法识别的二进制数据（开头字节 {}）", shown.join(" "))
}

/// Text in UTF-8, UTF-16 with BOM, or a legacy Chinese code page (GBK/GB18030): no NUL bytes
/// (outside UTF-16) and almost no control characters in the first 4 KB.
pub(super) fn looks_like_text(bytes: &[u8]) -> bool {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return true;
    }
    let head = &bytes[..bytes.len().min(4096)];
    if head.contains(&0) {
        return false;
    }
    let control = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C))
        .count();
    if control * 100 > head.len() {
        return false;
    }
    // The head may end inside a character: UTF-8 that is only cut short at the end is text
    // (trimming a fixed number of bytes could cut into the character before); so is GB18030
    // that decodes once the last one to three bytes are left off.
    match std::str::from_utf8(head) {
        Ok(_) => return true,
        Err(e) if e.error_len().is_none() => return true,
        Err(_) => {}
    }
    (0..4).filter(|&k| k < head.len()).any(|k| {
        encoding_rs::GB18030
            .decode_without_bom_handling_and_without_replacement(&head[..head.len() - k])
            .is_some()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_bytes_decide_not_names() {
        assert_eq!(sniff(b""), Container::Empty);
        assert_eq!(sniff(b"PK\x03\x04rest"), Container::Zip);
        assert_eq!(sniff(&OLE_MAGIC), Container::Ole);
        assert_eq!(sniff(b"\xEF\xBB\xBF  \r\n<html><table>"), Container::Markup);
        assert_eq!(sniff(b"\xFF\xFE<\x00h\x00"), Container::Markup);
    }

    /// Issue 11: a Chinese UTF-8 text whose first 4 KB end inside a character right after
    /// another three-byte one was taken for binary (trimming three bytes cut into the character
    /// before); the same in GBK.
    #[test]
    fn text_cut_inside_a_character_is_text() {
        // 4094 bytes of 'a', then a three-byte character: the head ends two bytes into it.
        let mut s = "a".repeat(4091);
        s.push_str("统计表格");
        assert!(looks_like_text(s.as_bytes()));
        let text = format!("a{}", "统计".repeat(1500));
        let (gbk, _, _) = encoding_rs::GBK.encode(&text);
        assert!(looks_like_text(&gbk));
    }

    #[test]
    fn unknown_bytes_say_what_they_look_like() {
        let Container::Unknown(pdf) = sniff(b"%PDF-1.7\n...") else {
            panic!()
        };
        assert!(pdf.contains("PDF"));
        let Container::Unknown(text) = sniff("单位,数量\n甲,1\n".as_bytes()) else {
            panic!()
        };
        assert!(text.contains("CSV"));
        let (gbk, _, _) = encoding_rs::GBK.encode("政府信息公开工作年度报告");
        assert_eq!(sniff(&gbk), Container::Unknown("纯文本".to_string()));
        let Container::Unknown(bin) = sniff(&[0x00, 0x01, 0x02, 0x03, 0x9F]) else {
            panic!()
        };
        assert!(bin.contains("00 01 02 03"), "{bin}");
    }
}
