//! `nianbao check`

/// (not yet implemented)
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<i32> {
    anyhow::bail!("nianbao check: 尚未实现")
}
