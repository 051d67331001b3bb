//! The complementary user entity controls (CUECs) an AWS report lists, and which of a
//! project's customer or shared controls carry each one out.
//!
//! CUECs belong to a report, so they are workspace-wide like the report; which controls
//! carry them out is a project's business. A CUEC whose list names a control id maps to that
//! control in every project that has it (worked out when read, so a project created later
//! gets it too); any other mapping is made by hand and stored per project. A CUEC of a
//! current report with no control in a project needs attention there.

use std::path::Path;

use super::db::{OptionalExtension, params};
use serde::Serialize;

use super::import_change::import_change;
use super::write::{Change, Logged};
use super::{Result, Store, StoreError};
use crate::import::cuecs::{control_ids, read_cuecs};
use crate::import::{ImportReport, RowProblem};
use crate::model::{Action, Column, Status};

pub use crate::import::cuecs::{CUEC_CSV_OPTIONAL, CUEC_CSV_REQUIRED};

/// One CUEC as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cuec {
    /// Its id.
    pub id: i64,
    /// The report that lists it.
    pub report_id: i64,
    /// What the customer must do.
    pub text: String,
    /// Related criteria as listed (e.g. `CC6.1`).
    pub criteria: String,
    /// Control ids the list names.
    pub control_ids: Vec<String>,
}

/// How a control came to carry out a CUEC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MappedBy {
    /// The list named the control's id.
    Id,
    /// A person mapped it.
    Hand,
}

/// A control that carries out a CUEC, with its status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CuecControl {
    /// The control's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Where its work stands.
    pub status: Status,
    /// How it was mapped.
    pub mapped_by: MappedBy,
}

/// One line of a project's CUEC table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CuecLine {
    /// The CUEC.
    pub cuec: Cuec,
    /// The title of the report that lists it.
    pub report_title: String,
    /// The project's controls that carry it out; empty when unmapped.
    pub controls: Vec<CuecControl>,
}

