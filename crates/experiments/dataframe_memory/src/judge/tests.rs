//! The judges of dataframe_memory on made-up numbers: every branch of every claim.

use super::*;
use crate::data::{Answer, DatasetInfo};
use crate::runs::ColumnLoad;
use crate::worker::WorkerReport;
use pyproof_harness::Scale;

const MIB_U: u64 = 1 << 20;

/// What a made-up run measured; each test changes what it needs.
struct Run {
    /// pandas' default net peak as a multiple of the file, at the half and the full size.
    multiple: (f64, f64),
    /// The chunked read's net peak at the half and the full size, MiB.
    chunked: (f64, f64),
    /// Rows of the half file (the full one has twice as many).
    half_rows: u64,
    /// Bytes per row of the price column: pandas default, downcast, polars, overrides.
    price: [u64; 4],
    /// Category column, bytes per row: deep=True default, distinct objects, category.
    category: Option<(u64, u64, u64)>,
    /// Python polars streaming: net peak at half and full (MiB), seconds at full.
    polars: (f64, f64, f64),
    /// The Rust crate's streaming run, the same way.
    crate_run: (f64, f64, f64),
    /// pandas reading the two columns (usecols), seconds; pandas' default takes 1 s.
    usecols_s: f64,
    /// Each round's figures are the given ones times these (three rounds).
    jitter: [f64; 3],
}

impl Run {
    fn textbook() -> Self {
        Run {
            multiple: (5.0, 5.0),
            chunked: (50.0, 52.0),
            half_rows: 1_000_000,
            price: [8, 4, 8, 4],
            category: Some((60, 6, 1)),
            polars: (25.0, 25.5, 0.1),
            crate_run: (20.0, 20.0, 0.1),
            usecols_s: 0.4,
            jitter: [0.99, 1.0, 1.01],
        }
    }

    fn dataset(&self, mib: u64, rows: u64) -> Dataset {
        Dataset {
            path: "made-up.csv".into(),
            info: DatasetInfo {
                generator_version: 1,
                seed: 1,
                target_bytes: mib * MIB_U,
                bytes: mib * MIB_U,
                answer: Answer {
                    rows,
                    ..Answer::default()
                },
            },
            generated: false,
            generation_s: 0.0,
        }
    }

    fn sample(
        &self,
        variant: Variant,
        file: FileSize,
        round: usize,
        net_mib: f64,
        work_s: f64,
    ) -> Sample {
        let full = file == FileSize::Full;
        let rows = if full { 2 } else { 1 } * self.half_rows;
        let price = match variant {
            Variant::PolarsEager => Some(self.price[2]),
            Variant::PolarsEagerOverrides => Some(self.price[3]),
            _ => None,
        };
        let columns = price
            .map(|p| {
                vec![ColumnMemory {
                    name: "price".into(),
                    dtype: "f".into(),
                    bytes: p * rows,
                    unique_bytes: None,
                }]
            })
            .unwrap_or_default();
        Sample {
            variant,
            file,
            round,
            report: WorkerReport {
                variant: variant.id().into(),
                answer: Answer {
                    rows,
                    ..Answer::default()
                },
                skipped: BTreeMap::new(),
                work_s,
                sees_extra_fields: true,
                baseline_anon_kib: 0,
                columns,
                library: BTreeMap::new(),
                spill_peak_bytes: None,
            },
            wall_s: work_s,
            cpu_s: work_s,
            peak_anon_mib: net_mib,
            hwm_mib: net_mib,
        }
    }

