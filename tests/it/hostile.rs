//! Hostile and faulty input against the newer commands, through the real binary (issue 22):
//! files that are not regular files, a workbook whose one cell sits at its last column and
//! row, parameters that insert each other into gigabytes, repeated ids, the options of
//! allowed_signers lines, passwords in database URLs, formulas in the workbooks a pack
//! holds, partial files left by killed exports, and CSV quotes that never close.
//!
//! Each class is tried on every command it applies to; the contract is the README's: exit 2
//! with one sentence, nothing stored, nothing echoed, and never a hang or a crash.

use std::fs;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{Run, binary, lockstep, workspace};

/// The longest a refused command may take; a hang is a failure, not a wait.
const PATIENCE: Duration = Duration::from_secs(30);

/// Runs `lockstep --workspace DIR ARGS...` with `env`, killing it after [`PATIENCE`].
fn bounded(dir: &Path, args: &[&str], env: &[(&str, &Path)]) -> Run {
    let mut command = binary();
    command
        .arg("--workspace")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, value) in env {
        command.env(key, value);
    }
    let mut child = command.spawn().unwrap();
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let (mut stdout, mut stderr) = (String::new(), String::new());
            child
                .stdout
                .take()
                .unwrap()
                .read_to_string(&mut stdout)
                .unwrap();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut stderr)
                .unwrap();
            let code = status.code().unwrap_or_else(|| {
                panic!(
                    "`lockstep {}` was killed by a signal: {stderr}",
                    args.join(" ")
                )
            });
            return Run {
                code,
                stdout,
                stderr,
            };
        }
        if started.elapsed() > PATIENCE {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`lockstep {}` hung", args.join(" "));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Asserts exit 2 with one line on stderr that says `says`.
fn refused(run: &Run, says: &str, what: &str) {
    assert_eq!(
        run.code, 2,
        "{what}: stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    assert!(run.stderr.contains(says), "{what}: {}", run.stderr);
    assert_eq!(
        run.stderr.trim_end().lines().count(),
        1,
        "{what}: {}",
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{what}: {}", run.stderr);
}

fn ok(run: &Run) {
    assert_eq!(
        run.code, 0,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
}

fn arg(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path)
}

fn mkfifo(path: &Path) {
    let made = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(made.success(), "mkfifo {}", path.display());
}

/// A workspace with the small baseline imported, project "Gov" on it (for CRM imports), a
/// project "Payments" on the built-in set, and one AWS report (id 1, for CUEC imports).
fn prepared() -> (tempfile::TempDir, PathBuf) {
    let (tmp, dir) = workspace();
    ok(&lockstep(
        &dir,
        &[
            "profile",
            "import",
            arg(&fixture("baselines/small-baseline.json")),
        ],
    ));
    ok(&lockstep(
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
    ));
    ok(&lockstep(
        &dir,
        &["project", "create", "Payments", "--services", "ec2,s3"],
    ));
    let report = tmp.path().join("soc2.pdf");
    fs::write(&report, b"SOC 2 report").unwrap();
    ok(&lockstep(
        &dir,
        &[
            "aws-report",
            "add",
            arg(&report),
            "--kind",
            "soc2-type2",
            "--title",
            "AWS SOC 2 Type II",
            "--period-start",
            "2026-01-01",
            "--period-end",
            "2026-12-31",
            "--services",
            "ec2,s3",
        ],
    ));
    (tmp, dir)
}

/// Every command that reads a file a person names, with `FILE` where the file goes.
fn file_commands() -> Vec<Vec<&'static str>> {
    vec![
        vec!["catalog", "import", "FILE"],
        vec!["profile", "import", "FILE"],
        vec!["crm", "import", "--project", "Gov", "FILE"],
        vec!["request", "import", "--project", "Payments", "FILE"],
        vec!["cuec", "import", "--report", "1", "FILE"],
        vec!["person", "import", "FILE"],
        vec!["training", "import", "FILE"],
        vec!["patch", "import", "--project", "Payments", "FILE"],
        vec![
            "evidence",
            "add",
            "--project",
            "Payments",
            "--control",
            "SRM-CUS-IAM-03",
            "FILE",
        ],
        vec!["verify-pack", "FILE"],
    ]
}

fn with_file<'a>(command: &[&'a str], file: &'a str) -> Vec<&'a str> {
    command
        .iter()
        .map(|word| if *word == "FILE" { file } else { word })
        .collect()
}

/// How many rows the workspace's records hold in all, to see that a refusal stored nothing.
fn activity_rows(dir: &Path) -> i64 {
    crate::common::raw(dir)
        .query_row("SELECT count(*) FROM activity", [], |row| row.get(0))
        .unwrap()
}

#[test]
fn a_pipe_or_a_device_given_as_a_file_is_refused_at_once_by_every_command() {
    let (tmp, dir) = prepared();
    let before = activity_rows(&dir);
    for name in ["list.csv", "list.xlsx", "catalog.json"] {
        let pipe = tmp.path().join(name);
        mkfifo(&pipe);
        for command in file_commands() {
            let args = with_file(&command, arg(&pipe));
            let run = bounded(&dir, &args, &[]);
            let what = format!("{} on a pipe named {name}", command.join(" "));
            assert!(run.code == 2 || run.code == 1, "{what}: {}", run.stderr);
            let said = format!("{}{}", run.stderr, run.stdout);
            assert!(said.contains("named pipe"), "{what}: {said}");
        }
        fs::remove_file(&pipe).unwrap();
    }
    for command in file_commands() {
        let args = with_file(&command, "/dev/zero");
        let run = bounded(&dir, &args, &[]);
        let said = format!("{}{}", run.stderr, run.stdout);
        assert!(
            said.contains("device") || said.contains("not a regular file"),
            "{}: {said}",
            command.join(" ")
        );
    }
    assert_eq!(
        activity_rows(&dir),
        before,
        "a refused file changed the records"
    );
}

#[test]
fn a_pipe_as_signers_or_signing_key_is_refused_without_waiting_for_a_writer() {
    let (tmp, dir) = prepared();
    let config = tmp.path().join("config");
    let pipe = tmp.path().join("allowed_signers");
    mkfifo(&pipe);
    let pack = tmp.path().join("pack.zip");
    let env = [("LOCKSTEP_CONFIG_DIR", config.as_path())];
    ok(&bounded(
        &dir,
        &["export", "--project", "Payments", "--out", arg(&pack)],
        &env,
    ));
    let run = bounded(
        &dir,
        &["verify-pack", arg(&pack), "--signers", arg(&pipe)],
        &env,
    );
    refused(&run, "named pipe", "verify-pack --signers");
    let signed = tmp.path().join("signed.zip");
    let run = bounded(
        &dir,
        &[
            "export",
            "--project",
            "Payments",
            "--out",
            arg(&signed),
            "--sign-key",
            arg(&pipe),
        ],
        &env,
    );
    refused(&run, "named pipe", "export --sign-key");
    assert!(!signed.exists(), "a pack was written without its signature");
    let run = bounded(
        &dir,
        &[
            "export",
            "--project",
            "Payments",
            "--out",
            arg(&signed),
            "--sign-key",
            "/dev/zero",
        ],
        &env,
    );
    refused(&run, "device", "export --sign-key /dev/zero");
}

/// A workbook with `cells` on its first sheet, named `sheet`.
fn workbook(path: &Path, sheet: &str, cells: &[(u32, u16, &str)]) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let page = book.add_worksheet();
    page.set_name(sheet).unwrap();
    for (row, col, text) in cells {
        page.write_string(*row, *col, *text).unwrap();
    }
    book.save(path).unwrap();
}

