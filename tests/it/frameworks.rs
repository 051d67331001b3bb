//! OSCAL catalogs and profiles through the real binary and the store: importing, importing
//! again, listing, the bad inputs each refused with one sentence and exit 2, and the four
//! NIST SP 800-53 baselines resolved to exactly the controls NIST's resolved catalogs hold.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use crate::common::{lockstep, open, raw, workspace};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/oscal")
        .join(name)
}

fn fixture_arg(name: &str) -> String {
    fixture(name).display().to_string()
}

/// The NIST folder of the shared data, or `None` (with a message) when it is absent.
fn nist() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/oscal/nist-800-53-rev5");
    if dir.join("NIST_SP-800-53_rev5_catalog.json").is_file() {
        Some(dir)
    } else {
        eprintln!(
            "skipped: the shared NIST data is not at {} (see ../shared/data/SOURCES.md)",
            dir.display()
        );
        None
    }
}

fn log_rows(dir: &Path) -> i64 {
    raw(dir)
        .query_row("SELECT count(*) FROM activity", [], |row| row.get(0))
        .unwrap()
}

fn count(dir: &Path, table: &str) -> i64 {
    raw(dir)
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |row| {
            row.get(0)
        })
        .unwrap()
}

#[test]
fn a_catalog_imports_once_and_lists_as_json() {
    let (_tmp, dir) = workspace();
    let run = lockstep(
        &dir,
        &["catalog", "import", &fixture_arg("small-catalog.json")],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "imported catalog 'small-catalog': Small Test Catalog, version 1.0 (OSCAL 1.1.3), 8 controls\n"
    );
    let rows = log_rows(&dir);
    let again = lockstep(
        &dir,
        &["catalog", "import", &fixture_arg("small-catalog.json")],
    );
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(
        again.stdout,
        "catalog 'small-catalog' is already imported from this file; nothing changed\n"
    );
    assert_eq!(
        log_rows(&dir),
        rows,
        "importing the same file again logs nothing"
    );

    let list = lockstep(&dir, &["catalog", "list", "--json"]).json();
    let catalogs = list.as_array().unwrap();
    assert_eq!(catalogs.len(), 1);
    assert_eq!(catalogs[0]["name"], "small-catalog");
    assert_eq!(catalogs[0]["title"], "Small Test Catalog");
    assert_eq!(catalogs[0]["oscal_version"], "1.1.3");
    assert_eq!(catalogs[0]["controls"], 8);
    let bytes = fs::read(fixture("small-catalog.json")).unwrap();
    assert_eq!(
        catalogs[0]["sha256"],
        lockstep::model::hex(&sha2_digest(&bytes))
    );
    let table = lockstep(&dir, &["catalog", "list"]);
    assert!(table.stdout.starts_with("NAME"), "{}", table.stdout);
    assert!(table.stdout.contains("small-catalog"), "{}", table.stdout);
}

fn sha2_digest(bytes: &[u8]) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).to_vec()
}

