//! A generated Amazon Inspector export, for benchmarks and tests.

use std::io::{self, Write};

use chrono::{Days, NaiveDate};
use serde_json::json;

const SEVERITIES: [&str; 5] = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "UNTRIAGED"];
const PACKAGES: [&str; 8] = [
    "openssl-libs",
    "glibc",
    "curl",
    "libxml2",
    "kernel",
    "python3",
    "sudo",
    "systemd",
];
const ACCOUNTS: [&str; 3] = ["111122223333", "444455556666", "777788889999"];

/// Writes an Amazon Inspector `list-findings` export (`{"findings":[…]}`) of `count`
/// package-vulnerability findings spread over a few hundred instances in three accounts,
/// first seen in the 90 days up to `seed_day`. Each finding is sized like a real one
/// (about 3 KB): a description paragraph, a few vulnerable packages, remediation text,
/// CVSS scores, EPSS and exploit details. The output depends only on the arguments.
pub fn write_sample_inspector_json(
    out: &mut dyn Write,
    count: usize,
    seed_day: NaiveDate,
) -> io::Result<()> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    out.write_all(b"{\n  \"findings\": [\n")?;
    for i in 0..count {
        let finding = sample_finding(i, next(), seed_day);
        if i > 0 {
            out.write_all(b",\n")?;
        }
        out.write_all(b"    ")?;
        serde_json::to_writer(&mut *out, &finding).map_err(io::Error::other)?;
    }
    out.write_all(b"\n  ]\n}\n")?;
    Ok(())
}

/// One generated finding, from the random word `r`.
fn sample_finding(i: usize, r: u64, seed_day: NaiveDate) -> serde_json::Value {
    let instance = (r % 300) as usize;
    let account = ACCOUNTS[instance % ACCOUNTS.len()];
    let severity = SEVERITIES[(r >> 8) as usize % SEVERITIES.len()];
    let cve = format!("CVE-{}-{:05}", 2019 + (r >> 12) % 7, (r >> 16) % 60000);
    let first = seed_day
        .checked_sub_days(Days::new((r >> 24) % 90))
        .unwrap_or(seed_day);
    let first_seen = format!(
        "{first}T{:02}:{:02}:17.512Z",
        (r >> 32) % 24,
        (r >> 40) % 60
    );
    let last_seen = format!("{seed_day}T03:14:07.000Z");
    let closed = (r >> 48).is_multiple_of(10);
    let packages = sample_packages(r);
    json!({
        "awsAccountId": account,
        "description": format!(
            "{cve}: A flaw was found in the handling of specially crafted input by a widely used \
             library. A remote, unauthenticated attacker could send a crafted request that \
             triggers an out-of-bounds read or write in the parser, which may lead to a \
             denial of service or, under some configurations, arbitrary code execution with \
             the privileges of the affected process. The issue affects all releases before \
             the fixed version listed by the vendor; systems that do not expose the affected \
             interface to untrusted input are at lower risk but should still be updated at \
             the next maintenance window. Finding {i} of the generated sample."
        ),
        "epss": { "score": ((r >> 5) % 1000) as f64 / 1000.0 },
        "exploitAvailable": if (r >> 3).is_multiple_of(4) { "YES" } else { "NO" },
        "exploitabilityDetails": { "lastKnownExploitAt": last_seen },
        "findingArn": format!(
            "arn:aws:inspector2:us-east-1:{account}:finding/{:016x}{:016x}",
            r,
            i as u64
        ),
        "firstObservedAt": first_seen,
        "fixAvailable": if (r >> 7).is_multiple_of(5) { "PARTIAL" } else { "YES" },
        "inspectorScore": ((r >> 9) % 100) as f64 / 10.0,
        "inspectorScoreDetails": {
            "adjustedCvss": {
                "adjustments": [],
                "cvssSource": "NVD",
                "score": ((r >> 9) % 100) as f64 / 10.0,
                "scoreSource": "NVD",
                "scoringVector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                "version": "3.1"
            }
        },
        "lastObservedAt": last_seen,
        "packageVulnerabilityDetails": sample_vulnerability(&cve, first, packages, r),
        "remediation": {
            "recommendation": {
                "text": "None Provided. Update the affected packages to the fixed versions with the \
                         operating system's package manager, then restart the services that use them."
            }
        },
        "resources": [sample_resource(account, instance, first)],
        "severity": severity,
        "status": if closed { "CLOSED" } else { "ACTIVE" },
        "title": format!("{cve} - {}", PACKAGES[(r >> 52) as usize % PACKAGES.len()]),
        "type": "PACKAGE_VULNERABILITY",
        "updatedAt": last_seen
    })
}

