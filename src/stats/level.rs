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

/// The part of an interval that falls in one clock hour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HourPiece {
    /// Hours since the start of the run (midnight of day 0): `% 24` is the hour of day,
    /// `% 168` the hour of week.
    pub hour_index: u64,
    /// Start of the piece (ns since the start of the run).
    pub from_ns: u64,
    /// End of the piece (exclusive).
    pub to_ns: u64,
}

impl HourPiece {
    /// The hour of day of the piece.
    #[inline]
    pub fn hour_of_day(&self) -> usize {
        (self.hour_index % 24) as usize
    }

    /// Its length in seconds.
    #[inline]
    pub fn secs(&self) -> f64 {
        (self.to_ns - self.from_ns) as f64 * 1e-9
    }
}

/// Splits [from_ns, to_ns) at clock hours, in time order (nothing when `to_ns <= from_ns`).
/// The one way garita cuts an interval into hours: the posted-wait tallies by hour of day and
/// by day, the observed time by hour of day and [`HourlyLevel`] use it (the arrival process in
/// `port/model.rs` walks its hours inline, as it stops at the first arrival).
pub fn hour_pieces(from_ns: u64, to_ns: u64) -> impl Iterator<Item = HourPiece> {
    let mut t = from_ns;
    std::iter::from_fn(move || {
        if t >= to_ns {
            return None;
        }
        let hour_index = t / HOUR_NS;
        let next = ((hour_index + 1) * HOUR_NS).min(to_ns);
        let piece = HourPiece {
            hour_index,
            from_ns: t,
            to_ns: next,
        };
        t = next;
        Some(piece)
    })
}

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
        if now_ns < self.next_boundary_ns {
            // Within the current hour (most changes): no division.
            self.area[self.hour] += i128::from(self.level) * i128::from(now_ns - self.last_ns);
        } else {
            for p in hour_pieces(self.last_ns, now_ns) {
                self.area[p.hour_of_day()] +=
                    i128::from(self.level) * i128::from(p.to_ns - p.from_ns);
            }
            self.next_boundary_ns = (now_ns / HOUR_NS + 1) * HOUR_NS;
            self.hour = ((now_ns / HOUR_NS) % 24) as usize;
        }
        self.last_ns = now_ns;
    }

    /// Changes the level by `delta` at `now_ns` (times must not decrease).
    #[inline]
    pub fn add(&mut self, now_ns: u64, delta: i64) {
        self.advance(now_ns);
        self.level += delta;
    }

    /// Adds `level` held over [from_ns, to_ns) to the areas (nothing when the span is empty),
    /// for an integrand known as pieces rather than as changes in time order (the fast path's
    /// busy and staffed booths). The caller clips the span to the start; the areas are exact
    /// integers, so pieces added in any order give the same sums as the changes would.
    #[inline]
    pub fn add_span(&mut self, from_ns: u64, to_ns: u64, level: i64) {
        if to_ns <= from_ns {
            return;
        }
        let hour_index = from_ns / HOUR_NS;
        if to_ns <= (hour_index + 1) * HOUR_NS {
            self.area[(hour_index % 24) as usize] +=
                i128::from(level) * i128::from(to_ns - from_ns);
            return;
        }
        for p in hour_pieces(from_ns, to_ns) {
            self.area[p.hour_of_day()] += i128::from(level) * i128::from(p.to_ns - p.from_ns);
        }
    }

    /// Adds areas already split by hour of day (level x ns), kept elsewhere as spans were added
    /// in the same way as [`HourlyLevel::add_span`].
    pub fn add_areas(&mut self, area_ns: &[i128; 24]) {
        for (a, b) in self.area.iter_mut().zip(area_ns) {
            *a += b;
        }
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
    fn hour_pieces_cut_at_clock_hours() {
        let p: Vec<_> = hour_pieces(HOUR_NS / 2, 2 * HOUR_NS + 7).collect();
        assert_eq!(p.len(), 3);
        assert_eq!((p[0].hour_index, p[0].secs()), (0, 1800.0));
        assert_eq!((p[1].from_ns, p[1].to_ns), (HOUR_NS, 2 * HOUR_NS));
        assert_eq!((p[2].hour_index, p[2].to_ns), (2, 2 * HOUR_NS + 7));
        assert_eq!(hour_pieces(5, 5).count(), 0);
        assert_eq!(
            hour_pieces(25 * HOUR_NS, 26 * HOUR_NS)
                .next()
                .map(|p| p.hour_of_day()),
            Some(1)
        );
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
