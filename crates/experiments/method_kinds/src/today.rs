//! The answer to give today about `@classmethod` and `@staticmethod`, from the facts the
//! interpreter showed.

use pyproof_harness::Outcome;

/// The sheet's answer with what the run observed behind it: the factory on a subclass, the
/// staticmethod as the bare function, the descriptor protocol, the Rust #[pyclass] alike.
pub fn answer(o: &Outcome) -> Option<String> {
    let factory = o.observed("Calzone.margherita()")?;
    let plain = o.observed("Pizza.__dict__['area'].__get__(None, Pizza) is the bare function")?;
    let mut s = format!(
        "As the sheet says, and say why: both are descriptors. Calzone.margherita() built {factory} \
         (the classmethod's __get__ binds the class it is called on); a staticmethod's __get__ \
         returns the bare function ({plain})"
    );
    if let Some(rust) = o.observed("Square.unit() (Rust #[classmethod], Python subclass)") {
        s.push_str(&format!(
            "; a Rust #[pyclass] behaves the same (Square.unit() gave {rust})"
        ));
    }
    s.push('.');
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pyproof_harness::testing::made_up_outcome;

    #[test]
    fn the_sentence_quotes_the_observed_facts() {
        let o = made_up_outcome(
            &[],
            &[
                ("Calzone.margherita()", "a Calzone"),
                (
                    "Pizza.__dict__['area'].__get__(None, Pizza) is the bare function",
                    "True",
                ),
            ],
            &[],
        );
        assert_eq!(
            answer(&o).as_deref(),
            Some(
                "As the sheet says, and say why: both are descriptors. Calzone.margherita() \
                 built a Calzone (the classmethod's __get__ binds the class it is called on); a \
                 staticmethod's __get__ returns the bare function (True)."
            )
        );
        assert_eq!(answer(&made_up_outcome(&[], &[], &[])), None);
    }
}
