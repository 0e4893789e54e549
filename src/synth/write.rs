//! Hand-written GeoJSON output: a fixed property order and fixed number formatting, so generated
//! files are byte-for-byte reproducible and a million features stream out without building a
//! `serde_json::Value` each.
//!
//! Numbers are rounded with `f64::round` (exact) and printed as integers, never through a
//! platform-dependent routine. Coordinates carry 7 decimals (about 1 cm).

use std::fmt;
use std::io::{self, Write};

/// Decimals of a coordinate (7 ≈ 1 cm).
pub(crate) const COORD_DECIMALS: u32 = 7;

const POW10: [u64; 10] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
    1_000_000_000,
];

/// Writes `v` rounded half away from zero to `decimals` places, e.g. `fixed(29.65, 7)` →
/// `29.6500000`. With `trim`, trailing zeros go, keeping one decimal (`0.25`, `1.0`).
pub(crate) fn write_fixed(w: &mut impl Write, v: f64, decimals: u32, trim: bool) -> io::Result<()> {
    assert!(v.is_finite(), "cannot write a non-finite number");
    let scale = POW10[decimals as usize];
    let n = (v * scale as f64).round() as i64;
    let sign = if n < 0 { "-" } else { "" };
    let a = n.unsigned_abs();
    let (int, mut frac) = (a / scale, a % scale);
    if decimals == 0 {
        return write!(w, "{sign}{int}");
    }
    let mut width = decimals as usize;
    if trim {
        while width > 1 && frac % 10 == 0 {
            frac /= 10;
            width -= 1;
        }
    }
    write!(w, "{sign}{int}.{frac:0width$}")
}

/// Writes `s` as a JSON string (quotes, backslashes and control characters escaped).
pub(crate) fn write_json_str(w: &mut impl Write, s: &str) -> io::Result<()> {
    w.write_all(b"\"")?;
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'"' || b == b'\\' || b < 0x20 {
            w.write_all(&bytes[start..i])?;
            match b {
                b'"' => w.write_all(b"\\\"")?,
                b'\\' => w.write_all(b"\\\\")?,
                b'\n' => w.write_all(b"\\n")?,
                b'\t' => w.write_all(b"\\t")?,
                _ => write!(w, "\\u{b:04x}")?,
            }
            start = i + 1;
        }
    }
    w.write_all(&bytes[start..])?;
    w.write_all(b"\"")
}

fn write_coord(w: &mut impl Write, p: [f64; 2]) -> io::Result<()> {
    w.write_all(b"[")?;
    write_fixed(w, p[0], COORD_DECIMALS, false)?;
    w.write_all(b",")?;
    write_fixed(w, p[1], COORD_DECIMALS, false)?;
    w.write_all(b"]")
}

fn write_coords(w: &mut impl Write, pts: &[[f64; 2]]) -> io::Result<()> {
    w.write_all(b"[")?;
    for (i, p) in pts.iter().enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        write_coord(w, *p)?;
    }
    w.write_all(b"]")
}

/// One GeoJSON Feature being written: properties in call order, then the geometry, on one line.
///
/// ```text
/// Feature::start(w, None)?.str("kind", "tree")?.fixed("dbh_cm", 31.2, 1)?;
/// f.point([91.13, 29.65])?;
/// ```
pub(crate) struct Feature<'a, W: Write> {
    w: &'a mut W,
    first: bool,
}

impl<'a, W: Write> Feature<'a, W> {
    /// Opens a feature, with an optional string `id`.
    pub(crate) fn start(w: &'a mut W, id: Option<&str>) -> io::Result<Self> {
        w.write_all(b"{\"type\":\"Feature\",")?;
        if let Some(id) = id {
            w.write_all(b"\"id\":")?;
            write_json_str(w, id)?;
            w.write_all(b",")?;
        }
        w.write_all(b"\"properties\":{")?;
        Ok(Feature { w, first: true })
    }

    /// Opens a feature whose string `id` is the decimal number `id`.
    pub(crate) fn start_numbered(w: &'a mut W, id: u64) -> io::Result<Self> {
        write!(
            w,
            "{{\"type\":\"Feature\",\"id\":\"{id}\",\"properties\":{{"
        )?;
        Ok(Feature { w, first: true })
    }

    fn key(&mut self, k: &str) -> io::Result<()> {
        if !self.first {
            self.w.write_all(b",")?;
        }
        self.first = false;
        write_json_str(self.w, k)?;
        self.w.write_all(b":")
    }

    /// A string property.
    pub(crate) fn str(&mut self, k: &str, v: &str) -> io::Result<&mut Self> {
        self.key(k)?;
        write_json_str(self.w, v)?;
        Ok(self)
    }

    /// A string property rendered from `args`, which must need no JSON escaping (refs, dates).
    pub(crate) fn str_args(&mut self, k: &str, args: fmt::Arguments<'_>) -> io::Result<&mut Self> {
        self.key(k)?;
        self.w.write_all(b"\"")?;
        self.w.write_fmt(args)?;
        self.w.write_all(b"\"")?;
        Ok(self)
    }

