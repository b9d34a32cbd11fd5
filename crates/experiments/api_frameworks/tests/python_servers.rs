//! The Python servers of api_frameworks, for real on 127.0.0.1: each echoes the valid order
//! unchanged, waits on GET /wait, and answers the bad bodies; which ones FastAPI + Pydantic
//! and the hand-written Flask checks name exactly is a deterministic fact, asserted exactly
//! (Pydantic's lax mode takes `true` as a quantity, both take an Infinity price, FastAPI
//! answers a NaN price with a 500 and the hand-written checks let it through), and each
//! server is gone once its handle is dropped — with its worker processes (Granian's). The
//! stacks of 2026 are held to the same exact facts: msgspec (through Litestar) names the first
//! fault only and rejects NaN and Infinity as malformed JSON; bare Starlette with Pydantic
//! answers as FastAPI does, but for the NaN price, which it names.

use api_frameworks::payload::bad_cases;
use api_frameworks::{Plan, Server, check_answers, start};
use pyproof_harness::Scale;

#[test]
fn every_python_server_names_exactly_the_faulty_fields_of_the_bodies_it_catches() {
    let plan = Plan::new(Scale::Quick);
    let cases = bad_cases();
    // (case, status) of every body a server does not answer precisely. FastAPI's 422 for
    // a NaN price fails to serialise (its error echoes the input, and Starlette's JSON
    // refuses NaN): a 500.
    let fastapi = [
        ("nan_price", 500),
        ("infinite_price", 200),
        ("bool_qty", 200),
    ];
    for (server, missed) in [
        (Server::FastApi, &fastapi[..]),
        (Server::FastApiSync, &fastapi[..]),
        (
            Server::Flask,
            &[("nan_price", 200), ("infinite_price", 200)][..],
        ),
        // msgspec stops at the first fault (one of two named), and takes NaN and Infinity
        // for what JSON says they are — not JSON: rejected, without naming the price.
        (
            Server::Litestar,
            &[
                ("two_faults", 422),
                ("type_and_range", 422),
                ("nan_price", 422),
                ("infinite_price", 422),
            ][..],
        ),
        // Pydantic's lax mode, as in FastAPI; the NaN price is answered precisely here, as
        // the 422 does not echo the input.
        (
            Server::Starlette,
            &[("infinite_price", 200), ("bool_qty", 200)][..],
        ),
        // The same FastAPI app: the same answers.
        (Server::FastApiGranian, &fastapi[..]),
    ] {
        let service = start(server, &plan).expect("starts on loopback");
        let pid = service.pid();
        let answers = check_answers(&service, &server.label(&plan)).expect("answers");
        assert_eq!(answers.len(), cases.len());
        for (case, answer) in cases.iter().zip(&answers) {
            if let Some((_, status)) = missed.iter().find(|(id, _)| *id == case.id) {
                assert_eq!(answer.status, *status, "{server:?} on {}", case.id);
                continue;
            }
            assert!(
                answer.precise(&case.expected),
                "{server:?} on {}: HTTP {} naming {:?}, expected {:?}",
                case.id,
                answer.status,
                answer.named,
                case.expected
            );
        }
        drop(service);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        // The whole group: Granian's worker process included.
        while pyproof_proc::process::is_alive(pid)
            || !pyproof_proc::process::group_members(pid).is_empty()
        {
            assert!(
                std::time::Instant::now() < deadline,
                "{server:?} outlived its handle"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}
