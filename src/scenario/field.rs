//! A path-tracking view of a YAML value: typed accessors whose errors name the file and the field.

use super::error::ScenarioError;
use serde_yaml_ng::{Mapping, Value};
use std::collections::BTreeMap;

/// Results of reading a scenario.
pub(crate) type Result<T> = std::result::Result<T, ScenarioError>;

/// A value at a path (`apps[0].listen-after`) in a scenario file.
#[derive(Clone)]
pub(crate) struct Field<'a> {
    pub file: &'a str,
    pub path: String,
    pub value: &'a Value,
}

/// The checked keys of a mapping field.
pub(crate) struct Fields<'a> {
    pub field: Field<'a>,
    map: &'a Mapping,
}

impl<'a> Field<'a> {
    /// The whole document.
    pub fn root(file: &'a str, value: &'a Value) -> Self {
        Field {
            file,
            path: String::new(),
            value,
        }
    }

    /// The value under `key` of this mapping.
    pub fn key(&self, key: &str, value: &'a Value) -> Field<'a> {
        Field {
            file: self.file,
            path: self.join(key),
            value,
        }
    }

    /// The `i`th item of this list.
    pub fn item(&self, i: usize, value: &'a Value) -> Field<'a> {
        let path = format!("{}[{i}]", self.path);
        Field {
            file: self.file,
            path,
            value,
        }
    }

    fn join(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    fn shown_path(&self) -> String {
        if self.path.is_empty() {
            "(top level)".to_string()
        } else {
            self.path.clone()
        }
    }

    /// An error: this value is not allowed, because `reason`.
    pub fn invalid(&self, reason: impl Into<String>) -> ScenarioError {
        let (file, path) = (self.file.to_string(), self.shown_path());
        ScenarioError::Invalid {
            file,
            path,
            reason: reason.into(),
        }
    }

    /// An error: this value should have been `expected`.
    pub fn wrong_type(&self, expected: &str) -> ScenarioError {
        ScenarioError::WrongType {
            file: self.file.to_string(),
            path: self.shown_path(),
            expected: expected.to_string(),
            found: describe(self.value),
        }
    }

    /// An error: the field `key` of this mapping is required.
    pub fn missing(&self, key: &str) -> ScenarioError {
        let (file, path) = (self.file.to_string(), self.join(key));
        ScenarioError::MissingField { file, path }
    }

    /// The entries of a mapping with string keys, in file order.
    pub fn entries(&self) -> Result<Vec<(&'a str, Field<'a>)>> {
        let Value::Mapping(map) = self.value else {
            return Err(self.wrong_type("a mapping"));
        };
        let mut out = Vec::with_capacity(map.len());
        for (k, v) in map {
            let Value::String(key) = k else {
                let reason = format!("keys must be strings, found {}", describe(k));
                return Err(self.invalid(reason));
            };
            out.push((key.as_str(), self.key(key, v)));
        }
        Ok(out)
    }

    /// A mapping whose keys must all be among `allowed` (a misspelt key is an error).
    pub fn fields(&self, allowed: &[&str]) -> Result<Fields<'a>> {
        for (key, child) in self.entries()? {
            if !allowed.contains(&key) {
                return Err(unknown_field(&child, key, allowed));
            }
        }
        let Value::Mapping(map) = self.value else {
            unreachable!("entries checked it")
        };
        Ok(Fields {
            field: self.clone(),
            map,
        })
    }

    /// The items of a list.
    pub fn list(&self) -> Result<Vec<Field<'a>>> {
        match self.value {
            Value::Sequence(items) => Ok(items
                .iter()
                .enumerate()
                .map(|(i, v)| self.item(i, v))
                .collect()),
            _ => Err(self.wrong_type("a list")),
        }
    }

    /// A string.
    pub fn str(&self) -> Result<&'a str> {
        match self.value {
            Value::String(s) => Ok(s),
            _ => Err(self.wrong_type("a string")),
        }
    }

