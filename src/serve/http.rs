//! The HTTP/1.1 the page needs, on std's `TcpListener`: one request per connection
//! (`Connection: close`), bodies by `Content-Length` (what browsers send for `FormData`), heads
//! parsed by `httparse`, and every connection bounded in time.
//!
//! **Why not an HTTP crate.** The page's traffic is a few requests at a time from one office;
//! what it must withstand is a client that sends slowly or not at all, since the server accepts
//! uploads from anyone who can reach it. tiny_http (used first) accepts the connections itself
//! and gives no way to set a timeout on them; set on the listening socket, the timeout also
//! ends tiny_http's accept loop after the first idle period, stopping the server (found by the
//! idle-connection test). An async stack (hyper + tokio) would bring a runtime and some fifty
//! crates for this. So the connections are accepted here, each gets its read and write timeouts
//! before anything is read, and a fixed number of worker threads serve them.
//!
//! **Bounds.** A connection that sends nothing for [`Timeouts::idle`](super::Timeouts) is
//! closed; its request head must arrive within that time and within [`MAX_HEAD`] bytes; a
//! body is read by the handler within its own deadline. A request body in chunked transfer
//! coding is refused (501): the page never sends one.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::time::{Duration, Instant};

/// The largest request head (request line and headers).
pub const MAX_HEAD: usize = 64 * 1024;
/// The most headers in a request.
const MAX_HEADERS: usize = 64;

/// A request whose head has been read; its body is still on the connection.
pub struct Request {
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    length: Option<u64>,
    reader: BufReader<TcpStream>,
    /// `Expect: 100-continue`: the client waits for a go-ahead before sending the body.
    expects_continue: bool,
}

/// An answer, written with `Content-Length` and `Connection: close`.
pub struct Answer<'a> {
    pub status: u16,
    pub headers: &'a [(&'a str, String)],
    pub body: &'a [u8],
}

impl Request {
    /// `GET`, `POST`, …
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The request target: path and query.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The first header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        header_in(&self.headers, name)
    }

    /// The body's length as the client states it.
    pub fn body_length(&self) -> Option<u64> {
        self.length
    }

    /// The body (at most its stated length; none without one).
    pub fn body(&mut self) -> std::io::Result<impl Read + '_> {
        if std::mem::take(&mut self.expects_continue) {
            self.reader
                .get_mut()
                .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
        }
        Ok((&mut self.reader).take(self.length.unwrap_or(0)))
    }

    /// Write the answer and close the connection. What the client still sends (a body not
    /// read, after a refusal) is read and dropped for a moment first, so that closing does not
    /// reset the connection before the client has read the answer.
    pub fn respond(self, answer: Answer) {
        let mut stream = self.reader.into_inner();
        respond(&mut stream, answer);
        linger(stream);
    }
}

/// The first header `name` of `headers` (case-insensitive).
fn header_in<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn respond(stream: &mut TcpStream, a: Answer) {
    let mut head = format!("HTTP/1.1 {} {}\r\n", a.status, reason(a.status));
    for (k, v) in a.headers {
        // a value is ours, never the client's: still, no line breaks in a header
        if !v.contains(['\r', '\n']) {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        a.body.len()
    ));
    let _ = stream
        .write_all(head.as_bytes())
        .and_then(|_| stream.write_all(a.body))
        .and_then(|_| stream.flush());
}

/// Close after the answer: stop writing, read and drop what the client still sends (at most
/// a few megabytes, for at most two seconds), then close.
fn linger(mut stream: TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    let until = Instant::now() + Duration::from_secs(2);
    let mut sink = [0u8; 16 * 1024];
    let mut left = 4 * 1024 * 1024usize;
    while left > 0 && Instant::now() < until {
        match stream.read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(n) => left = left.saturating_sub(n),
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        202 => "Accepted",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        413 => "Payload Too Large",
        422 => "Unprocessable Entity",
        431 => "Request Header Fields Too Large",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        _ => "Internal Server Error",
    }
}

