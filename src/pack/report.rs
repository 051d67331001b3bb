//! The pack's generated files: the report page, the spreadsheets and the workbook.
//!
//! The auditor reads these without Lockstep, so each stands on its own. `index.html` is one
//! page with its stylesheet inline and no scripts or outside resources: it opens from the
//! unzipped folder in any browser, its evidence links are relative paths into the pack, and
//! its print stylesheet makes "Print to PDF" a clean document. The CSV files and the
//! workbook carry the same tables for filtering and sorting.
//!
//! Everything here is text somebody typed (titles, notes, file names, statements), and the
//! files are opened by tools that would act on it: a browser runs markup, a spreadsheet
//! runs a cell that starts with `=`. So every piece of user text on the page goes through
//! [`escape_html`] and every spreadsheet cell through [`neutralise_cell`].
//!
//! The pack must be byte-identical for the same workspace and as-of date, so nothing here
//! reads the clock or iterates a hash map: rows follow the snapshot's order, and the
//! workbook's creation time is the as-of date rather than the moment it was built.

use std::borrow::Cow;

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, XlsxError};

use super::{PackControl, PackData};
use crate::model::{Column, PatchState, Severity, Status, TrainingState};

/// Why the generated files could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A CSV file could not be written.
    #[error("could not write {file}")]
    Csv {
        /// The file's name in the pack.
        file: &'static str,
        /// What went wrong.
        #[source]
        source: csv::Error,
    },
    /// The workbook failed to build.
    #[error("could not build the workbook")]
    Workbook(#[from] XlsxError),
}

/// The generated files of a pack, in pack order, each path with its bytes.
pub fn report_files(data: &PackData) -> Result<Vec<(String, Vec<u8>)>, ReportError> {
    let tables = tables(data);
    let mut files = Vec::with_capacity(tables.len() + 2);
    files.push(("index.html".to_string(), index_html(data).into_bytes()));
    for table in &tables {
        files.push((table.file.to_string(), csv_bytes(table)?));
    }
    files.push((
        "evidence-pack.xlsx".to_string(),
        workbook_bytes(data, &tables)?,
    ));
    Ok(files)
}

