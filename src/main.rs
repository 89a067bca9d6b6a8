/// mimalloc: with glibc's allocator the per-thread arenas keep what the parallel readers freed
/// around the long-lived per-file records, and a roll-up's peak memory grows with the number of
/// workbooks; with mimalloc it stays nearly flat. `scripts/allocator_memory.sh` measures both
/// (README "性能": 16 / 38 MiB for 2,000 files, 182 / 50 MiB for 20,000, glibc / mimalloc).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // A panic in one file's work is caught by the library and reported as that file's error
    // (`nianbao::guard`): print nothing then. Any other panic is a bug: one Chinese line
    // instead of Rust's default text (the exit code stays 101).
    std::panic::set_hook(Box::new(|info| {
        if nianbao::guard::is_guarded() {
            return;
        }
        let what = nianbao::guard::panic_message(info.payload()).unwrap_or_default();
        let at = info
            .location()
            .map(|l| format!("（{}:{}）", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "内部错误：{}{at}。这是 nianbao 的缺陷，请把命令和输入文件报告给维护者。",
            cli::output::terminal_safe(&what)
        );
    }));
    let cli = cli::help::parse_or_exit(std::env::args_os());
    let code = match cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            // A closed pipe (`nianbao check … | head`) is not an error worth a message.
            let broken_pipe = e
                .downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe);
            if !broken_pipe {
                eprintln!("错误：{}", cli::output::terminal_safe(&message(&e)));
            }
            cli::exit::UNREADABLE
        }
    };
    std::process::exit(code);
}

/// An error and its causes on one line. The library's errors already say their cause in Chinese
/// (an operating-system error through `nianbao::error::os_reason`), so a cause that is an
/// `io::Error` below another message, or whose text the line already holds, is not repeated.
fn message(e: &anyhow::Error) -> String {
    let mut line = e.to_string();
    for cause in e.chain().skip(1) {
        let text = cause.to_string();
        if cause.is::<std::io::Error>() || line.contains(&text) {
            continue;
        }
        line.push('：');
        line.push_str(&text);
    }
    line
}

mod cli;
mod serve;