impl Store {
    /// Imports the CUECs a current report lists from a CSV file with a `cuec` column and
    /// optional `criteria` and `controls` columns. Blank CUEC texts are refused by line; the
    /// rest are stored in one transaction.
    pub fn import_cuecs(&mut self, report_id: i64, path: &Path) -> Result<ImportReport> {
        let file = read_cuecs(path)?;
        self.write(|tx| {
            let report = tx.store.aws_report(report_id)?;
            if report.removed {
                return Err(StoreError::AwsReportRemoved(report_id));
            }
            let mut refused = file.table.problems.clone();
            let mut imported = 0;
            for row in &file.rows {
                let listed: bool = tx.query_row(
                    "SELECT EXISTS (SELECT 1 FROM cuecs WHERE report_id = ?1 AND text = ?2)",
                    params![report_id, row.text],
                    |row| row.get(0),
                )?;
                if listed {
                    refused.push(RowProblem::new(
                        row.line,
                        format!("this CUEC is already listed for AWS report {report_id}"),
                    ));
                    continue;
                }
                tx.execute(
                    "INSERT INTO cuecs (report_id, text, criteria, control_ids, added_at)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![
                        report_id,
                        row.text,
                        row.criteria,
                        row.control_ids.join(","),
                        tx.at
                    ],
                )?;
                imported += 1;
            }
            refused.sort_by_key(|problem| problem.line);
            let report = ImportReport {
                rows: file.data_rows(),
                imported,
                refused,
            };
            Ok(import_change(&file.table, report, |import| {
                Logged::new(
                    None,
                    format!("aws-report {report_id}"),
                    Action::CuecImport { report_id, import },
                )
            }))
        })
    }

    /// Maps a CUEC to a customer or shared control of the project by hand, or with
    /// `mapped` false takes a hand-made mapping away.
    pub fn map_cuec(
        &mut self,
        project: i64,
        cuec_id: i64,
        control_id: &str,
        mapped: bool,
    ) -> Result<bool> {
        self.write(|tx| {
            let cuec = tx.store.cuec(cuec_id)?;
            let control = tx.store.control(project, control_id)?;
            if control.column == Column::Aws {
                return Err(StoreError::CuecOnAwsControl(control.id));
            }
            let changed = if mapped {
                tx.execute(
                    "INSERT INTO cuec_controls (cuec_id, project_id, control_key)
                     VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
                    params![cuec.id, project, control.key],
                )?
            } else {
                tx.execute(
                    "DELETE FROM cuec_controls WHERE cuec_id = ?1 AND control_key = ?2",
                    params![cuec.id, control.key],
                )?
            };
            if changed == 0 {
                return Ok(Change::Unchanged(false));
            }
            let action = Action::CuecMap {
                cuec_id,
                control: control.id.clone(),
                mapped,
            };
            Ok(Change::Made(
                true,
                Logged::new(Some(project), control.id, action),
            ))
        })
    }

    /// One CUEC.
    pub fn cuec(&self, id: i64) -> Result<Cuec> {
        self.conn
            .prepare_cached(
                "SELECT id, report_id, text, criteria, control_ids FROM cuecs WHERE id = ?1",
            )?
            .query_row(params![id], |row| {
                Ok(Cuec {
                    id: row.get(0)?,
                    report_id: row.get(1)?,
                    text: row.get(2)?,
                    criteria: row.get(3)?,
                    control_ids: control_ids(&row.get::<_, String>(4)?),
                })
            })
            .optional()?
            .ok_or(StoreError::UnknownCuec(id))
    }

    /// The project's CUEC table: every CUEC of the current reports, in report and list
    /// order, with the customer and shared controls that carry it out.
    pub fn cuec_table(&self, project: i64) -> Result<Vec<CuecLine>> {
        self.read(|store| {
            let controls: Vec<_> = store
                .controls(project)?
                .into_iter()
                .filter(|c| !c.retired && c.column != Column::Aws)
                .collect();
            let mut stmt = store.conn.prepare_cached(
                "SELECT c.id, c.report_id, c.text, c.criteria, c.control_ids, r.title
                 FROM cuecs c JOIN aws_reports r ON r.id = c.report_id
                 WHERE r.removed_at IS NULL ORDER BY c.report_id, c.id",
            )?;
            let rows = stmt.query_map([], |row| {
                Ok((
                    Cuec {
                        id: row.get(0)?,
                        report_id: row.get(1)?,
                        text: row.get(2)?,
                        criteria: row.get(3)?,
                        control_ids: control_ids(&row.get::<_, String>(4)?),
                    },
                    row.get::<_, String>(5)?,
                ))
            })?;
            let cuecs: Vec<(Cuec, String)> = rows.collect::<super::db::Result<_>>()?;
            let mut by_hand = store.conn.prepare_cached(
                "SELECT control_key FROM cuec_controls WHERE cuec_id = ?1 AND project_id = ?2",
            )?;
            let mut lines = Vec::with_capacity(cuecs.len());
            for (cuec, report_title) in cuecs {
                let hand: Vec<i64> = by_hand
                    .query_map(params![cuec.id, project], |row| row.get(0))?
                    .collect::<super::db::Result<_>>()?;
                let mapped = controls
                    .iter()
                    .filter_map(|control| {
                        let by_id = cuec
                            .control_ids
                            .iter()
                            .any(|id| id.eq_ignore_ascii_case(&control.id));
                        let mapped_by = if by_id {
                            MappedBy::Id
                        } else if hand.contains(&control.key) {
                            MappedBy::Hand
                        } else {
                            return None;
                        };
                        Some(CuecControl {
                            id: control.id.clone(),
                            title: control.title.clone(),
                            status: control.status,
                            mapped_by,
                        })
                    })
                    .collect();
                lines.push(CuecLine {
                    cuec,
                    report_title,
                    controls: mapped,
                });
            }
            Ok(lines)
        })
    }
}
