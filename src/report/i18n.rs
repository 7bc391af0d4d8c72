//! Every user-facing string of the charts and the HTML report, in English and Spanish, and
//! number formats for each language.
//!
//! All strings live in the single table below; `{name}` placeholders are filled by [`Lang::fill`].

/// The language of charts and reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    /// English: decimal point, comma thousands separator.
    #[default]
    En,
    /// Spanish: decimal comma, space thousands separator.
    Es,
}

macro_rules! keys {
    ($($k:ident => $en:literal, $es:literal;)*) => {
        /// A translatable string.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Key { $($k,)* }
        impl Key {
            /// Every key, in table order.
            pub const ALL: &'static [Key] = &[$(Key::$k,)*];
            /// The key's name as written in the table (`TitleWaitByHour`).
            pub fn name(self) -> &'static str {
                match self { $(Key::$k => stringify!($k),)* }
            }
        }
        /// The table: (key, English, Spanish).
        const TABLE: &[(Key, &str, &str)] = &[$((Key::$k, $en, $es),)*];
    };
}

keys! {
    // Chart titles.
    TitleWaitByHour => "Wait by hour of arrival", "Espera según la hora de llegada";
    TitleStaffing => "Booths open and demand by hour", "Casetas abiertas y demanda por hora";
    TitleQueue => "Queue length by hour of day", "Longitud de la fila por hora del día";
    TitleCdf => "Distribution of waits", "Distribución de la espera";
    TitleCompare => "Change in wait against the baseline ({baseline})", "Cambio en la espera respecto a la base ({baseline})";
    TitleSweep => "{metric} by {key}", "{metric} según {key}";
    TitleHeatmap => "{metric}, all vehicles", "{metric}, todos los vehículos";
    TitleValidationByHour => "Posted wait by hour: simulated against observed", "Espera publicada por hora: simulada frente a observada";
    // Axes.
    AxisHourOfDay => "Hour of day", "Hora del día";
    AxisWaitMin => "Wait (minutes)", "Espera (minutos)";
    AxisArrivalsPerHour => "Arrivals per hour (vehicles)", "Llegadas por hora (vehículos)";
    AxisBoothsOpen => "Booths open", "Casetas abiertas";
    AxisQueue => "Vehicles waiting (time average)", "Vehículos en espera (promedio en el tiempo)";
    AxisShareLe => "Vehicles waiting at most this long (%)", "Vehículos que esperan a lo sumo este tiempo (%)";
    AxisChangeMin => "Change in wait (minutes)", "Cambio en la espera (minutos)";
    AxisAlternative => "Alternative", "Alternativa";
    // Legends.
    LegendMeanCi => "{lane}: mean (95% CI)", "{lane}: media (IC 95 %)";
    LegendP95 => "{lane}: 95th percentile", "{lane}: percentil 95";
    LegendTarget => "Target: {target}", "Meta: {target}";
    LegendArrivals => "Arrivals per hour, all lanes", "Llegadas por hora, todos los carriles";
    LegendBooths => "{lane}: booths open", "{lane}: casetas abiertas";
    LegendCdf => "{lane}: {share} within {target}", "{lane}: {share} en {target} o menos";
    LegendCi => "{lane} (95% CI)", "{lane} (IC 95 %)";
    LegendSimulatedPosted => "{lane}, simulated posted wait", "{lane}, espera publicada simulada";
    LegendObservedPosted => "{lane}: observed (CBP)", "{lane}: observada (CBP)";
    LegendContour => "Target contour: {target}", "Contorno de la meta: {target}";
    LegendColorScale => "Colour scale (minutes)", "Escala de color (minutos)";
    // Groups and lanes.
    AllVehicles => "All vehicles", "Todos los vehículos";
    LaneGeneral => "General lane", "Carril general";
    LaneReady => "Ready Lane", "Carril Ready";
    LaneSentri => "SENTRI", "SENTRI";
    LaneFast => "FAST", "FAST";
    ClassNamed => "Class {id}", "Clase {id}";
    // Metrics.
    MetricWaitMean => "Mean wait", "Espera media";
    MetricWaitP95 => "95th percentile wait", "Espera percentil 95";
    MetricWaitP50 => "Median wait", "Espera mediana";
    MetricShareLe20 => "Share waiting 20 minutes or less", "Proporción con espera de 20 minutos o menos";
    MetricUtilization => "Booth utilization", "Utilización de casetas";
    MetricQueueMean => "Vehicles waiting (mean)", "Vehículos en espera (media)";
    MetricArrivalsPerDay => "Arrivals per day", "Llegadas por día";
    MetricBoothHours => "Booth-hours per day", "Horas-caseta por día";
    // Units.
    Minutes => "{x} min", "{x} min";
    // Footer.
    Footer => "Scenario {name} · hash {hash} · seed {seed} · {reps} replications · garita {version}", "Escenario {name} · hash {hash} · semilla {seed} · {reps} réplicas · garita {version}";
    // HTML report.
    ReportTitle => "Wait times at the port: {name}", "Tiempos de espera en el puerto: {name}";
    SectionScenario => "Scenario", "Escenario";
    SectionKeyFigures => "Key figures", "Cifras clave";
    SectionCharts => "Charts", "Gráficas";
    SectionComparison => "Comparison with the baseline", "Comparación con la base";
    SectionRepro => "Reproducibility", "Reproducibilidad";
    ColGroup => "Group", "Grupo";
    ColArrivalsPerDay => "Vehicles per day", "Vehículos por día";
    ColWaitMean => "Mean wait (min)", "Espera media (min)";
    ColWaitP95 => "95th percentile wait (min)", "Espera percentil 95 (min)";
    ColShareLe20 => "Waiting 20 min or less", "Con espera de 20 min o menos";
    ColUtilization => "Booth utilization", "Utilización de casetas";
    ColAlternative => "Alternative", "Alternativa";
    ColMetric => "Metric", "Indicador";
    ColBaseline => "Baseline", "Base";
    ColAltValue => "Alternative", "Alternativa";
    ColChange => "Change (95% CI)", "Cambio (IC 95 %)";
    ColSignificant => "Significant", "Significativo";
    Yes => "yes", "sí";
    No => "no", "no";
    CiNote => "± gives the half-width of the 95% confidence interval over {reps} independent replications.", "± indica la semiamplitud del intervalo de confianza del 95 % sobre {reps} réplicas independientes.";
    CompareNote => "Differences are paired (common random numbers); significant means the 95% interval excludes zero.", "Las diferencias son pareadas (números aleatorios comunes); significativo quiere decir que el intervalo del 95 % no incluye el cero.";
    ReproIntro => "Anyone can reproduce these results with the same scenario file and garita version:", "Cualquiera puede reproducir estos resultados con el mismo archivo de escenario y la misma versión de garita:";
    ReproCommand => "Command", "Comando";
    ReproVersion => "garita version", "Versión de garita";
    ReproSeed => "Seed", "Semilla";
    ReproReplications => "Replications", "Réplicas";
    ReproFile => "Scenario file", "Archivo de escenario";
    ReproHash => "Scenario file SHA-256", "SHA-256 del archivo de escenario";
    ReproHorizon => "Horizon and warm-up", "Horizonte y calentamiento";
    Days => "{x} days", "{x} días";
    OneDay => "{x} day", "{x} día";
    NoDescription => "(no description)", "(sin descripción)";
    // Pilot-site ranking.
    TitlePilotRanking => "Pilot candidates ranked by weighted score", "Candidatos a piloto ordenados por puntaje ponderado";
    TitlePilotTradeoff => "Delay saved against 95th-percentile wait saved", "Demora ahorrada frente a espera percentil 95 ahorrada";
    AxisPilotScore => "Weighted total score (0 to 1) and rank stability (share of weightings)", "Puntaje total ponderado (0 a 1) y estabilidad del rango (proporción de ponderaciones)";
    AxisDelaySaved => "Delay saved (vehicle-hours per day)", "Demora ahorrada (horas-vehículo por día)";
    AxisP95Saved => "95th-percentile wait saved (minutes)", "Espera percentil 95 ahorrada (minutos)";
    LegendScorePareto => "Weighted total score, Pareto set", "Puntaje total ponderado, conjunto de Pareto";
    LegendScoreOther => "Weighted total score, outside the Pareto set", "Puntaje total ponderado, fuera del conjunto de Pareto";
    LegendStability => "Rank stability: share of weightings in the top {k}", "Estabilidad del rango: proporción de ponderaciones entre los {k} primeros";
    LegendEquityFlag => "Helps one group of travellers, worsens the other", "Beneficia a un grupo de viajeros y perjudica al otro";
    LegendParetoCi => "Pareto set (95% CI)", "Conjunto de Pareto (IC 95 %)";
    LegendOtherCi => "Other candidates (95% CI)", "Otros candidatos (IC 95 %)";
    FooterPilot => "Pilot {name}", "Piloto {name}";
    FooterWeightSeed => "weight-draw seed {seed}", "semilla de los sorteos de pesos {seed}";
    FooterReplications => "{reps} replications", "{reps} réplicas";
    FooterVersion => "garita {version}", "garita {version}";
    PilotReportTitle => "Pilot-site ranking: {name}", "Clasificación de sitios piloto: {name}";
    SectionPilotRanking => "Ranking", "Clasificación";
    ColRank => "Rank", "Rango";
    ColCandidate => "Candidate", "Candidato";
    ColDelaySaved => "Delay saved (veh-h/day)", "Demora ahorrada (veh-h/día)";
    ColP95Saved => "p95 wait saved (min)", "Espera p95 ahorrada (min)";
    ColShareGain => "Share waiting 20 min or less (pp)", "Con espera de 20 min o menos (pp)";
    ColReach => "Reach", "Alcance";
    ColCo2Saved => "CO2 saved (kg/day)", "CO2 evitado (kg/día)";
    ColTotal => "Total score", "Puntaje total";
    ColPareto => "Pareto", "Pareto";
    ColStability => "Stability (top {k})", "Estabilidad (top {k})";
    // Travellers who react to the posted wait.
    TitlePostedByHour => "Posted wait by hour of day", "Espera publicada por hora del día";
    TitleFitByHour => "Calibration: simulated posted wait against CBP's readings", "Calibración: espera publicada simulada frente a las lecturas de CBP";
    TitleTripsByHour => "Trips by hour: made, forgone and shifted", "Viajes por hora: realizados, desistidos y aplazados";
    AxisTripsPerHour => "Trips per hour", "Viajes por hora";
    TitlePortShare => "Share of each port by hour", "Participación de cada puerto por hora";
    AxisShareOfTrips => "Share of the region's trips (%)", "Proporción de los viajes de la región (%)";
    LegendWaitOfCrossers => "{lane}: wait of those who crossed", "{lane}: espera de quienes cruzaron";
    SeriesLatent => "Latent trips (no wait)", "Viajes latentes (sin espera)";
    SeriesMade => "Trips made", "Viajes realizados";
    SeriesForgone => "Trips forgone", "Viajes desistidos";
    SeriesShifted => "Trips shifted to later", "Viajes aplazados";
    SectionValidation => "Simulated posted wait against observed readings", "Espera publicada simulada frente a las lecturas observadas";
    ColLaneKind => "Lane", "Carril";
    ColMae => "MAE (min)", "EAM (min)";
    ColRmse => "RMSE (min)", "RECM (min)";
    ColBias => "Bias (min)", "Sesgo (min)";
    ColCoverage => "Inside the 5-95% band", "Dentro de la banda 5-95 %";
    ColNaiveMae => "Naive forecast MAE (min)", "EAM del pronóstico ingenuo (min)";
    ColReadings => "Readings", "Lecturas";
    SectionResponse => "Travellers who react to the posted wait", "Viajeros que reaccionan a la espera publicada";
    ColLatentPerDay => "Latent trips per day", "Viajes latentes por día";
    ColForgonePerDay => "Forgone per day", "Desistidos por día";
    ColForgoneShare => "Forgone share", "Proporción desistida";
    ColShiftedPerDay => "Shifted per day", "Aplazados por día";
    ColPostedWait => "Mean posted wait (min)", "Espera publicada media (min)";
    ResponseNote => "Latent trips are those that would come with no wait; a traveller joins when the posted wait is within its tolerance, else comes back later or forgoes the trip. A met wait target with many trips forgone is not a success: read both.", "Los viajes latentes son los que se harían sin espera; un viajero se forma si la espera publicada no excede su tolerancia y, si la excede, vuelve más tarde o desiste del viaje. Cumplir una meta de espera con muchos viajes desistidos no es un éxito: lea ambas cifras.";
    PilotNote => "Each value is the mean paired difference (intervention minus baseline, common random numbers) with the half-width of its 95% confidence interval. ⚑ marks a candidate that helps one group of travellers and worsens the other. The formulas, data sources and weights are in criteria.md.", "Cada valor es la diferencia pareada media (intervención menos línea base, números aleatorios comunes) con la semiamplitud de su intervalo de confianza del 95 %. ⚑ señala un candidato que beneficia a un grupo de viajeros y perjudica al otro. Las fórmulas, fuentes de datos y pesos están en criteria.md.";
    ReproPilotFile => "Pilot file", "Archivo del piloto";
    StaffReportTitle => "Proposed staffing: {name}", "Dotación propuesta: {name}";
    SectionStaffSchedule => "Booths by hour: now → proposed, and the target's measure", "Casetas por hora: ahora → propuesta, y la medida de la meta";
    ColHour => "Hour", "Hora";
    StaffNote => "Target {target} in every hour of every staffed lane, judged on the conservative end of the 95% confidence interval over replications. ✓ met; ✗ not met when the search stopped; ✗✗ not reachable even with every physical booth open; – no demand. The key figures and charts are those of the proposed schedule (staff.toml), simulated with the scenario's seed.", "Meta {target} en cada hora de cada carril dotado, juzgada con el extremo conservador del intervalo de confianza del 95 % entre réplicas. ✓ cumplida; ✗ no cumplida al detenerse la búsqueda; ✗✗ inalcanzable aun con todas las casetas físicas abiertas; – sin demanda. Las cifras clave y las gráficas son las de la dotación propuesta (staff.toml), simulada con la semilla del escenario.";
    // The what-if page of `garita serve`.
    UiTitle => "What if? Wait times at the port", "¿Y si…? Tiempos de espera en el puerto";
    UiScenario => "Port scenario", "Escenario del puerto";
    UiLanguage => "Language", "Idioma";
    UiBooths => "Booths open by hour", "Casetas abiertas por hora";
    UiBoothsHelp => "Drag a bar up or down (or across several hours), or select it with Tab: up and down arrows change the booths, left and right move to the next hour, Home closes all, End opens all.", "Arrastre una barra hacia arriba o hacia abajo (o a lo largo de varias horas), o selecciónela con Tab: las flechas arriba y abajo cambian las casetas, izquierda y derecha pasan a la hora siguiente, Inicio cierra todas, Fin abre todas.";
    UiBoothBar => "{lane}, {hour}: {n} of {max} booths", "{lane}, {hour}: {n} de {max} casetas";
    UiDemand => "Demand", "Demanda";
    UiDemandScale => "Demand scale (1 = the scenario's demand)", "Escala de la demanda (1 = la demanda del escenario)";
    UiClassShares => "Share of arrivals by traveller class", "Proporción de las llegadas por clase de viajero";
    UiSettings => "Other settings of this scenario", "Otros parámetros de este escenario";
    UiRun => "Simulation", "Simulación";
    UiReset => "Back to the scenario as loaded", "Volver al escenario tal como se cargó";
    UiSave => "Save scenario", "Guardar escenario";
    UiReport => "Report", "Informe";
    UiSimulating => "Simulating…", "Simulando…";
    UiSimulated => "{reps} replications of {days} days simulated in {ms} ms.", "{reps} réplicas de {days} días simuladas en {ms} ms.";
    UiHeadlineWait => "Mean wait, all vehicles (min)", "Espera media, todos los vehículos (min)";
    UiHeadlineP95 => "95th percentile wait, all vehicles (min)", "Espera percentil 95, todos los vehículos (min)";
    UiHeadlineChange => "Change in mean wait against the scenario as loaded (min)", "Cambio en la espera media respecto al escenario tal como se cargó (min)";
    UiErrors => "This change cannot be simulated:", "Este cambio no se puede simular:";
    UiToml => "The scenario file being simulated (TOML)", "El archivo de escenario que se simula (TOML)";
    UiThisWhatIf => "this what-if", "este caso";
    UiOffline => "Everything on this page comes from garita on this computer; nothing is sent elsewhere.", "Todo en esta página proviene de garita en esta computadora; nada se envía a otro lugar.";
    // The approach (spillback).
    TitleSpillback => "Spillback: vehicles before the lane split by hour", "Desbordamiento: vehículos antes de la bifurcación por hora";
    TitleLaneFull => "Share of time each lane's storage was full", "Proporción del tiempo con el espacio de cada carril lleno";
    LegendApproach => "Inside the port, before the split", "Dentro del puerto, antes de la bifurcación";
    LegendOutside => "Outside the port (bridge and streets)", "Fuera del puerto (puente y calles)";
    AxisShareOfTime => "Share of the hour (%)", "Proporción de la hora (%)";
}

