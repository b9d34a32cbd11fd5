//! The option registry: every command-line option an experiment takes, declared once.
//!
//! Modelled on ripgrep's flag definitions: an option is a unit struct implementing
//! [`RunOption`], listed by the experiment that uses it ([`crate::Experiment::options`]), with
//! its test beside it. The CLI and the examples build their parser from those lists (so an
//! option is spelled once, and every example takes exactly its own answer's options), parse
//! each value once with [`RunOption::parse`], and hand the experiment an [`Options`] from
//! which it reads typed values with [`Options::one`] / [`Options::all`].

use std::any::Any;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A parsed option value, kept behind `Any` so the registry holds options of every type.
pub type Parsed = Arc<dyn Any + Send + Sync>;

/// One `--name VALUE` option an experiment declares.
pub trait RunOption: Sync {
    /// The long name, without dashes (`csv-size` for `--csv-size`).
    fn name(&self) -> &'static str;
    /// The placeholder shown in help (`SIZE`).
    fn value_name(&self) -> &'static str;
    /// One sentence of help.
    fn help(&self) -> &'static str;
    /// Whether the option may be given more than once (every value is kept).
    fn repeatable(&self) -> bool {
        false
    }
    /// Parses one value; the error is the one line the user sees.
    fn parse(&self, value: &str) -> Result<Parsed, String>;
}

/// The values of the options given on the command line, by option name.
#[derive(Clone, Default)]
pub struct Options {
    values: BTreeMap<&'static str, Vec<Parsed>>,
}

impl std::fmt::Debug for Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map()
            .entries(self.values.iter().map(|(k, v)| (k, v.len())))
            .finish()
    }
}

impl Options {
    /// No option given.
    pub fn new() -> Self {
        Options::default()
    }

    /// Parses `value` for `option` and keeps it (after the earlier values of a repeatable
    /// option; a second value of a non-repeatable one is refused).
    pub fn set(&mut self, option: &dyn RunOption, value: &str) -> Result<(), String> {
        let parsed = option.parse(value)?;
        let slot = self.values.entry(option.name()).or_default();
        if !slot.is_empty() && !option.repeatable() {
            return Err(format!("--{} given more than once", option.name()));
        }
        slot.push(parsed);
        Ok(())
    }

    /// The value of a single-valued option, when given and of type `T`.
    pub fn one<T: 'static>(&self, option: &dyn RunOption) -> Option<&T> {
        self.values
            .get(option.name())?
            .last()
            .and_then(|v| v.downcast_ref::<T>())
    }

    /// Every value of a repeatable option, in the order given.
    pub fn all<T: 'static>(&self, option: &dyn RunOption) -> Vec<&T> {
        self.values
            .get(option.name())
            .map(|vs| vs.iter().filter_map(|v| v.downcast_ref::<T>()).collect())
            .unwrap_or_default()
    }

    /// Whether no option was given.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// The options of several experiments, each name once (two experiments may share one), in
/// the order first declared.
pub fn merged<'a>(
    lists: impl IntoIterator<Item = &'a [&'static dyn RunOption]>,
) -> Vec<&'static dyn RunOption> {
    let mut out: Vec<&'static dyn RunOption> = Vec::new();
    for list in lists {
        for o in list {
            if !out.iter().any(|x| x.name() == o.name()) {
                out.push(*o);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Count;
    impl RunOption for Count {
        fn name(&self) -> &'static str {
            "count"
        }
        fn value_name(&self) -> &'static str {
            "N"
        }
        fn help(&self) -> &'static str {
            "how many"
        }
        fn parse(&self, value: &str) -> Result<Parsed, String> {
            value
                .parse::<u64>()
                .map(|n| Arc::new(n) as Parsed)
                .map_err(|_| format!("bad count '{value}'"))
        }
    }

    struct Path;
    impl RunOption for Path {
        fn name(&self) -> &'static str {
            "path"
        }
        fn value_name(&self) -> &'static str {
            "PATH"
        }
        fn help(&self) -> &'static str {
            "a path"
        }
        fn repeatable(&self) -> bool {
            true
        }
        fn parse(&self, value: &str) -> Result<Parsed, String> {
            Ok(Arc::new(value.to_string()))
        }
    }

    #[test]
    fn values_are_parsed_once_and_read_typed() {
        let mut o = Options::new();
        assert!(o.is_empty());
        assert_eq!(o.one::<u64>(&Count), None);
        o.set(&Count, "7").expect("parses");
        assert_eq!(o.one::<u64>(&Count), Some(&7));
        assert_eq!(
            o.one::<String>(&Count),
            None,
            "the wrong type reads as absent"
        );
        assert_eq!(o.set(&Count, "x").unwrap_err(), "bad count 'x'");
        assert_eq!(
            o.set(&Count, "8").unwrap_err(),
            "--count given more than once"
        );
    }

    #[test]
    fn repeatable_options_keep_every_value_in_order() {
        let mut o = Options::new();
        o.set(&Path, "a").expect("ok");
        o.set(&Path, "b").expect("ok");
        let all: Vec<&String> = o.all(&Path);
        assert_eq!(all, [&"a".to_string(), &"b".to_string()]);
    }

    #[test]
    fn merged_lists_name_each_option_once() {
        let a: &[&'static dyn RunOption] = &[&Count, &Path];
        let b: &[&'static dyn RunOption] = &[&Path];
        let names: Vec<_> = merged([a, b]).iter().map(|o| o.name()).collect();
        assert_eq!(names, ["count", "path"]);
    }
}
