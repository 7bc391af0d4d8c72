//! What keeps one user from stalling the room: a cap on the vehicles one request may simulate,
//! a fixed number of runs at once (the others wait their turn), and the cancellation of a
//! page's older request when it sends a newer one.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use crate::port::PortConfig;

/// Limits on what one request may ask of the server.
#[derive(Clone, Debug, PartialEq)]
pub struct Limits {
    /// Most vehicles one request may simulate: expected arrivals over the horizon, times the
    /// replications (a what-if also runs its baseline once, which is not counted).
    pub max_vehicles: f64,
    /// Most simulations running at once; further requests wait for a free slot.
    pub max_runs: usize,
    /// Largest request body in bytes.
    pub max_body_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_vehicles: 5e7,
            max_runs: 2,
            max_body_bytes: 1 << 20,
        }
    }
}

/// Expected arrivals over the horizon of one replication.
pub fn expected_vehicles_per_replication(cfg: &PortConfig) -> f64 {
    let hours = cfg.horizon.as_secs_f64() / 3600.0;
    let whole = hours.floor() as usize;
    let mut sum: f64 = (0..whole).map(|h| cfg.demand.rate_per_hour(h)).sum();
    sum += cfg.demand.rate_per_hour(whole) * (hours - whole as f64);
    sum
}

/// Why a request is over the cap, or `None` when it is within it.
pub fn over_cap(cfg: &PortConfig, limits: &Limits) -> Option<String> {
    let per_rep = expected_vehicles_per_replication(cfg);
    let total = per_rep * f64::from(cfg.replications);
    (total > limits.max_vehicles).then(|| {
        format!(
            "this request would simulate about {total:.3e} vehicles ({:.1} days x {} replications x {:.0} vehicles a day), more than this server's cap of {:.3e} (ask for fewer replications or a shorter horizon, or start the server with a larger --max-vehicles)",
            cfg.horizon.as_secs_f64() / 86_400.0,
            cfg.replications,
            per_rep / (cfg.horizon.as_secs_f64() / 86_400.0).max(1e-9),
            limits.max_vehicles
        )
    })
}

/// A fixed number of run slots.
#[derive(Debug)]
pub struct Slots {
    max: usize,
    busy: Mutex<usize>,
    freed: Condvar,
}

/// A taken slot, given back when dropped.
pub struct Slot<'a>(&'a Slots);

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        let mut busy = self.0.busy.lock().unwrap_or_else(|p| p.into_inner());
        *busy = busy.saturating_sub(1);
        self.0.freed.notify_all();
    }
}

impl Slots {
    /// `max` slots (at least one).
    pub fn new(max: usize) -> Slots {
        Slots {
            max: max.max(1),
            busy: Mutex::new(0),
            freed: Condvar::new(),
        }
    }

    /// Waits for a free slot; gives up (`None`) once `cancel` is set.
    pub fn take(&self, cancel: &AtomicBool) -> Option<Slot<'_>> {
        let mut busy = self.busy.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if cancel.load(Ordering::SeqCst) {
                return None;
            }
            if *busy < self.max {
                *busy += 1;
                return Some(Slot(self));
            }
            busy = self
                .freed
                .wait_timeout(busy, Duration::from_millis(20))
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }
}

/// The latest request of each page (client id): its sequence number and cancellation flag.
#[derive(Debug, Default)]
pub struct Clients {
    latest: Mutex<BTreeMap<String, (u64, Arc<AtomicBool>)>>,
}

/// A request's cancellation flag, released from the client table when dropped.
pub struct Ticket<'a> {
    clients: Option<(&'a Clients, String)>,
    /// Set when a newer request of the same page arrives.
    pub cancel: Arc<AtomicBool>,
}

impl Drop for Ticket<'_> {
    fn drop(&mut self) {
        if let Some((clients, id)) = &self.clients {
            let mut map = clients.latest.lock().unwrap_or_else(|p| p.into_inner());
            if map
                .get(id)
                .is_some_and(|(_, flag)| Arc::ptr_eq(flag, &self.cancel))
            {
                map.remove(id);
            }
        }
    }
}

/// How many pages may be tracked at once (older entries are finished requests' leftovers).
const MAX_CLIENTS: usize = 4096;

impl Clients {
    /// Registers request `seq` of page `client`, cancelling that page's older request; a
    /// request older than one already seen is cancelled at once. Without a client id the
    /// request is never cancelled.
    pub fn enter(&self, client: Option<&str>, seq: u64) -> Ticket<'_> {
        let cancel = Arc::new(AtomicBool::new(false));
        let Some(id) = client.filter(|c| !c.is_empty()) else {
            return Ticket {
                clients: None,
                cancel,
            };
        };
        let mut map = self.latest.lock().unwrap_or_else(|p| p.into_inner());
        match map.get(id) {
            Some((latest, _)) if *latest > seq => {
                cancel.store(true, Ordering::SeqCst);
                return Ticket {
                    clients: None,
                    cancel,
                };
            }
            Some((_, older)) => older.store(true, Ordering::SeqCst),
            None => {}
        }
        if map.len() >= MAX_CLIENTS {
            map.clear();
        }
        map.insert(id.to_string(), (seq, Arc::clone(&cancel)));
        Ticket {
            clients: Some((self, id.to_string())),
            cancel,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_newer_request_cancels_the_older_and_an_older_one_is_refused() {
        let c = Clients::default();
        let first = c.enter(Some("page"), 1);
        assert!(!first.cancel.load(Ordering::SeqCst));
        let second = c.enter(Some("page"), 2);
        assert!(first.cancel.load(Ordering::SeqCst));
        assert!(!second.cancel.load(Ordering::SeqCst));
        let late = c.enter(Some("page"), 1);
        assert!(late.cancel.load(Ordering::SeqCst));
        assert!(!second.cancel.load(Ordering::SeqCst));
        // Another page is independent; no id means never cancelled.
        let other = c.enter(Some("other"), 1);
        let anon = c.enter(None, 0);
        let _third = c.enter(Some("page"), 3);
        assert!(second.cancel.load(Ordering::SeqCst));
        assert!(!other.cancel.load(Ordering::SeqCst));
        assert!(!anon.cancel.load(Ordering::SeqCst));
    }

    #[test]
    fn slots_are_given_back_and_a_cancelled_wait_gives_up() {
        let s = Slots::new(1);
        let go = AtomicBool::new(false);
        let a = s.take(&go);
        assert!(a.is_some());
        let stop = AtomicBool::new(true);
        assert!(s.take(&stop).is_none());
        drop(a);
        assert!(s.take(&go).is_some());
    }
}
