use clap::Parser;

fn main() {
    let cli = nianbao_cli::Cli::parse();
    let code = match nianbao_cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            // A closed pipe (`nianbao check … | head`) is not an error worth a message.
            let broken_pipe = e
                .downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe);
            if !broken_pipe {
                eprintln!("错误：{e:#}");
            }
            nianbao_cli::exit::UNREADABLE
        }
    };
    std::process::exit(code);
}

#[path = "cli/mod.rs"]
mod nianbao_cli;
