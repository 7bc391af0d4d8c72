//! Time-weighted levels (queue length, busy booths) with per-hour-of-day areas.

/// Integrates a piecewise-constant level over time from a start instant on, splitting the area
/// by hour of day. Times are nanoseconds since the start of the run (midnight).
#[derive(Clone, Debug)]
pub struct HourlyLevel {
    level: i64,
    last_ns: u64,
    next_boundary_ns: u64,
    hour: usize,
    /// Level x nanoseconds, by hour of day: exact integers (no rounding however long the run),
    /// turned into seconds once at the end.
    area: [i128; 24],
}

const HOUR_NS: u64 = 3_600_000_000_000;

impl HourlyLevel {
    /// Starts integrating at `start_ns` (earlier changes only move the level).
    pub fn new(start_ns: u64) -> Self {
        HourlyLevel {
            level: 0,
            last_ns: start_ns,
            next_boundary_ns: (start_ns / HOUR_NS + 1) * HOUR_NS,
            hour: ((start_ns / HOUR_NS) % 24) as usize,
            area: [0; 24],
        }
    }

    /// Current level.
    #[inline]
    pub fn level(&self) -> i64 {
        self.level
    }

    #[inline]
    fn advance(&mut self, now_ns: u64) {
        if now_ns <= self.last_ns {
            return;
        }
        while now_ns >= self.next_boundary_ns {
            self.area[self.hour] +=
                i128::from(self.level) * i128::from(self.next_boundary_ns - self.last_ns);
            self.last_ns = self.next_boundary_ns;
            self.next_boundary_ns += HOUR_NS;
            self.hour = (self.hour + 1) % 24;
        }
        self.area[self.hour] += i128::from(self.level) * i128::from(now_ns - self.last_ns);
        self.last_ns = now_ns;
    }

    /// Changes the level by `delta` at `now_ns` (times must not decrease).
    #[inline]
    pub fn add(&mut self, now_ns: u64, delta: i64) {
        self.advance(now_ns);
        self.level += delta;
    }

    /// Sets the level at `now_ns`.
    #[inline]
    pub fn set(&mut self, now_ns: u64, level: i64) {
        self.advance(now_ns);
        self.level = level;
    }

    /// Closes the integral at `end_ns` and returns the area (level x seconds) by hour of day.
    pub fn finish(&mut self, end_ns: u64) -> [f64; 24] {
        self.advance(end_ns);
        self.area.map(|a| a as f64 / 1e9)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_area_by_hour() {
        let mut l = HourlyLevel::new(HOUR_NS / 2); // 00:30
        l.set(HOUR_NS / 2, 2);
        l.add(HOUR_NS * 3 / 2, 1); // 01:30 -> 3
        let a = l.finish(HOUR_NS * 26); // to 02:00 next day
        assert_eq!(a[0], 2.0 * 1800.0 + 3.0 * 3600.0);
        assert_eq!(a[1], 2.0 * 1800.0 + 3.0 * 1800.0 + 3.0 * 3600.0);
        assert_eq!(a[5], 3.0 * 3600.0);
    }

    #[test]
    fn changes_before_start_only_move_the_level() {
        let mut l = HourlyLevel::new(HOUR_NS);
        l.add(10, 4);
        let a = l.finish(2 * HOUR_NS);
        assert_eq!(a[1], 4.0 * 3600.0);
        assert_eq!(a[0], 0.0);
    }
}
