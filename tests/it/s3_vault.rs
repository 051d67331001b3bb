//! The team vault on a real S3 server (moto's, which enforces Object Lock): content-addressed
//! uploads with checksums, reading back, interrupted uploads, and locked objects.

use std::fs;
use std::sync::atomic::AtomicBool;

use chrono::{Duration, Utc};
use lockstep::vault::BlobCheck;
use lockstep::vault::s3::{
    DefaultRetention, PART_BYTES, Purged, RetentionPeriod, S3Error, S3Location, S3Vault,
};
use sha2::{Digest, Sha256};

use crate::servers::{fresh_location, s3_credentials};

fn vault(location: S3Location, lock: Option<&DefaultRetention>) -> S3Vault {
    let created = S3Vault::unchecked(location.clone(), s3_credentials()).unwrap();
    created.client().create_bucket(lock).unwrap();
    S3Vault::open(location, s3_credentials()).unwrap()
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn compliance_days(days: u32) -> DefaultRetention {
    DefaultRetention {
        mode: "COMPLIANCE".into(),
        period: RetentionPeriod::Days(days),
    }
}

/// Bytes that differ from part to part, so a part swapped or repeated would show.
fn patterned(len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i / 4096 % 251) as u8 ^ (i as u8))
        .collect()
}

#[test]
fn a_small_file_is_stored_under_its_hash_once_and_reads_back_intact() {
    crate::require_servers!();
    let vault = vault(fresh_location("small", "team/audit"), None);
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("iam users.csv");
    fs::write(&file, "user,mfa\nana,yes\n").unwrap();

    let mut reported = Vec::new();
    let first = vault
        .upload(&file, &AtomicBool::new(false), &mut |done, total| {
            reported.push((done, total))
        })
        .unwrap();
    assert_eq!(first.sha256, sha256_hex(b"user,mfa\nana,yes\n"));
    assert_eq!((first.bytes, first.already_stored), (17, false));
    assert_eq!(reported.last(), Some(&(34, 34)));

    let again = vault
        .upload(&file, &AtomicBool::new(false), &mut |_, _| {})
        .unwrap();
    assert!(again.already_stored);
    assert_eq!(vault.stored().unwrap(), [(first.sha256.clone(), 17)]);
    assert_eq!(
        vault.check(&first.sha256, Some(17)).unwrap(),
        BlobCheck::Intact
    );
    assert_eq!(
        vault.key_of(&first.sha256).unwrap(),
        format!("team/audit/sha256/{}/{}", &first.sha256[..2], first.sha256)
    );
}

#[test]
fn a_file_larger_than_a_part_goes_up_in_checked_parts_and_reads_back_intact() {
    crate::require_servers!();
    let vault = vault(fresh_location("multipart", "evidence"), None);
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("cloudtrail.json.gz");
    let content = patterned(2 * PART_BYTES + 12_345);
    fs::write(&file, &content).unwrap();

    let uploaded = vault
        .upload(&file, &AtomicBool::new(false), &mut |_, _| {})
        .unwrap();
    assert_eq!(uploaded.sha256, sha256_hex(&content));
    assert_eq!(uploaded.bytes, content.len() as u64);
    assert_eq!(
        vault
            .check(&uploaded.sha256, Some(content.len() as u64))
            .unwrap(),
        BlobCheck::Intact
    );
    let head = vault
        .client()
        .head_object(&vault.key_of(&uploaded.sha256).unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(head.size, content.len() as u64);
    assert_eq!(head.sha256.as_deref(), Some(uploaded.sha256.as_str()));
    assert_eq!(vault.abandon_unfinished().unwrap(), 0);
}

#[test]
fn a_file_that_changes_between_hashing_and_sending_is_abandoned_and_leaves_nothing() {
    crate::require_servers!();
    let vault = vault(fresh_location("changed", ""), None);
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("growing.log");
    let content = patterned(PART_BYTES + 100);
    fs::write(&file, &content).unwrap();
    let size = content.len() as u64;

    let mut appended = false;
    let outcome = vault.upload(&file, &AtomicBool::new(false), &mut |done, _| {
        // The hashing pass has just finished: the file changes before it is sent.
        if done == size && !appended {
            appended = true;
            let mut changed = content.clone();
            changed[5] ^= 0xff;
            fs::write(&file, &changed).unwrap();
        }
    });
    assert!(matches!(outcome, Err(S3Error::Changed(_))), "{outcome:?}");
    assert!(vault.stored().unwrap().is_empty());
    assert_eq!(vault.abandon_unfinished().unwrap(), 0);
}

#[test]
fn an_upload_interrupted_midway_leaves_no_object_and_is_abandoned_later() {
    crate::require_servers!();
    let vault = vault(fresh_location("interrupted", "p"), None);
    let hash = sha256_hex(b"never finished");
    let key = vault.key_of(&hash).unwrap();
    let id = vault.client().create_multipart(&key, &hash).unwrap();
    vault
        .client()
        .upload_part(&key, &id, 1, &patterned(PART_BYTES))
        .unwrap();
    // The process stops here: no completion.
    assert!(vault.stored().unwrap().is_empty());
    assert_eq!(vault.check(&hash, Some(14)).unwrap(), BlobCheck::Missing);
    assert_eq!(vault.abandon_unfinished().unwrap(), 1);
    assert_eq!(vault.abandon_unfinished().unwrap(), 0);
}

#[test]
fn content_that_does_not_match_its_name_is_reported_altered() {
    crate::require_servers!();
    let vault = vault(fresh_location("altered", "x"), None);
    let claimed = sha256_hex(b"the real report");
    let key = vault.key_of(&claimed).unwrap();
    vault
        .client()
        .put_object(&key, b"a forged report", &claimed)
        .unwrap();
    match vault.check(&claimed, Some(15)).unwrap() {
        BlobCheck::Altered { actual } => assert_eq!(actual, sha256_hex(b"a forged report")),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        vault.check("../../secrets", Some(1)),
        Err(S3Error::NotAHash(_))
    ));
}

