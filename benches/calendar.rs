//! Event-calendar benchmark: the "hold" model at steady state, for the data structure choice.
//!
//! Run with `cargo bench --bench calendar` (add `-- --quick` for a faster, rougher pass, or a
//! filter such as `-- 1000000` to run one size). It decides which structure backs
//! `kubesim::engine::Calendar`: the real calendar (a `std` `BinaryHeap` keyed by `(time, seq)`
//! with lazy cancellation) is compared with a bare `BinaryHeap<Reverse<(u64, u64, u32)>>` (the
//! floor: what the calendar's bookkeeping costs) and with `priority_queue::PriorityQueue` (the
//! crate behind the work queues, which supports changing priorities but pays for its index).
//!
//! The hold model: N events are pending; each step pops the earliest (at time `t`) and schedules
//! a new one at `t + d`, `d` uniform in 1..=10_000 ms, so the calendar stays at N entries. One
//! step is one "element", so criterion reports events per second. Every structure is filled once
//! per benchmark, outside the timed loop and never refilled: the same state carries over
//! between iterations, samples and warm-up.
//! Increments come from a seeded ChaCha8 stream, precomputed so the RNG is not timed.

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use kubesim::engine::{Calendar, SimTime};
use priority_queue::PriorityQueue;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::Duration;

/// Pending-event counts to measure.
const SIZES: [usize; 4] = [1_000, 10_000, 100_000, 1_000_000];
/// Largest increment between an event and the one it schedules, in milliseconds.
const MAX_INCREMENT_MS: u64 = 10_000;
/// Precomputed increments, cycled through (a power of two, so the wrap is a mask).
const TABLE_LEN: usize = 1 << 16;
/// Seed of the ChaCha8 stream ("kubesim" in ASCII).
const SEED: u64 = 0x006b_7562_6573_696d;

/// Initial event times and the increments used by the hold steps, the same for every structure.
struct Workload {
    initial: Vec<u64>,
    increments: Vec<u64>,
}

impl Workload {
    fn new(n: usize) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(SEED);
        let initial = (0..n)
            .map(|_| rng.random_range(0..MAX_INCREMENT_MS))
            .collect();
        let increments = (0..TABLE_LEN)
            .map(|_| rng.random_range(1..=MAX_INCREMENT_MS))
            .collect();
        Workload {
            initial,
            increments,
        }
    }
}

/// Cycles through the precomputed increments.
struct Increments<'a> {
    table: &'a [u64],
    next: usize,
}

impl<'a> Increments<'a> {
    fn new(table: &'a [u64]) -> Self {
        Increments { table, next: 0 }
    }

    #[inline]
    fn next(&mut self) -> u64 {
        let d = self.table[self.next];
        self.next = (self.next + 1) & (TABLE_LEN - 1);
        d
    }
}

fn hold(c: &mut Criterion) {
    let mut group = c.benchmark_group("calendar_hold");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .throughput(Throughput::Elements(1));

    for &n in &SIZES {
        let work = Workload::new(n);

        // Each structure is filled here, once: criterion calls the closure once per sample and
        // per warm-up round, so the state lives outside it and carries over between calls.

        // (a) The real calendar.
        let mut cal: Calendar<u32> = Calendar::new(usize::MAX);
        for (i, &t) in work.initial.iter().enumerate() {
            cal.schedule(SimTime(t), i as u32).expect("no limit");
        }
        let mut inc = Increments::new(&work.increments);
        group.bench_function(BenchmarkId::new("kubesim_Calendar", n), |b| {
            b.iter(|| {
                let (t, ev) = cal.pop_until(SimTime::NEVER).expect("never empty");
                cal.schedule(t.plus_ms(inc.next()), black_box(ev))
                    .expect("no limit");
            })
        });
        assert_eq!(cal.len(), n);
        drop(cal);

        // (b) A bare binary heap of (time, seq, payload).
        let mut heap: BinaryHeap<Reverse<(u64, u64, u32)>> = work
            .initial
            .iter()
            .enumerate()
            .map(|(i, &t)| Reverse((t, i as u64, i as u32)))
            .collect();
        let mut seq = n as u64;
        let mut inc = Increments::new(&work.increments);
        group.bench_function(BenchmarkId::new("std_BinaryHeap", n), |b| {
            b.iter(|| {
                let Reverse((t, _, ev)) = heap.pop().expect("never empty");
                heap.push(Reverse((t + inc.next(), seq, black_box(ev))));
                seq += 1;
            })
        });
        assert_eq!(heap.len(), n);
        drop(heap);

        // (c) priority-queue's indexed heap, keyed by seq.
        let mut pq: PriorityQueue<u64, Reverse<(u64, u64)>> = PriorityQueue::with_capacity(n);
        for (i, &t) in work.initial.iter().enumerate() {
            pq.push(i as u64, Reverse((t, i as u64)));
        }
        let mut seq = n as u64;
        let mut inc = Increments::new(&work.increments);
        group.bench_function(BenchmarkId::new("priority_queue", n), |b| {
            b.iter(|| {
                let (_, Reverse((t, _))) = pq.pop().expect("never empty");
                pq.push(seq, Reverse((t + inc.next(), seq)));
                seq += 1;
            })
        });
        assert_eq!(pq.len(), n);
    }
    group.finish();
}

criterion_group!(benches, hold);
criterion_main!(benches);
