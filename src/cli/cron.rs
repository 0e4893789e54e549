//! Placeholder: replaced by its owner.
use super::Ctx;

#[derive(clap::Args, Debug)]
pub struct Cmd {}

impl Cmd {
    pub fn run(self, _ctx: &Ctx) -> anyhow::Result<()> {
        anyhow::bail!("not built yet")
    }
}
