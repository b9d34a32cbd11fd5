//! Property tests of the one run-argument parser (the CLI's `run` and every example share
//! it): any argument list is parsed or refused with one line, never a panic, and every valid
//! combination of the experiments' options reads back typed.

use clap::Command;
use proptest::prelude::*;
use pyproof::EXPERIMENTS;
use pyproof_harness::{Options, Scale};

fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("--scale".to_string()),
        Just("--csv-size".to_string()),
        Just("--images".to_string()),
        Just("--image-size".to_string()),
        Just("--repeat".to_string()),
        Just("--python".to_string()),
        Just("quick".to_string()),
        Just("full".to_string()),
        "[0-9]{1,12}(k|M|MB|GiB|x[0-9]{1,5})?",
        "\\PC{0,12}",
    ]
}

fn parse(args: &[String]) -> Result<pyproof_runner::RunArgs, String> {
    let cmd = pyproof_runner::with_run_args(Command::new("run").no_binary_name(true), EXPERIMENTS);
    let matches = cmd.try_get_matches_from(args).map_err(|e| {
        e.render()
            .to_string()
            .lines()
            .next()
            .unwrap_or("")
            .to_string()
    })?;
    pyproof_runner::run_args(&matches, EXPERIMENTS)
}

fn option(name: &str) -> &'static dyn pyproof_harness::RunOption {
    EXPERIMENTS
        .iter()
        .flat_map(|e| e.options().iter().copied())
        .find(|o| o.name() == name)
        .expect("declared")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    #[test]
    fn any_argument_list_is_parsed_or_refused_in_one_line(args in prop::collection::vec(token(), 0..7)) {
        if let Err(e) = parse(&args) {
            prop_assert!(!e.is_empty() && !e.contains('\n'), "{e:?}");
        }
        // An example takes only its own answer's options, through the same parser.
        for exp in EXPERIMENTS {
            if let Err(e) = pyproof_runner::parse_example_args(*exp, &args) {
                let line = e.render().to_string();
                prop_assert!(!line.lines().next().unwrap_or("").is_empty());
            }
        }
    }

    #[test]
    fn valid_combinations_read_back(count in 1u64..=10_000_000, w in 8u32..=8192, h in 8u32..=8192,
                                    mb in 1u64..=1_000_000, repeat in 1u32..=20) {
        let args: Vec<String> = [
            "--images", &count.to_string(),
            "--scale", "full",
            "--image-size", &format!("{w}x{h}"),
            "--csv-size", &format!("{mb}MB"),
            "--repeat", &repeat.to_string(),
            "--python", "/usr/bin/python3",
            "--python", "3.15t",
        ].iter().map(|s| s.to_string()).collect();
        let a = parse(&args).expect("valid");
        let o: &Options = &a.options;
        prop_assert_eq!(a.scale, Scale::Full);
        prop_assert_eq!(a.repeat, repeat);
        prop_assert_eq!(o.one::<u64>(option("images")), Some(&count));
        prop_assert_eq!(o.one::<(u32, u32)>(option("image-size")), Some(&(w, h)));
        prop_assert_eq!(o.one::<u64>(option("csv-size")), Some(&(mb * 1_000_000)));
        prop_assert_eq!(
            o.all::<pyproof_python::pythons::PythonSpec>(option("python"))
                .into_iter()
                .cloned()
                .collect::<Vec<_>>(),
            vec![
                pyproof_python::pythons::PythonSpec::Path("/usr/bin/python3".into()),
                "3.15t".parse().expect("spec"),
            ]
        );
    }
}

#[test]
fn an_example_refuses_another_answers_option() {
    let gil = EXPERIMENTS
        .iter()
        .find(|e| e.id() == "gil_contention")
        .expect("registered");
    let err = pyproof_runner::parse_example_args(*gil, &["--csv-size".into(), "2GB".into()])
        .expect_err("not gil_contention's option");
    assert!(err.render().to_string().contains("--csv-size"), "{err}");
    let ok = pyproof_runner::parse_example_args(
        *gil,
        &[
            "--python".into(),
            "/x".into(),
            "--repeat".into(),
            "3".into(),
            "--json".into(),
            "/tmp/a.json".into(),
        ],
    )
    .expect("its own options and the common ones");
    assert_eq!(ok.repeat, 3);
}