    fn verdicts(&self) -> Vec<Verdict> {
        let (half, full) = (
            self.dataset(100, self.half_rows),
            self.dataset(200, 2 * self.half_rows),
        );
        let mut samples = Vec::new();
        for (round, j) in self.jitter.into_iter().enumerate() {
            for (file, size, i) in [(FileSize::Half, 100.0, 0), (FileSize::Full, 200.0, 1)] {
                let pick = |t: (f64, f64)| if i == 0 { t.0 } else { t.1 };
                let mut put = |v: Variant, net: f64, secs: f64| {
                    samples.push(self.sample(v, file, round, net * j, secs * j));
                };
                let m = pick(self.multiple);
                put(Variant::PandasDefault, m * size, 1.0);
                put(Variant::PandasUsecols, size / 3.0, self.usecols_s);
                put(Variant::PandasDowncast, m * size / 2.0, 1.0);
                put(Variant::PandasChunked, pick(self.chunked), 1.0);
                put(Variant::PolarsEager, size, 0.3);
                put(Variant::PolarsEagerOverrides, size, 0.3);
                let (ch, cf, ct) = self.crate_run;
                put(Variant::PolarsStreaming, pick((ch, cf)), ct);
                let (ph, pf, t) = self.polars;
                put(Variant::PyPolarsStreaming, pick((ph, pf)), t);
            }
        }
        let rows = 100_000;
        let load = |price: u64, category: Option<(u64, Option<u64>)>| ColumnLoad {
            rows,
            columns: [
                Some(ColumnMemory {
                    name: "price".into(),
                    dtype: "float".into(),
                    bytes: price * rows,
                    unique_bytes: None,
                }),
                category.map(|(b, u)| ColumnMemory {
                    name: "category".into(),
                    dtype: "cat".into(),
                    bytes: b * rows,
                    unique_bytes: u.map(|u| u * rows),
                }),
            ]
            .into_iter()
            .flatten()
            .collect(),
        };
        let columns = ColumnReport {
            loads: BTreeMap::from([
                (
                    "default".to_string(),
                    load(self.price[0], self.category.map(|c| (c.0, Some(c.1)))),
                ),
                (
                    "downcast".to_string(),
                    load(self.price[1], self.category.map(|c| (c.2, None))),
                ),
            ]),
            library: BTreeMap::new(),
        };
        let plan = Plan::new(Scale::Default, None);
        let tools = ToolsRun::default();
        judge(
            &BTreeMap::new(),
            &samples,
            &full,
            &half,
            &columns,
            &tools,
            &plan,
        )
        .judgements
        .iter()
        .map(|j| j.verdict)
        .take(6)
        .collect()
    }
}

use Verdict::{Confirmed, Demonstrated, Inconclusive, Nuanced, Refuted};

#[test]
fn the_textbook_run_confirms_four_and_demonstrates_the_halving() {
    assert_eq!(
        Run::textbook().verdicts(),
        [
            Confirmed,
            Confirmed,
            Demonstrated,
            Confirmed,
            Confirmed,
            Confirmed
        ]
    );
}

#[test]
fn the_multiple_must_be_in_band_at_both_sizes() {
    let mut r = Run::textbook();
    r.multiple = (2.5, 2.5);
    assert_eq!(r.verdicts()[0], Refuted);
    r.multiple = (5.0, 2.5);
    assert_eq!(r.verdicts()[0], Nuanced);
}

#[test]
fn chunked_reads_must_stay_flat_over_enough_chunks() {
    let mut r = Run::textbook();
    r.chunked = (50.0, 100.0);
    assert_eq!(r.verdicts()[1], Refuted);
    r.half_rows = 100_000 * (MIN_CHUNKS - 1);
    assert_eq!(r.verdicts()[1], Inconclusive);
}

#[test]
fn float32_must_halve_the_column_in_both_libraries() {
    let mut r = Run::textbook();
    r.price = [8, 4, 8, 8];
    assert_eq!(r.verdicts()[2], Nuanced);
    r.price = [8, 8, 8, 8];
    assert_eq!(r.verdicts()[2], Refuted);
}

#[test]
fn category_is_judged_by_deep_size_and_by_distinct_objects() {
    let mut r = Run::textbook();
    r.category = Some((60, 2, 1));
    assert_eq!(
        r.verdicts()[3],
        Nuanced,
        "a cut by deep=True, not by distinct objects"
    );
    r.category = Some((60, 60, 30));
    assert_eq!(r.verdicts()[3], Refuted);
    r.category = None;
    assert_eq!(r.verdicts()[3], Inconclusive);
}

#[test]
fn polars_streaming_must_be_flat_and_fast_like_for_like_each_build_on_its_own() {
    let mut r = Run::textbook();
    r.polars = (25.0, 25.5, 0.5);
    assert_eq!(r.verdicts()[4], Nuanced, "flat but only 2x pandas' default");
    r.polars = (25.0, 60.0, 1.0);
    assert_eq!(r.verdicts()[4], Refuted, "growing, and no faster");
    // The crate level with pandas usecols and 3.3x its default read: flat only.
    let mut r = Run::textbook();
    r.crate_run = (20.0, 20.0, 0.3);
    r.usecols_s = 0.33;
    let v = r.verdicts();
    assert_eq!(
        (v[4], v[5]),
        (Confirmed, Nuanced),
        "the wheel 3.3x usecols, the crate a tie"
    );
}

#[test]
fn rounds_on_both_sides_of_a_bar_are_within_noise() {
    let mut r = Run::textbook();
    // 5x pandas' default in one round, 4.5x and 5.5x around it: within noise of 5x.
    r.polars = (25.0, 25.5, 0.2);
    r.jitter = [0.9, 1.0, 1.1];
    // Time and memory jitter together; only the speedup straddles its bar.
    let j = r.verdicts();
    assert_eq!(j[4], Inconclusive);
}

