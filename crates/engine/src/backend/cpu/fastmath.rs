//! `exp`, `tanh` and `sigmoid` for the CPU backend's elementwise loops.
//!
//! In `f32` they are branch-free polynomial approximations (Cephes-style range reduction, a few
//! ulp of error) written with plain arithmetic and bit casts only, so loops over slices
//! auto-vectorise (wasm `simd128`, SSE) and every target computes the same bits. The library
//! functions (`expf`, `tanhf`) are scalar calls that cost far more than a GEMM's arithmetic in
//! an LSTM step. In any other [`Real`] (the `f64` gradient checks) they are the library functions.
//!
//! NaN stays NaN (divergence detection depends on it); ±∞ saturate like the exact functions.

use std::any::TypeId;

use crate::real::Real;

/// `eˣ`.
#[inline(always)]
pub fn exp<T: Real>(x: T) -> T {
    if TypeId::of::<T>() == TypeId::of::<f32>() { via_f32(x, exp_f32) } else { x.exp() }
}

/// `tanh x`.
#[inline(always)]
pub fn tanh<T: Real>(x: T) -> T {
    if TypeId::of::<T>() == TypeId::of::<f32>() { via_f32(x, tanh_f32) } else { x.tanh() }
}

/// `1 / (1 + e⁻ˣ)`.
#[inline(always)]
pub fn sigmoid<T: Real>(x: T) -> T {
    if TypeId::of::<T>() == TypeId::of::<f32>() { via_f32(x, sigmoid_f32) } else { x.sigmoid() }
}

#[inline(always)]
fn via_f32<T: Real>(x: T, f: fn(f32) -> f32) -> T {
    // SAFETY: only called when `T` is `f32` (the callers check the TypeId).
    let v: f32 = unsafe { std::mem::transmute_copy(&x) };
    let r = f(v);
    unsafe { std::mem::transmute_copy(&r) }
}

/// Clamps to `[lo, hi]`, keeping NaN (both comparisons are false for NaN).
#[inline(always)]
fn clamp_keep_nan(x: f32, lo: f32, hi: f32) -> f32 {
    let x = if x > hi { hi } else { x };
    if x < lo { lo } else { x }
}

/// `eˣ` in `f32`: `x = n·ln 2 + r` with `|r| ≤ ln 2 / 2`, a degree-6 polynomial for `eʳ`, and
/// `2ⁿ` built in the exponent bits. Inputs are clamped to `[−87.3, 88.37]` (results stay normal
/// and finite: `e⁸⁹` would overflow anyway, and below `e⁻⁸⁷` the result is ~1e-38).
#[inline(always)]
pub fn exp_f32(x: f32) -> f32 {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    // ln 2 split in two so that n·C1 is exact.
    const C1: f32 = 0.693_359_4;
    const C2: f32 = -2.121_944_4e-4;
    // 1.5·2²³: adding it rounds to an integer (to nearest even) and leaves that integer in the
    // low mantissa bits.
    const MAGIC: f32 = 12_582_912.0;
    let x = clamp_keep_nan(x, -87.336_55, 88.376_26);
    let t = x * LOG2E + MAGIC;
    let n = t - MAGIC;
    let ni = (t.to_bits() as i32).wrapping_sub(MAGIC.to_bits() as i32);
    let r = x - n * C1 - n * C2;
    let mut p = 1.987_569_1e-4_f32;
    p = p * r + 1.398_2e-3;
    p = p * r + 8.333_452e-3;
    p = p * r + 4.166_579_6e-2;
    p = p * r + 1.666_666_5e-1;
    p = p * r + 0.5;
    let y = p * r * r + r + 1.0;
    let scale = f32::from_bits((ni.wrapping_add(127) as u32) << 23);
    y * scale
}

/// `1 / (1 + e⁻ˣ)` in `f32`.
#[inline(always)]
pub fn sigmoid_f32(x: f32) -> f32 {
    1.0 / (1.0 + exp_f32(-x))
}

/// `tanh x` in `f32`: the odd Taylor series up to x⁹ below |x| = 0.25 (truncation error under
/// 1e-8 relative), `1 − 2 / (e²ˣ + 1)` above it, with the sign of `x`.
#[inline(always)]
pub fn tanh_f32(x: f32) -> f32 {
    let a = x.abs();
    let a2 = a * a;
    let mut q = 62.0 / 2835.0_f32;
    q = q * a2 - 17.0 / 315.0;
    q = q * a2 + 2.0 / 15.0;
    q = q * a2 - 1.0 / 3.0;
    let small = a + a * a2 * q;
    let large = 1.0 - 2.0 / (exp_f32(2.0 * a) + 1.0);
    let t = if a < 0.25 { small } else { large };
    // NaN: `a < 0.25` is false and `large` is NaN. Restore the sign bit of x.
    f32::from_bits(t.to_bits() | (x.to_bits() & 0x8000_0000))
}
