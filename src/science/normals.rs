//! Monthly climate normals and the smooth "normal year" of daily weather built from them.
//!
//! [`parse_normals`] reads the normals CSV text (columns `month`, `tmax_mean_C`, `tmin_mean_C`,
//! `precip_mm`; other columns ignored; the `year` summary row skipped). The caller reads the file;
//! this module only parses the text it is given.
//!
//! [`normal_year`] builds one calendar year of [`DailyWeather`]:
//! - Tmax and Tmin are interpolated linearly between the monthly means placed on the mid-month days
//!   of year 17, 47, 75, 105, 135, 162, 198, 228, 258, 288, 318, 344 (Klein's average days of the
//!   month, which DOMAIN.md calls the FAO-56 mid-month days), wrapping from December to January;
//! - `rain_mm` is the monthly total spread evenly over the month's days;
//! - `peff_mm` is the USDA-SCS monthly effective rain spread evenly (see [`super::effective_rain`]).
//!
//! The result is a normal year, not weather: never send its `rain_mm` through the daily 5 mm rule.
//!
//! # Units
//!
//! - temperatures: °C; monthly precipitation: mm/month; daily rain and effective rain: mm/day
//!
//! # Sources
//!
//! Klein (1977), *Solar Energy* 19(4), table 1 (average day of each month); USDA-SCS effective
//! rainfall as in FAO CROPWAT; greenward DOMAIN.md section 2 (normal-year recipe).

use chrono::{Datelike, NaiveDate};
use thiserror::Error;

use super::effective_rain::scs_daily_share;
use super::weather::DailyWeather;

/// Days of year on which each month's normal is placed (January … December).
pub const MID_MONTH_DAY_OF_YEAR: [u32; 12] =
    [17, 47, 75, 105, 135, 162, 198, 228, 258, 288, 318, 344];

/// Climate normals of one month.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MonthNormal {
    /// Mean daily maximum temperature, °C.
    pub tmax_c: f64,
    /// Mean daily minimum temperature, °C.
    pub tmin_c: f64,
    /// Mean precipitation, mm/month.
    pub precip_mm: f64,
}

/// Climate normals for the twelve months (index 0 = January).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MonthlyNormals {
    /// January … December.
    pub months: [MonthNormal; 12],
}

/// Why a normals CSV could not be used. Line numbers count the header as line 1.
#[derive(Debug, Error)]
pub enum NormalsError {
    /// The CSV itself is malformed.
    #[error("line {line}: malformed CSV: {source}")]
    Csv {
        /// Line of the problem, 0 if unknown.
        line: u64,
        /// The parser's complaint.
        #[source]
        source: csv::Error,
    },
    /// A required column is absent from the header.
    #[error(
        "column '{column}' is missing from the header; expected month, tmax_mean_C, tmin_mean_C, precip_mm"
    )]
    MissingColumn {
        /// The column name looked for.
        column: &'static str,
    },
    /// A cell could not be read as the number it should hold.
    #[error("line {line}: column '{column}' has '{value}': {reason}")]
    BadValue {
        /// Line of the row.
        line: u64,
        /// Column name.
        column: &'static str,
        /// The text found.
        value: String,
        /// What is expected instead.
        reason: &'static str,
    },
    /// The same month appears twice.
    #[error("line {line}: month {month} appears a second time")]
    DuplicateMonth {
        /// Line of the second occurrence.
        line: u64,
        /// Month number.
        month: u32,
    },
    /// A month has no row.
    #[error("month {month} has no row; all twelve months are needed")]
    MissingMonth {
        /// Month number.
        month: u32,
    },
}

