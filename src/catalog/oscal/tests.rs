//! Resolution and rendering on small documents held in memory: every selection, merge and
//! modify feature, and the errors a profile can cause.

use std::collections::HashMap;

use super::*;
use crate::model::{FrameworkControl, ParameterSource};

const SMALL_CATALOG: &str = include_str!("../../../tests/fixtures/oscal/small-catalog.json");
const TAILORED: &str = include_str!("../../../tests/fixtures/oscal/tailored-profile.json");
const CHAINED: &str = include_str!("../../../tests/fixtures/oscal/chained-profile.json");
const CYCLE_A: &str = include_str!("../../../tests/fixtures/oscal/cycle-a-profile.json");
const CYCLE_B: &str = include_str!("../../../tests/fixtures/oscal/cycle-b-profile.json");

/// Documents by file name; hrefs are looked up by their last path segment.
struct Memory {
    root: String,
    files: HashMap<String, String>,
}

impl Memory {
    fn new(root: &str, files: &[(&str, &str)]) -> Memory {
        Memory {
            root: root.to_string(),
            files: files
                .iter()
                .map(|(name, text)| (name.to_string(), text.to_string()))
                .collect(),
        }
    }
}

impl Loader for Memory {
    fn root(&self) -> String {
        self.root.clone()
    }

    fn load(&self, _from: &str, href: &str) -> Result<Loaded, OscalError> {
        let name = href.rsplit('/').next().unwrap_or(href);
        let text = self
            .files
            .get(name)
            .ok_or_else(|| OscalError::UnresolvedImport {
                href: href.to_string(),
                reason: "not in memory".to_string(),
            })?;
        Ok(Loaded {
            key: name.to_string(),
            document: parse_document(text.as_bytes(), name, "catalog or profile")?,
        })
    }
}

fn profile(text: &str) -> Profile {
    match parse_document(text.as_bytes(), "profile.json", "profile").unwrap() {
        Document::Profile(profile) => *profile,
        Document::Catalog(_) => panic!("a catalog"),
    }
}

/// Resolves a profile written inline against the small catalog.
fn resolve_inline(json: &str) -> Result<ResolvedBaseline, OscalError> {
    let loader = Memory::new("inline.json", &[("small-catalog.json", SMALL_CATALOG)]);
    resolve(&profile(json), &loader)
}

fn inline(imports: &str, rest: &str) -> String {
    format!(r#"{{"profile": {{"metadata": {{"title": "t"}}, "imports": [{imports}]{rest}}}}}"#)
}

fn ids(controls: &[FrameworkControl]) -> Vec<String> {
    controls.iter().map(|c| c.id.clone()).collect()
}

fn selected_ids(controls: &[FrameworkControl]) -> Vec<String> {
    controls
        .iter()
        .filter(|c| c.selected)
        .map(|c| c.id.clone())
        .collect()
}

fn control<'a>(resolved: &'a ResolvedBaseline, id: &str) -> &'a FrameworkControl {
    resolved.controls.iter().find(|c| c.id == id).unwrap()
}

#[test]
fn include_all_takes_every_control_but_withdrawn_ones() {
    let resolved = resolve_inline(&inline(
        r#"{"href": "small-catalog.json", "include-all": {}}"#,
        "",
    ))
    .unwrap();
    assert_eq!(
        ids(&resolved.controls),
        ["ac-1", "ac-2", "ac-2.1", "ac-2.3", "ac-3", "au-1", "au-2"]
    );
    assert_eq!(resolved.selected(), 7);
    assert_eq!(resolved.catalogs, ["small-catalog.json"]);
}

#[test]
fn a_withdrawn_control_named_by_id_is_never_selected() {
    let resolved = resolve_inline(&inline(
        r#"{"href": "small-catalog.json", "include-controls": [{"with-ids": ["ac-3", "ac-2.2"]}]}"#,
        "",
    ))
    .unwrap();
    assert_eq!(selected_ids(&resolved.controls), ["ac-3"]);
}

