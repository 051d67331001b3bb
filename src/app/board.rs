//! The board's filter and layout: which cards show in which column, grouped by area.
//!
//! The layout is computed once per change of data or filter, not per frame, and is a flat
//! list of rows per column so the drawing code can lay out only the rows in view. The table
//! view is the same filter as one list, sorted by the column the user chose.

use std::cmp::Ordering;
use std::collections::{BTreeSet, HashMap};

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
            || self.missing_evidence
            || self.evidence_expiring
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

/// How the board shows the controls.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum BoardMode {
    /// Three columns of cards, grouped by area.
    #[default]
    Cards,
    /// One table of every control the filter lets through, sortable by any column.
    Table,
}

/// How much room a card takes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Density {
    /// Id, title, status, marks and services on three lines.
    #[default]
    Comfortable,
    /// One line: id, title and status.
    Compact,
}

/// The table view's columns, each one a sort key.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TableColumn {
    /// The control id, in board order (AC-2 before AC-10).
    #[default]
    Id,
    /// The title.
    Title,
    /// AWS, shared or customer.
    Column,
    /// Where it stands.
    Status,
    /// Who does it.
    Owner,
    /// When it is due.
    Due,
    /// How many current evidence files it has.
    Evidence,
}

impl TableColumn {
    /// All columns, left to right.
    pub const ALL: [TableColumn; 7] = [
        TableColumn::Id,
        TableColumn::Title,
        TableColumn::Column,
        TableColumn::Status,
        TableColumn::Owner,
        TableColumn::Due,
        TableColumn::Evidence,
    ];

    /// The column's header.
    pub fn label(self) -> &'static str {
        match self {
            TableColumn::Id => "ID",
            TableColumn::Title => "Title",
            TableColumn::Column => "Column",
            TableColumn::Status => "Status",
            TableColumn::Owner => "Owner",
            TableColumn::Due => "Due",
            TableColumn::Evidence => "Evidence",
        }
    }
}

/// How the board is shown: cards or table, density, folded groups and the table's order.
/// A view of the data, never a change to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardView {
    /// Cards or table.
    pub mode: BoardMode,
    /// The cards' size.
    pub density: Density,
    /// Area groups folded away, by column and area name.
    pub collapsed: BTreeSet<(Column, String)>,
    /// The table's sort column.
    pub sort: TableColumn,
    /// Whether the table sorts ascending.
    pub ascending: bool,
}

impl Default for BoardView {
    fn default() -> Self {
        BoardView {
            mode: BoardMode::default(),
            density: Density::default(),
            collapsed: BTreeSet::new(),
            sort: TableColumn::default(),
            ascending: true,
        }
    }
}

impl BoardView {
    /// Sorts the table by `column`: ascending first, descending on a second click.
    pub fn sort_by(&mut self, column: TableColumn) {
        if self.sort == column {
            self.ascending = !self.ascending;
        } else {
            self.sort = column;
            self.ascending = true;
        }
    }

    /// Folds or unfolds one area group of a column.
    pub fn toggle_area(&mut self, column: Column, area: &str) {
        let key = (column, area.to_string());
        if !self.collapsed.remove(&key) {
            self.collapsed.insert(key);
        }
    }

    /// Folds every area group of `controls`, or unfolds them all.
    pub fn collapse_all(&mut self, controls: &[Control], collapse: bool) {
        self.collapsed.clear();
        if collapse {
            self.collapsed = controls
                .iter()
                .map(|c| (c.column, c.area.clone()))
                .collect();
        }
    }
}

/// One row of a board column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BoardRow {
    /// An area heading with the number of cards under it.
    Area {
        /// The area's name.
        name: String,
        /// Cards the filter lets through under it (folded or not).
        count: usize,
        /// Controls of the area in this column, retired ones left out, whatever the filter.
        total: usize,
        /// Of those, implemented or not applicable.
        done: usize,
        /// Whether its cards are folded away.
        collapsed: bool,
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
    /// Cards the filter lets through (folded groups included).
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

/// Lays out the board: each column's rows, grouped by area in board order, folded groups
/// reduced to their heading.
pub fn layout(
    controls: &[Control],
    filter: &BoardFilter,
    collapsed: &BTreeSet<(Column, String)>,
    today: NaiveDate,
    evidence: &HashMap<String, EvidenceSummary>,
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
            // Per area: controls in scope and done, whatever the filter.
            let mut area_counts: HashMap<&str, (usize, usize)> = HashMap::new();
            for (_, control) in in_column().filter(|(_, c)| !c.retired) {
                let counts = area_counts.entry(&control.area).or_default();
                counts.0 += 1;
                counts.1 += usize::from(control.status.is_done());
            }
            let total = area_counts.values().map(|(total, _)| total).sum();
            let done = area_counts.values().map(|(_, done)| done).sum();
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
            let mut rows = Vec::new();
            let mut shown = 0;
            for (area, cards) in areas.into_iter().zip(by_area) {
                let folded = collapsed.contains(&(column, area.to_string()));
                let (area_total, area_done) = area_counts.get(area).copied().unwrap_or_default();
                rows.push(BoardRow::Area {
                    name: area.to_string(),
                    count: cards.len(),
                    total: area_total,
                    done: area_done,
                    collapsed: folded,
                });
                shown += cards.len();
                if !folded {
                    rows.extend(cards.into_iter().map(BoardRow::Card));
                }
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

/// The table view's rows: the index of every control the filter lets through, in the order
/// `view` asks for; ties keep board order.
pub fn table_rows(
    controls: &[Control],
    filter: &BoardFilter,
    view: &BoardView,
    today: NaiveDate,
    evidence: &HashMap<String, EvidenceSummary>,
) -> Vec<usize> {
    let mut rows: Vec<usize> = controls
        .iter()
        .enumerate()
        .filter(|(_, c)| filter.matches(c, today, evidence.get(&c.id)))
        .map(|(index, _)| index)
        .collect();
    let files = |c: &Control| evidence.get(&c.id).map_or(0, |e| e.count);
    let key = |a: &Control, b: &Control| -> Ordering {
        match view.sort {
            TableColumn::Id => Ordering::Equal,
            TableColumn::Title => a.title.to_lowercase().cmp(&b.title.to_lowercase()),
            TableColumn::Column => a.column.cmp(&b.column),
            TableColumn::Status => a.status.cmp(&b.status),
            // Unassigned and undated last when ascending.
            TableColumn::Owner => (a.owner.is_empty(), a.owner.to_lowercase())
                .cmp(&(b.owner.is_empty(), b.owner.to_lowercase())),
            TableColumn::Due => (a.due.is_none(), a.due).cmp(&(b.due.is_none(), b.due)),
            TableColumn::Evidence => files(a).cmp(&files(b)),
        }
    };
    rows.sort_by(|&a, &b| {
        let order = key(&controls[a], &controls[b]).then(a.cmp(&b));
        if view.ascending {
            order
        } else {
            order.reverse()
        }
    });
    rows
}
