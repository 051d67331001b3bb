//! The evidence pack: its layout and every file in it, `sha256sum -c` inside the extracted
//! pack, byte-identical repeats, as-of snapshots, and every way an export is refused
//! without leaving a partial pack or changing the workspace.

use std::fs;
use std::io::Read;
use std::path::Path;

use crate::common::{lockstep, today, today_text, workspace};

const PROJECT: &str = "Payments";

/// A workspace with a project, evidence on two controls (one a PDF-named file, one text
/// with a hostile name), and a status change.
fn populated(dir: &Path) -> std::path::PathBuf {
    assert_eq!(
        lockstep(
            dir,
            &[
                "project",
                "create",
                PROJECT,
                "--services",
                "ec2,rds,s3",
                "--period-start",
                "2026-01-01",
                "--period-end",
                "2026-12-31"
            ]
        )
        .code,
        0
    );
    let files = dir.join("files");
    fs::create_dir_all(&files).unwrap();
    fs::write(files.join("iam-report.csv"), "user,mfa\nana,yes\n").unwrap();
    fs::write(files.join("soc2 report.pdf"), vec![7u8; 200_000]).unwrap();
    fs::write(files.join("<script>alert(1)<script>.txt"), "hostile name").unwrap();
    for (control, file) in [
        ("SRM-CUS-IAM-03", "iam-report.csv"),
        ("SRM-AWS-PE-01", "soc2 report.pdf"),
        ("SRM-CUS-IAM-03", "<script>alert(1)<script>.txt"),
    ] {
        let run = lockstep(
            dir,
            &[
                "evidence",
                "add",
                "--project",
                PROJECT,
                "--control",
                control,
                "--collected",
                "2026-11-01",
                files.join(file).to_str().unwrap(),
            ],
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    assert_eq!(
        lockstep(
            dir,
            &[
                "control",
                "set",
                "--project",
                PROJECT,
                "SRM-CUS-IAM-03",
                "--status",
                "implemented",
                "--owner",
                "Ana"
            ]
        )
        .code,
        0
    );
    files
}

fn entries(pack: &Path) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(fs::File::open(pack).unwrap()).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut entry = archive.by_index(i).unwrap();
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            (entry.name().unwrap().to_string(), bytes)
        })
        .collect()
}

