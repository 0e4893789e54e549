//! The weather CSV: one row per day, observed or forecast.
//!
//! Header (names case-insensitive, any order): `date`, `tmin_c`, `tmax_c`, `rain_mm` required;
//! `rh_max_pct`, `rh_min_pct`, `wind_ms` (mean at 2 m), `sunshine_h` and `forecast`
//! (true/false/1/0/yes/no, empty = observed) optional. Empty optional cells mean "not measured".
//! Lines starting with `#` are comments.
//!
//! [`parse_weather_csv`] reads a whole file and either returns every row or refuses the file with
//! every bad row it found (`FILE: line N: column X: 'v' …`), so an import is all or nothing: the
//! caller writes the rows in one transaction only when the file is clean.

use std::collections::HashMap;
use std::fmt::Write as _;

use chrono::NaiveDate;

use super::WeatherRecord;

/// Every column the file may have.
pub const COLUMNS: [&str; 9] = [
    "date",
    "tmin_c",
    "tmax_c",
    "rain_mm",
    "rh_max_pct",
    "rh_min_pct",
    "wind_ms",
    "sunshine_h",
    "forecast",
];

/// The columns every file must have.
pub const REQUIRED: [&str; 4] = ["date", "tmin_c", "tmax_c", "rain_mm"];

/// At most this many bad rows are listed in an error; the count says how many more there were.
const SHOWN_ROWS: usize = 20;

/// One bad cell: the line (header = line 1), the column, the text found and what is wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct RowError {
    /// Line in the file.
    pub line: u64,
    /// Column name.
    pub column: String,
    /// The text found.
    pub value: String,
    /// What is wrong and what is expected.
    pub reason: String,
}

/// Why a weather file was refused. Nothing of a refused file is imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The CSV itself is malformed (unbalanced quotes, a row with too many fields).
    #[error("{file}: line {line}: malformed CSV: {source}")]
    Csv {
        /// The file.
        file: String,
        /// Line of the problem.
        line: u64,
        /// The parser's complaint.
        source: csv::Error,
    },
    /// The header names an unknown column, repeats one, or lacks a required one.
    #[error("{file}: line 1: column {column}: {reason}")]
    Header {
        /// The file.
        file: String,
        /// The column.
        column: String,
        /// What is wrong.
        reason: String,
    },
    /// The file has a header but no day.
    #[error("{file}: no data rows: nothing to import")]
    Empty {
        /// The file.
        file: String,
    },
    /// One or more rows are bad.
    #[error("{}", list_rows(.file, .rows))]
    Rows {
        /// The file.
        file: String,
        /// Every bad cell found, in file order.
        rows: Vec<RowError>,
    },
}

fn list_rows(file: &str, rows: &[RowError]) -> String {
    let mut s = String::new();
    for r in rows.iter().take(SHOWN_ROWS) {
        let _ = writeln!(
            s,
            "{file}: line {}: column {}: '{}' {}",
            r.line, r.column, r.value, r.reason
        );
    }
    if rows.len() > SHOWN_ROWS {
        let _ = writeln!(s, "… and {} more", rows.len() - SHOWN_ROWS);
    }
    let lines: std::collections::BTreeSet<u64> = rows.iter().map(|r| r.line).collect();
    let _ = write!(
        s,
        "{file}: {} bad row{}; nothing was imported: correct the file and import it again",
        lines.len(),
        if lines.len() == 1 { "" } else { "s" }
    );
    s
}

/// Reads a whole weather CSV. `file` names it in messages and becomes each row's `source`.
pub fn parse_weather_csv(
    file: &str,
    input: impl std::io::Read,
) -> Result<Vec<WeatherRecord>, ImportError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(input);
    let csv_error = |source: csv::Error| ImportError::Csv {
        file: file.to_string(),
        line: source.position().map_or(1, |p| p.line()),
        source,
    };
    let headers = reader.headers().map_err(csv_error)?.clone();
    let header_error = |column: &str, reason: String| ImportError::Header {
        file: file.to_string(),
        column: column.to_string(),
        reason,
    };
    let mut index: HashMap<&'static str, usize> = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        let Some(known) = COLUMNS.iter().find(|c| c.eq_ignore_ascii_case(h)) else {
            return Err(header_error(
                h,
                format!(
                    "'{h}' is not a known column; expected {}",
                    COLUMNS.join(", ")
                ),
            ));
        };
        if index.insert(known, i).is_some() {
            return Err(header_error(
                h,
                format!("'{h}' appears twice in the header"),
            ));
        }
    }
    if let Some(missing) = REQUIRED.iter().find(|c| !index.contains_key(*c)) {
        return Err(header_error(
            missing,
            format!("missing from the header; required: {}", REQUIRED.join(", ")),
        ));
    }

    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut seen: HashMap<NaiveDate, u64> = HashMap::new();
    for record in reader.records() {
        let record = record.map_err(csv_error)?;
        let line = record.position().map_or(0, |p| p.line());
        let mut row = RowReader {
            record: &record,
            index: &index,
            line,
            errors: &mut errors,
        };
        if let Some(r) = row.read(file, &mut seen) {
            rows.push(r);
        }
    }
    if !errors.is_empty() {
        return Err(ImportError::Rows {
            file: file.to_string(),
            rows: errors,
        });
    }
    if rows.is_empty() {
        return Err(ImportError::Empty {
            file: file.to_string(),
        });
    }
    Ok(rows)
}

