//! The system's users and the values of its baseline's open parameters: given, listed,
//! refused when wrong, logged, and written into the plan (`system user`, `param`).

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{lockstep, raw, workspace};

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/oscal")
        .join(name)
        .display()
        .to_string()
}

/// A workspace with project "Gov" on the parameter test baseline (AC-1 with a parameter that
/// gathers two others, PL-4 with a parameter inside a choice the baseline constrains).
fn gov() -> (tempfile::TempDir, PathBuf) {
    let (tmp, dir) = workspace();
    let imported = lockstep(
        &dir,
        &["profile", "import", &fixture("parameters-profile.json")],
    );
    assert_eq!(imported.code, 0, "{}", imported.stderr);
    let created = lockstep(
        &dir,
        &[
            "project",
            "create",
            "Gov",
            "--services",
            "ec2",
            "--baseline",
            "parameters-profile",
        ],
    );
    assert_eq!(created.code, 0, "{}", created.stderr);
    (tmp, dir)
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let run = lockstep(dir, args);
    assert_eq!(run.code, 0, "{args:?}: {}{}", run.stdout, run.stderr);
    run.stdout
}

fn log_rows(dir: &Path) -> i64 {
    raw(dir)
        .query_row("SELECT count(*) FROM activity", [], |row| row.get(0))
        .unwrap()
}

fn params(dir: &Path, missing: bool) -> Vec<Value> {
    let mut args = vec!["param", "list", "--project", "Gov", "--json"];
    if missing {
        args.push("--missing");
    }
    let listed: Value = serde_json::from_str(&ok(dir, &args)).unwrap();
    listed.as_array().unwrap().clone()
}

fn ids(list: &[Value]) -> Vec<&str> {
    list.iter().map(|p| p["id"].as_str().unwrap()).collect()
}

fn exported_plan(dir: &Path) -> (Value, Value) {
    let out = dir.join("oscal");
    let run = ok(
        dir,
        &[
            "export-oscal",
            "--project",
            "Gov",
            "--out",
            out.to_str().unwrap(),
            "--json",
        ],
    );
    let report: Value = serde_json::from_str(&run).unwrap();
    let ssp: Value = serde_json::from_slice(&std::fs::read(out.join("ssp.json")).unwrap()).unwrap();
    (ssp["system-security-plan"].clone(), report)
}

