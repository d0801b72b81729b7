//! Your own data: 2-D points of two classes that a learner places by clicking on the plane or
//! pastes as CSV. The points live in the spec ([`crate::spec::ModelSpec::custom_points`]), so the
//! share link, the saved experiment and model files carry them.
//!
//! Coordinates are kept in hundredths (whole numbers), so a point reads back from a link or a
//! file bit for bit, and lie on the plane the page draws, [−6, 6]². Labels are ±1, as in
//! TensorFlow Playground's classification sets. Noise does not apply; the train/test split comes
//! from the seed, as for the other sets.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::playground::Point;

/// The most points a custom data set holds.
pub const MAX_POINTS: usize = 2000;
/// The fewest points a custom data set trains on: enough that every train/test split the page
/// offers (10 % to 90 %) leaves at least one point on each side.
pub const MIN_POINTS: usize = 10;
/// Coordinates lie in [−LIMIT, LIMIT].
pub const LIMIT: f64 = 6.0;
/// Coordinates are stored in units of 1/SCALE.
pub const SCALE: f64 = 100.0;
/// [`LIMIT`] in stored units.
pub const LIMIT_UNITS: i16 = 600;
/// The longest CSV text [`parse_csv`] reads, in bytes.
pub const MAX_CSV_BYTES: usize = 256 * 1024;

/// One point of a custom data set: coordinates in hundredths, label −1 or +1. Serialised as
/// `[x, y, label]` (`[-125, 300, 1]` is the point (−1.25, 3) of the positive class).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "(i16, i16, i8)", into = "(i16, i16, i8)")]
pub struct CustomPoint {
    /// x₁ in hundredths.
    pub x: i16,
    /// x₂ in hundredths.
    pub y: i16,
    /// −1 or +1.
    pub label: i8,
}

impl From<(i16, i16, i8)> for CustomPoint {
    fn from((x, y, label): (i16, i16, i8)) -> Self {
        CustomPoint { x, y, label }
    }
}

impl From<CustomPoint> for (i16, i16, i8) {
    fn from(p: CustomPoint) -> Self {
        (p.x, p.y, p.label)
    }
}

impl CustomPoint {
    /// The point at (`x`, `y`), rounded to hundredths, of the positive class or not. `None` when
    /// a coordinate is not a number or lies outside [−[`LIMIT`], [`LIMIT`]].
    pub fn new(x: f64, y: f64, positive: bool) -> Option<CustomPoint> {
        let units = |v: f64| {
            let u = (v * SCALE).round();
            (u.is_finite() && u.abs() <= LIMIT_UNITS as f64).then_some(u as i16)
        };
        Some(CustomPoint { x: units(x)?, y: units(y)?, label: if positive { 1 } else { -1 } })
    }

    /// x₁ as a number.
    pub fn x1(&self) -> f64 {
        self.x as f64 / SCALE
    }

    /// x₂ as a number.
    pub fn x2(&self) -> f64 {
        self.y as f64 / SCALE
    }

    /// Whether the point is of the positive class (+1, drawn blue).
    pub fn positive(&self) -> bool {
        self.label > 0
    }

    /// The point as the trainer takes it.
    pub fn to_point(&self) -> Point {
        Point { x: self.x1(), y: self.x2(), label: if self.positive() { 1.0 } else { -1.0 } }
    }
}

/// The points as the trainer takes them, in order.
pub fn points(custom: &[CustomPoint]) -> Vec<Point> {
    custom.iter().map(CustomPoint::to_point).collect()
}

/// How many points of each class: (negative, positive).
pub fn class_counts(custom: &[CustomPoint]) -> (usize, usize) {
    let pos = custom.iter().filter(|p| p.positive()).count();
    (custom.len() - pos, pos)
}

