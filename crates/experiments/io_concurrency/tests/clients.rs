//! io_concurrency's Python clients against the delay server's own accept loop, run in
//! process on 127.0.0.1: every client makes exactly the requests asked, each answered, and
//! no request takes less than the server's delay.

use io_concurrency::net::serve_on;
use io_concurrency::{Mode, run_client};
use std::time::Duration;

/// The delay server's loop on a thread of this test: its port.
fn delay_server(delay: Duration) -> u16 {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("tokio");
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind loopback");
            tx.send(listener.local_addr().expect("addr").port())
                .expect("send");
            serve_on(listener, delay).await
        })
    });
    rx.recv_timeout(Duration::from_secs(10)).expect("listening")
}

#[test]
fn every_python_client_gets_every_answer_no_sooner_than_the_delay() {
    let delay = Duration::from_millis(20);
    let port = delay_server(delay);
    for mode in [Mode::Asyncio, Mode::Threads, Mode::Pool, Mode::Sequential] {
        let s = run_client(mode, port, 40).expect("client runs");
        assert_eq!(s.report.errors, 0, "{mode:?}: {:?}", s.report.first_error);
        assert_eq!(s.report.ok, s.report.n, "{mode:?}");
        assert!(
            s.report.wall_s >= delay.as_secs_f64(),
            "{mode:?}: {} s is faster than one delay",
            s.report.wall_s
        );
        assert!(s.report.max_in_flight >= 1, "{mode:?}");
    }
}

#[test]
fn a_closed_port_is_counted_as_errors_not_a_hang() {
    let free = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = free.local_addr().expect("addr").port();
    drop(free);
    let s = run_client(Mode::Asyncio, port, 5).expect("client runs");
    assert_eq!((s.report.ok, s.report.errors), (0, 5));
}
