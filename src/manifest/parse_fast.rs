//! The fast way through a YAML stream: each document parsed once, its objects decoded from that.
//!
//! parse.rs reads each document twice (a generic value for the header, then the text again into
//! the typed object, so that errors carry lines); on this path the typed object is decoded from
//! the value itself, and the text is read a second time only for a document the value cannot
//! give (k8s-openapi wants text for `cpu: 1`, a number where a string is declared). This path
//! reports no errors: on anything unusual (an error, an unknown field, a `List`) it gives up and
//! the caller reads the whole text the careful way, so messages stay exactly those of parse.rs.

use super::kinds;
use super::strict::Ctx;
use super::{finish, Loaded, Object};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_yaml_ng::{Deserializer, Value};

/// Every object of a YAML text, in order, or None if any document needs the careful path. A long
/// text is read as two halves at once, one per core.
pub(crate) fn documents(text: &str, file: &str) -> Option<Vec<Loaded>> {
    let read = match halves(text) {
        None => chunk(text)?,
        Some((first, second)) => {
            let (first, second) = rayon::join(|| chunk(first), || chunk(second));
            first.filter(|f| f.non_null > 0)?.then(second?)
        }
    };
    Some(name_sources(read.objects, file, read.non_null > 1))
}

/// Texts at least this long are read as two halves.
const SPLIT_MIN_BYTES: usize = 64 * 1024;

/// A long text cut in two at a `---` line past its middle, where reading the halves apart reads the
/// same documents as reading the whole (a `---` line starts a document wherever it is); texts with
/// directives (`%YAML`) or document end markers (`...`) are not cut.
fn halves(text: &str) -> Option<(&str, &str)> {
    let marked = |m: &str| text.starts_with(m) || text.contains(&format!("\n{m}"));
    if text.len() < SPLIT_MIN_BYTES || marked("%") || marked("...") {
        return None;
    }
    let mid = text.len() / 2;
    let (at, _) = text.match_indices("\n---\n").find(|(i, _)| *i >= mid)?;
    Some(text.split_at(at + 1))
}

/// The objects of part of a text, with document indices from 0 in that part.
struct Chunk {
    objects: Vec<(usize, Object)>,
    /// Documents read, empty ones included (they count in `file#N`).
    documents: usize,
    /// Documents that were not empty.
    non_null: usize,
}

impl Chunk {
    /// This chunk followed by `next`, the text after it.
    fn then(mut self, next: Chunk) -> Chunk {
        let offset = self.documents;
        let moved = next.objects.into_iter().map(|(i, o)| (i + offset, o));
        self.objects.extend(moved);
        Chunk {
            objects: self.objects,
            documents: self.documents + next.documents,
            non_null: self.non_null + next.non_null,
        }
    }
}

/// Every object of a text, or None if any document needs the careful path.
fn chunk(text: &str) -> Option<Chunk> {
    let mut docs = TextDocs::new(text);
    let mut read = Chunk {
        objects: Vec::new(),
        documents: 0,
        non_null: 0,
    };
    for (i, doc) in Deserializer::from_str(text).enumerate() {
        read.documents = i + 1;
        let value = Value::deserialize(doc).ok()?;
        if value.is_null() {
            continue;
        }
        read.non_null += 1;
        let object = load(value, || docs.nth(i))?;
        read.objects.push((i, object));
    }
    Some(read)
}

/// Names each object's source as parse.rs does: `file#N` (N counts every document from 1) when the
/// text holds more than one non-empty document.
fn name_sources(objects: Vec<(usize, Object)>, file: &str, several: bool) -> Vec<Loaded> {
    let source = |i: usize| match several {
        true => format!("{file}#{}", i + 1),
        false => file.to_string(),
    };
    let named = objects.into_iter().map(|(i, object)| Loaded {
        source: source(i),
        object,
    });
    named.collect()
}

/// Decodes, defaults and validates one document, or None if it needs the careful path. The value
/// is decoded by value: its strings move into the object instead of being copied.
fn load<'t>(value: Value, text: impl FnOnce() -> Option<Deserializer<'t>>) -> Option<Object> {
    let field = |key: &str| value.get(key).and_then(Value::as_str);
    let kind = kinds::resolve(field("apiVersion")?, field("kind")?).ok()?;
    let decoded = match decode(kind.kind, Source::Value(value)) {
        Some(object) => object,
        None => decode(kind.kind, Source::Text(text()?))?,
    };
    // The message of a failed validation names the object; parse.rs builds it, this path needs none.
    let ctx = Ctx {
        source: "",
        object: String::new(),
        strip_location: false,
    };
    finish(decoded, &ctx).ok()
}

/// Where a document's typed object is decoded from.
enum Source<'t> {
    Value(Value),
    Text(Deserializer<'t>),
}

