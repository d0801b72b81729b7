//! A small seeded random number generator, so that one seed gives the same run everywhere.
//!
//! The engine does not use the `rand` crate: its streams may change between versions and
//! platforms, and a share link must replay exactly, natively and in the browser, years later.
//! SplitMix64 is tiny, passes BigCrush, and needs only 64-bit integer arithmetic, which behaves
//! identically on every target.

/// SplitMix64 with uniform and normal samplers.
///
/// ```
/// use engine::rng::Rng;
/// let mut a = Rng::new(7);
/// let mut b = Rng::new(7);
/// assert_eq!(a.next_u64(), b.next_u64());
/// let u = a.uniform(-1.0, 1.0);
/// assert!((-1.0..1.0).contains(&u));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rng {
    state: u64,
}

/// What each independent stream of a run is used for. Separate streams keep, for example, the
/// data set unchanged when the user only changes the batch size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u64)]
pub enum Stream {
    Data = 1,
    Split = 2,
    Init = 3,
    Shuffle = 4,
}

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

impl Rng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Rng { state: seed }
    }

    /// The generator for one [`Stream`] of the run seeded with `seed`.
    pub fn stream(seed: u64, stream: Stream) -> Self {
        // Mixing the stream tag through one SplitMix output decorrelates neighbouring seeds.
        let mut mix = Rng::new(seed ^ (stream as u64).wrapping_mul(0xD1B5_4A32_D192_ED03));
        Rng::new(mix.next_u64())
    }

    /// The generator's whole state, to save a run and resume it later ([`Rng::from_state`]).
    pub fn state(&self) -> u64 {
        self.state
    }

    /// A generator that continues exactly where the one whose [`Rng::state`] this was stood.
    pub fn from_state(state: u64) -> Self {
        Rng { state }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GOLDEN);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`, with 53 random bits.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in `[a, b)`.
    pub fn uniform(&mut self, a: f64, b: f64) -> f64 {
        a + (b - a) * self.next_f64()
    }

    /// Uniform integer in `0..n` (`n > 0`), without modulo bias worth speaking of (Lemire's
    /// multiply-shift; the bias is below 2⁻³² for the sizes used here).
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() as u128 * n as u128) >> 64) as usize
    }

    /// Normal with the given mean and standard deviation (Marsaglia's polar method, which needs no
    /// trigonometry and so gives bit-identical results on every platform's libm for `sqrt`/`ln`).
    pub fn normal(&mut self, mean: f64, std: f64) -> f64 {
        loop {
            let v1 = 2.0 * self.next_f64() - 1.0;
            let v2 = 2.0 * self.next_f64() - 1.0;
            let s = v1 * v1 + v2 * v2;
            if s > 0.0 && s < 1.0 {
                return mean + std * (-2.0 * s.ln() / s).sqrt() * v1;
            }
        }
    }

    /// Fisher–Yates shuffle in place.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}
