//! The cluster's judges on made-up figures, one test per branch.

use super::*;
use crate::cluster::KillReport;
use crate::pipeline::Tally;
use std::collections::BTreeMap;

fn pool() -> Config {
    Config {
        workload: Workload::PillowThumbnail,
        executor: Executor::Processes(2),
    }
}

/// Rounds where the process pool does 100 images/s and Dask `dask` images/s.
fn stats(dask: &[f64]) -> (Stats, ClusterStats) {
    let mut s = Stats {
        rounds: dask.len(),
        ..Stats::default()
    };
    s.rates.insert(pool(), vec![100.0; dask.len()]);
    s.startup.insert(pool(), vec![0.25; dask.len()]);
    s.rates.insert(dask_config(2), dask.to_vec());
    s.batch.insert(dask_config(2), 32);
    let c = ClusterStats {
        task_s: vec![0.002; dask.len()],
        pool_task_s: vec![0.0001; dask.len()],
        loaded_task_s: vec![0.003; dask.len()],
        sweep: BTreeMap::from([(1, vec![30.0; 3]), (16, vec![70.0; 3]), (32, vec![72.0; 3])]),
        startup_s: vec![1.7; dask.len()],
        peak_anon_mib: vec![300.0; dask.len()],
        rss_mib: vec![170.0; dask.len()],
        scheduler: "local".into(),
    };
    (s, c)
}

fn one_machine(dask: &[f64]) -> Judgement {
    let (s, c) = stats(dask);
    judge(&s, &c, None, None, None, 2).remove(0)
}

#[test]
fn a_slower_or_tied_cluster_does_not_beat_the_pool() {
    let j = one_machine(&[70.0, 72.0, 71.0]);
    assert_eq!(j.verdict, Verdict::Confirmed, "{}", j.evidence);
    assert!(j.evidence.contains("0.710× (95% CI 0.686–0.735, 3 rounds)"));
    assert!(
        j.evidence
            .contains("2.00 ms per empty task against the pool's 0.100 ms")
    );
    assert!(j.evidence.contains("start-up 1.70 s"), "{}", j.evidence);
    assert!(
        j.evidence.contains("against the pool's 0.250 s"),
        "{}",
        j.evidence
    );
    assert!(
        j.evidence.contains("{1: 30.0, 16: 70.0, 32: 72.0}"),
        "{}",
        j.evidence
    );
    // Within ±10% of the pool: a tie, which "does not beat" allows.
    assert_eq!(
        one_machine(&[98.0, 103.0, 101.0]).verdict,
        Verdict::Confirmed
    );
}

#[test]
fn a_faster_cluster_refutes_and_a_straddling_one_is_within_noise() {
    assert_eq!(
        one_machine(&[130.0, 128.0, 135.0]).verdict,
        Verdict::Refuted
    );
    let j = one_machine(&[100.0, 125.0, 112.0]);
    assert_eq!(j.verdict, Verdict::Inconclusive, "{}", j.evidence);
    assert!(j.within_noise);
}

#[test]
fn the_cluster_claims_need_two_cores_the_module_and_a_local_cluster() {
    let (s, c) = stats(&[70.0; 3]);
    let v = |not_run: Option<&NotRun>, cores| -> Vec<Verdict> {
        judge(&s, &c, None, not_run, None, cores)
            .iter()
            .map(|j| j.verdict)
            .collect()
    };
    assert_eq!(v(None, 1)[0], Verdict::Inconclusive);
    assert_eq!(v(Some(&NotRun::Missing), 2), [Verdict::Skipped; 2]);
    let external = NotRun::External("10.0.0.5:8786".into());
    let j = judge(&s, &c, None, Some(&external), None, 2);
    assert_eq!(
        (j[0].verdict, j[1].verdict),
        (Verdict::Inconclusive, Verdict::Inconclusive)
    );
    assert!(
        j[1].evidence.contains("someone else's"),
        "{}",
        j[1].evidence
    );
    // Measured nothing: Inconclusive, not a verdict.
    let (mut empty, _) = stats(&[70.0; 3]);
    empty.rates.clear();
    assert_eq!(
        judge(&empty, &c, None, None, None, 2)[0].verdict,
        Verdict::Inconclusive
    );
}

fn kill(recovered: bool, same: bool, left: Vec<u32>) -> Judgement {
    let (s, c) = stats(&[70.0; 3]);
    let outcome = KillOutcome {
        report: KillReport {
            recovered,
            error: (!recovered).then(|| "KilledWorker: too many failures".into()),
            batches: 32,
            killed_at_batch: Some(14),
            tasks_lost_with_worker: 3,
            workers_after: 2,
            left_behind: left,
            work_s: 2.5,
            tally: Tally {
                processed: 996,
                skipped: 4,
                ..Tally::default()
            },
        },
        same_outputs: same,
    };
    judge(&s, &c, Some(&outcome), None, None, 2).remove(1)
}

#[test]
fn a_killed_worker_is_judged_on_the_images_and_the_processes_left() {
    let j = kill(true, true, vec![]);
    assert_eq!(j.verdict, Verdict::Confirmed, "{}", j.evidence);
    assert!(
        j.evidence
            .contains("lost 3 tasks with the worker and ran them again")
    );
    assert!(
        j.evidence.contains("Killed as task 15 of 32"),
        "{}",
        j.evidence
    );
    let j = kill(false, false, vec![]);
    assert_eq!(j.verdict, Verdict::Nuanced, "{}", j.evidence);
    assert!(j.evidence.contains("the run failed: KilledWorker"));
    assert_eq!(kill(true, false, vec![4242]).verdict, Verdict::Refuted);
    let (s, c) = stats(&[70.0; 3]);
    assert_eq!(
        judge(&s, &c, None, None, None, 2)[1].verdict,
        Verdict::Inconclusive
    );
}
