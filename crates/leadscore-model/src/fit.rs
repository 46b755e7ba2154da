//! Training: split, encode, cross-validate the penalty, fit, calibrate, measure,
//! and decide whether the model can be trusted.

use leadscore_metrics::{PsiBins, best_f1_threshold, roc_auc};

use crate::assess::{assess, for_each_chunk};
use crate::cv::{cross_validate, platt};
use crate::family::{Family, LogisticFit};
use crate::fused::Matrix;
use crate::model::REFERENCE_BINS;
use crate::quality::{Duplicates, LeakageFlag, duplicate_rows, leakage};
use crate::solver::{fit_matrix, logit, sigmoid};
use crate::split::{stratified_holdout, time_holdout};
use crate::{
    Assessment, Confidence, ConversionModel, LabelledRows, ModelError, SplitKind, TrainParams,
    TrainingReference, TrainingSource,
};

/// Where [`TrainParams::fit_with_progress`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrainStage {
    /// Encoding the training rows into features.
    Encoding,
    /// Cross-validating the penalty: `done` fits of `of`.
    CrossValidating {
        /// Fits done.
        done: usize,
        /// Fits in all (folds × penalties).
        of: usize,
    },
    /// Fitting the final model on every training row.
    FinalFit {
        /// The training rows.
        rows: usize,
    },
    /// Calibrating and measuring on the held-out rows.
    Measuring,
}

/// A trained model and what training found out.
#[derive(Debug, Clone)]
pub struct Trained {
    /// The model, ready to save.
    pub model: ConversionModel,
    /// The model measured on the test rows, with the leads it got wrong.
    pub test: Assessment,
    /// Columns that alone predict the test outcomes almost perfectly.
    pub leakage: Vec<LeakageFlag>,
    /// Duplicate rows in the data.
    pub duplicates: Duplicates,
}

impl TrainParams {
    /// Trains a conversion model on `data`.
    ///
    /// With `test` given, the model is fitted on all of `data` and measured on
    /// `test`; otherwise `test_fraction` of `data` is held out (`split` says which
    /// rows). Fails before fitting anything when a parameter is out of range or
    /// when either class has fewer than `min_per_class` rows, and fails when the
    /// solver does not converge.
    pub fn fit(
        &self,
        data: &LabelledRows,
        test: Option<&LabelledRows>,
        source: TrainingSource,
        created_at: &str,
    ) -> Result<Trained, ModelError> {
        self.fit_with_progress(data, test, source, created_at, &mut |_| {})
    }

    /// [`TrainParams::fit`], telling `progress` each stage as it starts and
    /// each cross-validation fit as it ends (for a progress bar: the fits are
    /// most of the time, and equal in number for every data set).
    pub fn fit_with_progress(
        &self,
        data: &LabelledRows,
        test: Option<&LabelledRows>,
        source: TrainingSource,
        created_at: &str,
        progress: &mut dyn FnMut(TrainStage),
    ) -> Result<Trained, ModelError> {
        self.fit_owned(data.clone(), test.cloned(), source, created_at, progress)
    }

