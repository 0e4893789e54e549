//! Charts end to end on the Barkhor demo week with some work done (on time, late, with water,
//! scouting): every kind as PNG (decodes, requested size, not blank) and SVG (parses, holds its
//! title as text); Chinese labels with a CJK font, or the English fallback with its warning.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const KINDS: [(&str, &str, &str); 7] = [
    (
        "coverage-week",
        "Maintenance coverage by week",
        "每周养护覆盖率",
    ),
    (
        "coverage-zone",
        "Maintenance coverage by zone",
        "各片区养护覆盖率",
    ),
    (
        "overdue",
        "Overdue tasks by zone and age",
        "各片区逾期任务（按逾期天数）",
    ),
    ("workload", "Crew workload by week", "各班组每周工作量"),
    (
        "water",
        "Water given by week, with rain and ET0",
        "每周浇水量与降雨、参考蒸散量",
    ),
    (
        "degree-days",
        "Degree-days (base 10 °C) from 1 Jan 2027, with pest windows",
        "2027 年 1 月 1 日起积温（基点 10 °C）与虫害窗口",
    ),
    ("map", "Map of maintenance coverage", "养护覆盖率地图"),
];

mod common;

/// Runs on the demo week's Thursday and asserts success; returns stdout and stderr.
fn ok(db: &Path, args: &[&str]) -> (String, String) {
    common::ok_both_on(db, "2027-05-13", args)
}

/// `greenward chart KIND` over the demo week (10–16 May 2027) into `dir`, with `extra` options.
fn chart_week(db: &Path, kind: &str, dir: &Path, extra: &[&str]) -> (String, String) {
    let dir = dir.to_str().expect("a UTF-8 path");
    let mut args = vec![
        "chart",
        kind,
        "--from",
        "2027-05-10",
        "--to",
        "2027-05-16",
        "--out",
        dir,
    ];
    args.extend_from_slice(extra);
    ok(db, &args)
}

/// A demo database with part of the week's work recorded.
fn build_demo(db: &Path) {
    ok(db, &["demo"]);
    for (zone, day, at, litres) in [
        (
            "jokhang-square",
            "2027-05-10",
            "2027-05-10T09:00:00+08:00",
            "10",
        ),
        (
            "jokhang-square",
            "2027-05-11",
            "2027-05-11T09:00:00+08:00",
            "9",
        ),
        (
            "potala-square",
            "2027-05-10",
            "2027-05-10T09:30:00+08:00",
            "10",
        ),
        (
            "potala-square",
            "2027-05-11",
            "2027-05-13T09:30:00+08:00",
            "12",
        ),
        (
            "barkhor-street",
            "2027-05-11",
            "2027-05-11T10:00:00+08:00",
            "20",
        ),
    ] {
        ok(
            db,
            &[
                "tasks",
                "done",
                "--zone",
                zone,
                "--date",
                day,
                "--at",
                at,
                "--water-l",
                litres,
            ],
        );
    }
}

/// The shared demo database (built once per test run, under Cargo's test scratch folder).
fn demo() -> &'static Path {
    static DB: OnceLock<PathBuf> = OnceLock::new();
    DB.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("charts_render");
        std::fs::create_dir_all(&dir).unwrap();
        let db = dir.join("demo.db");
        build_demo(&db);
        db
    })
}