#[test]
fn a_workbook_with_a_cell_at_its_last_row_and_column_is_refused_not_allocated() {
    let (tmp, dir) = prepared();
    let before = activity_rows(&dir);
    let far = tmp.path().join("far.xlsx");
    workbook(
        &far,
        "CRM",
        &[
            (0, 0, "Control ID"),
            (0, 1, "Can Be Inherited from CSP"),
            (
                0,
                2,
                "Specific Inheritance and Customer Agency/CSP Responsibilities",
            ),
            (1, 0, "AC-1"),
            (1_048_575, 16_383, "x"),
        ],
    );
    assert!(fs::metadata(&far).unwrap().len() < 20_000);
    for command in [
        vec!["crm", "import", "--project", "Gov", arg(&far)],
        vec!["request", "import", "--project", "Payments", arg(&far)],
    ] {
        let run = bounded(&dir, &command, &[]);
        refused(&run, "column XFD", &command.join(" "));
    }
    assert_eq!(activity_rows(&dir), before);

    // Far but within bounds, the sheet still imports, read cell by cell.
    let sparse = tmp.path().join("sparse.xlsx");
    workbook(
        &sparse,
        "Requests",
        &[
            (0, 0, "ID"),
            (0, 1, "Request"),
            (1, 0, "R-1"),
            (1, 1, "Provide the access policy"),
            (900_000, 0, "R-2"),
            (900_000, 1, "Provide the user list"),
        ],
    );
    let run = bounded(
        &dir,
        &["request", "import", "--project", "Payments", arg(&sparse)],
        &[],
    );
    ok(&run);
    assert!(run.stdout.contains("2 of 2"), "{}", run.stdout);
}

