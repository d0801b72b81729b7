//! Matrix product kernels of the CPU backend.
//!
//! [`gemm`] is what the backend calls. In `f32` it runs the fast path: a register-blocked,
//! cache-blocked product on packed panels ([`gemm_f32`]), written on a 4-lane vector type that is
//! wasm `simd128` in the browser and SSE natively. In any other [`Real`] (the gradient checks run
//! `f64`) it runs [`gemm_reference`], plain loops that keep the innermost loop on contiguous memory.
//!
//! Every path sums in an order fixed by the shape alone (no threads, no run-time tuning), so a
//! run replays bit for bit on the same target.

use std::any::TypeId;
use std::cell::RefCell;

use crate::backend::Gemm;
use crate::real::Real;

/// `c = op(a)·op(b) (+ bias) (+ c if g.accumulate)`; slice lengths are checked by the caller.
pub fn gemm<T: Real>(g: Gemm, a: &[T], b: &[T], bias: Option<&[T]>, c: &mut [T]) {
    if TypeId::of::<T>() == TypeId::of::<f32>() {
        // SAFETY: `T` is `f32` (checked just above), so these are the same slice types.
        let (a, b, bias, c) = unsafe {
            (
                &*(a as *const [T] as *const [f32]),
                &*(b as *const [T] as *const [f32]),
                bias.map(|x| &*(x as *const [T] as *const [f32])),
                &mut *(c as *mut [T] as *mut [f32]),
            )
        };
        gemm_f32(g, a, b, bias, c);
    } else {
        gemm_reference(g, a, b, bias, c);
    }
}

/// Writes the part of `c` that does not depend on the product: zero unless accumulating, plus
/// the bias on every row.
fn init_c<T: Real>(g: &Gemm, bias: Option<&[T]>, c: &mut [T]) {
    let (m, n) = (g.m, g.n);
    let c = &mut c[..m * n];
    if !g.accumulate {
        c.fill(T::ZERO);
    }
    if let Some(bias) = bias {
        for row in c.chunks_exact_mut(n.max(1)) {
            for (cj, &bj) in row.iter_mut().zip(bias) {
                *cj += bj;
            }
        }
    }
}

/// The plain product, generic over [`Real`]: the reference the fast path is tested against, and
/// what `f64` runs.
pub fn gemm_reference<T: Real>(g: Gemm, a: &[T], b: &[T], bias: Option<&[T]>, c: &mut [T]) {
    init_c(&g, bias, c);
    product_simple(g, a, b, c);
}

/// `c += op(a)·op(b)` with plain loops: `i-p-j` (a row of `B` streams into a row of `C`) for
/// plain products, row-by-row dot products when `B` is transposed, and `p-i-j` when `A` is.
fn product_simple<T: Real>(g: Gemm, a: &[T], b: &[T], c: &mut [T]) {
    let Gemm { m, n, k, trans_a, trans_b, .. } = g;
    if n == 0 || m == 0 {
        return;
    }
    let c = &mut c[..m * n];
    match (trans_a, trans_b) {
        (false, false) => {
            for (i, crow) in c.chunks_exact_mut(n).enumerate() {
                let arow = &a[i * k..(i + 1) * k];
                for (p, &aip) in arow.iter().enumerate() {
                    let brow = &b[p * n..(p + 1) * n];
                    axpy(aip, brow, crow);
                }
            }
        }
        (false, true) => {
            for (i, crow) in c.chunks_exact_mut(n).enumerate() {
                let arow = &a[i * k..(i + 1) * k];
                for (j, cij) in crow.iter_mut().enumerate() {
                    *cij += dot(arow, &b[j * k..(j + 1) * k]);
                }
            }
        }
        (true, false) => {
            for p in 0..k {
                let arow = &a[p * m..(p + 1) * m];
                let brow = &b[p * n..(p + 1) * n];
                for (i, crow) in c.chunks_exact_mut(n).enumerate() {
                    axpy(arow[i], brow, crow);
                }
            }
        }
        (true, true) => {
            for (i, crow) in c.chunks_exact_mut(n).enumerate() {
                for (j, cij) in crow.iter_mut().enumerate() {
                    let mut s = T::ZERO;
                    for p in 0..k {
                        s += a[p * m + i] * b[j * k + p];
                    }
                    *cij += s;
                }
            }
        }
    }
}