/// The document as a `T`, if it decodes with no error and no unknown field.
fn typed<T: DeserializeOwned>(source: Source<'_>) -> Option<T> {
    let mut unknown = false;
    let decoded: Result<T, _> = match source {
        Source::Value(v) => serde_ignored::deserialize(v, |_| unknown = true),
        Source::Text(de) => serde_ignored::deserialize(de, |_| unknown = true),
    };
    decoded.ok().filter(|_| !unknown)
}

/// The typed object for a resolved kind.
fn decode(kind: &str, src: Source<'_>) -> Option<Object> {
    Some(match kind {
        "Deployment" => Object::Deployment(Box::new(typed(src)?)),
        "ReplicaSet" => Object::ReplicaSet(Box::new(typed(src)?)),
        "StatefulSet" => Object::StatefulSet(Box::new(typed(src)?)),
        "DaemonSet" => Object::DaemonSet(Box::new(typed(src)?)),
        "Job" => Object::Job(Box::new(typed(src)?)),
        "Pod" => Object::Pod(Box::new(typed(src)?)),
        "Service" => Object::Service(Box::new(typed(src)?)),
        "PersistentVolumeClaim" => Object::PersistentVolumeClaim(Box::new(typed(src)?)),
        "PersistentVolume" => Object::PersistentVolume(Box::new(typed(src)?)),
        "StorageClass" => Object::StorageClass(Box::new(typed(src)?)),
        "Node" => Object::Node(Box::new(typed(src)?)),
        "ConfigMap" => Object::ConfigMap(Box::new(typed(src)?)),
        "Secret" => Object::Secret(Box::new(typed(src)?)),
        "PodDisruptionBudget" => Object::PodDisruptionBudget(Box::new(typed(src)?)),
        _ => return None,
    })
}

/// The documents of the text, read again only if some document needs its text, and then only up
/// to the last such document: advancing never re-reads a document.
struct TextDocs<'t> {
    text: &'t str,
    docs: Option<std::iter::Enumerate<Deserializer<'t>>>,
}

impl<'t> TextDocs<'t> {
    fn new(text: &'t str) -> Self {
        TextDocs { text, docs: None }
    }

    /// Document `i` (from 0); must be asked for in increasing order.
    fn nth(&mut self, i: usize) -> Option<Deserializer<'t>> {
        let text = self.text;
        let docs = self
            .docs
            .get_or_insert_with(|| Deserializer::from_str(text).enumerate());
        docs.find(|(j, _)| *j == i).map(|(_, de)| de)
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::super::tests_fixtures::*;
    use super::*;

    /// What parse.rs's careful path loads from `text`, as debug text.
    fn careful(text: &str) -> String {
        format!("{:?}", parse::careful_documents(text, "f.yaml").unwrap())
    }

    fn fast(text: &str) -> Option<String> {
        documents(text, "f.yaml").map(|loaded| format!("{loaded:?}"))
    }

    #[test]
    fn the_fast_path_loads_what_the_careful_path_loads() {
        let mariadb = format!("{CBS_PVC}---\n{MARIADB_DEPLOYMENT}---\n{MARIADB_SERVICE}");
        let zk = zk_statefulset("apps/v1", ZK_SELECTOR);
        for text in [mariadb, zk, format!("---\n{CBS_PVC}---\n")] {
            assert_eq!(fast(&text), Some(careful(&text)));
        }
    }

    #[test]
    fn a_number_where_a_quantity_is_declared_is_decoded_from_the_text() {
        let text = MARIADB_DEPLOYMENT.replace("containers:", "containers:\n      - name: b\n        image: b\n        resources: {requests: {cpu: 1}}");
        assert!(text.contains("cpu: 1}"), "the fixture changed: {text}");
        assert_eq!(fast(&text), Some(careful(&text)));
    }

    #[test]
    fn a_long_text_read_in_halves_numbers_its_documents_as_a_whole() {
        let doc = |i: usize| MARIADB_SERVICE.replace("name: mariadb", &format!("name: s{i}"));
        let docs: Vec<String> = (0..300).map(doc).collect();
        let text = format!(
            "---\n{}---\n---\n{}",
            docs[..200].join("---\n"),
            docs[200..].join("---\n")
        );
        assert!(halves(&text).is_some() && text.len() > SPLIT_MIN_BYTES);
        assert_eq!(fast(&text), Some(careful(&text)));
    }

    #[test]
    fn an_unknown_field_or_a_duplicate_key_leaves_the_fast_path() {
        let unknown = MARIADB_SERVICE.replace("spec:", "spec:\n  replikas: 2");
        let duplicate = MARIADB_SERVICE.replace("spec:", "kind: Service\nspec:");
        assert_eq!((fast(&unknown), fast(&duplicate)), (None, None));
    }
}
