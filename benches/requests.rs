//! Importing an auditor's request list of 5,000 requests, and importing it again.
//!
//! The goal (issue 10): a 5,000-request list imports in at most 0.5 s. What is timed is
//! `Store::import_requests` on a fresh workspace each run: reading the CSV, matching its
//! header names, deciding the due column's date format, checking every row and writing
//! the requests and the import's one activity row in one transaction, with the
//! workspace's `synchronous = FULL` commit. A second figure is the same list imported
//! again, which compares every request with the stored one and writes nothing.
//!
//! The list is generated: ids `R-00001`…, a sentence of wording, two control references
//! (a SOC 2 criterion and a NIST id), an owner among seven, a due date in US form
//! (`MM/DD/YYYY`, so the column's format has to be proven from the data) and a kept
//! column. Each figure is the best of five runs.
//!
//! Run with `cargo bench --bench requests`.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use lockstep::store::{NewProject, Store};

const REQUESTS: usize = 5_000;
const RUNS: usize = 5;
const GOAL: Duration = Duration::from_millis(500);

fn main() -> Result<()> {
    let scratch = tempfile::Builder::new()
        .prefix("lockstep-requests-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .context("cannot make the scratch folder")?;
    let list = scratch.path().join("pbc.csv");
    let mut text = String::from("Request #,PBC item,Criteria,Assigned to,Due date,Auditor notes\n");
    for n in 0..REQUESTS {
        text.push_str(&format!(
            "R-{n:05},Population of items for test {n} as of period end,\"CC6.{}; AC-2({})\",owner{},{:02}/{:02}/2027,note {n}\n",
            n % 8 + 1,
            n % 5 + 1,
            n % 7,
            n % 12 + 1,
            n % 28 + 1
        ));
    }
    std::fs::write(&list, text).context("cannot write the list")?;

    let mut first = Duration::MAX;
    let mut again = Duration::MAX;
    for run in 0..RUNS {
        let dir = scratch.path().join(format!("workspace-{run}"));
        let mut store = Store::open(&dir)?;
        let project = store.create_project(&NewProject {
            name: "Payments".to_string(),
            description: String::new(),
            services: vec!["ec2".to_string(), "s3".to_string()],
            period_start: None,
            period_end: None,
        })?;
        let started = Instant::now();
        let imported = store.import_requests(project.key, &list)?;
        first = first.min(started.elapsed());
        if imported.added != REQUESTS || !imported.report.refused.is_empty() {
            bail!("the import added {} of {REQUESTS} requests", imported.added);
        }
        let started = Instant::now();
        let repeated = store.import_requests(project.key, &list)?;
        again = again.min(started.elapsed());
        if repeated.unchanged != REQUESTS {
            bail!("the second import changed {} requests", repeated.updated);
        }
    }
    println!(
        "import of {REQUESTS} requests: {:.1} ms (goal ≤ {} ms){}",
        first.as_secs_f64() * 1000.0,
        GOAL.as_millis(),
        if first <= GOAL { "" } else { "  MISSED" }
    );
    println!(
        "same list imported again (nothing to change): {:.1} ms",
        again.as_secs_f64() * 1000.0
    );
    Ok(())
}
