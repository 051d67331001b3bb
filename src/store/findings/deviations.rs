//! A person's part in a finding: deviations, milestones, the facts the tools cannot know,
//! and the project's authorization package URI.

use super::*;

impl Store {
    /// Records a deviation request for a finding (replacing any earlier one as the one
    /// that counts). It counts once a sign-off of the finding covers it.
    pub fn request_deviation(
        &mut self,
        project: i64,
        id: &str,
        new: &NewDeviation,
    ) -> Result<Finding> {
        let key = self.finding_key(project, id)?;
        let rationale = new.rationale.trim();
        if rationale.is_empty() {
            return Err(RuleError::Blank("rationale").into());
        }
        match (new.kind, new.adjusted_severity) {
            (DeviationKind::RiskAdjustment, None) => {
                return Err(StoreError::Finding(
                    "a risk adjustment needs the severity it lowers the finding to: give it with --adjusted-severity".into(),
                ));
            }
            (DeviationKind::RiskAdjustment, Some(adjusted)) => {
                let current = self.finding(project, id)?.severity;
                if adjusted <= current {
                    return Err(StoreError::Finding(format!(
                        "a risk adjustment lowers a finding's severity: {} is not below {}",
                        adjusted.as_str(),
                        current.as_str()
                    )));
                }
            }
            (_, Some(_)) => {
                return Err(StoreError::Finding(
                    "only a risk adjustment gives an adjusted severity".into(),
                ));
            }
            (_, None) => {}
        }
        let subject = finding_label(key);
        self.write(|tx| {
            tx.execute(
                "INSERT INTO finding_deviations (project_id, finding_id, kind, rationale,
                    adjusted_severity, evidence_sha256, evidence_name, requested_by, requested_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    project,
                    key,
                    new.kind.as_str(),
                    rationale,
                    new.adjusted_severity.map(|s| s.as_str()),
                    new.evidence.as_ref().map(|(sha, _)| sha.as_str()),
                    new.evidence.as_ref().map(|(_, name)| name.as_str()),
                    tx.actor,
                    tx.at
                ],
            )?;
            let action = Action::FindingDeviate {
                kind: new.kind.as_str().to_string(),
                rationale: rationale.to_string(),
                adjusted_severity: new.adjusted_severity.map(|s| s.as_str().to_string()),
                evidence_sha256: new.evidence.as_ref().map(|(sha, _)| sha.clone()),
            };
            Ok(Change::Made(
                (),
                Logged::new(Some(project), subject, action),
            ))
        })?;
        self.finding(project, id)
    }

    /// Checks a deviation request's finding before its evidence file is read.
    pub fn check_deviation_target(&self, project: i64, id: &str) -> Result<()> {
        self.finding_key(project, id).map(|_| ())
    }

    /// Plans a milestone for a finding.
    pub fn add_milestone(
        &mut self,
        project: i64,
        id: &str,
        due: NaiveDate,
        text: &str,
    ) -> Result<Finding> {
        let key = self.finding_key(project, id)?;
        let text = text.trim();
        if text.is_empty() {
            return Err(RuleError::Blank("milestone text").into());
        }
        let subject = finding_label(key);
        self.write(|tx| {
            tx.execute(
                "INSERT INTO finding_milestones (project_id, finding_id, due, text, recorded_by,
                    recorded_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![project, key, due.to_string(), text, tx.actor, tx.at],
            )?;
            let action = Action::FindingMilestone {
                due,
                text: text.to_string(),
            };
            Ok(Change::Made(
                (),
                Logged::new(Some(project), subject, action),
            ))
        })?;
        self.finding(project, id)
    }

    /// Sets what a person says about a finding that its tool cannot know.
    pub fn set_finding_facts(
        &mut self,
        project: i64,
        id: &str,
        facts: FindingFacts,
    ) -> Result<Finding> {
        let key = self.finding_key(project, id)?;
        let before = self.finding(project, id)?;
        let subject = finding_label(key);
        self.write(|tx| {
            let mut changes = Vec::new();
            if let Some(to) = facts.internet_reachable
                && to != before.internet_reachable
            {
                changes.push((
                    "internet_reachable".to_string(),
                    before.internet_reachable,
                    to,
                ));
                tx.execute(
                    "UPDATE findings SET internet_reachable = ?1 WHERE id = ?2",
                    params![to.map(i64::from), key],
                )?;
            }
            if let Some(to) = facts.likely_exploitable
                && to != before.likely_exploitable
            {
                changes.push((
                    "likely_exploitable".to_string(),
                    before.likely_exploitable,
                    to,
                ));
                tx.execute(
                    "UPDATE findings SET likely_exploitable = ?1 WHERE id = ?2",
                    params![to.map(i64::from), key],
                )?;
            }
            if changes.is_empty() {
                return Ok(Change::Unchanged(()));
            }
            Ok(Change::Made(
                (),
                Logged::new(Some(project), subject, Action::FindingSet { changes }),
            ))
        })?;
        self.finding(project, id)
    }

    /// The project's authorization package URI (FedRAMP's certificationPackageOverviewUri);
    /// empty until given.
    pub fn package_uri(&self, project: i64) -> Result<String> {
        Ok(self
            .conn
            .prepare_cached("SELECT package_uri FROM projects WHERE id = ?1")?
            .query_row([project], |row| row.get(0))?)
    }

    /// Remembers the project's authorization package URI.
    pub fn set_package_uri(&mut self, project: i64, uri: &str) -> Result<()> {
        let uri = uri.trim();
        if !crate::model::is_absolute_uri(uri) {
            return Err(StoreError::Finding(format!(
                "'{uri}' is not a URI: give the package's address, for example https://example.com/package"
            )));
        }
        let from = self.package_uri(project)?;
        let name = self.project(project)?.name;
        self.write(|tx| {
            if from == uri {
                return Ok(Change::Unchanged(()));
            }
            tx.execute(
                "UPDATE projects SET package_uri = ?1 WHERE id = ?2",
                params![uri, project],
            )?;
            let action = Action::ProjectPackageUri {
                from: from.clone(),
                to: uri.to_string(),
            };
            Ok(Change::Made((), Logged::new(Some(project), name, action)))
        })
    }
}
