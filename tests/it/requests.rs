//! The auditor's request list through the real binary: importing CSV and XLSX lists with
//! the usual header names, updating by id, refusing bad lists, the lifecycle, answering with
//! evidence, controls and files, delivery packs and the full pack's Requests parts.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{Run, lockstep, workspace};

fn ok(run: &Run) {
    assert_eq!(
        run.code, 0,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
}

fn bad(run: &Run, says: &str) {
    assert_eq!(
        run.code, 2,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    assert!(
        run.stderr.contains(says),
        "stderr should say '{says}': {}",
        run.stderr
    );
}

fn write(dir: &Path, name: &str, content: &[u8]) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

fn arg(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// A project "Payments" on ec2 and s3, and the id of one of its customer controls.
fn project(dir: &Path) -> String {
    ok(&lockstep(
        dir,
        &["project", "create", "Payments", "--services", "ec2,s3"],
    ));
    let run = lockstep(dir, &["control", "list", "--project", "Payments", "--json"]);
    ok(&run);
    run.json()
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["column"] == "customer")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn import(dir: &Path, file: &Path) -> Run {
    lockstep(
        dir,
        &["request", "import", "--project", "Payments", arg(file)],
    )
}

fn requests(dir: &Path) -> Vec<Value> {
    let run = lockstep(dir, &["request", "list", "--project", "Payments", "--json"]);
    ok(&run);
    run.json().as_array().unwrap().clone()
}

fn request(dir: &Path, id: &str) -> Value {
    requests(dir)
        .into_iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no request {id}"))
}

fn set(dir: &Path, id: &str, extra: &[&str]) -> Run {
    let mut args = vec!["request", "set", "--project", "Payments", id];
    args.extend_from_slice(extra);
    lockstep(dir, &args)
}

fn pack_entries(pack: &Path) -> Vec<(String, Vec<u8>)> {
    use std::io::Read as _;
    let mut archive = zip::ZipArchive::new(std::fs::File::open(pack).unwrap()).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut entry = archive.by_index(i).unwrap();
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            (entry.name().unwrap().to_string(), bytes)
        })
        .collect()
}

fn entry<'a>(entries: &'a [(String, Vec<u8>)], name: &str) -> &'a str {
    let (_, bytes) = entries
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no {name} in the pack"));
    std::str::from_utf8(bytes).unwrap()
}

/// A list with the header names of one audit firm: Ref, PBC item, Criteria, Assigned to,
/// Due date, and a column Lockstep has no field for.
fn first_list(control: &str) -> String {
    format!(
        "Ref,PBC item,Criteria,Assigned to,Due date,Priority,Auditor notes\n\
         R-001,Population of IAM users with MFA status,\"CC6.1; AC-2(1)\",Ana,2027-02-01,High,period end\n\
         R-002,Change tickets for the period,A.8.32,Bo,2027-02-15,Low,\n\
         R-003,Firewall rules export,{control},Ana,2027-03-01,,\n"
    )
}

#[test]
fn a_csv_list_imports_by_its_header_names_and_lists_every_key() {
    let (tmp, dir) = workspace();
    let control = project(&dir);
    let list = write(tmp.path(), "pbc.csv", first_list(&control).as_bytes());
    let run = import(&dir, &list);
    ok(&run);
    assert!(run.stdout.contains("3 added"), "{}", run.stdout);

    let all = requests(&dir);
    assert_eq!(all.len(), 3);
    let first = &all[0];
    for key in [
        "id", "request", "controls", "owner", "due", "status", "evidence", "response", "comments",
    ] {
        assert!(first.get(key).is_some(), "no {key} in {first}");
    }
    assert_eq!(first["id"], "R-001");
    assert_eq!(first["owner"], "Ana");
    assert_eq!(first["due"], "2027-02-01");
    assert_eq!(first["status"], "open");
    assert_eq!(first["controls"][0]["reference"], "CC6.1");
    assert_eq!(first["controls"][0]["kind"], "soc2");
    assert_eq!(first["controls"][1]["kind"], "nist");
    assert_eq!(first["other"][0]["name"], "Auditor notes");
    assert_eq!(first["other"][0]["value"], "period end");
    assert_eq!(all[1]["controls"][0]["kind"], "iso27001");
    assert_eq!(all[2]["controls"][0]["kind"], "control");
    assert_eq!(all[2]["control_ids"][0], control.as_str());

    let table = lockstep(
        &dir,
        &["request", "list", "--project", "Payments", "--owner", "ana"],
    );
    ok(&table);
    assert!(table.stdout.contains("R-001") && table.stdout.contains("R-003"));
    assert!(!table.stdout.contains("R-002"), "{}", table.stdout);
}

