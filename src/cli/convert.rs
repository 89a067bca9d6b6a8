//! `nianbao convert`

/// (not yet implemented)
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<i32> {
    anyhow::bail!("nianbao convert: 尚未实现")
}
