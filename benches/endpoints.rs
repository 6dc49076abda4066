//! Endpoints benchmark: one pod of a Service with N endpoints turns Ready (or not ready), and the
//! EndpointSlice controller syncs the Service.
//!
//! Run with `cargo bench --bench endpoints` (add `-- --quick` for a rougher pass, or `-- 1000` for
//! one size). The cluster has 100 nodes and the Service's N running pods; each iteration flips one
//! pod's readiness (cycling through them), runs `endpointslice::sync` and applies the write it
//! returns, as the simulation does after a kubelet's status update.

#[path = "common/cluster.rs"]
mod cluster;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use kubesim::api::NodeId;
use kubesim::controllers::endpointslice;
use kubesim::engine::SimTime;
use std::time::Duration;

/// Endpoints of the Service.
const SIZES: [usize; 4] = [10, 100, 1_000, 10_000];
const NODES: usize = 100;

fn ready_flip(c: &mut Criterion) {
    let mut group = c.benchmark_group("endpoints_one_pod_ready");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    for &n in &SIZES {
        let mut store = cluster::with_nodes(NODES);
        let svc = cluster::add_service(&mut store, "web");
        let pods: Vec<_> = (0..n)
            .map(|i| {
                let pod = cluster::add_pod(&mut store, &format!("web-{i}"), "web");
                cluster::run_on(&mut store, pod, NodeId((i % NODES) as u32), true);
                pod
            })
            .collect();
        let mut now = SimTime(1_000);
        sync(&mut store, svc, now);
        let mut next = 0;
        group.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter(|| {
                let pod = pods[next % n];
                let ready = !store.pods[pod.index()].ready;
                now = now.plus_ms(1);
                cluster::set_ready(&mut store, pod, ready, now);
                assert_eq!(sync(&mut store, svc, now), 1, "the endpoint changed");
                next += 1;
            })
        });
    }
    group.finish();
}

/// Syncs the Service and applies what the controller wrote; returns how many writes.
fn sync(store: &mut kubesim::api::Store, svc: kubesim::api::SvcId, now: SimTime) -> usize {
    let fx = endpointslice::sync(store, svc, now);
    let writes = fx.writes.len();
    for w in fx.writes {
        store.apply(w, now);
    }
    drop(store.take_changes()); // the simulation's notify step takes them
    writes
}

criterion_group!(benches, ready_flip);
criterion_main!(benches);
