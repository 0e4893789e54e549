//! Lengths as city inventories and OpenStreetMap write them: a number with an optional unit
//! suffix (`1.2 m`, `120 cm`, `6.28 inches`, `20 ft`, `5'6"`), converted to metres.
//!
//! # Units
//!
//! | suffix | unit | metres |
//! |---|---|---|
//! | `mm`, `millimetre(s)`, `millimeter(s)` | millimetre | 0.001 |
//! | `cm`, `centimetre(s)`, `centimeter(s)` | centimetre | 0.01 |
//! | `m`, `metre(s)`, `meter(s)` | metre | 1 |
//! | `in`, `inch`, `inches`, `"`, `″` | inch | 0.0254 (exact, international inch) |
//! | `ft`, `foot`, `feet`, `'`, `′` | foot | 0.3048 (exact, international foot) |
//!
//! A number without a suffix is in the default unit of the field (metres for the OSM keys
//! `height`, `circumference`, `diameter_crown`; the unit in the column name for CSV). A trunk
//! circumference C gives DBH = C / π.

use std::fmt;

/// A length unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LengthUnit {
    Millimetre,
    Centimetre,
    Metre,
    Inch,
    Foot,
}

impl LengthUnit {
    /// How many metres one unit is.
    pub fn metres(self) -> f64 {
        match self {
            LengthUnit::Millimetre => 0.001,
            LengthUnit::Centimetre => 0.01,
            LengthUnit::Metre => 1.0,
            LengthUnit::Inch => 0.0254,
            LengthUnit::Foot => 0.3048,
        }
    }

    /// The short symbol (`cm`, `in`, ...).
    pub fn symbol(self) -> &'static str {
        match self {
            LengthUnit::Millimetre => "mm",
            LengthUnit::Centimetre => "cm",
            LengthUnit::Metre => "m",
            LengthUnit::Inch => "in",
            LengthUnit::Foot => "ft",
        }
    }

    /// Reads a unit suffix (case-insensitive; a trailing `.` as in `in.` is ignored).
    pub fn from_suffix(s: &str) -> Option<LengthUnit> {
        let s = s.trim();
        let s = s.strip_suffix('.').unwrap_or(s);
        Some(match s.to_ascii_lowercase().as_str() {
            "mm" | "millimetre" | "millimetres" | "millimeter" | "millimeters" => {
                LengthUnit::Millimetre
            }
            "cm" | "centimetre" | "centimetres" | "centimeter" | "centimeters" => {
                LengthUnit::Centimetre
            }
            "m" | "metre" | "metres" | "meter" | "meters" => LengthUnit::Metre,
            "in" | "inch" | "inches" | "\"" | "″" | "''" => LengthUnit::Inch,
            "ft" | "foot" | "feet" | "'" | "′" => LengthUnit::Foot,
            _ => return None,
        })
    }
}

/// A value that is not a length.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LengthError {
    #[error("'{text}' is not a number")]
    NotANumber { text: String },
    #[error("'{text}': unknown unit '{unit}' (use mm, cm, m, in or ft)")]
    UnknownUnit { text: String, unit: String },
    #[error("'{text}' is negative; a length cannot be")]
    Negative { text: String },
}

/// Reads a plain number: `12`, `12.5`, `-3`, and `12,5` when `decimal_comma`. Refuses `inf`,
/// `NaN` and empty text.
pub fn parse_number(text: &str, decimal_comma: bool) -> Option<f64> {
    let t = text.trim();
    let v = match t.parse::<f64>() {
        Ok(v) => v,
        Err(_) if decimal_comma && t.matches(',').count() == 1 && !t.contains('.') => {
            t.replacen(',', ".", 1).parse::<f64>().ok()?
        }
        Err(_) => return None,
    };
    // `f64::from_str` also reads "inf" and "nan"; no inventory means those.
    v.is_finite().then_some(v)
}

/// Reads a length with an optional unit suffix, in metres. `default` is the unit of a bare
/// number. Zero is returned as zero: whether it means "unknown" is the caller's rule.
pub fn parse_length(
    text: &str,
    default: LengthUnit,
    decimal_comma: bool,
) -> Result<f64, LengthError> {
    let t = text.trim();
    let metres = match parse_number(t, decimal_comma) {
        Some(v) => v * default.metres(),
        None => with_suffix(t, decimal_comma)?,
    };
    if metres < 0.0 {
        return Err(LengthError::Negative {
            text: t.to_string(),
        });
    }
    Ok(metres)
}

