//! The parts of OSCAL 1.0–1.1.x catalogs and profiles that Lockstep reads, as serde types.
//!
//! Only what resolution and rendering use is modelled; every other field is ignored when
//! read, so documents from newer OSCAL versions with extra fields still load. Names follow
//! the OSCAL JSON model (`kebab-case`).

use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};

/// A whole OSCAL JSON document of either kind Lockstep reads.
#[derive(Debug, Clone)]
pub enum Document {
    /// A catalog of controls.
    Catalog(Box<Catalog>),
    /// A profile selecting and tailoring controls of other documents.
    Profile(Box<Profile>),
}

/// Document metadata.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Metadata {
    /// The document's title.
    #[serde(default)]
    pub title: String,
    /// The document's own version.
    #[serde(default)]
    pub version: String,
    /// The OSCAL version it follows.
    #[serde(default)]
    pub oscal_version: String,
}

/// An OSCAL catalog.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Catalog {
    /// Its metadata.
    #[serde(default, skip_serializing)]
    pub metadata: Metadata,
    /// Parameters at catalog level.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<Parameter>,
    /// Controls outside any group.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub controls: Vec<Control>,
    /// Groups of controls (families), possibly nested.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<Group>,
    /// Resources the catalog refers to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub back_matter: Option<BackMatter>,
}

/// A group of controls, such as a control family.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Group {
    /// Its id (`ac`), when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Its title (`Access Control`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    /// Parameters at group level.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<Parameter>,
    /// Its properties.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub props: Vec<Property>,
    /// Its parts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<Part>,
    /// Groups inside it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<Group>,
    /// Its controls.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub controls: Vec<Control>,
}

/// A control; its enhancements are controls inside it.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Control {
    /// Its id (`ac-2.1`).
    pub id: String,
    /// Its class (`SP800-53-enhancement`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    /// Its title.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    /// Its parameters.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<Parameter>,
    /// Its properties (label, sort-id, status…).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub props: Vec<Property>,
    /// Links to other controls and resources.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
    /// Its parts (statement, guidance, assessment…).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<Part>,
    /// Controls inside it (enhancements).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub controls: Vec<Control>,
}

impl Control {
    /// Whether the control is withdrawn (prop `status` = `withdrawn`).
    pub fn is_withdrawn(&self) -> bool {
        self.props
            .iter()
            .any(|p| p.name == "status" && p.value.trim().eq_ignore_ascii_case("withdrawn"))
    }
}

/// A part of a control: its statement, an item of the statement, guidance…
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Part {
    /// Its id (`ac-2_smt.a`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Its name (`statement`, `item`, `guidance`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Its namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ns: Option<String>,
    /// Its class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    /// Its title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Its properties (the item's label `a.`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub props: Vec<Property>,
    /// Its text, with `{{ insert: param, ID }}` where parameters go.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prose: Option<String>,
    /// Parts inside it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<Part>,
    /// Its links.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
}

/// A name-value property.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Property {
    /// Its name (`label`, `sort-id`, `status`).
    pub name: String,
    /// Its value.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub value: String,
    /// Its namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ns: Option<String>,
    /// Its class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
}

/// A link.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Link {
    /// Where to.
    pub href: String,
    /// What kind of link (`related`, `reference`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rel: Option<String>,
}

/// A parameter a control's text leaves to the organisation or the profile.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Parameter {
    /// Its id (`ac-02_odp.01`).
    pub id: String,
    /// Its class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    /// Its properties (including `alt-identifier`, an older id).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub props: Vec<Property>,
    /// A short name for what is to be assigned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// What it is used for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<String>,
    /// Guidance on choosing the value.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub guidelines: Vec<Guideline>,
    /// Limits on the value.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub constraints: Vec<Constraint>,
    /// The values set.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    /// A choice among options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub select: Option<Selection>,
}

impl Parameter {
    /// Whether `id` names this parameter, by its id or an `alt-identifier` prop (the ids of
    /// older catalogs, which older profiles use).
    pub fn answers_to(&self, id: &str) -> bool {
        self.id == id
            || self
                .props
                .iter()
                .any(|p| p.name == "alt-identifier" && p.value == id)
    }
}

/// Guidance on a parameter's value.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct Guideline {
    /// The text.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub prose: String,
}

/// A limit on a parameter's value.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct Constraint {
    /// What the limit is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Tests as expressions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tests: Vec<ConstraintTest>,
}

/// A test of a constraint.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct ConstraintTest {
    /// The expression.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub expression: String,
}

/// A choice among options for a parameter.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Selection {
    /// `one` or `one-or-more`; absent means one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub how_many: Option<String>,
    /// The options, which may insert other parameters.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choice: Vec<String>,
}

