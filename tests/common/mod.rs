//! Shared by the tests of `nianbao serve` (tests/serve.rs over HTTP, tests/browser.rs in a real
//! browser): the binary started on a free port. Use it with `mod common;`.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// A running `nianbao serve`, stopped when dropped.
pub struct Served {
    pub child: Child,
    /// `127.0.0.1:PORT`
    pub addr: String,
    pub token: Option<String>,
    /// Kept open: the server's later lines must not meet a closed pipe.
    _stdout: BufReader<std::process::ChildStdout>,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `nianbao serve --port 0` with `args`, once it has printed its address.
pub fn serve(args: &[&str]) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .args(["serve", "--port", "0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    stdout.read_line(&mut first).unwrap();
    let url = &first[first.find("http://").expect(&first) + 7..]
        .trim()
        .to_string();
    let (addr, rest) = url.split_once('/').unwrap();
    let token = rest.strip_prefix("?token=").map(str::to_string);
    Served {
        child,
        addr: addr.to_string(),
        token,
        _stdout: stdout,
    }
}
