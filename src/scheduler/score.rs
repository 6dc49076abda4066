//! Scoring the feasible nodes: each score plugin's scores, normalized as the plugin does, times its weight in
//! the default profile (kk:pkg/scheduler/apis/config/v1/default_plugins.go), summed
//! (kk:pkg/scheduler/framework/runtime/framework.go `RunScorePlugins`).

use super::cycle::Cycle;
use super::{interpod_affinity, node_affinity, plugins, spread_score};
use crate::api::NodeId;

/// NodeAffinity's weight.
const NODE_AFFINITY_WEIGHT: i64 = 2;
/// PodTopologySpread's weight.
const POD_TOPOLOGY_SPREAD_WEIGHT: i64 = 2;
/// InterPodAffinity's weight.
const INTER_POD_AFFINITY_WEIGHT: i64 = 2;

/// The total score of each feasible node. NodeResourcesFit, BalancedAllocation and ImageLocality (weight 1
/// each) come from `plugins::NodeScorer`; TaintToleration (weight 3) is the same on every node of the model (no
/// PreferNoSchedule taints) and left out. A plugin whose PreScore skips adds nothing.
pub fn totals(cycle: &Cycle, feasible: &[NodeId]) -> Vec<i64> {
    let (store, pod) = (cycle.store, cycle.pod);
    let scorer = plugins::NodeScorer::new(cycle);
    let mut totals: Vec<i64> = feasible.iter().map(|n| scorer.score(*n) as i64).collect();
    if !pod.spec.affinity.node.preferred.is_empty() {
        let mut s: Vec<i64> = feasible
            .iter()
            .map(|n| node_affinity::score(pod, cycle.labels(*n)))
            .collect();
        node_affinity::normalize(&mut s);
        add(&mut totals, &s, NODE_AFFINITY_WEIGHT);
    }
    if let Some(state) = spread_score::pre_score(store, pod, feasible) {
        let mut s: Vec<i64> = feasible
            .iter()
            .map(|n| spread_score::score(&state, store, *n))
            .collect();
        spread_score::normalize(&state, feasible, &mut s);
        add(&mut totals, &s, POD_TOPOLOGY_SPREAD_WEIGHT);
    }
    if let Some(topo) = interpod_affinity::pre_score(store, pod) {
        let mut s: Vec<i64> = feasible
            .iter()
            .map(|n| interpod_affinity::score(&topo, cycle.labels(*n)))
            .collect();
        interpod_affinity::normalize(&mut s);
        add(&mut totals, &s, INTER_POD_AFFINITY_WEIGHT);
    }
    totals
}

fn add(totals: &mut [i64], scores: &[i64], weight: i64) {
    totals
        .iter_mut()
        .zip(scores)
        .for_each(|(t, s)| *t += weight * s);
}
