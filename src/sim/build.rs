//! Builds the world of a run from a scenario: nodes, objects from the manifests, kubelets, clients, faults.

use super::run::RunError;
use super::world::{Ev, Rngs, World};
use crate::api::*;
use crate::engine::{Calendar, SimTime, Streams, WorkQueue};
use crate::kubelet::Kubelet;
use crate::manifest::convert;
use crate::manifest::Object;
use crate::network::{client::ClientTimer, Clients, Proxy};
use crate::scenario::Scenario;
use rand::Rng;

/// Most events pending at once; a scenario that needs more is reported, not run out of memory.
const CALENDAR_LIMIT: usize = 10_000_000;

/// The world at time zero, with the scenario's objects created and its clients and faults scheduled.
pub fn build(scenario: &Scenario, seed: u64, replication: u64) -> Result<World<'_>, RunError> {
    let streams = Streams::new(seed, replication);
    let mut world = World {
        scenario,
        cal: Calendar::new(CALENDAR_LIMIT),
        store: Store::new(streams.stream("api-names")),
        runtime: Runtime::default(),
        queue: WorkQueue::default(),
        wake_at: None,
        kubelets: Vec::new(),
        scheduler: crate::scheduler::Scheduler::new(queue_config(&scenario.timings)),
        pv: Default::default(),
        adc: Default::default(),
        nlc: Default::default(),
        taint_eviction: Default::default(),
        podgc: Default::default(),
        capacity: Default::default(),
        rsc: Default::default(),
        jobs: Default::default(),
        proxy: Proxy::default(),
        clients: Clients {
            specs: Vec::new(),
            services: Vec::new(),
        },
        rngs: Rngs::new(&streams),
        recorder: Default::default(),
        events: Vec::new(),
        requests: Vec::new(),
        faults: Vec::new(),
        drainer: Default::default(),
        quorum: crate::metrics::QuorumTracker::new(&scenario.quorums),
        fault_specs: Vec::new(),
        processed: 0,
        cp: super::control_plane::ControlPlane::new(streams.stream("api-conflicts")),
        census: std::env::var_os("KUBESIM_CENSUS").map(|_| Default::default()),
    };
    world.adc.max_wait_for_unmount_ms = scenario.timings.attach_detach_max_wait_for_unmount_ms;
    switch_mutants(&mut world);
    add_nodes(&mut world, &streams);
    for loaded in &scenario.objects {
        add_object(&mut world, loaded)?;
    }
    add_clients(&mut world)?;
    let plan = crate::faults::plan::plan(&scenario.faults, scenario.duration_ms, &streams);
    for (at_ms, i) in plan {
        world.schedule(SimTime(at_ms), Ev::Fault(i))?;
    }
    world.notify()?;
    Ok(world)
}

/// The scenario's `testing.mutant`, if any, switched on in its controller (testing the checker only).
fn switch_mutants(world: &mut World) {
    use crate::scenario::Mutant;
    let t = world.scenario.testing;
    world.nlc.force_delete_pods = t.is(Mutant::NodeLifecycleForceDelete);
    world.rsc.no_expectations = t.is(Mutant::ReplicaSetNoExpectations);
    world.adc.fixed_timer = t.is(Mutant::AttachDetachFixedTimer);
}

/// The scheduling queue's timings from the scenario's.
fn queue_config(t: &crate::scenario::Timings) -> crate::scheduler::QueueConfig {
    crate::scheduler::QueueConfig {
        initial_backoff_ms: t.scheduler_backoff_initial_ms,
        max_backoff_ms: t.scheduler_backoff_max_ms,
        max_in_unschedulable_ms: t.scheduler_max_in_unschedulable_ms,
        flush_period_ms: t.scheduler_unschedulable_flush_ms,
    }
}

fn add_nodes(world: &mut World, streams: &Streams) {
    let mut phases = streams.stream("kubelet-relist-phase");
    let mut leases = streams.stream("node-lease");
    for spec in &world.scenario.nodes {
        let mut labels = spec.labels.clone();
        labels.insert("kubernetes.io/hostname".into(), spec.name.clone());
        if let Some(zone) = &spec.zone {
            labels.insert("topology.kubernetes.io/zone".into(), zone.clone());
        }
        let meta = world.store.new_meta(&spec.name, "", labels, SimTime::ZERO);
        let node = Node {
            meta,
            cpu_milli: spec.cpu_milli,
            memory_bytes: spec.memory_bytes,
            pods: spec.pods,
            taints: spec.taints.clone(),
            unschedulable: spec.unschedulable,
            ready: true,
            volumes_in_use: Vec::new(),
            images: Vec::new(),
        };
        let id = world.store.add_node(node);
        // The kubelet's Lease renewals, each node at its own phase within the 10 s interval.
        let since = SimTime(leases.random_range(0..crate::api::node_health::LEASE_RENEW_MS));
        let heartbeat = Heartbeat::Renewing { since };
        world.store.apply(
            Write::Node(NodeWrite::SetHeartbeat {
                node: id,
                heartbeat,
            }),
            SimTime::ZERO,
        );
        let period = world.scenario.timings.pleg_relist_period_ms.max(1);
        world
            .kubelets
            .push(Kubelet::new(id, phases.random_range(0..period)));
    }
}