/// Resources a document refers to.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct BackMatter {
    /// The resources.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<Resource>,
}

/// A resource: a uuid and where to find it.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct Resource {
    /// Its uuid, which `#uuid` hrefs name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub uuid: String,
    /// Where to find it, in one or more formats.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rlinks: Vec<Rlink>,
}

/// A link to a resource in one format.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Rlink {
    /// Where.
    pub href: String,
    /// Its media type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
}

/// An OSCAL profile.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Profile {
    /// Its metadata.
    #[serde(default)]
    pub metadata: Metadata,
    /// The documents it selects controls from.
    #[serde(default)]
    pub imports: Vec<Import>,
    /// How the selected controls are arranged.
    #[serde(default)]
    pub merge: Option<Merge>,
    /// How the selected controls are tailored.
    #[serde(default)]
    pub modify: Option<Modify>,
    /// Resources its imports name by `#uuid`.
    #[serde(default)]
    pub back_matter: Option<BackMatter>,
}

/// One imported document and which of its controls are selected.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Import {
    /// The document: `#uuid` of a back-matter resource, or a relative path.
    pub href: String,
    /// Every control.
    #[serde(default)]
    pub include_all: Option<IgnoredAny>,
    /// Controls chosen by id or pattern.
    #[serde(default)]
    pub include_controls: Vec<Selector>,
    /// Controls left out, even when included.
    #[serde(default)]
    pub exclude_controls: Vec<Selector>,
}

/// Controls chosen by id or by pattern.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Selector {
    /// `yes` to take each chosen control's enhancements too.
    #[serde(default)]
    pub with_child_controls: Option<String>,
    /// Control ids.
    #[serde(default)]
    pub with_ids: Vec<String>,
    /// Glob patterns (`*`, `?`) over control ids.
    #[serde(default)]
    pub matching: Vec<Matching>,
}

/// A glob pattern over control ids.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Matching {
    /// The pattern.
    #[serde(default)]
    pub pattern: String,
}

/// How the selected controls are arranged.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Merge {
    /// Keep the source's groups, and the parents of selected enhancements.
    #[serde(default)]
    pub as_is: Option<bool>,
    /// One flat list of controls.
    #[serde(default)]
    pub flat: Option<IgnoredAny>,
    /// A structure of the profile's own, which Lockstep does not read.
    #[serde(default)]
    pub custom: Option<IgnoredAny>,
}

/// How the selected controls are tailored.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Modify {
    /// Parameter settings.
    #[serde(default)]
    pub set_parameters: Vec<SetParameter>,
    /// Changes to controls.
    #[serde(default)]
    pub alters: Vec<Alter>,
}

/// A profile's setting of one parameter.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct SetParameter {
    /// The parameter's id.
    pub param_id: String,
    /// Properties to add.
    #[serde(default)]
    pub props: Vec<Property>,
    /// A new label.
    #[serde(default)]
    pub label: Option<String>,
    /// New values.
    #[serde(default)]
    pub values: Vec<String>,
    /// A new choice.
    #[serde(default)]
    pub select: Option<Selection>,
    /// Guidelines to add.
    #[serde(default)]
    pub guidelines: Vec<Guideline>,
    /// Constraints to add.
    #[serde(default)]
    pub constraints: Vec<Constraint>,
}

/// Changes to one control.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Alter {
    /// The control.
    pub control_id: String,
    /// What to take out.
    #[serde(default)]
    pub removes: Vec<Remove>,
    /// What to put in.
    #[serde(default)]
    pub adds: Vec<Add>,
}

/// Parts and props to take out of a control, by any of these.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Remove {
    /// By name.
    #[serde(default)]
    pub by_name: Option<String>,
    /// By class.
    #[serde(default)]
    pub by_class: Option<String>,
    /// By id.
    #[serde(default)]
    pub by_id: Option<String>,
    /// By the name of the item (OSCAL 1.0 calls it `by-item-name`).
    #[serde(default)]
    pub by_item_name: Option<String>,
    /// By namespace.
    #[serde(default)]
    pub by_ns: Option<String>,
}

/// Parts and props to put into a control.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Add {
    /// `starting`, `ending` (the default), `before` or `after`; OSCAL 1.0 wrote
    /// `at-start` and `at-end`.
    #[serde(default)]
    pub position: Option<String>,
    /// The part to add at; absent means the control itself.
    #[serde(default)]
    pub by_id: Option<String>,
    /// A new title.
    #[serde(default)]
    pub title: Option<String>,
    /// Parameters to add.
    #[serde(default)]
    pub params: Vec<Parameter>,
    /// Properties to add.
    #[serde(default)]
    pub props: Vec<Property>,
    /// Parts to add.
    #[serde(default)]
    pub parts: Vec<Part>,
}