#[test]
fn without_object_lock_purge_removes_the_object() {
    crate::require_servers!();
    let vault = vault(fresh_location("unlocked", "x"), None);
    assert_eq!(vault.object_lock().unwrap(), None);
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("old.txt");
    fs::write(&file, "superseded").unwrap();
    let uploaded = vault
        .upload(&file, &AtomicBool::new(false), &mut |_, _| {})
        .unwrap();
    assert_eq!(vault.purge(&uploaded.sha256).unwrap(), Purged::Removed);
    assert_eq!(
        vault.check(&uploaded.sha256, Some(10)).unwrap(),
        BlobCheck::Missing
    );
    assert_eq!(vault.purge(&uploaded.sha256).unwrap(), Purged::Absent);
}

#[test]
fn under_object_lock_evidence_stays_until_its_retention_ends() {
    crate::require_servers!();
    let lock = compliance_days(30);
    let vault = vault(fresh_location("locked", "team"), Some(&lock));
    assert_eq!(vault.object_lock().unwrap(), Some(lock));
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("soc2.pdf");
    fs::write(&file, "a locked report").unwrap();
    // The server starts the retention on its own clock when it stores the object, so this
    // machine's real clock is read on either side of the upload; the server writes the date
    // to the second, hence the second's margin.
    let before = Utc::now();
    let uploaded = vault
        .upload(&file, &AtomicBool::new(false), &mut |_, _| {})
        .unwrap();
    let after = Utc::now();

    let until = match vault.purge(&uploaded.sha256).unwrap() {
        Purged::Locked(until) => until,
        other => panic!("{other:?}"),
    };
    let earliest = before + Duration::days(30) - Duration::seconds(1);
    let latest = after + Duration::days(30) + Duration::seconds(1);
    assert!(
        earliest <= until && until <= latest,
        "{until} is not 30 days after the upload ({before} to {after})"
    );

    // Not even a direct delete of the stored version gets past the lock.
    let key = vault.key_of(&uploaded.sha256).unwrap();
    let head = vault.client().head_object(&key).unwrap().unwrap();
    let version = head.version_id.expect("a locked bucket is versioned");
    let refused = vault.client().delete_object(&key, Some(&version));
    assert!(
        matches!(refused, Err(S3Error::Service { .. })),
        "{refused:?}"
    );
    assert_eq!(
        vault.check(&uploaded.sha256, Some(15)).unwrap(),
        BlobCheck::Intact
    );
}

#[test]
fn an_endpoint_that_does_not_answer_is_named_in_the_error() {
    crate::require_servers!();
    let location = S3Location {
        bucket: "evidence".into(),
        prefix: String::new(),
        endpoint: Some("http://127.0.0.1:9".into()),
        region: "us-east-1".into(),
    };
    let error = match S3Vault::open(location, s3_credentials()) {
        Err(error) => error.to_string(),
        Ok(_) => panic!("a closed port answered"),
    };
    assert!(
        error.starts_with("cannot reach the S3 endpoint http://127.0.0.1:9"),
        "{error}"
    );
}

#[test]
fn a_bucket_that_does_not_exist_is_refused_when_opened() {
    crate::require_servers!();
    let location = fresh_location("missing", "");
    let error = S3Vault::open(location, s3_credentials()).err().unwrap();
    assert!(
        matches!(error, S3Error::Service { status: 404, .. }),
        "{error}"
    );
}