/// A catalog whose one control's statement inserts `p0`, and whose parameter `pN` offers a
/// choice inserting `pN+1` `breadth` times, `depth` levels down.
fn exploding_catalog(depth: usize, breadth: usize) -> String {
    let params: Vec<serde_json::Value> = (0..=depth)
        .map(|level| {
            if level == depth {
                serde_json::json!({ "id": format!("p{level}"), "label": "the end" })
            } else {
                let insert = format!("{{{{ insert: param, p{} }}}} ", level + 1);
                serde_json::json!({
                    "id": format!("p{level}"),
                    "select": { "choice": [insert.repeat(breadth)] }
                })
            }
        })
        .collect();
    serde_json::json!({
        "catalog": {
            "uuid": "6c0c4c9c-4a4e-4c64-9d1b-0000000000b1",
            "metadata": { "title": "Breadth", "last-modified": "2026-11-01T00:00:00Z",
                          "version": "1", "oscal-version": "1.1.3" },
            "groups": [{ "id": "xx", "title": "Explosive", "controls": [{
                "id": "xx-1", "title": "Boom", "params": params,
                "parts": [{ "id": "xx-1_smt", "name": "statement",
                            "prose": "Do {{ insert: param, p0 }}." }]
            }]}]
        }
    })
    .to_string()
}

fn profile_of(catalog: &str) -> String {
    serde_json::json!({
        "profile": {
            "uuid": "6c0c4c9c-4a4e-4c64-9d1b-0000000000b2",
            "metadata": { "title": "Breadth baseline", "last-modified": "2026-11-01T00:00:00Z",
                          "version": "1", "oscal-version": "1.1.3" },
            "imports": [{ "href": catalog, "include-all": {} }]
        }
    })
    .to_string()
}

#[test]
fn parameters_that_insert_each_other_into_gigabytes_are_refused_naming_the_control() {
    let (tmp, dir) = workspace();
    let catalog = tmp.path().join("breadth.json");
    let text = exploding_catalog(5, 200);
    assert!(text.len() < 60_000, "{}", text.len());
    fs::write(&catalog, &text).unwrap();
    let profile = tmp.path().join("breadth-profile.json");
    fs::write(&profile, profile_of("breadth.json")).unwrap();
    let run = bounded(&dir, &["profile", "import", arg(&profile)], &[]);
    refused(&run, "control XX-1", "profile import");
    assert!(
        run.stderr.contains("parameters are filled in"),
        "{}",
        run.stderr
    );

    // Imported as a catalog first, the profile naming it by name is refused the same way.
    let imported = bounded(&dir, &["catalog", "import", arg(&catalog)], &[]);
    if imported.code == 0 {
        let run = bounded(&dir, &["profile", "import", arg(&profile)], &[]);
        refused(&run, "control XX-1", "profile import after catalog import");
    } else {
        refused(&imported, "XX-1", "catalog import");
    }

    // A modest nesting still renders.
    fs::write(&catalog, exploding_catalog(2, 3)).unwrap();
    let fine = tmp.path().join("fine-profile.json");
    fs::write(&fine, profile_of("breadth.json")).unwrap();
    let (_tmp2, other) = workspace();
    ok(&bounded(&other, &["profile", "import", arg(&fine)], &[]));
}

