//! pyproof: every answer of a Python interview sheet, on trial.
//!
//! This crate is the command line on top of everything: [`EXPERIMENTS`] is the one registry
//! of the twelve answers, in the sheet's order (the CLI, the report and `pyproof check` read
//! it); the run loop, the parser shared with the examples and the results files live in
//! `pyproof-runner`, which depends on no experiment.

use pyproof_harness::{Experiment, validate_ids};

/// Every experiment, in the sheet's order: one line per answer.
pub const EXPERIMENTS: &[&dyn Experiment] = &[
    &gil_contention::GilContention,
    &method_kinds::MethodKinds,
    &async_under_the_hood::AsyncUnderTheHood,
    &dunder_methods::DunderMethods,
    &mutable_defaults::MutableDefaults,
    &mro::Mro,
    &dataframe_memory::DataframeMemory,
    &image_parallelism::ImageParallelism,
    &io_concurrency::IoConcurrency,
    &cpu_parallelism::CpuParallelism,
    &generator_memory::GeneratorMemory,
    &api_frameworks::ApiFrameworks,
];

/// The ids of every experiment, in the sheet's order.
pub fn ids() -> Vec<&'static str> {
    EXPERIMENTS.iter().map(|e| e.id()).collect()
}

/// The experiments named by `requested` (all of them when empty), in the sheet's order;
/// an unknown id is an error listing the valid ones.
pub fn select(requested: &[String]) -> Result<Vec<&'static dyn Experiment>, String> {
    validate_ids(requested, &ids())?;
    Ok(EXPERIMENTS
        .iter()
        .copied()
        .filter(|e| requested.is_empty() || requested.iter().any(|r| r == e.id()))
        .collect())
}

/// When this process was started as any experiment's worker, does that work.
pub fn worker_main() -> Option<std::process::ExitCode> {
    pyproof_runner::worker_main(EXPERIMENTS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_registry_holds_twelve_distinct_ids() {
        let ids = ids();
        assert_eq!(ids.len(), 12);
        let mut unique = ids.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 12, "{ids:?}");
    }

    #[test]
    fn worker_roles_are_unique_across_experiments() {
        let mut roles: Vec<&str> = EXPERIMENTS
            .iter()
            .flat_map(|e| e.workers().iter().map(|w| w.role()))
            .collect();
        let n = roles.len();
        roles.sort();
        roles.dedup();
        assert_eq!(roles.len(), n, "{roles:?}");
    }

    #[test]
    fn options_of_the_same_name_are_the_same_option() {
        // Two experiments may share an option only by listing the very same definition.
        let all: Vec<_> = EXPERIMENTS
            .iter()
            .flat_map(|e| e.options().iter())
            .collect();
        for a in &all {
            for b in &all {
                if a.name() == b.name() {
                    assert_eq!(a.help(), b.help(), "--{}", a.name());
                }
            }
        }
    }
}