/// Why a request could not be read: the answer to give, if the connection can still take one.
pub struct Refused(pub Option<(u16, &'static str)>);

/// Read a request's head from a connection (whose timeouts are already set), within `idle`.
pub fn read_request(stream: TcpStream, idle: Duration) -> Result<Request, (TcpStream, Refused)> {
    let start = Instant::now();
    let mut reader = BufReader::with_capacity(16 * 1024, stream);
    let mut head: Vec<u8> = Vec::new();
    let refused = |reader: BufReader<TcpStream>, why: Option<(u16, &'static str)>| {
        Err((reader.into_inner(), Refused(why)))
    };
    const SLOW: (u16, &str) = (408, "请求太慢，已超时：请重试");
    loop {
        if start.elapsed() > idle {
            return refused(reader, Some(SLOW));
        }
        let buf = match reader.fill_buf() {
            Ok([]) => return refused(reader, None),
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return refused(reader, Some(SLOW))
            }
            Err(_) => return refused(reader, None),
        };
        // take bytes up to the end of the head, no further: the rest is the body's
        let seen = head.len();
        head.extend_from_slice(buf);
        let end = head
            .windows(4)
            .skip(seen.saturating_sub(3))
            .position(|w| w == b"\r\n\r\n")
            .map(|i| i + seen.saturating_sub(3) + 4);
        let taken = match end {
            Some(end) => end - seen,
            None => head.len() - seen,
        };
        head.truncate(seen + taken);
        reader.consume(taken);
        if head.len() > MAX_HEAD {
            return refused(reader, Some((431, "请求头太大")));
        }
        if end.is_some() {
            break;
        }
    }
    let mut slots = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut parsed = httparse::Request::new(&mut slots);
    match parsed.parse(&head) {
        Ok(httparse::Status::Complete(_)) => {}
        Err(httparse::Error::TooManyHeaders) => return refused(reader, Some((431, "请求头太多"))),
        _ => return refused(reader, Some((400, "请求格式不正确"))),
    }
    let headers: Vec<(String, String)> = parsed
        .headers
        .iter()
        .map(|h| {
            (
                h.name.to_string(),
                String::from_utf8_lossy(h.value).trim().to_string(),
            )
        })
        .collect();
    let find = |name: &str| header_in(&headers, name);
    if find("Transfer-Encoding").is_some() {
        return refused(reader, Some((501, "不支持分块传输的请求：请用页面上传")));
    }
    let length = match find("Content-Length").map(|v| v.parse::<u64>()) {
        None => None,
        Some(Ok(n)) => Some(n),
        Some(Err(_)) => return refused(reader, Some((400, "Content-Length 不正确"))),
    };
    let expects_continue = find("Expect").is_some_and(|v| v.eq_ignore_ascii_case("100-continue"));
    Ok(Request {
        method: parsed.method.unwrap_or("").to_string(),
        url: parsed.path.unwrap_or("").to_string(),
        headers,
        length,
        reader,
        expects_continue,
    })
}

/// Accept connections on `listener` forever, giving each its timeouts and handing it to one of
/// `workers` threads, which call `serve` with it. When every worker is busy, connections
/// wait in a short queue, then in the operating system's backlog.
pub fn run(
    listener: TcpListener,
    workers: usize,
    idle: Duration,
    serve: impl Fn(TcpStream) + Send + Sync + 'static,
) {
    let (tx, rx) = std::sync::mpsc::sync_channel::<TcpStream>(workers * 4);
    let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
    let serve = std::sync::Arc::new(serve);
    for _ in 0..workers.max(1) {
        let (rx, serve) = (std::sync::Arc::clone(&rx), std::sync::Arc::clone(&serve));
        std::thread::spawn(move || loop {
            let next = rx.lock().unwrap_or_else(|e| e.into_inner()).recv();
            match next {
                // a panic is that connection's end, never the worker's
                Ok(stream) => {
                    let _ =
                        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| serve(stream)));
                }
                Err(_) => return,
            }
        });
    }
    for stream in listener.incoming() {
        match stream {
            Ok(s) => {
                if s.set_read_timeout(Some(idle)).is_err()
                    || s.set_write_timeout(Some(idle)).is_err()
                {
                    continue;
                }
                if tx.send(s).is_err() {
                    return;
                }
            }
            // out of file descriptors, a connection reset before it was accepted: go on
            Err(_) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
}

/// Answer a connection whose request could not be read, and close it.
pub fn refuse(mut stream: TcpStream, why: Refused, body: impl Fn(&str) -> Vec<u8>) {
    if let Some((status, message)) = why.0 {
        let body = body(message);
        let headers = [("Content-Type", super::JSON.to_string())];
        respond(
            &mut stream,
            Answer {
                status,
                headers: &headers,
                body: &body,
            },
        );
    }
    linger(stream);
}
