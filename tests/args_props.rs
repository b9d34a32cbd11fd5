//! Property tests of the examples' argument parsing (`--scale`, `--csv-size`, `--images`,
//! `--image-size`): any argument list is parsed or refused with one line, never a panic, and
//! every valid combination reads back.

use proptest::prelude::*;
use pyproof::parse_example_args;

fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("--scale".to_string()),
        Just("--csv-size".to_string()),
        Just("--images".to_string()),
        Just("--image-size".to_string()),
        Just("quick".to_string()),
        Just("full".to_string()),
        "[0-9]{1,12}(k|M|MB|GiB|x[0-9]{1,5})?",
        "\\PC{0,12}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    #[test]
    fn any_argument_list_is_parsed_or_refused_in_one_line(args in prop::collection::vec(token(), 0..7)) {
        if let Err(e) = parse_example_args(&args) {
            prop_assert!(!e.is_empty() && !e.contains('\n'), "{e:?}");
        }
    }

    #[test]
    fn valid_combinations_read_back(count in 1u64..=10_000_000, w in 8u32..=8192, h in 8u32..=8192,
                                    mb in 1u64..=1_000_000) {
        let args: Vec<String> = [
            "--images", &count.to_string(),
            "--scale", "full",
            "--image-size", &format!("{w}x{h}"),
            "--csv-size", &format!("{mb}MB"),
        ].iter().map(|s| s.to_string()).collect();
        let (scale, o) = parse_example_args(&args).expect("valid");
        prop_assert_eq!(scale, pyproof_core::Scale::Full);
        prop_assert_eq!(o.images, Some(count));
        prop_assert_eq!(o.image_size, Some((w, h)));
        prop_assert_eq!(o.csv_bytes, Some(mb * 1_000_000));
    }
}