fn out_dir(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("charts_render")
        .join(name);
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// Decodes a PNG: (width, height, share of "ink" pixels (a channel below 200: not the white
/// background nor the light grid), pixels).
fn png_stats(path: &Path) -> (u32, u32, f64, Vec<u8>) {
    let decoder = png::Decoder::new(std::fs::File::open(path).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let px = info.color_type.samples();
    let data = &buf[..info.buffer_size()];
    let total = (info.width * info.height) as usize;
    let ink = data
        .chunks(px)
        .filter(|p| p.iter().take(3).any(|&c| c < 200))
        .count();
    (
        info.width,
        info.height,
        ink as f64 / total as f64,
        data.to_vec(),
    )
}

/// The texts of an SVG's `<text>` elements, trimmed.
fn svg_texts(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let doc = roxmltree::Document::parse(&text)
        .unwrap_or_else(|e| panic!("{} does not parse: {e}", path.display()));
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or("").trim().to_string())
        .collect()
}

#[test]
fn every_chart_as_png_decodes_at_the_requested_size_and_is_not_blank() {
    let db = demo();
    let dir = out_dir("png");
    let (so, se) = chart_week(db, "all", &dir, &["--width", "900", "--height", "560"]);
    assert!(se.is_empty(), "{se}");
    assert!(so.starts_with("font: DejaVu Sans (embedded"), "{so}");
    for (kind, _, _) in KINDS {
        let path = dir.join(format!("{kind}.png"));
        let line = so
            .lines()
            .find(|l| l.starts_with(&format!("wrote {}", path.display())))
            .unwrap_or_else(|| panic!("{kind} not written:\n{so}"));
        let ms: u64 = line
            .rsplit(", ")
            .next()
            .unwrap()
            .trim_end_matches(" ms)")
            .parse()
            .unwrap();
        let (w, h, ink, _) = png_stats(&path);
        println!("{kind}: {w}×{h}, {:.1} % ink, {ms} ms", ink * 100.0);
        assert_eq!((w, h), (900, 560), "{kind}");
        assert!(
            ink > 0.01,
            "{kind} is nearly blank: {:.2} % ink",
            ink * 100.0
        );
        assert!(ms < 3000, "{kind} took {ms} ms");
    }
    // The map coloured by days overdue, at another size.
    let (so, _) = chart_week(
        db,
        "map",
        &dir,
        &["--color-by", "overdue", "--width", "640", "--height", "640"],
    );
    assert!(so.contains("map.png (640×640 px"), "{so}");
    let (w, h, ink, _) = png_stats(&dir.join("map.png"));
    assert_eq!((w, h), (640, 640));
    assert!(ink > 0.01);
}

#[test]
fn every_chart_as_svg_parses_and_holds_its_title_as_text() {
    let db = demo();
    let dir = out_dir("svg");
    chart_week(db, "all", &dir, &["--format", "svg"]);
    for (kind, title, _) in KINDS {
        let texts = svg_texts(&dir.join(format!("{kind}.svg")));
        assert!(
            texts.iter().any(|t| t == title),
            "{kind}: no title {title:?} in {texts:?}"
        );
        assert!(
            texts
                .iter()
                .any(|t| t == "2027-05-10 – 2027-05-16" || t.contains("2027-05-10 – 2027-05-16")),
            "{kind}: no date range in {texts:?}"
        );
    }
    // Axes name their units.
    let week = svg_texts(&dir.join("coverage-week.svg"));
    assert!(week.contains(&"coverage (%)".to_string()), "{week:?}");
    let water = svg_texts(&dir.join("water.svg"));
    assert!(water.contains(&"water given (L)".to_string()), "{water:?}");
    assert!(
        water.contains(&"rain, ET0 (mm/week)".to_string()),
        "{water:?}"
    );
    let map = svg_texts(&dir.join("map.svg"));
    assert!(
        map.iter().any(|t| t.starts_with("metres east of")),
        "{map:?}"
    );
    assert!(map.iter().any(|t| t == "N"), "north arrow: {map:?}");
    assert!(
        map.iter().any(|t| t.ends_with(" m") || t.ends_with(" km")),
        "scale bar: {map:?}"
    );
}

/// Every character of `text` has a glyph in the font file (face 0), checked with ttf-parser.
fn all_glyphs(font: &[u8], text: &str) -> Result<(), Vec<char>> {
    let face = ttf_parser::Face::parse(font, 0).expect("a font");
    let missing: Vec<char> = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .filter(|&c| face.glyph_index(c).is_none_or(|g| g.0 == 0))
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(missing)
    }
}

