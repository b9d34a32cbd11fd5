//! Property test of the CSV generator and the reference reader: for any size and seed, the
//! file reads back to exactly the answer computed while writing it, with no malformed row.

use dataframe_memory::data::{generate, scan};
use proptest::prelude::*;

proptest! {
    // Each case writes and reads a file: keep the count modest, the sizes varied.
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn generated_files_read_back_to_their_answer(bytes in 64u64..200_000, seed in any::<u64>()) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("sales.csv");
        let file = std::fs::File::create(&path).expect("create");
        let answer = generate(std::io::BufWriter::new(file), bytes, seed, &|_, _| {})
            .expect("written");
        let size = std::fs::metadata(&path).expect("metadata").len();
        prop_assert!(size <= bytes.max(64), "{size} > {bytes}");
        let read = scan(&path).expect("reads back");
        prop_assert_eq!(read.bad_rows(), 0);
        prop_assert_eq!(read.answer.rows, answer.rows);
        prop_assert!(read.answer.check_against(&answer, 1e-12).is_ok(),
            "{:?}", read.answer.check_against(&answer, 1e-12));
    }
}