/// Neutralises a spreadsheet cell that would run as a formula.
///
/// A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`,
/// so a spreadsheet shows it as text. A negative number such as `-3` or `-2.5` is left as
/// it is.
pub fn neutralise_cell(text: &str) -> String {
    let risky = match text.chars().next() {
        Some('=' | '+' | '@' | '\t' | '\r') => true,
        Some('-') => !is_plain_number(&text[1..]),
        _ => false,
    };
    if risky {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// Whether `text` is digits with at most one decimal point (`3`, `2.5`, `.5`).
fn is_plain_number(text: &str) -> bool {
    let mut digits = 0;
    let mut points = 0;
    for c in text.chars() {
        match c {
            '0'..='9' => digits += 1,
            '.' => points += 1,
            _ => return false,
        }
    }
    digits > 0 && points <= 1
}

/// Escapes text for HTML.
///
/// Escapes `&`, `<`, `>`, `"` and `'`, so the result is safe both between tags and inside
/// a quoted attribute.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Percent-encodes a pack path for an `href`, keeping `/` so the link stays relative.
fn encode_href(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// The tables behind the CSV files and the workbook.
// ---------------------------------------------------------------------------------------

/// One cell of a table, typed so the workbook can write numbers and dates as such.
enum Cell {
    /// Text as the user gave it (neutralised on the way out).
    Text(String),
    /// A whole number, or an empty cell.
    Number(Option<i64>),
    /// A calendar date, or an empty cell.
    Date(Option<NaiveDate>),
    /// A UTC timestamp in RFC 3339, as stored.
    Stamp(String),
    /// Yes or no.
    Flag(bool),
}

impl Cell {
    fn text(text: &str) -> Cell {
        Cell::Text(text.to_string())
    }

    /// The cell as CSV text, before neutralising.
    fn plain(&self) -> Cow<'_, str> {
        match self {
            Cell::Text(text) | Cell::Stamp(text) => Cow::Borrowed(text),
            Cell::Number(number) => number.map_or(Cow::Borrowed(""), |n| Cow::Owned(n.to_string())),
            Cell::Date(date) => date.map_or(Cow::Borrowed(""), |d| Cow::Owned(d.to_string())),
            Cell::Flag(flag) => Cow::Borrowed(if *flag { "true" } else { "false" }),
        }
    }
}

/// One table: a CSV file and the workbook sheet with the same columns.
struct Table {
    /// The CSV file's name in the pack.
    file: &'static str,
    /// The workbook sheet's name.
    sheet: &'static str,
    /// Column names, in order.
    header: &'static [&'static str],
    /// One row per item, each as long as the header.
    rows: Vec<Vec<Cell>>,
}

fn size_number(size_bytes: u64) -> Cell {
    Cell::Number(Some(i64::try_from(size_bytes).unwrap_or(i64::MAX)))
}

/// The six tables, in pack order.
fn tables(data: &PackData) -> Vec<Table> {
    vec![
        controls_table(data),
        evidence_table(data),
        training_table(data),
        patches_table(data),
        signoffs_table(data),
        activity_table(data),
    ]
}

fn controls_table(data: &PackData) -> Table {
    let rows = data
        .controls
        .iter()
        .map(|pc| {
            let c = &pc.control;
            let signoffs = pc
                .signoffs
                .iter()
                .map(|s| s.id.to_string())
                .collect::<Vec<_>>()
                .join(" ");
            vec![
                Cell::text(&c.id),
                Cell::text(c.column.as_str()),
                Cell::text(&c.area),
                Cell::text(&c.title),
                Cell::text(c.status.as_str()),
                Cell::text(&c.status_reason),
                Cell::text(&c.owner),
                Cell::Date(c.due),
                Cell::Flag(pc.overdue),
                Cell::Number(c.review_days.map(i64::from)),
                Cell::Text(c.services.join(" ")),
                Cell::Text(c.nist.join(" ")),
                Cell::text(&c.aws_part),
                Cell::text(&c.customer_part),
                Cell::text(&c.notes),
                Cell::Number(Some(i64::try_from(pc.evidence.len()).unwrap_or(i64::MAX))),
                Cell::Text(signoffs),
            ]
        })
        .collect();
    Table {
        file: "controls.csv",
        sheet: "Controls",
        header: &[
            "id",
            "column",
            "area",
            "title",
            "status",
            "status_reason",
            "owner",
            "due",
            "overdue",
            "review_days",
            "services",
            "nist",
            "aws_part",
            "customer_part",
            "notes",
            "evidence_count",
            "signoffs",
        ],
        rows,
    }
}

fn evidence_table(data: &PackData) -> Table {
    let rows = data
        .evidence()
        .map(|(_, pe)| {
            let e = &pe.evidence;
            vec![
                Cell::Number(Some(e.id)),
                Cell::text(&e.control),
                Cell::text(&e.file_name),
                Cell::text(&pe.path),
                size_number(e.size_bytes),
                Cell::text(&e.media_type),
                Cell::text(&e.sha256),
                Cell::text(&e.description),
                Cell::Date(Some(e.collected_on)),
                Cell::Date(e.valid_until),
                Cell::text(&e.added_by),
                Cell::Stamp(e.added_at.clone()),
            ]
        })
        .collect();
    Table {
        file: "evidence.csv",
        sheet: "Evidence",
        header: &[
            "evidence_id",
            "control",
            "file_name",
            "path",
            "size_bytes",
            "media_type",
            "sha256",
            "description",
            "collected_on",
            "valid_until",
            "added_by",
            "added_at",
        ],
        rows,
    }
}

fn training_table(data: &PackData) -> Table {
    let rows = data
        .roster
        .iter()
        .map(|r| {
            vec![
                Cell::text(&r.email),
                Cell::text(&r.name),
                Cell::text(&r.course),
                Cell::Date(r.completed_on),
                Cell::Date(r.expires_on),
                Cell::text(r.state.as_str()),
            ]
        })
        .collect();
    Table {
        file: "training.csv",
        sheet: "Training",
        header: &[
            "email",
            "name",
            "course",
            "completed_on",
            "expires_on",
            "state",
        ],
        rows,
    }
}

fn patches_table(data: &PackData) -> Table {
    let rows = data
        .patches
        .iter()
        .map(|p| {
            vec![
                Cell::text(&p.asset),
                Cell::text(&p.advisory),
                Cell::text(p.severity.as_str()),
                Cell::Date(Some(p.released_on)),
                Cell::Date(Some(p.deadline)),
                Cell::Date(p.applied_on),
                Cell::Number(p.days_to_patch),
                Cell::text(p.state.as_str()),
                Cell::text(&p.attested_by),
                Cell::Text(p.evidence_sha256.clone().unwrap_or_default()),
            ]
        })
        .collect();
    Table {
        file: "patches.csv",
        sheet: "Patches",
        header: &[
            "asset",
            "advisory",
            "severity",
            "released_on",
            "deadline",
            "applied_on",
            "days_to_patch",
            "state",
            "attested_by",
            "evidence_sha256",
        ],
        rows,
    }
}

fn signoffs_table(data: &PackData) -> Table {
    let rows = data
        .signoffs
        .iter()
        .map(|s| {
            vec![
                Cell::Number(Some(s.id)),
                Cell::text(&s.subject),
                Cell::text(&s.by),
                Cell::text(&s.role),
                Cell::text(&s.statement),
                Cell::Stamp(s.signed_at.clone()),
                Cell::Flag(s.stale),
                Cell::Flag(s.superseded),
            ]
        })
        .collect();
    Table {
        file: "signoffs.csv",
        sheet: "Sign-offs",
        header: &[
            "id",
            "subject",
            "by",
            "role",
            "statement",
            "signed_at",
            "stale",
            "superseded",
        ],
        rows,
    }
}

fn activity_table(data: &PackData) -> Table {
    let rows = data
        .activity
        .iter()
        .map(|a| {
            vec![
                Cell::Number(Some(a.seq)),
                Cell::Stamp(a.at.clone()),
                Cell::text(&a.actor),
                Cell::text(&a.subject),
                Cell::text(&a.action),
                Cell::text(&a.summary),
                Cell::text(&a.hash),
            ]
        })
        .collect();
    Table {
        file: "activity.csv",
        sheet: "Activity",
        header: &["seq", "at", "actor", "subject", "action", "summary", "hash"],
        rows,
    }
}

fn csv_bytes(table: &Table) -> Result<Vec<u8>, ReportError> {
    let fail = |source| ReportError::Csv {
        file: table.file,
        source,
    };
    let mut bytes = Vec::new();
    {
        let mut writer = csv::Writer::from_writer(&mut bytes);
        writer.write_record(table.header).map_err(fail)?;
        for row in &table.rows {
            writer
                .write_record(row.iter().map(|cell| neutralise_cell(&cell.plain())))
                .map_err(fail)?;
        }
        writer.flush().map_err(|e| fail(e.into()))?;
    }
    Ok(bytes)
}

// ---------------------------------------------------------------------------------------
// The workbook.
// ---------------------------------------------------------------------------------------

/// The longest text an Excel cell holds, in UTF-16 code units.
const EXCEL_MAX_TEXT: usize = 32_767;
/// The widest a column is sized to, in characters.
const MAX_COLUMN_WIDTH: usize = 60;
/// The narrowest a column is sized to, in characters.
const MIN_COLUMN_WIDTH: usize = 6;

fn workbook_bytes(data: &PackData, tables: &[Table]) -> Result<Vec<u8>, ReportError> {
    let mut workbook = Workbook::new();
    // A fixed creation time, so the same snapshot gives the same bytes.
    let created = match excel_date(data.as_of) {
        Some(day) => day,
        None => ExcelDateTime::from_ymd(1980, 1, 1)?,
    };
    let properties = DocProperties::new()
        .set_title(printable(&format!("Evidence pack: {}", data.project.name)))
        .set_author(printable(&data.generated_by))
        .set_comment(printable(&format!(
            "Generated by {} as of {}",
            data.generator, data.as_of
        )))
        .set_creation_datetime(&created);
    workbook.set_properties(&properties);

    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let stamp = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");

    for table in tables {
        let sheet = workbook.add_worksheet();
        sheet.set_name(table.sheet)?;
        let mut widths: Vec<usize> = table.header.iter().map(|h| h.chars().count()).collect();
        for (col, name) in (0u16..).zip(table.header.iter()) {
            sheet.write_string_with_format(0, col, *name, &bold)?;
        }
        for (row, cells) in (1u32..).zip(&table.rows) {
            for ((col, cell), width) in (0u16..).zip(cells).zip(widths.iter_mut()) {
                let shown = match cell {
                    Cell::Text(text) => {
                        let text = excel_text(&neutralise_cell(text));
                        sheet.write_string(row, col, text.as_str())?;
                        text.chars().count()
                    }
                    Cell::Number(Some(number)) => {
                        sheet.write_number(row, col, *number as f64)?;
                        number.to_string().len()
                    }
                    Cell::Date(Some(day)) => {
                        match excel_date(*day) {
                            Some(value) => {
                                sheet.write_datetime_with_format(row, col, value, &date)?
                            }
                            None => sheet.write_string(row, col, day.to_string())?,
                        };
                        10
                    }
                    Cell::Stamp(text) => match excel_stamp(text) {
                        Some(value) => {
                            sheet.write_datetime_with_format(row, col, value, &stamp)?;
                            19
                        }
                        None => {
                            let text = excel_text(&neutralise_cell(text));
                            sheet.write_string(row, col, text.as_str())?;
                            text.chars().count()
                        }
                    },
                    Cell::Flag(flag) => {
                        sheet.write_boolean(row, col, *flag)?;
                        5
                    }
                    Cell::Number(None) | Cell::Date(None) => 0,
                };
                *width = (*width).max(shown);
            }
        }
        for (col, width) in (0u16..).zip(&widths) {
            let width = (width + 2).clamp(MIN_COLUMN_WIDTH, MAX_COLUMN_WIDTH);
            sheet.set_column_width(col, width as f64)?;
        }
        sheet.set_freeze_panes(1, 0)?;
        if let Some(last_row) = u32::try_from(table.rows.len()).ok().filter(|n| *n > 0) {
            let last_col = u16::try_from(table.header.len().saturating_sub(1)).unwrap_or(0);
            sheet.autofilter(0, 0, last_row, last_col)?;
        }
    }
    Ok(workbook.save_to_buffer()?)
}

/// A calendar date as an Excel date, if Excel can hold it (years 1900 to 9999).
fn excel_date(day: NaiveDate) -> Option<ExcelDateTime> {
    let year = u16::try_from(day.year()).ok()?;
    let month = u8::try_from(day.month()).ok()?;
    let dom = u8::try_from(day.day()).ok()?;
    ExcelDateTime::from_ymd(year, month, dom).ok()
}

/// An RFC 3339 timestamp as an Excel date and time in UTC, if it parses and fits.
fn excel_stamp(text: &str) -> Option<ExcelDateTime> {
    let at = DateTime::parse_from_rfc3339(text).ok()?.with_timezone(&Utc);
    let hour = u16::try_from(at.hour()).ok()?;
    let minute = u8::try_from(at.minute()).ok()?;
    excel_date(at.date_naive())?
        .and_hms(hour, minute, at.second())
        .ok()
}

/// Text cut to what an Excel cell holds; the CSV files keep the whole text.
fn excel_text(text: &str) -> String {
    let mut units = 0;
    text.chars()
        .take_while(|c| {
            units += c.len_utf16();
            units <= EXCEL_MAX_TEXT
        })
        .collect()
}

/// Text without control characters, for the workbook's document properties.
fn printable(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).collect()
}