/// `y += a·x`.
#[inline]
fn axpy<T: Real>(a: T, x: &[T], y: &mut [T]) {
    for (yj, &xj) in y.iter_mut().zip(x) {
        *yj += a * xj;
    }
}

/// Dot product with four independent partial sums, so the compiler can keep several lanes busy
/// (a single running sum is one long dependency chain).
#[inline]
fn dot<T: Real>(x: &[T], y: &[T]) -> T {
    let mut s = [T::ZERO; 4];
    let xc = x.chunks_exact(4);
    let yc = y.chunks_exact(4);
    let (xr, yr) = (xc.remainder(), yc.remainder());
    for (xs, ys) in xc.zip(yc) {
        s[0] += xs[0] * ys[0];
        s[1] += xs[1] * ys[1];
        s[2] += xs[2] * ys[2];
        s[3] += xs[3] * ys[3];
    }
    let mut t = (s[0] + s[1]) + (s[2] + s[3]);
    for (&a, &b) in xr.iter().zip(yr) {
        t += a * b;
    }
    t
}

// ---------------------------------------------------------------------------------------------
// The fast f32 path.

/// Rows of `C` per micro-tile.
pub const MR: usize = 4;
/// 4-lane vectors per micro-tile row (columns of `C` per micro-tile: `4·NV`).
const NV: usize = 2;
/// Columns of `C` per micro-tile.
pub const NR: usize = 4 * NV;
/// Depth of one packed block (a `KC × NR` panel of `B`, 8 KiB, stays in L1).
const KC: usize = 256;
/// Rows of `A` per packed block (`MC × KC`, 64 KiB, stays in L2).
const MC: usize = 64;
/// Columns of `B` per packed block (`KC × NC`, 512 KiB).
const NC: usize = 512;
/// Products with fewer multiply-adds than this run the plain loops (packing would cost more).
const SMALL: usize = 4096;

thread_local! {
    /// Packing buffers, grown once and reused by every call (no allocation per training step).
    static PACK: RefCell<(Vec<f32>, Vec<f32>)> = const { RefCell::new((Vec::new(), Vec::new())) };
}

/// The `f32` product: plain loops for tiny shapes, else packed panels and the micro-kernel.
pub fn gemm_f32(g: Gemm, a: &[f32], b: &[f32], bias: Option<&[f32]>, c: &mut [f32]) {
    init_c(&g, bias, c);
    let Gemm { m, n, k, .. } = g;
    if m == 0 || n == 0 || k == 0 {
        return;
    }
    assert!(a.len() >= m * k && b.len() >= k * n && c.len() >= m * n, "gemm: slices shorter than the shape");
    if m * n * k < SMALL {
        product_simple(g, a, b, c);
        return;
    }
    packed(g, a, b, c);
}

/// [`gemm_f32`] with the packed path for every shape, however small (for tests and timing).
pub fn gemm_f32_packed(g: Gemm, a: &[f32], b: &[f32], bias: Option<&[f32]>, c: &mut [f32]) {
    init_c(&g, bias, c);
    let Gemm { m, n, k, .. } = g;
    if m == 0 || n == 0 || k == 0 {
        return;
    }
    assert!(a.len() >= m * k && b.len() >= k * n && c.len() >= m * n, "gemm: slices shorter than the shape");
    packed(g, a, b, c);
}

