//! Property tests of image_parallelism's option parsers (`--images`, `--image-size`): any
//! text gets an answer, never a panic; every valid value reads back as itself; every refusal
//! is one line.

use image_parallelism::options::{IMAGE_SIDE, MAX_IMAGES, parse_count, parse_image_size};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_text_is_answered_in_one_line(s in "\\PC{0,24}") {
        for r in [parse_count(&s).map(|_| ()), parse_image_size(&s).map(|_| ())] {
            if let Err(e) = r {
                prop_assert!(!e.is_empty() && !e.contains('\n'), "{e:?}");
            }
        }
    }

    #[test]
    fn valid_numbers_read_back(c in 1u64..=MAX_IMAGES,
                               w in IMAGE_SIDE.0..=IMAGE_SIDE.1, h in IMAGE_SIDE.0..=IMAGE_SIDE.1) {
        prop_assert_eq!(parse_count(&c.to_string()), Ok(c));
        prop_assert_eq!(parse_image_size(&format!("{w}x{h}")), Ok((w, h)));
        prop_assert_eq!(parse_image_size(&w.to_string()), Ok((w, w)));
    }

    #[test]
    fn out_of_range_values_are_refused(c in (MAX_IMAGES + 1)..u64::MAX,
                                       side in (IMAGE_SIDE.1 + 1)..u32::MAX) {
        prop_assert!(parse_count(&c.to_string()).is_err());
        prop_assert!(parse_image_size(&side.to_string()).is_err());
        prop_assert!(parse_count("0").is_err());
    }
}
