// Generated from src/settings.rs by `cargo run --release -- schema > www/settings.gen.js`: do not edit.
// The engine's settings: keys, kinds, ranges and defaults.
export const SCHEMA = {
  "csv": [
    "step",
    "run",
    "loss",
    "accuracy",
    "log10_lr",
    "log10_weight_norm",
    "log10_effective_lr",
    "lr",
    "weight_norm",
    "effective_lr",
    "scale_measured",
    "scale_predicted",
    "rel_weight_error",
    "angle",
    "prob_diff",
    "test_loss",
    "test_accuracy",
    "angular_update",
    "equilibrium_angular_update"
  ],
  "defaults": {
    "batch": 64,
    "chaos": true,
    "dataset": "circles",
    "eta": 0.1,
    "factor": 0.1,
    "init": "exact",
    "milestones": [
      300,
      600
    ],
    "momentum": 0.9,
    "net": "invariant",
    "norm": "batch",
    "precision": "f64",
    "schedule": "constant",
    "seed": 1,
    "sweep_eta": [],
    "sweep_twins": false,
    "sweep_wd": [],
    "texp": "exact",
    "wd": 0.0005
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
        "step"
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
