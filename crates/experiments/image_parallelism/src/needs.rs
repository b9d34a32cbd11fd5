//! Which runs each claim is judged on: the rounds past the budget's minimum run only the
//! configurations of the claims still within noise, so a round that cannot move a verdict
//! costs nothing. Pure, and tested against the judges' own reading of the statistics.

use crate::cluster::{self, dask_config};
use crate::judge::ids;
use crate::plan::{Config, Executor, Plan, Workload};
use crate::runs::RunMode;
use std::collections::BTreeSet;

/// The (configuration, mode) runs claim `claim_id` reads, among those `planned` this run
/// (empty for a claim judged on something else, e.g. the killed worker).
pub fn runs_for(
    claim_id: &str,
    plan: &Plan,
    cores: usize,
    planned: &[(Config, RunMode)],
) -> BTreeSet<(Config, RunMode)> {
    let k = cores.max(1);
    let at = |workload, executor| Config { workload, executor };
    let python = [Workload::PythonThreshold, Workload::PillowThumbnail];
    let every_pool = |w: Workload| -> Vec<Config> {
        plan.configs(cores)
            .into_iter()
            .filter(|c| {
                c.workload == w
                    && matches!(c.executor, Executor::Threads(_) | Executor::Processes(_))
            })
            .collect()
    };
    let mut warm: Vec<Config> = Vec::new();
    let mut cold: Vec<Config> = Vec::new();
    match claim_id {
        ids::THREADS_THROTTLED => {
            for w in python {
                warm.extend([at(w, Executor::Sequential), at(w, Executor::Threads(k))]);
            }
        }
        ids::PROCESSES_SCALE => {
            for w in python {
                warm.extend([at(w, Executor::Sequential), at(w, Executor::Processes(k))]);
                cold.push(at(w, Executor::Processes(k)));
            }
        }
        // The best pool of each kind over every k, warm, and both pools cold.
        ids::MULTIPROCESSING_IS_THE_ANSWER => {
            for w in python {
                warm.push(at(w, Executor::Sequential));
                warm.extend(every_pool(w));
                cold.extend([at(w, Executor::Threads(k)), at(w, Executor::Processes(k))]);
            }
        }
        // rayon against Pillow's best executor on one machine, whichever it is (the
        // cluster is claim (6)'s).
        ids::RAYON_BEYOND => {
            warm.extend([
                at(Workload::RustThumbnail, Executor::Sequential),
                at(Workload::RustThumbnail, Executor::Rayon(k)),
            ]);
            warm.extend(
                plan.configs(cores).into_iter().filter(|c| {
                    c.workload == Workload::PillowThumbnail && !c.executor.is_cluster()
                }),
            );
        }
        // Every smarter decode sequential against the plain thumbnail and its executors.
        ids::DECODE_BEFORE_EXECUTOR => {
            warm.extend(
                Workload::PYTHON_DECODES
                    .into_iter()
                    .chain([Workload::RustThumbnail, Workload::RustThumbnailScaled])
                    .map(|w| at(w, Executor::Sequential)),
            );
            let plain = Workload::PillowThumbnail;
            warm.extend([
                at(plain, Executor::Sequential),
                at(plain, Executor::Threads(k)),
                at(plain, Executor::Processes(k)),
            ]);
        }
        cluster::judge::ids::ONE_MACHINE => {
            warm.extend([
                dask_config(cores),
                at(Workload::PillowThumbnail, Executor::Processes(k)),
                at(Workload::PillowThumbnail, Executor::Sequential),
            ]);
        }
        _ => {}
    }
    let wanted: BTreeSet<(Config, RunMode)> = warm
        .into_iter()
        .map(|c| (c, RunMode::Warm))
        .chain(cold.into_iter().map(|c| (c, RunMode::Cold)))
        .collect();
    planned
        .iter()
        .copied()
        .filter(|r| wanted.contains(r))
        .collect()
}

