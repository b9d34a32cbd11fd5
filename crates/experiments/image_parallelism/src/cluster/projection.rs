//! When a cluster pays for a million images: a two-bound model fed only with figures this
//! run measured, and checked against the run itself.
//!
//! A job of N images costing `c` seconds each on one core, spread over m machines of
//! `cores` cores in tasks of `b` images, takes at least the larger of two times:
//! - the compute bound, N·c / (m·cores): every core busy;
//! - the coordinator bound, (N / b)·t: every task passes through one coordinator (the pool's
//!   parent process, Dask's scheduler) that spends `t` seconds on it — measured with empty
//!   tasks — however many machines there are.
//!
//! plus the cluster's start-up. Adding machines shrinks only the first; only bigger tasks
//! shrink the second. The same model predicts this run's own images/s, which the table
//! shows beside the measured figure: how far to trust it.

/// The per-image costs the projection spans, seconds: a thumbnail of a small picture to a
/// heavy model inference.
pub const PER_IMAGE_COSTS: [f64; 4] = [0.001, 0.01, 0.1, 1.0];

/// The target: the million done within this many seconds.
pub const HOUR_S: f64 = 3600.0;

/// The measured figures the model runs on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Inputs {
    /// Cores of one machine (this one).
    pub cores: usize,
    /// Images of the job.
    pub images: u64,
    /// Seconds per empty task through a process pool.
    pub pool_task_s: f64,
    /// Seconds per empty task through the Dask scheduler.
    pub dask_task_s: f64,
    /// Seconds to start the cluster and have its workers ready.
    pub dask_startup_s: f64,
    /// Images per task (the batch that amortised the per-task cost here).
    pub batch: u64,
}

/// One row of the projection.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Row {
    /// Seconds per image on one core.
    pub per_image_s: f64,
    /// Hours on one machine with a process pool, tasks of `batch` images.
    pub one_machine_h: f64,
    /// Hours the Dask scheduler alone needs at one image per task, whatever the cluster.
    pub dask_floor_one_per_task_h: f64,
    /// The same at `batch` images per task.
    pub dask_floor_batched_h: f64,
    /// Machines of `cores` cores that bring the job under an hour on Dask at `batch` images
    /// per task; None when the scheduler alone needs the hour (bigger tasks needed).
    pub machines: Option<u64>,
}

impl Row {
    /// Whether a cluster pays: one machine needs more than the hour and some cluster does
    /// it within the hour.
    pub fn cluster_pays(&self) -> bool {
        self.one_machine_h * 3600.0 > HOUR_S && self.machines.is_some_and(|m| m > 1)
    }
}

/// The bound-limited rate of `cores` cores working `per_image_s` per image in tasks of
/// `batch` images through a coordinator spending `task_s` per task, images/s.
pub fn predicted_rate(per_image_s: f64, cores: usize, task_s: f64, batch: u64) -> f64 {
    let compute = cores.max(1) as f64 / per_image_s.max(1e-12);
    let coordinator = batch.max(1) as f64 / task_s.max(1e-12);
    compute.min(coordinator)
}

/// The projection for one per-image cost.
pub fn row(inputs: &Inputs, per_image_s: f64) -> Row {
    let n = inputs.images as f64;
    let cores = inputs.cores.max(1) as f64;
    let tasks = (inputs.images as f64 / inputs.batch.max(1) as f64).ceil();
    let compute_s = n * per_image_s / cores;
    let one_machine_s = compute_s.max(tasks * inputs.pool_task_s);
    let floor_batched_s = tasks * inputs.dask_task_s;
    let budget = HOUR_S - inputs.dask_startup_s;
    let machines = (floor_batched_s < budget && budget > 0.0)
        .then(|| ((compute_s / budget).ceil() as u64).max(1));
    Row {
        per_image_s,
        one_machine_h: one_machine_s / 3600.0,
        dask_floor_one_per_task_h: n * inputs.dask_task_s / 3600.0,
        dask_floor_batched_h: floor_batched_s / 3600.0,
        machines,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs() -> Inputs {
        Inputs {
            cores: 2,
            images: 1_000_000,
            pool_task_s: 0.0001,
            dask_task_s: 0.002,
            dask_startup_s: 2.0,
            batch: 16,
        }
    }

    #[test]
    fn cheap_images_are_done_on_one_machine_and_a_cluster_does_not_pay() {
        let r = row(&inputs(), 0.001);
        // 1e6 × 1 ms / 2 cores = 500 s; the pool's 62,500 tasks × 0.1 ms = 6.25 s.
        assert!((r.one_machine_h - 500.0 / 3600.0).abs() < 1e-12);
        // Dask at one image per task: 1e6 × 2 ms = 2,000 s of scheduler alone.
        assert!((r.dask_floor_one_per_task_h - 2000.0 / 3600.0).abs() < 1e-12);
        assert!((r.dask_floor_batched_h - 125.0 / 3600.0).abs() < 1e-12);
        assert_eq!(r.machines, Some(1));
        assert!(!r.cluster_pays());
    }

    #[test]
    fn costly_images_need_machines_and_a_cluster_pays() {
        let r = row(&inputs(), 1.0);
        // 1e6 s of compute over 2 cores = 500,000 s; within 3,598 s: 139 machines.
        assert!((r.one_machine_h - 500_000.0 / 3600.0).abs() < 1e-9);
        assert_eq!(r.machines, Some((500_000.0f64 / 3598.0).ceil() as u64));
        assert!(r.cluster_pays());
    }

    #[test]
    fn a_scheduler_that_needs_the_hour_alone_cannot_be_fixed_with_machines() {
        let slow = Inputs {
            dask_task_s: 0.1,
            batch: 1,
            ..inputs()
        };
        let r = row(&slow, 0.1);
        // 1e6 tasks × 0.1 s = 100,000 s of scheduler: no cluster size brings it under 1 h.
        assert_eq!(r.machines, None);
        assert!(!r.cluster_pays());
        // One machine is coordinator-bound too when its tasks cost more than the work.
        let pool_bound = Inputs {
            pool_task_s: 1.0,
            ..slow
        };
        assert!((row(&pool_bound, 0.001).one_machine_h - 1e6 / 3600.0).abs() < 1e-9);
    }

    #[test]
    fn the_predicted_rate_is_the_lower_bound() {
        // 2 cores at 10 ms = 200 images/s; 16 images per 2 ms task = 8,000 images/s.
        assert!((predicted_rate(0.01, 2, 0.002, 16) - 200.0).abs() < 1e-9);
        // One image per 2 ms task caps at 500 images/s, below 2 cores at 1 ms (2,000).
        assert!((predicted_rate(0.001, 2, 0.002, 1) - 500.0).abs() < 1e-9);
    }
}
