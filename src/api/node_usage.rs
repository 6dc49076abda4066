//! What the pods bound to each node request, kept up to date as pods are bound and removed (the
//! scheduler cache's `NodeInfo.Requested` and `NonZeroRequested`, kk:pkg/scheduler/framework/types.go),
//! so that NodeResourcesFit and its scores read a node's sums instead of adding up its pods.

use super::ids::NodeId;
use super::objects::PodSpec;

/// `DefaultMilliCPURequest` (kk:pkg/scheduler/util/pod_resources.go): the CPU a container without a
/// request counts as when scoring (100m).
pub const DEFAULT_MILLI_CPU_REQUEST: u64 = 100;
/// `DefaultMemoryRequest`: the memory a container without a request counts as when scoring (200 MiB).
pub const DEFAULT_MEMORY_REQUEST: u64 = 200 * 1024 * 1024;

/// Sums over a set of pods (one pod, or every pod bound to a node).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Requested {
    pub cpu_milli: u64,
    pub memory_bytes: u64,
    /// CPU with containers without a request counted as `DEFAULT_MILLI_CPU_REQUEST`.
    pub non_zero_cpu_milli: u64,
    /// Memory with containers without a request counted as `DEFAULT_MEMORY_REQUEST`.
    pub non_zero_memory_bytes: u64,
    pub pods: u64,
}

impl Requested {
    /// What one pod with `spec` requests.
    pub fn of(spec: &PodSpec) -> Requested {
        let or_default = |v: u64, default: u64| if v == 0 { default } else { v };
        spec.containers.iter().fold(
            Requested {
                pods: 1,
                ..Default::default()
            },
            |r, c| Requested {
                cpu_milli: r.cpu_milli + c.cpu_milli,
                memory_bytes: r.memory_bytes + c.memory_bytes,
                non_zero_cpu_milli: r.non_zero_cpu_milli
                    + or_default(c.cpu_milli, DEFAULT_MILLI_CPU_REQUEST),
                non_zero_memory_bytes: r.non_zero_memory_bytes
                    + or_default(c.memory_bytes, DEFAULT_MEMORY_REQUEST),
                pods: r.pods,
            },
        )
    }

    /// `(cpu, memory)`, with the scoring defaults for containers without requests when `non_zero`.
    pub fn cpu_memory(&self, non_zero: bool) -> (u64, u64) {
        if non_zero {
            (self.non_zero_cpu_milli, self.non_zero_memory_bytes)
        } else {
            (self.cpu_milli, self.memory_bytes)
        }
    }

    /// These requests with `other`'s added.
    pub fn plus(mut self, other: &Requested) -> Requested {
        self.add(other, 1);
        self
    }

    fn add(&mut self, pod: &Requested, sign: i8) {
        let apply = |total: &mut u64, v: u64| {
            *total = if sign > 0 { *total + v } else { *total - v };
        };
        apply(&mut self.cpu_milli, pod.cpu_milli);
        apply(&mut self.memory_bytes, pod.memory_bytes);
        apply(&mut self.non_zero_cpu_milli, pod.non_zero_cpu_milli);
        apply(&mut self.non_zero_memory_bytes, pod.non_zero_memory_bytes);
        apply(&mut self.pods, pod.pods);
    }
}

/// Per node (by index), the sums over the live pods bound to it.
#[derive(Debug, Default, Clone)]
pub struct NodeUsage(Vec<Requested>);

impl NodeUsage {
    /// A pod with `spec` was bound to `node` (`bound`) or left it.
    pub(super) fn update(&mut self, node: NodeId, spec: &PodSpec, bound: bool) {
        if self.0.len() <= node.index() {
            self.0.resize(node.index() + 1, Requested::default());
        }
        self.0[node.index()].add(&Requested::of(spec), if bound { 1 } else { -1 });
    }

    /// The sums over the pods bound to `node`.
    pub fn of(&self, node: NodeId) -> Requested {
        self.0.get(node.index()).copied().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_container_without_requests_counts_as_the_scoring_defaults_only_when_non_zero() {
        let mut spec = crate::manifest::convert::pod_spec(None);
        spec.containers = vec![crate::api::Container {
            name: "web".into(),
            image: "nginx".into(),
            pull_policy: crate::api::PullPolicy::IfNotPresent,
            cpu_milli: 250,
            memory_bytes: 0,
            readiness: None,
            liveness: None,
            startup: None,
            has_pre_stop: false,
        }];
        let r = Requested::of(&spec);
        assert_eq!(r.cpu_memory(false), (250, 0));
        assert_eq!(r.cpu_memory(true), (250, DEFAULT_MEMORY_REQUEST));
        let mut usage = NodeUsage::default();
        usage.update(NodeId(2), &spec, true);
        usage.update(NodeId(2), &spec, true);
        usage.update(NodeId(2), &spec, false);
        assert_eq!(usage.of(NodeId(2)), r);
        assert_eq!(usage.of(NodeId(7)).pods, 0);
    }
}