#[test]
fn a_catalog_that_repeats_control_part_or_parameter_ids_is_refused_naming_them() {
    let (tmp, dir) = workspace();
    let base: serde_json::Value =
        serde_json::from_slice(&fs::read(fixture("oscal/small-catalog.json")).unwrap()).unwrap();
    type Change = fn(&mut serde_json::Value);
    let cases: [(&str, Change); 3] = [
        ("control ac-1", |c| {
            let controls = &mut c["catalog"]["groups"][0]["controls"];
            let first = controls[0].clone();
            controls.as_array_mut().unwrap().push(first);
        }),
        ("part ac-1_smt", |c| {
            let parts = &mut c["catalog"]["groups"][0]["controls"][0]["parts"];
            let first = parts[0].clone();
            parts.as_array_mut().unwrap().push(first);
        }),
        ("parameter ac-1_prm_1", |c| {
            let params = &mut c["catalog"]["groups"][0]["controls"][0]["params"];
            let first = params[0].clone();
            params.as_array_mut().unwrap().push(first);
        }),
    ];
    for (says, change) in cases {
        let mut catalog = base.clone();
        change(&mut catalog);
        let path = tmp.path().join("repeated.json");
        fs::write(&path, catalog.to_string()).unwrap();
        let run = bounded(&dir, &["catalog", "import", arg(&path)], &[]);
        refused(&run, says, "catalog import");
        assert!(run.stderr.contains("repeats"), "{}", run.stderr);
        // A profile reading the same file is refused with the same sentence, never a
        // database message.
        let profile = tmp.path().join("profile.json");
        fs::write(&profile, profile_of("repeated.json")).unwrap();
        let run = bounded(&dir, &["profile", "import", arg(&profile)], &[]);
        refused(&run, says, "profile import");
        assert!(!run.stderr.contains("UNIQUE"), "{}", run.stderr);
    }
    let listed = lockstep(&dir, &["catalog", "list", "--json"]);
    ok(&listed);
    assert_eq!(listed.stdout.trim(), "[]", "{}", listed.stdout);
}

#[test]
fn an_unclosed_quote_is_refused_with_its_line_by_every_csv_reader() {
    let (tmp, dir) = prepared();
    let before = activity_rows(&dir);
    let cases: [(&str, Vec<&str>, &str); 6] = [
        (
            "requests.csv",
            vec!["request", "import", "--project", "Payments"],
            "ID,Request\nR-1,\"Provide the access policy\nR-2,Provide the user list\nR-3,Third\n",
        ),
        (
            "crm.csv",
            vec!["crm", "import", "--project", "Gov"],
            "Control ID,Can Be Inherited from CSP,Specific Inheritance and Customer Agency/CSP Responsibilities\nAC-1,\"Yes,x\nAC-2,No,y\n",
        ),
        (
            "cuecs.csv",
            vec!["cuec", "import", "--report", "1"],
            "cuec\n\"Customers restrict access\nCustomers rotate keys\n",
        ),
        (
            "people.csv",
            vec!["person", "import"],
            "name,email\n\"Ana,ana@example.com\nBen,ben@example.com\n",
        ),
        (
            "patches.csv",
            vec!["patch", "import", "--project", "Payments"],
            "asset,advisory,severity,released_on\n\"web-1,CVE-1,high,2026-01-01\nweb-2,CVE-2,low,2026-01-01\n",
        ),
        (
            // Closed later, in the wrong place: the rows between would be glued together.
            "glued.csv",
            vec!["request", "import", "--project", "Payments"],
            "ID,Request\nR-1,\"Provide the access policy\nR-2,\"Provide the user list\"\nR-3,Third\n",
        ),
    ];
    for (name, command, content) in cases {
        let path = tmp.path().join(name);
        fs::write(&path, content).unwrap();
        let mut args = command.clone();
        args.push(arg(&path));
        let run = bounded(&dir, &args, &[]);
        refused(&run, "line 2", &args.join(" "));
        assert!(run.stderr.contains("quote"), "{}", run.stderr);
    }
    assert_eq!(
        activity_rows(&dir),
        before,
        "a refused file changed the records"
    );
}

