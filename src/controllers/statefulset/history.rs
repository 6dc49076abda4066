//! Controller revisions of a StatefulSet: `getStatefulSetRevisions` and `truncateHistory`
//! (kk:pkg/controller/statefulset/stateful_set_control.go, kk:pkg/controller/history).

use crate::api::PodTemplate;

/// A ControllerRevision as the controller reads it (or the one it is about to create).
#[derive(Debug, Clone, PartialEq)]
pub struct RevView {
    /// The store id (`RevId.0`); None for a revision this sync creates.
    pub key: Option<u32>,
    pub name: String,
    pub revision: i64,
    pub created_ms: u64,
    pub template: PodTemplate,
}

/// What the revisions need written.
#[derive(Debug, Clone, PartialEq)]
pub enum RevisionWrite {
    None,
    /// `CreateControllerRevision` of the update revision.
    Create,
    /// `UpdateControllerRevision`: a rollback renumbers an equal earlier revision.
    Renumber {
        key: u32,
        revision: i64,
    },
}

/// `SortControllerRevisions`: by revision, then creation time, then name.
pub fn sort(revisions: &mut [RevView]) {
    revisions.sort_by(|a, b| {
        (a.revision, a.created_ms, &a.name).cmp(&(b.revision, b.created_ms, &b.name))
    });
}

/// `getStatefulSetRevisions` over sorted `revisions`: `candidate` is the set's present template as a
/// new revision (numbered `nextRevision`). Returns the current revision, the update revision and the
/// write that makes the update revision exist.
pub fn stateful_set_revisions(
    revisions: &[RevView],
    candidate: RevView,
    status_current: &str,
) -> (RevView, RevView, RevisionWrite) {
    let equal: Vec<&RevView> = revisions
        .iter()
        .filter(|r| r.template == candidate.template)
        .collect();
    let (update, write) = match (equal.last(), revisions.last()) {
        // The equivalent revision is the latest: the update revision has not changed.
        (Some(eq), Some(last)) if eq.template == last.template => {
            ((*eq).clone(), RevisionWrite::None)
        }
        // An older equivalent: roll back by giving it the next revision number.
        (Some(eq), _) => {
            let mut r = (*eq).clone();
            r.revision = candidate.revision;
            let key = eq.key.expect("stored revisions have keys");
            let write = RevisionWrite::Renumber {
                key,
                revision: candidate.revision,
            };
            (r, write)
        }
        (None, _) => (candidate, RevisionWrite::Create),
    };
    let current = revisions
        .iter()
        .find(|r| r.name == status_current)
        .cloned()
        .unwrap_or_else(|| update.clone());
    (current, update, write)
}

/// `nextRevision`: one more than the largest revision (sorted), 1 for none.
pub fn next_revision(revisions: &[RevView]) -> i64 {
    revisions.last().map_or(1, |r| r.revision + 1)
}

/// `truncateHistory`: the stored revisions (sorted) that are not live (current, update, or the
/// revision of a pod) beyond `limit`, oldest first: the ones to delete.
pub fn truncate_history(revisions: &[RevView], live: &[&str], limit: u32) -> Vec<u32> {
    let history: Vec<u32> = revisions
        .iter()
        .filter(|r| !live.contains(&r.name.as_str()))
        .filter_map(|r| r.key)
        .collect();
    let excess = history.len().saturating_sub(limit as usize);
    history[..excess].to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Labels;

    fn template(image: &str) -> PodTemplate {
        let mut spec = crate::manifest::convert::pod_spec(None);
        spec.containers.push(test_container(image));
        PodTemplate {
            labels: Labels::new(),
            spec,
        }
    }

    fn test_container(image: &str) -> crate::api::Container {
        crate::api::Container {
            name: "web".into(),
            image: image.into(),
            pull_policy: crate::api::PullPolicy::IfNotPresent,
            cpu_milli: 0,
            memory_bytes: 0,
            readiness: None,
            liveness: None,
            startup: None,
            has_pre_stop: false,
        }
    }

    fn rev(key: u32, revision: i64, image: &str) -> RevView {
        RevView {
            key: Some(key),
            name: format!("web-{key}"),
            revision,
            created_ms: 0,
            template: template(image),
        }
    }

    fn candidate(revisions: &[RevView], image: &str) -> RevView {
        RevView {
            key: None,
            name: "web-new".into(),
            revision: next_revision(revisions),
            created_ms: 0,
            template: template(image),
        }
    }

    #[test]
    fn the_first_sync_creates_revision_1_as_both_current_and_update() {
        let (current, update, write) = stateful_set_revisions(&[], candidate(&[], "nginx:1"), "");
        assert_eq!(write, RevisionWrite::Create);
        assert_eq!((current.revision, update.revision), (1, 1));
        assert_eq!(current.name, "web-new");
    }

    #[test]
    fn an_unchanged_template_keeps_the_latest_revision() {
        let revs = [rev(0, 1, "nginx:1")];
        let (current, update, write) =
            stateful_set_revisions(&revs, candidate(&revs, "nginx:1"), "web-0");
        assert_eq!(write, RevisionWrite::None);
        assert_eq!(
            (current.name.as_str(), update.name.as_str()),
            ("web-0", "web-0")
        );
    }

    #[test]
    fn a_new_template_creates_revision_2_and_keeps_the_current_one() {
        let revs = [rev(0, 1, "nginx:1")];
        let (current, update, write) =
            stateful_set_revisions(&revs, candidate(&revs, "nginx:2"), "web-0");
        assert_eq!(write, RevisionWrite::Create);
        assert_eq!((current.name.as_str(), update.revision), ("web-0", 2));
    }

    #[test]
    fn going_back_to_an_older_template_renumbers_its_revision() {
        let revs = [rev(0, 1, "nginx:1"), rev(1, 2, "nginx:2")];
        let (_, update, write) =
            stateful_set_revisions(&revs, candidate(&revs, "nginx:1"), "web-1");
        assert_eq!(
            write,
            RevisionWrite::Renumber {
                key: 0,
                revision: 3
            }
        );
        assert_eq!((update.name.as_str(), update.revision), ("web-0", 3));
    }

    #[test]
    fn history_beyond_the_limit_is_truncated_oldest_first_sparing_live_revisions() {
        let revs: Vec<RevView> = (0..5).map(|i| rev(i, i64::from(i) + 1, "x")).collect();
        assert_eq!(truncate_history(&revs, &["web-4", "web-1"], 1), vec![0, 2]);
        assert!(truncate_history(&revs, &["web-4"], 10).is_empty());
    }
}