fn set_parameters(plan: &Value, control: &str) -> Vec<(String, String)> {
    plan["control-implementation"]["implemented-requirements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["control-id"] == control)
        .unwrap()["set-parameters"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|p| {
                    (
                        p["param-id"].as_str().unwrap().to_string(),
                        p["values"][0].as_str().unwrap().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn open_parameters_are_listed_given_and_written_as_the_plans_set_parameters() {
    let (_tmp, dir) = gov();
    // Every parameter of the controls, including those gathered by another and those inside
    // a choice the baseline's constraint stands in for.
    assert_eq!(
        ids(&params(&dir, false)),
        [
            "ac-1_prm_1",
            "ac-01_odp.03",
            "ac-01_odp.01",
            "ac-01_odp.02",
            "pl-04_odp.01",
            "pl-04_odp.02"
        ]
    );
    assert_eq!(
        ids(&params(&dir, true)),
        ["ac-1_prm_1", "ac-01_odp.03", "ac-01_odp.01", "pl-04_odp.02"]
    );
    let (plan, report) = exported_plan(&dir);
    assert_eq!(
        set_parameters(&plan, "ac-1"),
        [("ac-01_odp.02".to_string(), "the security team".to_string())]
    );
    let hows: Vec<&str> = report["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["how"].as_str().unwrap())
        .collect();
    assert!(hows.iter().any(|h| h.contains("param list")), "{hows:?}");

    // A value for the gathering parameter is the value of the one it gathers; ids are read
    // in any case; the log names the parameter.
    let said = ok(
        &dir,
        &[
            "param",
            "set",
            "--project",
            "Gov",
            "AC-1_PRM_1",
            "  the ISSO and the system owner ",
        ],
    );
    assert_eq!(said, "ac-1_prm_1 (AC-1): the ISSO and the system owner\n");
    for (id, value) in [
        ("ac-01_odp.03", "at least annually"),
        ("pl-04_odp.02", "yearly"),
    ] {
        ok(&dir, &["param", "set", "--project", "Gov", id, value]);
    }
    assert!(params(&dir, true).is_empty());
    assert_eq!(
        ok(&dir, &["param", "list", "--project", "Gov", "--missing"]),
        "every parameter has a value\n"
    );
    let (plan, report) = exported_plan(&dir);
    let ac1 = set_parameters(&plan, "ac-1");
    let value_of = |id: &str| {
        ac1.iter()
            .find(|(p, _)| p == id)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("no set-parameter {id}: {ac1:?}"))
    };
    assert_eq!(value_of("ac-1_prm_1"), "the ISSO and the system owner");
    assert_eq!(value_of("ac-01_odp.01"), "the ISSO and the system owner");
    assert_eq!(value_of("ac-01_odp.02"), "the security team");
    assert_eq!(value_of("ac-01_odp.03"), "at least annually");
    assert!(set_parameters(&plan, "pl-4").contains(&("pl-04_odp.02".to_string(), "yearly".into())));
    assert!(
        !report["missing"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["how"].as_str().unwrap().contains("param list"))
    );
    let log = ok(&dir, &["log", "--project", "Gov"]);
    assert!(
        log.contains("parameter ac-01_odp.03: (empty) → at least annually"),
        "{log}"
    );

    // The same value again logs nothing; an empty one clears it; wrong input is refused with
    // one sentence and nothing stored.
    let before = log_rows(&dir);
    ok(
        &dir,
        &["param", "set", "--project", "Gov", "pl-04_odp.02", "yearly"],
    );
    assert_eq!(log_rows(&dir), before);
    for (args, says) in [
        (vec!["nope_odp", "x"], "param list --project"),
        (vec!["pl-04_odp.02", "a\u{1b}[31mb"], "control character"),
    ] {
        let mut full = vec!["param", "set", "--project", "Gov"];
        full.extend(args.iter());
        let run = lockstep(&dir, &full);
        assert_eq!(run.code, 2, "{args:?}");
        assert_eq!(run.stderr.trim().lines().count(), 1, "{}", run.stderr);
        assert!(run.stderr.contains(says), "{}", run.stderr);
    }
    let long = "x".repeat(5000);
    let run = lockstep(
        &dir,
        &["param", "set", "--project", "Gov", "pl-04_odp.02", &long],
    );
    assert_eq!(run.code, 2);
    assert_eq!(log_rows(&dir), before);
    let said = ok(
        &dir,
        &["param", "set", "--project", "Gov", "pl-04_odp.02", ""],
    );
    assert_eq!(said, "pl-04_odp.02 (PL-4): cleared\n");
    assert_eq!(ids(&params(&dir, true)), ["pl-04_odp.02"]);
}

#[test]
fn system_users_are_described_replaced_removed_and_written_with_fedramps_props() {
    let (_tmp, dir) = gov();
    assert!(ok(&dir, &["system", "user", "list", "--project", "Gov"]).contains("system user add"));
    let said = ok(
        &dir,
        &[
            "system",
            "user",
            "add",
            "--project",
            "Gov",
            "System administrator",
            "--role",
            "control-owner,system-owner",
            "--type",
            "Internal",
            "--privilege",
            "privileged",
            "--sensitivity",
            "moderate",
            "--function",
            "Creates accounts",
            "--function",
            "Applies patches",
        ],
    );
    assert!(said.contains("System administrator"), "{said}");
    let refused = |args: &[&str], says: &str| {
        let mut full = vec!["system", "user", "add", "--project", "Gov", "Other"];
        full.extend(args.iter());
        let run = lockstep(&dir, &full);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stdout);
        assert!(run.stderr.contains(says), "{args:?}: {}", run.stderr);
    };
    let base = [
        "--type",
        "external",
        "--privilege",
        "no-logical-access",
        "--sensitivity",
        "limited",
        "--function",
        "Reads",
    ];
    let with = |role: &str, change: (&str, &str)| -> Vec<String> {
        let mut args = vec!["--role".to_string(), role.to_string()];
        let mut pairs = base.chunks(2);
        while let Some([flag, value]) = pairs.next() {
            args.push(flag.to_string());
            args.push(if *flag == change.0 {
                change.1.to_string()
            } else {
                value.to_string()
            });
        }
        args
    };
    for (args, says) in [
        (with("boss", ("", "")), "not a role a user can hold"),
        (with("provider", ("--type", "staff")), "not a user type"),
        (
            with("provider", ("--privilege", "root")),
            "not a privilege level",
        ),
        (
            with("provider", ("--sensitivity", "secret")),
            "not a sensitivity level",
        ),
        (with("provider", ("--function", " ")), "--function"),
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        refused(&args, says);
    }
    let listed: Value = serde_json::from_str(&ok(
        &dir,
        &["system", "user", "list", "--project", "Gov", "--json"],
    ))
    .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(
        listed[0]["roles"],
        serde_json::json!(["control-owner", "system-owner"])
    );
    assert_eq!(listed[0]["type"], "internal");

    // Without a user holding the provider role, the plan keeps a bare one and asks for it.
    let (plan, report) = exported_plan(&dir);
    let users = plan["system-implementation"]["users"].as_array().unwrap();
    assert_eq!(users.len(), 2);
    let admin = &users[0];
    assert_eq!(admin["title"], "System administrator");
    let prop = |user: &Value, name: &str| {
        user["props"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .map(|p| (p["value"].clone(), p["ns"].clone()))
    };
    assert_eq!(prop(admin, "type").unwrap().0, "internal");
    assert_eq!(prop(admin, "privilege-level").unwrap().0, "privileged");
    assert_eq!(
        prop(admin, "sensitivity").unwrap(),
        (
            Value::from("moderate"),
            Value::from("https://fedramp.gov/ns/oscal")
        )
    );
    assert_eq!(
        admin["authorized-privileges"][0]["functions-performed"],
        serde_json::json!(["Creates accounts", "Applies patches"])
    );
    assert_eq!(users[1]["role-ids"], serde_json::json!(["provider"]));
    let whats: Vec<&str> = report["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["what"].as_str().unwrap())
        .collect();
    assert!(
        whats.iter().any(|w| w.contains("provider role")),
        "{whats:?}"
    );
    assert!(!whats.iter().any(|w| w.contains("control-owner role")));

    // Adding the same title again replaces it; removing takes it out; both are logged.
    ok(
        &dir,
        &[
            "system",
            "user",
            "add",
            "--project",
            "Gov",
            "system ADMINISTRATOR",
            "--role",
            "control-owner",
            "--type",
            "internal",
            "--privilege",
            "privileged",
            "--sensitivity",
            "high-risk",
            "--function",
            "Creates accounts",
        ],
    );
    let listed: Value = serde_json::from_str(&ok(
        &dir,
        &["system", "user", "list", "--project", "Gov", "--json"],
    ))
    .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["sensitivity"], "high-risk");
    ok(
        &dir,
        &[
            "system",
            "user",
            "remove",
            "--project",
            "Gov",
            "System Administrator",
        ],
    );
    let run = lockstep(
        &dir,
        &["system", "user", "remove", "--project", "Gov", "Nobody"],
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no user 'Nobody'"), "{}", run.stderr);
    let log = ok(&dir, &["log", "--project", "Gov"]);
    for line in [
        "described system user System administrator",
        "changed system user system ADMINISTRATOR",
        "removed system user system ADMINISTRATOR",
    ] {
        assert!(log.contains(line), "{line}: {log}");
    }
}

/// A tiny PNG of 2×2 red pixels.
fn png() -> Vec<u8> {
    fn chunk(kind: &[u8], data: &[u8]) -> Vec<u8> {
        let mut out = (data.len() as u32).to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let mut crc = 0xffff_ffffu32;
        for byte in kind.iter().chain(data) {
            crc ^= u32::from(*byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xedb8_8320
                } else {
                    crc >> 1
                };
            }
        }
        out.extend_from_slice(&(!crc).to_be_bytes());
        out
    }
    let mut header = 2u32.to_be_bytes().to_vec();
    header.extend_from_slice(&2u32.to_be_bytes());
    header.extend_from_slice(&[8, 2, 0, 0, 0]);
    // Two rows, each a filter byte and two red pixels, stored uncompressed in zlib.
    let raw: Vec<u8> = [0u8, 255, 0, 0, 255, 0, 0].repeat(2);
    let mut idat = vec![0x78, 0x01, 0x01];
    idat.extend_from_slice(&(raw.len() as u16).to_le_bytes());
    idat.extend_from_slice(&(!(raw.len() as u16)).to_le_bytes());
    idat.extend_from_slice(&raw);
    let (mut a, mut b) = (1u32, 0u32);
    for byte in &raw {
        a = (a + u32::from(*byte)) % 65521;
        b = (b + a) % 65521;
    }
    idat.extend_from_slice(&((b << 16) | a).to_be_bytes());
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend(chunk(b"IHDR", &header));
    out.extend(chunk(b"IDAT", &idat));
    out.extend(chunk(b"IEND", &[]));
    out
}

fn attach(dir: &Path, args: &[&str], file: &Path) -> crate::common::Run {
    let mut full = vec!["attachment", "add", "--project", "Gov"];
    full.extend(args.iter());
    let path = file.to_str().unwrap();
    full.push(path);
    lockstep(dir, &full)
}

#[test]
fn attached_documents_are_linked_hashed_embedded_and_carried_by_the_pack() {
    use base64::Engine as _;
    let (_tmp, dir) = gov();
    let files = dir.join("files");
    std::fs::create_dir_all(&files).unwrap();
    let policy = files.join("access policy.txt");
    std::fs::write(&policy, "Access is granted by role.\n").unwrap();
    let diagram = files.join("network.png");
    std::fs::write(&diagram, png()).unwrap();
    let guide = files.join("guide.txt");
    std::fs::write(&guide, "How to use the system.\n").unwrap();

    let run = attach(
        &dir,
        &["--kind", "policy", "--control", "AC-1", "--control", "pl-4"],
        &policy,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.lines().count(), 2, "{}", run.stdout);
    assert!(run.stdout.contains("policy access policy.txt for PL-4"));
    let run = attach(
        &dir,
        &["--kind", "network-diagram", "--title", "Network and VPCs"],
        &diagram,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = attach(&dir, &["--kind", "Users-Guide"], &guide);
    assert_eq!(run.code, 0, "{}", run.stderr);

    // Wrong shapes are refused before anything is stored, each with one sentence.
    let before = log_rows(&dir);
    for (args, says) in [
        (vec!["--kind", "policy"], "--control"),
        (
            vec!["--kind", "fedramp-logo", "--control", "AC-1"],
            "leave out --control",
        ),
        (vec!["--kind", "memo"], "not a kind of attachment"),
        (
            vec!["--kind", "procedure", "--control", "ZZ-9"],
            "has no control 'ZZ-9'",
        ),
    ] {
        let run = attach(&dir, &args, &guide);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stdout);
        assert!(run.stderr.contains(says), "{args:?}: {}", run.stderr);
    }
    let run = attach(&dir, &["--kind", "rules-of-behavior"], &files.join("nope"));
    assert_eq!(run.code, 2);
    assert_eq!(log_rows(&dir), before);

    let listed: Value = serde_json::from_str(&ok(
        &dir,
        &["attachment", "list", "--project", "Gov", "--json"],
    ))
    .unwrap();
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 4);
    assert_eq!(listed[0]["kind"], "policy");
    assert_eq!(listed[1]["control"], "PL-4");
    assert_eq!(listed[2]["title"], "Network and VPCs");
    let log = ok(&dir, &["log", "--project", "Gov"]);
    assert!(
        log.contains("attached policy access policy.txt for AC-1, PL-4"),
        "{log}"
    );

    // The plan: one resource per document with its hash, each policy linked from its
    // requirements, the diagram placed in the network architecture and embedded.
    let (plan, report) = exported_plan(&dir);
    let resources = plan["back-matter"]["resources"].as_array().unwrap();
    let resource = |title: &str| {
        resources
            .iter()
            .find(|r| r["title"] == title)
            .unwrap_or_else(|| panic!("no resource {title}"))
    };
    let policy_resource = resource("access policy.txt");
    assert_eq!(policy_resource["props"][0]["value"], "policy");
    assert_eq!(
        policy_resource["rlinks"][0]["hashes"][0]["value"],
        listed[0]["sha256"]
    );
    assert_eq!(
        policy_resource["rlinks"][0]["href"],
        "../attachments/policy/access%20policy.txt"
    );
    for control in ["ac-1", "pl-4"] {
        let requirement = plan["control-implementation"]["implemented-requirements"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["control-id"] == control)
            .unwrap();
        let link = &requirement["by-components"][0]["links"][0];
        assert_eq!(link["rel"], "policy", "{control}");
        assert_eq!(
            link["href"].as_str().unwrap(),
            format!("#{}", policy_resource["uuid"].as_str().unwrap())
        );
    }
    let diagram_resource = resource("Network and VPCs");
    let embedded = base64::engine::general_purpose::STANDARD
        .decode(diagram_resource["base64"]["value"].as_str().unwrap())
        .unwrap();
    assert_eq!(embedded, png());
    assert_eq!(diagram_resource["base64"]["media-type"], "image/png");
    let network = &plan["system-characteristics"]["network-architecture"];
    assert_eq!(network["diagrams"][0]["caption"], "Network and VPCs");
    assert_eq!(
        network["diagrams"][0]["links"][0]["href"].as_str().unwrap(),
        format!("#{}", diagram_resource["uuid"].as_str().unwrap())
    );
    assert!(plan["system-characteristics"]["data-flow"].is_null());
    let guide_resource = resource("guide.txt");
    assert_eq!(guide_resource["props"][0]["value"], "users-guide");
    let whats: Vec<&str> = report["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["what"].as_str().unwrap())
        .collect();
    assert!(whats.contains(&"the data flow diagram"), "{whats:?}");
    assert!(whats.contains(&"the rules of behavior"), "{whats:?}");
    assert!(!whats.contains(&"the user guide"), "{whats:?}");
    assert!(
        whats
            .iter()
            .any(|w| w.starts_with("a procedure document for 1 control (AC-1)")),
        "{whats:?}"
    );
    assert!(!whats.iter().any(|w| w.starts_with("a policy document")));

    // The pack carries each file once and checks out; a purge keeps them.
    let pack = dir.join("pack.zip");
    ok(
        &dir,
        &[
            "export",
            "--project",
            "Gov",
            "--out",
            pack.to_str().unwrap(),
        ],
    );
    let names: Vec<String> = {
        let mut zip = zip::ZipArchive::new(std::fs::File::open(&pack).unwrap()).unwrap();
        (0..zip.len())
            .map(|i| zip.by_index(i).unwrap().name().unwrap().to_string())
            .filter(|n| n.starts_with("attachments/"))
            .collect()
    };
    assert_eq!(
        names,
        [
            "attachments/policy/access policy.txt",
            "attachments/network-diagram/network.png",
            "attachments/users-guide/guide.txt"
        ]
    );
    let checked = lockstep(&dir, &["verify-pack", pack.to_str().unwrap()]);
    assert_eq!(checked.code, 0, "{}", checked.stdout);
    let purge = ok(&dir, &["vault", "purge", "--yes"]);
    assert!(
        !purge.contains(listed[0]["sha256"].as_str().unwrap()),
        "{purge}"
    );
    ok(&dir, &["verify"]);

    // Removing one leaves a tombstone and takes it out of the plan.
    let run = lockstep(
        &dir,
        &[
            "attachment",
            "remove",
            "--project",
            "Gov",
            "3",
            "--reason",
            "",
        ],
    );
    assert_eq!(run.code, 2);
    ok(
        &dir,
        &[
            "attachment",
            "remove",
            "--project",
            "Gov",
            "3",
            "--reason",
            "replaced by a newer diagram",
        ],
    );
    let again = lockstep(
        &dir,
        &[
            "attachment",
            "remove",
            "--project",
            "Gov",
            "3",
            "--reason",
            "x",
        ],
    );
    assert_eq!(again.code, 2);
    assert!(again.stderr.contains("already removed"), "{}", again.stderr);
    let (plan, _) = exported_plan(&dir);
    assert!(plan["system-characteristics"]["network-architecture"].is_null());
    let all: Value = serde_json::from_str(&ok(
        &dir,
        &["attachment", "list", "--project", "Gov", "--all", "--json"],
    ))
    .unwrap();
    assert_eq!(
        all[2]["removed_reason"], "replaced by a newer diagram",
        "{all}"
    );
}

#[test]
fn the_teams_narrative_of_a_control_is_the_plans_description_of_its_part() {
    let (_tmp, dir) = gov();
    let said = ok(
        &dir,
        &[
            "control",
            "set",
            "--project",
            "Gov",
            "PL-4",
            "--customer-part",
            "Users accept the rules at first sign-in and each year.",
        ],
    );
    assert!(
        said.contains("customer_part (empty) -> Users accept"),
        "{said}"
    );
    let (plan, _) = exported_plan(&dir);
    let requirement = plan["control-implementation"]["implemented-requirements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["control-id"] == "pl-4")
        .unwrap();
    assert_eq!(
        requirement["by-components"][0]["description"],
        "Users accept the rules at first sign-in and each year."
    );
}

#[test]
fn assets_carry_inventory_facts_into_the_plans_inventory() {
    let (_tmp, dir) = gov();
    let (_, report) = exported_plan(&dir);
    let whats = |report: &Value| -> Vec<String> {
        report["missing"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["what"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(
        whats(&report)
            .iter()
            .any(|w| w.starts_with("the system's inventory"))
    );
    ok(
        &dir,
        &[
            "asset",
            "add",
            "--project",
            "Gov",
            "db-1",
            "--kind",
            "database",
            "--managed-by",
            "aws",
        ],
    );
    let said = ok(
        &dir,
        &[
            "asset",
            "set",
            "--project",
            "Gov",
            "DB-1",
            "--virtual",
            "Yes",
            "--public",
            "no",
            "--scan-type",
            "database",
        ],
    );
    assert_eq!(
        said,
        "db-1: the inventory still needs software, software-version, function\n"
    );
    let bad = lockstep(
        &dir,
        &[
            "asset",
            "set",
            "--project",
            "Gov",
            "db-1",
            "--public",
            "maybe",
        ],
    );
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("use yes, no"), "{}", bad.stderr);
    let (plan, report) = exported_plan(&dir);
    assert!(
        whats(&report)
            .iter()
            .any(|w| w == "inventory facts of 1 asset (db-1: software, software-version, function)"),
        "{:?}",
        whats(&report)
    );
    let item = &plan["system-implementation"]["inventory-items"][0];
    let props: Vec<(String, String)> = item["props"]
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
    assert_eq!(props[0], ("asset-type".to_string(), "database".to_string()));
    assert!(props.contains(&("virtual".to_string(), "yes".to_string())));
    assert!(props.contains(&("scan-type".to_string(), "database".to_string())));
    let log = ok(&dir, &["log", "--project", "Gov"]);
    assert!(
        log.contains("inventory of db-1: virtual: (empty) → yes"),
        "{log}"
    );
}