/// Checks a set of points: at most [`MAX_POINTS`], each on the plane with a label of ±1; and,
/// when the set is the one being trained on (`in_use`), at least [`MIN_POINTS`] with both
/// classes present. The message says what to do.
pub fn check(custom: &[CustomPoint], in_use: bool) -> Result<(), String> {
    if custom.len() > MAX_POINTS {
        return Err(format!("{} points is more than the {MAX_POINTS} a data set may hold", custom.len()));
    }
    for (i, p) in custom.iter().enumerate() {
        if p.x.abs() > LIMIT_UNITS || p.y.abs() > LIMIT_UNITS {
            return Err(format!(
                "point {i} ({}, {}) is outside the plane [-{LIMIT}, {LIMIT}] (coordinates are in hundredths)",
                p.x, p.y
            ));
        }
        if p.label != 1 && p.label != -1 {
            return Err(format!("point {i} has the label {}; labels are -1 or 1", p.label));
        }
    }
    if in_use {
        let (neg, pos) = class_counts(custom);
        if custom.len() < MIN_POINTS {
            return Err(format!(
                "your own data has {} points; add at least {MIN_POINTS} (click the plane or paste a CSV)",
                custom.len()
            ));
        }
        if neg == 0 || pos == 0 {
            let missing = if pos == 0 { "positive (blue)" } else { "negative (orange)" };
            return Err(format!("your own data has no {missing} points; a classifier needs both classes"));
        }
    }
    Ok(())
}

/// The points as CSV text with a header, `x,y,label`, labels −1 and 1; [`parse_csv`] reads it back.
pub fn to_csv(custom: &[CustomPoint]) -> String {
    let mut s = String::from("x,y,label\n");
    for p in custom {
        s.push_str(&format!("{},{},{}\n", p.x1(), p.x2(), p.label));
    }
    s
}

/// Label words read as the negative and the positive class, whatever their sort order.
const NAMED_CLASSES: [(&str, &str); 6] =
    [("false", "true"), ("no", "yes"), ("neg", "pos"), ("negative", "positive"), ("-", "+"), ("orange", "blue")];

