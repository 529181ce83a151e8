//! Deterministic datasets (seeded 2-D synthetic sets and bundled MNIST digits) and the one
//! minibatch order that every run of a lockstep experiment shares.

use crate::error::ExplrError;

/// A small deterministic PRNG (SplitMix64): the same seed gives the same data on every platform.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x5851_F42D_4C95_7F2D)
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.uniform();
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// Uniform integer in [0, n).
    pub fn below(&mut self, n: usize) -> usize {
        (self.uniform() * n as f64) as usize % n.max(1)
    }

    /// Fisher–Yates shuffle.
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            v.swap(i, self.below(i + 1));
        }
    }
}

/// Which dataset to train on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DatasetKind {
    /// Two interleaved spirals.
    Spirals,
    /// Two concentric circles.
    Circles,
    /// The four quadrants labelled like XOR.
    Xor,
    /// Three Gaussian blobs.
    Blobs,
    /// Handwritten digits, 28×28 (bundled subset of MNIST).
    Mnist,
}

impl DatasetKind {
    /// Every dataset, in menu order.
    pub const ALL: [DatasetKind; 5] = [
        DatasetKind::Spirals,
        DatasetKind::Circles,
        DatasetKind::Xor,
        DatasetKind::Blobs,
        DatasetKind::Mnist,
    ];

    /// Parses a lowercase name.
    pub fn parse(s: &str) -> Result<Self, ExplrError> {
        Self::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| {
                ExplrError::OutOfRange(format!(
                    "unknown dataset '{s}': expected spirals, circles, xor, blobs or mnist"
                ))
            })
    }

    /// Lowercase name.
    pub fn name(self) -> &'static str {
        match self {
            DatasetKind::Spirals => "spirals",
            DatasetKind::Circles => "circles",
            DatasetKind::Xor => "xor",
            DatasetKind::Blobs => "blobs",
            DatasetKind::Mnist => "mnist",
        }
    }

    /// Whether samples are 2-D points (otherwise images).
    pub fn is_2d(self) -> bool {
        self != DatasetKind::Mnist
    }
}

/// A labelled dataset held in host memory.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// Features, sample-major, `len() * sample_len()` values.
    pub features: Vec<f32>,
    /// Class labels.
    pub labels: Vec<u8>,
    /// Shape of one sample as [channels, height, width] ([2, 1, 1] for 2-D points).
    pub sample_shape: [usize; 3],
    /// Number of classes.
    pub classes: usize,
}

impl Dataset {
    /// Number of samples.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Values per sample.
    pub fn sample_len(&self) -> usize {
        self.sample_shape.iter().product()
    }

    /// Gathers the samples at `idx` into (features, labels).
    pub fn gather(&self, idx: &[usize]) -> (Vec<f32>, Vec<u8>) {
        let n = self.sample_len();
        let mut x = Vec::with_capacity(idx.len() * n);
        let mut y = Vec::with_capacity(idx.len());
        for &i in idx {
            x.extend_from_slice(&self.features[i * n..(i + 1) * n]);
            y.push(self.labels[i]);
        }
        (x, y)
    }

    /// A 2-D synthetic dataset of `n` points from `seed`.
    pub fn synthetic(kind: DatasetKind, n: usize, seed: u64) -> Result<Self, ExplrError> {
        let mut rng = Rng::new(seed);
        let mut features = Vec::with_capacity(2 * n);
        let mut labels = Vec::with_capacity(n);
        let classes = match kind {
            DatasetKind::Blobs => 3,
            DatasetKind::Mnist => {
                return Err(ExplrError::Data(
                    "MNIST is loaded from its bundled file, not generated".into(),
                ));
            }
            _ => 2,
        };
        for i in 0..n {
            let c = i % classes;
            let (x, y) = match kind {
                DatasetKind::Spirals => {
                    let r = rng.uniform();
                    let a = 3.0 * std::f64::consts::PI * r + c as f64 * std::f64::consts::PI;
                    (
                        r * a.cos() + 0.05 * rng.normal(),
                        r * a.sin() + 0.05 * rng.normal(),
                    )
                }
                DatasetKind::Circles => {
                    let r = if c == 0 { 0.4 } else { 0.9 } + 0.08 * rng.normal();
                    let a = std::f64::consts::TAU * rng.uniform();
                    (r * a.cos(), r * a.sin())
                }
                DatasetKind::Xor => {
                    let (x, y) = (2.0 * rng.uniform() - 1.0, 2.0 * rng.uniform() - 1.0);
                    labels.push(u8::from((x > 0.0) != (y > 0.0)));
                    features.extend([x as f32, y as f32]);
                    continue;
                }
                DatasetKind::Blobs => {
                    let a = std::f64::consts::TAU * c as f64 / 3.0;
                    (
                        0.6 * a.cos() + 0.25 * rng.normal(),
                        0.6 * a.sin() + 0.25 * rng.normal(),
                    )
                }
                DatasetKind::Mnist => unreachable!("rejected above"),
            };
            features.extend([x as f32, y as f32]);
            labels.push(c as u8);
        }
        Ok(Dataset {
            features,
            labels,
            sample_shape: [2, 1, 1],
            classes,
        })
    }