#[test]
fn importing_an_updated_list_updates_by_id_and_logs_what_changed() {
    let (tmp, dir) = workspace();
    let control = project(&dir);
    ok(&import(
        &dir,
        &write(tmp.path(), "pbc.csv", first_list(&control).as_bytes()),
    ));
    let updated = first_list(&control)
        .replace("Population of IAM users", "All IAM users")
        .replace("Bo,2027-02-15", "Cy,2027-02-20");
    let run = import(&dir, &write(tmp.path(), "pbc v2.csv", updated.as_bytes()));
    ok(&run);
    assert!(
        run.stdout.contains("0 added, 2 updated, 1 unchanged"),
        "{}",
        run.stdout
    );
    let all = requests(&dir);
    assert_eq!(all.len(), 3, "re-import never duplicates");
    assert_eq!(all[0]["request"], "All IAM users with MFA status");
    assert_eq!(all[1]["owner"], "Cy");
    assert_eq!(all[1]["due"], "2027-02-20");

    let log = lockstep(&dir, &["log", "--project", "Payments", "--json"]);
    ok(&log);
    let text = log.stdout;
    assert!(
        text.contains("request.import")
            && text.contains("\"from\": \"Bo\"")
            && text.contains("\"to\": \"Cy\""),
        "{text}"
    );
}

#[test]
fn an_xlsx_list_imports_with_its_dates_and_numbers() {
    let (tmp, dir) = workspace();
    project(&dir);
    let path = tmp.path().join("list.xlsx");
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (col, name) in [
        "Request #",
        "Requested item",
        "Control reference",
        "Owner",
        "Due",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(0, col as u16, *name).unwrap();
    }
    let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    sheet.write_number(1, 0, 14.0).unwrap();
    sheet.write_string(1, 1, "Access review evidence").unwrap();
    sheet.write_string(1, 2, "CC6.2\nCC6.3").unwrap();
    sheet.write_string(1, 3, "Ana").unwrap();
    sheet
        .write_datetime_with_format(
            1,
            4,
            rust_xlsxwriter::ExcelDateTime::from_ymd(2027, 4, 30).unwrap(),
            &date,
        )
        .unwrap();
    sheet.write_string(2, 0, "15").unwrap();
    sheet.write_string(2, 1, "Backup restore test").unwrap();
    sheet.write_string(2, 4, "2027-05-31").unwrap();
    workbook.save(&path).unwrap();

    ok(&import(&dir, &path));
    let all = requests(&dir);
    assert_eq!(all.len(), 2);
    assert_eq!(all[0]["id"], "14");
    assert_eq!(all[0]["due"], "2027-04-30");
    assert_eq!(all[0]["controls"].as_array().unwrap().len(), 2);
    assert_eq!(all[1]["due"], "2027-05-31");
}

#[test]
fn a_list_without_an_id_column_is_refused_whole() {
    let (tmp, dir) = workspace();
    project(&dir);
    let list = write(tmp.path(), "x.csv", b"Request,Owner\nSomething,Ana\n");
    let run = import(&dir, &list);
    bad(&run, "no request id column");
    assert!(
        run.stderr.contains("ID, Ref or Request #"),
        "{}",
        run.stderr
    );
    assert!(requests(&dir).is_empty());
}

#[test]
fn bad_rows_are_named_by_line_and_the_good_rows_are_stored() {
    let (tmp, dir) = workspace();
    project(&dir);
    let list = write(
        tmp.path(),
        "rows.csv",
        b"ID,Request,Due,Status\n\
          R-1,First,2027-01-01,\n\
          R-2,Second,,\n\
          ,,,\n\
          R-1,First again,,\n\
          R-3,Third,soon,\n\
          R-4,,,\n\
          R-5,Fifth,,submitted\n\
          R-6,\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",,in_progress\n",
    );
    let run = import(&dir, &list);
    bad(&run, "line 2: the same request id is on lines 2, 5");
    for says in [
        "line 5: the same request id is on lines 2, 5",
        "line 6: 'soon' is not a due date",
        "line 7: the request text is blank",
        "line 8: request R-5 is open and cannot become submitted: next it can be in_progress",
    ] {
        assert!(run.stderr.contains(says), "no '{says}' in {}", run.stderr);
    }
    assert!(!run.stderr.contains("line 4"), "an empty row is skipped");
    let ids: Vec<String> = requests(&dir)
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["R-2", "R-6"]);
    let formula = request(&dir, "R-6");
    assert_eq!(formula["request"], "=HYPERLINK(\"http://x\",\"y\")");
    assert_eq!(formula["status"], "in_progress");
}

