//! Datasets: deterministic, well-formed, and clear about bad input.

use crate::common::mnist_bytes;
use explr::data::{BatchOrder, Dataset, DatasetKind};

#[test]
fn synthetic_sets_are_deterministic_and_balanced() {
    for kind in [
        DatasetKind::Spirals,
        DatasetKind::Circles,
        DatasetKind::Xor,
        DatasetKind::Blobs,
    ] {
        let a = Dataset::synthetic(kind, 600, 3).unwrap();
        let b = Dataset::synthetic(kind, 600, 3).unwrap();
        let c = Dataset::synthetic(kind, 600, 4).unwrap();
        assert_eq!(a, b, "{kind:?}");
        assert_ne!(a.features, c.features, "{kind:?}");
        assert_eq!(a.len(), 600);
        for class in 0..a.classes as u8 {
            let n = a.labels.iter().filter(|&&l| l == class).count();
            assert!(n > 600 / a.classes / 2, "{kind:?} class {class}: {n}");
        }
        assert!(a.features.iter().all(|v| v.is_finite() && v.abs() < 3.0));
    }
}

#[test]
fn batch_order_covers_each_epoch_once() {
    let mut order = BatchOrder::new(100, 32, 9).unwrap();
    assert_eq!(order.steps_per_epoch(), 3);
    for _ in 0..2 {
        let mut seen: Vec<usize> = (0..3).flat_map(|_| order.next_batch().to_vec()).collect();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 96);
    }
    assert!(BatchOrder::new(10, 11, 0).is_err());
}

#[test]
fn bundled_mnist_loads() {
    let d = Dataset::mnist_from_bytes(&mnist_bytes()).unwrap();
    assert!(d.len() >= 10_000, "{}", d.len());
    assert_eq!(d.sample_shape, [1, 28, 28]);
    for digit in 0..10u8 {
        assert!(d.labels.iter().filter(|&&l| l == digit).count() > 800);
    }
    let mean = d.features.iter().map(|&v| v as f64).sum::<f64>() / d.features.len() as f64;
    assert!(mean.abs() < 0.2, "standardised pixels have mean {mean}");
}

#[test]
fn malformed_mnist_is_rejected_with_a_message() {
    let e = Dataset::mnist_from_bytes(b"hello").unwrap_err().to_string();
    assert!(e.contains("magic"), "{e}");
    let mut bytes = mnist_bytes();
    bytes.truncate(5000);
    let e = Dataset::mnist_from_bytes(&bytes).unwrap_err().to_string();
    assert!(e.contains("truncated"), "{e}");
    assert!(DatasetKind::parse("cifar").is_err());
}