fn default_class(world: &World) -> Option<String> {
    world.scenario.objects.iter().find_map(|l| match &l.object {
        Object::StorageClass(sc) => {
            let ann = sc.metadata.annotations.as_ref()?;
            let default = [
                "storageclass.kubernetes.io/is-default-class",
                "storageclass.beta.kubernetes.io/is-default-class",
            ]
            .iter()
            .any(|k| ann.get(*k).map(String::as_str) == Some("true"));
            default.then(|| sc.metadata.name.clone()).flatten()
        }
        _ => None,
    })
}

fn add_object(world: &mut World, loaded: &crate::manifest::Loaded) -> Result<(), RunError> {
    let now = SimTime::ZERO;
    match &loaded.object {
        Object::Deployment(d) => {
            let meta = convert::meta(&mut world.store, &d.metadata, now);
            world.store.add_deployment(convert::deployment(d, meta));
        }
        Object::Service(s) => {
            let meta = convert::meta(&mut world.store, &s.metadata, now);
            world.store.add_service(convert::service(s, meta));
        }
        Object::PersistentVolumeClaim(c) => {
            let meta = convert::meta(&mut world.store, &c.metadata, now);
            let class = default_class(world);
            world
                .store
                .add_claim(convert::claim(c, meta, class.as_deref()));
        }
        Object::StatefulSet(s) => {
            let meta = convert::meta(&mut world.store, &s.metadata, now);
            let class = default_class(world);
            let set = convert::stateful_set(s, meta, class.as_deref());
            world.store.add_stateful_set(set);
        }
        Object::PersistentVolume(v) => {
            let mut meta = convert::meta(&mut world.store, &v.metadata, now);
            meta.namespace.clear();
            world.store.add_volume(convert::volume(v, meta));
        }
        Object::StorageClass(c) => {
            let class = convert::storage_class(c);
            world
                .store
                .storage_classes
                .insert(class.name.clone(), class);
        }
        Object::PodDisruptionBudget(p) => {
            let meta = convert::meta(&mut world.store, &p.metadata, now);
            world.store.add_pdb(convert::pdb(p, meta));
        }
        Object::DaemonSet(d) => {
            let meta = convert::meta(&mut world.store, &d.metadata, now);
            world.store.add_daemon_set(convert::daemon_set(d, meta));
        }
        Object::Job(j) => {
            let meta = convert::meta(&mut world.store, &j.metadata, now);
            world.store.add_job(convert::job(j, meta));
        }
        Object::Pod(p) => {
            // A bare Pod: no owner; the scheduler and the kubelet treat it like any other.
            let meta = convert::meta(&mut world.store, &p.metadata, now);
            let spec = convert::pod_spec(p.spec.as_ref());
            world.store.create_pod_with_meta(meta, spec);
        }
        // Node manifests are among the scenario's nodes (scenario/manifest_nodes.rs).
        Object::Node(_) | Object::ConfigMap(_) | Object::Secret(_) => {}
        other => {
            return Err(RunError::Unsupported {
                file: loaded.source.clone(),
                kind: other.kind(),
            })
        }
    }
    Ok(())
}

fn add_clients(world: &mut World) -> Result<(), RunError> {
    for (i, spec) in world.scenario.traffic.iter().enumerate() {
        let svc = (0..world.store.services.len() as u32).map(SvcId).find(|s| {
            let m = &world.store.services[s.index()].meta;
            m.name == spec.service && m.namespace == spec.namespace
        });
        let svc = svc.ok_or_else(|| RunError::NoService(spec.service.clone()))?;
        world.clients.specs.push(spec.clone());
        world.clients.services.push(svc);
        world.schedule(SimTime(spec.start_ms), Ev::Client(ClientTimer::Send(i)))?;
    }
    Ok(())
}