    /// Parses the bundled MNIST file (see `scripts/pack-mnist.mjs`): the magic `EXPLRMN1`, a
    /// little-endian u32 count, then per digit one label byte and 784 pixel bytes. Pixels are
    /// standardised with MNIST's usual mean 0.1307 and deviation 0.3081.
    pub fn mnist_from_bytes(bytes: &[u8]) -> Result<Self, ExplrError> {
        const MAGIC: &[u8] = b"EXPLRMN1";
        const PIXELS: usize = 28 * 28;
        if bytes.len() < 12 || &bytes[..8] != MAGIC {
            return Err(ExplrError::Data(
                "not an explr MNIST file (bad magic); rebuild it with `npm run data`".into(),
            ));
        }
        let n = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize;
        let body = &bytes[12..];
        if body.len() != n * (PIXELS + 1) {
            return Err(ExplrError::Data(format!(
                "MNIST file is truncated: {} bytes for {n} digits, expected {}",
                body.len(),
                n * (PIXELS + 1)
            )));
        }
        let mut features = Vec::with_capacity(n * PIXELS);
        let mut labels = Vec::with_capacity(n);
        for rec in body.chunks_exact(PIXELS + 1) {
            if rec[0] > 9 {
                return Err(ExplrError::Data(format!("bad MNIST label {}", rec[0])));
            }
            labels.push(rec[0]);
            features.extend(
                rec[1..]
                    .iter()
                    .map(|&p| ((p as f32 / 255.0) - 0.1307) / 0.3081),
            );
        }
        Ok(Dataset {
            features,
            labels,
            sample_shape: [1, 28, 28],
            classes: 10,
        })
    }

    /// Splits into (train, test) after a seeded shuffle, `test` samples going to the test set.
    pub fn split(&self, test: usize, seed: u64) -> (Dataset, Dataset) {
        let mut idx: Vec<usize> = (0..self.len()).collect();
        Rng::new(seed).shuffle(&mut idx);
        let test = test.min(self.len());
        let part = |ids: &[usize]| {
            let (features, labels) = self.gather(ids);
            Dataset {
                features,
                labels,
                sample_shape: self.sample_shape,
                classes: self.classes,
            }
        };
        (part(&idx[test..]), part(&idx[..test]))
    }
}

/// The minibatch order shared by all runs: a seeded permutation per epoch, last partial batch
/// dropped (so every batch-norm batch has the same size).
#[derive(Debug, Clone)]
pub struct BatchOrder {
    n: usize,
    batch: usize,
    seed: u64,
    epoch: u64,
    perm: Vec<usize>,
    pos: usize,
}

impl BatchOrder {
    /// Batches of `batch` indices out of `n` samples.
    pub fn new(n: usize, batch: usize, seed: u64) -> Result<Self, ExplrError> {
        if batch < 2 || batch > n {
            return Err(ExplrError::OutOfRange(format!(
                "batch size {batch}: expected 2 ≤ batch ≤ {n} (the training-set size)"
            )));
        }
        let mut order = BatchOrder {
            n,
            batch,
            seed,
            epoch: 0,
            perm: Vec::new(),
            pos: 0,
        };
        order.reshuffle();
        Ok(order)
    }

    fn reshuffle(&mut self) {
        self.perm = (0..self.n).collect();
        Rng::new(self.seed.wrapping_add(0x1000 * (self.epoch + 1))).shuffle(&mut self.perm);
        self.pos = 0;
    }

    /// Steps per epoch.
    pub fn steps_per_epoch(&self) -> usize {
        self.n / self.batch
    }

    /// Where the order stands: (epoch, position within the epoch's permutation).
    pub fn position(&self) -> (u64, usize) {
        (self.epoch, self.pos)
    }

    /// Moves to `epoch` at position `pos` (as [`position`](Self::position) reported): the
    /// batches that follow are the ones an order that got there by stepping would give.
    pub fn seek(&mut self, epoch: u64, pos: usize) -> Result<(), ExplrError> {
        if pos > self.n {
            return Err(ExplrError::OutOfRange(format!(
                "batch-order position {pos}: expected ≤ {}",
                self.n
            )));
        }
        self.epoch = epoch;
        self.reshuffle();
        self.pos = pos;
        Ok(())
    }

    /// The next minibatch's sample indices.
    pub fn next_batch(&mut self) -> &[usize] {
        if self.pos + self.batch > self.n {
            self.epoch += 1;
            self.reshuffle();
        }
        let start = self.pos;
        self.pos += self.batch;
        &self.perm[start..start + self.batch]
    }
}
