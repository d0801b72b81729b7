//! The `custom` key: your own data's points, 4 URL-safe base64 characters each (see the
//! module documentation of [`super`]).

use super::*;

/// The URL-safe base64 alphabet the `custom` key uses.
const CUSTOM_ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/// Distinct coordinate values, −600..=600 hundredths.
const CUSTOM_SIDE: u32 = 2 * crate::data::custom::LIMIT_UNITS as u32 + 1;

/// Your own data's points as the `custom` key writes them (see the module documentation).
pub fn custom_text(points: &[crate::data::CustomPoint]) -> String {
    let limit = crate::data::custom::LIMIT_UNITS as i32;
    let mut s = String::with_capacity(points.len() * 4);
    for p in points {
        let (x, y) = ((p.x as i32).clamp(-limit, limit) + limit, (p.y as i32).clamp(-limit, limit) + limit);
        let v = ((x as u32 * CUSTOM_SIDE) + y as u32) * 2 + u32::from(p.positive());
        for shift in [18, 12, 6, 0] {
            s.push(CUSTOM_ALPHABET[((v >> shift) & 63) as usize] as char);
        }
    }
    s
}

/// Reads the `custom` key: every well-formed point, the rest reported.
pub(super) fn parse_custom(p: &mut Problems, v: &str) -> Vec<crate::data::CustomPoint> {
    use crate::data::custom::{LIMIT_UNITS, MAX_POINTS};
    let bytes = v.trim().as_bytes();
    let mut out = Vec::new();
    let (mut bad, mut extra) = (0usize, 0usize);
    let chunks = bytes.chunks_exact(4);
    let rest = chunks.remainder().len();
    for chunk in chunks {
        let mut value = 0u32;
        let mut ok = true;
        for &c in chunk {
            match CUSTOM_ALPHABET.iter().position(|&a| a == c) {
                Some(d) => value = value << 6 | d as u32,
                None => ok = false,
            }
        }
        if !ok || value >= CUSTOM_SIDE * CUSTOM_SIDE * 2 {
            bad += 1;
            continue;
        }
        if out.len() == MAX_POINTS {
            extra += 1;
            continue;
        }
        let positive = value % 2 == 1;
        let xy = value / 2;
        let (x, y) = ((xy / CUSTOM_SIDE) as i16 - LIMIT_UNITS, (xy % CUSTOM_SIDE) as i16 - LIMIT_UNITS);
        out.push(crate::data::CustomPoint { x, y, label: if positive { 1 } else { -1 } });
    }
    if bad > 0 {
        p.push("custom", format!("{bad} point codes are not 4 characters of A-Z, a-z, 0-9, - and _ within range; dropped"));
    }
    if rest > 0 {
        p.push("custom", format!("{rest} characters at the end do not make a whole point (4 characters); ignored"));
    }
    if extra > 0 {
        p.push("custom", format!("{} points is more than the {MAX_POINTS} a data set holds; kept the first {MAX_POINTS}", MAX_POINTS + extra));
    }
    out
}