// ---------------------------------------------------------------------------------------
// The report page.
// ---------------------------------------------------------------------------------------

const STYLE: &str = r#"
:root {
  --ink: #1f2933; --muted: #5b6675; --line: #dde2e8; --page: #f5f6f8; --card: #ffffff;
  --green: #1f7a4d; --blue: #2457a6; --grey: #6b7280; --slate: #4b5a6b; --amber: #9a6200;
  --red: #b42318;
}
* { box-sizing: border-box; }
body {
  margin: 0; background: var(--page); color: var(--ink);
  font: 14px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
main { max-width: 1120px; margin: 0 auto; padding: 32px 24px 64px; }
h1 { font-size: 26px; margin: 0 0 4px; font-weight: 650; }
h2 { font-size: 20px; margin: 0 0 4px; font-weight: 650; }
h3 { font-size: 15px; margin: 0; font-weight: 600; }
h4 { font-size: 12px; margin: 12px 0 4px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
p { margin: 4px 0; }
a { color: var(--blue); }
.lead { color: var(--muted); margin: 0 0 16px; }
.pre { white-space: pre-wrap; overflow-wrap: anywhere; }
.muted { color: var(--muted); }
.mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; overflow-wrap: anywhere; }
.empty { color: var(--muted); font-style: italic; }
header.cover { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 24px 28px; margin-bottom: 24px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 20px; margin: 16px 0 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
nav.toc { margin: 0 0 24px; font-size: 13px; }
nav.toc a { margin-right: 16px; }
section.part { margin: 0 0 40px; }
table { width: 100%; border-collapse: collapse; background: var(--card); border: 1px solid var(--line); margin: 8px 0; font-size: 13px; }
th, td { text-align: left; vertical-align: top; padding: 6px 10px; border-bottom: 1px solid var(--line); }
th { font-weight: 600; color: var(--muted); font-size: 12px; background: #fafbfc; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.progress { display: inline-block; width: 96px; height: 8px; border-radius: 4px; background: var(--line); vertical-align: middle; margin-right: 8px; overflow: hidden; }
.progress span { display: block; height: 100%; background: var(--green); }
article.control { background: var(--card); border: 1px solid var(--line); border-left: 4px solid var(--grey); border-radius: 6px; padding: 14px 18px; margin: 12px 0; }
article.control.st-implemented { border-left-color: var(--green); }
article.control.st-in_progress { border-left-color: var(--blue); }
article.control.st-not_applicable { border-left-color: var(--slate); }
article.control.late { border-left-color: var(--red); }
.control-head { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 12px; }
.control-id { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; color: var(--muted); }
.control-head .status { margin-left: auto; }
dl.meta { display: flex; flex-wrap: wrap; gap: 2px 24px; margin: 8px 0 0; font-size: 13px; }
dl.meta div { display: flex; gap: 6px; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; }
.parts { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
.status, .state { font-weight: 600; white-space: nowrap; }
.status.st-not_started { color: var(--grey); }
.status.st-in_progress { color: var(--blue); }
.status.st-implemented { color: var(--green); }
.status.st-not_applicable { color: var(--slate); }
.good { color: var(--green); }
.warn { color: var(--amber); }
.bad { color: var(--red); }
.flag { display: inline-block; font-size: 11px; font-weight: 700; letter-spacing: .04em; padding: 0 6px; border-radius: 3px; border: 1px solid currentColor; margin-left: 6px; }
ul.signoffs { margin: 4px 0; padding-left: 18px; }
footer { color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); padding-top: 12px; }
@media (max-width: 720px) { .parts { grid-template-columns: 1fr; } }
@media print {
  @page { margin: 16mm 14mm; }
  body { background: none; font-size: 10pt; }
  main { max-width: none; padding: 0; }
  nav.toc { display: none; }
  header.cover, article.control, table { border-color: #999; }
  header.cover { border: none; padding: 0; }
  section.part { break-before: page; margin: 0; }
  article.control, tr { break-inside: avoid; }
  h2, h3, h4 { break-after: avoid; }
  thead { display: table-header-group; }
  th { background: none; }
  a { color: inherit; text-decoration: none; }
  .progress { border: 1px solid #999; }
}
"#;

/// Builds the report page.
fn index_html(data: &PackData) -> String {
    let mut out = String::with_capacity(64 * 1024);
    let name = escape_html(&data.project.name);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str(&format!("<title>Evidence pack: {name}</title>\n"));
    out.push_str(&format!(
        "<style>{STYLE}</style>\n</head>\n<body>\n<main>\n"
    ));

    cover_html(&mut out, data);
    out.push_str(
        "<nav class=\"toc\"><a href=\"#summary\">Summary</a><a href=\"#column-aws\">AWS</a>\
         <a href=\"#column-shared\">Shared</a><a href=\"#column-customer\">Customer</a>\
         <a href=\"#training\">Training</a><a href=\"#patches\">Patches</a>\
         <a href=\"#signoffs\">Sign-offs</a><a href=\"#activity\">Activity</a></nav>\n",
    );
    summary_html(&mut out, data);
    for column in Column::ALL {
        column_html(&mut out, data, column);
    }
    training_html(&mut out, data);
    patches_html(&mut out, data);
    signoffs_html(&mut out, data);
    activity_html(&mut out, data);
    out.push_str(&format!(
        "<footer>Generated by {} with {}, showing the project as of {}. \
         Check the pack's files with <span class=\"mono\">sha256sum -c SHA256SUMS</span>.\
         </footer>\n",
        escape_html(&data.generated_by),
        escape_html(&data.generator),
        data.as_of
    ));
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

fn or_dash(text: &str) -> String {
    if text.trim().is_empty() {
        "—".to_string()
    } else {
        escape_html(text)
    }
}

fn date_or_dash(day: Option<NaiveDate>) -> String {
    day.map_or_else(|| "—".to_string(), |d| d.to_string())
}

fn status_html(status: Status) -> String {
    format!(
        "<span class=\"status st-{}\"><span aria-hidden=\"true\">●</span> {}</span>",
        status.as_str(),
        status.label()
    )
}

fn training_state_html(state: TrainingState) -> String {
    let class = match state {
        TrainingState::Current => "good",
        TrainingState::Expiring => "warn",
        TrainingState::Expired | TrainingState::Missing => "bad",
    };
    format!(
        "<span class=\"state {class}\"><span aria-hidden=\"true\">●</span> {}</span>",
        state.label()
    )
}

fn patch_state_html(state: PatchState) -> String {
    let class = match state {
        PatchState::OnTime => "good",
        PatchState::Open => "warn",
        PatchState::Late | PatchState::Overdue => "bad",
    };
    format!(
        "<span class=\"state {class}\"><span aria-hidden=\"true\">●</span> {}</span>",
        state.label()
    )
}

fn severity_html(severity: Severity) -> String {
    let class = match severity {
        Severity::Critical => "bad",
        Severity::High => "warn",
        Severity::Medium | Severity::Low => "muted",
    };
    format!("<span class=\"{class}\">{}</span>", severity.label())
}

fn cover_html(out: &mut String, data: &PackData) {
    let project = &data.project;
    out.push_str("<header class=\"cover\">\n");
    out.push_str("<p class=\"muted\">Evidence pack</p>\n");
    out.push_str(&format!("<h1>{}</h1>\n", escape_html(&project.name)));
    if !project.description.trim().is_empty() {
        out.push_str(&format!(
            "<p class=\"pre\">{}</p>\n",
            escape_html(&project.description)
        ));
    }
    let services = if project.services.is_empty() {
        "—".to_string()
    } else {
        escape_html(&project.services.join(", "))
    };
    let period = match (project.period_start, project.period_end) {
        (None, None) => "not set".to_string(),
        (start, end) => format!("{} to {}", date_or_dash(start), date_or_dash(end)),
    };
    out.push_str("<dl class=\"facts\">\n");
    for (term, value) in [
        ("AWS services", services),
        ("Audit period", period),
        ("As of", data.as_of.to_string()),
        (
            "Patches and activity",
            format!("released or recorded {} to {}", data.from, data.to),
        ),
        (
            "Generated by",
            format!(
                "{} with {}",
                escape_html(&data.generated_by),
                escape_html(&data.generator)
            ),
        ),
    ] {
        out.push_str(&format!("<dt>{term}</dt><dd>{value}</dd>\n"));
    }
    out.push_str("</dl>\n</header>\n");
}

/// Counts of one column's controls.
struct Tally {
    by_status: [usize; 4],
    overdue: usize,
    evidence: usize,
    total: usize,
}

impl Tally {
    fn of<'a>(controls: impl Iterator<Item = &'a PackControl>) -> Tally {
        let mut tally = Tally {
            by_status: [0; 4],
            overdue: 0,
            evidence: 0,
            total: 0,
        };
        for pc in controls {
            if let Some(i) = Status::ALL.iter().position(|s| *s == pc.control.status) {
                tally.by_status[i] += 1;
            }
            tally.overdue += usize::from(pc.overdue);
            tally.evidence += pc.evidence.len();
            tally.total += 1;
        }
        tally
    }

    fn done(&self) -> usize {
        Status::ALL
            .iter()
            .zip(self.by_status)
            .filter(|(status, _)| status.is_done())
            .map(|(_, n)| n)
            .sum()
    }

    fn percent(&self) -> usize {
        (self.done() * 100).checked_div(self.total).unwrap_or(0)
    }
}

fn column_blurb(column: Column) -> &'static str {
    match column {
        Column::Aws => {
            "Security of the cloud: AWS operates these controls. The evidence is AWS's own \
             attestation reports."
        }
        Column::Shared => "AWS does one part and the customer does another, in separate contexts.",
        Column::Customer => "Security in the cloud: the customer operates these controls.",
    }
}

fn summary_html(out: &mut String, data: &PackData) {
    out.push_str("<section id=\"summary\">\n<h2>Summary</h2>\n");
    out.push_str("<p class=\"lead\">Controls in scope on the as-of date, by column. Done means implemented or not applicable.</p>\n");
    out.push_str("<table>\n<thead><tr><th>Column</th>");
    for status in Status::ALL {
        out.push_str(&format!("<th class=\"num\">{}</th>", status.label()));
    }
    out.push_str(
        "<th class=\"num\">Overdue</th><th class=\"num\">Evidence files</th><th>Progress</th></tr></thead>\n<tbody>\n",
    );
    let mut rows: Vec<(String, Tally)> = Column::ALL
        .into_iter()
        .map(|column| {
            let tally = Tally::of(
                data.controls
                    .iter()
                    .filter(|pc| pc.control.column == column),
            );
            (
                format!(
                    "<a href=\"#column-{}\">{}</a>",
                    column.as_str(),
                    column.label()
                ),
                tally,
            )
        })
        .collect();
    rows.push((
        "<strong>All</strong>".to_string(),
        Tally::of(data.controls.iter()),
    ));
    for (label, tally) in &rows {
        out.push_str(&format!("<tr><td>{label}</td>"));
        for n in tally.by_status {
            out.push_str(&format!("<td class=\"num\">{n}</td>"));
        }
        let overdue = if tally.overdue > 0 {
            format!("<span class=\"bad\">{}</span>", tally.overdue)
        } else {
            "0".to_string()
        };
        out.push_str(&format!(
            "<td class=\"num\">{overdue}</td><td class=\"num\">{}</td>\
             <td><span class=\"progress\"><span style=\"width:{}%\"></span></span>{} / {} done</td></tr>\n",
            tally.evidence,
            tally.percent(),
            tally.done(),
            tally.total
        ));
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

fn column_html(out: &mut String, data: &PackData, column: Column) {
    let tally = Tally::of(
        data.controls
            .iter()
            .filter(|pc| pc.control.column == column),
    );
    out.push_str(&format!(
        "<section class=\"part\" id=\"column-{}\">\n<h2>{}</h2>\n<p class=\"lead\">{} {} / {} done.</p>\n",
        column.as_str(),
        column.label(),
        column_blurb(column),
        tally.done(),
        tally.total
    ));
    let mut any = false;
    for pc in data
        .controls
        .iter()
        .filter(|pc| pc.control.column == column)
    {
        control_html(out, data, pc);
        any = true;
    }
    if !any {
        out.push_str("<p class=\"empty\">No controls in this column.</p>\n");
    }
    out.push_str("</section>\n");
}

fn control_html(out: &mut String, data: &PackData, pc: &PackControl) {
    let c = &pc.control;
    let late = if pc.overdue { " late" } else { "" };
    out.push_str(&format!(
        "<article class=\"control st-{}{late}\">\n<div class=\"control-head\">\
         <span class=\"control-id\">{}</span><h3>{}</h3>{}</div>\n",
        c.status.as_str(),
        escape_html(&c.id),
        escape_html(&c.title),
        status_html(c.status)
    ));

    let due = match c.due {
        Some(day) if pc.overdue => {
            format!("{day} <span class=\"flag bad\">OVERDUE</span>")
        }
        Some(day) => day.to_string(),
        None => "—".to_string(),
    };
    let mut meta = vec![
        ("Area", or_dash(&c.area)),
        ("Owner", or_dash(&c.owner)),
        ("Due", due),
    ];
    if let Some(days) = c.review_days {
        meta.push(("Review every", format!("{days} days")));
    }
    meta.push(("Services", or_dash(&c.services.join(", "))));
    meta.push(("NIST SP 800-53", or_dash(&c.nist.join(", "))));
    out.push_str("<dl class=\"meta\">");
    for (term, value) in meta {
        out.push_str(&format!("<div><dt>{term}</dt><dd>{value}</dd></div>"));
    }
    out.push_str("</dl>\n");

    if !c.description.trim().is_empty() {
        out.push_str(&format!(
            "<p class=\"pre\">{}</p>\n",
            escape_html(&c.description)
        ));
    }
    if c.column == Column::Shared {
        out.push_str(&format!(
            "<div class=\"parts\"><div><h4>AWS does</h4><p class=\"pre\">{}</p></div>\
             <div><h4>You do</h4><p class=\"pre\">{}</p></div></div>\n",
            or_dash(&c.aws_part),
            or_dash(&c.customer_part)
        ));
    }
    if !c.status_reason.trim().is_empty() {
        out.push_str(&format!(
            "<h4>Status reason</h4><p class=\"pre\">{}</p>\n",
            escape_html(&c.status_reason)
        ));
    }
    if !c.notes.trim().is_empty() {
        out.push_str(&format!(
            "<h4>Notes</h4><p class=\"pre\">{}</p>\n",
            escape_html(&c.notes)
        ));
    }

    out.push_str(&format!("<h4>Evidence ({})</h4>\n", pc.evidence.len()));
    if pc.evidence.is_empty() {
        out.push_str("<p class=\"empty\">No evidence current on the as-of date.</p>\n");
    } else {
        out.push_str(
            "<table>\n<thead><tr><th>File</th><th class=\"num\">Size</th><th>Collected on</th>\
             <th>Valid until</th><th>SHA-256</th></tr></thead>\n<tbody>\n",
        );
        for pe in &pc.evidence {
            let e = &pe.evidence;
            let valid_until = match e.valid_until {
                Some(end) if end < data.as_of => {
                    format!("{end} <span class=\"flag bad\">EXPIRED</span>")
                }
                other => date_or_dash(other),
            };
            let description = if e.description.trim().is_empty() {
                String::new()
            } else {
                format!(
                    "<br><span class=\"muted pre\">{}</span>",
                    escape_html(&e.description)
                )
            };
            out.push_str(&format!(
                "<tr><td><a href=\"{}\">{}</a><br><span class=\"mono muted\">{}</span>{description}</td>\
                 <td class=\"num\">{}</td><td>{}</td><td>{valid_until}</td>\
                 <td class=\"mono\">{}</td></tr>\n",
                escape_html(&encode_href(&pe.path)),
                escape_html(&e.file_name),
                escape_html(&pe.path),
                human_size(e.size_bytes),
                e.collected_on,
                escape_html(&e.sha256)
            ));
        }
        out.push_str("</tbody>\n</table>\n");
    }

    if !pc.signoffs.is_empty() {
        out.push_str("<h4>Sign-offs</h4>\n<ul class=\"signoffs\">\n");
        for s in &pc.signoffs {
            out.push_str(&format!(
                "<li>{}{} on {}{}: <span class=\"pre\">{}</span></li>\n",
                escape_html(&s.by),
                role_suffix(&s.role),
                escape_html(&s.signed_at),
                signoff_flags(s.stale, s.superseded),
                escape_html(&s.statement)
            ));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</article>\n");
}

fn role_suffix(role: &str) -> String {
    if role.trim().is_empty() {
        String::new()
    } else {
        format!(" ({})", escape_html(role))
    }
}

fn signoff_flags(stale: bool, superseded: bool) -> String {
    let mut flags = String::new();
    if stale {
        flags.push_str(
            " <span class=\"flag bad\" title=\"What was signed changed afterwards\">STALE</span>",
        );
    }
    if superseded {
        flags.push_str(
            " <span class=\"flag muted\" title=\"A later sign-off of the same subject exists\">SUPERSEDED</span>",
        );
    }
    flags
}

/// A size for people: bytes below 1 KiB, then KiB, MiB or GiB with one decimal.
fn human_size(size_bytes: u64) -> String {
    const UNITS: [&str; 3] = ["KiB", "MiB", "GiB"];
    if size_bytes < 1024 {
        return format!("{size_bytes} B");
    }
    let mut value = size_bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

fn training_html(out: &mut String, data: &PackData) {
    out.push_str("<section class=\"part\" id=\"training\">\n<h2>Training</h2>\n");
    let counts: Vec<String> = TrainingState::ALL
        .into_iter()
        .map(|state| {
            let n = data.roster.iter().filter(|r| r.state == state).count();
            format!("{n} {}", state.label().to_lowercase())
        })
        .collect();
    out.push_str(&format!(
        "<p class=\"lead\">Each active person on each course, as of {}: {}. Expiring means within 30 days.</p>\n",
        data.as_of,
        counts.join(", ")
    ));
    if data.roster.is_empty() {
        out.push_str("<p class=\"empty\">No one on the roster.</p>\n</section>\n");
        return;
    }
    out.push_str(
        "<table>\n<thead><tr><th>Name</th><th>Email</th><th>Course</th><th>Completed on</th>\
         <th>Expires on</th><th>State</th></tr></thead>\n<tbody>\n",
    );
    for r in &data.roster {
        out.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            escape_html(&r.name),
            escape_html(&r.email),
            escape_html(&r.course),
            date_or_dash(r.completed_on),
            date_or_dash(r.expires_on),
            training_state_html(r.state)
        ));
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

fn patches_html(out: &mut String, data: &PackData) {
    out.push_str("<section class=\"part\" id=\"patches\">\n<h2>Patches</h2>\n");
    let deadlines: Vec<String> = Severity::ALL
        .into_iter()
        .map(|severity| {
            format!(
                "{} {} days",
                severity.label(),
                data.deadlines.days(severity)
            )
        })
        .collect();
    out.push_str(&format!(
        "<p class=\"lead\">Advisories released {} to {}, states as of {}. Deadlines in force, \
         from release: {}.</p>\n",
        data.from,
        data.to,
        data.as_of,
        deadlines.join(", ")
    ));
    if data.patches.is_empty() {
        out.push_str("<p class=\"empty\">No patch records in the period.</p>\n</section>\n");
        return;
    }
    out.push_str(
        "<table>\n<thead><tr><th>Asset</th><th>Advisory</th><th>Severity</th><th>Released</th>\
         <th>Deadline</th><th>Applied</th><th class=\"num\">Days to patch</th><th>State</th>\
         <th>Attested by</th></tr></thead>\n<tbody>\n",
    );
    for p in &data.patches {
        out.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td class=\"num\">{}</td><td>{}</td><td>{}</td></tr>\n",
            escape_html(&p.asset),
            escape_html(&p.advisory),
            severity_html(p.severity),
            p.released_on,
            p.deadline,
            date_or_dash(p.applied_on),
            p.days_to_patch
                .map_or_else(|| "—".to_string(), |d| d.to_string()),
            patch_state_html(p.state),
            or_dash(&p.attested_by)
        ));
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

fn signoffs_html(out: &mut String, data: &PackData) {
    out.push_str("<section class=\"part\" id=\"signoffs\">\n<h2>Sign-offs</h2>\n");
    out.push_str(
        "<p class=\"lead\">Sign-offs made up to the as-of date. Stale: what was signed changed \
         afterwards. Superseded: a later sign-off of the same subject exists.</p>\n",
    );
    if data.signoffs.is_empty() {
        out.push_str("<p class=\"empty\">No sign-offs.</p>\n</section>\n");
        return;
    }
    out.push_str(
        "<table>\n<thead><tr><th class=\"num\">#</th><th>Subject</th><th>By</th><th>Role</th>\
         <th>Statement</th><th>Signed at</th><th>Standing</th></tr></thead>\n<tbody>\n",
    );
    for s in &data.signoffs {
        let standing = match (s.stale, s.superseded) {
            (false, false) => "<span class=\"good\">Current</span>".to_string(),
            (stale, superseded) => signoff_flags(stale, superseded),
        };
        out.push_str(&format!(
            "<tr><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td class=\"pre\">{}</td><td>{}</td><td>{standing}</td></tr>\n",
            s.id,
            escape_html(&s.subject),
            escape_html(&s.by),
            or_dash(&s.role),
            escape_html(&s.statement),
            escape_html(&s.signed_at)
        ));
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

fn activity_html(out: &mut String, data: &PackData) {
    out.push_str("<section class=\"part\" id=\"activity\">\n<h2>Activity</h2>\n");
    out.push_str(&format!(
        "<p class=\"lead\">The project's activity log from {} to {}. The rows with their chain \
         hashes are in <span class=\"mono\">activity.csv</span>.</p>\n",
        data.from, data.to
    ));
    if data.activity.is_empty() {
        out.push_str("<p class=\"empty\">No activity in the period.</p>\n</section>\n");
        return;
    }
    out.push_str(
        "<table>\n<thead><tr><th>At</th><th>Actor</th><th>Subject</th><th>Summary</th>\
         </tr></thead>\n<tbody>\n",
    );
    for a in &data.activity {
        out.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"pre\">{}</td></tr>\n",
            escape_html(&a.at),
            escape_html(&a.actor),
            or_dash(&a.subject),
            escape_html(&a.summary)
        ));
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Read};

    use serde_json::json;

    use super::*;
    use crate::model::{Control, Evidence, Origin, Project};
    use crate::pack::PackEvidence;
    use crate::store::{ActivityEntry, PatchDeadlines, PatchRecord, RosterEntry, Signoff};

    const HOSTILE_FILE: &str = "<script>alert(1)</script>&\"quote'.pdf";

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn control(id: &str, column: Column, title: &str, notes: &str) -> Control {
        Control {
            key: 0,
            id: id.to_string(),
            origin: Origin::Baseline,
            area: "Identity and access".to_string(),
            title: title.to_string(),
            description: "What the control requires.".to_string(),
            column,
            aws_part: String::new(),
            customer_part: String::new(),
            can_adjust: String::new(),
            nist: vec!["AC-2".to_string(), "IA-2".to_string()],
            services: vec!["iam".to_string()],
            status: Status::InProgress,
            status_reason: String::new(),
            owner: "ana@example.com".to_string(),
            due: Some(day("2026-12-01")),
            review_days: Some(90),
            notes: notes.to_string(),
            retired: false,
            sort_key: 0,
        }
    }

    fn evidence(id: i64, control: &str, file_name: &str, column: &str) -> PackEvidence {
        PackEvidence {
            evidence: Evidence {
                id,
                control: control.to_string(),
                file_name: file_name.to_string(),
                size_bytes: 2048,
                media_type: "application/pdf".to_string(),
                sha256: "ab".repeat(32),
                description: "Quarterly export".to_string(),
                collected_on: day("2026-10-01"),
                valid_until: Some(day("2027-10-01")),
                added_by: "ana".to_string(),
                added_at: "2026-10-02T09:30:00Z".to_string(),
                removed: false,
                removed_by: None,
                removed_at: None,
                removed_reason: None,
            },
            // The pack's names keep a file name inside its folder.
            path: format!(
                "evidence/{column}/{control} Title/{}",
                file_name.replace('/', "_")
            ),
        }
    }

    fn signoff(id: i64, subject: &str, stale: bool, superseded: bool) -> Signoff {
        Signoff {
            id,
            subject: subject.to_string(),
            subject_kind: "control".to_string(),
            subject_key: subject.trim_start_matches("control ").to_string(),
            by: "Mia <Manager>".to_string(),
            role: "CISO".to_string(),
            statement: "Reviewed & accepted".to_string(),
            signed_at: "2026-11-02T10:00:00Z".to_string(),
            recorded_by: "ana".to_string(),
            stale,
            superseded,
        }
    }

    /// A small snapshot with hostile text in the places users type.
    fn sample() -> PackData {
        let mut aws = control("SRM-AWS-PE-01", Column::Aws, "Data centre security", "");
        aws.status = Status::Implemented;
        let mut shared = control(
            "SRM-SHR-PM-01",
            Column::Shared,
            "Patch <script>alert(\"x\")</script> & more",
            "=HYPERLINK(\"http://evil.example\",\"click\")",
        );
        shared.aws_part = "AWS patches the hosts".to_string();
        shared.customer_part = "You patch the guest OS".to_string();
        let mut minus = control("SRM-CUS-IAM-01", Column::Customer, "MFA", "-x");
        minus.status = Status::NotApplicable;
        minus.status_reason = "+1".to_string();
        minus.owner = "@SUM(A1:A2)".to_string();
        let mut number = control("SRM-CUS-IAM-02", Column::Customer, "Keys", "-3");
        number.due = Some(day("2026-11-01"));

        let controls = vec![
            PackControl {
                control: aws,
                overdue: false,
                evidence: vec![evidence(1, "SRM-AWS-PE-01", "SOC2 report é#1?.pdf", "aws")],
                signoffs: vec![],
            },
            PackControl {
                control: shared,
                overdue: false,
                evidence: vec![evidence(2, "SRM-SHR-PM-01", HOSTILE_FILE, "shared")],
                signoffs: vec![
                    signoff(7, "control SRM-SHR-PM-01", true, true),
                    signoff(8, "control SRM-SHR-PM-01", false, false),
                ],
            },
            PackControl {
                control: minus,
                overdue: false,
                evidence: vec![],
                signoffs: vec![],
            },
            PackControl {
                control: number,
                overdue: true,
                evidence: vec![],
                signoffs: vec![],
            },
        ];
        let signoffs = controls
            .iter()
            .flat_map(|pc| pc.signoffs.iter().cloned())
            .collect();
        PackData {
            project: Project {
                key: 1,
                name: "Payments <platform>".to_string(),
                description: "SOC 2 scope & \"friends\"".to_string(),
                services: vec!["ec2".to_string(), "iam".to_string(), "s3".to_string()],
                period_start: Some(day("2026-01-01")),
                period_end: Some(day("2026-12-31")),
                created_at: "2026-01-01T00:00:00Z".to_string(),
            },
            as_of: day("2026-11-28"),
            from: day("2026-01-01"),
            to: day("2026-11-28"),
            generated_by: "ana".to_string(),
            generator: "Lockstep 0.1.0".to_string(),
            controls,
            roster: vec![
                RosterEntry {
                    email: "ana@example.com".to_string(),
                    name: "Ana".to_string(),
                    course: "Security awareness".to_string(),
                    completed_on: Some(day("2026-03-01")),
                    expires_on: Some(day("2027-03-01")),
                    state: TrainingState::Current,
                },
                RosterEntry {
                    email: "bo@example.com".to_string(),
                    name: "=Bo".to_string(),
                    course: "Security awareness".to_string(),
                    completed_on: None,
                    expires_on: None,
                    state: TrainingState::Missing,
                },
            ],
            patches: vec![PatchRecord {
                asset: "web-1".to_string(),
                advisory: "CVE-2026-0001".to_string(),
                severity: Severity::Critical,
                released_on: day("2026-10-01"),
                applied_on: Some(day("2026-10-20")),
                deadline: day("2026-10-16"),
                days_to_patch: Some(19),
                state: PatchState::Late,
                attested_by: "ana".to_string(),
                evidence_sha256: None,
                evidence_name: None,
                recorded_at: "2026-10-20T12:00:00Z".to_string(),
            }],
            deadlines: PatchDeadlines::default(),
            signoffs,
            activity: vec![ActivityEntry {
                seq: 42,
                at: "2026-11-02T10:00:00Z".to_string(),
                actor: "ana".to_string(),
                project: "Payments <platform>".to_string(),
                subject: "SRM-SHR-PM-01".to_string(),
                action: "control.update".to_string(),
                detail: json!({}),
                summary: "notes: (empty) → <b>bold</b>".to_string(),
                prev_hash: "0".repeat(64),
                hash: "f".repeat(64),
            }],
        }
    }

    fn file(files: &[(String, Vec<u8>)], name: &str) -> String {
        let (_, bytes) = files.iter().find(|(path, _)| path == name).unwrap();
        String::from_utf8(bytes.clone()).unwrap()
    }

    fn csv_rows(text: &str) -> Vec<Vec<String>> {
        csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.as_bytes())
            .records()
            .map(|record| record.unwrap().iter().map(str::to_string).collect())
            .collect()
    }

    fn zip_entry(bytes: &[u8], name: &str) -> String {
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut text = String::new();
        archive
            .by_name(name)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        text
    }

    #[test]
    fn files_come_in_pack_order() {
        let files = report_files(&sample()).unwrap();
        let names: Vec<&str> = files.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(
            names,
            [
                "index.html",
                "controls.csv",
                "evidence.csv",
                "training.csv",
                "patches.csv",
                "signoffs.csv",
                "activity.csv",
                "evidence-pack.xlsx",
            ]
        );
    }

    #[test]
    fn report_escapes_user_text_and_runs_no_script() {
        let html = file(&report_files(&sample()).unwrap(), "index.html");
        assert!(!html.to_lowercase().contains("<script"));
        assert!(
            html.contains("Patch &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more")
        );
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;quote&#39;.pdf"));
        assert!(html.contains("Payments &lt;platform&gt;"));
        assert!(html.contains("&lt;b&gt;bold&lt;/b&gt;"));
        assert!(!html.contains("<b>bold"));
        assert!(html.contains("@media print"));
        // No outside resources: the only links are anchors and evidence paths.
        assert!(!html.contains(" src="));
        assert!(!html.contains("href=\"http"));
        assert!(!html.contains("<link"));
    }

    #[test]
    fn report_links_each_evidence_file_with_an_encoded_href() {
        let html = file(&report_files(&sample()).unwrap(), "index.html");
        assert!(html.contains(
            "<a href=\"evidence/shared/SRM-SHR-PM-01%20Title/\
             %3Cscript%3Ealert%281%29%3C_script%3E%26%22quote%27.pdf\">"
        ));
        assert!(html.contains(
            "<a href=\"evidence/aws/SRM-AWS-PE-01%20Title/SOC2%20report%20%C3%A9%231%3F.pdf\">"
        ));
    }

    #[test]
    fn report_shows_both_parts_of_shared_controls_and_flags_signoffs() {
        let html = file(&report_files(&sample()).unwrap(), "index.html");
        assert!(html.contains("AWS does") && html.contains("AWS patches the hosts"));
        assert!(html.contains("You do") && html.contains("You patch the guest OS"));
        assert!(html.contains("STALE") && html.contains("SUPERSEDED"));
        assert!(html.contains("OVERDUE"));
        assert!(html.contains("Critical 15 days"));
        assert!(html.contains("Mia &lt;Manager&gt;"));
    }

    #[test]
    fn neutralise_cell_defuses_formulas_but_keeps_negative_numbers() {
        assert_eq!(neutralise_cell("=1+1"), "'=1+1");
        assert_eq!(neutralise_cell("+1"), "'+1");
        assert_eq!(neutralise_cell("-x"), "'-x");
        assert_eq!(neutralise_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise_cell("\tcmd"), "'\tcmd");
        assert_eq!(neutralise_cell("\rcmd"), "'\rcmd");
        assert_eq!(neutralise_cell("-"), "'-");
        assert_eq!(neutralise_cell("-1-1"), "'-1-1");
        assert_eq!(neutralise_cell("-3"), "-3");
        assert_eq!(neutralise_cell("-2.5"), "-2.5");
        assert_eq!(neutralise_cell("plain = text"), "plain = text");
        assert_eq!(neutralise_cell(""), "");
    }

    #[test]
    fn hrefs_are_percent_encoded_but_keep_their_slashes() {
        assert_eq!(
            encode_href("evidence/aws/A-1 Doors/100%#?é~_.pdf"),
            "evidence/aws/A-1%20Doors/100%25%23%3F%C3%A9~_.pdf"
        );
        assert_eq!(encode_href("javascript:x"), "javascript%3Ax");
    }

    #[test]
    fn escape_html_escapes_the_five_characters() {
        assert_eq!(
            escape_html("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(escape_html("plain é"), "plain é");
    }

    #[test]
    fn csv_cells_are_neutralised_and_negative_numbers_kept() {
        let files = report_files(&sample()).unwrap();
        let rows = csv_rows(&file(&files, "controls.csv"));
        let notes = rows[0].iter().position(|h| h == "notes").unwrap();
        let reason = rows[0].iter().position(|h| h == "status_reason").unwrap();
        let owner = rows[0].iter().position(|h| h == "owner").unwrap();
        assert_eq!(
            rows[2][notes],
            "'=HYPERLINK(\"http://evil.example\",\"click\")"
        );
        assert_eq!(rows[3][notes], "'-x");
        assert_eq!(rows[3][reason], "'+1");
        assert_eq!(rows[3][owner], "'@SUM(A1:A2)");
        assert_eq!(rows[4][notes], "-3");
        let training = csv_rows(&file(&files, "training.csv"));
        assert_eq!(training[2][1], "'=Bo");
    }

    #[test]
    fn each_csv_has_its_header_and_one_row_per_item() {
        let files = report_files(&sample()).unwrap();
        let expected = [
            (
                "controls.csv",
                "id,column,area,title,status,status_reason,owner,due,overdue,review_days,services,nist,aws_part,customer_part,notes,evidence_count,signoffs",
                4,
            ),
            (
                "evidence.csv",
                "evidence_id,control,file_name,path,size_bytes,media_type,sha256,description,collected_on,valid_until,added_by,added_at",
                2,
            ),
            (
                "training.csv",
                "email,name,course,completed_on,expires_on,state",
                2,
            ),
            (
                "patches.csv",
                "asset,advisory,severity,released_on,deadline,applied_on,days_to_patch,state,attested_by,evidence_sha256",
                1,
            ),
            (
                "signoffs.csv",
                "id,subject,by,role,statement,signed_at,stale,superseded",
                2,
            ),
            (
                "activity.csv",
                "seq,at,actor,subject,action,summary,hash",
                1,
            ),
        ];
        for (name, header, count) in expected {
            let text = file(&files, name);
            assert_eq!(text.lines().next(), Some(header), "{name}");
            assert_eq!(csv_rows(&text).len(), count + 1, "{name}");
        }
        let evidence = csv_rows(&file(&files, "evidence.csv"));
        assert_eq!(evidence[2][2], HOSTILE_FILE);
        assert_eq!(evidence[2][4], "2048");
        assert_eq!(evidence[2][8], "2026-10-01");
    }

    #[test]
    fn workbook_is_a_zip_and_identical_across_builds() {
        let data = sample();
        let first = report_files(&data).unwrap();
        let second = report_files(&data).unwrap();
        assert_eq!(first, second);
        let (_, xlsx) = first.last().unwrap();
        assert!(xlsx.starts_with(b"PK"));
        let core = zip_entry(xlsx, "docProps/core.xml");
        assert!(core.contains("2026-11-28T00:00:00Z"));
    }

    #[test]
    fn workbook_has_the_six_sheets_with_neutralised_text() {
        let files = report_files(&sample()).unwrap();
        let (_, xlsx) = files.last().unwrap();
        let book = zip_entry(xlsx, "xl/workbook.xml");
        for sheet in [
            "Controls",
            "Evidence",
            "Training",
            "Patches",
            "Sign-offs",
            "Activity",
        ] {
            assert!(book.contains(&format!("name=\"{sheet}\"")), "{sheet}");
        }
        let strings = zip_entry(xlsx, "xl/sharedStrings.xml");
        assert!(strings.contains("'=HYPERLINK("));
        assert!(strings.contains("'+1"));
        assert!(strings.contains("'-x"));
        assert!(strings.contains("'@SUM(A1:A2)"));
        assert!(strings.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        let controls = zip_entry(xlsx, "xl/worksheets/sheet1.xml");
        assert!(controls.contains("<pane ySplit=\"1\""));
        assert!(!controls.contains("<f>"));
    }
}
