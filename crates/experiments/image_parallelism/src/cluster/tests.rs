//! The cluster's reports, statistics and address check.

use super::*;
use crate::plan::Config;
use crate::worker::RunReport;

/// A Dask run's report line as `pyproof.image_cluster.measure` prints it (numbers cut).
const REPORT: &str = r#"{"workload": "thumbnail", "executor": "dask", "k": 2, "batch": 32,
"processed": 996, "skipped": 4, "crc_sum": 2123331739789, "out_bytes": 1942342,
"in_bytes": 85258446, "work_s": 1.94, "startup_s": 1.73, "baseline_anon_kib": 13892,
"streamed": false, "cold": false, "worker_pids": [1, 2, 3, 4, 5],
"library": {"python": "3.11.7", "dask": "2026.8.0"},
"cluster": {"scheduler": "local", "workers": 2, "task_s": 0.00196, "pool_task_s": 9.3e-05,
"sweep": [{"batch": 1, "work_s": 1.6, "processed": 254, "skipped": 2, "crc_sum": 7,
"out_bytes": 9, "in_bytes": 11}, {"batch": 4, "work_s": 0.7, "processed": 254,
"skipped": 2, "crc_sum": 7, "out_bytes": 9, "in_bytes": 11}], "rss_mib": 171.9}}"#;

fn sample(round: usize, report: &str) -> Sample {
    Sample {
        config: Config {
            workload: Workload::PillowThumbnail,
            executor: Executor::Dask(2),
        },
        round,
        cold: false,
        paired: false,
        report: serde_json::from_str(report).expect("the Python report parses"),
        peak_anon_mib: 300.0 + round as f64,
        cpu_s: 4.0,
    }
}

#[test]
fn the_python_report_reads_back_with_its_cluster_part() {
    let r: RunReport = serde_json::from_str(REPORT).expect("parses");
    let c = r.cluster.expect("a Dask run has its cluster part");
    assert_eq!((c.scheduler.as_str(), c.workers), ("local", 2));
    assert_eq!(c.sweep.len(), 2);
    assert_eq!(c.sweep[0].tally.images(), 256);
    assert!((c.sweep[0].rate() - 160.0).abs() < 1e-9);
    // Other executors' reports have none, and a Rust report prints none.
    let mut plain: serde_json::Value = serde_json::from_str(REPORT).expect("json");
    plain.as_object_mut().expect("an object").remove("cluster");
    let r: RunReport = serde_json::from_value(plain).expect("parses");
    assert!(r.cluster.is_none());
    assert!(!serde_json::to_string(&r).unwrap().contains("cluster"));
}

#[test]
fn cluster_stats_keep_every_round_and_find_the_amortising_batch() {
    let samples = vec![sample(0, REPORT), sample(1, REPORT)];
    let s = ClusterStats::new(&samples);
    assert_eq!(s.task_s, vec![0.00196; 2]);
    assert_eq!(s.startup_s, vec![1.73; 2]);
    assert_eq!(s.peak_anon_mib, vec![300.0, 301.0]);
    assert_eq!(s.sweep[&1].len(), 2);
    // 256 images: 256 tasks at 1 image took 1.6 s, 64 tasks at 4 took 0.7 s: 0.9 s over
    // 192 more tasks.
    assert_eq!(s.loaded_task_s.len(), 2);
    assert!((s.loaded_task_s[0] - 0.9 / 192.0).abs() < 1e-12);
    assert_eq!(loaded_task_s(&[]), None);
    // 1 image per task: 160 images/s; 4: 366: the smallest within 10% of the best is 4.
    assert_eq!(s.amortising_batch(1.10), Some(4));
    // Within a 2.5× margin even one image per task would do.
    assert_eq!(s.amortising_batch(2.5), Some(1));
    assert_eq!(ClusterStats::default().amortising_batch(1.10), None);
    check_sweeps(&samples).expect("equal sweeps");
    let other = REPORT.replacen(r#""crc_sum": 7"#, r#""crc_sum": 8"#, 1);
    let err = check_sweeps(&[sample(0, REPORT), sample(1, &other)]).unwrap_err();
    assert!(err.to_string().contains("at 1 images per task"), "{err}");
}

#[test]
fn an_unreachable_scheduler_is_one_line_before_any_run() {
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    let err = check_scheduler("127.0.0.1:1").unwrap_err().to_string();
    assert!(
        err.starts_with("--dask-scheduler 127.0.0.1:1: no Dask scheduler answers there"),
        "{err}"
    );
    assert!(!err.contains('\n'));
    let err = check_scheduler("tcp://no-such-host.invalid:8786")
        .unwrap_err()
        .to_string();
    assert!(err.contains("not a reachable host:port"), "{err}");
    // A listening socket passes.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    check_scheduler(&format!("tcp://{addr}")).expect("reachable");
}