/// Every run some claim reads, among those `planned`: the others feed tables only, and one
/// round of them is enough.
pub fn read_by_claims(
    plan: &Plan,
    cores: usize,
    planned: &[(Config, RunMode)],
) -> BTreeSet<(Config, RunMode)> {
    ids::ALL
        .iter()
        .chain(cluster::judge::ids::ALL.iter())
        .flat_map(|id| runs_for(id, plan, cores, planned))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use pyproof_harness::Scale;

    fn planned(plan: &Plan, cores: usize) -> Vec<(Config, RunMode)> {
        plan.configs(cores)
            .into_iter()
            .map(|c| (c, RunMode::Warm))
            .chain(
                plan.cold_configs(cores)
                    .into_iter()
                    .map(|c| (c, RunMode::Cold)),
            )
            .collect()
    }

    #[test]
    fn each_claim_reruns_only_its_own_configurations() {
        let plan = Plan::new(Scale::Default, 2, None, None);
        let all = planned(&plan, 2);
        let runs = |id: &str| runs_for(id, &plan, 2, &all);
        let pillow_seq = (
            Config {
                workload: Workload::PillowThumbnail,
                executor: Executor::Sequential,
            },
            RunMode::Warm,
        );
        // (1) and (2): each workload's sequential baseline and its pool at k = cores.
        assert_eq!(runs(ids::THREADS_THROTTLED).len(), 4);
        assert_eq!(runs(ids::PROCESSES_SCALE).len(), 6);
        assert!(runs(ids::PROCESSES_SCALE).contains(&pillow_seq));
        // (3) every pool of both kinds, both workloads, warm and cold.
        let three = runs(ids::MULTIPROCESSING_IS_THE_ANSWER);
        assert!(three.iter().all(|(c, _)| matches!(
            c.workload,
            Workload::PythonThreshold | Workload::PillowThumbnail
        )));
        assert_eq!(three.iter().filter(|(_, m)| *m == RunMode::Cold).count(), 4);
        // (4) rayon with every Pillow executor of one machine (the best one may be any); the
        // cluster is (6)'s alone, so a noisy (4) does not restart it every round.
        let four = runs(ids::RAYON_BEYOND);
        assert!(!four.contains(&(dask_config(2), RunMode::Warm)));
        assert_eq!(four.len(), 2 + 7);
        assert!(runs(cluster::judge::ids::ONE_MACHINE).contains(&(dask_config(2), RunMode::Warm)));
        assert!(four.iter().all(|(c, _)| matches!(
            c.workload,
            Workload::RustThumbnail | Workload::PillowThumbnail
        )));
        // (6) the cluster, the pool and the baseline; (7) and unknown ids: nothing.
        assert_eq!(runs(cluster::judge::ids::ONE_MACHINE).len(), 3);
        assert!(runs(cluster::judge::ids::KILLED_WORKER).is_empty());
        assert!(runs("no_such_claim").is_empty());
        // Nothing that was not planned (a module missing drops its configurations).
        let without_dask: Vec<_> = all
            .iter()
            .copied()
            .filter(|(c, _)| !matches!(c.executor, Executor::Dask(_)))
            .collect();
        assert_eq!(
            runs_for(cluster::judge::ids::ONE_MACHINE, &plan, 2, &without_dask).len(),
            2
        );
    }

    #[test]
    fn the_runs_no_claim_reads_are_the_tables_own() {
        let plan = Plan::new(Scale::Default, 2, None, None);
        let all = planned(&plan, 2);
        let read = read_by_claims(&plan, 2, &all);
        let unread: Vec<String> = all
            .iter()
            .filter(|r| !read.contains(r))
            .map(|(c, _)| format!("{} {}", c.workload.id(), c.executor.label()))
            .collect();
        // 25 of the 40 runs are judged; the 15 others run in round 1 alone: the echo, the
        // Rust threshold, rayon at k = 1 and 4, and the smarter decodes under pools.
        assert_eq!((all.len(), read.len()), (40, 25), "{unread:?}");
        for run in [
            "echo sequential",
            "rust_threshold rayon k=2",
            "rust_thumbnail rayon k=4",
            "pillow_draft processes k=2",
            "pyvips_thumbnail threads k=2",
        ] {
            assert!(unread.iter().any(|u| u == run), "{run}: {unread:?}");
        }
    }
}
