//! Pipes grouped by priority (1 = highest … 16), served round robin within
//! a priority: the structure behind fair queuing and load balancing.

use std::sync::Arc;

use crate::pipe::{Pipe, PipeId};

const PRIORITIES: usize = 16;

#[derive(Default)]
pub struct PriorityRing {
    by_prio: [Vec<Arc<dyn Pipe>>; PRIORITIES],
    /// Where the next round robin scan starts, per priority.
    cursor: [usize; PRIORITIES],
}

impl PriorityRing {
    pub fn add(&mut self, pipe: Arc<dyn Pipe>, priority: u8) {
        let slot = (priority.clamp(1, PRIORITIES as u8) - 1) as usize;
        self.by_prio[slot].push(pipe);
    }

    pub fn remove(&mut self, id: PipeId) {
        for (p, pipes) in self.by_prio.iter_mut().enumerate() {
            if let Some(i) = pipes.iter().position(|x| x.id() == id) {
                pipes.remove(i);
                if self.cursor[p] > i {
                    self.cursor[p] -= 1;
                }
                return;
            }
        }
    }

    /// Offers each pipe in turn — highest priority first, round robin within
    /// a priority, starting after the last one served — to `try_pipe`, until
    /// it returns something; the next scan then starts after that pipe.
    pub fn serve<T>(&mut self, mut try_pipe: impl FnMut(&Arc<dyn Pipe>) -> Option<T>) -> Option<T> {
        for (p, pipes) in self.by_prio.iter().enumerate() {
            let n = pipes.len();
            for k in 0..n {
                let i = (self.cursor[p] + k) % n;
                if let Some(v) = try_pipe(&pipes[i]) {
                    self.cursor[p] = (i + 1) % n;
                    return Some(v);
                }
            }
        }
        None
    }

    /// Like `serve`, but offers only the first pipe in turn that `eligible`
    /// accepts; the scan moves on past it only if `try_pipe` returns
    /// something.
    pub fn serve_first<T>(
        &mut self,
        eligible: impl Fn(&Arc<dyn Pipe>) -> bool,
        try_pipe: impl FnOnce(&Arc<dyn Pipe>) -> Option<T>,
    ) -> Option<T> {
        for (p, pipes) in self.by_prio.iter().enumerate() {
            let n = pipes.len();
            for k in 0..n {
                let i = (self.cursor[p] + k) % n;
                if eligible(&pipes[i]) {
                    let v = try_pipe(&pipes[i])?;
                    self.cursor[p] = (i + 1) % n;
                    return Some(v);
                }
            }
        }
        None
    }

    /// The pipes, highest priority first.
    pub fn pipes(&self) -> impl Iterator<Item = &Arc<dyn Pipe>> {
        self.by_prio.iter().flatten()
    }

    /// The priority (1–16) of the first pipe that satisfies `ok`.
    pub fn first_priority(&self, ok: impl Fn(&Arc<dyn Pipe>) -> bool) -> Option<u8> {
        self.by_prio
            .iter()
            .position(|pipes| pipes.iter().any(&ok))
            .map(|i| i as u8 + 1)
    }

    pub fn close_all(&mut self) {
        for p in self.by_prio.iter_mut().flat_map(std::mem::take) {
            p.close();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::Msg;

    struct Fake(PipeId);
    impl Pipe for Fake {
        fn id(&self) -> PipeId {
            self.0
        }
        fn send(&self, m: Msg) -> Result<(), Msg> {
            Err(m)
        }
        fn recv(&self) -> Option<Msg> {
            None
        }
        fn can_send(&self) -> bool {
            false
        }
        fn can_recv(&self) -> bool {
            false
        }
        fn close(&self) {}
    }

    fn ring(prios: &[(PipeId, u8)]) -> PriorityRing {
        let mut r = PriorityRing::default();
        for &(id, p) in prios {
            r.add(Arc::new(Fake(id)), p);
        }
        r
    }

    #[test]
    fn round_robin_within_the_highest_priority() {
        let mut r = ring(&[(1, 8), (2, 8), (3, 8), (4, 9)]);
        let order: Vec<PipeId> = (0..6).map(|_| r.serve(|p| Some(p.id())).unwrap()).collect();
        assert_eq!(order, vec![1, 2, 3, 1, 2, 3]);
    }

    #[test]
    fn lower_priorities_serve_only_when_higher_ones_cannot() {
        let mut r = ring(&[(1, 2), (2, 5), (3, 5)]);
        assert_eq!(r.serve(|p| Some(p.id())), Some(1));
        let busy = |p: &Arc<dyn Pipe>| (p.id() != 1).then_some(p.id());
        assert_eq!(r.serve(busy), Some(2));
        assert_eq!(r.serve(busy), Some(3));
        assert_eq!(r.first_priority(|p| p.id() != 1), Some(5));
    }

    #[test]
    fn serve_first_offers_only_the_next_in_turn() {
        let mut r = ring(&[(1, 8), (2, 8), (3, 8)]);
        let eligible = |p: &Arc<dyn Pipe>| p.id() != 2;
        // Pipe 1 is next; refusing leaves the turn where it was.
        assert_eq!(r.serve_first(eligible, |_| None::<PipeId>), None);
        assert_eq!(r.serve_first(eligible, |p| Some(p.id())), Some(1));
        // 2 is not eligible: 3 is next, then 1 again.
        assert_eq!(r.serve_first(eligible, |p| Some(p.id())), Some(3));
        assert_eq!(r.serve(|p| Some(p.id())), Some(1));
    }

    #[test]
    fn removal_keeps_the_rotation_fair() {
        let mut r = ring(&[(1, 8), (2, 8), (3, 8)]);
        assert_eq!(r.serve(|p| Some(p.id())), Some(1));
        assert_eq!(r.serve(|p| Some(p.id())), Some(2));
        r.remove(1);
        assert_eq!(r.serve(|p| Some(p.id())), Some(3));
        assert_eq!(r.serve(|p| Some(p.id())), Some(2));
        assert_eq!(r.serve(|_: &Arc<dyn Pipe>| None::<()>), None);
    }
}
