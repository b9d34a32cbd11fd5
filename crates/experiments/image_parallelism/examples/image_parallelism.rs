//! `cargo run --release --example image_parallelism [-- --scale full | --images N |
//! --image-size WxH]`
//!
//! "1 million images — threads or processes?" on trial: pure-Python pixel code and Pillow
//! under sequential, thread-pool and process-pool executors (k = 1, 2, 4 and the core count),
//! beside the same jobs in Rust with rayon — each run a fresh process with its whole process
//! group's memory sampled, every output checksummed and compared. Default scale: 500
//! images of 256×256, three to ten interleaved rounds, about a minute on two cores;
//! `--scale full` runs 1,000 of them and adds 1,000,000 small images processed for real by
//! Pillow and Rust.

use std::process::ExitCode;

fn main() -> ExitCode {
    pyproof_runner::example_main(&image_parallelism::ImageParallelism)
}
