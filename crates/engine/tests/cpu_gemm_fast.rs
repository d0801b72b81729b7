//! The CPU backend's fast `f32` GEMM (packed panels, SIMD micro-kernel) against the plain
//! reference loops, on shapes that hit every edge: tiles cut by the matrix border, blocks cut
//! in depth (k > 256), in columns (n > 512) and in rows (m > 64), every transpose combination,
//! with and without accumulation and bias.

use engine::backend::Gemm;
use engine::backend::cpu::gemm::{gemm, gemm_f32, gemm_f32_packed, gemm_reference};
use engine::rng::Rng;

const SHAPES: [(usize, usize, usize); 10] = [
    (1, 1, 1),
    (17, 3, 5),
    (4, 8, 1),
    (5, 9, 2),
    (33, 65, 70),
    (64, 64, 64),
    (8, 13, 530),
    (70, 600, 40),
    (130, 7, 19),
    (257, 129, 300),
];

fn values(rng: &mut Rng, len: usize) -> Vec<f32> {
    (0..len).map(|_| rng.uniform(-1.0, 1.0) as f32).collect()
}

type Kernel = fn(Gemm, &[f32], &[f32], Option<&[f32]>, &mut [f32]);

/// Runs `kernel` and the f64 reference on the same inputs and checks every element within a
/// tolerance scaled by the sum of |terms| (f32 rounding of a k-term sum in any order).
fn check(kernel: Kernel, name: &str) {
    let mut rng = Rng::new(42);
    for &(m, n, k) in &SHAPES {
        for (ta, tb) in [(false, false), (false, true), (true, false), (true, true)] {
            for accumulate in [false, true] {
                for with_bias in [false, true] {
                    let g = Gemm { m, n, k, trans_a: ta, trans_b: tb, accumulate };
                    let a = values(&mut rng, m * k);
                    let b = values(&mut rng, k * n);
                    let bias = values(&mut rng, n);
                    // One extra float past the end must stay untouched.
                    let c0 = values(&mut rng, m * n + 1);
                    let mut c = c0.clone();
                    kernel(g, &a, &b, with_bias.then_some(&bias[..]), &mut c);

                    let wide = |v: &[f32]| v.iter().map(|&x| x as f64).collect::<Vec<f64>>();
                    let (a64, b64, bias64) = (wide(&a), wide(&b), wide(&bias));
                    let mut want = wide(&c0);
                    gemm_reference(g, &a64, &b64, with_bias.then_some(&bias64[..]), &mut want);
                    let abs_a: Vec<f64> = a64.iter().map(|x| x.abs()).collect();
                    let abs_b: Vec<f64> = b64.iter().map(|x| x.abs()).collect();
                    let mut scale = vec![0.0f64; m * n + 1];
                    gemm_reference(Gemm { accumulate: false, ..g }, &abs_a, &abs_b, None, &mut scale);

                    let what = format!("{name}: {m}x{n}x{k} trans ({ta}, {tb}) accumulate {accumulate} bias {with_bias}");
                    for i in 0..m * n {
                        // The classic bound for a sum of k + 3 rounded terms in any order: (k + 3)·u·Σ|terms|.
                        let tol = 6e-8 * (k as f64 + 4.0) * (scale[i] + 2.0);
                        let err = (c[i] as f64 - want[i]).abs();
                        assert!(err <= tol, "{what}: c[{}][{}] = {} but the reference gives {} (tolerance {tol:e})", i / n, i % n, c[i], want[i]);
                    }
                    assert_eq!(c[m * n].to_bits(), c0[m * n].to_bits(), "{what}: wrote past m·n");
                }
            }
        }
    }
}

#[test]
fn packed_path_matches_the_reference_on_every_shape_and_layout() {
    check(gemm_f32_packed, "packed");
}

#[test]
fn dispatching_path_matches_the_reference() {
    check(gemm_f32, "gemm_f32");
    check(gemm::<f32>, "gemm::<f32>");
}

#[test]
fn fast_path_is_deterministic_and_independent_of_earlier_calls() {
    let mut rng = Rng::new(7);
    let (m, n, k) = (257, 129, 300);
    let g = Gemm { m, n, k, trans_a: false, trans_b: true, accumulate: false };
    let a = values(&mut rng, m * k);
    let b = values(&mut rng, k * n);
    let mut first = vec![0.0f32; m * n];
    gemm_f32(g, &a, &b, None, &mut first);
    // A different product in between leaves other contents in the packing buffers.
    let mut other = vec![0.0f32; 600 * 70];
    gemm_f32(Gemm { m: 70, n: 600, k: 40, trans_a: true, trans_b: false, accumulate: false }, &a, &b, None, &mut other);
    let mut again = vec![1.0f32; m * n];
    gemm_f32(g, &a, &b, None, &mut again);
    assert!(first.iter().zip(&again).all(|(x, y)| x.to_bits() == y.to_bits()), "two runs of the same product differ");
}

#[test]
fn non_finite_inputs_propagate() {
    // A NaN in A must reach its row of C (a zero-skipping or max-based shortcut would hide it).
    let (m, n, k) = (9, 10, 70);
    let mut a = vec![0.5f32; m * k];
    let b = vec![0.25f32; k * n];
    a[3 * k + 5] = f32::NAN;
    let mut c = vec![0.0f32; m * n];
    gemm_f32_packed(Gemm { m, n, k, trans_a: false, trans_b: false, accumulate: false }, &a, &b, None, &mut c);
    for i in 0..m {
        for j in 0..n {
            assert_eq!(c[i * n + j].is_nan(), i == 3, "c[{i}][{j}] = {}", c[i * n + j]);
        }
    }
}
