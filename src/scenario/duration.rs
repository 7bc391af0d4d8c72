//! Durations: a number of seconds, or a string with a unit ("45s", "1.5m", "2h", "7d").

/// Parses a duration string into seconds. Accepted units: `s`, `m`/`min`, `h`, `d`, with an
/// optional space between number and unit; a bare number means seconds.
pub fn parse_duration_s(s: &str) -> Option<f64> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == 'e' || c == 'E'))
        .unwrap_or(t.len());
    // Be careful not to take the unit 'e' of nothing: units never start with 'e'.
    let (num, unit) = t.split_at(split);
    let value: f64 = num.trim().parse().ok()?;
    let factor = match unit.trim() {
        "" | "s" | "sec" => 1.0,
        "m" | "min" => 60.0,
        "h" => 3600.0,
        "d" => 86_400.0,
        _ => return None,
    };
    let v = value * factor;
    v.is_finite().then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units() {
        assert_eq!(parse_duration_s("45s"), Some(45.0));
        assert_eq!(parse_duration_s("1.5m"), Some(90.0));
        assert_eq!(parse_duration_s("2h"), Some(7200.0));
        assert_eq!(parse_duration_s("7d"), Some(604_800.0));
        assert_eq!(parse_duration_s("30 min"), Some(1800.0));
        assert_eq!(parse_duration_s("12"), Some(12.0));
        assert_eq!(parse_duration_s("5 parsecs"), None);
        assert_eq!(parse_duration_s("h"), None);
        assert_eq!(parse_duration_s(""), None);
        assert_eq!(parse_duration_s("-3s"), None);
    }
}
