//! Reading one value of a link: whole numbers and numbers within a range, a choice among ids,
//! each brought to the nearest valid value with a problem that quotes what was there.

use super::*;

/// A piece of a link, safe and short enough to quote in a message: at most [`MAX_QUOTE`]
/// characters once control and other invisible characters are escaped, then `…` if cut.
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::new();
    let mut shown = 0;
    for c in s.chars() {
        // Escapes count at their printed length, so the quote stays short whatever it holds.
        let piece: String = if c.is_control()
            || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
        {
            c.escape_unicode().collect()
        } else {
            c.to_string()
        };
        let width = piece.chars().count();
        if shown + width > MAX_QUOTE {
            out.push('…');
            break;
        }
        shown += width;
        out.push_str(&piece);
    }
    out
}

/// A key for a message: quoted like a value when it is not a plain identifier.
pub(super) fn quote_key(key: &str) -> String {
    let plain = !key.is_empty() && key.len() <= MAX_QUOTE && key.chars().all(|c| c.is_ascii_alphanumeric() || "_[]().".contains(c));
    if plain { key.to_string() } else { format!("`{}`", quote(key)) }
}

/// Parses a whole number and brings it into `lo..=hi`, reporting anything changed.
pub(crate) fn int_in(p: &mut Problems, key: &str, v: &str, lo: u32, hi: u32, default: u32) -> u32 {
    let (n, why) = int_checked(v, lo, hi, default);
    if let Some(why) = why {
        p.push(key, why);
    }
    n
}

/// [`int_in`]'s number, and what to report when it is not `v` as written.
pub(super) fn int_checked(v: &str, lo: u32, hi: u32, default: u32) -> (u32, Option<String>) {
    let t = v.trim();
    if let Ok(n) = t.parse::<u32>()
        && (lo..=hi).contains(&n)
    {
        return (n, None);
    }
    match t.parse::<f64>() {
        Ok(x) if x.is_nan() => (default, Some(format!("`{}` is not a number; using {default}", quote(v)))),
        Ok(x) => {
            let r = x.round();
            let c = r.clamp(lo as f64, hi as f64) as u32;
            if r == x && r == c as f64 {
                // Another spelling of a number in range (`1e1`, `-0`).
                (c, None)
            } else if r != x && r == c as f64 {
                (c, Some(format!("`{}` is not a whole number; using {c}", quote(v))))
            } else {
                (c, Some(format!("`{}` is outside {lo}..={hi}; using {c}", quote(v))))
            }
        }
        Err(_) => (default, Some(format!("`{}` is not a whole number; using {default}", quote(v)))),
    }
}

/// The range a float field accepts.
#[derive(Clone, Copy)]
pub(crate) struct FloatRange {
    pub lo: f32,
    pub lo_open: bool,
    pub hi: f32,
    pub hi_open: bool,
}

impl FloatRange {
    pub(crate) const fn closed(lo: f32, hi: f32) -> Self {
        FloatRange { lo, lo_open: false, hi, hi_open: false }
    }
    pub(crate) const fn open_closed(lo: f32, hi: f32) -> Self {
        FloatRange { lo, lo_open: true, hi, hi_open: false }
    }
    pub(crate) const fn closed_open(lo: f32, hi: f32) -> Self {
        FloatRange { lo, lo_open: false, hi, hi_open: true }
    }
    fn contains(&self, x: f32) -> bool {
        let above = if self.lo_open { x > self.lo } else { x >= self.lo };
        let below = if self.hi_open { x < self.hi } else { x <= self.hi };
        above && below
    }
    fn describe(&self) -> String {
        format!(
            "{}{}, {}{}",
            if self.lo_open { '(' } else { '[' },
            fmt_f32(self.lo),
            fmt_f32(self.hi),
            if self.hi_open { ')' } else { ']' }
        )
    }
}

/// Parses a number and brings it into `range`, reporting anything changed. Below an open lower
/// bound (a learning rate of 0) there is no nearest value, so the default is used.
pub(crate) fn float_in(p: &mut Problems, key: &str, v: &str, range: FloatRange, default: f32) -> f32 {
    let x = match v.trim().parse::<f32>() {
        Ok(x) if !x.is_nan() => x,
        _ => {
            p.push(key, format!("`{}` is not a number; using {}", quote(v), fmt_f32(default)));
            return default;
        }
    };
    if range.contains(x) {
        return x;
    }
    let c = if x <= range.lo && range.lo_open {
        default
    } else if x < range.lo {
        range.lo
    } else if range.hi_open {
        // The largest f32 below `hi` (hi is positive in every use).
        f32::from_bits(range.hi.to_bits().saturating_sub(1))
    } else {
        range.hi
    };
    p.push(key, format!("`{}` is outside {}; using {}", quote(v), range.describe(), fmt_f32(c)));
    c
}

/// Looks `v` up among `all` by id (ASCII case ignored), reporting an unknown id with the choices.
pub(crate) fn pick<T: Copy>(p: &mut Problems, key: &str, v: &str, all: &[T], id: impl Fn(&T) -> &str, default: T) -> T {
    let t = v.trim();
    if let Some(x) = all.iter().find(|x| id(x).eq_ignore_ascii_case(t)) {
        return *x;
    }
    let choices: Vec<&str> = all.iter().map(&id).collect();
    p.push(key, format!("`{}` is not one of {}; using {}", quote(v), choices.join(", "), id(&default)));
    default
}