#[test]
fn with_child_controls_yes_takes_the_enhancements_and_no_does_not() {
    let with = resolve_inline(&inline(
        r#"{"href": "small-catalog.json", "include-controls": [{"with-ids": ["ac-2"], "with-child-controls": "yes"}]}"#,
        "",
    ))
    .unwrap();
    assert_eq!(selected_ids(&with.controls), ["ac-2", "ac-2.1", "ac-2.3"]);
    let without = resolve_inline(&inline(
        r#"{"href": "small-catalog.json", "include-controls": [{"with-ids": ["ac-2"], "with-child-controls": "no"}]}"#,
        "",
    ))
    .unwrap();
    assert_eq!(selected_ids(&without.controls), ["ac-2"]);
}

#[test]
fn matching_patterns_select_by_glob_and_exclusion_wins() {
    let resolved = resolve_inline(&inline(
        r#"{"href": "small-catalog.json",
            "include-controls": [{"matching": [{"pattern": "ac-?"}, {"pattern": "au-*"}]}],
            "exclude-controls": [{"matching": [{"pattern": "*-3"}]}, {"with-ids": ["au-2"]}]}"#,
        "",
    ))
    .unwrap();
    assert_eq!(selected_ids(&resolved.controls), ["ac-1", "ac-2", "au-1"]);
}

#[test]
fn exclusions_alone_start_from_every_control() {
    let resolved = resolve_inline(&inline(
        r#"{"href": "small-catalog.json", "exclude-controls": [{"with-ids": ["ac-2"], "with-child-controls": "yes"}]}"#,
        "",
    ))
    .unwrap();
    assert_eq!(
        selected_ids(&resolved.controls),
        ["ac-1", "ac-3", "au-1", "au-2"]
    );
}

#[test]
fn as_is_keeps_the_parent_of_a_selected_enhancement_as_context() {
    let resolved = resolve_inline(&inline(
        r#"{"href": "small-catalog.json", "include-controls": [{"with-ids": ["ac-2.1", "au-2"]}]}"#,
        r#", "merge": {"as-is": true}"#,
    ))
    .unwrap();
    assert_eq!(ids(&resolved.controls), ["ac-2", "ac-2.1", "au-2"]);
    assert_eq!(selected_ids(&resolved.controls), ["ac-2.1", "au-2"]);
    let enhancement = control(&resolved, "ac-2.1");
    assert_eq!(enhancement.parent.as_deref(), Some("AC-2"));
    assert_eq!(enhancement.label, "AC-2(1)");
    assert_eq!(enhancement.family, "AC");
    assert_eq!(enhancement.family_title, "Access Control");
    assert_eq!(
        resolved
            .controls
            .iter()
            .map(|c| c.position)
            .collect::<Vec<_>>(),
        [0, 1, 2]
    );
}

#[test]
fn flat_lists_only_the_selected_controls_and_keeps_their_context() {
    let resolved = resolve_inline(&inline(
        r#"{"href": "small-catalog.json", "include-controls": [{"with-ids": ["ac-2.1", "au-2"]}]}"#,
        r#", "merge": {"flat": {}}"#,
    ))
    .unwrap();
    assert_eq!(ids(&resolved.controls), ["ac-2.1", "au-2"]);
    let enhancement = control(&resolved, "ac-2.1");
    assert_eq!(enhancement.parent.as_deref(), Some("AC-2"));
    assert_eq!(enhancement.family_title, "Access Control");
}

#[test]
fn a_control_imported_twice_is_kept_once() {
    let resolved = resolve_inline(&inline(
        r#"{"href": "small-catalog.json", "include-controls": [{"with-ids": ["ac-1", "au-1"]}]},
           {"href": "small-catalog.json", "include-controls": [{"with-ids": ["au-1", "au-2"]}]}"#,
        r#", "merge": {"as-is": true}"#,
    ))
    .unwrap();
    assert_eq!(ids(&resolved.controls), ["ac-1", "au-1", "au-2"]);
}

