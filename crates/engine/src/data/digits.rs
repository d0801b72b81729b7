//! The 8x8 handwritten digits (UCI "Optical Recognition of Handwritten Digits", E. Alpaydin and
//! C. Kaynak 1998, CC BY 4.0, as shipped with scikit-learn; see `data/NOTICE`), embedded in the
//! binary and inflated on first use with `miniz_oxide`.

use crate::error::{EngineError, Result};

static GZ: &[u8] = include_bytes!("../../data/digits.csv.gz");

/// Number of images.
pub const COUNT: usize = 1797;

/// Inflates a gzip member (RFC 1952) to bytes.
pub fn gunzip(gz: &[u8]) -> Result<Vec<u8>> {
    let bad = |m: &str| EngineError::Io(format!("gzip: {m}"));
    if gz.len() < 18 || gz[0] != 0x1f || gz[1] != 0x8b || gz[2] != 8 {
        return Err(bad("not a deflate gzip stream"));
    }
    let flags = gz[3];
    let mut at = 10;
    if flags & 4 != 0 {
        let xlen = *gz.get(at).ok_or_else(|| bad("truncated"))? as usize | (*gz.get(at + 1).ok_or_else(|| bad("truncated"))? as usize) << 8;
        at += 2 + xlen;
    }
    for bit in [8u8, 16] {
        if flags & bit != 0 {
            while *gz.get(at).ok_or_else(|| bad("truncated"))? != 0 {
                at += 1;
            }
            at += 1;
        }
    }
    if flags & 2 != 0 {
        at += 2;
    }
    let body = gz.get(at..gz.len() - 8).ok_or_else(|| bad("truncated"))?;
    miniz_oxide::inflate::decompress_to_vec(body).map_err(|e| bad(&format!("{e:?}")))
}

/// Every image as 64 pixels scaled to [0, 1] (row by row), and its label 0..9.
pub fn load() -> Result<Vec<([f32; 64], u8)>> {
    let text = gunzip(GZ)?;
    let text = std::str::from_utf8(&text).map_err(|_| EngineError::Io("digits: not UTF-8".into()))?;
    let mut out = Vec::with_capacity(COUNT);
    for (n, line) in text.lines().filter(|l| !l.trim().is_empty()).enumerate() {
        let mut px = [0f32; 64];
        let mut fields = line.split(',');
        for p in px.iter_mut() {
            let v: u8 = fields.next().and_then(|f| f.trim().parse().ok()).ok_or_else(|| EngineError::Io(format!("digits: line {}", n + 1)))?;
            *p = v as f32 / 16.0;
        }
        let label: u8 = fields.next().and_then(|f| f.trim().parse().ok()).filter(|&l| l < 10).ok_or_else(|| EngineError::Io(format!("digits: label on line {}", n + 1)))?;
        out.push((px, label));
    }
    Ok(out)
}
