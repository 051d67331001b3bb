//! The layers README's "Development" section draws, checked on the source: a file names
//! (`crate::…`) only modules of its own layer or below, so a lower layer never reaches up.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The top-level modules, lowest layer first; a module may use those of its own row or of the
/// rows before it.
const LAYERS: &[&[&str]] = &[
    &["model", "input", "cells", "text", "process", "log"],
    &["import"],
    &["aws"],
    &["store", "vault", "catalog", "sign"],
    &["snapshot", "workspace"],
    &["pack", "export_oscal", "team_push"],
    &["app", "cli"],
    &["ui"],
];

/// Modules of one row that one of them may use: each pair goes one way only.
const SIDEWAYS: &[(&str, &str)] = &[("store", "catalog"), ("pack", "export_oscal")];

fn layer(module: &str) -> Option<usize> {
    LAYERS.iter().position(|row| row.contains(&module))
}

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// The top-level modules a file names as `crate::NAME`, comments left out.
fn named_modules(source: &str) -> BTreeSet<String> {
    let mut named = BTreeSet::new();
    for line in source.lines() {
        let code = line.split("//").next().unwrap_or("");
        for (at, _) in code.match_indices("crate::") {
            let name: String = code[at + 7..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            named.insert(name);
        }
    }
    named
}

#[test]
fn no_module_names_one_of_a_higher_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(
        files.len() > 100,
        "the source tree is read: {} files",
        files.len()
    );
    let mut upward = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&src).unwrap();
        let first = relative.components().next().unwrap().as_os_str();
        let module = first.to_str().unwrap().trim_end_matches(".rs");
        if module == "lib" || module == "main" {
            continue;
        }
        let own = layer(module).unwrap_or_else(|| panic!("{module} is in no layer: add it"));
        let source = std::fs::read_to_string(file).unwrap();
        for named in named_modules(&source) {
            let Some(theirs) = layer(&named) else {
                continue;
            };
            let sideways_allowed = SIDEWAYS.contains(&(module, named.as_str()));
            if named != module && (theirs > own || (theirs == own && !sideways_allowed)) {
                upward.push(format!("{} uses crate::{named}", relative.display()));
            }
        }
    }
    assert!(upward.is_empty(), "{upward:#?}");
}

#[test]
fn the_module_list_reads_as_the_code_does() {
    let lib =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs")).unwrap();
    let declared: BTreeSet<&str> = lib
        .lines()
        .filter_map(|line| line.trim().strip_prefix("pub mod "))
        .map(|rest| rest.trim_end_matches(';'))
        .collect();
    let listed: BTreeSet<&str> = LAYERS.iter().flat_map(|row| row.iter().copied()).collect();
    assert_eq!(
        declared, listed,
        "every module of lib.rs has a layer, and only those"
    );
}