#[test]
fn statements_put_items_on_their_own_lines_with_parameters_filled() {
    let resolved = resolve_inline(&inline(
        r#"{"href": "small-catalog.json", "include-controls": [{"with-ids": ["ac-1"]}]}"#,
        "",
    ))
    .unwrap();
    let ac1 = control(&resolved, "ac-1");
    assert_eq!(
        ac1.statement.text,
        "a. Develop and disseminate to [Assignment: organization-defined personnel or roles]:\n  1. A [Selection (one or more): organization-level; system-level] access control policy; and\nb. Review the policy."
    );
    let spans: Vec<&str> = ac1
        .statement
        .params
        .iter()
        .map(|s| &ac1.statement.text[s.start..s.end])
        .collect();
    assert_eq!(
        spans,
        [
            "[Assignment: organization-defined personnel or roles]",
            "[Selection (one or more): organization-level; system-level]"
        ]
    );
    assert_eq!(
        ac1.guidance,
        "Policy for [Assignment: organization-defined personnel or roles] is the basis."
    );
    let params: Vec<(&str, ParameterSource)> = ac1
        .parameters
        .iter()
        .map(|p| (p.id.as_str(), p.source))
        .collect();
    assert_eq!(
        params,
        [
            ("ac-1_prm_1", ParameterSource::Label),
            ("ac-1_prm_2", ParameterSource::Selection)
        ]
    );
}

#[test]
fn the_tailored_profile_sets_parameters_and_alters_parts() {
    let loader = Memory::new(
        "tailored-profile.json",
        &[("small-catalog.json", SMALL_CATALOG)],
    );
    let resolved = resolve(&profile(TAILORED), &loader).unwrap();
    assert_eq!(ids(&resolved.controls), ["ac-1", "ac-2", "ac-2.1", "au-1"]);
    assert_eq!(selected_ids(&resolved.controls), ["ac-1", "ac-2.1", "au-1"]);
    let ac1 = control(&resolved, "ac-1");
    assert_eq!(
        ac1.statement.text,
        "a. Develop and disseminate to the security team:\n  1. A [Selection (one or more): organization-level; system-level] access control policy; and\nz. Keep the policy in the wiki.\nb. Review the policy."
    );
    assert_eq!(ac1.guidance, "Tailored guidance for the cloud.");
    assert_eq!(ac1.parameters[0].source, ParameterSource::Value);
    assert_eq!(ac1.parameters[1].label, "policy level");
    let au1 = control(&resolved, "au-1");
    assert_eq!(
        au1.statement.text,
        "Review the audit policy every at least every 365 days."
    );
    assert_eq!(au1.parameters[0].source, ParameterSource::Constraint);
}

#[test]
fn a_profile_of_a_profile_resolves_the_inner_one_first() {
    let loader = Memory::new(
        "chained-profile.json",
        &[
            ("small-catalog.json", SMALL_CATALOG),
            ("tailored-profile.json", TAILORED),
        ],
    );
    let resolved = resolve(&profile(CHAINED), &loader).unwrap();
    assert_eq!(ids(&resolved.controls), ["ac-1", "ac-2.1", "au-1"]);
    assert!(resolved.controls.iter().all(|c| c.selected));
    let au1 = control(&resolved, "au-1");
    assert_eq!(au1.statement.text, "Review the audit policy every 30 days.");
    assert_eq!(
        control(&resolved, "ac-1").guidance,
        "Tailored guidance for the cloud."
    );
}

