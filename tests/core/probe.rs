//! Scale invariance measured on the engine (the tour's first two scenes): predictions at c·θ,
//! ‖∇L‖·‖θ‖ and the gradient's radial part; the paper's rescaling applied to a training run.

use crate::common::{ab_experiment, lockstep, max_loss_diff, max_over, train};
use explr::norm::Norm;

#[test]
fn bn_mlp_is_scale_invariant_to_1e_12_and_its_gradient_shrinks_as_one_over_c() {
    let (ls, _) = train(ab_experiment(), "flex", 50);
    let cs = [0.1, 1.0, 10.0];
    let p = ls.scale_points_now(0, &cs).unwrap();
    let at1 = &p[1];
    println!("{p:#?}");
    for q in &p {
        assert!(
            q.prob_diff <= 1e-12,
            "c = {}: predictions differ by {:e}",
            q.c,
            q.prob_diff
        );
        assert!((q.loss - at1.loss).abs() <= 1e-12, "c = {}", q.c);
        let rel = (q.grad_times_weight - at1.grad_times_weight).abs() / at1.grad_times_weight;
        assert!(rel <= 1e-12, "c = {}: ‖∇‖·‖θ‖ moved by {rel:e}", q.c);
        assert!(
            q.radial.abs() <= 1e-12,
            "c = {}: radial part {:e}",
            q.c,
            q.radial
        );
        assert!((q.grad_norm * q.c / at1.grad_norm - 1.0).abs() <= 1e-12);
    }
    assert!(at1.grad_norm > 1e-6, "a real gradient: {}", at1.grad_norm);
}

#[test]
fn without_a_norm_scaling_the_weights_changes_the_predictions() {
    let mut exp = ab_experiment();
    exp.net.norm = Norm::None;
    let (ls, _) = train(exp, "flex", 20);
    let p = ls.scale_points_now(0, &[0.5, 2.0]).unwrap();
    assert!(p.iter().all(|q| q.prob_diff > 1e-3), "{p:#?}");
    assert!(ls.scale_points_now(0, &[0.0]).is_err());
    assert!(ls.scale_points_now(9, &[2.0]).is_err());
}

#[test]
fn a_twin_rescaled_while_it_trains_keeps_its_loss_curve_to_1e_12() {
    let mut ls = lockstep(ab_experiment(), "flex").unwrap();
    let mut m = ls.train(100).unwrap();
    let before = m.last().unwrap().runs[1].clone();
    ls.rescale_visibly(1, 3.0).unwrap();
    m.extend(ls.train(100).unwrap());
    let after = &m[100].runs[1];
    // ‖θ‖ jumped ×3 and η ×9; η/‖θ‖² did not.
    let jump = |a: f64, b: f64| b - a;
    assert!((jump(before.ln_weight_norm, after.ln_weight_norm) - 3f64.ln()).abs() < 0.05);
    assert!((jump(before.ln_lr, after.ln_lr) - 2.0 * 3f64.ln()).abs() < 0.01);
    assert!(jump(before.ln_effective_lr, after.ln_effective_lr).abs() < 0.05);
    // B still is A in function space, step for step.
    let loss = max_loss_diff(&m, 0, 1);
    let rel = max_over(&m, 1, |r| r.rel_weight_error);
    assert!(loss <= 1e-12 && rel <= 1e-12, "loss {loss:e}, rel {rel:e}");
    // A weight-decay run cannot be rescaled this way (λ would have to move too).
    assert!(ls.rescale_visibly(0, 2.0).is_err());
    // A run that is not there, or a factor that is no scale, is an error, not a panic.
    assert!(ls.rescale_visibly(7, 2.0).is_err());
    assert!(ls.rescale_visibly(1, 0.0).is_err() && ls.rescale_visibly(1, f64::NAN).is_err());
}