    /// [`TrainParams::fit_with_progress`] on rows the caller gives up: they
    /// are split into the training and test parts a column at a time, and
    /// the training part's table is dropped once encoded, so that the
    /// fitting holds the encoded rows beside the test part only (the rows
    /// once, not the rows, their two parts and the encoded rows together).
    pub fn fit_owned(
        &self,
        data: LabelledRows,
        test: Option<LabelledRows>,
        source: TrainingSource,
        created_at: &str,
        progress: &mut dyn FnMut(TrainStage),
    ) -> Result<Trained, ModelError> {
        self.validate()?;
        data.check()?;
        let (positives, negatives) = data.class_counts();
        if positives < self.min_per_class || negatives < self.min_per_class {
            return Err(ModelError::TooFewOutcomes {
                positives,
                negatives,
                min: self.min_per_class,
            });
        }
        let duplicates = duplicate_rows(&data);
        let training_data_hash = data.hash();
        let (train, test_rows) = match test {
            Some(test) => {
                test.check()?;
                (data, test)
            }
            None => {
                let (a, b) = match self.split {
                    SplitKind::Stratified => {
                        stratified_holdout(&data.labels, self.test_fraction, self.seed)
                    }
                    SplitKind::Time => {
                        let times = data.times.as_ref().ok_or(ModelError::NoTimes)?;
                        time_holdout(times, self.test_fraction)
                    }
                };
                data.split(&a, &b)
            }
        };
        for (part, rows) in [("training part", &train), ("test data", &test_rows)] {
            let (pos, neg) = rows.class_counts();
            if pos == 0 || neg == 0 {
                return Err(ModelError::OneClass {
                    part,
                    class: if pos == 0 { "lost" } else { "converted" },
                });
            }
        }

        let leakage = leakage(&train, &test_rows, self.leakage_auc);

        progress(TrainStage::Encoding);
        let started = std::time::Instant::now();
        let encoder = self.encoder.fit(&train.features)?;
        // From here on the training part is its encoded rows and its labels:
        // the table goes a column at a time as it is encoded.
        let (pos, neg) = train.class_counts();
        let LabelledRows {
            features,
            labels: train_labels,
            ..
        } = train;
        let x = encoder.transform_compact(features)?;
        tracing::info!(
            rows = x.rows(),
            features = x.n_features(),
            bytes = x.bytes(),
            seconds = started.elapsed().as_secs_f64(),
            "encoded the training rows"
        );
        let settings = self.solver_settings();
        let started = std::time::Instant::now();
        let cv = cross_validate(&x, &train_labels, self, settings, progress)?;
        tracing::info!(
            l2 = cv.best_l2,
            seconds = started.elapsed().as_secs_f64(),
            "cross-validated the penalty"
        );
        let calibration = platt(&cv.oof, settings)?;
        progress(TrainStage::FinalFit { rows: x.rows() });
        let started = std::time::Instant::now();
        let linear = fit_matrix(
            Matrix::Compact(&x),
            &train_labels,
            cv.best_l2,
            cv.warm.as_ref(),
            settings,
        )?;
        tracing::info!(
            seconds = started.elapsed().as_secs_f64(),
            "fitted the final model"
        );
        progress(TrainStage::Measuring);
        let reference_features: Vec<Option<PsiBins>> = (0..x.n_features())
            .map(|j| PsiBins::of(&x.column(j), REFERENCE_BINS))
            .collect();
        let train_logits = linear.logits_of(&Matrix::Compact(&x), x.rows());
        drop(x);

        let base_rate = pos as f64 / (pos + neg) as f64;
        let calibrated = |z: f64| sigmoid(calibration.slope * z + calibration.offset);
        let oof_probs: Vec<(f64, bool)> =
            cv.oof.iter().map(|(z, y)| (calibrated(*z), *y)).collect();
        let raw_threshold = best_f1_threshold(&oof_probs).map_or(base_rate, |(t, _)| t);

        // Trust: the AUC of the raw scores on the test rows (calibration and
        // shrinkage do not change the ranking).
        // The test rows are encoded a chunk at a time, here and to assess them.
        let mut test_logits = Vec::with_capacity(test_rows.labels.len());
        for_each_chunk(&encoder, &test_rows.features, |chunk| {
            test_logits.extend(linear.logits(chunk));
        })?;
        let ranked: Vec<(f64, bool)> = test_logits
            .into_iter()
            .zip(test_rows.labels.iter().copied())
            .collect();
        let auc = roc_auc(&ranked).unwrap_or(0.5);
        let low = auc < self.low_confidence_auc;
        let shrink = if low {
            ((auc - 0.5) / (self.low_confidence_auc - 0.5)).clamp(0.0, 1.0)
        } else {
            1.0
        };
        let base = logit(base_rate);
        let threshold = sigmoid(base + shrink * (logit(raw_threshold) - base));

        let mut warnings: Vec<String> = Vec::new();
        for flag in &leakage {
            warnings.push(format!(
                "{} alone ranks the test leads with AUC {:.3}: it probably leaks the outcome (known only after it); leave it out with --exclude {}",
                flag.column, flag.auc, flag.column
            ));
        }
        for dropped in encoder.dropped() {
            warnings.push(dropped.to_string());
        }
        if duplicates.rows > 0 {
            warnings.push(format!(
                "{} rows repeat an earlier row's every feature ({} of them with a different outcome)",
                duplicates.rows, duplicates.conflicting
            ));
        }
        if low {
            warnings.push(format!(
                "held-out AUC {auc:.3} is below {:.2}: the model is low-confidence; its scores are pulled towards the base rate ({:.1}%) and rounded down to a multiple of 10, and the rule models should lead",
                self.low_confidence_auc,
                base_rate * 100.0
            ));
        }

        let mut model = ConversionModel {
            created_at: created_at.to_owned(),
            source,
            training_data_hash,
            encoder,
            family: Family::Logistic(LogisticFit {
                linear,
                calibration,
            }),
            l2: cv.best_l2,
            cv: cv.points,
            base_rate,
            confidence: Confidence {
                low,
                auc,
                min_auc: self.low_confidence_auc,
                shrink,
            },
            threshold,
            grades: self.grades,
            top_features: self.top_features,
            n_train: train_labels.len(),
            n_test: test_rows.labels.len(),
            metrics: crate::Evaluation::compute(&[], threshold),
            warnings,
            reference: None,
        };
        let train_scores: Vec<f64> = train_logits
            .iter()
            .map(|&z| sigmoid(model.published_logit(z)))
            .collect();
        model.reference = Some(TrainingReference {
            rows: train_scores.len(),
            features: reference_features,
            scores: PsiBins::of(&train_scores, REFERENCE_BINS),
        });
        let test = assess(&model, &test_rows)?;
        model.metrics = test.evaluation.clone();
        Ok(Trained {
            model,
            test,
            leakage,
            duplicates,
        })
    }
}
