//! Kubernetes Event objects: what actors report (`Scheduled`, `Pulling`, `Killing`, ...).

use crate::engine::SimTime;

/// A Kubernetes Event object (`kubectl get events`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub time: SimTime,
    /// The kind of the involved object (`Pod`, `ReplicaSet`, `PersistentVolumeClaim`, ...).
    pub kind: String,
    pub namespace: String,
    pub name: String,
    /// The reason as Kubernetes names it (`Scheduled`, `Pulling`, `Killing`, ...).
    pub reason: String,
    pub message: String,
}

impl Event {
    /// An event about `kind` `namespace/name` at `time`.
    pub fn new(
        time: SimTime,
        kind: &str,
        namespace: &str,
        name: &str,
        reason: &str,
        message: String,
    ) -> Self {
        Event {
            time,
            kind: kind.to_string(),
            namespace: namespace.to_string(),
            name: name.to_string(),
            reason: reason.to_string(),
            message,
        }
    }

    /// An event about a Pod.
    pub fn pod(time: SimTime, pod: &super::Meta, reason: &str, message: String) -> Self {
        Event::new(time, "Pod", &pod.namespace, &pod.name, reason, message)
    }
}
