//! Region files: several ports (each a scenario file, or its keys inline) that travellers
//! choose among, compiled into one [`PortConfig`] whose lanes are the ports' lanes.
//!
//! A region read from a file names its ports' scenarios by path (relative to the region
//! file); [`resolve`] then writes the region with each port's keys inline, the self-contained
//! text that sweeps edit (`ports.bota.lanes.ready.booths`) and that is validated again.

use std::path::Path;

use toml::de::{DeTable, DeValue};

use super::{Ctx, Header, Val, fmt_g, key_path, show};
use super::{ScenarioError, parse_with};
use crate::engine::SimTime;
use crate::port::{
    ApproachUse, ClassConfig, DisplayName, LaneConfig, OriginConfig, PortConfig, RegionConfig,
    RegionPort, ServiceDist,
};

/// The top-level keys of a region file.
const REGION_KEYS: &[&str] = &[
    "name",
    "description",
    "display",
    "seed",
    "horizon",
    "warmup",
    "replications",
    "start",
    "dates",
    "ports",
    "demand",
    "classes",
    "origins",
    "choice",
    "response",
];

/// Whether a parsed document is a region (it has `[[ports]]`).
pub(super) fn is_region(root: &DeTable<'_>) -> bool {
    Ctx::get(root, "ports").is_some()
}

/// A region class as written.
struct RegionClass {
    id: String,
    display: DisplayName,
    share: f64,
    tolerance: Option<ServiceDist>,
}

/// Where a port's configuration comes from.
enum PortText {
    /// Keys inline in the `[[ports]]` entry.
    Inline,
    /// Read from this file (its text).
    File(String),
}