/// Parses monthly normals from CSV text; the `year` summary row and unknown columns are ignored.
pub fn parse_normals(csv_text: &str) -> Result<MonthlyNormals, NormalsError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(csv_text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|source| NormalsError::Csv { line: 1, source })?
        .clone();
    let col = |column: &'static str| {
        headers
            .iter()
            .position(|h| h.eq_ignore_ascii_case(column))
            .ok_or(NormalsError::MissingColumn { column })
    };
    let (i_month, i_tmax, i_tmin, i_precip) = (
        col("month")?,
        col("tmax_mean_C")?,
        col("tmin_mean_C")?,
        col("precip_mm")?,
    );

    let mut months: [Option<MonthNormal>; 12] = [None; 12];
    for record in reader.records() {
        let record = record.map_err(|source| NormalsError::Csv {
            line: source.position().map_or(0, |p| p.line()),
            source,
        })?;
        let line = record.position().map_or(0, |p| p.line());
        let cell = |i: usize| record.get(i).unwrap_or("");
        let month_text = cell(i_month);
        if month_text.eq_ignore_ascii_case("year") || month_text.is_empty() {
            continue;
        }
        let month = month_text
            .parse::<u32>()
            .ok()
            .filter(|m| (1..=12).contains(m))
            .ok_or_else(|| NormalsError::BadValue {
                line,
                column: "month",
                value: month_text.to_string(),
                reason: "expected a month number 1-12 or 'year'",
            })?;
        let number = |i: usize, column: &'static str| {
            cell(i)
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| NormalsError::BadValue {
                    line,
                    column,
                    value: cell(i).to_string(),
                    reason: "expected a finite number",
                })
        };
        let normal = MonthNormal {
            tmax_c: number(i_tmax, "tmax_mean_C")?,
            tmin_c: number(i_tmin, "tmin_mean_C")?,
            precip_mm: number(i_precip, "precip_mm")?,
        };
        if normal.tmin_c > normal.tmax_c {
            return Err(NormalsError::BadValue {
                line,
                column: "tmin_mean_C",
                value: cell(i_tmin).to_string(),
                reason: "the minimum is above tmax_mean_C",
            });
        }
        if normal.precip_mm < 0.0 {
            return Err(NormalsError::BadValue {
                line,
                column: "precip_mm",
                value: cell(i_precip).to_string(),
                reason: "precipitation cannot be negative",
            });
        }
        let slot = &mut months[month as usize - 1];
        if slot.is_some() {
            return Err(NormalsError::DuplicateMonth { line, month });
        }
        *slot = Some(normal);
    }

    let mut out = [MonthNormal {
        tmax_c: 0.0,
        tmin_c: 0.0,
        precip_mm: 0.0,
    }; 12];
    for (i, m) in months.iter().enumerate() {
        out[i] = m.ok_or(NormalsError::MissingMonth {
            month: i as u32 + 1,
        })?;
    }
    Ok(MonthlyNormals { months: out })
}

/// Linear interpolation of twelve monthly values placed on [`MID_MONTH_DAY_OF_YEAR`], wrapping
/// December–January, at a day of year in a year of `year_length` days.
pub fn interpolate_monthly(values: &[f64; 12], day_of_year: u32, year_length: u32) -> f64 {
    let mid = &MID_MONTH_DAY_OF_YEAR;
    let d = f64::from(day_of_year);
    // Segment i runs from month i's day to month i+1's day; segment 11 wraps into next January.
    // Before 17 January the day lies on the December–January segment (11).
    let i = mid.iter().rposition(|&m| m <= day_of_year).unwrap_or(11);
    let j = (i + 1) % 12;
    let start = f64::from(mid[i]);
    let mut end = f64::from(mid[j]);
    let mut at = d;
    if i == 11 {
        end += f64::from(year_length);
        if day_of_year < mid[11] {
            at += f64::from(year_length);
        }
    }
    values[i] + (values[j] - values[i]) * (at - start) / (end - start)
}

fn days_in_month(year: i32, month: u32) -> u32 {
    let (ny, nm) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    match (
        NaiveDate::from_ymd_opt(year, month, 1),
        NaiveDate::from_ymd_opt(ny, nm, 1),
    ) {
        (Some(a), Some(b)) => (b - a).num_days() as u32,
        _ => 30,
    }
}

