//! Typed ids: indexes into the store's arenas, one type per kind so they cannot be mixed up; and pod IPs.

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub u32);

        impl $name {
            /// The arena index.
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

id_type!(
    /// A Node.
    NodeId
);
id_type!(
    /// A Pod incarnation (one UID); a recreated pod with the same name gets a new id.
    PodId
);
id_type!(
    /// A ReplicaSet.
    RsId
);
id_type!(
    /// A Deployment.
    DeployId
);
id_type!(
    /// A Service.
    SvcId
);
id_type!(
    /// A PersistentVolumeClaim.
    PvcId
);
id_type!(
    /// A PersistentVolume.
    PvId
);
id_type!(
    /// A PodDisruptionBudget.
    PdbId
);
id_type!(
    /// A StatefulSet.
    StsId
);
id_type!(
    /// A ControllerRevision (a StatefulSet's pod template at one revision).
    RevId
);
id_type!(
    /// A DaemonSet.
    DsId
);
id_type!(
    /// A Job.
    JobId
);

/// The kinds the store holds, for change notifications.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Node,
    Pod,
    ReplicaSet,
    Deployment,
    Service,
    PersistentVolumeClaim,
    PersistentVolume,
    PodDisruptionBudget,
    StatefulSet,
    ControllerRevision,
    DaemonSet,
    Job,
}

impl Kind {
    /// The Kubernetes kind name.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Node => "Node",
            Kind::Pod => "Pod",
            Kind::ReplicaSet => "ReplicaSet",
            Kind::Deployment => "Deployment",
            Kind::Service => "Service",
            Kind::PersistentVolumeClaim => "PersistentVolumeClaim",
            Kind::PersistentVolume => "PersistentVolume",
            Kind::PodDisruptionBudget => "PodDisruptionBudget",
            Kind::StatefulSet => "StatefulSet",
            Kind::ControllerRevision => "ControllerRevision",
            Kind::DaemonSet => "DaemonSet",
            Kind::Job => "Job",
        }
    }
}

/// A pod's IP address as the kubelet's host-local IPAM hands it out: a /24 of `10.244.0.0/16` per
/// node and the next host number in it. Kept as two numbers (not a string) so endpoints copy cheaply;
/// it prints as `10.244.NODE.HOST`. Clusters above 256 nodes print a third octet above 255, as the
/// model gives every node its own range whatever the cluster CIDR's size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PodIp {
    /// The node's range (its arena index).
    pub node: u32,
    /// The host number within the node's range.
    pub host: u32,
}

impl std::fmt::Display for PodIp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "10.244.{}.{}", self.node, self.host)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pod_ip_prints_as_the_nodes_range_and_its_host_number() {
        let ip = PodIp { node: 3, host: 17 };
        assert_eq!(ip.to_string(), "10.244.3.17");
    }
}