    /// A non-negative integer.
    pub fn u64(&self) -> Result<u64> {
        match self.value {
            Value::Number(n) => n
                .as_u64()
                .ok_or_else(|| self.wrong_type("a non-negative integer")),
            _ => Err(self.wrong_type("a non-negative integer")),
        }
    }

    /// `true` or `false`.
    pub fn bool(&self) -> Result<bool> {
        match self.value {
            Value::Bool(b) => Ok(*b),
            _ => Err(self.wrong_type("true or false")),
        }
    }

    /// A mapping of label keys to string values, like `{app: web}`.
    pub fn labels(&self) -> Result<BTreeMap<String, String>> {
        let mut out = BTreeMap::new();
        for (key, value) in self.entries()? {
            let text = value
                .str()
                .map_err(|_| value.wrong_type("a string (quote numbers and booleans)"))?;
            out.insert(key.to_string(), text.to_string());
        }
        Ok(out)
    }
}

impl<'a> Fields<'a> {
    /// The field `key`, if present and not null.
    pub fn opt(&self, key: &str) -> Option<Field<'a>> {
        match self.map.get(key) {
            None | Some(Value::Null) => None,
            Some(v) => Some(self.field.key(key, v)),
        }
    }

    /// The field `key`, which must be present.
    pub fn req(&self, key: &str) -> Result<Field<'a>> {
        self.opt(key).ok_or_else(|| self.field.missing(key))
    }

    /// The keys present (with a non-null value), in file order.
    pub fn present(&self) -> Vec<&'a str> {
        let non_null = self.map.iter().filter(|(_, v)| !v.is_null());
        non_null.filter_map(|(k, _)| k.as_str()).collect()
    }
}

/// How a value looks, for messages: `a list`, `a number (3)`.
pub(crate) fn describe(value: &Value) -> String {
    match value {
        Value::Null => "nothing".to_string(),
        Value::Bool(b) => format!("a boolean ({b})"),
        Value::Number(n) => format!("a number ({n})"),
        Value::String(s) => format!("a string ({s:?})"),
        Value::Sequence(_) => "a list".to_string(),
        Value::Mapping(_) => "a mapping".to_string(),
        Value::Tagged(t) => format!("a tagged value ({})", t.tag),
    }
}

/// An error: `key` (at `child`) is none of `allowed`.
pub(crate) fn unknown_field(child: &Field, key: &str, allowed: &[&str]) -> ScenarioError {
    ScenarioError::UnknownField {
        file: child.file.to_string(),
        path: child.path.clone(),
        expected: allowed.join(", "),
        hint: did_you_mean(key, allowed)
            .map(|s| format!("; did you mean {s}?"))
            .unwrap_or_default(),
    }
}

/// The closest of `candidates` to a misspelt `word`, if it is close enough to be a likely typo.
pub(crate) fn did_you_mean<'c>(word: &str, candidates: &[&'c str]) -> Option<&'c str> {
    let lower = word.to_ascii_lowercase();
    let extended: Vec<&str> = candidates
        .iter()
        .copied()
        .filter(|c| c.starts_with(&lower))
        .collect();
    if let ([only], true) = (&extended[..], lower.len() >= 3) {
        return Some(only);
    }
    let scored = candidates.iter().map(|c| (edit_distance(&lower, c), *c));
    let (distance, best) = scored.min_by_key(|(d, _)| *d)?;
    (distance <= 2 || distance * 4 <= best.len()).then_some(best)
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_close_misspelling_gets_a_suggestion_and_a_distant_word_does_not() {
        let keys = ["delete-pod", "kill-container"];
        assert_eq!(did_you_mean("kill-containr", &keys), Some("kill-container"));
        assert_eq!(did_you_mean("killContainer", &keys), Some("kill-container"));
        assert_eq!(did_you_mean("reboot", &keys), None);
        assert_eq!(did_you_mean("kill", &keys), Some("kill-container"));
    }
}
