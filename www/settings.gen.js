// Generated from src/settings.rs by `cargo run --release -- schema > www/settings.gen.js`: do not edit.
// The engine's settings: keys, kinds, ranges and defaults.
export const SCHEMA = {
  "csv": [
    {
      "cell": "value",
      "metric": "loss",
      "name": "loss"
    },
    {
      "cell": "value",
      "metric": "accuracy",
      "name": "accuracy"
    },
    {
      "cell": "log10",
      "metric": "ln_lr",
      "name": "log10_lr"
    },
    {
      "cell": "log10",
      "metric": "ln_weight_norm",
      "name": "log10_weight_norm"
    },
    {
      "cell": "log10",
      "metric": "ln_effective_lr",
      "name": "log10_effective_lr"
    },
    {
      "cell": "exp",
      "metric": "ln_lr",
      "name": "lr"
    },
    {
      "cell": "exp",
      "metric": "ln_weight_norm",
      "name": "weight_norm"
    },
    {
      "cell": "exp",
      "metric": "ln_effective_lr",
      "name": "effective_lr"
    },
    {
      "cell": "exp",
      "metric": "ln_scale_measured",
      "name": "scale_measured"
    },
    {
      "cell": "exp",
      "metric": "ln_scale_predicted",
      "name": "scale_predicted"
    },
    {
      "cell": "value",
      "metric": "rel_weight_error",
      "name": "rel_weight_error"
    },
    {
      "cell": "value",
      "metric": "angle",
      "name": "angle"
    },
    {
      "cell": "value",
      "metric": "prob_diff",
      "name": "prob_diff"
    },
    {
      "cell": "value",
      "metric": "test_loss",
      "name": "test_loss"
    },
    {
      "cell": "value",
      "metric": "test_accuracy",
      "name": "test_accuracy"
    },
    {
      "cell": "value",
      "metric": "angular_update",
      "name": "angular_update"
    },
    {
      "cell": "value",
      "metric": "equilibrium_angular_update",
      "name": "equilibrium_angular_update"
    },
    {
      "cell": "exp",
      "metric": "ln_grad_weight_ratio",
      "name": "grad_weight_ratio"
    },
    {
      "cell": "value",
      "metric": "equilibrium_grad_weight_ratio",
      "name": "equilibrium_grad_weight_ratio"
    },
    {
      "cell": "value",
      "metric": "spikes",
      "name": "spikes"
    },
    {
      "cell": "value",
      "metric": "spike_period",
      "name": "spike_period"
    }
  ],
  "defaults": {
    "batch": 64,
    "chaos": true,
    "dataset": "circles",
    "eta": 0.1,
    "factor": 0.1,
    "floor": 0.001,
    "init": "exact",
    "lrs": [],
    "milestones": [
      300,
      600
    ],
    "momentum": 0.9,
    "net": "invariant",
    "norm": "batch",
    "precision": "f64",
    "samples": 1200,
    "schedule": "constant",
    "seed": 1,
    "sweep_eta": [],
    "sweep_twins": false,
    "sweep_wd": [],
    "texp": "exact",
    "total": 1000,
    "warmup": 0,
    "wd": 0.0005,
    "wd_schedule": "constant"
  },
  "fields": [
    {
      "key": "eta",
      "kind": "number",
      "max": 1.0,
      "min": 0.0001
    },
    {
      "key": "wd",
      "kind": "number",
      "max": 0.05,
      "min": 0.0
    },
    {
      "key": "momentum",
      "kind": "number",
      "max": 0.99,
      "min": 0.0
    },
    {
      "key": "schedule",
      "kind": "enum",
      "values": [
        "constant",
        "step",
        "cosine",
        "linear",
        "list"
      ]
    },
    {
      "key": "milestones",
      "kind": "list",
      "max": 10000000.0,
      "min": 1.0
    },
    {
      "key": "factor",
      "kind": "number",
      "max": 1.0,
      "min": 0.01
    },
    {
      "key": "warmup",
      "kind": "int",
      "max": 10000000.0,
      "min": 0.0
    },
    {
      "key": "floor",
      "kind": "number",
      "max": 1.0,
      "min": 1e-6
    },
    {
      "key": "total",
      "kind": "int",
      "max": 10000000.0,
      "min": 1.0
    },
    {
      "key": "lrs",
      "kind": "numbers",
      "max": 1.0,
      "min": 1e-6
    },
    {
      "key": "wd_schedule",
      "kind": "enum",
      "values": [
        "constant",
        "tied"
      ]
    },
    {
      "key": "texp",
      "kind": "enum",
      "values": [
        "exact",
        "approx"
      ]
    },
    {
      "key": "init",
      "kind": "enum",
      "values": [
        "exact",
        "naive"
      ]
    },
    {
      "key": "norm",
      "kind": "enum",
      "values": [
        "batch",
        "group",
        "layer",
        "instance",
        "none"
      ]
    },
    {
      "key": "net",
      "kind": "enum",
      "values": [
        "invariant",
        "standard"
      ]
    },
    {
      "key": "dataset",
      "kind": "enum",
      "values": [
        "circles",
        "spirals",
        "xor",
        "blobs",
        "mnist"
      ]
    },
    {
      "key": "samples",
      "kind": "int",
      "max": 20000.0,
      "min": 240.0
    },
    {
      "key": "batch",
      "kind": "int",
      "max": 512.0,
      "min": 8.0
    },
    {
      "key": "seed",
      "kind": "int",
      "max": 1000000000.0,
      "min": 0.0
    },
    {
      "key": "chaos",
      "kind": "bool"
    },
    {
      "key": "precision",
      "kind": "enum",
      "values": [
        "f64",
        "f32"
      ]
    },
    {
      "key": "sweep_eta",
      "kind": "numbers",
      "max": 1.0,
      "min": 0.0001
    },
    {
      "key": "sweep_wd",
      "kind": "numbers",
      "max": 0.05,
      "min": 1e-6
    },
    {
      "key": "sweep_twins",
      "kind": "bool"
    }
  ],
  "max_list": 8,
  "packed": {
    "header": 3,
    "scalars": [
      "loss",
      "accuracy",
      "ln_lr",
      "ln_weight_norm",
      "effective_lr",
      "ln_effective_lr",
      "ln_scale_measured",
      "ln_scale_predicted",
      "rel_weight_error",
      "angle",
      "prob_diff",
      "ln_stored_scale",
      "angular_update",
      "equilibrium_angular_update",
      "ln_grad_weight_ratio",
      "equilibrium_grad_weight_ratio",
      "spikes",
      "test_accuracy",
      "test_loss",
      "spike_period"
    ]
  },
  "sweep": {
    "settled_fraction": 0.25
  },
  "test_samples": 200,
  "toy": {
    "defaults": {
      "toy": "bn_regression",
      "toyeta": 0.5,
      "toysteps": 200,
      "toywd": 0.1
    },
    "fields": [
      {
        "key": "toy",
        "kind": "enum",
        "values": [
          "bn_regression",
          "plain_regression",
          "ratio"
        ]
      },
      {
        "key": "toyeta",
        "kind": "number",
        "max": 2.0,
        "min": 0.01
      },
      {
        "key": "toywd",
        "kind": "number",
        "max": 1.0,
        "min": 0.0
      },
      {
        "key": "toysteps",
        "kind": "int",
        "max": 5000.0,
        "min": 1.0
      }
    ]
  }
};