#[test]
fn formulas_from_an_imported_crm_are_neutralised_in_every_workbook_the_pack_holds() {
    let (tmp, dir) = prepared();
    let crm = tmp.path().join("crm.csv");
    fs::write(
        &crm,
        "Control ID,Can Be Inherited from CSP,Specific Inheritance and Customer Agency/CSP Responsibilities\n\
         CA-2,Partial,\"=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\"\n\
         PL-2,Partial,+cmd|' /C calc'!A0\n\
         AU-2,Partial,@SUM(1+1)\n",
    )
    .unwrap();
    ok(&lockstep(
        &dir,
        &["crm", "import", "--project", "Gov", arg(&crm)],
    ));
    let out = tmp.path().join("oscal");
    ok(&lockstep(
        &dir,
        &["export-oscal", "--project", "Gov", "--out", arg(&out)],
    ));
    let pack = tmp.path().join("pack.zip");
    ok(&lockstep(
        &dir,
        &["export", "--project", "Gov", "--out", arg(&pack)],
    ));
    let mut archive = zip::ZipArchive::new(fs::File::open(&pack).unwrap()).unwrap();
    let mut workbooks = vec![(
        "export-oscal crm.xlsx".to_string(),
        fs::read(out.join("crm.xlsx")).unwrap(),
    )];
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).unwrap();
        let name = entry.name().unwrap().to_string();
        if name.ends_with(".xlsx") {
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            workbooks.push((name, bytes));
        }
    }
    assert!(
        workbooks.iter().any(|(n, _)| n.ends_with("oscal/crm.xlsx")),
        "{workbooks:?}"
    );
    let mut seen = 0;
    for (name, bytes) in &workbooks {
        use calamine::Reader as _;
        let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes.clone())).unwrap();
        for sheet in book.sheet_names() {
            let range = book.worksheet_range(&sheet).unwrap();
            for cell in range.used_cells() {
                let text = cell.2.to_string();
                assert!(
                    !text.starts_with(['=', '+', '@']),
                    "{name} {sheet}: a cell starts as a formula: {text}"
                );
                if text.contains("HYPERLINK") || text.contains("calc") || text.contains("SUM(") {
                    assert!(text.starts_with('\''), "{name} {sheet}: {text}");
                    seen += 1;
                }
            }
        }
    }
    assert!(seen >= 3, "the CRM's texts are not in the workbooks");

    // The CRM exported reads back as it was imported.
    let again = lockstep(
        &dir,
        &[
            "crm",
            "import",
            "--project",
            "Gov",
            arg(&out.join("crm.xlsx")),
        ],
    );
    ok(&again);
    let out_again = tmp.path().join("oscal-again");
    ok(&lockstep(
        &dir,
        &["export-oscal", "--project", "Gov", "--out", arg(&out_again)],
    ));
    assert_eq!(
        fs::read(out.join("crm.xlsx")).unwrap(),
        fs::read(out_again.join("crm.xlsx")).unwrap(),
        "a CRM exported, imported and exported again changed"
    );
}

/// A process id that was just in use and no longer is.
fn dead_pid() -> u32 {
    let mut child = Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    pid
}

#[test]
fn partial_files_of_killed_oscal_exports_are_removed_by_the_next_export() {
    let (tmp, dir) = prepared();
    let out = tmp.path().join("oscal");
    fs::create_dir_all(&out).unwrap();
    let pid = dead_pid();
    let names = ["ssp.json", "component-definition.json", "crm.xlsx"];
    for name in names {
        fs::write(out.join(format!(".{name}.{pid}.partial")), b"half").unwrap();
    }
    // A partial of a live process (this test) is left alone.
    let live = out.join(format!(".ssp.json.{}.partial", std::process::id()));
    fs::write(&live, b"in use").unwrap();
    ok(&lockstep(
        &dir,
        &["export-oscal", "--project", "Gov", "--out", arg(&out)],
    ));
    let mut left: Vec<String> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    let mut expected = vec![
        format!(".ssp.json.{}.partial", std::process::id()),
        "component-definition.json".to_string(),
        "crm.xlsx".to_string(),
        "resolved-profile-catalog.json".to_string(),
        "ssp.json".to_string(),
    ];
    expected.sort();
    assert_eq!(left, expected);
}

