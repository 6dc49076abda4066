//! Unit tests of the StatefulSet helpers (cases after kk:pkg/controller/statefulset/stateful_set_utils_test.go).

use super::*;

fn pod(phase: PodPhase, ready: bool, available: bool, terminating: bool) -> PodView {
    PodView {
        key: 0,
        ordinal: 0,
        revision: String::new(),
        phase,
        ready,
        available,
        terminating,
    }
}

#[test]
fn pod_and_claim_names_follow_the_set_name_and_ordinal() {
    assert_eq!(pod_name("web", 0), "web-0");
    assert_eq!(claim_name("www", "web", 3), "www-web-3");
    assert_eq!(
        claim_name("redis-100m-pvc", "redis-pv-sts", 1),
        "redis-100m-pvc-redis-pv-sts-1"
    );
}

#[test]
fn the_ordinal_is_the_number_after_the_last_dash() {
    assert_eq!(parent_and_ordinal("web-0"), Some(("web", 0)));
    assert_eq!(parent_and_ordinal("my-web-12"), Some(("my-web", 12)));
    assert_eq!(parent_and_ordinal("web"), None);
    assert_eq!(parent_and_ordinal("web-"), None);
    assert_eq!(parent_and_ordinal("web-1a"), None);
    // strconv.ParseInt(..., 10, 32) fails beyond an int32: ordinal -1, no member.
    assert_eq!(parent_and_ordinal("web-2147483648"), None);
    assert!(is_member_of("web", "web-4") && !is_member_of("web", "webx-4"));
}

#[test]
fn the_ordinal_range_starts_at_the_start_ordinal() {
    assert!(in_ordinal_range(0, 0, 2) && in_ordinal_range(1, 0, 2));
    assert!(!in_ordinal_range(2, 0, 2));
    assert!(!in_ordinal_range(4, 5, 3) && in_ordinal_range(7, 5, 3) && !in_ordinal_range(8, 5, 3));
    assert!(!in_ordinal_range(0, 0, 0));
}

#[test]
fn a_pod_is_healthy_only_running_ready_and_not_terminating() {
    assert!(pod(PodPhase::Running, true, true, false).healthy());
    assert!(!pod(PodPhase::Running, true, true, true).healthy());
    assert!(!pod(PodPhase::Pending, true, true, false).healthy());
    assert!(!pod(PodPhase::Running, false, false, false).running_and_ready());
    // Ready but not yet for minReadySeconds: running and ready, not available.
    let young = pod(PodPhase::Running, true, false, false);
    assert!(young.running_and_ready() && !young.running_and_available() && young.unavailable());
    assert!(pod(PodPhase::Running, true, true, true).unavailable());
    assert!(pod(PodPhase::Failed, false, false, false).finished());
}

#[test]
fn max_unavailable_rounds_percentages_down_and_is_at_least_one() {
    assert_eq!(max_unavailable(None, 5), Some(1));
    assert_eq!(max_unavailable(Some("2"), 5), Some(2));
    assert_eq!(max_unavailable(Some("50%"), 5), Some(2));
    assert_eq!(max_unavailable(Some("10%"), 5), Some(1));
    assert_eq!(max_unavailable(Some("100%"), 4), Some(4));
    assert_eq!(max_unavailable(Some("x"), 4), None);
}

#[test]
fn revision_hashes_use_the_safe_alphabet_of_the_decimal_digits() {
    let h = revision_hash(b"template");
    assert!(!h.is_empty() && h.len() <= 10, "{h}");
    // SafeEncodeString maps '0'..'9' to 4 5 6 7 8 9 b c d f.
    assert!(h.chars().all(|c| "456789bcdf".contains(c)), "{h}");
    assert_eq!(h, revision_hash(b"template"));
    assert_ne!(h, revision_hash(b"template2"));
    assert_eq!(revision_name("web", &h), format!("web-{h}"));
}