#[test]
fn flat_is_the_share_of_the_added_bytes_kept_not_a_ratio_of_two_small_peaks() {
    // 10.5 MiB on the 100 MiB file, 16 MiB on the 200 MiB one: a ratio of 1.52 (what the
    // allocator alone did to polars' peak here), yet 5.5% of the 100 MiB added.
    let mut r = Run::textbook();
    r.polars = (10.5, 16.0, 0.1);
    assert_eq!(r.verdicts()[4], Confirmed);
    // 15 MiB more is 15% of the added bytes: not flat, however small the peaks.
    r.polars = (10.0, 25.0, 0.1);
    assert_eq!(r.verdicts()[4], Nuanced, "fast, not flat");
}

/// Five rounds of every run, each (variant, file, round) with its own figures, and the
/// inputs the judges need beside them.
fn five_rounds() -> (Vec<Sample>, Dataset, Dataset, ToolsRun) {
    let r = Run::textbook();
    let (half, full) = (r.dataset(100, r.half_rows), r.dataset(200, 2 * r.half_rows));
    let mut samples = Vec::new();
    for round in 0..5 {
        let runs = Variant::ALL
            .iter()
            .map(|&v| (v, FileSize::Full))
            .chain(Variant::GROWTH.iter().map(|&v| (v, FileSize::Half)));
        for (i, (v, file)) in runs.enumerate() {
            // Distinct per run and per round, so any sample a judge reads moves its text.
            let x = (1.0 + 0.05 * i as f64) * (1.0 + 0.13 * round as f64);
            let size = if file == FileSize::Full { 200.0 } else { 100.0 };
            samples.push(r.sample(v, file, round, size * x, x));
        }
    }
    let tools = super::tools::tests::conversion();
    (samples, half, full, tools)
}

#[test]
fn each_claim_reads_only_the_runs_it_names_so_rounds_past_the_minimum_can_skip_the_rest() {
    let (all, half, full, tools) = five_rounds();
    let plan = Plan::new(Scale::Default, None);
    let none = ColumnReport {
        loads: BTreeMap::new(),
        library: BTreeMap::new(),
    };
    let judged = |samples: &[Sample], id: &str| {
        judge(
            &BTreeMap::new(),
            samples,
            &full,
            &half,
            &none,
            &tools,
            &plan,
        )
        .judgements
        .into_iter()
        .find(|j| j.claim_id == id)
        .unwrap()
    };
    for id in ids::ALL {
        let named = reads(id);
        // Rounds 4 and 5 of what the claim names only, as a targeted run takes them…
        let targeted: Vec<Sample> = all
            .iter()
            .filter(|s| s.round < 3 || named.contains(&(s.variant, s.file)))
            .cloned()
            .collect();
        // …against every run in every round: the claim must not see the difference.
        assert_eq!(
            judged(&targeted, id),
            judged(&all, id),
            "{id} reads more than it names"
        );
        if id != ids::CATEGORY_CUTS && id != ids::FLOAT32_HALVES {
            assert!(!named.is_empty(), "{id} names no run");
        }
        // What a round past the minimum brings back gives the same verdict (only an
        // evidence-only run may keep its minimum rounds, and only (h) has one).
        let again = revisits(id);
        let revisited: Vec<Sample> = all
            .iter()
            .filter(|s| s.round < 3 || again.contains(&(s.variant, s.file)))
            .cloned()
            .collect();
        assert_eq!(
            judged(&revisited, id).verdict,
            judged(&all, id).verdict,
            "{id} revisits too little"
        );
        assert_eq!(
            again.len() + usize::from(id == ids::PANDAS_ARROW),
            named.len()
        );
    }
}

#[test]
fn ratios_pair_samples_of_the_same_round_whatever_their_order() {
    let (all, half, full, _) = five_rounds();
    // The chunked read's rounds 4 and 5 on the full file only: no pair, no ratio for them.
    let some: Vec<Sample> = all
        .iter()
        .filter(|s| s.round < 3 || s.file == FileSize::Full)
        .cloned()
        .rev()
        .collect();
    let growth = net_growth(&some, Variant::PandasChunked, &half, &full);
    let expected: Vec<f64> = (0..3)
        .rev()
        .map(|round| {
            let x = |file| {
                some.iter()
                    .find(|s| {
                        s.variant == Variant::PandasChunked && s.file == file && s.round == round
                    })
                    .unwrap()
                    .net_anon_mib()
            };
            100.0 * (x(FileSize::Full) - x(FileSize::Half)) / 100.0
        })
        .collect();
    assert_eq!(growth, expected);
}
