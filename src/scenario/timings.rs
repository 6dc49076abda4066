//! Kubernetes timings the model uses: upstream defaults, each with its source, overridable per scenario.

/// Durations in milliseconds. `Default` gives the upstream defaults (Kubernetes 1.32).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timings {
    /// Generic PLEG relist period: the kubelet notices container state changes this often.
    /// kk:pkg/kubelet/kubelet.go `genericPlegRelistPeriod = time.Second`.
    pub pleg_relist_period_ms: u64,
    /// First container restart back-off, doubled per restart. kk:pkg/kubelet/kubelet.go `backOffPeriod = 10s`.
    pub restart_backoff_initial_ms: u64,
    /// Cap of the restart back-off. kk:pkg/kubelet/apis/config/v1beta1/defaults.go `MaxContainerBackOff = 300s`.
    pub restart_backoff_max_ms: u64,
    /// A container that ran this long without a problem has its back-off reset (docs, pod-lifecycle#restart-policy).
    pub restart_backoff_reset_ms: u64,
    /// kube-proxy `minSyncPeriod` (iptables): rule changes are applied at most this often.
    /// kk:pkg/proxy/apis/config/v1alpha1/defaults.go.
    pub kube_proxy_min_sync_period_ms: u64,
    /// Time for one kube-proxy sync to write the rules (iptables-restore).
    pub kube_proxy_sync_ms: u64,
    /// Latency of one watch notification from the API server to a controller or kubelet.
    pub watch_latency_ms: u64,
    /// Scheduler: initial per-pod back-off after a failed attempt. kk:pkg/scheduler/apis/config/v1/defaults.go.
    pub scheduler_backoff_initial_ms: u64,
    /// Scheduler: maximum per-pod back-off.
    pub scheduler_backoff_max_ms: u64,
    /// Scheduler: a pod stays at most this long in unschedulablePods before the flush moves it back
    /// (`DefaultPodMaxInUnschedulablePodsDuration`, kk:pkg/scheduler/backend/queue/scheduling_queue.go).
    pub scheduler_max_in_unschedulable_ms: u64,
    /// Scheduler: period of the `flushUnschedulablePodsLeftover` loop (30 s, same file).
    pub scheduler_unschedulable_flush_ms: u64,
    /// Attach/detach controller reconciler loop period.
    /// kk:pkg/controller/volume/attachdetach/attach_detach_controller.go `reconcilerLoopPeriod = 100ms`.
    pub attach_detach_reconcile_ms: u64,
    /// Force-detach from an unhealthy node after this long (`reconcilerMaxWaitForUnmountDuration = 6m`).
    pub attach_detach_max_wait_for_unmount_ms: u64,
    /// kubelet volume manager reconciler loop (kk:pkg/kubelet/volumemanager/volume_manager.go `reconcilerLoopSleepPeriod = 100ms`).
    pub volume_manager_reconcile_ms: u64,
    /// PV controller resync (`pvclaimbinder-sync-period`).
    pub pv_resync_ms: u64,
    /// ReplicaSet expectations expire after this (kk:pkg/controller/controller_utils.go `ExpectationsTimeout = 5m`).
    pub expectations_timeout_ms: u64,
    /// Node monitor grace period (kk:pkg/controller/nodelifecycle/config/v1alpha1/defaults.go, 50s since 1.32).
    pub node_monitor_grace_period_ms: u64,
    /// Feature gate MaxUnavailableStatefulSet: a StatefulSet's RollingUpdate honours
    /// `maxUnavailable` (alpha and off in 1.24-1.33, kk:pkg/features/kube_features.go).
    pub max_unavailable_stateful_set: bool,
}

