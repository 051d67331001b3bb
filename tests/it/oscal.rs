//! `lockstep export-oscal` and the pack's `oscal/` folder: both JSON documents validate
//! against the OSCAL 1.1.3 schemas, every cross-reference the schemas cannot check
//! resolves, the CIS/CRM workbook reads back with the right marks, the same workspace gives
//! the same bytes, and bad input is refused with one sentence.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader, Xlsx};
use serde_json::Value;

use crate::common::{lockstep, workspace};

const PROJECT: &str = "Payments";

/// A workspace with a project on EC2, RDS and S3, evidence on an AWS and a customer
/// control, and statuses that differ.
fn populated(dir: &Path) {
    let ok = |args: &[&str]| {
        let run = lockstep(dir, args);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
    };
    ok(&["project", "create", PROJECT, "--services", "ec2,rds,s3"]);
    let files = dir.join("files");
    fs::create_dir_all(&files).unwrap();
    fs::write(files.join("iam report.csv"), "user,mfa\nana,yes\n").unwrap();
    fs::write(files.join("soc2.pdf"), vec![7u8; 2_000]).unwrap();
    for (control, file) in [
        ("SRM-CUS-IAM-03", "iam report.csv"),
        ("SRM-AWS-PE-01", "soc2.pdf"),
    ] {
        ok(&[
            "evidence",
            "add",
            "--project",
            PROJECT,
            "--control",
            control,
            "--collected",
            "2026-11-01",
            files.join(file).to_str().unwrap(),
        ]);
    }
    ok(&[
        "control",
        "set",
        "--project",
        PROJECT,
        "SRM-CUS-IAM-03",
        "--status",
        "implemented",
        "--owner",
        "Ana",
    ]);
    ok(&[
        "control",
        "set",
        "--project",
        PROJECT,
        "SRM-AWS-PE-01",
        "--status",
        "implemented",
    ]);
    ok(&[
        "system",
        "set",
        "--project",
        PROJECT,
        "--fedramp-id",
        "F2611280930",
        "--short-name",
        "PAY",
        "--service-model",
        "saas",
        "--deployment-model",
        "public-cloud",
        "--authorization-type",
        "fedramp-agency",
        "--ial",
        "2",
        "--aal",
        "2",
        "--fal",
        "1",
        "--confidentiality",
        "moderate",
        "--integrity",
        "high",
        "--availability",
        "low",
    ]);
    ok(&["person", "add", "Olga Owner", "--email", "olga@example.com"]);
    ok(&["person", "add", "Ivan Isso", "--email", "ivan@example.com"]);
    for (role, email) in [
        ("system-owner", "olga@example.com"),
        ("authorizing-official", "olga@example.com"),
        ("information-system-security-officer", "ivan@example.com"),
    ] {
        ok(&[
            "role",
            "assign",
            "--project",
            PROJECT,
            role,
            "--person",
            email,
        ]);
    }
}

fn export_oscal(dir: &Path, out: &Path) -> crate::common::Run {
    lockstep(
        dir,
        &[
            "export-oscal",
            "--project",
            PROJECT,
            "--out",
            out.to_str().unwrap(),
        ],
    )
}

/// A populated workspace exported into `out/`.
fn exported() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let (tmp, dir) = workspace();
    populated(&dir);
    let out = dir.join("out");
    let run = export_oscal(&dir, &out);
    assert_eq!(run.code, 0, "{}", run.stderr);
    (tmp, dir, out)
}

fn json(path: &Path) -> Value {
    serde_json::from_slice(&fs::read(path).unwrap()).unwrap()
}

/// The schemas folder, or `None` (with a note) when the shared data is not checked out.
fn schemas() -> Option<PathBuf> {
    crate::common::shared_data("oscal/schemas-1.1.3")
}

fn assert_valid(schema: &Path, document: &Value) {
    let schema: Value = serde_json::from_slice(&fs::read(schema).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    crate::common::assert_valid_with(&validator, document);
}

/// Every value of `key` anywhere in `value`, with the key path's last object.
fn collect<'a>(value: &'a Value, key: &str, out: &mut Vec<&'a Value>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if k == key {
                    out.push(v);
                }
                collect(v, key, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect(v, key, out)),
        _ => {}
    }
}

fn strings<'a>(value: &'a Value, key: &str) -> Vec<&'a str> {
    let mut found = Vec::new();
    collect(value, key, &mut found);
    found.iter().filter_map(|v| v.as_str()).collect()
}