fn packed(g: Gemm, a: &[f32], b: &[f32], c: &mut [f32]) {
    PACK.with(|p| {
        // A re-entrant call cannot happen (kernels call nothing back), but stay safe if it did.
        match p.try_borrow_mut() {
            Ok(mut p) => {
                let (pa, pb) = &mut *p;
                product_blocked(g, a, b, c, pa, pb);
            }
            Err(_) => product_blocked(g, a, b, c, &mut Vec::new(), &mut Vec::new()),
        }
    });
}

fn product_blocked(g: Gemm, a: &[f32], b: &[f32], c: &mut [f32], pa: &mut Vec<f32>, pb: &mut Vec<f32>) {
    let Gemm { m, n, k, trans_a, trans_b, .. } = g;
    // Panels are whole: a block's last panel is padded to NR columns (MR rows) with zeros.
    let nc_max = NC.min(n).div_ceil(NR) * NR;
    let kc_max = KC.min(k);
    let mc_max = MC.min(m).div_ceil(MR) * MR;
    if pb.len() < kc_max * nc_max {
        pb.resize(kc_max * nc_max, 0.0);
    }
    if pa.len() < kc_max * mc_max {
        pa.resize(kc_max * mc_max, 0.0);
    }
    for jc in (0..n).step_by(NC) {
        let nc = NC.min(n - jc);
        for pc in (0..k).step_by(KC) {
            let kc = KC.min(k - pc);
            pack_b(b, n, k, trans_b, pc, kc, jc, nc, pb);
            for ic in (0..m).step_by(MC) {
                let mc = MC.min(m - ic);
                pack_a(a, m, k, trans_a, ic, mc, pc, kc, pa);
                for jr in (0..nc).step_by(NR) {
                    let cols = NR.min(nc - jr);
                    let bp = &pb[jr * kc..(jr + NR) * kc];
                    for ir in (0..mc).step_by(MR) {
                        let rows = MR.min(mc - ir);
                        let ap = &pa[ir * kc..(ir + MR) * kc];
                        let c0 = (ic + ir) * n + jc + jr;
                        tile(kc, ap, bp, &mut c[c0..], n, rows, cols);
                    }
                }
            }
        }
    }
}

/// Packs `op(A)[ic..ic+mc, pc..pc+kc]` into panels of `MR` rows: panel `q` holds, for each `p`,
/// the `MR` values of rows `ic+q·MR..` at column `pc+p` (zero past the last row).
#[allow(clippy::too_many_arguments)]
fn pack_a(a: &[f32], m: usize, k: usize, trans: bool, ic: usize, mc: usize, pc: usize, kc: usize, out: &mut [f32]) {
    for (q, i0) in (0..mc).step_by(MR).enumerate() {
        let rows = MR.min(mc - i0);
        let panel = &mut out[q * MR * kc..(q + 1) * MR * kc];
        if trans {
            // A is stored k×m: the MR values of one column are contiguous.
            for p in 0..kc {
                let src = &a[(pc + p) * m + ic + i0..][..rows];
                let dst = &mut panel[p * MR..(p + 1) * MR];
                dst[..rows].copy_from_slice(src);
                dst[rows..].fill(0.0);
            }
        } else {
            for r in 0..MR {
                if r < rows {
                    let src = &a[(ic + i0 + r) * k + pc..][..kc];
                    for (p, &v) in src.iter().enumerate() {
                        panel[p * MR + r] = v;
                    }
                } else {
                    for p in 0..kc {
                        panel[p * MR + r] = 0.0;
                    }
                }
            }
        }
    }
}

