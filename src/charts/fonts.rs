//! Fonts for the charts: DejaVu Sans embedded in the binary for Latin text (so charts render on
//! a machine with no fonts installed), and a CJK font found at run time for Chinese labels.
//!
//! The CJK font comes from `--font PATH`, else `GREENWARD_FONT`, else the standard font folders
//! (`/usr/share/fonts/truetype/wqy/wqy-microhei.ttc`, Noto CJK, Source Han, Droid Sans Fallback,
//! …). A font is taken only if it has glyphs for a probe of common Chinese characters. Fonts are
//! registered with plotters' `ab_glyph` registry under their family name, which is also what an
//! SVG's `font-family` attribute names. [`missing_glyphs`] checks text against a font, so no
//! label is drawn with boxes for missing glyphs.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use plotters::style::FontStyle;

/// A font loaded and registered with plotters.
#[derive(Debug)]
pub struct LoadedFont {
    /// Family name registered with plotters (and written into SVG `font-family`).
    pub family: &'static str,
    /// The font file's bytes (face 0 of a collection is used).
    pub bytes: &'static [u8],
    /// Where it came from: a path, or "embedded".
    pub source: String,
}

impl LoadedFont {
    /// Characters of `text` this font has no glyph for (whitespace and controls excepted).
    pub fn missing(&self, text: &str) -> Vec<char> {
        missing_glyphs(self.bytes, text)
    }
}

/// Characters of `text` that the font (face 0 of `bytes`) has no glyph for; whitespace and
/// control characters are not checked. An unreadable font misses everything.
pub fn missing_glyphs(bytes: &[u8], text: &str) -> Vec<char> {
    let face = ttf_parser::Face::parse(bytes, 0).ok();
    let mut out: Vec<char> = Vec::new();
    for c in text.chars() {
        if c.is_whitespace() || c.is_control() {
            continue;
        }
        let has = face
            .as_ref()
            .and_then(|f| f.glyph_index(c))
            .is_some_and(|g| g.0 != 0);
        if !has && !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

/// Characters every CJK candidate must have (words of the chart titles).
pub const CJK_PROBE: &str = "养护覆盖率逾期任务周区图例水降雨积温虫";

/// The embedded DejaVu Sans (regular and bold), registered once.
pub fn latin() -> &'static LoadedFont {
    static LATIN: OnceLock<LoadedFont> = OnceLock::new();
    LATIN.get_or_init(|| {
        let family = "DejaVu Sans";
        // Both are valid TrueType files shipped inside the `dejavu` crate.
        let _ = plotters::style::register_font(family, FontStyle::Normal, dejavu::sans::regular());
        let _ = plotters::style::register_font(family, FontStyle::Bold, dejavu::sans::bold());
        LoadedFont {
            family,
            bytes: dejavu::sans::regular(),
            source: "embedded DejaVu Sans 2.37".into(),
        }
    })
}

/// Standard places of CJK fonts, tried in order before a folder scan.
pub const CJK_CANDIDATES: &[&str] = &[
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/wenquanyi/wqy-microhei/wqy-microhei.ttc",
    "/usr/share/fonts/adobe-source-han-sans/SourceHanSansCN-Regular.otf",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/STHeiti Medium.ttc",
    "C:\\Windows\\Fonts\\msyh.ttc",
    "C:\\Windows\\Fonts\\simhei.ttf",
];

/// Folders scanned (a few levels deep) for font files whose names suggest CJK coverage.
const FONT_DIRS: &[&str] = &[
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    "/Library/Fonts",
];

const CJK_NAME_HINTS: &[&str] = &[
    "cjk",
    "wqy",
    "sourcehan",
    "droidsansfallback",
    "uming",
    "ukai",
    "simhei",
    "simsun",
    "msyh",
    "notosanssc",
    "notoserifsc",
    "pingfang",
    "heiti",
];

/// Where the CJK font was looked for and why none was taken.
#[derive(Debug, Clone, PartialEq)]
pub struct NoCjkFont {
    pub reason: String,
}

fn family_name(bytes: &[u8]) -> Option<String> {
    let face = ttf_parser::Face::parse(bytes, 0).ok()?;
    let names = face.names();
    let mut best: Option<String> = None;
    for n in names {
        if n.name_id != ttf_parser::name_id::FAMILY {
            continue;
        }
        if let Some(s) = n.to_string() {
            // Prefer an ASCII (English) family name for SVG viewers.
            if s.is_ascii() {
                return Some(s);
            }
            best.get_or_insert(s);
        }
    }
    best
}

/// Loads and registers a font file; `None` if unreadable, not a font, or lacking `probe`.
fn load(path: &Path, probe: &str) -> Result<&'static LoadedFont, String> {
    static LOADED: OnceLock<Mutex<HashMap<PathBuf, &'static LoadedFont>>> = OnceLock::new();
    let cache = LOADED.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(f) = cache.lock().ok().and_then(|m| m.get(path).copied()) {
        return (f.missing(probe).is_empty())
            .then_some(f)
            .ok_or_else(|| format!("{} has no glyphs for Chinese text", path.display()));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if ttf_parser::Face::parse(&bytes, 0).is_err() {
        return Err(format!(
            "{} is not a TrueType/OpenType font",
            path.display()
        ));
    }
    let missing = missing_glyphs(&bytes, probe);
    if !missing.is_empty() {
        return Err(format!(
            "{} has no glyphs for Chinese text (missing {})",
            path.display(),
            missing.iter().take(5).collect::<String>()
        ));
    }
    let name = family_name(&bytes).unwrap_or_else(|| {
        path.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "CJK".into())
    });
    let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
    let family: &'static str = Box::leak(name.into_boxed_str());
    plotters::style::register_font(family, FontStyle::Normal, bytes)
        .map_err(|_| format!("{} could not be loaded", path.display()))?;
    let f: &'static LoadedFont = Box::leak(Box::new(LoadedFont {
        family,
        bytes,
        source: path.display().to_string(),
    }));
    if let Ok(mut m) = cache.lock() {
        m.insert(path.to_path_buf(), f);
    }
    Ok(f)
}

