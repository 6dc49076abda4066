//! The scenario's control-plane faults: `crash-controller`, `delay-watch`, `drop-watch`,
//! `slow-sync` and `conflict`, each aimed
//! at one controller of kube-controller-manager by the name its `--controllers` flag gives it.

use super::duration::show;
use super::field::{Field, Result};

/// The control-plane faults as the scenario spells them.
pub(crate) const CONTROL_PLANE_ACTIONS: &[&str] = &[
    "crash-controller",
    "delay-watch",
    "drop-watch",
    "slow-sync",
    "conflict",
];

/// A controller a control-plane fault hits: those whose state a restart rebuilds from the API
/// objects alone (the PV binder, attach/detach and node lifecycle controllers are not among them yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Controller {
    StatefulSet,
    ReplicaSet,
    Deployment,
    /// The EndpointSlice controller (`endpoints` or `endpointslice`).
    Endpoints,
    DaemonSet,
    Job,
    Disruption,
    GarbageCollector,
}

impl Controller {
    /// Every controller, in the order of their names.
    pub const ALL: [Controller; 8] = [
        Controller::StatefulSet,
        Controller::ReplicaSet,
        Controller::Deployment,
        Controller::Endpoints,
        Controller::DaemonSet,
        Controller::Job,
        Controller::Disruption,
        Controller::GarbageCollector,
    ];

    /// The name kube-controller-manager's `--controllers` flag gives it.
    pub fn name(self) -> &'static str {
        match self {
            Controller::StatefulSet => "statefulset",
            Controller::ReplicaSet => "replicaset",
            Controller::Deployment => "deployment",
            Controller::Endpoints => "endpoints",
            Controller::DaemonSet => "daemonset",
            Controller::Job => "job",
            Controller::Disruption => "disruption",
            Controller::GarbageCollector => "garbagecollector",
        }
    }

    /// Position in [`Controller::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The controller called `name` (`endpointslice` is another name of `endpoints`).
    fn by_name(name: &str) -> Option<Controller> {
        if name == "endpointslice" {
            return Some(Controller::Endpoints);
        }
        Controller::ALL.into_iter().find(|c| c.name() == name)
    }
}

/// Which of a controller's informers a `delay-watch` slows: each resource has its own informer
/// and watch (k8s.io/client-go/informers/factory.go `InformerFor`), so one can lag alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WatchedResource {
    /// Every informer of the controller (`resource: all`, the default).
    #[default]
    All,
    /// Only its pod informer (`resource: pods`): its own objects' events stay on time.
    Pods,
}

/// What a control-plane fault does.
#[derive(Debug, Clone, PartialEq)]
pub enum ControlPlaneFault {
    /// The controller's process dies: it reacts to nothing for `down_ms`, then starts again with
    /// empty caches and queues, lists every object and syncs it.
    Crash {
        controller: Controller,
        down_ms: u64,
    },
    /// For `for_ms`, the controller's watch delivers each change `by_ms` late: its cache and its
    /// reactions lag behind the API server (only its pod informer's with `resource: pods`).
    DelayWatch {
        controller: Controller,
        by_ms: u64,
        for_ms: u64,
        resource: WatchedResource,
    },
    /// The controller's watches break: its caches stop changing and it hears of nothing, until
    /// its reflectors relist after `relist_after_ms` (a watch closed with 410 Gone, the relist
    /// retried with back-off); the relist refreshes every cache at once and its handlers see every
    /// object again (k8s.io/client-go/tools/cache/reflector.go `ListAndWatch`, `DeltaFIFO.Replace`).
    DropWatch {
        controller: Controller,
        relist_after_ms: u64,
    },
    /// For `for_ms`, each sync of the controller keeps its worker busy for `per_key_ms`: its keys
    /// wait their turn one at a time (a controller starved of CPU or API throughput, such as a
    /// garbage collector working through a large cascade with its `--concurrent-gc-syncs` workers).
    SlowSync {
        controller: Controller,
        per_key_ms: u64,
        for_ms: u64,
    },
    /// For `for_ms`, each update the controller sends fails with 409 Conflict with `probability`
    /// (the `api-conflicts` random stream); the sync stops there and the key is requeued with the
    /// work queue's rate-limited back-off.
    Conflict {
        controller: Controller,
        probability: f64,
        for_ms: u64,
    },
}

impl ControlPlaneFault {
    /// The controller it hits.
    pub fn controller(&self) -> Controller {
        match self {
            ControlPlaneFault::Crash { controller, .. }
            | ControlPlaneFault::DelayWatch { controller, .. }
            | ControlPlaneFault::DropWatch { controller, .. }
            | ControlPlaneFault::SlowSync { controller, .. }
            | ControlPlaneFault::Conflict { controller, .. } => *controller,
        }
    }

