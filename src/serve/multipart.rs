//! A small `multipart/form-data` reader (RFC 7578) for a body already in memory and already
//! bounded by the request limit: the page posts files with `FormData`, nothing else needs it.
//! The client's file name is kept only as text for messages; it is never used as a path.

/// One part of the form.
pub struct Part<'a> {
    /// The form field's name.
    pub field: String,
    /// The file name the client gave (text only), for a file field.
    pub filename: Option<String>,
    /// The part's bytes.
    pub data: &'a [u8],
}

/// The boundary of a `multipart/form-data` content type.
pub fn boundary(content_type: &str) -> Option<&str> {
    let (kind, params) = content_type.split_once(';')?;
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.split(';').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        if !k.trim().eq_ignore_ascii_case("boundary") {
            return None;
        }
        let v = v.trim().trim_matches('"');
        (!v.is_empty() && v.len() <= 70).then_some(v)
    })
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    let first = needle[0];
    (0..=hay.len() - needle.len()).find(|&i| hay[i] == first && &hay[i..i + needle.len()] == needle)
}

/// The parts of `body`, or why it is not a well-formed form (in Chinese).
pub fn parse<'a>(body: &'a [u8], boundary: &str) -> Result<Vec<Part<'a>>, &'static str> {
    const BAD: &str = "上传的表单格式不正确（multipart/form-data）";
    let delim = format!("--{boundary}");
    let next = format!("\r\n--{boundary}");
    // the body starts with the first delimiter (a preamble before it is allowed)
    let start = if body.starts_with(delim.as_bytes()) {
        0
    } else {
        find(body, next.as_bytes()).ok_or(BAD)? + 2
    };
    let mut rest = &body[start + delim.len()..];
    let mut parts = Vec::new();
    loop {
        if rest.starts_with(b"--") {
            return Ok(parts);
        }
        rest = rest.strip_prefix(b"\r\n").ok_or(BAD)?;
        let head_end = find(rest, b"\r\n\r\n").ok_or(BAD)?;
        let head = String::from_utf8_lossy(&rest[..head_end]);
        let data_start = head_end + 4;
        let data_len = find(&rest[data_start..], next.as_bytes()).ok_or(BAD)?;
        let data = &rest[data_start..data_start + data_len];
        let (field, filename) = disposition(&head).ok_or(BAD)?;
        parts.push(Part {
            field,
            filename,
            data,
        });
        rest = &rest[data_start + data_len + next.len()..];
    }
}

/// The field `name` and the `filename` of a part's `Content-Disposition: form-data` header
/// (which must name the field).
fn disposition(head: &str) -> Option<(String, Option<String>)> {
    let line = head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim()
            .eq_ignore_ascii_case("content-disposition")
            .then_some(v)
    })?;
    let mut name = None;
    let mut filename = None;
    for p in line.split(';').skip(1) {
        let Some((k, v)) = p.split_once('=') else {
            continue;
        };
        let v = v.trim();
        let v = v
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(v)
            .to_string();
        match k.trim().to_ascii_lowercase().as_str() {
            "name" => name = Some(v),
            "filename" => filename = Some(v),
            _ => {}
        }
    }
    name.map(|name| (name, filename))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_and_boundary() {
        let ct = "multipart/form-data; boundary=----abc";
        let b = boundary(ct).unwrap();
        assert_eq!(b, "----abc");
        let body = b"------abc\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\xe5\x8d\x95.xlsx\"\r\nContent-Type: application/octet-stream\r\n\r\nXY\r\n--Z\r\n------abc\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n------abc--\r\n";
        let parts = parse(body, b).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].filename.as_deref(), Some("a单.xlsx"));
        assert_eq!(
            (parts[0].field.as_str(), parts[1].field.as_str()),
            ("file", "x")
        );
        assert_eq!(parts[0].data, b"XY\r\n--Z");
        assert_eq!(parts[1].filename, None);
        assert!(parse(b"garbage", b).is_err());
        assert!(parse(
            b"------abc\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1",
            b
        )
        .is_err());
        assert_eq!(boundary("text/plain; boundary=x"), None);
    }
}
