//! Signed evidence packs (issue 11): `lockstep key create`, `export --sign` and
//! `--sign-key`, byte-identical signed packs, `verify-pack` with and without `--signers`,
//! swapped signatures and allowed_signers, keys that cannot sign, and the auditor's own
//! check with the system's `ssh-keygen -Y verify`.

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use lockstep::sign::SigningKey;

use crate::common::{Run, binary, run, workspace};

const PROJECT: &str = "Payments";
const SIGNER: &str = "ada@example.com";

/// Runs `lockstep --workspace DIR ARGS...` with its config folder in `config`.
fn lockstep(dir: &Path, config: &Path, args: &[&str]) -> Run {
    let mut command = binary();
    command
        .env("LOCKSTEP_CONFIG_DIR", config)
        .arg("--workspace")
        .arg(dir)
        .args(args);
    run(command)
}

/// A workspace with a project and one file of evidence, and a config folder with a key.
fn signed_setup() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let (tmp, dir) = workspace();
    let config = tmp.path().join("config");
    let made = lockstep(
        &dir,
        &config,
        &["project", "create", PROJECT, "--services", "ec2,s3"],
    );
    assert_eq!(made.code, 0, "{}", made.stderr);
    let file = tmp.path().join("iam-report.csv");
    fs::write(&file, "user,mfa\nana,yes\n").unwrap();
    let added = lockstep(
        &dir,
        &config,
        &[
            "evidence",
            "add",
            "--project",
            PROJECT,
            "--control",
            "SRM-CUS-IAM-03",
            "--collected",
            "2026-11-01",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(added.code, 0, "{}", added.stderr);
    let key = lockstep(&dir, &config, &["key", "create", "--signer", SIGNER]);
    assert_eq!(key.code, 0, "{}", key.stderr);
    (tmp, dir, config)
}

fn export(dir: &Path, config: &Path, out: &Path, extra: &[&str]) -> Run {
    let mut args = vec![
        "export",
        "--project",
        PROJECT,
        "--out",
        out.to_str().unwrap(),
        "--as-of",
        "2026-11-28",
    ];
    args.extend_from_slice(extra);
    lockstep(dir, config, &args)
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

fn entry(pack: &Path, name: &str) -> Vec<u8> {
    entries(pack)
        .into_iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("{name} is not in the pack"))
        .1
}

/// Writes a copy of `pack` with `replace` entries swapped in (or added).
fn rewrite(pack: &Path, out: &Path, replace: &[(&str, Vec<u8>)]) {
    let mut writer = zip::ZipWriter::new(fs::File::create(out).unwrap());
    let mut seen = Vec::new();
    for (name, bytes) in entries(pack) {
        let bytes = match replace.iter().find(|(n, _)| *n == name) {
            Some((n, new)) => {
                seen.push(*n);
                new.clone()
            }
            None => bytes,
        };
        writer
            .start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        writer.write_all(&bytes).unwrap();
    }
    for (name, bytes) in replace.iter().filter(|(n, _)| !seen.contains(n)) {
        writer
            .start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.finish().unwrap();
}

fn verify_pack(pack: &Path, extra: &[&str]) -> Run {
    let mut command = binary();
    command.arg("verify-pack").arg(pack).args(extra);
    run(command)
}

/// Whether OpenSSH's `ssh-keygen` is here to check packs with.
pub(crate) fn has_ssh_keygen() -> bool {
    Command::new("ssh-keygen")
        .arg("-?")
        .output()
        .is_ok_and(|out| !out.stderr.is_empty() || out.status.success())
}

#[test]
fn key_create_keeps_an_owner_only_key_in_the_config_folder_and_never_replaces_it() {
    let (_tmp, dir, config) = signed_setup();
    let key = config.join("signing_key");
    assert!(
        fs::read_to_string(&key)
            .unwrap()
            .starts_with("-----BEGIN OPENSSH PRIVATE KEY-----")
    );
    assert!(!dir.join("signing_key").exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(
            fs::metadata(&key).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(
            fs::metadata(&config).unwrap().permissions().mode() & 0o777,
            0o700
        );
    }
    let before = fs::read(&key).unwrap();
    let again = lockstep(&dir, &config, &["key", "create", "--signer", "other"]);
    assert_eq!(again.code, 2);
    assert!(again.stderr.contains("exists already"), "{}", again.stderr);
    assert_eq!(fs::read(&key).unwrap(), before);

    let shown = lockstep(&dir, &config, &["key", "show", "--json"]).json();
    assert_eq!(shown["signer"], SIGNER);
    assert!(
        shown["fingerprint"]
            .as_str()
            .unwrap()
            .starts_with("SHA256:")
    );
    assert!(
        shown["public_line"]
            .as_str()
            .unwrap()
            .starts_with("ssh-ed25519 AAAA")
    );
}

#[test]
fn a_signed_pack_is_byte_identical_and_verify_pack_names_its_signer() {
    let (tmp, dir, config) = signed_setup();
    let (one, two) = (tmp.path().join("one.zip"), tmp.path().join("two.zip"));
    for out in [&one, &two] {
        let made = export(&dir, &config, out, &["--sign"]);
        assert_eq!(made.code, 0, "{}", made.stderr);
        assert!(made.stdout.contains(SIGNER), "{}", made.stdout);
    }
    assert_eq!(fs::read(&one).unwrap(), fs::read(&two).unwrap());
    let allowed = String::from_utf8(entry(&one, "allowed_signers")).unwrap();
    assert!(
        allowed.starts_with(&format!(
            "{SIGNER} namespaces=\"lockstep-pack\" ssh-ed25519 "
        )),
        "{allowed}"
    );
    assert!(
        String::from_utf8(entry(&one, "SHA256SUMS.sig"))
            .unwrap()
            .starts_with("-----BEGIN SSH SIGNATURE-----\n")
    );

    let fingerprint = lockstep(&dir, &config, &["key", "show", "--json"]).json()["fingerprint"]
        .as_str()
        .unwrap()
        .to_string();
    let checked = verify_pack(&one, &[]);
    assert_eq!(checked.code, 0, "{}{}", checked.stdout, checked.stderr);
    assert!(checked.stdout.contains(&format!("signed by {SIGNER}")));
    assert!(checked.stdout.contains(&fingerprint), "{}", checked.stdout);

    // The auditor's own allowed_signers, received ahead of time.
    let trusted = tmp.path().join("trusted_signers");
    fs::write(&trusted, &allowed).unwrap();
    let checked = verify_pack(&one, &["--signers", trusted.to_str().unwrap()]);
    assert_eq!(checked.code, 0, "{}", checked.stdout);
    let stranger = SigningKey::generate("bob@example.com").unwrap();
    fs::write(&trusted, stranger.allowed_signers_line()).unwrap();
    let checked = verify_pack(&one, &["--signers", trusted.to_str().unwrap()]);
    assert_eq!(checked.code, 1, "{}", checked.stdout);
    assert!(
        checked.stdout.contains("does not list"),
        "{}",
        checked.stdout
    );

    // A signers file that is no allowed_signers file is bad input.
    let public = config.join("signing_key.pub");
    let checked = verify_pack(&one, &["--signers", public.to_str().unwrap()]);
    assert_eq!(checked.code, 2, "{}", checked.stdout);
    assert!(checked.stderr.contains("public key"), "{}", checked.stderr);

    // An unsigned pack passes on its own, and fails when a signature is asked for.
    let plain = tmp.path().join("plain.zip");
    assert_eq!(export(&dir, &config, &plain, &[]).code, 0);
    let checked = verify_pack(&plain, &[]);
    assert_eq!(checked.code, 0);
    assert!(checked.stdout.contains("unsigned"));
    let checked = verify_pack(&plain, &["--signers", trusted.to_str().unwrap()]);
    assert_eq!(checked.code, 1);
    assert!(checked.stdout.contains("not signed"), "{}", checked.stdout);
}

#[test]
fn a_swapped_signature_or_allowed_signers_fails_the_check() {
    let (tmp, dir, config) = signed_setup();
    let pack = tmp.path().join("pack.zip");
    assert_eq!(export(&dir, &config, &pack, &["--sign"]).code, 0);
    let sums = entry(&pack, "SHA256SUMS");
    let mallory = SigningKey::generate("mallory@example.com").unwrap();
    let forged = mallory.sign(&sums).into_bytes();

    let swapped = tmp.path().join("swapped-signature.zip");
    rewrite(&pack, &swapped, &[("SHA256SUMS.sig", forged.clone())]);
    let checked = verify_pack(&swapped, &[]);
    assert_eq!(checked.code, 1, "{}", checked.stdout);
    assert!(checked.stdout.contains("swapped"), "{}", checked.stdout);

    let swapped = tmp.path().join("swapped-signers.zip");
    rewrite(
        &pack,
        &swapped,
        &[(
            "allowed_signers",
            mallory.allowed_signers_line().into_bytes(),
        )],
    );
    let checked = verify_pack(&swapped, &[]);
    assert_eq!(checked.code, 1, "{}", checked.stdout);
    assert!(checked.stdout.contains("swapped"), "{}", checked.stdout);

    // Re-signed as a whole by someone else: only the auditor's own list tells.
    let resigned = tmp.path().join("resigned.zip");
    rewrite(
        &pack,
        &resigned,
        &[
            ("SHA256SUMS.sig", forged),
            (
                "allowed_signers",
                mallory.allowed_signers_line().into_bytes(),
            ),
        ],
    );
    let trusted = tmp.path().join("trusted_signers");
    fs::write(&trusted, entry(&pack, "allowed_signers")).unwrap();
    let checked = verify_pack(&resigned, &["--signers", trusted.to_str().unwrap()]);
    assert_eq!(checked.code, 1, "{}", checked.stdout);
    assert!(checked.stdout.contains("mallory@example.com"));

    // A changed SHA256SUMS no longer matches the signature.
    let text = String::from_utf8(sums).unwrap().replacen("  ", "  ./", 1);
    let altered = tmp.path().join("altered.zip");
    rewrite(&pack, &altered, &[("SHA256SUMS", text.into_bytes())]);
    let checked = verify_pack(&altered, &[]);
    assert_eq!(checked.code, 1);
    assert!(
        checked.stdout.contains("does not match SHA256SUMS"),
        "{}",
        checked.stdout
    );

    let removed = tmp.path().join("removed.zip");
    let unsigned_copy: Vec<_> = entries(&pack)
        .into_iter()
        .filter(|(n, _)| n != "SHA256SUMS.sig")
        .collect();
    let mut writer = zip::ZipWriter::new(fs::File::create(&removed).unwrap());
    for (name, bytes) in unsigned_copy {
        writer
            .start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        writer.write_all(&bytes).unwrap();
    }
    writer.finish().unwrap();
    let checked = verify_pack(&removed, &[]);
    assert_eq!(checked.code, 1);
    assert!(checked.stdout.contains("removed"), "{}", checked.stdout);
}

#[test]
fn keys_that_cannot_sign_are_refused_with_a_reason_and_no_pack() {
    let (tmp, dir, config) = signed_setup();
    let out = tmp.path().join("pack.zip");
    let refused = |key: &Path, expect: &str| {
        let made = export(&dir, &config, &out, &["--sign-key", key.to_str().unwrap()]);
        assert_eq!(made.code, 2, "{}", made.stderr);
        assert!(made.stderr.contains(expect), "{}", made.stderr);
        assert_eq!(made.stderr.lines().count(), 1, "{}", made.stderr);
        assert!(!out.exists());
    };
    let not_a_key = tmp.path().join("notes.txt");
    fs::write(&not_a_key, "just some notes\n").unwrap();
    refused(&not_a_key, "not an SSH key");
    refused(&config.join("signing_key.pub"), "public key");

    // An encrypted OpenSSH key: the cipher is named before anything is decrypted.
    use base64::Engine as _;
    let mut body = b"openssh-key-v1\0".to_vec();
    for field in [
        &b"aes256-ctr"[..],
        b"bcrypt",
        b"\0\0\0\x10saltsaltsaltsalt\0\0\0\x10",
    ] {
        body.extend_from_slice(&(field.len() as u32).to_be_bytes());
        body.extend_from_slice(field);
    }
    body.extend_from_slice(&[0, 0, 0, 1]);
    let encrypted = tmp.path().join("encrypted_key");
    fs::write(
        &encrypted,
        format!(
            "-----BEGIN OPENSSH PRIVATE KEY-----\n{}\n-----END OPENSSH PRIVATE KEY-----\n",
            base64::engine::general_purpose::STANDARD.encode(&body)
        ),
    )
    .unwrap();
    refused(&encrypted, "encrypted");

    let empty = tempfile::tempdir().unwrap();
    let made = lockstep(
        &dir,
        empty.path(),
        &[
            "export",
            "--project",
            PROJECT,
            "--out",
            out.to_str().unwrap(),
            "--sign",
        ],
    );
    assert_eq!(made.code, 2);
    assert!(
        made.stderr.contains("lockstep key create"),
        "{}",
        made.stderr
    );
    assert!(!out.exists());
}

#[test]
fn ssh_keygen_verifies_a_signed_pack_as_the_readme_shows() {
    if !has_ssh_keygen() {
        println!("skipped: ssh-keygen is not installed");
        return;
    }
    let (tmp, dir, config) = signed_setup();
    // One pack signed with Lockstep's own key, one with a key ssh-keygen made.
    let theirs = tmp.path().join("id_ed25519");
    let made = Command::new("ssh-keygen")
        .args([
            "-q",
            "-t",
            "ed25519",
            "-N",
            "",
            "-C",
            "eve@example.com",
            "-f",
        ])
        .arg(&theirs)
        .output()
        .unwrap();
    assert!(made.status.success(), "{made:?}");
    let theirs_pub = tmp.path().join("id_ed25519.pub");
    let own_pub = config.join("signing_key.pub");
    for (name, extra, signer, public) in [
        ("own.zip", vec!["--sign"], SIGNER, &own_pub),
        (
            "theirs.zip",
            vec!["--sign-key", theirs.to_str().unwrap()],
            "eve@example.com",
            &theirs_pub,
        ),
    ] {
        let pack = tmp.path().join(name);
        let exported = export(&dir, &config, &pack, &extra);
        assert_eq!(exported.code, 0, "{}", exported.stderr);
        let out = tmp.path().join(format!("{name}.d"));
        for (entry, bytes) in entries(&pack) {
            let path = out.join(&entry);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, bytes).unwrap();
        }
        // ssh-keygen -Y verify -f allowed_signers -I SIGNER -n lockstep-pack -s SHA256SUMS.sig < SHA256SUMS
        let check = Command::new("ssh-keygen")
            .args(["-Y", "verify", "-f", "allowed_signers", "-I", signer])
            .args(["-n", "lockstep-pack", "-s", "SHA256SUMS.sig"])
            .current_dir(&out)
            .stdin(fs::File::open(out.join("SHA256SUMS")).unwrap())
            .output()
            .unwrap();
        assert!(
            check.status.success(),
            "{}{}",
            String::from_utf8_lossy(&check.stdout),
            String::from_utf8_lossy(&check.stderr)
        );
        assert!(
            String::from_utf8_lossy(&check.stdout)
                .contains(&format!("Good \"lockstep-pack\" signature for {signer}"))
        );
        // And the fingerprint Lockstep prints is the one ssh-keygen prints.
        let listed = Command::new("ssh-keygen")
            .args(["-l", "-f"])
            .arg(public)
            .output()
            .unwrap();
        let fingerprint = String::from_utf8_lossy(&listed.stdout)
            .split_whitespace()
            .nth(1)
            .unwrap_or_default()
            .to_string();
        let checked = verify_pack(&pack, &[]);
        assert!(
            !fingerprint.is_empty() && checked.stdout.contains(&fingerprint),
            "{fingerprint} / {}",
            checked.stdout
        );
    }
}

mod window {
    //! Settings makes the key and shows what to send auditors; the export dialog signs with
    //! it by default once it exists.

    use egui_kittest::kittest::Queryable as _;
    use lockstep::app::{Command, Dialog};

    use crate::window::{create_project, harness, open_app};

    #[test]
    fn settings_makes_the_key_and_the_export_dialog_signs_with_it_by_default() {
        let tmp = tempfile::tempdir().unwrap();
        let workspace = tmp.path().join("workspace");
        std::fs::create_dir_all(&workspace).unwrap();
        create_project(&workspace);
        let config = tmp.path().join("config");
        let mut app = open_app(&workspace);
        app.set_config_dir(config.clone());
        let mut harness = harness(app);

        // Without a key the dialog offers no signing.
        harness.state_mut().apply(Command::OpenExport);
        harness.run();
        assert!(harness.query_by_label_contains("Sign as").is_none());
        assert!(matches!(&harness.state().state.views.dialog, Dialog::Export(form) if !form.sign));
        harness.state_mut().apply(Command::CloseDialog);

        harness.state_mut().apply(Command::OpenSettings);
        harness.run();
        if let Dialog::Settings(form) = &mut harness.state_mut().state.views.dialog {
            form.signer = "ada@example.com".to_string();
        }
        harness.run();
        harness.get_by_label("Create my signing key").click();
        harness.run();
        let Dialog::Settings(form) = &harness.state().state.views.dialog else {
            panic!("Settings closed");
        };
        let key = form.key.clone().expect("the key was made");
        assert!(config.join("signing_key").is_file());
        assert!(!workspace.join("signing_key").exists());
        harness.get_by_label(&format!("Fingerprint: {}", key.fingerprint));
        harness.get_by_label("Copy line");
        harness.state_mut().apply(Command::CloseDialog);
        harness.run();

        harness.state_mut().apply(Command::OpenExport);
        harness.run();
        harness.get_by_label("Sign as ada@example.com");
        harness.get_by_label(&format!("Key {}", key.fingerprint));
        let target = tmp.path().join("pack.zip");
        if let Dialog::Export(form) = &mut harness.state_mut().state.views.dialog {
            assert!(form.sign, "signing is on by default once a key exists");
            form.target = Some(target.clone());
        }
        harness.run();
        harness.get_by_label("Export").click();
        harness.step();
        harness.state_mut().finish_jobs();
        harness.run();

        let sums = super::entry(&target, "SHA256SUMS");
        let signature = String::from_utf8(super::entry(&target, "SHA256SUMS.sig")).unwrap();
        let signer = lockstep::sign::verify(&signature, &sums).unwrap();
        assert_eq!(signer.fingerprint(), key.fingerprint);
        let checked = super::verify_pack(&target, &[]);
        assert_eq!(checked.code, 0, "{}", checked.stdout);
        assert!(checked.stdout.contains("signed by ada@example.com"));
    }
}

mod window_verify {
    //! "Verify a pack…" in the window names the signer, and flags a swapped signature.

    use std::sync::Arc;

    use lockstep::app::Command;

    use crate::window::{ScriptedPicker, finish_background, harness, open_app_with_picker};

    #[test]
    fn verifying_a_pack_in_the_window_names_its_signer_and_flags_a_swapped_signature() {
        let (tmp, dir, config) = super::signed_setup();
        let pack = tmp.path().join("pack.zip");
        assert_eq!(super::export(&dir, &config, &pack, &["--sign"]).code, 0);
        let mallory = lockstep::sign::SigningKey::generate("mallory").unwrap();
        let forged = mallory
            .sign(&super::entry(&pack, "SHA256SUMS"))
            .into_bytes();
        let swapped = tmp.path().join("swapped.zip");
        super::rewrite(&pack, &swapped, &[("SHA256SUMS.sig", forged)]);

        let picker: Arc<ScriptedPicker> = ScriptedPicker::new();
        let (app, _) = open_app_with_picker(&dir, &picker);
        let mut harness = harness(app);
        picker.will_pick(&[&pack]);
        harness.state_mut().apply(Command::VerifyPack);
        finish_background(&mut harness);
        let (clean, lines) = harness.state().state.shell.verify_result.clone().unwrap();
        assert!(clean, "{lines:?}");
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with(&format!("Signed by {}", super::SIGNER))),
            "{lines:?}"
        );

        picker.will_pick(&[&swapped]);
        harness.state_mut().apply(Command::VerifyPack);
        finish_background(&mut harness);
        let (clean, lines) = harness.state().state.shell.verify_result.clone().unwrap();
        assert!(!clean);
        assert!(lines[0].contains("signature is not good"), "{lines:?}");
    }
}