/// Every `uuid` in a document is unique; every `#uuid` href names a back-matter resource.
fn assert_uuids_unique_and_links_resolve(document: &Value) {
    let uuids = strings(document, "uuid");
    let unique: BTreeSet<&str> = uuids.iter().copied().collect();
    assert_eq!(unique.len(), uuids.len(), "a uuid is used twice");
    let root = document.as_object().unwrap().values().next().unwrap();
    let resources: BTreeSet<&str> = root["back-matter"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["uuid"].as_str().unwrap())
        .collect();
    let mut hrefs = strings(document, "href");
    hrefs.extend(strings(document, "source"));
    for href in hrefs.iter().filter(|h| h.starts_with('#')) {
        assert!(resources.contains(&href[1..]), "{href} names no resource");
    }
}

#[test]
fn both_documents_validate_against_the_oscal_schemas() {
    let (_tmp, _dir, out) = exported();
    let Some(schemas) = schemas() else {
        return;
    };
    assert_valid(
        &schemas.join("oscal_ssp_schema.json"),
        &json(&out.join("ssp.json")),
    );
    assert_valid(
        &schemas.join("oscal_component_schema.json"),
        &json(&out.join("component-definition.json")),
    );
}

#[test]
fn every_cross_reference_in_the_plan_resolves() {
    let (_tmp, _dir, out) = exported();
    let ssp = json(&out.join("ssp.json"));
    assert_uuids_unique_and_links_resolve(&ssp);
    let plan = &ssp["system-security-plan"];
    let components: BTreeSet<&str> = plan["system-implementation"]["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["uuid"].as_str().unwrap())
        .collect();
    // This system and one component per service.
    assert_eq!(components.len(), 4);
    for uuid in strings(plan, "component-uuid") {
        assert!(components.contains(uuid), "component {uuid} is not defined");
    }
    let provided: BTreeSet<&str> = {
        let mut found = Vec::new();
        collect(plan, "provided", &mut found);
        found
            .iter()
            .flat_map(|list| list.as_array().unwrap())
            .map(|p| p["uuid"].as_str().unwrap())
            .collect()
    };
    let responsibilities: BTreeSet<&str> = {
        let mut found = Vec::new();
        collect(plan, "responsibilities", &mut found);
        found
            .iter()
            .flat_map(|list| list.as_array().unwrap())
            .map(|p| p["uuid"].as_str().unwrap())
            .collect()
    };
    assert!(!provided.is_empty() && !responsibilities.is_empty());
    for uuid in strings(plan, "provided-uuid") {
        assert!(
            provided.contains(uuid),
            "provided-uuid {uuid} resolves to nothing"
        );
    }
    for uuid in strings(plan, "responsibility-uuid") {
        assert!(
            responsibilities.contains(uuid),
            "responsibility-uuid {uuid} resolves to nothing"
        );
    }
    let leveraged = plan["system-implementation"]["leveraged-authorizations"][0]["uuid"]
        .as_str()
        .unwrap();
    let parties: BTreeSet<&str> = plan["metadata"]["parties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["uuid"].as_str().unwrap())
        .collect();
    for uuid in strings(plan, "party-uuid")
        .into_iter()
        .chain(strings(plan, "party-uuids"))
    {
        assert!(parties.contains(uuid), "party {uuid} is not defined");
    }
    let mut party_lists = Vec::new();
    collect(plan, "party-uuids", &mut party_lists);
    for uuid in party_lists.iter().flat_map(|l| l.as_array().unwrap()) {
        assert!(parties.contains(uuid.as_str().unwrap()));
    }
    for req in plan["control-implementation"]["implemented-requirements"]
        .as_array()
        .unwrap()
    {
        for prop in req["props"].as_array().unwrap() {
            if prop["name"] == "leveraged-authorization-uuid" {
                assert_eq!(prop["value"], leveraged);
            }
        }
    }

    let definition = json(&out.join("component-definition.json"));
    assert_uuids_unique_and_links_resolve(&definition);
    let services: Vec<&str> = definition["component-definition"]["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["title"].as_str().unwrap())
        .collect();
    assert_eq!(services.len(), 3, "{services:?}");
}

/// The implemented requirements of the plan by control id.
fn requirements(ssp: &Value) -> BTreeMap<String, Value> {
    ssp["system-security-plan"]["control-implementation"]["implemented-requirements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["control-id"].as_str().unwrap().to_string(), r.clone()))
        .collect()
}

fn originations(req: &Value) -> Vec<&str> {
    req["props"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["name"] == "control-origination")
        .inspect(|p| assert_eq!(p["ns"], "https://fedramp.gov/ns/oscal"))
        .map(|p| p["value"].as_str().unwrap())
        .collect()
}

#[test]
fn the_plan_gives_each_control_its_split_status_and_evidence() {
    let (_tmp, dir, out) = exported();
    let ssp = json(&out.join("ssp.json"));
    let plan = &ssp["system-security-plan"];
    assert_eq!(plan["metadata"]["oscal-version"], "1.1.3");
    assert_eq!(plan["system-characteristics"]["system-name"], PROJECT);
    assert!(
        plan["import-profile"]["href"]
            .as_str()
            .unwrap()
            .starts_with('#')
    );
    let requirements = requirements(&ssp);
    assert!(requirements.len() > 20, "{}", requirements.len());

    // PE-2 is met by AWS's data-centre control alone: inherited, implemented, and linked
    // to the SOC 2 report with its hash.
    let pe2 = &requirements["pe-2"];
    assert_eq!(originations(pe2), ["inherited"]);
    let this_system = &pe2["by-components"][0];
    assert_eq!(this_system["implementation-status"]["state"], "implemented");
    assert!(!this_system["inherited"].as_array().unwrap().is_empty());
    assert!(this_system.get("satisfied").is_none());
    let link = pe2["links"][0]["href"].as_str().unwrap();
    let resource = plan["back-matter"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| format!("#{}", r["uuid"].as_str().unwrap()) == link)
        .unwrap();
    assert_eq!(resource["title"], "soc2.pdf");
    let hash = &resource["rlinks"][0]["hashes"][0];
    assert_eq!(hash["algorithm"], "SHA-256");
    let digest = lockstep::model::hex(&<sha2::Sha256 as sha2::Digest>::digest(
        fs::read(dir.join("files/soc2.pdf")).unwrap(),
    ));
    assert_eq!(hash["value"], digest.as_str());
    assert!(
        resource["rlinks"][0]["href"]
            .as_str()
            .unwrap()
            .starts_with("../evidence/aws/")
    );

    // Every requirement: the system's by-component comes first with a status, and the
    // origination follows the split.
    let mut seen = BTreeSet::new();
    for req in requirements.values() {
        let origins = originations(req);
        let this_system = &req["by-components"][0];
        let state = this_system["implementation-status"]["state"]
            .as_str()
            .unwrap();
        assert!(
            ["implemented", "partial", "planned", "not-applicable"].contains(&state),
            "{state}"
        );
        let inherits = this_system.get("inherited").is_some();
        let satisfies = this_system.get("satisfied").is_some();
        match origins.as_slice() {
            ["inherited"] => assert!(inherits && !satisfies),
            ["sp-system", "inherited"] => assert!(inherits && satisfies),
            ["sp-system"] => assert!(!inherits && !satisfies),
            other => panic!("unexpected originations {other:?}"),
        }
        seen.insert(origins.join("+"));
    }
    assert_eq!(seen.len(), 3, "{seen:?}");
}

/// A sheet of the workbook as rows of text.
fn sheet(path: &Path, name: &str) -> Vec<Vec<String>> {
    let mut workbook: Xlsx<_> = calamine::open_workbook(path).unwrap();
    let range = workbook.worksheet_range(name).unwrap();
    range
        .rows()
        .map(|row| {
            row.iter()
                .map(|cell| match cell {
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

#[test]
fn the_workbook_marks_each_control_once_and_its_crm_sheet_reads_back() {
    let (_tmp, _dir, out) = exported();
    let path = out.join("crm.xlsx");
    let ssp = json(&out.join("ssp.json"));
    let requirements = requirements(&ssp);

    let cis = sheet(&path, "CIS");
    assert_eq!(
        cis[0],
        [
            "Control ID",
            "Implemented",
            "Partially Implemented",
            "Planned",
            "Alternative Implementation",
            "Not Applicable",
            "Service Provider Corporate",
            "Service Provider System Specific",
            "Service Provider Hybrid",
            "Configured by Customer",
            "Provided by Customer",
            "Shared",
            "Inherited"
        ]
    );
    assert_eq!(cis.len() - 1, requirements.len());
    for row in &cis[1..] {
        let id = lockstep::model::oscal_id_of(&row[0]).unwrap();
        let req = &requirements[&id];
        let statuses: Vec<usize> = (1..=5).filter(|i| row[*i] == "X").collect();
        let origins: Vec<usize> = (6..=12).filter(|i| row[*i] == "X").collect();
        assert_eq!(statuses.len(), 1, "{row:?}");
        assert_eq!(origins.len(), 1, "{row:?}");
        let state = req["by-components"][0]["implementation-status"]["state"]
            .as_str()
            .unwrap();
        let expected_status = match state {
            "implemented" => 1,
            "partial" => 2,
            "planned" => 3,
            _ => 5,
        };
        assert_eq!(statuses[0], expected_status, "{row:?}");
        let expected_origin = match originations(req).as_slice() {
            ["inherited"] => 12,
            ["sp-system", "inherited"] => 11,
            _ => 7,
        };
        assert_eq!(origins[0], expected_origin, "{row:?}");
    }
    assert!(cis.iter().any(|row| row[0] == "PE-2"));

    let crm = sheet(&path, "CRM");
    assert_eq!(
        crm[0],
        [
            "Control ID",
            "Can Be Inherited from CSP",
            "Specific Inheritance and Customer Agency/CSP Responsibilities"
        ]
    );
    assert_eq!(crm.len() - 1, requirements.len());
    for row in &crm[1..] {
        let id = lockstep::model::oscal_id_of(&row[0]).unwrap();
        let expected = match originations(&requirements[&id]).as_slice() {
            ["inherited"] => "Yes",
            ["sp-system", "inherited"] => "Partial",
            _ => "No",
        };
        assert_eq!(row[1], expected, "{row:?}");
        assert!(!row[2].trim().is_empty(), "{row:?}");
    }
}

#[test]
fn exporting_the_same_workspace_twice_gives_identical_bytes() {
    let (_tmp, dir, out) = exported();
    let again = dir.join("again");
    let run = export_oscal(&dir, &again);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for name in ["ssp.json", "component-definition.json", "crm.xlsx"] {
        assert_eq!(
            fs::read(out.join(name)).unwrap(),
            fs::read(again.join(name)).unwrap(),
            "{name} differs"
        );
    }
    // Nothing but the three files, no temporary file left behind.
    let mut names: Vec<String> = fs::read_dir(&again)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    assert_eq!(names, ["component-definition.json", "crm.xlsx", "ssp.json"]);
    assert!(run.stdout.contains("ssp.json"), "{}", run.stdout);
}

#[test]
fn the_pack_carries_the_same_oscal_files_and_verify_pack_passes() {
    let (_tmp, dir, out) = exported();
    let pack = dir.join("pack.zip");
    let run = lockstep(
        &dir,
        &[
            "export",
            "--project",
            PROJECT,
            "--out",
            pack.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut archive = zip::ZipArchive::new(fs::File::open(&pack).unwrap()).unwrap();
    for name in ["ssp.json", "component-definition.json", "crm.xlsx"] {
        let mut bytes = Vec::new();
        archive
            .by_name(&format!("oscal/{name}"))
            .unwrap()
            .read_to_end(&mut bytes)
            .unwrap();
        // The pack as of today shows what export-oscal wrote today.
        assert_eq!(bytes, fs::read(out.join(name)).unwrap(), "{name}");
    }
    let mut manifest = String::new();
    archive
        .by_name("manifest.json")
        .unwrap()
        .read_to_string(&mut manifest)
        .unwrap();
    assert!(manifest.contains("\"oscal/ssp.json\""));
    let mut sums = String::new();
    archive
        .by_name("SHA256SUMS")
        .unwrap()
        .read_to_string(&mut sums)
        .unwrap();
    assert!(sums.contains("  oscal/crm.xlsx\n"));
    let run = lockstep(&dir, &["verify-pack", pack.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

#[test]
fn an_unknown_project_or_a_file_as_the_folder_is_refused_with_one_sentence() {
    let (_tmp, dir) = workspace();
    populated(&dir);
    let run = lockstep(
        &dir,
        &["export-oscal", "--project", "Nope", "--out", "somewhere"],
    );
    assert_eq!(run.code, 2);
    assert_eq!(run.stderr.trim().lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("Nope"), "{}", run.stderr);

    let file = dir.join("a-file");
    fs::write(&file, "in the way").unwrap();
    let run = export_oscal(&dir, &file);
    assert_eq!(run.code, 2);
    assert_eq!(run.stderr.trim().lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("folder"), "{}", run.stderr);
    assert_eq!(fs::read_to_string(&file).unwrap(), "in the way");
}

#[test]
fn a_project_on_a_baseline_exports_a_valid_plan_that_imports_its_profile() {
    let (_tmp, dir) = workspace();
    let profile =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/baselines/small-baseline.json");
    let imported = lockstep(&dir, &["profile", "import", profile.to_str().unwrap()]);
    assert_eq!(imported.code, 0, "{}", imported.stderr);
    let created = lockstep(
        &dir,
        &[
            "project",
            "create",
            "Gov",
            "--services",
            "ec2,s3",
            "--baseline",
            "small-baseline",
        ],
    );
    assert_eq!(created.code, 0, "{}", created.stderr);
    let out = dir.join("oscal-out");
    let run = lockstep(
        &dir,
        &[
            "export-oscal",
            "--project",
            "Gov",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let document = json(&out.join("ssp.json"));
    let ssp = &document["system-security-plan"];
    let href = ssp["import-profile"]["href"].as_str().unwrap();
    let uuid = href.strip_prefix('#').unwrap();
    let resources = ssp["back-matter"]["resources"].as_array().unwrap();
    let resource = resources.iter().find(|r| r["uuid"] == uuid).unwrap();
    assert_eq!(resource["title"], "small-baseline");
    assert_eq!(
        resource["rlinks"][0]["href"],
        "resolved-profile-catalog.json"
    );
    assert!(out.join("resolved-profile-catalog.json").is_file());
    assert!(!requirements(&document).is_empty());
    assert_uuids_unique_and_links_resolve(&document);
    if let Some(schemas) = schemas() {
        assert_valid(&schemas.join("oscal_ssp_schema.json"), &document);
    }
}

#[test]
fn the_plan_writes_the_per_requirement_structure_fedramp_validation_asks_for() {
    let (_tmp, _dir, out) = exported();
    let ssp = json(&out.join("ssp.json"));
    let plan = &ssp["system-security-plan"];
    let allowed = [
        "implemented",
        "partial",
        "planned",
        "alternative",
        "not-applicable",
    ];
    let mut used_roles = BTreeSet::new();
    for (id, req) in requirements(&ssp) {
        let status: Vec<&Value> = req["props"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["name"] == "implementation-status")
            .collect();
        assert_eq!(status.len(), 1, "{id}");
        assert_eq!(status[0]["ns"], "https://fedramp.gov/ns/oscal", "{id}");
        let value = status[0]["value"].as_str().unwrap();
        assert!(allowed.contains(&value), "{id}: {value}");
        if value != "implemented" {
            let remarks = status[0]["remarks"].as_str().unwrap_or("");
            assert!(remarks.starts_with("In Lockstep: "), "{id}: {remarks}");
        }
        let roles = req["responsible-roles"].as_array().unwrap();
        assert!(!roles.is_empty(), "{id}");
        for role in roles {
            used_roles.insert(role["role-id"].as_str().unwrap().to_string());
        }
        for by in req["by-components"].as_array().unwrap() {
            for role in by["responsible-roles"].as_array().into_iter().flatten() {
                used_roles.insert(role["role-id"].as_str().unwrap().to_string());
            }
            for inherited in by["inherited"].as_array().into_iter().flatten() {
                let words = inherited["description"]
                    .as_str()
                    .unwrap()
                    .split_whitespace()
                    .count();
                assert!(words >= 32, "{id}: {words} words");
            }
        }
    }
    let users = plan["system-implementation"]["users"].as_array().unwrap();
    for role in &used_roles {
        assert!(
            users.iter().any(|u| u["role-ids"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r == role.as_str())),
            "no user holds role {role}"
        );
    }
    for component in plan["system-implementation"]["components"]
        .as_array()
        .unwrap()
    {
        assert!(
            component["props"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["name"] == "asset-type"),
            "{component}"
        );
    }
}

#[test]
fn system_facts_are_set_shown_logged_and_written_into_the_plan() {
    let (_tmp, dir, out) = exported();
    let ssp = json(&out.join("ssp.json"));
    let characteristics = &ssp["system-security-plan"]["system-characteristics"];
    assert_eq!(
        characteristics["system-ids"][0],
        serde_json::json!({"identifier-type": "https://fedramp.gov", "id": "F2611280930"})
    );
    assert_eq!(characteristics["system-name-short"], "PAY");
    let props: BTreeMap<String, String> = characteristics["props"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_string(),
                p["value"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for (name, value) in [
        ("cloud-service-model", "saas"),
        ("cloud-deployment-model", "public-cloud"),
        ("authorization-type", "fedramp-agency"),
        ("identity-assurance-level", "2"),
        ("authenticator-assurance-level", "2"),
        ("federation-assurance-level", "1"),
    ] {
        assert_eq!(props.get(name).map(String::as_str), Some(value), "{name}");
    }
    // The system's level is the high-water mark of its objectives.
    assert_eq!(
        characteristics["security-sensitivity-level"],
        "fips-199-high"
    );
    let impact = &characteristics["security-impact-level"];
    assert_eq!(
        impact["security-objective-confidentiality"],
        "fips-199-moderate"
    );
    assert_eq!(impact["security-objective-integrity"], "fips-199-high");
    assert_eq!(impact["security-objective-availability"], "fips-199-low");

    let shown = lockstep(&dir, &["system", "show", "--project", PROJECT, "--json"]);
    assert_eq!(shown.code, 0, "{}", shown.stderr);
    let shown: Value = serde_json::from_str(&shown.stdout).unwrap();
    assert_eq!(shown["facts"]["service-model"], "saas");
    assert_eq!(
        shown["missing"],
        serde_json::json!(["description", "aws-fedramp-id"])
    );

    // Giving the same value again changes and logs nothing; a value outside the set is
    // refused with the ones allowed, and nothing is stored.
    let log_rows = |dir: &Path| {
        crate::common::raw(dir)
            .query_row("SELECT count(*) FROM activity", [], |row| {
                row.get::<_, i64>(0)
            })
            .unwrap()
    };
    let before = log_rows(&dir);
    let again = lockstep(&dir, &["system", "set", "--project", PROJECT, "--ial", "2"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(again.stdout.contains("nothing changed"), "{}", again.stdout);
    for bad in [
        vec!["--service-model", "cloud"],
        vec!["--ial", "4"],
        vec!["--confidentiality", "extreme"],
    ] {
        let mut args = vec!["system", "set", "--project", PROJECT];
        args.extend(bad.iter());
        let run = lockstep(&dir, &args);
        assert_eq!(run.code, 2, "{bad:?}: {}", run.stdout);
        assert!(run.stderr.contains("use "), "{}", run.stderr);
    }
    assert_eq!(log_rows(&dir), before);
    let log = lockstep(&dir, &["log", "--project", PROJECT]);
    assert!(
        log.stdout.contains("fedramp-id: (empty) → F2611280930"),
        "{}",
        log.stdout
    );
    assert!(
        log.stdout
            .contains("gave role system-owner to olga@example.com"),
        "{}",
        log.stdout
    );

    // Every role FedRAMP names is defined; those held have their person as the party.
    let metadata = &ssp["system-security-plan"]["metadata"];
    let roles: Vec<&str> = strings(&metadata["roles"], "id");
    for role in [
        "system-owner",
        "authorizing-official",
        "authorizing-official-poc",
        "information-system-security-officer",
        "system-poc-management",
        "system-poc-technical",
        "system-poc-other",
    ] {
        assert!(roles.contains(&role), "{role}: {roles:?}");
    }
    let party_named = |name: &str| {
        metadata["parties"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("no party {name}"))["uuid"]
            .clone()
    };
    let held: BTreeMap<String, Value> = metadata["responsible-parties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["role-id"].as_str().unwrap().to_string(),
                r["party-uuids"][0].clone(),
            )
        })
        .collect();
    assert_eq!(held["system-owner"], party_named("Olga Owner"));
    assert_eq!(
        held["information-system-security-officer"],
        party_named("Ivan Isso")
    );
    assert!(!held.contains_key("system-poc-other"));
    let listed = lockstep(&dir, &["role", "list", "--project", PROJECT, "--json"]);
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    let listed: Value = serde_json::from_str(&listed.stdout).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 3);
    let unknown = lockstep(
        &dir,
        &[
            "role",
            "assign",
            "--project",
            PROJECT,
            "system-owner",
            "--person",
            "x@example.com",
        ],
    );
    assert_eq!(unknown.code, 2);
}

#[test]
fn export_oscal_lists_what_the_plan_leaves_out_and_how_to_give_it() {
    let (_tmp, dir, out) = exported();
    let run = lockstep(
        &dir,
        &[
            "export-oscal",
            "--project",
            PROJECT,
            "--out",
            out.to_str().unwrap(),
            "--json",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["files"].as_array().unwrap().len(), 3);
    let missing: Vec<(String, String)> = report["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["what"].as_str().unwrap().to_string(),
                m["how"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let hows: Vec<&str> = missing.iter().map(|(_, how)| how.as_str()).collect();
    assert!(
        hows.iter()
            .any(|h| h.contains("system set") && h.contains("--description"))
    );
    assert!(!hows.iter().any(|h| h.contains("--fedramp-id")), "{hows:?}");
    // Three roles are held; the four others are asked for.
    assert_eq!(hows.iter().filter(|h| h.contains("role assign")).count(), 4);
    assert!(hows.iter().any(|h| h.contains("system-poc-technical")));
    assert!(
        !hows.iter().any(|h| h.contains(" system-owner ")),
        "{hows:?}"
    );
    // The plain run prints the same list after what it wrote.
    let plain = lockstep(
        &dir,
        &[
            "export-oscal",
            "--project",
            PROJECT,
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(plain.stdout.contains("not in the plan"), "{}", plain.stdout);
    for (what, _) in &missing {
        assert!(plain.stdout.contains(what.as_str()), "{what}");
    }
}

#[test]
fn a_baseline_plan_carries_the_catalog_its_profile_resolves_to() {
    let nist = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/oscal/nist-800-53-rev5");
    if !nist.join("NIST_SP-800-53_rev5_catalog.json").is_file() {
        eprintln!(
            "skipped: the shared NIST data is not at {} (see ../shared/data/SOURCES.md)",
            nist.display()
        );
        return;
    }
    let (_tmp, dir) = workspace();
    let arg = |name: &str| nist.join(name).display().to_string();
    for args in [
        vec![
            "catalog",
            "import",
            &arg("NIST_SP-800-53_rev5_catalog.json"),
        ],
        vec![
            "profile",
            "import",
            &arg("NIST_SP-800-53_rev5_MODERATE-baseline_profile.json"),
        ],
        vec![
            "project",
            "create",
            "Gov",
            "--services",
            "ec2",
            "--baseline",
            "NIST_SP-800-53_rev5_MODERATE-baseline_profile",
        ],
    ] {
        let run = lockstep(&dir, &args);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
    }
    let out = dir.join("plan");
    let run = lockstep(
        &dir,
        &[
            "export-oscal",
            "--project",
            "Gov",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let written = fs::read(out.join("resolved-profile-catalog.json")).unwrap();
    let catalog: Value = serde_json::from_slice(&written).unwrap();
    let published: Value = serde_json::from_slice(
        &fs::read(nist.join("NIST_SP-800-53_rev5_MODERATE-baseline-resolved-profile_catalog.json"))
            .unwrap(),
    )
    .unwrap();
    fn ids(value: &Value, out: &mut Vec<String>) {
        for control in value["controls"].as_array().into_iter().flatten() {
            out.push(control["id"].as_str().unwrap().to_string());
            ids(control, out);
        }
        for group in value["groups"].as_array().into_iter().flatten() {
            ids(group, out);
        }
    }
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    ids(&catalog["catalog"], &mut ours);
    ids(&published["catalog"], &mut theirs);
    assert_eq!(ours.len(), 287);
    assert_eq!(ours, theirs);
    // The plan's import-profile leads to it, by a relative link with its hash.
    let ssp = json(&out.join("ssp.json"));
    let plan = &ssp["system-security-plan"];
    let uuid = plan["import-profile"]["href"]
        .as_str()
        .unwrap()
        .trim_start_matches('#')
        .to_string();
    let resource = plan["back-matter"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["uuid"] == uuid.as_str())
        .unwrap();
    assert_eq!(
        resource["rlinks"][0]["href"],
        "resolved-profile-catalog.json"
    );
    assert_eq!(
        resource["rlinks"][0]["hashes"][0]["value"],
        lockstep::vault::hash_reader(&mut written.as_slice())
            .unwrap()
            .0
    );
    if let Some(schemas) = schemas() {
        assert_valid(&schemas.join("oscal_catalog_schema.json"), &catalog);
        assert_valid(&schemas.join("oscal_ssp_schema.json"), &ssp);
    }
}