/// Reads points from CSV text: one point a line as `x, y, label`.
///
/// - Separators: comma, semicolon, tab or spaces, decided by the first line (the first of tab,
///   semicolon, comma it contains, else spaces). With semicolons or tabs a decimal comma is read
///   as a point (`1,5;2;1`).
/// - A first line whose coordinates are not numbers is a header and is skipped. Blank lines and
///   lines starting with `#` are skipped.
/// - Coordinates must lie in [−6, 6]; they are rounded to hundredths.
/// - Labels: any two distinct values. Numbers: the smaller is the negative class (so 0/1 and
///   −1/1 both work). Words: `false`/`true`, `no`/`yes`, `neg`/`pos`, `negative`/`positive`,
///   `-`/`+`, `orange`/`blue` in that sense, others in alphabetical order (the first is negative).
///
/// Errors name the line (counting from 1). At most [`MAX_CSV_BYTES`] of text and [`MAX_POINTS`]
/// rows; the result has at least [`MIN_POINTS`] points and both classes.
pub fn parse_csv(text: &str) -> Result<Vec<CustomPoint>, String> {
    if text.len() > MAX_CSV_BYTES {
        return Err(format!("the text is {} bytes; at most {} KiB is read", text.len(), MAX_CSV_BYTES / 1024));
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines = || text.lines().enumerate().map(|(i, l)| (i + 1, l.trim())).filter(|(_, l)| !l.is_empty() && !l.starts_with('#'));
    let Some((_, first)) = lines().next() else {
        return Err("there is no data: paste lines of x, y, label".into());
    };
    let sep = ['\t', ';', ','].into_iter().find(|&c| first.contains(c));
    let decimal_comma = matches!(sep, Some('\t' | ';'));
    let fields = |line: &str| -> Vec<String> {
        let parts: Vec<&str> = match sep {
            Some(c) => line.split(c).map(str::trim).collect(),
            None => line.split_whitespace().collect(),
        };
        parts.into_iter().map(|f| f.trim_matches('"').trim().to_string()).collect()
    };
    let number = |f: &str| -> Option<f64> {
        let f = if decimal_comma { f.replace(',', ".") } else { f.to_string() };
        f.parse::<f64>().ok()
    };

    let mut rows: Vec<(usize, f64, f64, String)> = Vec::new();
    for (n, (line_no, line)) in lines().enumerate() {
        let f = fields(line);
        if f.len() != 3 {
            return Err(format!("line {line_no}: expected 3 values (x, y, label), found {}: `{}`", f.len(), short(line)));
        }
        let (x, y) = (number(&f[0]), number(&f[1]));
        if n == 0 && (x.is_none() || y.is_none()) {
            continue; // a header
        }
        let coord = |v: Option<f64>, raw: &str, axis: &str| -> Result<f64, String> {
            match v {
                Some(v) if v.is_finite() && v.abs() <= LIMIT => Ok(v),
                Some(v) if v.is_finite() => Err(format!("line {line_no}: {axis} = {} is outside [-6, 6], the plane this page draws", short(raw))),
                _ => Err(format!("line {line_no}: {axis} `{}` is not a number", short(raw))),
            }
        };
        let x = coord(x, &f[0], "x")?;
        let y = coord(y, &f[1], "y")?;
        if f[2].is_empty() {
            return Err(format!("line {line_no}: the label is empty"));
        }
        if rows.len() == MAX_POINTS {
            return Err(format!("line {line_no}: more than {MAX_POINTS} points; this page takes at most {MAX_POINTS}"));
        }
        rows.push((line_no, x, y, f[2].clone()));
    }
    if rows.is_empty() {
        return Err("there is no data, only a header: add lines of x, y, label".into());
    }

    // The two classes.
    let mut distinct: Vec<&str> = Vec::new();
    for (line_no, _, _, label) in &rows {
        if !distinct.contains(&label.as_str()) {
            if distinct.len() == 2 {
                return Err(format!(
                    "line {line_no}: a third label `{}` (after `{}` and `{}`); this data set has two classes",
                    short(label),
                    short(distinct[0]),
                    short(distinct[1])
                ));
            }
            distinct.push(label);
        }
    }
    if distinct.len() < 2 {
        return Err(format!("every row has the label `{}`; a classifier needs two classes", short(distinct[0])));
    }
    let positive = positive_label(distinct[0], distinct[1], number);
    let out: Vec<CustomPoint> = rows
        .iter()
        .filter_map(|(_, x, y, label)| CustomPoint::new(*x, *y, label == positive))
        .collect();
    if out.len() < MIN_POINTS {
        return Err(format!("{} points is too few: a data set needs at least {MIN_POINTS}", out.len()));
    }
    Ok(out)
}

/// Which of two distinct labels is the positive class.
fn positive_label<'a>(a: &'a str, b: &'a str, number: impl Fn(&str) -> Option<f64>) -> &'a str {
    if let (Some(x), Some(y)) = (number(a), number(b))
        && x != y
    {
        return if x > y { a } else { b };
    }
    for (neg, pos) in NAMED_CLASSES {
        if a.eq_ignore_ascii_case(pos) && b.eq_ignore_ascii_case(neg) {
            return a;
        }
        if b.eq_ignore_ascii_case(pos) && a.eq_ignore_ascii_case(neg) {
            return b;
        }
    }
    let sorted: BTreeSet<&str> = [a, b].into_iter().collect();
    sorted.into_iter().next_back().unwrap_or(b)
}

/// A piece of the input, short and printable enough to quote in a message.
fn short(s: &str) -> String {
    let mut out: String = s.chars().take(24).map(|c| if c.is_control() { '?' } else { c }).collect();
    if s.chars().count() > 24 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_round_to_hundredths_and_stay_on_the_plane() {
        let p = CustomPoint::new(1.234, -5.999, true).unwrap();
        assert_eq!((p.x, p.y, p.label), (123, -600, 1));
        assert!(CustomPoint::new(6.01, 0.0, true).is_none());
        assert!(CustomPoint::new(f64::NAN, 0.0, true).is_none());
        assert!(CustomPoint::new(0.0, f64::INFINITY, false).is_none());
        assert_eq!(CustomPoint::new(-6.0, 6.0, false).map(|p| (p.x, p.y, p.label)), Some((-600, 600, -1)));
    }

    #[test]
    fn labels_pick_a_sensible_positive_class() {
        let n = |s: &str| s.parse::<f64>().ok();
        assert_eq!(positive_label("0", "1", n), "1");
        assert_eq!(positive_label("1", "-1", n), "1");
        assert_eq!(positive_label("yes", "no", n), "yes");
        assert_eq!(positive_label("Blue", "orange", n), "Blue");
        assert_eq!(positive_label("cat", "dog", n), "dog");
    }
}
