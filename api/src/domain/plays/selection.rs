//! Which matching plays a lead enters: the highest priority first, at most one exclusive play
//! running at a time, never a play the lead is already running.

use uuid::Uuid;

/// A play whose trigger fired.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    pub play_id: Uuid,
    pub priority: i32,
    pub exclusive: bool,
}

/// What the lead is running already.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Running {
    pub play_ids: Vec<Uuid>,
    pub has_exclusive: bool,
}

/// The plays to enroll the lead in, in priority order (ties: the older play, by its v7 id).
pub fn select(candidates: &[Candidate], running: &Running) -> Vec<Uuid> {
    let mut ordered: Vec<&Candidate> = candidates.iter().collect();
    ordered.sort_by(|a, b| b.priority.cmp(&a.priority).then(a.play_id.cmp(&b.play_id)));
    let mut exclusive_taken = running.has_exclusive;
    let mut chosen: Vec<Uuid> = Vec::new();
    for candidate in ordered {
        if running.play_ids.contains(&candidate.play_id) || chosen.contains(&candidate.play_id) {
            continue;
        }
        if candidate.exclusive {
            if exclusive_taken {
                continue;
            }
            exclusive_taken = true;
        }
        chosen.push(candidate.play_id);
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    fn play(priority: i32, exclusive: bool) -> Candidate {
        Candidate {
            play_id: Uuid::now_v7(),
            priority,
            exclusive,
        }
    }

    #[test]
    fn one_exclusive_play_at_a_time_highest_priority_wins() {
        let low = play(1, true);
        let high = play(9, true);
        let shared = play(5, false);
        let chosen = select(&[low, shared, high], &Running::default());
        assert_eq!(chosen, vec![high.play_id, shared.play_id]);
    }

    #[test]
    fn a_running_exclusive_play_shuts_out_new_exclusive_ones() {
        let exclusive = play(9, true);
        let shared = play(1, false);
        let running = Running {
            play_ids: vec![],
            has_exclusive: true,
        };
        assert_eq!(select(&[exclusive, shared], &running), vec![shared.play_id]);
    }

    #[test]
    fn a_play_never_enrolls_a_lead_twice_while_active() {
        let p = play(1, false);
        let running = Running {
            play_ids: vec![p.play_id],
            has_exclusive: false,
        };
        assert!(select(&[p, p], &running).is_empty());
        assert_eq!(select(&[p, p], &Running::default()), vec![p.play_id]);
    }
}
