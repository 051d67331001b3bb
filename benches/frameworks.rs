//! Importing the full NIST SP 800-53 Rev 5 catalog and resolving the HIGH baseline.
//!
//! Issue 9 asks, on the 2-core machine: importing the full catalog (10 MB of JSON) within
//! 0.5 s, and resolving the HIGH profile within 0.2 s. What is timed:
//! - `Store::import_catalog` of the catalog into a fresh workspace: read, hash, parse, and
//!   store its text and summary in one transaction. Goal 0.5 s.
//! - `catalog::oscal::resolve` of the HIGH profile against the catalog already parsed in
//!   memory: selection, as-is merge and rendering of its 370 controls. Goal 0.2 s.
//! - For the record, with no goal of their own: `Store::import_profile` of HIGH against the
//!   stored catalog (which parses the stored catalog again, resolves and stores each
//!   control), and `Store::baseline_controls` of HIGH, which creating a project reads.
//!
//! Each is the best and the median of five runs, each import into its own fresh workspace.
//! The data comes from `../shared/data/oscal/` beside the repository; without it the
//! benchmark says so and does nothing. Run with `cargo bench --bench frameworks`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use lockstep::catalog::oscal::{
    self, Document, Loaded, Loader, OscalError, read_catalog, read_profile,
};
use lockstep::store::Store;

const RUNS: usize = 5;
const CATALOG_GOAL: Duration = Duration::from_millis(500);
const RESOLVE_GOAL: Duration = Duration::from_millis(200);

const CATALOG: &str = "NIST_SP-800-53_rev5_catalog.json";
const HIGH: &str = "NIST_SP-800-53_rev5_HIGH-baseline_profile.json";

/// Hands the parsed catalog to every import.
struct InMemory(oscal::Catalog);

impl Loader for InMemory {
    fn root(&self) -> String {
        HIGH.to_string()
    }

    fn load(&self, _from: &str, _href: &str) -> Result<Loaded, OscalError> {
        Ok(Loaded {
            key: CATALOG.to_string(),
            document: Document::Catalog(Box::new(self.0.clone())),
        })
    }
}

fn main() -> Result<()> {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/oscal/nist-800-53-rev5");
    if !data.join(CATALOG).is_file() {
        println!(
            "skipped: the NIST data is not at {} (see ../shared/data/SOURCES.md)",
            data.display()
        );
        return Ok(());
    }
    let scratch = tempfile::Builder::new()
        .prefix("lockstep-frameworks-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .context("cannot make the scratch folder")?;
    let catalog_path = data.join(CATALOG);
    let high_path = data.join(HIGH);

    let mut imports = Vec::new();
    let mut profile_imports = Vec::new();
    let mut reads = Vec::new();
    for run in 0..RUNS {
        let dir: PathBuf = scratch.path().join(format!("workspace-{run}"));
        let mut store = Store::open(&dir)?;
        let started = Instant::now();
        let summary = store.import_catalog(&catalog_path)?;
        imports.push(started.elapsed());
        let started = Instant::now();
        let high = store.import_profile(&high_path, Some(&summary.name))?;
        profile_imports.push(started.elapsed());
        let started = Instant::now();
        let controls = store.baseline_controls(&high.name)?;
        reads.push(started.elapsed());
        anyhow::ensure!(controls.iter().filter(|c| c.selected).count() == 370);
    }

    let (_, catalog) = read_catalog(&catalog_path)?;
    let (_, profile) = read_profile(&high_path)?;
    let loader = InMemory(catalog);
    let mut resolves = Vec::new();
    for _ in 0..RUNS {
        let started = Instant::now();
        let resolved = oscal::resolve(&profile, &loader)?;
        resolves.push(started.elapsed());
        anyhow::ensure!(resolved.selected() == 370);
    }

    println!("NIST SP 800-53 Rev 5, best and median of {RUNS} runs:");
    report(
        "import the full catalog (10 MB)",
        &mut imports,
        Some(CATALOG_GOAL),
    );
    report(
        "resolve HIGH (370 controls)",
        &mut resolves,
        Some(RESOLVE_GOAL),
    );
    report(
        "import HIGH on the stored catalog",
        &mut profile_imports,
        None,
    );
    report("read HIGH's controls from the store", &mut reads, None);
    Ok(())
}

fn report(what: &str, times: &mut [Duration], goal: Option<Duration>) {
    times.sort();
    let best = times.first().copied().unwrap_or_default();
    let median = times.get(times.len() / 2).copied().unwrap_or_default();
    let verdict = match goal {
        Some(goal) if median <= goal => format!("goal ≤ {} s: met", secs(goal)),
        Some(goal) => format!("goal ≤ {} s: MISSED", secs(goal)),
        None => "no goal of its own".to_string(),
    };
    println!(
        "  {what:<40} best {} s, median {} s ({verdict})",
        secs(best),
        secs(median)
    );
}

fn secs(duration: Duration) -> String {
    format!("{:.3}", duration.as_secs_f64())
}
