//! Property tests of the byte-size parser every size option uses: any text gets an answer,
//! never a panic; every valid value reads back as itself; every refusal is one line.

use proptest::prelude::*;
use pyproof_harness::{MAX_BYTES, parse_bytes};

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_text_is_answered_in_one_line(s in "\\PC{0,24}") {
        if let Err(e) = parse_bytes(&s) {
            prop_assert!(!e.is_empty() && !e.contains('\n'), "{e:?}");
        }
    }

    #[test]
    fn valid_numbers_read_back(n in 1u64..=MAX_BYTES) {
        prop_assert_eq!(parse_bytes(&n.to_string()), Ok(n));
    }

    #[test]
    fn out_of_range_values_are_refused(n in (MAX_BYTES + 1)..u64::MAX) {
        prop_assert!(parse_bytes(&n.to_string()).is_err());
        prop_assert!(parse_bytes("0").is_err());
    }
}
