//! Where an experiment's time goes: the wall time under each progress label, summed over the
//! run. Experiments already say what runs now through [`Progress`]; [`StepClock`] sits between
//! them and the terminal and keeps the clock, so the trial's time can be cut where it is spent
//! (issue: the whole trial in five minutes) without instrumenting every experiment twice.

use crate::experiment::Progress;
use serde::{Deserialize, Serialize};
use std::sync::Mutex;
use std::time::Instant;

/// The wall time one step took, summed over every time it ran.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// What ran: the progress label, its `round N · ` prefix removed so rounds add up.
    pub label: String,
    /// Seconds spent under that label.
    pub seconds: f64,
    /// How many separate stretches ran under it (rounds, usually).
    pub times: u32,
}

/// A [`Progress`] that forwards every update and times each label, from the update that
/// names it to the next update naming another.
pub struct StepClock<'a> {
    inner: &'a dyn Progress,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    current: Option<(String, Instant)>,
    steps: Vec<Step>,
}

impl State {
    fn close(&mut self, now: Instant) {
        let Some((label, since)) = self.current.take() else {
            return;
        };
        let seconds = now.duration_since(since).as_secs_f64();
        match self.steps.iter_mut().find(|s| s.label == label) {
            Some(step) => {
                step.seconds += seconds;
                step.times += 1;
            }
            None => self.steps.push(Step {
                label,
                seconds,
                times: 1,
            }),
        }
    }
}

impl<'a> StepClock<'a> {
    /// A clock in front of `inner`; the time before the first update is "starting".
    pub fn new(inner: &'a dyn Progress) -> Self {
        StepClock {
            inner,
            state: Mutex::new(State {
                current: Some(("starting".to_string(), Instant::now())),
                steps: Vec::new(),
            }),
        }
    }

    /// Stops the clock: every step with its seconds, the longest first.
    pub fn finish(&self) -> Vec<Step> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.close(Instant::now());
        let mut steps = std::mem::take(&mut state.steps);
        steps.sort_by(|a, b| b.seconds.total_cmp(&a.seconds));
        steps
    }
}

/// `label` without a leading `round N · `, so one step's rounds are summed under one label.
pub fn step_label(label: &str) -> &str {
    let Some(rest) = label.strip_prefix("round ") else {
        return label;
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    match rest[digits..].strip_prefix(" · ") {
        Some(tail) if digits > 0 => tail,
        _ => label,
    }
}

impl Progress for StepClock<'_> {
    fn update(&self, label: &str, done: usize, total: usize) {
        {
            let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
            let key = step_label(label);
            if state.current.as_ref().is_none_or(|(l, _)| l != key) {
                let now = Instant::now();
                state.close(now);
                state.current = Some((key.to_string(), now));
            }
        }
        self.inner.update(label, done, total);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::NoProgress;

    #[test]
    fn round_prefixes_are_removed_and_nothing_else() {
        assert_eq!(step_label("round 12 · echo server"), "echo server");
        assert_eq!(step_label("round 1 · a · b"), "a · b");
        assert_eq!(step_label("round x · echo"), "round x · echo");
        assert_eq!(step_label("round  · echo"), "round  · echo");
        assert_eq!(step_label("warming up"), "warming up");
    }

    #[test]
    fn a_label_is_timed_until_another_and_rounds_add_up() {
        let clock = StepClock::new(&NoProgress);
        clock.update("round 1 · a", 0, 2);
        clock.update("round 1 · a", 1, 2);
        clock.update("round 1 · b", 1, 2);
        clock.update("round 2 · a", 2, 2);
        let steps = clock.finish();
        let labels: Vec<(&str, u32)> = steps.iter().map(|s| (s.label.as_str(), s.times)).collect();
        assert_eq!(labels.len(), 3);
        assert!(labels.contains(&("a", 2)));
        assert!(labels.contains(&("b", 1)));
        assert!(labels.contains(&("starting", 1)));
        assert!(steps.windows(2).all(|w| w[0].seconds >= w[1].seconds));
    }
}