/// One to three vulnerable packages of a finding.
fn sample_packages(r: u64) -> Vec<serde_json::Value> {
    (0..1 + (r >> 50) % 3)
        .map(|p| {
            let name = PACKAGES[((r >> (52 + p)) as usize + p as usize) % PACKAGES.len()];
            json!({
                "name": name,
                "version": format!("{}.{}.{}", 1 + p, (r >> 20) % 10, (r >> 28) % 30),
                "release": format!("{}.amzn2023.0.{}", 1 + (r >> 36) % 9, p),
                "epoch": 0,
                "arch": "X86_64",
                "packageManager": "OS",
                "fixedInVersion": if p == 2 { "NotAvailable".to_string() } else {
                    format!("0:{}.{}.{}-{}.amzn2023.0.{}", 1 + p, (r >> 20) % 10, 1 + (r >> 28) % 30, 2 + (r >> 36) % 9, p)
                },
                "remediation": format!("dnf update {name} --releasever 2023.6.20250101"),
            })
        })
        .collect()
}

/// A finding's package vulnerability details.
fn sample_vulnerability(
    cve: &str,
    first: NaiveDate,
    packages: Vec<serde_json::Value>,
    r: u64,
) -> serde_json::Value {
    json!({
        "cvss": [
            { "baseScore": 9.8, "scoringVector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "source": "NVD", "version": "3.1" },
            { "baseScore": 7.5, "scoringVector": "AV:N/AC:L/Au:N/C:P/I:P/A:P", "source": "NVD", "version": "2.0" }
        ],
        "referenceUrls": [
            format!("https://alas.aws.amazon.com/AL2023/ALAS-2025-{}.html", (r >> 14) % 900),
            format!("https://nvd.nist.gov/vuln/detail/{cve}")
        ],
        "relatedVulnerabilities": [],
        "source": "NVD",
        "sourceUrl": format!("https://nvd.nist.gov/vuln/detail/{cve}"),
        "vendorCreatedAt": format!("{first}T00:00:00Z"),
        "vendorSeverity": "HIGH",
        "vendorUpdatedAt": format!("{first}T12:00:00Z"),
        "vulnerabilityId": cve,
        "vulnerablePackages": packages
    })
}

/// The EC2 instance a finding is about.
fn sample_resource(account: &str, instance: usize, first: NaiveDate) -> serde_json::Value {
    json!({
        "details": {
            "awsEc2Instance": {
                "iamInstanceProfileArn": format!("arn:aws:iam::{account}:instance-profile/app-{}", instance % 12),
                "imageId": format!("ami-0{:016x}", instance as u64 * 7919),
                "ipV4Addresses": [format!("10.{}.{}.{}", instance % 4, instance % 250, 10 + instance % 200)],
                "ipV6Addresses": [],
                "keyName": "ops",
                "launchedAt": format!("{first}T00:00:00Z"),
                "platform": "AMAZON_LINUX_2023",
                "subnetId": format!("subnet-0{:016x}", instance as u64 % 6),
                "type": "m6i.large",
                "vpcId": "vpc-0a1b2c3d4e5f60718"
            }
        },
        "id": format!("i-0{:016x}", instance as u64 * 104_729),
        "partition": "aws",
        "region": "us-east-1",
        "tags": { "Name": format!("app-{instance}"), "Environment": "production" },
        "type": "AWS_EC2_INSTANCE"
    })
}