#[test]
fn a_tailored_profile_imports_with_its_catalog_and_lists_its_name() {
    let (_tmp, dir) = workspace();
    let run = lockstep(
        &dir,
        &["profile", "import", &fixture_arg("tailored-profile.json")],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "imported profile 'tailored-profile' (Tailored Test Baseline): 3 controls selected from small-catalog\n"
    );
    let again = lockstep(
        &dir,
        &["profile", "import", &fixture_arg("tailored-profile.json")],
    );
    assert_eq!(
        again.stdout,
        "profile 'tailored-profile' is already imported from this file; nothing changed\n"
    );
    let list = lockstep(&dir, &["profile", "list", "--json"]).json();
    assert_eq!(list[0]["name"], "tailored-profile");
    assert_eq!(list[0]["selected"], 3);
    assert_eq!(list[0]["catalog"], "small-catalog");
    let table = lockstep(&dir, &["profile", "list"]);
    assert!(
        table.stdout.contains("A NAME is what `--baseline` takes"),
        "{}",
        table.stdout
    );

    let store = open(&dir);
    // Any case, and the title, find it.
    assert_eq!(
        store.baseline("TAILORED-profile").unwrap().name,
        "tailored-profile"
    );
    assert_eq!(
        store.baseline("Tailored Test Baseline").unwrap().name,
        "tailored-profile"
    );
    let controls = store.baseline_controls("tailored-profile").unwrap();
    let shown: Vec<(&str, bool)> = controls
        .iter()
        .map(|c| (c.label.as_str(), c.selected))
        .collect();
    assert_eq!(
        shown,
        [
            ("AC-1", true),
            ("AC-2", false),
            ("AC-2(1)", true),
            ("AU-1", true)
        ]
    );
    let ac1 = &controls[0];
    assert!(
        ac1.statement
            .text
            .starts_with("a. Develop and disseminate to the security team:")
    );
    let span = &ac1.statement.params[0];
    assert_eq!(
        &ac1.statement.text[span.start..span.end],
        "the security team"
    );
    assert_eq!(ac1.guidance, "Tailored guidance for the cloud.");
    assert_eq!(controls[2].parent.as_deref(), Some("AC-2"));
}

#[test]
fn an_unknown_baseline_names_the_known_ones() {
    let (_tmp, dir) = workspace();
    let mut store = open(&dir);
    let error = store.baseline("HIGH").unwrap_err().to_string();
    assert_eq!(
        error,
        "no baseline is named 'HIGH': none is imported yet; import one with `lockstep profile import FILE.json`"
    );
    store
        .import_profile(&fixture("tailored-profile.json"), None)
        .unwrap();
    let error = store.baseline_controls("HIGH").unwrap_err().to_string();
    assert_eq!(
        error,
        "no baseline is named 'HIGH': the imported ones are tailored-profile"
    );
}

#[test]
fn a_chained_profile_resolves_through_the_profile_it_imports() {
    let (_tmp, dir) = workspace();
    let run = lockstep(
        &dir,
        &["profile", "import", &fixture_arg("chained-profile.json")],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let store = open(&dir);
    let controls = store.baseline_controls("chained-profile").unwrap();
    let ids: Vec<&str> = controls.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["ac-1", "ac-2.1", "au-1"]);
    assert_eq!(
        controls[2].statement.text,
        "Review the audit policy every 30 days."
    );
}

