//! The scenario's `testing` section: switches for testing the invariant checker only (never for real studies).
//!
//! `testing: {mutant: NAME}` replaces one controller's correct code path with a deliberately wrong
//! variant taken from a real upstream bug, so that tests can show `kubesim check` catches it.
//! Without it (the default) every controller runs its correct code.

use super::field::{Field, Result};

const TESTING: &[&str] = &["mutant"];

/// The `testing` section: for testing the checker only.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Testing {
    /// The deliberately wrong controller variant switched on, if any.
    pub mutant: Option<Mutant>,
}

/// A deliberately wrong controller variant, each modelled on a real upstream bug.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Mutant {
    /// The node lifecycle controller force-deletes the pods of a NotReady node at once
    /// (kubernetes/kubernetes#35145): a StatefulSet identity then runs twice.
    NodeLifecycleForceDelete,
    /// StatefulSet scale-down deletes ordinal i as soon as i+1 is terminating, not gone
    /// (kubernetes/kubernetes#44229).
    StatefulSetEarlyScaleDown,
    /// The ReplicaSet controller syncs without expectations, trusting a stale informer
    /// (kubernetes/kubernetes#129795): it creates pods twice.
    ReplicaSetNoExpectations,
    /// The endpoints controller ignores deletionTimestamp (kubernetes/kubernetes#54723): terminating
    /// pods stay ready endpoints.
    EndpointsIgnoreDeletion,
    /// The attach/detach controller force-detaches on a fixed timer whatever the node's state
    /// (kubernetes/kubernetes#106710): a volume is detached while mounted.
    AttachDetachFixedTimer,
}

impl Mutant {
    /// Every mutant, in the order of issue 7.
    pub const ALL: [Mutant; 5] = [
        Mutant::NodeLifecycleForceDelete,
        Mutant::StatefulSetEarlyScaleDown,
        Mutant::ReplicaSetNoExpectations,
        Mutant::EndpointsIgnoreDeletion,
        Mutant::AttachDetachFixedTimer,
    ];

    /// Its name in a scenario file (`testing.mutant`).
    pub fn name(self) -> &'static str {
        match self {
            Mutant::NodeLifecycleForceDelete => "nodelifecycle-force-delete",
            Mutant::StatefulSetEarlyScaleDown => "statefulset-early-scale-down",
            Mutant::ReplicaSetNoExpectations => "replicaset-no-expectations",
            Mutant::EndpointsIgnoreDeletion => "endpoints-ignore-deletion",
            Mutant::AttachDetachFixedTimer => "attach-detach-fixed-timer",
        }
    }

    /// The mutant named `name` in a scenario file.
    pub fn from_name(name: &str) -> Option<Mutant> {
        Mutant::ALL.into_iter().find(|m| m.name() == name)
    }
}

impl Testing {
    /// True if `mutant` is switched on.
    pub fn is(&self, mutant: Mutant) -> bool {
        self.mutant == Some(mutant)
    }
}

/// Reads the optional `testing` section.
pub(crate) fn testing(field: Option<Field>) -> Result<Testing> {
    let Some(field) = field else {
        return Ok(Testing::default());
    };
    let f = field.fields(TESTING)?;
    let Some(m) = f.opt("mutant") else {
        return Ok(Testing::default());
    };
    let name = m.str()?;
    let mutant = Mutant::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = Mutant::ALL.iter().map(|m| m.name()).collect();
        m.invalid(format!(
            "unknown mutant {name:?}; expected one of: {}",
            names.join(", ")
        ))
    })?;
    Ok(Testing {
        mutant: Some(mutant),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::load_str;
    use std::path::Path;

    const BASE: &str = "name: t\nduration: 1m\n";

    #[test]
    fn every_mutant_name_reads_back_as_that_mutant() {
        for m in Mutant::ALL {
            let text = format!("{BASE}testing: {{mutant: {}}}\n", m.name());
            let s = load_str(&text, Path::new("t.yaml")).unwrap();
            assert_eq!(s.testing.mutant, Some(m));
        }
    }

    #[test]
    fn a_scenario_without_testing_runs_the_correct_controllers() {
        let s = load_str(BASE, Path::new("t.yaml")).unwrap();
        assert_eq!(s.testing, Testing::default());
        assert_eq!(s.testing.mutant, None);
    }

    #[test]
    fn an_unknown_mutant_is_named_with_the_file_and_field() {
        let text = format!("{BASE}testing: {{mutant: rs-no-expectations}}\n");
        let err = load_str(&text, Path::new("t.yaml"))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("t.yaml: testing.mutant: unknown mutant"),
            "{err}"
        );
        assert!(err.contains("replicaset-no-expectations"), "{err}");
    }
}