#[test]
fn adds_go_at_the_start_end_before_or_after_a_part() {
    let alters = r#", "modify": {"alters": [{"control-id": "ac-3", "adds": [
        {"position": "starting", "parts": [{"name": "item", "prose": "first"}]},
        {"position": "ending", "by-id": "ac-3_smt", "parts": [{"id": "x", "name": "item", "prose": "inside end"}]},
        {"position": "starting", "by-id": "ac-3_smt", "parts": [{"id": "y", "name": "item", "prose": "inside start"}]},
        {"position": "before", "by-id": "x", "parts": [{"name": "item", "prose": "before x"}]},
        {"position": "after", "by-id": "y", "parts": [{"name": "item", "prose": "after y"}]},
        {"position": "ending", "props": [{"name": "priority", "value": "P1"}]}
    ]}]}"#;
    let resolved = resolve_inline(&inline(
        r#"{"href": "small-catalog.json", "include-controls": [{"with-ids": ["ac-3"]}]}"#,
        alters,
    ))
    .unwrap();
    assert_eq!(
        control(&resolved, "ac-3").statement.text,
        "Enforce approved authorizations.\ninside start\nafter y\nbefore x\ninside end"
    );
}

#[test]
fn adds_may_name_the_control_itself_or_a_parameter_as_fedramp_profiles_do() {
    // The shapes of FedRAMP's Rev 5 profiles: props added by the control's own id and by a
    // parameter's, and the "Additional FedRAMP Requirements and Guidance" part added at the
    // end of the statement.
    let alters = r#", "modify": {"alters": [{"control-id": "ac-1", "adds": [
        {"position": "starting", "by-id": "ac-1",
         "props": [{"name": "response-point", "ns": "https://fedramp.gov/ns/oscal", "value": "x"}]},
        {"position": "ending", "by-id": "ac-1_prm_1",
         "props": [{"name": "priority", "value": "P1"}]},
        {"position": "after", "by-id": "ac-1_prm_1", "params": [{"id": "ac-1_prm_fr", "label": "FedRAMP"}]},
        {"position": "ending", "by-id": "ac-1_smt", "parts": [{"id": "ac-1_fr", "name": "item",
          "title": "AC-1 Additional FedRAMP Requirements and Guidance",
          "parts": [{"id": "ac-1_fr_gdn.1", "name": "guidance",
                     "props": [{"name": "label", "value": "Guidance:"}], "prose": "Review yearly."}]}]},
        {"parts": [{"id": "ac-1_note", "name": "guidance", "prose": "Added without by-id."}]}
    ]}]}"#;
    let resolved = resolve_inline(&inline(
        r#"{"href": "small-catalog.json", "include-controls": [{"with-ids": ["ac-1"]}]}"#,
        alters,
    ))
    .unwrap();
    let ac1 = control(&resolved, "ac-1");
    assert!(
        ac1.statement.text.ends_with("Guidance: Review yearly."),
        "{}",
        ac1.statement.text
    );
    assert!(
        ac1.guidance.contains("Added without by-id."),
        "{}",
        ac1.guidance
    );

    let into_param = r#", "modify": {"alters": [{"control-id": "ac-1", "adds": [
        {"by-id": "ac-1_prm_1", "parts": [{"name": "item", "prose": "no"}]}]}]}"#;
    let error = resolve_inline(&inline(
        r#"{"href": "small-catalog.json", "include-controls": [{"with-ids": ["ac-1"]}]}"#,
        into_param,
    ))
    .unwrap_err();
    assert!(
        matches!(error, OscalError::PartsIntoParameter { .. }),
        "{error}"
    );
    let unknown = r#", "modify": {"alters": [{"control-id": "ac-1", "adds": [
        {"by-id": "ac-1_nowhere", "props": [{"name": "x", "value": "y"}]}]}]}"#;
    let error = resolve_inline(&inline(
        r#"{"href": "small-catalog.json", "include-controls": [{"with-ids": ["ac-1"]}]}"#,
        unknown,
    ))
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "the profile adds to 'ac-1_nowhere' of control ac-1, which has no such part or parameter"
    );
}