#[test]
fn dates_are_read_only_when_the_column_is_unambiguous() {
    let (tmp, dir) = workspace();
    project(&dir);
    let ambiguous = write(
        tmp.path(),
        "a.csv",
        b"ID,Request,Due\nR-1,One,01/02/2027\nR-2,Two,03/04/2027\n",
    );
    let run = import(&dir, &ambiguous);
    bad(
        &run,
        "could be month-first or day-first (01/02/2027 on line 2",
    );
    assert!(requests(&dir).is_empty(), "nothing is stored");

    let us = write(
        tmp.path(),
        "us.csv",
        b"ID,Request,Due\nR-1,One,01/31/2027\nR-2,Two,02/03/2027\n",
    );
    ok(&import(&dir, &us));
    assert_eq!(request(&dir, "R-2")["due"], "2027-02-03");

    let eu = write(
        tmp.path(),
        "eu.csv",
        b"ID,Request,Due\nR-3,Three,31.01.2027\nR-4,Four,02.03.2027\n",
    );
    ok(&import(&dir, &eu));
    assert_eq!(request(&dir, "R-4")["due"], "2027-03-02");
}

#[test]
fn a_large_list_imports_in_one_go() {
    let (tmp, dir) = workspace();
    project(&dir);
    let mut text = String::from("ID,Request,Control,Owner,Due\n");
    for n in 0..50_000 {
        text.push_str(&format!(
            "R-{n:05},Evidence item {n},CC6.1,owner{},2027-01-{:02}\n",
            n % 7,
            n % 28 + 1
        ));
    }
    let list = write(tmp.path(), "big.csv", text.as_bytes());
    let started = std::time::Instant::now();
    let run = import(&dir, &list);
    ok(&run);
    assert!(run.stdout.contains("50000 added"), "{}", run.stdout);
    let seconds = started.elapsed().as_secs_f64();
    assert!(seconds < 30.0, "50,000 rows took {seconds:.1} s");
    // Importing it again changes nothing and stores nothing twice.
    let again = import(&dir, &list);
    ok(&again);
    assert!(again.stdout.contains("50000 unchanged"), "{}", again.stdout);
}

#[test]
fn the_lifecycle_moves_one_step_at_a_time_and_submitting_needs_an_answer() {
    let (tmp, dir) = workspace();
    let control = project(&dir);
    ok(&import(
        &dir,
        &write(tmp.path(), "pbc.csv", first_list(&control).as_bytes()),
    ));
    bad(
        &set(&dir, "R-001", &["--status", "submitted"]),
        "request R-001 is open and cannot become submitted: next it can be in_progress",
    );
    bad(
        &set(&dir, "R-001", &["--status", "done"]),
        "unknown request status 'done'",
    );
    ok(&set(&dir, "R-001", &["--status", "in_progress"]));
    bad(
        &set(&dir, "R-001", &["--status", "submitted"]),
        "cannot be submitted without an answer",
    );
    ok(&set(
        &dir,
        "R-001",
        &["--status", "submitted", "--response", "See the IAM report."],
    ));
    bad(
        &set(&dir, "R-001", &["--status", "returned"]),
        "needs the auditor's comment",
    );
    ok(&set(
        &dir,
        "R-001",
        &[
            "--status",
            "returned",
            "--comment",
            "Covers only one account.",
        ],
    ));
    ok(&set(
        &dir,
        "R-001",
        &[
            "--status",
            "in_progress",
            "--owner",
            "Cy",
            "--due",
            "2027-03-01",
        ],
    ));
    let r = request(&dir, "R-001");
    assert_eq!(r["status"], "in_progress");
    assert_eq!(r["owner"], "Cy");
    assert_eq!(r["due"], "2027-03-01");
    assert_eq!(r["response"], "See the IAM report.");
    assert_eq!(r["comments"][0]["text"], "Covers only one account.");
    assert_eq!(r["comments"][0]["status"], "returned");
    bad(
        &set(&dir, "R-404", &["--status", "in_progress"]),
        "no request 'R-404'",
    );

    let filtered = lockstep(
        &dir,
        &[
            "request",
            "list",
            "--project",
            "Payments",
            "--status",
            "in_progress",
            "--json",
        ],
    );
    ok(&filtered);
    assert_eq!(filtered.json().as_array().unwrap().len(), 1);
}

