//! Name syntax checks (DNS-1123 subdomain and label, DNS-1035 label, IANA service name, config key).
//!
//! Rules and messages from k8s.io/apimachinery/pkg/util/validation/validation.go; each check
//! returns the API server's messages, empty when the name is valid.

const LABEL_MSG: &str =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', \
and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', \
regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

const SUBDOMAIN_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \
'-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for \
validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

const DNS1035_MSG: &str = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', \
start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', \
regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

const CONFIG_KEY_MSG: &str =
    "a valid config key must consist of alphanumeric characters, '-', '_' or '.' \
(e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

/// Which name rule an object kind uses (kk:pkg/apis/*/validation `Validate*Name`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NameRule {
    /// `NameIsDNSSubdomain`: most kinds.
    Subdomain,
    /// `NameIsDNSLabel`: StatefulSet (its pods' hostnames), namespaces.
    Label,
    /// `NameIsDNS1035Label`: Service.
    Dns1035,
}

/// The messages for `name` under `rule`.
pub(crate) fn check(rule: NameRule, name: &str) -> Vec<String> {
    match rule {
        NameRule::Subdomain => dns1123_subdomain(name),
        NameRule::Label => dns1123_label(name),
        NameRule::Dns1035 => dns1035_label(name),
    }
}

/// `IsDNS1123Label`: at most 63 of `[a-z0-9-]`, alphanumeric at both ends.
pub(crate) fn dns1123_label(name: &str) -> Vec<String> {
    let mut errs = max_len(name, 63);
    if !is_label(name) {
        errs.push(LABEL_MSG.to_string());
    }
    errs
}

/// `IsDNS1123Subdomain`: at most 253 characters, dot-separated labels.
pub(crate) fn dns1123_subdomain(name: &str) -> Vec<String> {
    let mut errs = max_len(name, 253);
    if !name.split('.').all(is_label) {
        errs.push(SUBDOMAIN_MSG.to_string());
    }
    errs
}

/// `IsDNS1035Label`: a DNS-1123 label that starts with a letter.
pub(crate) fn dns1035_label(name: &str) -> Vec<String> {
    let mut errs = max_len(name, 63);
    if !is_label(name) || !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        errs.push(DNS1035_MSG.to_string());
    }
    errs
}

/// `IsValidPortName` (IANA_SVC_NAME): what a named container port or targetPort must be.
pub(crate) fn port_name(name: &str) -> Vec<String> {
    let mut errs = max_len(name, 15);
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
    if !name.chars().all(allowed) {
        errs.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)".into());
    }
    if !name.chars().any(|c| c.is_ascii_lowercase()) {
        errs.push("must contain at least one letter (a-z)".into());
    }
    if name.contains("--") {
        errs.push("must not contain consecutive hyphens".into());
    }
    if name.starts_with('-') || name.ends_with('-') {
        errs.push("must not begin or end with a hyphen".into());
    }
    errs
}

/// `IsConfigMapKey`: ConfigMap and Secret data keys.
pub(crate) fn config_key(key: &str) -> Vec<String> {
    let mut errs = max_len(key, 253);
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    if key.is_empty() || !key.chars().all(allowed) {
        errs.push(CONFIG_KEY_MSG.to_string());
    }
    if key == "." || key == ".." || key.starts_with("..") {
        errs.push("must not be '.' or '..' and must not start with '..'".into());
    }
    errs
}

fn is_label(s: &str) -> bool {
    let inner = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
    let end = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    s.chars().all(inner) && s.starts_with(end) && s.ends_with(end)
}

fn max_len(s: &str, max: usize) -> Vec<String> {
    if s.len() > max {
        vec![format!("must be no more than {max} characters")]
    } else {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subdomains_allow_dots_but_labels_do_not() {
        assert!(dns1123_subdomain("mariadb.example").is_empty());
        assert!(!dns1123_label("mariadb.example").is_empty());
        assert!(dns1123_label("zk-0").is_empty());
        assert!(!dns1123_subdomain("MariaDB").is_empty());
        assert!(!dns1123_subdomain("-web").is_empty());
        assert!(!dns1123_subdomain("web.").is_empty());
        assert!(!dns1123_subdomain("").is_empty());
    }

    #[test]
    fn service_names_must_start_with_a_letter() {
        assert!(dns1035_label("mariadb").is_empty());
        assert!(!dns1035_label("1mariadb").is_empty());
        assert_eq!(
            dns1035_label(&"a".repeat(64))[0],
            "must be no more than 63 characters"
        );
    }

    #[test]
    fn port_names_follow_iana_service_names() {
        assert!(port_name("client").is_empty());
        assert!(port_name("leader-election").is_empty());
        assert!(!port_name("leader-election-port").is_empty());
        assert!(!port_name("8080").is_empty());
        assert!(!port_name("a--b").is_empty());
    }

    #[test]
    fn config_keys_allow_dots_and_underscores() {
        assert!(config_key("jvm.heap").is_empty());
        assert!(config_key("KEY_NAME").is_empty());
        assert!(!config_key("a b").is_empty());
        assert!(!config_key("..a").is_empty());
    }
}