    /// An integer property.
    pub(crate) fn int(&mut self, k: &str, v: i64) -> io::Result<&mut Self> {
        self.key(k)?;
        write!(self.w, "{v}")?;
        Ok(self)
    }

    /// A number with exactly `decimals` places (`31.0`).
    pub(crate) fn fixed(&mut self, k: &str, v: f64, decimals: u32) -> io::Result<&mut Self> {
        self.key(k)?;
        write_fixed(self.w, v, decimals, false)?;
        Ok(self)
    }

    /// A number rounded to `decimals` places, trailing zeros dropped (`0.25`, `1.0`).
    pub(crate) fn trimmed(&mut self, k: &str, v: f64, decimals: u32) -> io::Result<&mut Self> {
        self.key(k)?;
        write_fixed(self.w, v, decimals, true)?;
        Ok(self)
    }

    fn geometry(self, kind: &str) -> io::Result<&'a mut W> {
        write!(
            self.w,
            "}},\"geometry\":{{\"type\":\"{kind}\",\"coordinates\":"
        )?;
        Ok(self.w)
    }

    /// Closes the feature with a Point geometry `[lon, lat]`.
    pub(crate) fn point(self, p: [f64; 2]) -> io::Result<()> {
        let w = self.geometry("Point")?;
        write_coord(w, p)?;
        w.write_all(b"}}")
    }

    /// Closes the feature with a LineString geometry.
    pub(crate) fn line(self, pts: &[[f64; 2]]) -> io::Result<()> {
        let w = self.geometry("LineString")?;
        write_coords(w, pts)?;
        w.write_all(b"}}")
    }

    /// Closes the feature with a Polygon geometry: the exterior ring first (counter-clockwise),
    /// then holes (clockwise). Each ring must already be closed.
    pub(crate) fn polygon(self, rings: &[Vec<[f64; 2]>]) -> io::Result<()> {
        let w = self.geometry("Polygon")?;
        w.write_all(b"[")?;
        for (i, r) in rings.iter().enumerate() {
            debug_assert_eq!(r.first(), r.last(), "polygon rings must be closed");
            if i > 0 {
                w.write_all(b",")?;
            }
            write_coords(w, r)?;
        }
        w.write_all(b"]}}")
    }
}

/// The unit circle at every 15°, counter-clockwise from east, as (cos, sin) literals: polygons
/// built from it need no platform trigonometry.
pub(crate) const UNIT_24: [[f64; 2]; 24] = {
    const C: [f64; 7] = [
        1.0,
        0.965_925_826_289_068_3,
        0.866_025_403_784_438_6,
        std::f64::consts::FRAC_1_SQRT_2,
        0.5,
        0.258_819_045_102_520_74,
        0.0,
    ];
    let mut t = [[0.0; 2]; 24];
    let mut i = 0;
    while i < 24 {
        // Quadrant q, step k within it (0..6): angle = 90°·q + 15°·k.
        let (q, k) = (i / 6, i % 6);
        let (c, s) = (C[k], C[6 - k]);
        t[i] = match q {
            0 => [c, s],
            1 => [-s, c],
            2 => [-c, -s],
            _ => [s, -c],
        };
        i += 1;
    }
    t
};

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(v: f64, d: u32, trim: bool) -> String {
        let mut s = Vec::new();
        write_fixed(&mut s, v, d, trim).unwrap();
        String::from_utf8(s).unwrap()
    }

    #[test]
    fn fixed_formatting() {
        assert_eq!(fixed(29.65, 7, false), "29.6500000");
        assert_eq!(fixed(-0.00000004, 7, false), "0.0000000");
        assert_eq!(fixed(-13.25, 1, false), "-13.3");
        assert_eq!(fixed(0.25, 2, true), "0.25");
        assert_eq!(fixed(1.0, 2, true), "1.0");
        assert_eq!(fixed(34.0, 0, false), "34");
    }

    #[test]
    fn strings_are_escaped() {
        let mut s = Vec::new();
        write_json_str(&mut s, "a\"b\\c\n八廓").unwrap();
        assert_eq!(String::from_utf8(s).unwrap(), r#""a\"b\\c\n八廓""#);
    }

    #[test]
    fn unit_circle_table() {
        for (i, [c, s]) in UNIT_24.iter().enumerate() {
            let a = (i as f64 * 15.0).to_radians();
            assert!(
                (c - a.cos()).abs() < 1e-15 && (s - a.sin()).abs() < 1e-15,
                "{i}"
            );
        }
    }

    #[test]
    fn feature_layout() {
        let mut out = Vec::new();
        let mut f = Feature::start(&mut out, Some("x")).unwrap();
        f.str("kind", "tree")
            .unwrap()
            .fixed("dbh_cm", 31.04, 1)
            .unwrap();
        f.point([91.1318, 29.65285]).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"type":"Feature","id":"x","properties":{"kind":"tree","dbh_cm":31.0},"geometry":{"type":"Point","coordinates":[91.1318000,29.6528500]}}"#
        );
    }
}