/// Packs `op(B)[pc..pc+kc, jc..jc+nc]` into panels of `NR` columns: panel `q` holds, for each
/// `p`, the `NR` values of row `pc+p` at columns `jc+q·NR..` (zero past the last column).
#[allow(clippy::too_many_arguments)]
fn pack_b(b: &[f32], n: usize, k: usize, trans: bool, pc: usize, kc: usize, jc: usize, nc: usize, out: &mut [f32]) {
    for (q, j0) in (0..nc).step_by(NR).enumerate() {
        let cols = NR.min(nc - j0);
        let panel = &mut out[q * NR * kc..(q + 1) * NR * kc];
        if trans {
            // B is stored n×k: one column of op(B) is a contiguous row of B.
            for c in 0..NR {
                if c < cols {
                    let src = &b[(jc + j0 + c) * k + pc..][..kc];
                    for (p, &v) in src.iter().enumerate() {
                        panel[p * NR + c] = v;
                    }
                } else {
                    for p in 0..kc {
                        panel[p * NR + c] = 0.0;
                    }
                }
            }
        } else {
            for p in 0..kc {
                let src = &b[(pc + p) * n + jc + j0..][..cols];
                let dst = &mut panel[p * NR..(p + 1) * NR];
                dst[..cols].copy_from_slice(src);
                dst[cols..].fill(0.0);
            }
        }
    }
}

/// `C[..rows, ..cols] += Apanel·Bpanel` for one micro-tile; `c` starts at the tile's corner and
/// has row stride `ldc`.
#[inline]
fn tile(kc: usize, ap: &[f32], bp: &[f32], c: &mut [f32], ldc: usize, rows: usize, cols: usize) {
    assert!(ap.len() >= kc * MR && bp.len() >= kc * NR && rows <= MR && cols <= NR);
    assert!(rows > 0 && c.len() >= (rows - 1) * ldc + cols);
    // SAFETY: the panels hold `kc` steps of `MR` and `NR` floats (asserted above).
    let acc = unsafe { micro_kernel(kc, ap.as_ptr(), bp.as_ptr()) };
    if rows == MR && cols == NR {
        for (r, row) in acc.iter().enumerate() {
            let cr = &mut c[r * ldc..r * ldc + NR];
            for (v, x) in row.iter().enumerate() {
                let cv = &mut cr[4 * v..4 * v + 4];
                // SAFETY: `cv` is 4 floats.
                unsafe { F4::load(cv.as_ptr()).add(*x).store(cv.as_mut_ptr()) };
            }
        }
    } else {
        let mut t = [0.0f32; MR * NR];
        for (r, row) in acc.iter().enumerate() {
            for (v, x) in row.iter().enumerate() {
                // SAFETY: 4 floats inside `t`.
                unsafe { x.store(t[r * NR + 4 * v..].as_mut_ptr()) };
            }
        }
        for r in 0..rows {
            for (cj, &tj) in c[r * ldc..r * ldc + cols].iter_mut().zip(&t[r * NR..]) {
                *cj += tj;
            }
        }
    }
}

/// The register tile: `MR × NV` vectors of partial sums over `kc` steps of the packed panels.
///
/// # Safety
/// `ap` must point at `kc·MR` floats and `bp` at `kc·NR` floats.
#[inline(always)]
unsafe fn micro_kernel(kc: usize, mut ap: *const f32, mut bp: *const f32) -> [[F4; NV]; MR] {
    let mut acc = [[F4::zero(); NV]; MR];
    // Not unrolled: in V8, unrolling by 2 or 4 (and 6×8 or 4×12 tiles) measured 30–40 % slower,
    // as the longer live ranges spill registers.
    for _ in 0..kc {
        unsafe {
            kernel_step(&mut acc, ap, bp);
            ap = ap.add(MR);
            bp = bp.add(NR);
        }
    }
    acc
}

/// One step of the register tile: `acc[r] += A[r]·B` for one column of the packed `A` panel and
/// one row of the packed `B` panel.
#[inline(always)]
unsafe fn kernel_step(acc: &mut [[F4; NV]; MR], ap: *const f32, bp: *const f32) {
    let mut bv = [F4::zero(); NV];
    for (v, b) in bv.iter_mut().enumerate() {
        *b = unsafe { F4::load(bp.add(4 * v)) };
    }
    for (r, row) in acc.iter_mut().enumerate() {
        let a = F4::splat(unsafe { *ap.add(r) });
        for (x, &b) in row.iter_mut().zip(&bv) {
            *x = x.add(a.mul(b));
        }
    }
}