#[test]
fn removes_take_parts_out_by_id_name_class_and_namespace() {
    let catalog = r#"{"catalog": {"metadata": {"title": "c"}, "controls": [{"id": "x-1", "title": "X",
        "parts": [{"id": "x-1_smt", "name": "statement", "parts": [
            {"id": "x-1_smt.a", "name": "item", "prose": "keep"},
            {"id": "x-1_smt.b", "name": "item", "prose": "by id"},
            {"id": "x-1_smt.c", "name": "item", "class": "cloud", "prose": "by class"},
            {"id": "x-1_smt.d", "name": "item", "ns": "https://example.com/ns", "prose": "by ns"},
            {"id": "x-1_smt.e", "name": "note", "prose": "by name"}]}]}]}}"#;
    let profile_text = r#"{"profile": {"metadata": {"title": "p"},
        "imports": [{"href": "c.json", "include-all": {}}],
        "modify": {"alters": [{"control-id": "x-1", "removes": [
            {"by-id": "x-1_smt.b"}, {"by-class": "cloud"},
            {"by-ns": "https://example.com/ns"}, {"by-name": "note"}]}]}}}"#;
    let loader = Memory::new("p.json", &[("c.json", catalog)]);
    let resolved = resolve(&profile(profile_text), &loader).unwrap();
    assert_eq!(resolved.controls[0].statement.text, "keep");
    assert_eq!(resolved.controls[0].family, "X");
    assert_eq!(resolved.controls[0].family_title, "");
}

#[test]
fn set_parameters_accept_an_older_alt_identifier_and_a_new_select() {
    let catalog = r#"{"catalog": {"metadata": {"title": "c"}, "controls": [{"id": "x-1", "title": "X",
        "params": [{"id": "x-01_odp.01", "props": [{"name": "alt-identifier", "value": "x-1_prm_1"}], "label": "when"}],
        "parts": [{"name": "statement", "prose": "Act {{ insert: param, x-01_odp.01 }}."}]}]}}"#;
    let profile_text = r#"{"profile": {"metadata": {"title": "p"},
        "imports": [{"href": "c.json", "include-all": {}}],
        "modify": {"set-parameters": [{"param-id": "x-1_prm_1",
            "select": {"choice": ["daily", "weekly"]}}]}}}"#;
    let loader = Memory::new("p.json", &[("c.json", catalog)]);
    let resolved = resolve(&profile(profile_text), &loader).unwrap();
    assert_eq!(
        resolved.controls[0].statement.text,
        "Act [Selection: daily; weekly]."
    );
    assert_eq!(resolved.controls[0].parameters[0].id, "x-01_odp.01");
}

#[test]
fn ids_the_catalog_lacks_are_named_with_a_count() {
    let error = resolve_inline(&inline(
        r#"{"href": "small-catalog.json", "include-controls": [{"with-ids": ["ac-1", "ac-99", "zz-1", "zz-2", "zz-3", "zz-4", "zz-5"]}]}"#,
        "",
    ))
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "the profile names 6 controls that small-catalog.json lacks: ac-99, zz-1, zz-2, zz-3, zz-4 and 1 more"
    );
}

#[test]
fn profiles_importing_each_other_are_refused_with_the_chain() {
    let loader = Memory::new(
        "cycle-a-profile.json",
        &[
            ("cycle-a-profile.json", CYCLE_A),
            ("cycle-b-profile.json", CYCLE_B),
        ],
    );
    let error = resolve(&profile(CYCLE_A), &loader).unwrap_err();
    assert_eq!(
        error.to_string(),
        "the profiles import each other in a circle: cycle-a-profile.json → cycle-b-profile.json → cycle-a-profile.json"
    );
}

#[test]
fn an_unknown_back_matter_uuid_is_named() {
    let error =
        resolve_inline(&inline(r##"{"href": "#0000", "include-all": {}}"##, "")).unwrap_err();
    assert_eq!(
        error.to_string(),
        "the profile imports '#0000', which cannot be resolved: the profile's back-matter has no resource with that uuid"
    );
}

#[test]
fn altering_or_setting_what_is_not_selected_is_refused() {
    let error = resolve_inline(&inline(
        r#"{"href": "small-catalog.json", "include-controls": [{"with-ids": ["ac-1"]}]}"#,
        r#", "modify": {"alters": [{"control-id": "au-9"}]}"#,
    ))
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "the profile alters 1 control it does not select: au-9"
    );
    let error = resolve_inline(&inline(
        r#"{"href": "small-catalog.json", "include-controls": [{"with-ids": ["ac-1"]}]}"#,
        r#", "modify": {"set-parameters": [{"param-id": "au-1_prm_1", "values": ["x"]}]}"#,
    ))
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "the profile sets 1 parameter that no selected control has: au-1_prm_1"
    );
}