impl Default for Timings {
    fn default() -> Self {
        Timings {
            pleg_relist_period_ms: 1_000,
            restart_backoff_initial_ms: 10_000,
            restart_backoff_max_ms: 300_000,
            restart_backoff_reset_ms: 600_000,
            kube_proxy_min_sync_period_ms: 1_000,
            kube_proxy_sync_ms: 100,
            watch_latency_ms: 10,
            scheduler_backoff_initial_ms: 1_000,
            scheduler_backoff_max_ms: 10_000,
            scheduler_max_in_unschedulable_ms: 300_000,
            scheduler_unschedulable_flush_ms: 30_000,
            attach_detach_reconcile_ms: 100,
            attach_detach_max_wait_for_unmount_ms: 360_000,
            volume_manager_reconcile_ms: 100,
            pv_resync_ms: 15_000,
            expectations_timeout_ms: 300_000,
            node_monitor_grace_period_ms: 50_000,
            max_unavailable_stateful_set: false,
        }
    }
}

impl Timings {
    /// The scenario spelling (kebab-case) of every timing, for overrides and messages.
    pub const NAMES: &'static [&'static str] = &[
        "pleg-relist-period",
        "restart-backoff-initial",
        "restart-backoff-max",
        "restart-backoff-reset",
        "kube-proxy-min-sync-period",
        "kube-proxy-sync",
        "watch-latency",
        "scheduler-backoff-initial",
        "scheduler-backoff-max",
        "scheduler-max-in-unschedulable",
        "scheduler-unschedulable-flush",
        "attach-detach-reconcile",
        "attach-detach-max-wait-for-unmount",
        "volume-manager-reconcile",
        "pv-resync",
        "expectations-timeout",
        "node-monitor-grace-period",
    ];

    /// The scenario spelling of every feature gate (`true` or `false` among the timings).
    pub const GATES: &'static [&'static str] = &["max-unavailable-stateful-set"];

    /// Turns the feature gate called `name` on or off; false if there is no such gate.
    pub fn set_gate(&mut self, name: &str, on: bool) -> bool {
        match name {
            "max-unavailable-stateful-set" => self.max_unavailable_stateful_set = on,
            _ => return false,
        }
        true
    }

    /// Sets the timing called `name` (kebab-case); false if there is no such timing.
    pub fn set(&mut self, name: &str, ms: u64) -> bool {
        let slot = match name {
            "pleg-relist-period" => &mut self.pleg_relist_period_ms,
            "restart-backoff-initial" => &mut self.restart_backoff_initial_ms,
            "restart-backoff-max" => &mut self.restart_backoff_max_ms,
            "restart-backoff-reset" => &mut self.restart_backoff_reset_ms,
            "kube-proxy-min-sync-period" => &mut self.kube_proxy_min_sync_period_ms,
            "kube-proxy-sync" => &mut self.kube_proxy_sync_ms,
            "watch-latency" => &mut self.watch_latency_ms,
            "scheduler-backoff-initial" => &mut self.scheduler_backoff_initial_ms,
            "scheduler-backoff-max" => &mut self.scheduler_backoff_max_ms,
            "scheduler-max-in-unschedulable" => &mut self.scheduler_max_in_unschedulable_ms,
            "scheduler-unschedulable-flush" => &mut self.scheduler_unschedulable_flush_ms,
            "attach-detach-reconcile" => &mut self.attach_detach_reconcile_ms,
            "attach-detach-max-wait-for-unmount" => &mut self.attach_detach_max_wait_for_unmount_ms,
            "volume-manager-reconcile" => &mut self.volume_manager_reconcile_ms,
            "pv-resync" => &mut self.pv_resync_ms,
            "expectations-timeout" => &mut self.expectations_timeout_ms,
            "node-monitor-grace-period" => &mut self.node_monitor_grace_period_ms,
            _ => return false,
        };
        *slot = ms;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_named_timing_can_be_overridden() {
        for name in Timings::NAMES {
            let mut t = Timings::default();
            assert!(t.set(name, 123_456), "{name}");
            assert_ne!(t, Timings::default(), "{name} changed nothing");
        }
        assert!(!Timings::default().set("node-monitor-grace", 1));
    }

    #[test]
    fn feature_gates_are_off_by_default_and_can_be_turned_on() {
        let mut t = Timings::default();
        assert!(!t.max_unavailable_stateful_set);
        for name in Timings::GATES {
            assert!(t.set_gate(name, true), "{name}");
        }
        assert!(t.max_unavailable_stateful_set);
        assert!(!t.set_gate("max-unavailable", true));
    }
}