fn export(dir: &Path, out: &Path, extra: &[&str]) -> crate::common::Run {
    let mut args = vec![
        "export",
        "--project",
        PROJECT,
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    lockstep(dir, &args)
}

#[test]
fn the_pack_holds_the_report_spreadsheets_evidence_manifest_and_checksums() {
    let (_tmp, dir) = workspace();
    let files = populated(&dir);
    let pack = dir.join("pack.zip");
    let today = today_text();
    let run = export(&dir, &pack, &["--as-of", &today]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let entries = entries(&pack);
    let names: Vec<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        &names[..10],
        [
            "index.html",
            "controls.csv",
            "evidence.csv",
            "training.csv",
            "patches.csv",
            "signoffs.csv",
            "activity.csv",
            "aws-reports.csv",
            "cuecs.csv",
            "evidence-pack.xlsx"
        ]
    );
    assert_eq!(names[names.len() - 2..], ["manifest.json", "SHA256SUMS"]);
    let evidence: Vec<&(String, Vec<u8>)> = entries
        .iter()
        .filter(|(n, _)| n.starts_with("evidence/"))
        .collect();
    assert_eq!(evidence.len(), 3);
    for (name, bytes) in &evidence {
        assert!(!name.contains(".."), "{name}");
        assert!(
            !name.contains('<') && !name.contains('>'),
            "unsafe name {name}"
        );
        let original = fs::read_dir(&files)
            .unwrap()
            .map(|e| fs::read(e.unwrap().path()).unwrap())
            .find(|content| content == bytes);
        assert!(
            original.is_some(),
            "{name} is not byte-identical to an attached file"
        );
    }
    assert!(
        names.contains(&"evidence/aws/SRM-AWS-PE-01 Data centre physical access/soc2 report.pdf")
    );

    // The manifest lists every file but itself and the checksums, with sizes and hashes.
    let manifest: serde_json::Value = serde_json::from_slice(
        &entries
            .iter()
            .find(|(n, _)| n == "manifest.json")
            .unwrap()
            .1,
    )
    .unwrap();
    assert_eq!(manifest["format_version"], 1);
    assert_eq!(manifest["project"], PROJECT);
    assert_eq!(manifest["as_of"], today.as_str());
    let listed = manifest["files"].as_array().unwrap();
    assert_eq!(listed.len(), entries.len() - 2);
    for file in listed {
        let (_, bytes) = entries
            .iter()
            .find(|(n, _)| n == file["path"].as_str().unwrap())
            .unwrap();
        assert_eq!(file["size_bytes"].as_u64().unwrap(), bytes.len() as u64);
        let digest = lockstep::model::hex(&<sha2::Sha256 as sha2::Digest>::digest(bytes));
        assert_eq!(file["sha256"], digest.as_str());
        if file["path"].as_str().unwrap().starts_with("evidence/") {
            assert!(file["evidence_id"].is_number() && file["control"].is_string());
        }
    }
    // SHA256SUMS covers every file but itself.
    let sums = String::from_utf8(entries.last().unwrap().1.clone()).unwrap();
    assert_eq!(sums.lines().count(), entries.len() - 1);
    assert!(sums.lines().all(|l| l.len() > 66 && &l[64..66] == "  "));

    // The report escapes hostile names and links the evidence.
    let html = String::from_utf8(entries[0].1.clone()).unwrap();
    assert!(!html.contains("<script>alert"));
    assert!(html.contains("&lt;script&gt;"));
    assert!(html.contains("href=\"evidence/"));
}

#[test]
fn sha256sum_passes_inside_the_extracted_pack() {
    let has = |tool: &str| {
        std::process::Command::new(tool)
            .arg("--version")
            .output()
            .is_ok()
    };
    if !has("sha256sum") {
        println!("skipped: sha256sum is not installed");
        return;
    }
    let (_tmp, dir) = workspace();
    populated(&dir);
    let pack = dir.join("pack.zip");
    assert_eq!(export(&dir, &pack, &[]).code, 0);
    let out = dir.join("extracted");
    for (name, bytes) in entries(&pack) {
        let path = out.join(&name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, bytes).unwrap();
    }
    let check = std::process::Command::new("sha256sum")
        .args(["-c", "SHA256SUMS"])
        .current_dir(&out)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
}

#[test]
fn the_same_workspace_and_as_of_give_the_same_bytes() {
    let (_tmp, dir) = workspace();
    populated(&dir);
    let (first, second) = (dir.join("one.zip"), dir.join("two.zip"));
    let today = today_text();
    assert_eq!(export(&dir, &first, &["--as-of", &today]).code, 0);
    assert_eq!(export(&dir, &second, &["--as-of", &today]).code, 0);
    assert_eq!(fs::read(&first).unwrap(), fs::read(&second).unwrap());
}

#[test]
fn an_earlier_as_of_shows_the_earlier_status_and_no_later_evidence() {
    let (_tmp, dir) = workspace();
    populated(&dir);
    let pack = dir.join("then.zip");
    // Everything above happened "today": a day before, nothing was attached yet and the
    // status was still not started.
    let yesterday = (today() - chrono::Days::new(1)).to_string();
    assert_eq!(export(&dir, &pack, &["--as-of", &yesterday]).code, 0);
    let entries = entries(&pack);
    assert!(!entries.iter().any(|(n, _)| n.starts_with("evidence/")));
    let controls = String::from_utf8(
        entries
            .iter()
            .find(|(n, _)| n == "controls.csv")
            .unwrap()
            .1
            .clone(),
    )
    .unwrap();
    let mfa = controls
        .lines()
        .find(|l| l.starts_with("SRM-CUS-IAM-03"))
        .unwrap();
    assert!(mfa.contains("not_started"), "{mfa}");
}

#[test]
fn an_altered_vault_file_stops_the_export_and_leaves_no_pack() {
    let (_tmp, dir) = workspace();
    populated(&dir);
    let blob = crate::common::files_under(&dir.join("vault/sha256"))
        .into_iter()
        .find(|p| fs::read(p).unwrap() == b"user,mfa\nana,yes\n")
        .unwrap();
    fs::write(&blob, "user,mfa\nana,no!\n").unwrap();
    let pack = dir.join("pack.zip");
    let run = export(&dir, &pack, &[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("iam-report.csv") && run.stderr.contains("altered"),
        "{}",
        run.stderr
    );
    assert!(!pack.exists());
    assert!(
        !fs::read_dir(&dir).unwrap().any(|e| e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .contains("partial"))
    );
}

#[test]
fn bad_targets_and_projects_are_refused_with_one_sentence() {
    let (_tmp, dir) = workspace();
    populated(&dir);
    let before = lockstep(&dir, &["log", "--project", PROJECT, "--json"]).stdout;

    let unknown = lockstep(
        &dir,
        &[
            "export",
            "--project",
            "Nope",
            "--out",
            dir.join("x.zip").to_str().unwrap(),
        ],
    );
    assert_eq!(unknown.code, 2);
    assert!(unknown.stderr.contains("Nope"));

    let missing_folder = export(&dir, &dir.join("no/such/folder/pack.zip"), &[]);
    assert_eq!(missing_folder.code, 2);
    assert!(
        missing_folder.stderr.contains("does not exist"),
        "{}",
        missing_folder.stderr
    );

    let existing = dir.join("exists.zip");
    fs::write(&existing, "keep me").unwrap();
    let refused = export(&dir, &existing, &[]);
    assert_eq!(refused.code, 2);
    assert!(refused.stderr.contains("--force"));
    assert_eq!(fs::read(&existing).unwrap(), b"keep me");
    assert_eq!(export(&dir, &existing, &["--force"]).code, 0);
    assert!(fs::read(&existing).unwrap().starts_with(b"PK"));

    let reversed = export(
        &dir,
        &dir.join("r.zip"),
        &["--from", "2026-12-01", "--to", "2026-01-01"],
    );
    assert_eq!(reversed.code, 2);
    let bad_date = export(&dir, &dir.join("d.zip"), &["--as-of", "2026-02-30"]);
    assert_eq!(bad_date.code, 2);

    for run in [&unknown, &missing_folder, &refused, &reversed, &bad_date] {
        assert!(!run.stderr.contains("panicked"));
    }
    // Exports change nothing in the workspace.
    assert_eq!(
        lockstep(&dir, &["log", "--project", PROJECT, "--json"]).stdout,
        before
    );
}

#[test]
fn verify_pack_accepts_a_fresh_export() {
    let (_tmp, dir) = workspace();
    populated(&dir);
    let pack = dir.join("pack.zip");
    assert_eq!(export(&dir, &pack, &[]).code, 0);
    let run = lockstep(&dir, &["verify-pack", pack.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

#[test]
fn a_cancelled_export_leaves_no_file_behind() {
    let (_tmp, dir) = workspace();
    populated(&dir);
    let workspace = crate::common::open_workspace(&dir);
    let project = workspace.store.project_by_name(PROJECT).unwrap();
    let data = lockstep::pack::collect(&workspace.store, project.key, today(), None).unwrap();
    let out = dir.join("out");
    fs::create_dir_all(&out).unwrap();
    let target = out.join("pack.zip");
    let cancel = std::sync::atomic::AtomicBool::new(false);
    // Cancel as soon as the first evidence bytes are on their way.
    let result = lockstep::pack::export(
        &data,
        &workspace.vault,
        &target,
        false,
        &cancel,
        &mut |progress| {
            if progress.files_done >= 8 {
                cancel.store(true, std::sync::atomic::Ordering::Relaxed);
            }
        },
    );
    assert!(
        matches!(result, Err(lockstep::pack::ExportError::Cancelled)),
        "{result:?}"
    );
    assert_eq!(
        fs::read_dir(&out).unwrap().count(),
        0,
        "a partial file was left behind"
    );
}

/// The id of a process that has ended.
fn dead_pid() -> u32 {
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    pid
}

#[test]
fn an_export_removes_partial_files_killed_exports_left_for_the_same_target() {
    let (tmp, dir) = workspace();
    populated(&dir);
    let pack = tmp.path().join("pack.zip");
    let dead = tmp.path().join(format!(".pack.zip.{}.partial", dead_pid()));
    // This test's own process is alive: an export it were running must be left alone.
    let live = tmp
        .path()
        .join(format!(".pack.zip.{}.partial", std::process::id()));
    let other_target = tmp
        .path()
        .join(format!(".other.zip.{}.partial", dead_pid()));
    for path in [&dead, &live, &other_target] {
        fs::write(path, vec![0u8; 4096]).unwrap();
    }
    let run = export(&dir, &pack, &[]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(!dead.exists(), "a dead export's partial file was left");
    assert!(live.exists(), "a running export's partial file was removed");
    assert!(
        other_target.exists(),
        "another target's partial file was removed"
    );
}

#[test]
fn a_failed_export_leaves_no_partial_file_and_names_only_the_target() {
    let (tmp, dir) = workspace();
    populated(&dir);
    let vault = dir.join("vault").join("sha256");
    for head in fs::read_dir(&vault).unwrap() {
        fs::remove_dir_all(head.unwrap().path()).unwrap();
    }
    let pack = tmp.path().join("pack.zip");
    let run = export(&dir, &pack, &[]);
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(run.stderr.lines().count(), 1, "{run:?}");
    assert!(run.stderr.contains("missing from the vault"), "{run:?}");
    assert!(!run.stderr.contains("partial"), "{run:?}");
    assert!(!run.stderr.contains("ZipWriter"), "{run:?}");
    assert!(!pack.exists());
    let left: Vec<String> = fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|name| name.ends_with(".partial"))
        .collect();
    assert_eq!(left, Vec::<String>::new());
}

#[test]
fn names_in_a_pack_lose_bidi_controls_that_could_disguise_an_extension() {
    let (tmp, dir) = workspace();
    populated(&dir);
    let disguised = tmp.path().join("invoice\u{202E}fdp.exe");
    fs::write(&disguised, "MZ not really a pdf").unwrap();
    let added = lockstep(
        &dir,
        &[
            "evidence",
            "add",
            "--project",
            PROJECT,
            "--control",
            "SRM-CUS-IAM-03",
            "--collected",
            "2026-11-01",
            disguised.to_str().unwrap(),
        ],
    );
    assert_eq!(added.code, 0, "{added:?}");
    let pack = tmp.path().join("pack.zip");
    assert_eq!(export(&dir, &pack, &[]).code, 0);
    let names: Vec<String> = entries(&pack).into_iter().map(|(name, _)| name).collect();
    assert!(
        names.iter().any(|name| name.ends_with("/invoicefdp.exe")),
        "{names:?}"
    );
    let bidi = |c: char| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    assert!(!names.iter().any(|name| name.contains(bidi)), "{names:?}");
    let sums = entries(&pack)
        .into_iter()
        .find(|(name, _)| name == "SHA256SUMS")
        .unwrap()
        .1;
    assert!(!String::from_utf8(sums).unwrap().contains(bidi));
}

/// Exports the populated workspace's pack to `target` through the library, copying the
/// vault's files with `method`.
fn export_with(
    dir: &Path,
    target: &Path,
    method: lockstep::vault::CopyMethod,
) -> Result<lockstep::pack::ExportSummary, lockstep::pack::ExportError> {
    let mut workspace = crate::common::open_workspace(dir);
    workspace.vault.set_copy_method(method);
    let project = workspace.store.project_by_name(PROJECT).unwrap();
    let data = lockstep::pack::collect(&workspace.store, project.key, today(), None).unwrap();
    lockstep::pack::export(
        &data,
        &workspace.vault,
        target,
        false,
        &std::sync::atomic::AtomicBool::new(false),
        &mut |_| {},
    )
}

/// Adds a stored file of several kernel copy steps with an odd tail, and returns its bytes.
fn add_big_pdf(dir: &Path, files: &Path) -> Vec<u8> {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let bytes: Vec<u8> = (0..(17 << 20) + 4_321)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 32) as u8
        })
        .collect();
    let path = files.join("big scan.pdf");
    fs::write(&path, &bytes).unwrap();
    let run = lockstep(
        dir,
        &[
            "evidence",
            "add",
            "--project",
            PROJECT,
            "--control",
            "SRM-AWS-PE-01",
            "--collected",
            "2026-11-01",
            path.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    bytes
}

#[test]
fn the_kernel_copy_and_the_portable_path_write_the_same_pack() {
    use lockstep::vault::CopyMethod;
    let (_tmp, dir) = workspace();
    let files = populated(&dir);
    let big = add_big_pdf(&dir, &files);
    let fastest = dir.join("fastest.zip");
    let portable = dir.join("portable.zip");
    export_with(&dir, &fastest, CopyMethod::Fastest).unwrap();
    export_with(&dir, &portable, CopyMethod::Portable).unwrap();
    assert!(
        fs::read(&fastest).unwrap() == fs::read(&portable).unwrap(),
        "the two packs differ"
    );
    let stored = entries(&fastest)
        .into_iter()
        .find(|(name, _)| name.ends_with("big scan.pdf"))
        .unwrap();
    assert!(stored.1 == big, "the stored entry differs from the file");
    // The zip reader checks each entry's CRC-32 as it reads it; verify-pack the SHA-256s.
    assert!(
        matches!(
            lockstep::pack::verify_pack(&fastest, &mut |_, _| {}),
            lockstep::pack::VerifyOutcome::Intact { .. }
        ),
        "the pack is not intact"
    );
}

#[test]
fn an_altered_stored_file_stops_the_export_on_either_path() {
    use lockstep::vault::CopyMethod;
    let (_tmp, dir) = workspace();
    populated(&dir);
    let blob = crate::common::files_under(&dir.join("vault/sha256"))
        .into_iter()
        .find(|p| fs::read(p).unwrap() == vec![7u8; 200_000])
        .unwrap();
    // Same size, one byte changed, so only the hash can tell.
    let mut altered = vec![7u8; 200_000];
    altered[123_456] = 8;
    fs::write(&blob, &altered).unwrap();
    for method in [CopyMethod::Fastest, CopyMethod::Portable] {
        let pack = dir.join("pack.zip");
        let result = export_with(&dir, &pack, method);
        assert!(
            matches!(
                &result,
                Err(lockstep::pack::ExportError::EvidenceAltered { file_name, .. })
                    if file_name == "soc2 report.pdf"
            ),
            "{method:?}: {result:?}"
        );
        assert!(!pack.exists());
        assert!(
            !fs::read_dir(&dir).unwrap().any(|e| e
                .unwrap()
                .file_name()
                .to_string_lossy()
                .contains("partial")),
            "{method:?} left a partial file"
        );
    }
}