    /// What the summary shows as its target: `statefulset down 30s`.
    pub fn target(&self) -> String {
        match self {
            ControlPlaneFault::Crash {
                controller,
                down_ms,
            } => format!("{} down {}", controller.name(), show(*down_ms)),
            ControlPlaneFault::DelayWatch {
                controller,
                by_ms,
                for_ms,
                resource,
            } => format!(
                "{}{} by {} for {}",
                controller.name(),
                match resource {
                    WatchedResource::All => "",
                    WatchedResource::Pods => " pods",
                },
                show(*by_ms),
                show(*for_ms)
            ),
            ControlPlaneFault::DropWatch {
                controller,
                relist_after_ms,
            } => format!(
                "{} relists after {}",
                controller.name(),
                show(*relist_after_ms)
            ),
            ControlPlaneFault::SlowSync {
                controller,
                per_key_ms,
                for_ms,
            } => format!(
                "{} {} per key for {}",
                controller.name(),
                show(*per_key_ms),
                show(*for_ms)
            ),
            ControlPlaneFault::Conflict {
                controller,
                probability,
                for_ms,
            } => format!(
                "{} p={probability} for {}",
                controller.name(),
                show(*for_ms)
            ),
        }
    }
}

/// Reads the control-plane fault `action` from `body`.
pub(crate) fn control_plane_fault(action: &str, body: &Field) -> Result<ControlPlaneFault> {
    match action {
        "crash-controller" => {
            let f = body.fields(&["name", "down"])?;
            let controller = controller(&f.req("name")?)?;
            let down_ms = f.req("down")?.duration()?;
            Ok(ControlPlaneFault::Crash {
                controller,
                down_ms,
            })
        }
        "delay-watch" => delay_watch(body),
        "drop-watch" => {
            let f = body.fields(&["controller", "relist-after"])?;
            let controller = controller(&f.req("controller")?)?;
            let relist_after_ms = f.req("relist-after")?.duration()?;
            Ok(ControlPlaneFault::DropWatch {
                controller,
                relist_after_ms,
            })
        }
        "slow-sync" => slow_sync(body),
        _ => conflict(body),
    }
}

/// `{controller: X, by: 20s, for: 1m, resource: pods}`.
fn delay_watch(body: &Field) -> Result<ControlPlaneFault> {
    let f = body.fields(&["controller", "by", "for", "resource"])?;
    let controller = controller(&f.req("controller")?)?;
    let by = f.req("by")?;
    let by_ms = by.duration()?;
    if by_ms == 0 {
        return Err(by.invalid("a watch delay must be more than 0s"));
    }
    let for_ms = f.req("for")?.duration()?;
    let resource = match f.opt("resource") {
        None => WatchedResource::All,
        Some(r) => watched_resource(&r, controller)?,
    };
    Ok(ControlPlaneFault::DelayWatch {
        controller,
        by_ms,
        for_ms,
        resource,
    })
}

/// `all` or `pods`; a lone pod informer lag is modelled for the ReplicaSet controller only (the
/// one whose pod listing and own objects are read apart, with expectations in between).
fn watched_resource(field: &Field, c: Controller) -> Result<WatchedResource> {
    match field.str()? {
        "all" => Ok(WatchedResource::All),
        "pods" if c == Controller::ReplicaSet => Ok(WatchedResource::Pods),
        "pods" => Err(field.invalid(format!(
            "a pods-only watch delay is modelled for the replicaset controller only, not {}",
            c.name()
        ))),
        other => Err(field.invalid(format!("{other:?} is not a watched resource (all, pods)"))),
    }
}

/// `{controller: X, per-key: 2s, for: 5m}`.
fn slow_sync(body: &Field) -> Result<ControlPlaneFault> {
    let f = body.fields(&["controller", "per-key", "for"])?;
    let controller = controller(&f.req("controller")?)?;
    let per_key = f.req("per-key")?;
    let per_key_ms = per_key.duration()?;
    if per_key_ms == 0 {
        return Err(per_key.invalid("a slow sync takes more than 0s per key"));
    }
    let for_ms = f.req("for")?.duration()?;
    Ok(ControlPlaneFault::SlowSync {
        controller,
        per_key_ms,
        for_ms,
    })
}

/// `{controller: X, probability: 0.3, for: 5m}`.
fn conflict(body: &Field) -> Result<ControlPlaneFault> {
    let f = body.fields(&["controller", "probability", "for"])?;
    let controller = controller(&f.req("controller")?)?;
    let p = f.req("probability")?;
    let probability = match p.value.as_f64() {
        Some(x) if (0.0..=1.0).contains(&x) => x,
        _ => return Err(p.invalid("a probability is a number from 0 to 1")),
    };
    let for_ms = f.req("for")?.duration()?;
    Ok(ControlPlaneFault::Conflict {
        controller,
        probability,
        for_ms,
    })
}

/// A controller's name.
fn controller(field: &Field) -> Result<Controller> {
    let name = field.str()?;
    Controller::by_name(name).ok_or_else(|| {
        let names: Vec<&str> = Controller::ALL.iter().map(|c| c.name()).collect();
        field.invalid(format!(
            "{name:?} is not a controller ({})",
            names.join(", ")
        ))
    })
}