#[test]
fn a_password_in_a_database_url_is_never_echoed_or_kept() {
    let secret = "Sup3r-s3cret";
    let cases = [
        format!("postgres://ana:{secret}@127.0.0.1:1/audit?sslmode=bogus"),
        format!("postgres://ana@127.0.0.1:1/audit?password={secret}&sslmode=bogus"),
        format!("postgres://ana@127.0.0.1:1/audit?sslmode=bogus&password={secret}"),
        format!("postgres://ana@127.0.0.1:1/audit?password={secret}"),
        format!("postgres://ana:{secret}@127.0.0.1:1/audit"),
        format!("host=127.0.0.1 port=1 user=ana password={secret} sslmode=bogus"),
        format!("host=127.0.0.1 password='{secret} x' dbname=audit"),
        format!("postgresql://ana:{secret}@/audit?host=/nowhere&sslmode=require"),
        format!("postgres://ana:{secret}@[::1:1/audit"),
    ];
    for url in &cases {
        let (_tmp, dir) = workspace();
        let run = bounded(
            &dir,
            &[
                "workspace",
                "connect",
                "--database",
                url,
                "--vault",
                "s3://bucket/prefix",
                "--endpoint",
                "http://127.0.0.1:1",
                "--region",
                "us-east-1",
            ],
            &[],
        );
        assert_eq!(run.code, 2, "{url}: {}{}", run.stdout, run.stderr);
        let said = format!("{}{}", run.stdout, run.stderr);
        assert!(
            !said.contains(secret) && !said.contains("3cret"),
            "{url}: {said}"
        );
        assert!(!dir.join("workspace.toml").exists(), "{url}");
        // Nor in any file the command left, its log included.
        if dir.exists() {
            for file in crate::common::files_under(&dir) {
                let bytes = fs::read(&file).unwrap_or_default();
                assert!(
                    !String::from_utf8_lossy(&bytes).contains(secret),
                    "{url}: {} holds the password",
                    file.display()
                );
            }
        }
    }
}

#[test]
fn allowed_signers_options_are_applied_as_openssh_applies_them() {
    let (tmp, dir) = workspace();
    let config = tmp.path().join("config");
    let env = [("LOCKSTEP_CONFIG_DIR", config.as_path())];
    ok(&bounded(
        &dir,
        &["project", "create", "Payments", "--services", "ec2"],
        &env,
    ));
    ok(&bounded(
        &dir,
        &["key", "create", "--signer", "ada@example.com"],
        &env,
    ));
    let pack = tmp.path().join("pack.zip");
    ok(&bounded(
        &dir,
        &[
            "export",
            "--project",
            "Payments",
            "--out",
            arg(&pack),
            "--sign",
        ],
        &env,
    ));
    let shown = bounded(&dir, &["key", "show", "--json"], &env);
    ok(&shown);
    let public: serde_json::Value = serde_json::from_str(&shown.stdout).unwrap();
    let public = public["public_line"].as_str().unwrap().to_string();
    let key: Vec<&str> = public.split_whitespace().take(2).collect();
    let key = key.join(" ");

    // (principals, options, accepted)
    let cases = [
        ("ada@example.com", "namespaces=\"git,lockstep-pack\"", true),
        (
            "ada@example.com",
            "namespaces=\"git, lockstep-pack\"",
            false,
        ),
        ("ada@example.com", "NAMESPACES=\"lock*\"", true),
        ("ada@example.com", "namespaces=\"*,!lockstep-pack\"", false),
        ("ada@example.com", "valid-before=\"20000101\"", false),
        ("ada@example.com", "valid-after=\"29990101\"", false),
        (
            "ada@example.com",
            "valid-after=\"20000101\",valid-before=\"29990101Z\"",
            true,
        ),
        ("ada@example.com", "valid-after=\"202001011230\"", true),
        ("ada@example.com", "cert-authority", false),
        ("*@example.com", "", true),
        ("bob@example.com,a?a@example.*", "", true),
        ("*,!ada@example.com", "", false),
        ("bob@example.com", "", false),
        ("\"ada@example.com\"", "", true),
    ];
    let trusted = tmp.path().join("trusted_signers");
    let openssh = crate::sign::has_ssh_keygen();
    if !openssh {
        eprintln!("ssh-keygen is not installed: the cases are checked without comparing with it");
    }
    for (principals, options, accepted) in cases {
        let line = format!("{principals} {options} {key}\n");
        fs::write(&trusted, &line).unwrap();
        let run = bounded(
            &dir,
            &["verify-pack", arg(&pack), "--signers", arg(&trusted)],
            &env,
        );
        assert_eq!(
            run.code == 0,
            accepted,
            "{line}: {}{}",
            run.stdout,
            run.stderr
        );
        if accepted {
            assert!(
                run.stdout.contains("signed by ada@example.com"),
                "{line}: {}",
                run.stdout
            );
        } else {
            assert!(run.code == 1 || run.code == 2, "{line}: {}", run.stderr);
            assert!(
                !run.stdout.contains("signed by ada@example.com with"),
                "{line}: {}",
                run.stdout
            );
        }
        if openssh {
            assert_eq!(
                ssh_keygen_accepts(&pack, &trusted, tmp.path()),
                accepted,
                "ssh-keygen disagrees on {line}"
            );
        }
    }
    fs::write(&trusted, format!("ada@example.com cert-authority {key}\n")).unwrap();
    let run = bounded(
        &dir,
        &["verify-pack", arg(&pack), "--signers", arg(&trusted)],
        &env,
    );
    assert!(run.stdout.contains("cert-authority"), "{}", run.stdout);
    fs::write(
        &trusted,
        format!("ada@example.com valid-before=\"20000101\" {key}\n"),
    )
    .unwrap();
    let run = bounded(
        &dir,
        &["verify-pack", arg(&pack), "--signers", arg(&trusted)],
        &env,
    );
    assert!(run.stdout.contains("expired"), "{}", run.stdout);
    fs::write(&trusted, format!("ada@example.com no-such-option {key}\n")).unwrap();
    let run = bounded(
        &dir,
        &["verify-pack", arg(&pack), "--signers", arg(&trusted)],
        &env,
    );
    refused(&run, "line 1", "an unknown option");
}