#[test]
fn globs_match_like_shell_patterns() {
    assert!(resolve::glob("ac-*", "ac-2.1"));
    assert!(resolve::glob("ac-?", "ac-2"));
    assert!(!resolve::glob("ac-?", "ac-22"));
    assert!(resolve::glob("*", "anything"));
    assert!(resolve::glob("*.1", "ac-2.1"));
    assert!(!resolve::glob("au-*", "ac-1"));
}

#[test]
fn files_that_are_not_oscal_json_get_one_sentence() {
    let text = |bytes: &[u8], file: &str| {
        parse_document(bytes, file, "catalog")
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        text(b"<?xml version=\"1.0\"?><catalog/>", "c.xml"),
        "this looks like OSCAL XML; Lockstep reads only OSCAL JSON, so use the document's JSON edition: c.xml"
    );
    assert_eq!(
        text(b"catalog:\n  uuid: x\n", "c.yaml"),
        "this looks like OSCAL YAML; Lockstep reads only OSCAL JSON, so use the document's JSON edition: c.yaml"
    );
    assert_eq!(
        text(b"{\"items\": [1]}", "c.json"),
        "this JSON file is not an OSCAL catalog (it has no top-level \"catalog\" object): c.json"
    );
    assert_eq!(
        text(b"{\n  \"catalog\": {\n", "c.json"),
        "the file is not valid JSON (line 3, column 0: EOF while parsing an object): c.json"
    );
    assert_eq!(
        text(b"{\"profile\": {\"imports\": []}}", "p.json"),
        "this is an OSCAL profile, not a catalog; import it with `lockstep profile import`: p.json"
    );
    assert_eq!(
        text(b"{\"system-security-plan\": {}}", "s.json"),
        "this is an OSCAL system security plan, not a catalog: s.json"
    );
}

#[test]
fn a_prefetched_profile_of_a_profile_resolves_as_from_its_loader() {
    let loader = Memory::new(
        "chained-profile.json",
        &[
            ("small-catalog.json", SMALL_CATALOG),
            ("tailored-profile.json", TAILORED),
        ],
    );
    let direct = resolve(&profile(CHAINED), &loader).unwrap();
    let prefetched = prefetch(&profile(CHAINED), &loader);
    let resolved = resolve(&profile(CHAINED), &prefetched).unwrap();
    assert_eq!(resolved.controls, direct.controls);
    assert_eq!(resolved.catalogs, direct.catalogs);
}

#[test]
fn a_prefetched_cycle_and_a_missing_import_give_the_same_errors() {
    let loader = Memory::new(
        "cycle-a-profile.json",
        &[
            ("cycle-a-profile.json", CYCLE_A),
            ("cycle-b-profile.json", CYCLE_B),
        ],
    );
    let prefetched = prefetch(&profile(CYCLE_A), &loader);
    assert_eq!(
        resolve(&profile(CYCLE_A), &prefetched)
            .unwrap_err()
            .to_string(),
        resolve(&profile(CYCLE_A), &loader).unwrap_err().to_string()
    );
    let missing = Memory::new(
        "chained-profile.json",
        &[("tailored-profile.json", TAILORED)],
    );
    let prefetched = prefetch(&profile(CHAINED), &missing);
    assert_eq!(
        resolve(&profile(CHAINED), &prefetched)
            .unwrap_err()
            .to_string(),
        resolve(&profile(CHAINED), &missing)
            .unwrap_err()
            .to_string()
    );
}
