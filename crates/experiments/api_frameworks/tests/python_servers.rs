//! The Python servers of api_frameworks, for real on 127.0.0.1: each echoes the valid order
//! unchanged, waits on GET /wait, and answers the eight bad bodies; FastAPI + Pydantic and the
//! hand-written Flask checks name exactly the faulty fields of every one (a deterministic
//! fact, asserted exactly), and each server is gone once its handle is dropped.

use api_frameworks::payload::bad_cases;
use api_frameworks::{Plan, Server, check_answers, start};
use pyproof_harness::Scale;

#[test]
fn fastapi_and_flask_name_exactly_the_faulty_fields_of_every_bad_body() {
    let plan = Plan::new(Scale::Quick);
    let cases = bad_cases();
    for server in [Server::FastApi, Server::Flask] {
        let service = start(server, &plan).expect("starts on loopback");
        let pid = service.pid();
        let answers = check_answers(&service, &server.label(&plan)).expect("answers");
        assert_eq!(answers.len(), cases.len());
        for (case, answer) in cases.iter().zip(&answers) {
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
        while pyproof_proc::process::is_alive(pid) {
            assert!(
                std::time::Instant::now() < deadline,
                "{server:?} outlived its handle"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}