/// Reads the cells of one row, noting every bad one.
struct RowReader<'a> {
    record: &'a csv::StringRecord,
    index: &'a HashMap<&'static str, usize>,
    line: u64,
    errors: &'a mut Vec<RowError>,
}

impl RowReader<'_> {
    fn cell(&self, column: &str) -> Option<&str> {
        self.index
            .get(column)
            .and_then(|&i| self.record.get(i))
            .filter(|s| !s.is_empty())
    }

    fn bad(&mut self, column: &str, value: &str, reason: impl Into<String>) {
        self.errors.push(RowError {
            line: self.line,
            column: column.to_string(),
            value: value.to_string(),
            reason: reason.into(),
        });
    }

    /// A number in `min..=max`; `None` (noted when required) if absent or bad.
    fn number(
        &mut self,
        column: &str,
        required: bool,
        min: f64,
        max: f64,
        unit: &str,
    ) -> Option<f64> {
        let Some(text) = self.cell(column).map(str::to_string) else {
            if required {
                self.bad(column, "", "is empty; this column is required");
            }
            return None;
        };
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() && (min..=max).contains(&v) => Some(v),
            Ok(v) if v.is_finite() && v < 0.0 && min == 0.0 => {
                self.bad(
                    column,
                    &text,
                    format!("is negative; expected 0 to {max} {unit}"),
                );
                None
            }
            Ok(v) if v.is_finite() => {
                self.bad(column, &text, format!("is outside {min} to {max} {unit}"));
                None
            }
            _ => {
                self.bad(column, &text, format!("is not a number; expected {unit}"));
                None
            }
        }
    }

    fn read(&mut self, file: &str, seen: &mut HashMap<NaiveDate, u64>) -> Option<WeatherRecord> {
        let before = self.errors.len();
        let date = match self.cell("date").map(str::to_string) {
            None => {
                self.bad("date", "", "is empty; expected YYYY-MM-DD");
                None
            }
            Some(text) => match NaiveDate::parse_from_str(&text, "%Y-%m-%d") {
                Ok(d) => {
                    if let Some(first) = seen.get(&d) {
                        let first = *first;
                        self.bad(
                            "date",
                            &text,
                            format!("appears a second time (first on line {first})"),
                        );
                    } else {
                        seen.insert(d, self.line);
                    }
                    Some(d)
                }
                Err(_) => {
                    self.bad("date", &text, "is not a date; expected YYYY-MM-DD");
                    None
                }
            },
        };
        let tmin = self.number("tmin_c", true, -90.0, 60.0, "°C");
        let tmax = self.number("tmax_c", true, -90.0, 60.0, "°C");
        if let (Some(lo), Some(hi)) = (tmin, tmax)
            && lo > hi
        {
            let text = self.cell("tmin_c").unwrap_or_default().to_string();
            self.bad("tmin_c", &text, format!("is above tmax_c {hi}"));
        }
        let rain = self.number("rain_mm", true, 0.0, 2000.0, "mm");
        let rh_max = self.number("rh_max_pct", false, 0.0, 100.0, "%");
        let rh_min = self.number("rh_min_pct", false, 0.0, 100.0, "%");
        if let (Some(lo), Some(hi)) = (rh_min, rh_max)
            && lo > hi
        {
            let text = self.cell("rh_min_pct").unwrap_or_default().to_string();
            self.bad("rh_min_pct", &text, format!("is above rh_max_pct {hi}"));
        }
        let wind = self.number("wind_ms", false, 0.0, 75.0, "m/s at 2 m");
        let sunshine = self.number("sunshine_h", false, 0.0, 24.0, "hours");
        let forecast = match self.cell("forecast").map(str::to_ascii_lowercase) {
            None => false,
            Some(t) => match t.as_str() {
                "true" | "1" | "yes" => true,
                "false" | "0" | "no" => false,
                _ => {
                    let text = self.cell("forecast").unwrap_or_default().to_string();
                    self.bad(
                        "forecast",
                        &text,
                        "is not a flag; expected true/false, 1/0 or yes/no",
                    );
                    false
                }
            },
        };
        if self.errors.len() > before {
            return None;
        }
        Some(WeatherRecord {
            date: date?,
            tmin_c: tmin?,
            tmax_c: tmax?,
            rain_mm: rain?,
            rh_max_pct: rh_max,
            rh_min_pct: rh_min,
            wind_ms: wind,
            sunshine_h: sunshine,
            forecast,
            source: Some(file.to_string()),
            imported_at: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Vec<WeatherRecord>, ImportError> {
        parse_weather_csv("w.csv", text.as_bytes())
    }

    #[test]
    fn a_good_file_with_optional_columns() {
        let rows = parse(
            "# Lhasa, May\nDate,tmin_c,tmax_c,rain_mm,wind_ms,forecast\n\
             2027-05-01,6.5,20.1,0,2.1,\n2027-05-02, 7.0 ,19.0,8.2,,yes\n",
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].date, NaiveDate::from_ymd_opt(2027, 5, 1).unwrap());
        assert_eq!(rows[0].wind_ms, Some(2.1));
        assert!(!rows[0].forecast);
        assert_eq!(rows[1].tmin_c, 7.0);
        assert_eq!(rows[1].wind_ms, None);
        assert!(rows[1].forecast);
        assert_eq!(rows[1].source.as_deref(), Some("w.csv"));
    }

    #[test]
    fn every_bad_cell_is_named_with_line_column_and_value() {
        let text = "date,tmin_c,tmax_c,rain_mm,rh_max_pct,rh_min_pct,forecast\n\
                    2027-05-01,6,20,0,80,30,no\n\
                    2027-05-02,21,20,0,,,no\n\
                    2027-05-03,6,20,-1,,,no\n\
                    2027-05-04,6,20,0,120,30,no\n\
                    2027-05-32,6,20,0,,,no\n\
                    2027-05-01,6,20,0,,,maybe\n\
                    2027-05-06,6,20,0,40,50,\n";
        let e = parse(text).unwrap_err();
        let ImportError::Rows { rows, .. } = &e else {
            panic!("{e}")
        };
        let got: Vec<String> = rows
            .iter()
            .map(|r| format!("{} {} {}", r.line, r.column, r.value))
            .collect();
        assert_eq!(
            got,
            [
                "3 tmin_c 21",
                "4 rain_mm -1",
                "5 rh_max_pct 120",
                "6 date 2027-05-32",
                "7 date 2027-05-01",
                "7 forecast maybe",
                "8 rh_min_pct 50",
            ]
        );
        let msg = e.to_string();
        assert!(
            msg.contains("w.csv: line 3: column tmin_c: '21' is above tmax_c 20\n"),
            "{msg}"
        );
        assert!(
            msg.contains(
                "w.csv: line 4: column rain_mm: '-1' is negative; expected 0 to 2000 mm\n"
            ),
            "{msg}"
        );
        assert!(
            msg.contains(
                "w.csv: line 7: column date: '2027-05-01' appears a second time (first on line 2)\n"
            ),
            "{msg}"
        );
        assert!(
            msg.ends_with(
                "w.csv: 6 bad rows; nothing was imported: correct the file and import it again"
            ),
            "{msg}"
        );
    }

    #[test]
    fn header_problems() {
        let e = parse("date,tmin_c,tmax_c,rain_mm,humidity\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("w.csv: line 1: column humidity: 'humidity' is not a known column; expected date, tmin_c"), "{e}");
        let e = parse("date,tmin_c,rain_mm\n2027-01-01,1,0\n")
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "w.csv: line 1: column tmax_c: missing from the header; required: date, tmin_c, tmax_c, rain_mm"
        );
        let e = parse("date,tmin_c,tmax_c,rain_mm,TMIN_C\n")
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "w.csv: line 1: column TMIN_C: 'TMIN_C' appears twice in the header"
        );
        let e = parse("date,tmin_c,tmax_c,rain_mm\n")
            .unwrap_err()
            .to_string();
        assert_eq!(e, "w.csv: no data rows: nothing to import");
        let e = parse("date,tmin_c,tmax_c,rain_mm\n2027-01-01,1,2,0,9\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("w.csv: line 2: malformed CSV"), "{e}");
    }
}
