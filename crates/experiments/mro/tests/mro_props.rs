//! Property tests of the MRO graph input and the C3 linearization: any text is parsed or
//! refused (never a panic), and every linearization of a random hierarchy has C3's
//! defining properties.

use mro::c3::{ClassGraph, random_hierarchy};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_text_is_parsed_or_refused(text in "[A-Za-z0-9_(), ;\\n]{0,60}") {
        let _ = ClassGraph::parse(&text);
    }

    #[test]
    fn every_linearization_has_c3s_properties(seed in any::<u64>()) {
        let defs = random_hierarchy(&mut pyproof_harness::Rng::new(seed));
        let graph = ClassGraph::new(defs.clone()).expect("random hierarchies are well formed");
        for d in &defs {
            let Some(Ok(mro)) = graph.mro(&d.name) else { continue };
            // The class first, object last, nobody twice.
            prop_assert_eq!(mro.first(), Some(&d.name));
            prop_assert_eq!(mro.last().map(String::as_str), Some("object"));
            let mut seen = std::collections::BTreeSet::new();
            prop_assert!(mro.iter().all(|c| seen.insert(c)), "{mro:?}");
            let pos = |c: &str| mro.iter().position(|m| m == c);
            // Local precedence: the bases in the order they were written.
            let bases: Vec<usize> = d.bases.iter().filter_map(|b| pos(b)).collect();
            prop_assert_eq!(bases.len(), d.bases.len());
            prop_assert!(bases.windows(2).all(|w| w[0] < w[1]), "{mro:?} vs {:?}", d.bases);
            // Monotonicity: each base's own MRO appears in the same order.
            for b in &d.bases {
                if let Some(Ok(base_mro)) = graph.mro(b) {
                    let at: Vec<usize> = base_mro.iter().filter_map(|c| pos(c)).collect();
                    prop_assert_eq!(at.len(), base_mro.len());
                    prop_assert!(at.windows(2).all(|w| w[0] < w[1]));
                }
            }
        }
    }
}
