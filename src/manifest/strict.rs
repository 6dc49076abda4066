//! Strict decoding: one YAML document into a k8s-openapi type, rejecting fields the schema lacks.
//!
//! k8s-openapi silently drops unknown fields; kubectl's strict field validation (the default since
//! 1.27, `--validate=strict`) rejects them with `strict decoding error: unknown field "spec.replikas"`.
//! serde_ignored reports each dropped field's path; the paths are printed as kubectl prints them.

use super::error::ManifestError;
use serde::de::DeserializeOwned;

/// Where a document comes from and what it is, for messages.
pub(crate) struct Ctx<'a> {
    /// `file.yaml` or `file.yaml#2`.
    pub source: &'a str,
    /// `Deployment.apps "web"`.
    pub object: String,
    /// Line numbers refer to a re-serialized text (a `List` item), so leave them out.
    pub strip_location: bool,
}

/// Decodes one document, or reports the first type error or every unknown field.
pub(crate) fn decode<T: DeserializeOwned>(
    de: serde_yaml_ng::Deserializer<'_>,
    ctx: &Ctx<'_>,
) -> Result<T, ManifestError> {
    let mut unknown = Vec::new();
    let decoded = serde_ignored::deserialize(de, |path| unknown.push(field_path(&path)));
    let value = decoded.map_err(|e| ManifestError::Decode {
        file: ctx.source.to_string(),
        object: ctx.object.clone(),
        reason: reason(&e, ctx.strip_location),
    })?;
    if unknown.is_empty() {
        return Ok(value);
    }
    Err(ManifestError::UnknownFields {
        file: ctx.source.to_string(),
        object: ctx.object.clone(),
        fields: unknown,
    })
}

/// `spec.template.spec.containers[0].imagePullPolicyy`: keys joined by dots, indices in brackets.
pub(crate) fn field_path(path: &serde_ignored::Path<'_>) -> String {
    use serde_ignored::Path;
    match path {
        Path::Root => String::new(),
        Path::Seq { parent, index } => format!("{}[{index}]", field_path(parent)),
        Path::Map { parent, key } => match field_path(parent) {
            p if p.is_empty() => key.clone(),
            p => format!("{p}.{key}"),
        },
        Path::Some { parent }
        | Path::NewtypeStruct { parent }
        | Path::NewtypeVariant { parent } => field_path(parent),
    }
}

/// serde_yaml_ng's message (it starts with the field path), without the location if asked.
fn reason(e: &serde_yaml_ng::Error, strip_location: bool) -> String {
    let text = e.to_string();
    let Some(loc) = e.location().filter(|_| strip_location) else {
        return text;
    };
    let suffix = format!(" at line {} column {}", loc.line(), loc.column());
    text.strip_suffix(&suffix).unwrap_or(&text).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::apps::v1::Deployment;

    fn ctx() -> Ctx<'static> {
        Ctx {
            source: "web.yaml",
            object: "Deployment.apps \"web\"".into(),
            strip_location: false,
        }
    }

    fn decode_text(text: &str) -> Result<Deployment, ManifestError> {
        decode(serde_yaml_ng::Deserializer::from_str(text), &ctx())
    }

    const HEAD: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n";

    #[test]
    fn unknown_fields_are_listed_in_document_order_with_list_indices() {
        let text = format!(
            "{HEAD}spec:\n  replikas: 2\n  selector: {{matchLabels: {{a: b}}}}\n  template:\n    spec:\n      \
             containers:\n      - {{name: c, image: x}}\n      - {{name: d, image: y, imagePullPolicyy: Always}}\n"
        );
        let Err(ManifestError::UnknownFields { fields, .. }) = decode_text(&text) else {
            panic!("unknown fields should be rejected");
        };
        assert_eq!(
            fields,
            [
                "spec.replikas",
                "spec.template.spec.containers[1].imagePullPolicyy"
            ]
        );
    }

    #[test]
    fn a_type_error_names_the_field_and_the_line() {
        let text = format!("{HEAD}spec:\n  replicas: three\n  selector: {{}}\n  template: {{}}\n");
        let err = decode_text(&text).unwrap_err().to_string();
        assert!(
            err.starts_with(
                "error parsing web.yaml: Deployment.apps \"web\": spec.replicas: invalid type"
            ),
            "{err}"
        );
        assert!(err.ends_with("at line 5 column 13"), "{err}");
    }
}