pub(crate) use simd::F4;

/// A vector of four `f32`: wasm `simd128`, SSE on x86-64, plain arrays elsewhere. Only lanewise
/// operations, so every target computes bit-identical results.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd {
    use core::arch::wasm32::*;

    #[derive(Clone, Copy)]
    pub struct F4(v128);

    impl F4 {
        #[inline(always)]
        pub fn zero() -> Self {
            F4(f32x4_splat(0.0))
        }
        #[inline(always)]
        pub fn splat(x: f32) -> Self {
            F4(f32x4_splat(x))
        }
        /// # Safety
        /// `p` must point at 4 readable floats (any alignment).
        #[inline(always)]
        pub unsafe fn load(p: *const f32) -> Self {
            F4(unsafe { v128_load(p as *const v128) })
        }
        /// # Safety
        /// `p` must point at 4 writable floats (any alignment).
        #[inline(always)]
        pub unsafe fn store(self, p: *mut f32) {
            unsafe { v128_store(p as *mut v128, self.0) }
        }
        #[inline(always)]
        pub fn add(self, o: Self) -> Self {
            F4(f32x4_add(self.0, o.0))
        }
        #[inline(always)]
        pub fn mul(self, o: Self) -> Self {
            F4(f32x4_mul(self.0, o.0))
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod simd {
    use core::arch::x86_64::*;

    #[derive(Clone, Copy)]
    pub struct F4(__m128);

    // SSE is part of the x86-64 baseline, so these intrinsics are always available.
    impl F4 {
        #[inline(always)]
        pub fn zero() -> Self {
            F4(unsafe { _mm_setzero_ps() })
        }
        #[inline(always)]
        pub fn splat(x: f32) -> Self {
            F4(unsafe { _mm_set1_ps(x) })
        }
        /// # Safety
        /// `p` must point at 4 readable floats (any alignment).
        #[inline(always)]
        pub unsafe fn load(p: *const f32) -> Self {
            F4(unsafe { _mm_loadu_ps(p) })
        }
        /// # Safety
        /// `p` must point at 4 writable floats (any alignment).
        #[inline(always)]
        pub unsafe fn store(self, p: *mut f32) {
            unsafe { _mm_storeu_ps(p, self.0) }
        }
        #[inline(always)]
        pub fn add(self, o: Self) -> Self {
            F4(unsafe { _mm_add_ps(self.0, o.0) })
        }
        #[inline(always)]
        pub fn mul(self, o: Self) -> Self {
            F4(unsafe { _mm_mul_ps(self.0, o.0) })
        }
    }
}

#[cfg(not(any(all(target_arch = "wasm32", target_feature = "simd128"), target_arch = "x86_64")))]
mod simd {
    #[derive(Clone, Copy)]
    pub struct F4([f32; 4]);

    impl F4 {
        #[inline(always)]
        pub fn zero() -> Self {
            F4([0.0; 4])
        }
        #[inline(always)]
        pub fn splat(x: f32) -> Self {
            F4([x; 4])
        }
        /// # Safety
        /// `p` must point at 4 readable floats (any alignment).
        #[inline(always)]
        pub unsafe fn load(p: *const f32) -> Self {
            F4(unsafe { (p as *const [f32; 4]).read_unaligned() })
        }
        /// # Safety
        /// `p` must point at 4 writable floats (any alignment).
        #[inline(always)]
        pub unsafe fn store(self, p: *mut f32) {
            unsafe { (p as *mut [f32; 4]).write_unaligned(self.0) }
        }
        #[inline(always)]
        pub fn add(self, o: Self) -> Self {
            F4(std::array::from_fn(|i| self.0[i] + o.0[i]))
        }
        #[inline(always)]
        pub fn mul(self, o: Self) -> Self {
            F4(std::array::from_fn(|i| self.0[i] * o.0[i]))
        }
    }
}
