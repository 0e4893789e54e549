//! `greenward chart KIND`: coverage, overdue, workload, water, degree-day and map charts as PNG
//! or SVG files.

use std::path::PathBuf;
use std::time::Instant;

use chrono::NaiveDate;

use super::Ctx;
use crate::charts::data::{Period, Pests};
use crate::charts::degree_days::parse_pests;
use crate::charts::{self, ColourBy, Format, Kind, Lang, Request, Style};

/// Draw charts of a period into a folder (one file per chart, named after its kind).
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Kinds: coverage-week, coverage-zone, overdue, workload, water, degree-days, map, all.\n\n\
Chinese labels need a CJK font: --font PATH, GREENWARD_FONT, or one in the standard font folders \
(Debian/Ubuntu: apt-get install fonts-wqy-microhei). Without one, charts get English labels and a \
warning.\n\nExamples:\n  greenward chart all --from 2027-05-10 --to 2027-05-16\n  greenward chart coverage-week --from 2027-05-01 --to 2027-06-30 --format svg --lang zh\n  greenward chart map --from 2027-05-10 --to 2027-05-16 --color-by overdue --width 1600 --height 1200"
)]
pub struct Cmd {
    /// Which chart (`all` for every kind).
    #[arg(value_enum)]
    pub kind: Kind,
    /// First day of the period.
    #[arg(long)]
    pub from: NaiveDate,
    /// Last day of the period, inclusive.
    #[arg(long)]
    pub to: NaiveDate,
    /// Folder the files go to (created if needed).
    #[arg(long, default_value = "charts")]
    pub out: PathBuf,
    #[arg(long, value_enum, default_value = "png")]
    pub format: Format,
    /// Label language.
    #[arg(long, value_enum, default_value = "en")]
    pub lang: Lang,
    /// Width in pixels.
    #[arg(long, default_value_t = 1000)]
    pub width: u32,
    /// Height in pixels.
    #[arg(long, default_value_t = 640)]
    pub height: u32,
    /// A font file with Chinese glyphs (TTF, OTF or TTC) for --lang zh.
    #[arg(long, env = "GREENWARD_FONT")]
    pub font: Option<PathBuf>,
    /// Coverage target in percent, drawn as a line.
    #[arg(long, default_value_t = 95.0)]
    pub target: f64,
    /// What the map's points are coloured by.
    #[arg(long, value_enum, default_value = "coverage")]
    pub color_by: ColourBy,
}

fn lang_name(l: Lang) -> &'static str {
    match l {
        Lang::Zh => "zh",
        Lang::En => "en",
    }
}

impl Cmd {
    pub fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        if self.to < self.from {
            anyhow::bail!("--to {} is before --from {}", self.to, self.from);
        }
        for (name, v) in [("--width", self.width), ("--height", self.height)] {
            if !(200..=8000).contains(&v) {
                anyhow::bail!("{name} must be 200 to 8000 pixels, not {v}");
            }
        }
        if !(self.target.is_finite() && (0.0..=100.0).contains(&self.target)) {
            anyhow::bail!(
                "--target must be a percentage 0 to 100, not {}",
                self.target
            );
        }
        let store = ctx.open_store()?;
        let site = ctx.site(&store)?;
        let now = super::coverage::as_of(ctx, site.tz());
        let (st, warnings) = Style::new(self.lang, self.font.as_deref(), self.width, self.height);
        for w in &warnings {
            eprintln!("greenward: warning: {w}");
        }
        let kinds = self.kind.expand();
        let pests = if kinds.contains(&Kind::DegreeDays) {
            load_pests(&site)
        } else {
            Pests::fallback("not needed", "未使用")
        };
        println!("font: {} ({})", st.font.family, st.font.source);
        let req = Request {
            period: Period {
                from: self.from,
                to: self.to,
                now,
            },
            target: self.target / 100.0,
            colour_by: self.color_by,
            out_dir: self.out.clone(),
            format: self.format,
        };
        for k in kinds {
            let t0 = Instant::now();
            let path = charts::draw(k, &store, &site, &req, &st, &pests)?;
            println!(
                "wrote {} ({}×{} px, {}, {} ms)",
                path.display(),
                self.width,
                self.height,
                lang_name(st.lang),
                t0.elapsed().as_millis()
            );
        }
        Ok(())
    }
}

/// The site's pest windows: `pests.toml` in its schedule folder, else the DOMAIN.md defaults.
fn load_pests(site: &crate::site::SiteConfig) -> Pests {
    let Some(path) = super::schedule::schedule_dir(site, None)
        .map(|d| d.join("pests.toml"))
        .filter(|p| p.is_file())
    else {
        return Pests::fallback(
            "no pests.toml in the site's schedule folder",
            "日程目录中无 pests.toml",
        );
    };
    let name = path.display().to_string();
    match std::fs::read_to_string(&path)
        .map_err(|e| format!("{name}: {e}"))
        .and_then(|t| parse_pests(&name, &t))
    {
        Ok(defs) => Pests {
            defs,
            note_en: format!("pest windows: {name}"),
            note_zh: format!("虫害窗口：{name}"),
        },
        Err(e) => {
            eprintln!("greenward: warning: {e}; using the DOMAIN.md §3 pest windows");
            Pests::fallback("pests.toml unreadable", "pests.toml 无法读取")
        }
    }
}