/// Whether `ssh-keygen -Y verify` accepts the pack's signature with `trusted`, as the README
/// tells an auditor to run it.
fn ssh_keygen_accepts(pack: &Path, trusted: &Path, scratch: &Path) -> bool {
    let mut archive = zip::ZipArchive::new(fs::File::open(pack).unwrap()).unwrap();
    let mut read = |name: &str| {
        let mut bytes = Vec::new();
        archive
            .by_name(name)
            .unwrap()
            .read_to_end(&mut bytes)
            .unwrap();
        bytes
    };
    let sums = read("SHA256SUMS");
    let signature = scratch.join("SHA256SUMS.sig");
    fs::write(&signature, read("SHA256SUMS.sig")).unwrap();
    let mut child = Command::new("ssh-keygen")
        .args(["-Y", "verify", "-f"])
        .arg(trusted)
        .args(["-I", "ada@example.com", "-n", "lockstep-pack", "-s"])
        .arg(&signature)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&sums).unwrap();
    child.wait().unwrap().success()
}

#[test]
fn a_read_only_login_is_refused_before_any_file_reaches_the_bucket() {
    crate::require_servers!();
    use crate::servers::{PG_PASSWORD, s3_credentials};
    use crate::team::{connect, member, member_with, team_servers};
    use lockstep::vault::s3::S3Vault;

    let (url, location) = team_servers();
    let (tmp, admin) = workspace();
    ok(&connect(&admin, &url, &location));
    ok(&member(&admin, &["workspace", "init-roles"]));
    ok(&member(
        &admin,
        &["project", "create", "Payments", "--services", "ec2,s3"],
    ));
    let list = tmp.path().join("requests.csv");
    fs::write(&list, "ID,Request\nR-1,Provide the access policy\n").unwrap();
    ok(&member(
        &admin,
        &["request", "import", "--project", "Payments", arg(&list)],
    ));

    let reader = format!("reader_{}", std::process::id());
    let mut owner = postgres::Client::connect(
        &url.replace("lockstep@", &format!("lockstep:{PG_PASSWORD}@")),
        postgres::NoTls,
    )
    .unwrap();
    owner
        .batch_execute(&format!(
            "CREATE ROLE {reader} LOGIN PASSWORD 'reader-pw' IN ROLE lockstep_reader;"
        ))
        .unwrap();
    let auditor = tmp.path().join("auditor");
    let endpoint = location.endpoint.clone().unwrap();
    ok(&member_with(
        &auditor,
        "reader-pw",
        &[
            "workspace",
            "connect",
            "--database",
            &url.replace("lockstep@", &format!("{reader}@")),
            "--vault",
            &location.url(),
            "--endpoint",
            &endpoint,
        ],
    ));

    let bucket = S3Vault::unchecked(location.clone(), s3_credentials()).unwrap();
    let objects = || bucket.client().list("").unwrap().len();
    let before = objects();
    let file = tmp.path().join("config-export.json");
    fs::write(&file, format!("{{\"unique\": {}}}", std::process::id())).unwrap();
    let attempts: [Vec<&str>; 4] = [
        vec![
            "evidence",
            "add",
            "--project",
            "Payments",
            "--control",
            "SRM-CUS-IAM-03",
            arg(&file),
        ],
        vec![
            "aws-report",
            "add",
            arg(&file),
            "--kind",
            "soc2-type2",
            "--title",
            "AWS SOC 2",
            "--period-start",
            "2026-01-01",
            "--period-end",
            "2026-12-31",
            "--services",
            "ec2",
        ],
        vec![
            "request",
            "attach",
            "--project",
            "Payments",
            "R-1",
            arg(&file),
        ],
        vec![
            "patch",
            "record",
            "--project",
            "Payments",
            "--asset",
            "web-1",
            "--advisory",
            "CVE-2026-0001",
            "--severity",
            "high",
            "--released",
            "2026-11-01",
            "--evidence",
            arg(&file),
        ],
    ];
    for args in attempts {
        let run = member_with(&auditor, "reader-pw", &args);
        assert_eq!(
            run.code,
            2,
            "{}: {}{}",
            args.join(" "),
            run.stdout,
            run.stderr
        );
        assert!(
            run.stderr.contains("read-only access") || run.stderr.contains("no such"),
            "{}: {}",
            args.join(" "),
            run.stderr
        );
        assert_eq!(
            objects(),
            before,
            "{} left a file in the bucket",
            args.join(" ")
        );
    }
}

