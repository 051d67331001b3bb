//! The board's filter and layout: which cards show in which column, grouped by area.
//!
//! The layout is computed once per change of data or filter, not per frame, and is a flat
//! list of rows per column so the drawing code can lay out only the rows in view.

use chrono::NaiveDate;

use crate::model::{Column, Control, Status};

/// A control's current evidence: how many files, and how many expire soon or have.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EvidenceSummary {
    /// Current (not removed) files.
    pub count: usize,
    /// Of those, valid for 30 days or less.
    pub expiring: usize,
    /// Of those, no longer valid.
    pub expired: usize,
}

/// What the filter bar asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BoardFilter {
    /// Text to find in id, title, owner, notes or services.
    pub text: String,
    /// Only this status.
    pub status: Option<Status>,
    /// Only this owner ("" means unassigned).
    pub owner: Option<String>,
    /// Only overdue controls.
    pub overdue_only: bool,
    /// Show retired controls too.
    pub show_retired: bool,
    /// Only controls in scope with no current evidence.
    pub missing_evidence: bool,
    /// Only controls with evidence expired or expiring within 30 days.
    pub evidence_expiring: bool,
    /// Only controls of this framework family (`AC`).
    pub family: Option<String>,
}

impl BoardFilter {
    /// Whether the filter hides anything.
    pub fn is_active(&self) -> bool {
        !self.text.trim().is_empty()
            || self.status.is_some()
            || self.owner.is_some()
            || self.overdue_only
            || self.family.is_some()
    }

    /// Whether a control passes the filter on `today`.
    pub fn matches(
        &self,
        control: &Control,
        today: NaiveDate,
        evidence: Option<&EvidenceSummary>,
    ) -> bool {
        let evidence = evidence.copied().unwrap_or_default();
        if self.missing_evidence && (evidence.count > 0 || control.status == Status::NotApplicable)
        {
            return false;
        }
        if self.evidence_expiring && evidence.expiring + evidence.expired == 0 {
            return false;
        }
        if control.retired && !self.show_retired {
            return false;
        }
        if self.status.is_some_and(|status| control.status != status) {
            return false;
        }
        if self
            .owner
            .as_ref()
            .is_some_and(|owner| &control.owner != owner)
        {
            return false;
        }
        if self.overdue_only && !control.is_overdue(today) {
            return false;
        }
        if let Some(family) = &self.family
            && control
                .framework
                .as_ref()
                .is_none_or(|f| &f.family != family)
        {
            return false;
        }
        let needle = self.text.trim().to_lowercase();
        needle.is_empty()
            || [
                &control.id,
                &control.title,
                &control.owner,
                &control.notes,
                &control.area,
            ]
            .iter()
            .any(|field| field.to_lowercase().contains(&needle))
            || control.services.iter().any(|s| s.contains(&needle))
    }
}

/// One row of a board column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BoardRow {
    /// An area heading with the number of cards under it.
    Area {
        /// The area's name.
        name: String,
        /// Cards shown under it.
        count: usize,
    },
    /// A card: the index of the control in the snapshot.
    Card(usize),
}

/// One column of the board.
#[derive(Debug, Clone, PartialEq)]
pub struct BoardColumn {
    /// Which column.
    pub column: Column,
    /// Controls in scope in this column (retired ones left out), whatever the filter.
    pub total: usize,
    /// Of those, implemented or not applicable.
    pub done: usize,
    /// Rows to draw, after the filter.
    pub rows: Vec<BoardRow>,
    /// Cards shown.
    pub shown: usize,
    /// For each row, and one past the last, how many area headings come before it: with
    /// the two row heights, every row's position follows without a per-frame pass.
    pub areas_before: Vec<usize>,
}

impl BoardColumn {
    /// Share done, from 0 to 1.
    pub fn progress(&self) -> f32 {
        if self.total == 0 {
            0.0
        } else {
            self.done as f32 / self.total as f32
        }
    }
}

/// Lays out the board: each column's rows, grouped by area in board order.
pub fn layout(
    controls: &[Control],
    filter: &BoardFilter,
    today: NaiveDate,
    evidence: &std::collections::HashMap<String, EvidenceSummary>,
) -> Vec<BoardColumn> {
    Column::ALL
        .into_iter()
        .map(|column| {
            let in_column = || {
                controls
                    .iter()
                    .enumerate()
                    .filter(move |(_, c)| c.column == column)
            };
            let total = in_column().filter(|(_, c)| !c.retired).count();
            let done = in_column()
                .filter(|(_, c)| !c.retired && c.status.is_done())
                .count();
            let mut rows = Vec::new();
            let mut shown = 0;
            let mut areas: Vec<&str> = Vec::new();
            let mut by_area: Vec<Vec<usize>> = Vec::new();
            for (index, control) in
                in_column().filter(|(_, c)| filter.matches(c, today, evidence.get(&c.id)))
            {
                match areas.iter().position(|a| *a == control.area) {
                    Some(at) => by_area[at].push(index),
                    None => {
                        areas.push(&control.area);
                        by_area.push(vec![index]);
                    }
                }
            }
            for (area, cards) in areas.into_iter().zip(by_area) {
                rows.push(BoardRow::Area {
                    name: area.to_string(),
                    count: cards.len(),
                });
                shown += cards.len();
                rows.extend(cards.into_iter().map(BoardRow::Card));
            }
            let mut areas_before = Vec::with_capacity(rows.len() + 1);
            let mut areas = 0;
            areas_before.push(0);
            for row in &rows {
                areas += usize::from(matches!(row, BoardRow::Area { .. }));
                areas_before.push(areas);
            }
            BoardColumn {
                areas_before,
                column,
                total,
                done,
                rows,
                shown,
            }
        })
        .collect()
}
