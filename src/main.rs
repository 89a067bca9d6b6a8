use clap::Parser;

fn main() {
    let cli = nianbao_cli::Cli::parse();
    let code = match nianbao_cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("错误：{e:#}");
            nianbao_cli::exit::UNREADABLE
        }
    };
    std::process::exit(code);
}

#[path = "cli/mod.rs"]
mod nianbao_cli;