#[test]
fn a_reader_that_closed_the_pipe_ends_every_printing_command_quietly() {
    let (tmp, dir) = prepared();
    let config = tmp.path().join("config");
    ok(&bounded(
        &dir,
        &["key", "create", "--signer", "ada@example.com"],
        &[("LOCKSTEP_CONFIG_DIR", config.as_path())],
    ));
    let pack = tmp.path().join("pack.zip");
    ok(&lockstep(
        &dir,
        &["export", "--project", "Payments", "--out", arg(&pack)],
    ));
    let oscal = tmp.path().join("oscal");
    let commands: Vec<Vec<&str>> = vec![
        vec!["services"],
        vec!["project", "list"],
        vec!["control", "list", "--project", "Payments"],
        vec!["control", "show", "--project", "Payments", "SRM-CUS-IAM-03"],
        vec!["control", "show", "--project", "Gov", "AC-2(1)"],
        vec!["evidence", "list", "--project", "Payments"],
        vec!["person", "list"],
        vec!["training", "status"],
        vec!["patch", "status", "--project", "Payments"],
        vec!["aws-report", "list"],
        vec!["cuec", "list", "--project", "Payments"],
        vec!["request", "list", "--project", "Payments"],
        vec!["catalog", "list"],
        vec!["profile", "list"],
        vec!["log", "--project", "Payments"],
        vec!["settings", "show"],
        vec!["verify"],
        vec!["key", "show"],
        vec!["verify-pack", arg(&pack)],
        vec!["export-oscal", "--project", "Gov", "--out", arg(&oscal)],
    ];
    for args in commands {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let output = binary()
            .env("LOCKSTEP_CONFIG_DIR", &config)
            .arg("--workspace")
            .arg(&dir)
            .args(&args)
            .stdin(Stdio::null())
            .stdout(writer)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked"), "{}: {stderr}", args.join(" "));
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}: {stderr}",
            args.join(" ")
        );
    }
}