fn scan(dir: &Path, depth: u32, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            if depth > 0 {
                scan(&p, depth - 1, out);
            }
            continue;
        }
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        let is_font = [".ttf", ".ttc", ".otf", ".otc"]
            .iter()
            .any(|e| name.ends_with(e));
        let compact = name.replace(['-', '_', ' '], "");
        if is_font && CJK_NAME_HINTS.iter().any(|h| compact.contains(h)) {
            out.push(p);
        }
    }
}

/// Finds a CJK font: `explicit` (from `--font` or `GREENWARD_FONT`) only, if given; else the
/// standard candidates, then a scan of the font folders.
pub fn find_cjk(explicit: Option<&Path>) -> Result<&'static LoadedFont, NoCjkFont> {
    if let Some(p) = explicit {
        return load(p, CJK_PROBE).map_err(|reason| NoCjkFont { reason });
    }
    for c in CJK_CANDIDATES {
        let p = Path::new(c);
        if let Some(f) = p.is_file().then(|| load(p, CJK_PROBE).ok()).flatten() {
            return Ok(f);
        }
    }
    let mut found = Vec::new();
    let mut dirs: Vec<PathBuf> = FONT_DIRS.iter().map(PathBuf::from).collect();
    if let Some(home) = std::env::var_os("HOME") {
        dirs.push(Path::new(&home).join(".local/share/fonts"));
        dirs.push(Path::new(&home).join(".fonts"));
    }
    for d in &dirs {
        scan(d, 4, &mut found);
    }
    for p in found {
        if let Ok(f) = load(&p, CJK_PROBE) {
            return Ok(f);
        }
    }
    Err(NoCjkFont {
        reason: format!(
            "no font with Chinese glyphs in the standard places ({} and the folders {})",
            CJK_CANDIDATES[0],
            dirs.iter()
                .map(|d| d.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_latin_font_covers_the_english_labels_but_not_chinese() {
        let f = latin();
        assert!(
            f.missing("Coverage by week – 95 % target, °C-days ×")
                .is_empty()
        );
        assert_eq!(f.missing("覆盖率"), vec!['覆', '盖', '率']);
        assert_eq!(missing_glyphs(b"not a font", "a"), vec!['a']);
    }

    #[test]
    fn a_latin_font_is_refused_as_the_cjk_font() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("DejaVuSans.ttf");
        std::fs::write(&p, dejavu::sans::regular()).unwrap();
        let e = find_cjk(Some(&p)).unwrap_err();
        assert!(e.reason.contains("no glyphs for Chinese"), "{e:?}");
        let e = find_cjk(Some(&dir.path().join("none.ttf"))).unwrap_err();
        assert!(e.reason.contains("cannot read"), "{e:?}");
    }
}
