//! Colours and sizes shared by the views. Colour always comes with a word beside it, so
//! the board reads the same for colour-blind users; red is kept for overdue and failures.

use egui::Color32;

use crate::model::{Column, Status};

/// Fill of a status chip.
pub fn status_color(status: Status) -> Color32 {
    match status {
        Status::NotStarted => Color32::from_rgb(0x8a, 0x8f, 0x98),
        Status::InProgress => Color32::from_rgb(0xd9, 0x8e, 0x04),
        Status::Implemented => Color32::from_rgb(0x2e, 0x9d, 0x5b),
        Status::NotApplicable => Color32::from_rgb(0x5b, 0x7d, 0xb1),
    }
}

/// The accent of a column's heading.
pub fn column_color(column: Column) -> Color32 {
    match column {
        Column::Aws => Color32::from_rgb(0xff, 0x99, 0x00),
        Column::Shared => Color32::from_rgb(0x8c, 0x6b, 0xd6),
        Column::Customer => Color32::from_rgb(0x1f, 0x9e, 0xd1),
    }
}

/// One sentence under a column's heading saying whose it is.
pub fn column_caption(column: Column) -> &'static str {
    match column {
        Column::Aws => "Inherited from AWS: security of the cloud",
        Column::Shared => "AWS does one part, you do the other",
        Column::Customer => "Yours: security in the cloud",
    }
}

/// Amber for what expires soon.
pub const WARNING: egui::Color32 = egui::Color32::from_rgb(0xc2, 0x7c, 0x0e);

/// Red for overdue and failures.
pub const DANGER: Color32 = Color32::from_rgb(0xd6, 0x3b, 0x3b);

/// Height of an area heading row on the board.
pub const AREA_ROW_HEIGHT: f32 = 26.0;
/// Height of a card row on the board, spacing included.
pub const CARD_ROW_HEIGHT: f32 = 86.0;
/// Height of a compact (one-line) card row, spacing included.
pub const COMPACT_ROW_HEIGHT: f32 = 34.0;
/// Gap between cards.
pub const CARD_GAP: f32 = 6.0;