#[test]
fn requests_are_answered_by_linking_and_attaching_and_files_stay_safe() {
    let (tmp, dir) = workspace();
    let control = project(&dir);
    ok(&import(
        &dir,
        &write(tmp.path(), "pbc.csv", first_list(&control).as_bytes()),
    ));
    let scan = write(tmp.path(), "scan.txt", b"scan output");
    ok(&lockstep(
        &dir,
        &[
            "evidence",
            "add",
            "--project",
            "Payments",
            "--control",
            &control,
            arg(&scan),
        ],
    ));
    ok(&lockstep(
        &dir,
        &[
            "request",
            "link",
            "--project",
            "Payments",
            "R-001",
            "--evidence",
            "1",
            "--control",
            &control,
        ],
    ));
    let linked = request(&dir, "R-001");
    assert_eq!(linked["evidence"][0], 1);
    assert!(
        linked["control_ids"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == control.as_str())
    );
    bad(
        &lockstep(
            &dir,
            &[
                "request",
                "link",
                "--project",
                "Payments",
                "R-001",
                "--evidence",
                "99",
            ],
        ),
        "no evidence with id 99",
    );

    // R-003 names a control of the project: the file becomes evidence of it.
    let rules = write(tmp.path(), "rules.txt", b"firewall rules");
    ok(&lockstep(
        &dir,
        &[
            "request",
            "attach",
            "--project",
            "Payments",
            "R-003",
            arg(&rules),
        ],
    ));
    let answered = request(&dir, "R-003");
    assert_eq!(answered["evidence"].as_array().unwrap().len(), 1);
    let evidence = lockstep(
        &dir,
        &[
            "evidence",
            "list",
            "--project",
            "Payments",
            "--control",
            &control,
            "--json",
        ],
    );
    ok(&evidence);
    assert_eq!(evidence.json().as_array().unwrap().len(), 2);

    // R-002 names no control of the project: the file belongs to the request alone.
    let tickets = write(tmp.path(), "tickets.csv", b"id,summary\n1,change\n");
    ok(&lockstep(
        &dir,
        &[
            "request",
            "attach",
            "--project",
            "Payments",
            "R-002",
            arg(&tickets),
        ],
    ));
    let own = request(&dir, "R-002");
    assert_eq!(own["files"][0]["file_name"], "tickets.csv");
    assert_eq!(own["evidence_count"], 1);

    ok(&lockstep(&dir, &["vault", "purge", "--yes"]));
    ok(&lockstep(&dir, &["verify"]));
    let sha = own["files"][0]["sha256"].as_str().unwrap();
    let blob = dir.join("vault/sha256").join(&sha[..2]).join(&sha[2..]);
    assert!(blob.is_file(), "a purge keeps a request's own file");
    let mut permissions = std::fs::metadata(&blob).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    permissions.set_readonly(false);
    std::fs::set_permissions(&blob, permissions).unwrap();
    std::fs::write(&blob, b"altered").unwrap();
    let run = lockstep(&dir, &["verify"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout
            .contains("file of request R-002 in project Payments"),
        "{}",
        run.stdout
    );
}

/// A workspace with three requests, two answered: R-001 with a response and linked
/// evidence, R-002 with a file of its own and a formula in its wording.
fn answered_workspace(tmp: &Path, dir: &Path) {
    let control = project(dir);
    let list = first_list(&control).replace("Change tickets", "=HYPERLINK(x) tickets");
    ok(&import(dir, &write(tmp, "pbc.csv", list.as_bytes())));
    let scan = write(tmp, "mfa report.txt", b"mfa status");
    ok(&lockstep(
        dir,
        &[
            "evidence",
            "add",
            "--project",
            "Payments",
            "--control",
            &control,
            arg(&scan),
        ],
    ));
    ok(&lockstep(
        dir,
        &[
            "request",
            "link",
            "--project",
            "Payments",
            "R-001",
            "--evidence",
            "1",
        ],
    ));
    ok(&set(
        dir,
        "R-001",
        &["--response", "Attached the MFA report."],
    ));
    let tickets = write(tmp, "tickets.csv", b"id\n1\n");
    ok(&lockstep(
        dir,
        &[
            "request",
            "attach",
            "--project",
            "Payments",
            "R-002",
            arg(&tickets),
        ],
    ));
}

#[test]
fn a_delivery_pack_holds_just_the_requests_asked_for_and_verifies() {
    let (tmp, dir) = workspace();
    answered_workspace(tmp.path(), &dir);
    let pack = tmp.path().join("delivery.zip");
    ok(&lockstep(
        &dir,
        &[
            "export",
            "--project",
            "Payments",
            "--requests",
            "R-001,r-002",
            "--out",
            arg(&pack),
        ],
    ));
    let entries = pack_entries(&pack);
    let names: Vec<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
    for name in [
        "index.html",
        "requests.csv",
        "requests/R-001 Population of IAM users with MFA status/response.txt",
        "requests/R-001 Population of IAM users with MFA status/mfa report.txt",
        "requests/R-002 =HYPERLINK(x) tickets for the period/tickets.csv",
        "manifest.json",
        "SHA256SUMS",
    ] {
        assert!(names.contains(&name), "no {name} in {names:?}");
    }
    assert!(
        !names
            .iter()
            .any(|n| n.starts_with("requests/R-003") || n.starts_with("evidence/")),
        "{names:?}"
    );
    assert_eq!(
        entry(
            &entries,
            "requests/R-001 Population of IAM users with MFA status/response.txt"
        ),
        "Attached the MFA report.\n"
    );
    let csv = entry(&entries, "requests.csv");
    assert!(
        csv.contains("'=HYPERLINK"),
        "a formula is neutralised: {csv}"
    );
    let manifest: Value = serde_json::from_str(entry(&entries, "manifest.json")).unwrap();
    assert_eq!(manifest["requests"], serde_json::json!(["R-001", "R-002"]));

    ok(&lockstep(&dir, &["verify-pack", arg(&pack)]));

    let unknown = lockstep(
        &dir,
        &[
            "export",
            "--project",
            "Payments",
            "--requests",
            "R-001,R-9,R-10",
            "--out",
            arg(&tmp.path().join("x.zip")),
        ],
    );
    bad(&unknown, "no request 'R-9', 'R-10'");
    assert!(!tmp.path().join("x.zip").exists());
}

#[test]
fn the_full_pack_gains_the_requests_table_sheet_and_section() {
    let (tmp, dir) = workspace();
    answered_workspace(tmp.path(), &dir);
    let pack = tmp.path().join("full.zip");
    ok(&lockstep(
        &dir,
        &["export", "--project", "Payments", "--out", arg(&pack)],
    ));
    let entries = pack_entries(&pack);
    let csv = entry(&entries, "requests.csv");
    assert!(csv.starts_with("request_id,request,"), "{csv}");
    assert!(csv.contains("R-003"));
    let html = entry(&entries, "index.html");
    assert!(html.contains("<section class=\"part\" id=\"requests\">"));
    assert!(html.contains("href=\"#requests\""));
    // R-001 links to its evidence where the pack files it, under its control.
    assert!(html.contains("href=\"evidence/customer/"), "{html}");
    assert!(
        entries
            .iter()
            .any(|(n, _)| n.starts_with("requests/R-002 ") && n.ends_with("/tickets.csv"))
    );
    let (_, workbook) = entries
        .iter()
        .find(|(n, _)| n == "evidence-pack.xlsx")
        .unwrap();
    let mut sheets = zip::ZipArchive::new(std::io::Cursor::new(workbook.clone())).unwrap();
    let mut listed = String::new();
    std::io::Read::read_to_string(&mut sheets.by_name("xl/workbook.xml").unwrap(), &mut listed)
        .unwrap();
    assert!(listed.contains("name=\"Requests\""), "{listed}");
    ok(&lockstep(&dir, &["verify-pack", arg(&pack)]));

    // The same workspace and as-of date give the same bytes.
    let again = tmp.path().join("again.zip");
    ok(&lockstep(
        &dir,
        &["export", "--project", "Payments", "--out", arg(&again)],
    ));
    assert_eq!(
        std::fs::read(&pack).unwrap(),
        std::fs::read(&again).unwrap()
    );
}

#[test]
fn a_list_imported_again_with_statuses_the_team_has_moved_past_keeps_the_team_s() {
    let (_tmp, dir) = workspace();
    project(&dir);
    let list = write(
        &dir,
        "list.csv",
        b"ID,Request,Status\nR-1,Population of IAM users,Open\nR-2,Firewall rules,Open\n",
    );
    ok(&import(&dir, &list));
    ok(&set(&dir, "R-1", &["--status", "in_progress"]));
    ok(&set(
        &dir,
        "R-1",
        &["--status", "submitted", "--response", "Attached."],
    ));
    // The auditor's copy still says Open for both, and R-2 jumps ahead to accepted.
    let again = write(
        &dir,
        "again.csv",
        b"ID,Request,Status\nR-1,Population of IAM users,Open\nR-2,Firewall rules,Accepted\n",
    );
    let run = import(&dir, &again);
    bad(&run, "line 3");
    assert!(!run.stderr.contains("line 2"), "{}", run.stderr);
    assert_eq!(request(&dir, "R-1")["status"], "submitted");
    assert_eq!(request(&dir, "R-2")["status"], "open");
}
