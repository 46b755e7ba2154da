//! Times one [`fit_logistic`] on a data folder written by `benches/fit_speed.py`,
//! for the side-by-side comparison with scikit-learn.
//!
//! The folder holds `x.f64` (n rows x d columns, little-endian f64, row-major),
//! `y.u8` (n bytes, 0 or 1) and `meta.json` (`{"n": .., "d": ..}`).
//!
//! ```sh
//! cargo run --release -p leadscore-model --example fit_speed -- DIR --l2 1e-4 --tolerance 1e-5
//! ```
//!
//! Only the fit is timed. One JSON line is printed: the seconds, the data shape,
//! the settings, and the final objective `mean log loss + l2 / 2 * |w|^2` (the
//! two terms also separately) with the mean gradient's L2 norm and largest
//! component, all computed on the data with the fitted weights, and the weights.

use std::error::Error;
use std::path::{Path, PathBuf};
use std::time::Instant;

use leadscore_model::{Linear, Solver, SolverSettings, fit_logistic};
use ndarray::{Array2, ArrayView2};
use serde_json::json;

/// The command line: the data folder and the solver settings.
struct Args {
    dir: PathBuf,
    l2: f64,
    tolerance: f64,
    max_iterations: u64,
    solver: Solver,
    threads: Option<usize>,
}

const USAGE: &str = "usage: fit_speed DIR [--l2 1e-4] [--tolerance 1e-5] [--max-iterations 1000] [--solver fused|linfa] [--threads N]";

fn parse_args() -> Result<Args, Box<dyn Error>> {
    let mut dir = None;
    let mut l2 = 1e-4;
    let mut tolerance = 1e-5;
    let mut max_iterations = 1000;
    let mut solver = Solver::Fused;
    let mut threads = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .ok_or_else(|| format!("{arg} needs a value\n{USAGE}"))
        };
        match arg.as_str() {
            "--l2" => l2 = value()?.parse()?,
            "--tolerance" => tolerance = value()?.parse()?,
            "--max-iterations" => max_iterations = value()?.parse()?,
            "--threads" => threads = Some(value()?.parse()?),
            "--solver" => {
                solver = match value()?.as_str() {
                    "fused" => Solver::Fused,
                    "linfa" => Solver::LinfaLogistic,
                    other => return Err(format!("unknown solver {other}\n{USAGE}").into()),
                }
            }
            "-h" | "--help" => return Err(USAGE.into()),
            _ if dir.is_none() && !arg.starts_with("--") => dir = Some(PathBuf::from(arg)),
            _ => return Err(format!("unexpected argument {arg}\n{USAGE}").into()),
        }
    }
    let dir = dir.ok_or(USAGE)?;
    Ok(Args {
        dir,
        l2,
        tolerance,
        max_iterations,
        solver,
        threads,
    })
}

/// The bytes of one file of the folder; a failure names the file.
fn read_file(dir: &Path, name: &str) -> Result<Vec<u8>, Box<dyn Error>> {
    let path = dir.join(name);
    std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()).into())
}

/// Reads the folder: the feature matrix and the outcomes.
fn read_data(dir: &Path) -> Result<(Array2<f64>, Vec<bool>), Box<dyn Error>> {
    let meta: serde_json::Value = serde_json::from_slice(&read_file(dir, "meta.json")?)?;
    let dim = |key: &str| -> Result<usize, Box<dyn Error>> {
        let v = meta
            .get(key)
            .and_then(serde_json::Value::as_u64)
            .ok_or_else(|| format!("meta.json: no integer `{key}`"))?;
        Ok(usize::try_from(v)?)
    };
    let (n, d) = (dim("n")?, dim("d")?);
    let bytes = read_file(dir, "x.f64")?;
    if bytes.len() != n * d * 8 {
        return Err(format!("x.f64 has {} bytes, expected {n} x {d} x 8", bytes.len()).into());
    }
    let values = bytes
        .chunks_exact(8)
        .map(|c| c.try_into().map(f64::from_le_bytes))
        .collect::<Result<Vec<f64>, _>>()?;
    let x = Array2::from_shape_vec((n, d), values)?;
    let labels = read_file(dir, "y.u8")?;
    if labels.len() != n {
        return Err(format!("y.u8 has {} bytes, expected {n}", labels.len()).into());
    }
    let y = labels
        .iter()
        .map(|&b| match b {
            0 => Ok(false),
            1 => Ok(true),
            other => Err(format!("y.u8: byte {other} is not 0 or 1")),
        })
        .collect::<Result<Vec<bool>, _>>()?;
    Ok((x, y))
}

