//! Paper §8's toy examples: BN alone or WD alone converge, BN + WD never settles.

use explr::toy::{Toy, gd_path};

#[test]
fn bn_only_converges() {
    let p = gd_path(Toy::BnRegression, [1.0, 0.2], 0.5, 0.0, 2000);
    let w = p.last().unwrap().w;
    assert!(w[0].abs() < 1e-9 && (w[1] - 1.48507).abs() < 1e-5, "{w:?}");
}

#[test]
fn wd_only_converges() {
    let p = gd_path(Toy::PlainRegression, [1.0, 0.2], 0.1, 0.1, 2000);
    let w = p.last().unwrap().w;
    assert!(
        w[0].abs() < 1e-9 && (w[1] - 2.0 / 2.1).abs() < 1e-9,
        "{w:?}"
    );
}

#[test]
fn bn_and_wd_spike_periodically() {
    let p = gd_path(Toy::BnRegression, [1.0, 0.2], 0.5, 0.1, 200);
    assert!(p[10].loss < 1e-12, "loss at t=10: {}", p[10].loss);
    let first = p
        .iter()
        .position(|q| q.loss > 0.1 && q.norm_sq < 1.0)
        .unwrap();
    assert_eq!(first, 31, "first spike above 0.1");
    let spikes: Vec<usize> = (1..p.len())
        .filter(|&t| p[t].loss > 0.1 && p[t - 1].loss <= 0.1)
        .collect();
    assert!(spikes.len() >= 4, "{spikes:?}");
    let period = (spikes[spikes.len() - 1] - spikes[0]) as f64 / (spikes.len() - 1) as f64;
    assert!(
        (20.0..40.0).contains(&period),
        "period {period}, spikes {spikes:?}"
    );
    // The spike comes once ‖w‖² has shrunk below η: the stability circle.
    assert!(p[first - 1].norm_sq < 0.5);
}

#[test]
fn toy_b_needs_no_wd_to_converge() {
    let p = gd_path(Toy::Ratio, [1.0, 1.0], 0.5, 0.0, 5000);
    let n = p.last().unwrap().norm_sq.sqrt();
    assert!((n - 1.511).abs() < 1e-3, "‖w‖ = {n}");
    let q = gd_path(Toy::Ratio, [1.0, 1.0], 0.5, 0.1, 5000);
    let late = q[4000..].iter().map(|x| x.loss).fold(0.0, f64::max);
    assert!(
        late > 1e-3,
        "with WD it never settles: late max loss {late}"
    );
}

#[test]
fn scale_invariant_toys_have_orthogonal_gradients() {
    for toy in [Toy::BnRegression, Toy::Ratio] {
        assert!(toy.is_scale_invariant());
        for w in [[0.3, 1.2], [-2.0, 0.5], [1.0, 1.0]] {
            let g = toy.grad(w);
            assert!((g[0] * w[0] + g[1] * w[1]).abs() < 1e-14);
            assert!((toy.loss(w) - toy.loss([3.0 * w[0], 3.0 * w[1]])).abs() < 1e-14);
        }
    }
}