/// Builds the normal year of daily weather for a calendar year (365 or 366 days).
///
/// Returns an empty Vec for a year chrono cannot represent.
pub fn normal_year(normals: &MonthlyNormals, year: i32) -> Vec<DailyWeather> {
    let tmax: [f64; 12] = std::array::from_fn(|i| normals.months[i].tmax_c);
    let tmin: [f64; 12] = std::array::from_fn(|i| normals.months[i].tmin_c);
    let Some(first) = NaiveDate::from_ymd_opt(year, 1, 1) else {
        return Vec::new();
    };
    let year_length = if first.leap_year() { 366 } else { 365 };
    first
        .iter_days()
        .take_while(|d| d.year() == year)
        .map(|date| {
            let doy = date.ordinal();
            let month = normals.months[date.month0() as usize];
            let days = days_in_month(year, date.month());
            DailyWeather {
                date,
                tmin_c: interpolate_monthly(&tmin, doy, year_length),
                tmax_c: interpolate_monthly(&tmax, doy, year_length),
                rain_mm: month.precip_mm / f64::from(days),
                peff_mm: scs_daily_share(month.precip_mm, days),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    const LHASA: &str = include_str!("../../geodata/barkhor/lhasa_55591_normals.csv");

    fn lhasa() -> MonthlyNormals {
        parse_normals(LHASA).expect("shipped normals parse")
    }

    #[test]
    fn parses_the_shipped_lhasa_normals() {
        let n = lhasa();
        assert_abs_diff_eq!(n.months[4].tmax_c, 21.0);
        assert_abs_diff_eq!(n.months[4].tmin_c, 7.1);
        assert_abs_diff_eq!(n.months[7].precip_mm, 128.0);
        let total: f64 = n.months.iter().map(|m| m.precip_mm).sum();
        assert_abs_diff_eq!(total, 447.7, epsilon = 0.05);
    }

    #[test]
    fn normal_year_hits_the_monthly_values_on_mid_month_days() {
        let year = normal_year(&lhasa(), 2027);
        assert_eq!(year.len(), 365);
        let may15 = year[134];
        assert_eq!(may15.date, NaiveDate::from_ymd_opt(2027, 5, 15).unwrap());
        assert_abs_diff_eq!(may15.tmax_c, 21.0, epsilon = 1e-9);
        assert_abs_diff_eq!(may15.tmin_c, 7.1, epsilon = 1e-9);
        assert_abs_diff_eq!(may15.peff_mm, 0.877, epsilon = 0.0005);
        assert_abs_diff_eq!(may15.rain_mm, 0.919, epsilon = 0.0005);
        // 1 January lies on the December–January segment: values of lhasa_normal_year_daily.csv.
        assert_abs_diff_eq!(year[0].tmin_c, -7.01, epsilon = 0.005);
        assert_abs_diff_eq!(year[0].tmax_c, 8.74, epsilon = 0.005);
        // Rain over the year adds back up to the monthly totals.
        let rain: f64 = year.iter().map(|d| d.rain_mm).sum();
        assert_abs_diff_eq!(rain, 447.7, epsilon = 1e-6);
        assert_eq!(normal_year(&lhasa(), 2028).len(), 366);
    }

    #[test]
    fn interpolation_wraps_december_january() {
        let mut v = [0.0; 12];
        v[11] = 10.0; // December on day 344
        v[0] = 0.0; // January on day 17 (+365)
        // Halfway: (344 + 382)/2 = 363.
        assert_abs_diff_eq!(interpolate_monthly(&v, 363, 365), 5.0, epsilon = 1e-9);
        assert_abs_diff_eq!(interpolate_monthly(&v, 344, 365), 10.0, epsilon = 1e-9);
        assert_abs_diff_eq!(interpolate_monthly(&v, 17, 365), 0.0, epsilon = 1e-9);
    }

    #[test]
    fn bad_csv_names_the_line_and_column() {
        let text = "month,tmax_mean_C,tmin_mean_C,precip_mm\n1,8.4,-7.3,0.9\n2,warm,-4.3,1.5\n";
        let err = parse_normals(text).unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 3: column 'tmax_mean_C' has 'warm': expected a finite number"
        );
        let err = parse_normals("month,tmax_mean_C,precip_mm\n").unwrap_err();
        assert!(matches!(
            err,
            NormalsError::MissingColumn {
                column: "tmin_mean_C"
            }
        ));
        let short = "month,tmax_mean_C,tmin_mean_C,precip_mm\n1,8.4,-7.3,0.9\n";
        assert!(matches!(
            parse_normals(short).unwrap_err(),
            NormalsError::MissingMonth { month: 2 }
        ));
    }
}