impl Key {
    /// The English and Spanish strings (empty if missing from the table).
    fn entry(self) -> (&'static str, &'static str) {
        TABLE
            .iter()
            .find(|(k, _, _)| *k == self)
            .map(|&(_, en, es)| (en, es))
            .unwrap_or(("", ""))
    }
}

impl Lang {
    /// `en` or `es`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Es => "es",
        }
    }

    /// The language with code `code`.
    pub fn from_code(code: &str) -> Option<Lang> {
        match code {
            "en" => Some(Lang::En),
            "es" => Some(Lang::Es),
            _ => None,
        }
    }

    /// The string for `key`.
    pub fn text(self, key: Key) -> &'static str {
        let (en, es) = key.entry();
        match self {
            Lang::En => en,
            Lang::Es => es,
        }
    }

    /// The string for `key` with each `{name}` replaced by its value.
    pub fn fill(self, key: Key, args: &[(&str, &str)]) -> String {
        let mut s = self.text(key).to_string();
        for (name, value) in args {
            s = s.replace(&format!("{{{name}}}"), value);
        }
        s
    }

    /// `x` with `decimals` decimals, the language's decimal mark and thousands separator.
    pub fn num(self, x: f64, decimals: usize) -> String {
        if !x.is_finite() {
            return "–".to_string();
        }
        let s = format!("{:.*}", decimals, x.abs());
        let (int, frac) = match s.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (s.as_str(), None),
        };
        let (sep, dec) = match self {
            Lang::En => (",", "."),
            Lang::Es => ("\u{a0}", ","),
        };
        let mut grouped = String::new();
        let digits: Vec<char> = int.chars().collect();
        // Four-digit numbers are not grouped (as in Spanish style guides).
        let group = digits.len() > 4;
        for (i, c) in digits.iter().enumerate() {
            if group && i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push_str(sep);
            }
            grouped.push(*c);
        }
        let negative = x < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0');
        let mut out = String::new();
        if negative {
            out.push('−');
        }
        out.push_str(&grouped);
        if let Some(f) = frac {
            out.push_str(dec);
            out.push_str(f);
        }
        out
    }

    /// A number with as few decimals as it needs (up to `max_decimals`).
    pub fn num_short(self, x: f64, max_decimals: usize) -> String {
        let mut d = 0;
        while d < max_decimals
            && ((x * 10f64.powi(d as i32)).round() - x * 10f64.powi(d as i32)).abs() > 1e-9
        {
            d += 1;
        }
        self.num(x, d)
    }

    /// A share in [0, 1] as a percentage (`83%` / `83 %`).
    pub fn percent(self, share: f64, decimals: usize) -> String {
        match self {
            Lang::En => format!("{}%", self.num(share * 100.0, decimals)),
            Lang::Es => format!("{}\u{a0}%", self.num(share * 100.0, decimals)),
        }
    }

    /// Minutes, e.g. `20 min`.
    pub fn minutes(self, min: f64) -> String {
        self.fill(Key::Minutes, &[("x", &self.num_short(min, 1))])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Strings that are the same in both languages on purpose (proper names, units).
    const SAME_IN_BOTH: &[Key] = &[
        Key::LaneSentri,
        Key::LaneFast,
        Key::Minutes,
        Key::No,
        Key::FooterVersion,
        Key::ColPareto,
    ];

    #[test]
    fn every_key_has_both_translations() {
        for &k in Key::ALL {
            assert_eq!(
                TABLE.iter().filter(|(t, _, _)| *t == k).count(),
                1,
                "{k:?} must appear once in the table"
            );
            let (en, es) = k.entry();
            assert!(!en.trim().is_empty(), "{k:?} lacks an English text");
            assert!(!es.trim().is_empty(), "{k:?} lacks a Spanish text");
            if !SAME_IN_BOTH.contains(&k) {
                assert_ne!(en, es, "{k:?} is not translated into Spanish");
            }
            // Both languages use the same placeholders.
            let holes = |s: &str| {
                let mut v: Vec<String> = s
                    .split('{')
                    .skip(1)
                    .filter_map(|p| p.split_once('}').map(|(n, _)| n.to_string()))
                    .collect();
                v.sort();
                v
            };
            assert_eq!(holes(en), holes(es), "{k:?} placeholders differ");
        }
    }

    #[test]
    fn number_formats() {
        assert_eq!(Lang::En.num(1234.5, 1), "1234.5");
        assert_eq!(Lang::Es.num(1234.5, 1), "1234,5");
        assert_eq!(Lang::En.num(12345.0, 0), "12,345");
        assert_eq!(Lang::Es.num(12345.25, 2), "12\u{a0}345,25");
        assert_eq!(Lang::En.num(-3.04, 1), "−3.0");
        assert_eq!(Lang::En.num(-0.01, 1), "0.0");
        assert_eq!(Lang::Es.num_short(2.5, 2), "2,5");
        assert_eq!(Lang::Es.num_short(20.0, 2), "20");
        assert_eq!(Lang::En.percent(0.834, 0), "83%");
        assert_eq!(Lang::Es.percent(0.834, 0), "83\u{a0}%");
        assert_eq!(Lang::Es.minutes(20.0), "20 min");
        assert_eq!(Lang::En.num(f64::NAN, 1), "–");
    }

    #[test]
    fn fill_placeholders() {
        assert_eq!(
            Lang::Es.fill(Key::LegendP95, &[("lane", "Carril general")]),
            "Carril general: percentil 95"
        );
    }
}
