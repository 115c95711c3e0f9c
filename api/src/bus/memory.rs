//! The embedded default: one process, one broadcast channel.

use tokio::sync::broadcast;

use super::{async_trait_free::BoxFuture, Bus, BusError, BusMessage, LOCAL_CAPACITY};

pub struct MemoryBus {
    sender: broadcast::Sender<BusMessage>,
}

impl MemoryBus {
    pub fn new() -> Self {
        Self {
            sender: broadcast::channel(LOCAL_CAPACITY).0,
        }
    }
}

impl Default for MemoryBus {
    fn default() -> Self {
        Self::new()
    }
}

impl Bus for MemoryBus {
    fn publish(&self, message: BusMessage) -> BoxFuture<'_, Result<(), BusError>> {
        // No receiver is not an error: nobody is listening right now.
        let _ = self.sender.send(message);
        Box::pin(async { Ok(()) })
    }

    fn subscribe(&self) -> broadcast::Receiver<BusMessage> {
        self.sender.subscribe()
    }

    fn check(&self) -> BoxFuture<'_, Result<(), BusError>> {
        Box::pin(async { Ok(()) })
    }

    fn name(&self) -> &'static str {
        "memory"
    }
}
