//! What resolution hands to rendering: a catalog, or a profile resolved into one, with the
//! controls it selects and the context each control came from.

use std::collections::{HashMap, HashSet};

use super::model::*;

/// What the board needs of a control that the resolved tree may have lost.
#[derive(Debug, Clone, Default)]
pub(super) struct Context {
    /// The title of the top-level group it sits in, in its catalog.
    pub family_title: String,
    /// The id of the control it enhances.
    pub parent: Option<String>,
}

/// A catalog, or a profile resolved into one.
#[derive(Debug, Clone, Default)]
pub(super) struct Source {
    /// The controls in their groups.
    pub catalog: Catalog,
    /// The ids selected; others in the tree are parents kept for structure.
    pub selected: HashSet<String>,
    /// Each control's context.
    pub context: HashMap<String, Context>,
}

impl Source {
    /// A catalog as written: every control that is not withdrawn is selectable.
    pub(super) fn of_catalog(catalog: Catalog) -> Source {
        let mut source = Source {
            catalog,
            ..Source::default()
        };
        fn walk(controls: &[Control], family: &str, parent: Option<&str>, source: &mut Source) {
            for control in controls {
                if !control.is_withdrawn() {
                    source.selected.insert(control.id.clone());
                }
                source.context.insert(
                    control.id.clone(),
                    Context {
                        family_title: family.to_string(),
                        parent: parent.map(str::to_string),
                    },
                );
                walk(&control.controls, family, Some(&control.id), source);
            }
        }
        fn groups(list: &[Group], family: Option<&str>, source: &mut Source) {
            for group in list {
                let family = family.unwrap_or(&group.title);
                walk(&group.controls, family, None, source);
                groups(&group.groups, Some(family), source);
            }
        }
        let top = std::mem::take(&mut source.catalog.controls);
        walk(&top, "", None, &mut source);
        let list = std::mem::take(&mut source.catalog.groups);
        groups(&list, None, &mut source);
        source.catalog.controls = top;
        source.catalog.groups = list;
        source
    }
}