#[test]
fn the_catalog_option_resolves_against_an_imported_catalog() {
    let (tmp, dir) = workspace();
    lockstep(
        &dir,
        &["catalog", "import", &fixture_arg("small-catalog.json")],
    );
    // A copy of the profile somewhere its href leads nowhere.
    let moved = tmp.path().join("elsewhere.json");
    fs::copy(fixture("unresolved-profile.json"), &moved).unwrap();
    let run = lockstep(
        &dir,
        &[
            "profile",
            "import",
            &moved.display().to_string(),
            "--catalog",
            "SMALL-CATALOG",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("7 controls selected from small-catalog"),
        "{}",
        run.stdout
    );
    let unknown = lockstep(
        &dir,
        &[
            "profile",
            "import",
            &moved.display().to_string(),
            "--catalog",
            "nist",
        ],
    );
    assert_eq!(unknown.code, 2);
    assert_eq!(
        unknown.stderr,
        "lockstep: no imported catalog is named 'nist': the imported ones are small-catalog\n"
    );
}

/// Runs an import that must be refused and returns its one line on stderr; checks that
/// nothing was stored or logged.
fn refused(dir: &Path, args: &[&str]) -> String {
    let rows_before = if dir.exists() { log_rows(dir) } else { 0 };
    let run = lockstep(dir, args);
    assert_eq!(run.code, 2, "{args:?}: {}", run.stdout);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert_eq!(log_rows(dir), rows_before);
    assert_eq!(count(dir, "profiles"), 0);
    assert_eq!(count(dir, "profile_controls"), 0);
    run.stderr
        .trim_end()
        .strip_prefix("lockstep: ")
        .unwrap()
        .to_string()
}

#[test]
fn bad_files_are_refused_with_one_sentence_and_exit_2() {
    let (_tmp, dir) = workspace();
    let catalog = |name: &str| refused(&dir, &["catalog", "import", &fixture_arg(name)]);
    let xml = catalog("small-catalog.xml");
    assert!(
        xml.starts_with("this looks like OSCAL XML; Lockstep reads only OSCAL JSON"),
        "{xml}"
    );
    let yaml = catalog("small-catalog.yaml");
    assert!(
        yaml.starts_with("this looks like OSCAL YAML; Lockstep reads only OSCAL JSON"),
        "{yaml}"
    );
    let other = catalog("not-oscal.json");
    assert!(
        other.starts_with(
            "this JSON file is not an OSCAL catalog (it has no top-level \"catalog\" object): "
        ),
        "{other}"
    );
    let broken = catalog("broken.json");
    assert!(
        broken.starts_with("the file is not valid JSON (line 6, column 0: "),
        "{broken}"
    );
    let profile = catalog("tailored-profile.json");
    assert!(
        profile.starts_with(
            "this is an OSCAL profile, not a catalog; import it with `lockstep profile import`"
        ),
        "{profile}"
    );
    assert_eq!(count(&dir, "catalogs"), 0);
}

#[test]
fn a_file_over_the_size_limit_is_refused_before_it_is_read() {
    let (tmp, dir) = workspace();
    let big = tmp.path().join("huge-catalog.json");
    let file = fs::File::create(&big).unwrap();
    // A sparse file: 500 MB on paper, nothing on disk.
    file.set_len(500 * 1024 * 1024).unwrap();
    let message = refused(&dir, &["catalog", "import", &big.display().to_string()]);
    assert!(
        message.starts_with(
            "the file is 500 MB, over the 64 MB Lockstep reads for an OSCAL document: "
        ),
        "{message}"
    );
}

#[test]
fn profiles_that_cannot_resolve_say_why() {
    let (_tmp, dir) = workspace();
    let profile = |name: &str| refused(&dir, &["profile", "import", &fixture_arg(name)]);
    let missing = profile("missing-ids-profile.json");
    assert!(
        missing.starts_with("the profile names 6 controls that ")
            && missing
                .ends_with("small-catalog.json lacks: ac-99, zz-1, zz-2, zz-3, zz-4 and 1 more"),
        "{missing}"
    );
    let unresolved = profile("unresolved-profile.json");
    assert!(
        unresolved.starts_with(
            "the profile imports '../elsewhere/absent-catalog.json', which cannot be resolved: "
        ),
        "{unresolved}"
    );
    let cycle = profile("cycle-a-profile.json");
    assert!(
        cycle.starts_with("the profiles import each other in a circle: "),
        "{cycle}"
    );
    assert!(
        cycle.contains("cycle-a-profile.json → ") && cycle.contains("cycle-b-profile.json → "),
        "{cycle}"
    );
    let catalog = profile("small-catalog.json");
    assert!(
        catalog.starts_with(
            "this is an OSCAL catalog, not a profile; import it with `lockstep catalog import`"
        ),
        "{catalog}"
    );
}

/// The control ids of one of NIST's resolved catalogs, in order.
fn resolved_ids(path: &Path) -> Vec<String> {
    fn walk(value: &serde_json::Value, out: &mut Vec<String>) {
        for group in value["groups"].as_array().into_iter().flatten() {
            walk(group, out);
        }
        for control in value["controls"].as_array().into_iter().flatten() {
            out.push(control["id"].as_str().unwrap().to_string());
            walk(control, out);
        }
    }
    let value: serde_json::Value = serde_json::from_slice(&fs::read(path).unwrap()).unwrap();
    let mut out = Vec::new();
    walk(&value["catalog"], &mut out);
    out
}

#[test]
fn the_nist_baselines_resolve_to_exactly_nists_resolved_catalogs() {
    let Some(nist) = nist() else { return };
    let (_tmp, dir) = workspace();
    let mut store = open(&dir);
    let catalog = store
        .import_catalog(&nist.join("NIST_SP-800-53_rev5_catalog.json"))
        .unwrap();
    assert_eq!(catalog.oscal_version, "1.1.3");
    for (level, resolved, selected, kept) in [
        ("LOW", "LOW-baseline-resolved-profile_catalog.json", 149, 0),
        (
            "MODERATE",
            "MODERATE-baseline-resolved-profile_catalog.json",
            287,
            0,
        ),
        (
            "HIGH",
            "HIGH-baseline-resolved-profile_catalog-min.json",
            370,
            0,
        ),
        (
            "PRIVACY",
            "PRIVACY-baseline-resolved-profile_catalog.json",
            96,
            6,
        ),
    ] {
        let file = nist.join(format!("NIST_SP-800-53_rev5_{level}-baseline_profile.json"));
        let baseline = store.import_profile(&file, Some(&catalog.name)).unwrap();
        assert_eq!(baseline.selected, selected, "{level}");
        assert_eq!(baseline.catalog, catalog.name);
        let controls = store.baseline_controls(&baseline.name).unwrap();
        let ours: Vec<String> = controls.iter().map(|c| c.id.clone()).collect();
        let theirs = resolved_ids(&nist.join(format!("NIST_SP-800-53_rev5_{resolved}")));
        assert_eq!(
            ours.iter().collect::<BTreeSet<_>>(),
            theirs.iter().collect::<BTreeSet<_>>(),
            "{level}"
        );
        assert_eq!(ours.len(), selected + kept, "{level}");
        assert_eq!(
            controls.iter().filter(|c| !c.selected).count(),
            kept,
            "{level}"
        );
    }
    let privacy = store
        .baseline_controls("nist_sp-800-53_rev5_privacy-baseline_profile")
        .unwrap();
    let parents: Vec<&str> = privacy
        .iter()
        .filter(|c| !c.selected)
        .map(|c| c.label.as_str())
        .collect();
    assert_eq!(parents, ["AC-3", "AU-3", "PE-8", "PM-5", "SA-8", "SC-7"]);
}

#[test]
fn the_moderate_profile_imports_through_the_binary_beside_its_catalog() {
    let Some(nist) = nist() else { return };
    let (_tmp, dir) = workspace();
    let catalog = nist.join("NIST_SP-800-53_rev5_catalog.json");
    let run = lockstep(&dir, &["catalog", "import", &catalog.display().to_string()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let profile = nist.join("NIST_SP-800-53_rev5_MODERATE-baseline_profile.json");
    // Its href points into NIST's repository layout; the catalog of that file name is found.
    let run = lockstep(&dir, &["profile", "import", &profile.display().to_string()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "imported profile 'NIST_SP-800-53_rev5_MODERATE-baseline_profile' (NIST Special Publication 800-53 Revision 5.1.1 MODERATE IMPACT BASELINE): 287 controls selected from NIST_SP-800-53_rev5_catalog\n"
    );
    let store = open(&dir);
    let controls = store
        .baseline_controls("NIST_SP-800-53_rev5_MODERATE-baseline_profile")
        .unwrap();
    let ac2 = controls.iter().find(|c| c.id == "ac-2").unwrap();
    assert_eq!(ac2.label, "AC-2");
    assert_eq!(ac2.family, "AC");
    assert_eq!(ac2.family_title, "Access Control");
    assert!(
        ac2.statement
            .text
            .starts_with("a. Define and document the types of accounts"),
        "{}",
        ac2.statement.text
    );
    assert!(
        ac2.statement
            .text
            .contains("\n  1. Authorized users of the system;"),
        "{}",
        ac2.statement.text
    );
    assert!(
        ac2.statement
            .text
            .contains("Require [Assignment: prerequisites and criteria] for group")
    );
    assert_eq!(ac2.parameters[0].id, "ac-02_odp.01");
    assert!(!ac2.guidance.is_empty());
    let ac21 = controls.iter().find(|c| c.id == "ac-2.1").unwrap();
    assert_eq!(ac21.parent.as_deref(), Some("AC-2"));
}
