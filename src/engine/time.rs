//! Simulated time: an integer count of milliseconds since the start of the run.

use std::fmt;

/// A point in simulated time, in milliseconds since the run started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct SimTime(pub u64);

impl SimTime {
    /// The start of the run.
    pub const ZERO: SimTime = SimTime(0);
    /// A time later than any event a run can schedule.
    pub const NEVER: SimTime = SimTime(u64::MAX);

    /// The time `ms` milliseconds after the start.
    pub const fn from_ms(ms: u64) -> SimTime {
        SimTime(ms)
    }

    /// The time `s` whole seconds after the start.
    pub const fn from_secs(s: u64) -> SimTime {
        SimTime(s * 1000)
    }

    /// Milliseconds since the start.
    pub const fn as_ms(self) -> u64 {
        self.0
    }

    /// This time plus `ms` milliseconds, saturating at [`SimTime::NEVER`].
    pub const fn plus_ms(self, ms: u64) -> SimTime {
        SimTime(self.0.saturating_add(ms))
    }

    /// Milliseconds from `earlier` to `self` (0 if `earlier` is later).
    pub const fn since_ms(self, earlier: SimTime) -> u64 {
        self.0.saturating_sub(earlier.0)
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_secs(self.0))
    }
}

/// Formats milliseconds as seconds with millisecond precision (`12.345`), the unit of every output file.
pub fn format_secs(ms: u64) -> String {
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_are_printed_with_millisecond_precision() {
        assert_eq!(format_secs(0), "0.000");
        assert_eq!(format_secs(1_234), "1.234");
        assert_eq!(SimTime::from_secs(90).to_string(), "90.000");
    }

    #[test]
    fn adding_to_never_saturates() {
        assert_eq!(SimTime::NEVER.plus_ms(5), SimTime::NEVER);
        assert_eq!(SimTime(5).since_ms(SimTime(9)), 0);
    }
}