fn with_suffix(t: &str, decimal_comma: bool) -> Result<f64, LengthError> {
    let not_a_number = || LengthError::NotANumber {
        text: t.to_string(),
    };
    let split = t
        .char_indices()
        .find(|(i, c)| {
            !(c.is_ascii_digit()
                || *c == '.'
                || (decimal_comma && *c == ',')
                || (*i == 0 && (*c == '-' || *c == '+')))
        })
        .map(|(i, _)| i)
        .ok_or_else(not_a_number)?;
    let value = parse_number(&t[..split], decimal_comma).ok_or_else(not_a_number)?;
    let rest = t[split..].trim_start();
    if let Some(unit) = LengthUnit::from_suffix(rest) {
        return Ok(value * unit.metres());
    }
    // Feet and inches: 5'6" or 5' 6".
    let inches = rest
        .strip_prefix(['\'', '′'])
        .map(str::trim)
        .and_then(|r| r.strip_suffix(['"', '″']).or_else(|| r.strip_suffix("in")))
        .and_then(|i| parse_number(i, decimal_comma))
        .ok_or_else(|| unknown(t, rest))?;
    Ok(value * LengthUnit::Foot.metres() + inches * LengthUnit::Inch.metres())
}

fn unknown(text: &str, unit: &str) -> LengthError {
    LengthError::UnknownUnit {
        text: text.to_string(),
        unit: unit.to_string(),
    }
}

impl fmt::Display for LengthUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

/// Rounds a converted size to 4 decimals (0.1 mm in metres, 1 µm in cm): far below what a tape
/// measures, and enough to drop the binary noise of unit factors (24 in is 60.96 cm, not
/// 60.959999999999994).
pub fn tidy(v: f64) -> f64 {
    (v * 1e4).round() / 1e4
}

/// Trunk circumference (metres) to diameter at breast height (cm): DBH = C / π.
pub fn circumference_to_dbh_cm(circumference_m: f64) -> f64 {
    circumference_m * 100.0 / std::f64::consts::PI
}

#[cfg(test)]
mod tests {
    use super::*;
    use LengthUnit::*;

    /// The girth OSM mappers wrote for young street trees ("6.28 inches"): data, not τ.
    #[allow(clippy::approx_constant)]
    const GIRTH_IN: f64 = 6.28;

    fn m(text: &str, default: LengthUnit) -> f64 {
        parse_length(text, default, false).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn bare_numbers_take_the_default_unit() {
        assert!(close(m("1.2", Metre), 1.2));
        assert!(close(m(" 120 ", Centimetre), 1.2));
        assert!(close(m("10", Inch), 0.254));
        assert!(close(m("0", Metre), 0.0));
    }

    #[test]
    fn suffixes_are_read_with_or_without_a_space() {
        let cases = [
            ("1.2 m", 1.2),
            ("1.2m", 1.2),
            ("120 cm", 1.2),
            ("1200 mm", 1.2),
            ("6.28 inches", GIRTH_IN * 0.0254),
            ("6.28 in", GIRTH_IN * 0.0254),
            ("6.28 in.", GIRTH_IN * 0.0254),
            ("10\"", 0.254),
            ("10''", 0.254),
            ("20 ft", 6.096),
            ("20 feet", 6.096),
            ("20'", 6.096),
            ("1 foot", 0.3048),
            ("3 Metres", 3.0),
            ("5'6\"", 5.0 * 0.3048 + 6.0 * 0.0254),
            ("5' 6\"", 5.0 * 0.3048 + 6.0 * 0.0254),
        ];
        for (text, expect) in cases {
            // The default unit must not matter when a suffix is given.
            for default in [Metre, Centimetre, Inch] {
                assert!(
                    close(m(text, default), expect),
                    "{text}: {}",
                    m(text, default)
                );
            }
        }
    }

    #[test]
    fn decimal_comma_only_when_asked() {
        assert!(close(
            parse_length("12,5", Centimetre, true).unwrap(),
            0.125
        ));
        assert!(close(parse_length("1,2 m", Centimetre, true).unwrap(), 1.2));
        assert!(parse_length("12,5", Centimetre, false).is_err());
        assert_eq!(parse_number("1,234.5", true), None);
    }

    #[test]
    fn unreadable_values_are_refused_with_the_value() {
        let e = |t: &str| parse_length(t, Metre, false).unwrap_err().to_string();
        assert_eq!(e("abc"), "'abc' is not a number");
        assert_eq!(e(""), "'' is not a number");
        assert_eq!(e("inf"), "'inf' is not a number");
        assert_eq!(e("NaN"), "'NaN' is not a number");
        assert_eq!(e("about 3 m"), "'about 3 m' is not a number");
        assert_eq!(
            e("1.2 parsecs"),
            "'1.2 parsecs': unknown unit 'parsecs' (use mm, cm, m, in or ft)"
        );
        assert_eq!(
            e("5'6"),
            "'5'6': unknown unit ''6' (use mm, cm, m, in or ft)"
        );
        assert_eq!(e("-3"), "'-3' is negative; a length cannot be");
        assert_eq!(e("-3 cm"), "'-3 cm' is negative; a length cannot be");
    }

    #[test]
    fn circumference_gives_dbh() {
        // A 1 m girth is a 31.83 cm trunk.
        assert!((circumference_to_dbh_cm(1.0) - 31.830_988_618_379_067).abs() < 1e-12);
        // OSM "6.28 inches": 15.9512 cm around, 5.0774 cm across.
        let dbh = circumference_to_dbh_cm(m("6.28 inches", Metre));
        assert!((dbh - GIRTH_IN * 2.54 / std::f64::consts::PI).abs() < 1e-9);
    }
}
