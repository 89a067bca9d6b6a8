use clap::Parser;

/// mimalloc: with glibc's allocator the per-thread arenas keep what the parallel readers freed
/// around the long-lived per-file records, and a roll-up's peak memory grows with the number of
/// workbooks; with mimalloc it stays nearly flat. `scripts/allocator_memory.sh` measures both
/// (README "性能": 16 / 38 MiB for 2,000 files, 182 / 50 MiB for 20,000, glibc / mimalloc).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let cli = cli::Cli::parse();
    let code = match cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            // A closed pipe (`nianbao check … | head`) is not an error worth a message.
            let broken_pipe = e
                .downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe);
            if !broken_pipe {
                eprintln!("错误：{e:#}");
            }
            cli::exit::UNREADABLE
        }
    };
    std::process::exit(code);
}

mod cli;
