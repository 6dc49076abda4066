//! A controller's work queue: keys due at a time, where re-adding a key keeps the earlier time.
//!
//! This is client-go's delaying queue (`AddAfter`): a key waiting in the queue is never duplicated,
//! and adding it again with a later time does not postpone it
//! (k8s.io/client-go/util/workqueue/delaying_queue.go, `waitingForQueue` keeps the earlier `readyAt`).

use super::time::SimTime;
use priority_queue::PriorityQueue;
use std::cmp::Reverse;
use std::hash::Hash;

/// Keys waiting to be reconciled, each with the time it becomes due.
pub struct WorkQueue<K: Hash + Eq> {
    queue: PriorityQueue<K, Reverse<(SimTime, u64)>>,
    next_seq: u64,
}

impl<K: Hash + Eq> Default for WorkQueue<K> {
    fn default() -> Self {
        WorkQueue {
            queue: PriorityQueue::new(),
            next_seq: 0,
        }
    }
}

impl<K: Hash + Eq + Clone> WorkQueue<K> {
    /// Adds `key` due at `at`; if it is already waiting, it keeps whichever time is earlier.
    pub fn add_after(&mut self, key: K, at: SimTime) {
        let seq = self.next_seq;
        self.next_seq += 1;
        match self.queue.get_priority(&key) {
            Some(Reverse((due, _))) if *due <= at => {}
            Some(_) => {
                self.queue.change_priority(&key, Reverse((at, seq)));
            }
            None => {
                self.queue.push(key, Reverse((at, seq)));
            }
        }
    }

    /// The time the earliest key becomes due.
    pub fn next_due(&self) -> Option<SimTime> {
        self.queue.peek().map(|(_, Reverse((at, _)))| *at)
    }

    /// Removes and returns the earliest key if it is due at or before `now`.
    pub fn pop_due(&mut self, now: SimTime) -> Option<K> {
        match self.next_due() {
            Some(at) if at <= now => self.queue.pop().map(|(k, _)| k),
            _ => None,
        }
    }

    /// Number of keys waiting.
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    /// True when no key is waiting.
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn re_adding_a_key_keeps_the_earlier_time() {
        let mut q = WorkQueue::default();
        q.add_after("rs", SimTime(10));
        q.add_after("rs", SimTime(50));
        assert_eq!(q.len(), 1);
        assert_eq!(q.next_due(), Some(SimTime(10)));
        q.add_after("rs", SimTime(3));
        assert_eq!(q.next_due(), Some(SimTime(3)));
    }

    #[test]
    fn keys_come_out_when_due_and_in_time_order() {
        let mut q = WorkQueue::default();
        q.add_after("b", SimTime(5));
        q.add_after("a", SimTime(2));
        assert_eq!(q.pop_due(SimTime(1)), None);
        assert_eq!(q.pop_due(SimTime(5)), Some("a"));
        assert_eq!(q.pop_due(SimTime(5)), Some("b"));
        assert!(q.is_empty());
    }
}
