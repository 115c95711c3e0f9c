//! Open WebSockets per credential on this instance: one leaked or hostile credential cannot hold
//! thousands of sockets (each costs memory and a bus subscription).

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

#[derive(Debug, Default)]
pub struct SocketSlots {
    open: Mutex<HashMap<String, usize>>,
}

/// One socket's place in its credential's count; giving it back happens on drop.
#[derive(Debug)]
pub struct SocketSlot {
    slots: Arc<SocketSlots>,
    key: String,
}

impl SocketSlots {
    /// A slot for `key` if it holds fewer than `max` sockets.
    pub fn take(self: &Arc<Self>, key: &str, max: usize) -> Option<SocketSlot> {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let count = open.entry(key.to_owned()).or_default();
        if *count >= max {
            return None;
        }
        *count += 1;
        Some(SocketSlot {
            slots: Arc::clone(self),
            key: key.to_owned(),
        })
    }
}

impl Drop for SocketSlot {
    fn drop(&mut self) {
        let mut open = self.slots.open.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(count) = open.get_mut(&self.key) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_credential_holds_at_most_max_sockets_and_closing_frees_one() {
        let slots = Arc::new(SocketSlots::default());
        let first = slots.take("user:a", 2).unwrap();
        let _second = slots.take("user:a", 2).unwrap();
        assert!(slots.take("user:a", 2).is_none());
        assert!(
            slots.take("user:b", 2).is_some(),
            "others have their own count"
        );
        drop(first);
        assert!(slots.take("user:a", 2).is_some());
    }

    #[test]
    fn counts_are_forgotten_at_zero() {
        let slots = Arc::new(SocketSlots::default());
        drop(slots.take("user:a", 1).unwrap());
        assert!(slots.open.lock().unwrap().is_empty());
    }
}