/// The fit measured on the data: mean log loss, penalty, mean gradient.
struct Measured {
    log_loss: f64,
    penalty: f64,
    gradient_norm: f64,
    gradient_max_abs: f64,
}

/// `mean log loss`, `l2 / 2 * |w|^2`, and the gradient of their sum (the
/// intercept is not penalized), in one pass over the rows.
fn measure(x: ArrayView2<'_, f64>, y: &[bool], l2: f64, model: &Linear) -> Measured {
    let n = y.len() as f64;
    let mut loss = 0.0;
    let mut grad_w = vec![0.0; model.weights.len()];
    let mut grad_b = 0.0;
    for (row, &label) in x.rows().into_iter().zip(y) {
        let z = model.intercept
            + row
                .iter()
                .zip(&model.weights)
                .map(|(a, w)| a * w)
                .sum::<f64>();
        let t = f64::from(u8::from(label));
        // log(1 + e^z) - t z, stable at both ends.
        loss += z.max(0.0) + (-z.abs()).exp().ln_1p() - t * z;
        let residual = leadscore_model::sigmoid(z) - t;
        for (g, a) in grad_w.iter_mut().zip(row) {
            *g += residual * a;
        }
        grad_b += residual;
    }
    let penalty = 0.5 * l2 * model.weights.iter().map(|w| w * w).sum::<f64>();
    let gradient: Vec<f64> = grad_w
        .iter()
        .zip(&model.weights)
        .map(|(g, w)| g / n + l2 * w)
        .chain(std::iter::once(grad_b / n))
        .collect();
    Measured {
        log_loss: loss / n,
        penalty,
        gradient_norm: gradient.iter().map(|g| g * g).sum::<f64>().sqrt(),
        gradient_max_abs: gradient.iter().fold(0.0, |m, g| g.abs().max(m)),
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let args = parse_args()?;
    let (x, y) = read_data(&args.dir)?;
    let mut settings = SolverSettings::new(args.solver, args.max_iterations, args.tolerance);
    if let Some(threads) = args.threads {
        settings.threads = threads.max(1);
    }
    let start = Instant::now();
    let model = fit_logistic(x.view(), &y, args.l2, None, settings)?;
    let seconds = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let m = measure(x.view(), &y, args.l2, &model);
    let measure_seconds = start.elapsed().as_secs_f64();
    let line = json!({
        "solver": match args.solver {
            Solver::Fused => "leadscore-model fit_logistic (fused loss and gradient, argmin L-BFGS)",
            Solver::LinfaLogistic => "leadscore-model fit_logistic (linfa-logistic 0.8, L-BFGS)",
        },
        "seconds": seconds,
        "n": x.nrows(),
        "d": x.ncols(),
        "l2": args.l2,
        "tolerance": args.tolerance,
        "max_iterations": args.max_iterations,
        "threads": if args.solver == Solver::Fused { settings.threads } else { 1 },
        "objective": m.log_loss + m.penalty,
        "log_loss": m.log_loss,
        "penalty": m.penalty,
        "gradient_norm": m.gradient_norm,
        "gradient_max_abs": m.gradient_max_abs,
        "one_pass_seconds": measure_seconds,
        "intercept": model.intercept,
        "weights": model.weights,
    });
    println!("{line}");
    Ok(())
}