impl Ctx<'_> {
    /// Validates a region. `dir` is the region file's folder (None: read from text, so every
    /// port must be inline). Returns the compiled configuration and, for each port read from a
    /// file, its text (for [`resolve`]).
    pub(super) fn region(
        &mut self,
        root: &DeTable<'_>,
        default_name: &str,
        dir: Option<&Path>,
    ) -> Option<(PortConfig, Vec<Option<String>>)> {
        self.check_keys(root, "", REGION_KEYS);
        let Header {
            name,
            display,
            description,
            seed,
            horizon,
            warmup,
            replications,
            demand,
        } = self.header(root, default_name);
        let calendar = self.calendar(root);
        let ports = Self::get(root, "ports").and_then(|v| self.ports(v, dir));
        let port_ids: Option<Vec<String>> = ports
            .as_ref()
            .map(|p| p.iter().map(|(id, _, _)| id.clone()).collect());
        let classes = match Self::get(root, "classes") {
            Some(v) => self.region_classes(v),
            None => {
                self.err(
                    0..0,
                    "classes",
                    "missing required [[classes]] (at least one class)".to_string(),
                );
                None
            }
        };
        let origins = match (Self::get(root, "origins"), port_ids.as_deref()) {
            (Some(v), Some(ids)) => self.origins(v, ids),
            (Some(_), None) => None,
            (None, Some(ids)) => Some(vec![OriginConfig {
                id: "all".to_string(),
                share: 1.0,
                travel_s: vec![0.0; ids.len()],
            }]),
            (None, None) => None,
        };
        let choice = match Self::get(root, "choice") {
            Some(v) => self
                .table(v, "choice")
                .and_then(|t| self.choice(t, port_ids.as_deref())),
            None => {
                self.err(
                    0..0,
                    "choice",
                    "missing required table [choice] (scale = \"10m\": the logit scale of the port choice)".to_string(),
                );
                None
            }
        };
        // A class tolerance needs a [response], as in a scenario.
        let class_tolerances: Option<Vec<ClassConfig>> = classes.as_ref().map(|cs| {
            cs.iter()
                .map(|c| ClassConfig {
                    tolerance: c.tolerance.clone(),
                    ..crate::port::ClassConfig {
                        id: c.id.clone(),
                        display: DisplayName::default(),
                        share: c.share,
                        share_by_hour: None,
                        lanes: Vec::new(),
                        trusted: false,
                        mode: crate::port::TravelMode::Car,
                        idle: crate::port::IdleEmissions::default_for(crate::port::TravelMode::Car),
                        approach: ApproachUse::Shared,
                        referral: 0.0,
                        tolerance: None,
                    }
                })
                .collect()
        });
        let response = self.response_and_tolerances(root, class_tolerances.as_deref());
        let (ports, classes, (scale_s, toll_s)) = (ports?, classes?, choice?);
        let (origins, response, calendar) = (origins?, response?, calendar?);
        // Demand that follows the booths open is a port scenario's: a region's lanes belong to
        // several ports. Month factors need the region's `start`.
        if let Some(t) = Self::get(root, "demand").and_then(|v| match v.get_ref() {
            DeValue::Table(t) => Some(t),
            _ => None,
        }) {
            let mut bad = false;
            for key in ["staffing_elasticity", "staffing_lanes"] {
                if let Some(v) = Self::get(t, key) {
                    self.err(
                        v.span(),
                        &format!("demand.{key}"),
                        "only in a port scenario (a region's lanes belong to several ports)"
                            .to_string(),
                    );
                    bad = true;
                }
            }
            if let Some(v) = Self::get(t, "month_factors")
                && calendar.start.is_none()
            {
                self.err(
                    v.span(),
                    "demand.month_factors",
                    "month factors need a `start` date for day 0 (e.g. start = \"2025-09-01\")"
                        .to_string(),
                );
                bad = true;
            }
            if bad {
                return None;
            }
        }

        // The ports' lanes, in port order, and each region class's lanes at each port.
        let mut lanes: Vec<LaneConfig> = Vec::new();
        let mut region_ports = Vec::new();
        for (id, _, cfg) in &ports {
            let start = lanes.len();
            for l in &cfg.lanes {
                let mut l = l.clone();
                l.display = DisplayName {
                    en: format!("{id}: {}", non_empty(&l.display.en, &l.id)),
                    es: format!(
                        "{id}: {}",
                        non_empty(&l.display.es, non_empty(&l.display.en, &l.id))
                    ),
                };
                l.id = format!("{id}/{}", l.id);
                lanes.push(l);
            }
            region_ports.push(RegionPort {
                id: id.clone(),
                display: cfg.display.clone(),
                lanes: start..lanes.len(),
            });
        }
        let mut class_lanes = Vec::new();
        let mut class_configs = Vec::new();
        let mut ok = true;
        for (ci, c) in classes.iter().enumerate() {
            let mut at_ports = Vec::new();
            let mut first: Option<&ClassConfig> = None;
            for ((_, _, cfg), rp) in ports.iter().zip(&region_ports) {
                match cfg.classes.iter().find(|pc| pc.id == c.id) {
                    Some(pc) => {
                        first.get_or_insert(pc);
                        at_ports.push(pc.lanes.iter().map(|l| rp.lanes.start + l).collect());
                    }
                    None => at_ports.push(Vec::new()),
                }
            }
            let Some(pc) = first else {
                let span = class_span(root, ci);
                self.err(
                    span,
                    &format!("classes[{ci}].id"),
                    format!(
                        "no port serves class {:?} (a port serves a class when its scenario has a class of that id; ports: {})",
                        c.id,
                        port_ids.as_deref().unwrap_or_default().join(", ")
                    ),
                );
                ok = false;
                continue;
            };
            let all_lanes: Vec<usize> = at_ports.iter().flatten().copied().collect();
            class_configs.push(ClassConfig {
                id: c.id.clone(),
                display: if c.display.en.is_empty() {
                    pc.display.clone()
                } else {
                    c.display.clone()
                },
                share: c.share,
                share_by_hour: None,
                lanes: all_lanes,
                trusted: pc.trusted,
                mode: pc.mode,
                idle: pc.idle,
                approach: ApproachUse::Shared,
                referral: 0.0,
                tolerance: c.tolerance.clone(),
            });
            class_lanes.push(at_ports);
        }
        if !ok {
            return None;
        }
        let texts = ports.into_iter().map(|(_, t, _)| t).collect();
        Some((
            PortConfig {
                name: name?,
                description: description.en,
                description_es: description.es,
                seed: seed?,
                horizon: SimTime::from_secs_f64(horizon?),
                warmup: SimTime::from_secs_f64(warmup?),
                replications: replications?,
                demand: demand?,
                classes: class_configs,
                lanes,
                approach: None,
                calendar,
                secondary: None,
                flex: Vec::new(),
                response,
                display,
                region: Some(RegionConfig {
                    ports: region_ports,
                    origins,
                    scale_s,
                    toll_s,
                    class_lanes,
                }),
            },
            texts,
        ))
    }

    /// `[[ports]]`: each port's id, where its keys came from (the file's text, or None when
    /// inline) and its validated configuration.
    #[allow(clippy::type_complexity)]
    fn ports(
        &mut self,
        v: &Val<'_>,
        dir: Option<&Path>,
    ) -> Option<Vec<(String, Option<String>, PortConfig)>> {
        let items = self.array_of_tables(v, "ports");
        let mut seen = Vec::new();
        let mut out = Vec::new();
        let mut ok = !items.is_empty();
        for (i, item, t) in items {
            let path = format!("ports[{i}]");
            let inline = Self::get(t, "lanes").is_some();
            if !inline {
                self.check_keys(t, &path, &["id", "scenario"]);
            }
            let id = self.id(t, item, &path, &mut seen);
            let sp = key_path(&path, "scenario");
            let text = if inline {
                Some(PortText::Inline)
            } else {
                match Self::get(t, "scenario") {
                    Some(sv) => self
                        .string(sv, &sp)
                        .and_then(|file| self.port_file(sv, &sp, &file, dir)),
                    None => {
                        self.err(
                            item.span(),
                            &sp,
                            "missing required key (the port's scenario file, relative to this file)"
                                .to_string(),
                        );
                        None
                    }
                }
            };
            let cfg = match &text {
                Some(PortText::Inline) => self.inline_port(t, &path, id.as_deref().unwrap_or("")),
                Some(PortText::File(src)) => {
                    let sv = Self::get(t, "scenario").expect("read from it");
                    let file = match sv.get_ref() {
                        DeValue::String(s) => s.to_string(),
                        _ => String::new(),
                    };
                    self.port_from_file(sv, &sp, &file, src, dir)
                }
                None => None,
            };
            let span = Self::get(t, "scenario").map_or(item.span(), |s| s.span());
            let cfg = cfg.and_then(|c| self.port_supported(c, span, &path));
            match (id, cfg) {
                (Some(id), Some(cfg)) => {
                    let text = match text {
                        Some(PortText::File(s)) => Some(s),
                        _ => None,
                    };
                    out.push((id, text, cfg));
                }
                _ => ok = false,
            }
        }
        if out.len() > usize::from(u16::MAX) {
            self.err(v.span(), "ports", "at most 65535 ports".to_string());
            ok = false;
        }
        ok.then_some(out)
    }

    /// Reads a port's scenario file named at `sv`.
    fn port_file(
        &mut self,
        sv: &Val<'_>,
        path: &str,
        file: &str,
        dir: Option<&Path>,
    ) -> Option<PortText> {
        let Some(dir) = dir else {
            self.err(
                sv.span(),
                path,
                format!(
                    "a region given as text needs its ports inline (got the file {file:?}; read the region from its file, or put the port's keys in its [[ports]] entry)"
                ),
            );
            return None;
        };
        let full = dir.join(file);
        match std::fs::read_to_string(&full) {
            Ok(text) => Some(PortText::File(text)),
            Err(e) => {
                self.err(
                    sv.span(),
                    path,
                    format!("cannot read the port's scenario {} ({e})", full.display()),
                );
                None
            }
        }
    }

    /// Validates a port's scenario read from a file; its problems name that file.
    fn port_from_file(
        &mut self,
        sv: &Val<'_>,
        path: &str,
        file: &str,
        text: &str,
        dir: Option<&Path>,
    ) -> Option<PortConfig> {
        let full = dir.map_or_else(|| file.to_string(), |d| d.join(file).display().to_string());
        let stem = Path::new(file)
            .file_stem()
            .map(|s| s.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        match parse_with(text, &full, &stem, None) {
            Ok(s) if s.config.region.is_some() => {
                self.err(
                    sv.span(),
                    path,
                    format!("{full} is a region, expected a port scenario"),
                );
                None
            }
            Ok(s) => Some(s.config),
            Err(ScenarioError::Invalid(diags)) => {
                let at = sv.span().start;
                self.diags.extend(diags.into_iter().map(|d| (at, d)));
                None
            }
            Err(e) => {
                self.err(sv.span(), path, e.to_string());
                None
            }
        }
    }

    /// Validates a port whose scenario keys are inline in its `[[ports]]` entry.
    fn inline_port(&mut self, t: &DeTable<'_>, path: &str, id: &str) -> Option<PortConfig> {
        let saved = (std::mem::take(&mut self.prefix), self.root_extra);
        self.prefix = format!("{path}.");
        self.root_extra = &["id", "scenario"];
        let cfg = self.scenario(t, id);
        (self.prefix, self.root_extra) = saved;
        if cfg.as_ref().is_some_and(|c| c.region.is_some()) {
            return None;
        }
        cfg
    }

    /// What a port in a region may not have (yet): secondary inspection, flex booths. Its
    /// `[approach]`, lane `storage` and classes' `approach` are set aside, like its `[demand]`:
    /// a region's trips queue in each lane without a storage limit (the lines before the split
    /// are not modelled in a region yet). (Its `start` and `[[dates]]` are ignored: the region's
    /// own calendar decides each day's type.)
    fn port_supported(
        &mut self,
        mut cfg: PortConfig,
        span: std::ops::Range<usize>,
        path: &str,
    ) -> Option<PortConfig> {
        cfg.approach = None;
        for lane in &mut cfg.lanes {
            lane.storage = None;
        }
        for class in &mut cfg.classes {
            class.approach = Default::default();
        }
        let mut found = Vec::new();
        if cfg.secondary.is_some() {
            found.push("[secondary]");
        }
        if !cfg.flex.is_empty() {
            found.push("[[flex]]");
        }
        if found.is_empty() {
            return Some(cfg);
        }
        self.err(
            span,
            path,
            format!(
                "port {:?} has {}, which a port in a region cannot have (expected lanes, booths, service and classes only)",
                cfg.name,
                found.join(", ")
            ),
        );
        None
    }

    /// A region's `[[classes]]`: id, share, optional display and tolerance.
    fn region_classes(&mut self, v: &Val<'_>) -> Option<Vec<RegionClass>> {
        let items = self.array_of_tables(v, "classes");
        let mut seen = Vec::new();
        let mut out = Vec::new();
        let mut ok = !items.is_empty();
        for (i, item, t) in &items {
            let path = format!("classes[{i}]");
            self.check_keys(t, &path, &["id", "share", "display", "tolerance"]);
            let id = self.id(t, item, &path, &mut seen);
            let display = Self::get(t, "display")
                .map(|x| self.display(x, &key_path(&path, "display")))
                .unwrap_or_default();
            let sp = key_path(&path, "share");
            let share = match Self::get(t, "share") {
                Some(x) => self.share(x, &sp),
                None => {
                    self.err(
                        item.span(),
                        &sp,
                        "missing required key (share of all trips, 0-1)".to_string(),
                    );
                    None
                }
            };
            let tolerance = match Self::get(t, "tolerance") {
                Some(x) => {
                    let p = key_path(&path, "tolerance");
                    self.table(x, &p)
                        .and_then(|tt| self.service(tt, x, &p))
                        .map(Some)
                }
                None => Some(None),
            };
            match (id, share, tolerance) {
                (Some(id), Some(share), Some(tolerance)) => out.push(RegionClass {
                    id,
                    display,
                    share,
                    tolerance,
                }),
                _ => ok = false,
            }
        }
        if ok {
            let parts: Vec<(String, f64)> = out.iter().map(|c| (c.id.clone(), c.share)).collect();
            ok = self.shares_sum_to_one(&items, "classes", &parts);
        }
        if out.len() > usize::from(u16::MAX) {
            self.err(v.span(), "classes", "at most 65535 classes".to_string());
            ok = false;
        }
        ok.then_some(out)
    }

    /// `[[origins]]`: where trips start, their shares and travel times to every port.
    fn origins(&mut self, v: &Val<'_>, ports: &[String]) -> Option<Vec<OriginConfig>> {
        let items = self.array_of_tables(v, "origins");
        let mut seen = Vec::new();
        let mut out = Vec::new();
        let mut ok = !items.is_empty();
        for (i, item, t) in &items {
            let path = format!("origins[{i}]");
            self.check_keys(t, &path, &["id", "share", "travel"]);
            let id = self.id(t, item, &path, &mut seen);
            let sp = key_path(&path, "share");
            let share = match Self::get(t, "share") {
                Some(x) => self.share(x, &sp),
                None => {
                    self.err(
                        item.span(),
                        &sp,
                        "missing required key (share of all trips, 0-1)".to_string(),
                    );
                    None
                }
            };
            let tp = key_path(&path, "travel");
            let travel = match Self::get(t, "travel") {
                Some(x) => self.table(x, &tp).and_then(|tt| {
                    self.per_port(tt, x, &tp, ports, true, |cx, v, p| cx.duration(v, p))
                }),
                None => {
                    self.err(
                        item.span(),
                        &tp,
                        format!(
                            "missing required key (travel time to every port, e.g. {{ {} }})",
                            ports
                                .iter()
                                .map(|p| format!("{p} = \"10m\""))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    );
                    None
                }
            };
            match (id, share, travel) {
                (Some(id), Some(share), Some(travel)) => out.push(OriginConfig {
                    id,
                    share,
                    travel_s: travel.into_iter().map(|x| x.unwrap_or(0.0)).collect(),
                }),
                _ => ok = false,
            }
        }
        if ok {
            let parts: Vec<(String, f64)> = out.iter().map(|o| (o.id.clone(), o.share)).collect();
            ok = self.shares_sum_to_one(&items, "origins", &parts);
        }
        if out.len() > usize::from(u16::MAX) {
            self.err(v.span(), "origins", "at most 65535 origins".to_string());
            ok = false;
        }
        ok.then_some(out)
    }

    /// `[choice]`: the logit scale (s) and each port's toll as time (s).
    fn choice(&mut self, t: &DeTable<'_>, ports: Option<&[String]>) -> Option<(f64, Vec<f64>)> {
        self.check_keys(t, "choice", &["scale", "value_of_time", "tolls"]);
        let scale = match Self::get(t, "scale") {
            Some(x) => self.duration(x, "choice.scale").and_then(|s| {
                if s >= 1.0 {
                    Some(s)
                } else {
                    self.err(
                        x.span(),
                        "choice.scale",
                        format!("too small (got {s} s, expected at least 1 s: the logit scale of the generalised cost)"),
                    );
                    None
                }
            }),
            None => {
                self.err(
                    0..0,
                    "choice.scale",
                    "missing required key (the logit scale, a duration such as \"10m\")"
                        .to_string(),
                );
                None
            }
        };
        let vot = match Self::get(t, "value_of_time") {
            Some(x) => self.float(x, "choice.value_of_time").and_then(|v| {
                if v > 0.0 {
                    Some(Some((v, x.span())))
                } else {
                    self.err(
                        x.span(),
                        "choice.value_of_time",
                        format!("must be positive, got {v} (currency per hour)"),
                    );
                    None
                }
            }),
            None => Some(None),
        };
        let ports = ports?;
        let tolls = match Self::get(t, "tolls") {
            Some(x) => self.table(x, "choice.tolls").and_then(|tt| {
                self.per_port(tt, x, "choice.tolls", ports, false, |cx, v, p| {
                    cx.float(v, p).and_then(|f| {
                        if f >= 0.0 {
                            Some(f)
                        } else {
                            cx.err(v.span(), p, format!("must not be negative, got {f}"));
                            None
                        }
                    })
                })
            }),
            None => Some(vec![None; ports.len()]),
        };
        let (scale, vot, tolls) = (scale?, vot?, tolls?);
        let any_toll = tolls.iter().any(|x| x.is_some_and(|t| t > 0.0));
        let toll_s = match vot {
            Some((v, _)) => tolls
                .iter()
                .map(|x| x.unwrap_or(0.0) / v * 3600.0)
                .collect(),
            None if any_toll => {
                let span = Self::get(t, "tolls").map_or(0..0, |x| x.span());
                self.err(
                    span,
                    "choice.value_of_time",
                    "missing required key: tolls need a value_of_time (currency per hour) to turn them into time".to_string(),
                );
                return None;
            }
            None => vec![0.0; ports.len()],
        };
        Some((scale, toll_s))
    }

    /// A table keyed by port id (`travel`, `tolls`): one value per port, in port order; every
    /// key must be a port, and with `all` every port must have a value.
    #[allow(clippy::too_many_arguments)]
    fn per_port<T: Clone>(
        &mut self,
        t: &DeTable<'_>,
        v: &Val<'_>,
        path: &str,
        ports: &[String],
        all: bool,
        mut value: impl FnMut(&mut Self, &Val<'_>, &str) -> Option<T>,
    ) -> Option<Vec<Option<T>>> {
        let mut out = vec![None; ports.len()];
        let mut ok = true;
        for (k, x) in t.iter() {
            let name: &str = k.get_ref();
            let p = key_path(path, name);
            match ports.iter().position(|id| id == name) {
                Some(i) => match value(self, x, &p) {
                    Some(y) => out[i] = Some(y),
                    None => ok = false,
                },
                None => {
                    self.err(
                        k.span(),
                        &p,
                        format!("unknown port (expected one of: {})", ports.join(", ")),
                    );
                    ok = false;
                }
            }
        }
        if all && ok {
            let missing: Vec<&str> = ports
                .iter()
                .zip(&out)
                .filter(|(_, x)| x.is_none())
                .map(|(id, _)| id.as_str())
                .collect();
            if !missing.is_empty() {
                self.err(
                    v.span(),
                    path,
                    format!(
                        "missing ports: {} (expected a value for every port)",
                        missing.join(", ")
                    ),
                );
                ok = false;
            }
        }
        ok.then_some(out)
    }

    /// A share from 0 to 1.
    fn share(&mut self, v: &Val<'_>, path: &str) -> Option<f64> {
        let x = self.float(v, path)?;
        if (0.0..=1.0).contains(&x) {
            Some(x)
        } else {
            self.err(
                v.span(),
                path,
                format!(
                    "out of range (got {}, expected a share from 0 to 1)",
                    show(v.get_ref())
                ),
            );
            None
        }
    }

    /// Reports shares that do not sum to 1 at the first entry's share.
    fn shares_sum_to_one(
        &mut self,
        items: &[(usize, &Val<'_>, &DeTable<'_>)],
        what: &str,
        parts: &[(String, f64)],
    ) -> bool {
        let total: f64 = parts.iter().map(|(_, s)| s).sum();
        if (total - 1.0).abs() <= 1e-6 {
            return true;
        }
        let list = parts
            .iter()
            .map(|(id, s)| format!("{id} {s}"))
            .collect::<Vec<_>>()
            .join(" + ");
        let (_, item, t) = items[0];
        let span = Self::get(t, "share").map_or(item.span(), |s| s.span());
        self.err(
            span,
            &format!("{what}[*].share"),
            format!("shares must sum to 1, got {} ({list})", fmt_g(total)),
        );
        false
    }
}

fn non_empty<'a>(s: &'a str, or: &'a str) -> &'a str {
    if s.is_empty() { or } else { s }
}

/// The span of `classes[i].id` (or of the entry) in a region's root.
fn class_span(root: &DeTable<'_>, i: usize) -> std::ops::Range<usize> {
    match Ctx::get(root, "classes").map(|v| v.get_ref()) {
        Some(DeValue::Array(a)) => match a.get(i) {
            Some(item) => match item.get_ref() {
                DeValue::Table(t) => Ctx::get(t, "id").map_or(item.span(), |x| x.span()),
                _ => item.span(),
            },
            None => 0..0,
        },
        _ => 0..0,
    }
}

/// The region text with each port read from a file put inline: its scenario's keys in its
/// `[[ports]]` entry, beside `id` and `scenario`. `texts[i]` is port i's file text (None when
/// already inline).
pub(super) fn resolve(region_text: &str, texts: &[Option<String>]) -> Result<String, String> {
    let mut doc: toml::Table = region_text.parse().map_err(|e| format!("{e}"))?;
    let Some(toml::Value::Array(ports)) = doc.get_mut("ports") else {
        return Err("no [[ports]]".to_string());
    };
    for (entry, text) in ports.iter_mut().zip(texts) {
        let (Some(text), toml::Value::Table(entry)) = (text, entry) else {
            continue;
        };
        let port: toml::Table = text.parse().map_err(|e| format!("{e}"))?;
        for (k, v) in port {
            entry.insert(k, v);
        }
    }
    Ok(doc.to_string())
}

#[cfg(test)]
mod tests {
    use crate::scenario::{ScenarioError, parse_str};

    /// A region of two small ports, inline.
    const REGION: &str = r#"
name = "two"
horizon = "2d"
warmup = "6h"
replications = 2

[[ports]]
id = "a"
name = "a"
horizon = "1d"
[ports.demand]
rate = 1
[[ports.lanes]]
id = "general"
kind = "general"
booths = 2
service = { dist = "exponential", mean = "60s" }
[[ports.classes]]
id = "car"
share = 1
lanes = ["general"]

[[ports]]
id = "b"
name = "b"
horizon = "1d"
[ports.demand]
rate = 1
[[ports.lanes]]
id = "general"
kind = "general"
booths = 1
service = { dist = "exponential", mean = "60s" }
[[ports.lanes]]
id = "sentri"
kind = "sentri"
booths = 1
service = { dist = "exponential", mean = "30s" }
[[ports.classes]]
id = "car"
share = 0.5
lanes = ["general"]
[[ports.classes]]
id = "sentri"
share = 0.5
lanes = ["sentri", "general"]

[demand]
rate = 100

[[classes]]
id = "car"
share = 0.8

[[classes]]
id = "sentri"
share = 0.2

[[origins]]
id = "west"
share = 0.6
travel = { a = "5m", b = "20m" }

[[origins]]
id = "east"
share = 0.4
travel = { a = "20m", b = "5m" }

[choice]
scale = "10m"
value_of_time = 15.0
tolls = { b = 2.5 }
"#;

    fn errors(text: &str) -> String {
        match parse_str(text, "r.toml") {
            Err(ScenarioError::Invalid(d)) => d
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join("\n"),
            other => panic!("expected errors, got {other:?}"),
        }
    }

    #[test]
    fn a_region_compiles_into_one_port_of_all_lanes() {
        let s = parse_str(REGION, "r.toml").unwrap_or_else(|e| panic!("{e}"));
        let c = &s.config;
        let ids: Vec<&str> = c.lanes.iter().map(|l| l.id.as_str()).collect();
        assert_eq!(ids, ["a/general", "b/general", "b/sentri"]);
        let r = c.region.as_ref().expect("region");
        // car: a's general lane, b's general lane; sentri: only at b, SENTRI lane first.
        assert_eq!(
            r.class_lanes,
            vec![vec![vec![0], vec![1]], vec![vec![], vec![2, 1]]]
        );
        assert_eq!(c.classes[1].lanes, vec![2, 1]);
        assert_eq!(r.origins[1].travel_s, vec![1200.0, 300.0]);
        assert_eq!(r.scale_s, 600.0);
        // A toll of 2.5 at 15 an hour is 10 minutes.
        assert_eq!(r.toll_s, vec![0.0, 600.0]);
        assert_eq!(c.demand.per_hour, [100.0; 24]);
        assert_eq!(c.horizon.as_secs_f64(), 2.0 * 86_400.0);
        // The ports' own horizon and demand are ignored; it runs.
        let res = crate::port::simulate(c, 0, None);
        assert_eq!(res.flows.len(), 2 * 2 * 2 * 24);
    }

    #[test]
    fn region_errors_name_the_key_and_what_is_allowed() {
        let bad = REGION
            .replace(
                "travel = { a = \"20m\", b = \"5m\" }",
                "travel = { a = \"20m\", c = \"5m\" }",
            )
            .replace("tolls = { b = 2.5 }", "tolls = { b = -1 }")
            .replace("share = 0.2\n", "share = 0.3\n")
            .replace("scale = \"10m\"", "scale = \"0s\"");
        let e = errors(&bad);
        for want in [
            "origins[1].travel.c: unknown port (expected one of: a, b)",
            "choice.tolls.b: must not be negative, got -1",
            "classes[*].share: shares must sum to 1, got 1.1 (car 0.8 + sentri 0.3)",
            "choice.scale: too small (got 0 s, expected at least 1 s",
        ] {
            assert!(e.contains(want), "{want:?} not in\n{e}");
        }
        let e = errors(&REGION.replace(
            "travel = { a = \"5m\", b = \"20m\" }",
            "travel = { a = \"5m\" }",
        ));
        assert!(e.contains("origins[0].travel: missing ports: b"), "{e}");
        let e = errors(&REGION.replace("value_of_time = 15.0\n", ""));
        assert!(
            e.contains("choice.value_of_time: missing required key: tolls need a value_of_time"),
            "{e}"
        );
        let e =
            errors(&REGION.replace("id = \"sentri\"\nshare = 0.2", "id = \"fast\"\nshare = 0.2"));
        assert!(
            e.contains("classes[1].id: no port serves class \"fast\""),
            "{e}"
        );
        // An inline port's problems carry its path.
        let e = errors(&REGION.replacen("booths = 2", "booths = -2", 1));
        assert!(e.contains("ports[0].lanes[0].booths"), "{e}");
        // A port given by path needs the region to be read from its file.
        let e = errors(
            "name = \"x\"\nhorizon = \"1d\"\n[[ports]]\nid = \"a\"\nscenario = \"a.toml\"\n[demand]\nrate = 1\n[[classes]]\nid = \"c\"\nshare = 1\n[choice]\nscale = \"10m\"\n",
        );
        assert!(
            e.contains("ports[0].scenario: a region given as text needs its ports inline"),
            "{e}"
        );
    }
}