#[test]
fn chinese_labels_use_the_cjk_font_found_or_fall_back_to_english() {
    let db = demo();
    let dir_zh = out_dir("zh");
    let dir_en = out_dir("en");
    let args = |dir: &Path, lang: &str, format: &str| -> (String, String) {
        chart_week(db, "all", dir, &["--lang", lang, "--format", format])
    };
    args(&dir_en, "en", "png");
    let (so, se) = args(&dir_zh, "zh", "png");
    args(&dir_zh, "zh", "svg");
    match greenward::charts::fonts::find_cjk(None) {
        Ok(font) => {
            println!(
                "FONT BRANCH: CJK font present on this machine: {} ({})",
                font.family, font.source
            );
            assert!(se.is_empty(), "no warning expected: {se}");
            assert!(
                so.starts_with(&format!("font: {} ({})", font.family, font.source)),
                "{so}"
            );
            let bytes = std::fs::read(&font.source).unwrap();
            for (kind, _, title_zh) in KINDS {
                let texts = svg_texts(&dir_zh.join(format!("{kind}.svg")));
                assert!(
                    texts.iter().any(|t| t == title_zh),
                    "{kind}: no Chinese title {title_zh:?} in {texts:?}"
                );
                // Every character of every label has a glyph in the chosen font.
                for t in &texts {
                    assert_eq!(all_glyphs(&bytes, t), Ok(()), "{kind}: {t:?}");
                }
                let (_, _, ink_zh, px_zh) = png_stats(&dir_zh.join(format!("{kind}.png")));
                let (_, _, _, px_en) = png_stats(&dir_en.join(format!("{kind}.png")));
                assert!(ink_zh > 0.01, "{kind} zh is blank");
                assert_ne!(px_zh, px_en, "{kind}: the zh PNG equals the en PNG");
            }
        }
        Err(why) => {
            println!(
                "FONT BRANCH: no CJK font on this machine ({}): checking the English fallback",
                why.reason
            );
            assert!(se.contains("no CJK font for Chinese labels"), "{se}");
            assert!(se.contains("drawing English labels instead"), "{se}");
            assert!(so.starts_with("font: DejaVu Sans (embedded"), "{so}");
            for (kind, title_en, _) in KINDS {
                let texts = svg_texts(&dir_zh.join(format!("{kind}.svg")));
                assert!(texts.iter().any(|t| t == title_en), "{kind}: {texts:?}");
                let (_, _, _, px_zh) = png_stats(&dir_zh.join(format!("{kind}.png")));
                let (_, _, _, px_en) = png_stats(&dir_en.join(format!("{kind}.png")));
                assert_eq!(px_zh, px_en, "{kind}: the fallback draws the English chart");
            }
        }
    }
}

#[test]
fn a_font_without_chinese_glyphs_falls_back_to_english_with_a_warning() {
    let db = demo();
    let dir = out_dir("latin-font");
    std::fs::create_dir_all(&dir).unwrap();
    let latin = dir.join("DejaVuSans.ttf");
    std::fs::write(&latin, dejavu::sans::regular()).unwrap();
    let (so, se) = chart_week(
        db,
        "coverage-zone",
        &dir,
        &[
            "--lang",
            "zh",
            "--format",
            "svg",
            "--font",
            latin.to_str().unwrap(),
        ],
    );
    assert!(se.contains("no CJK font for Chinese labels"), "{se}");
    assert!(se.contains("has no glyphs for Chinese text"), "{se}");
    assert!(so.contains("wrote") && so.contains(", en, "), "{so}");
    let texts = svg_texts(&dir.join("coverage-zone.svg"));
    assert!(
        texts.contains(&"Maintenance coverage by zone".to_string()),
        "{texts:?}"
    );
    // Every label is drawable in the embedded Latin font.
    for t in &texts {
        assert_eq!(all_glyphs(dejavu::sans::regular(), t), Ok(()), "{t:?}");
    }
}

#[test]
fn the_water_chart_uses_observed_weather_once_the_table_exists() {
    let dir = out_dir("weather");
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("demo.db");
    build_demo(&db);
    chart_week(&db, "water", &dir, &["--format", "svg"]);
    let texts = svg_texts(&dir.join("water.svg"));
    assert!(
        texts
            .iter()
            .any(|t| t.contains("climate normals") && t.contains("no observed days")),
        "{texts:?}"
    );
    // Three observed days and one forecast.
    let csv = dir.join("weather.csv");
    std::fs::write(
        &csv,
        "date,tmin_c,tmax_c,rain_mm,forecast\n2027-05-10,6.0,20.0,12.0,no\n2027-05-11,7.0,21.0,0.0,no\n2027-05-12,7.5,22.0,3.0,no\n2027-05-13,8.0,22.0,9.0,yes\n",
    )
    .unwrap();
    ok(&db, &["weather", "import", csv.to_str().unwrap()]);
    chart_week(&db, "water", &dir, &["--format", "svg"]);
    let texts = svg_texts(&dir.join("water.svg"));
    assert!(
        texts.iter().any(|t| t.contains("observed 3 of 7 days")),
        "{texts:?}"
    );
}
