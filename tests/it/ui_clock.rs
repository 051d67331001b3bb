//! The window's "today" comes from the workspace's clock and zone, and moves on at
//! midnight while the window stays open.

use chrono::{NaiveDate, TimeZone as _, Utc};
use egui_kittest::kittest::Queryable as _;
use lockstep::app::{App, Concern};
use lockstep::model::{ControlEdit, ControlPatch, Zone};
use lockstep::store::Store;

use crate::window::{HandClock, PROJECT, harness};

const MFA: &str = "SRM-CUS-IAM-03";

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

#[test]
fn the_windows_today_and_overdue_marks_move_on_at_midnight_in_the_workspace_zone() {
    let tmp = tempfile::tempdir().unwrap();
    // 23:59 on 28 November in the workspace's zone, UTC+01:00.
    let clock = HandClock::at(Utc.with_ymd_and_hms(2026, 11, 28, 22, 59, 0).unwrap());
    let mut store = Store::open_with_clock(tmp.path(), clock.clock()).unwrap();
    store
        .set_time_zone("+01:00".parse::<Zone>().unwrap())
        .unwrap();
    let project = store
        .create_project(&lockstep::store::NewProject {
            name: PROJECT.to_string(),
            services: vec!["ec2".into(), "rds".into(), "s3".into()],
            ..Default::default()
        })
        .unwrap()
        .key;
    store
        .update_control(
            project,
            MFA,
            &ControlPatch::one(ControlEdit::Due(Some("2026-11-28".parse().unwrap()))),
        )
        .unwrap();
    let mut harness = harness(App::open_with(tmp.path().to_path_buf(), clock.clock()));

    assert_eq!(harness.state().state.session.today, day("2026-11-28"));
    assert!(harness.query_by_label("Overdue").is_none());
    assert!(!overdue_on_the_dashboard(&harness.state().state));

    // Two minutes later it is 00:01 on 29 November there, though still the 28th in UTC.
    clock.set(Utc.with_ymd_and_hms(2026, 11, 28, 23, 1, 0).unwrap());
    harness.run();

    assert_eq!(harness.state().state.session.today, day("2026-11-29"));
    harness.get_by_label("Overdue");
    assert!(overdue_on_the_dashboard(&harness.state().state));
}

fn overdue_on_the_dashboard(state: &lockstep::app::AppState) -> bool {
    state
        .records
        .dashboard
        .attention
        .iter()
        .any(|item| item.concern == Concern::OverdueControl && item.text.contains(MFA))
}
