//! Panics in one file's work become that file's error: the batch goes on.
//!
//! `catch` runs one file's work (reading, checking, fixing, a roll-up's reduction) under
//! `catch_unwind` and marks the thread as *guarded* while it runs. A front end's panic hook asks
//! [`is_guarded`] to tell a panic the library catches and reports (print nothing: the file's
//! error says it) from one nobody catches (print a short message). The mark is per thread; a
//! panic on another thread that the work started (none does today) is not guarded.

use std::any::Any;
use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};

thread_local! {
    static DEPTH: Cell<usize> = const { Cell::new(0) };
}

/// Whether the current thread is inside work whose panics the library catches and reports as
/// the file's error (for a panic hook: stay silent then).
pub fn is_guarded() -> bool {
    DEPTH.with(|d| d.get() > 0)
}

/// Run `f`, catching a panic: `Err(message)` with the panic's message.
pub(crate) fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    DEPTH.with(|d| d.set(d.get() + 1));
    let result = catch_unwind(AssertUnwindSafe(f));
    DEPTH.with(|d| d.set(d.get() - 1));
    result.map_err(|payload| {
        panic_message(payload.as_ref()).unwrap_or_else(|| "未知错误".to_string())
    })
}

/// The text a panic was raised with (`panic!("…")` gives a `&str` or a `String`), for the
/// library's own catch and for a front end's panic hook.
pub fn panic_message(payload: &(dyn Any + Send)) -> Option<String> {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
}

/// For tests of the binary only (debug builds): with the environment variable
/// `NIANBAO_TEST_PANIC` set to `stage:text`, a file whose name contains `text` panics at `stage`
/// (`check`: after reading; `reduce`: in a roll-up's reduction), as a bug would.
#[cfg(debug_assertions)]
pub(crate) fn test_panic(stage: &str, display: &str) {
    if let Some(v) = std::env::var_os("NIANBAO_TEST_PANIC") {
        let v = v.to_string_lossy();
        if let Some((s, needle)) = v.split_once(':') {
            if s == stage && !needle.is_empty() && display.contains(needle) {
                panic!("NIANBAO_TEST_PANIC {stage}: {display}");
            }
        }
    }
}

/// Release builds: no test hook.
#[cfg(not(debug_assertions))]
pub(crate) fn test_panic(_stage: &str, _display: &str) {}
