//! Scheduler benchmark: one scheduling cycle (PreFilter, Filter, Score, pick) for one pod over N nodes.
//!
//! Run with `cargo bench --bench scheduler` (add `-- --quick` for a rougher pass, or `-- 5000` for one
//! size). The cluster has N nodes in 3 zones with 10 running pods each, a fifth of them behind the
//! Service `web`; the pod being placed is one more `web` pod, so the default profile's plugins all
//! run, PodTopologySpread's system default constraints included. Each iteration queues the pod and
//! runs `Scheduler::schedule` on it; the binding it returns is not applied, so every iteration
//! places the same pod into the same cluster. One element is one node examined.

#[path = "common/cluster.rs"]
mod cluster;

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use kubesim::api::NodeId;
use kubesim::engine::SimTime;
use kubesim::scheduler::Scheduler;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::time::Duration;

/// Node counts to measure.
const SIZES: [usize; 3] = [100, 1_000, 5_000];
/// Running pods on every node.
const PODS_PER_NODE: usize = 10;

fn schedule_one(c: &mut Criterion) {
    let mut group = c.benchmark_group("scheduler_one_pod");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    for &n in &SIZES {
        let mut store = cluster::with_nodes(n);
        cluster::add_service(&mut store, "web");
        for i in 0..n * PODS_PER_NODE {
            let app = if i % 5 == 0 { "web" } else { "batch" };
            let pod = cluster::add_pod(&mut store, &format!("p-{i}"), app);
            cluster::run_on(&mut store, pod, NodeId((i % n) as u32), true);
        }
        let pod = cluster::add_pod(&mut store, "web-new", "web");
        let mut scheduler = Scheduler::default();
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let now = SimTime(1_000);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter(|| {
                scheduler.queue.add(pod, now).expect("the queue has room");
                let fx = scheduler.schedule(&store, pod, &mut rng, now);
                assert_eq!(fx.writes.len(), 1, "the pod is bound");
                black_box(fx)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, schedule_one);
criterion_main!(benches);
