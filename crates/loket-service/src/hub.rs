//! Live events: new messages and state changes pushed to the customer's widget and to agents'
//! consoles in this process.
//!
//! Each conversation has its own broadcast channel, created on first subscription and dropped
//! when its last subscriber leaves, so an idle widget costs one small channel and a message
//! wakes only the subscribers of its own conversation. Staff consoles share one channel.
//! Subscribers that fall behind get `Lagged` and re-read from the store by seq, so nothing is
//! lost: the store is the truth, the hub only says "look now".
//!
//! With several instances on one PostgreSQL database, each instance also hears the changes the
//! others commit (LISTEN/NOTIFY, ids only) and hands them to [`Hub::relay`], which re-reads the
//! messages from the store and publishes them here, so a customer and an agent connected to
//! different instances see each other live.

use std::collections::HashMap;
use std::sync::Mutex;

use loket_core::{ConversationId, ConversationState, StoredMessage};
use loket_store::Store;
use tokio::sync::broadcast;

/// Capacity of a conversation's channel. A broadcast channel allocates every slot up front, and
/// an idle widget keeps its conversation's channel alive, so this is memory per open stream: 64
/// slots of whole messages were about 15 KiB of the 37 KiB an idle stream cost (`loket bench
/// idle`); now 16 slots of shared pointers. A turn publishes two or three events; a stream that
/// falls further behind gets `Lagged` and catches up from the store by seq, so nothing is lost.
const CONVERSATION_CAPACITY: usize = 16;
/// Capacity of the staff channel.
const STAFF_CAPACITY: usize = 1024;

/// Something that happened in one conversation.
#[derive(Debug, Clone, PartialEq)]
pub enum LiveEvent {
    /// A message was stored. Shared, so the channel's slots stay small (they are allocated up
    /// front for every open stream).
    Message(std::sync::Arc<StoredMessage>),
    /// The state changed.
    State(ConversationState),
    /// The verified part of an answer that is still being written (issue 8): every sentence in
    /// it passed the grounding verifier and the output guard. Not stored; the stored answer
    /// follows as a [`LiveEvent::Message`]. `None` withdraws the draft (the approved answer is
    /// sent instead). Reaches only the widgets connected to this instance.
    Draft(Option<std::sync::Arc<str>>),
}

/// Something staff consoles want to know.
#[derive(Debug, Clone, PartialEq)]
pub enum StaffEvent {
    /// The queue changed (a conversation joined or left it).
    QueueChanged,
    /// A message was stored in a conversation.
    Message(StoredMessage),
    /// A conversation's state changed.
    State(ConversationId, ConversationState),
    /// A ticket was created.
    TicketCreated,
}

/// A change another instance committed on the shared database, announced by ids only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemoteChange {
    /// Messages `first_seq..=last_seq` were stored (none when `first_seq > last_seq`), the
    /// state changed to `state` when set, and a ticket was created when `ticket`.
    Committed {
        /// The conversation.
        conversation: ConversationId,
        /// The first stored seq.
        first_seq: i64,
        /// The last stored seq.
        last_seq: i64,
        /// The new state, when it changed.
        state: Option<ConversationState>,
        /// A ticket was created.
        ticket: bool,
    },
    /// The conversation was erased: its live streams end.
    Erased(ConversationId),
}

/// Most messages one relayed change re-reads; a subscriber that misses more catches up by seq.
const RELAY_MESSAGES: i64 = 500;

/// The in-process publisher.
#[derive(Debug)]
pub struct Hub {
    conversations: Mutex<HashMap<ConversationId, broadcast::Sender<LiveEvent>>>,
    staff: broadcast::Sender<StaffEvent>,
}

impl Default for Hub {
    fn default() -> Self {
        Self {
            conversations: Mutex::new(HashMap::new()),
            staff: broadcast::channel(STAFF_CAPACITY).0,
        }
    }
}

impl Hub {
    /// Subscribes to one conversation's events.
    pub fn subscribe(&self, id: &ConversationId) -> broadcast::Receiver<LiveEvent> {
        let mut conversations = self
            .conversations
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        conversations.retain(|_, sender| sender.receiver_count() > 0);
        conversations
            .entry(id.clone())
            .or_insert_with(|| broadcast::channel(CONVERSATION_CAPACITY).0)
            .subscribe()
    }

    /// Subscribes to staff events.
    pub fn subscribe_staff(&self) -> broadcast::Receiver<StaffEvent> {
        self.staff.subscribe()
    }

    /// True when someone (the customer's widget) follows this conversation live.
    pub fn is_followed(&self, id: &ConversationId) -> bool {
        let conversations = self
            .conversations
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        conversations.get(id).is_some_and(|sender| sender.receiver_count() > 0)
    }

    /// Closes a conversation's channel after it was erased: its live streams end.
    pub fn forget(&self, id: &ConversationId) {
        let mut conversations = self
            .conversations
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        conversations.remove(id);
        drop(conversations);
        self.notify_staff(StaffEvent::QueueChanged);
    }

    /// Number of conversation channels with subscribers (a gauge for metrics).
    pub fn live_conversations(&self) -> usize {
        let conversations = self
            .conversations
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        conversations
            .values()
            .filter(|sender| sender.receiver_count() > 0)
            .count()
    }

    /// Publishes stored messages and, if it changed, the new state.
    pub fn publish(&self, id: &ConversationId, messages: &[StoredMessage], state: Option<ConversationState>) {
        if let Some(sender) = self.sender(id) {
            for message in messages {
                // An error only means nobody listens right now; they re-read from the store.
                let _ = sender.send(LiveEvent::Message(std::sync::Arc::new(message.clone())));
            }
            if let Some(state) = state {
                let _ = sender.send(LiveEvent::State(state));
            }
        }
        if self.staff.receiver_count() > 0 {
            for message in messages {
                let _ = self.staff.send(StaffEvent::Message(message.clone()));
            }
            if let Some(state) = state {
                let _ = self.staff.send(StaffEvent::State(id.clone(), state));
            }
        }
    }

    /// Shows the verified part of an answer being written to the conversation's widget, or
    /// withdraws it (`None`).
    pub fn publish_draft(&self, id: &ConversationId, text: Option<&str>) {
        if let Some(sender) = self.sender(id) {
            let _ = sender.send(LiveEvent::Draft(text.map(std::sync::Arc::from)));
        }
    }

    /// The conversation's channel, if anyone follows it (the lock is not held while sending).
    fn sender(&self, id: &ConversationId) -> Option<broadcast::Sender<LiveEvent>> {
        let conversations = self
            .conversations
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        conversations.get(id).cloned()
    }

    /// Tells staff consoles something changed.
    pub fn notify_staff(&self, event: StaffEvent) {
        let _ = self.staff.send(event);
    }

    /// Publishes here a change another instance committed. The notice carries ids only, so the
    /// messages are re-read from the store, and only when someone on this instance follows the
    /// conversation or a staff console is open: an instance nobody watches reads nothing.
    pub async fn relay(&self, store: &dyn Store, change: RemoteChange) -> loket_store::Result<()> {
        match change {
            RemoteChange::Erased(id) => self.forget(&id),
            RemoteChange::Committed {
                conversation,
                first_seq,
                last_seq,
                state,
                ticket,
            } => {
                if !self.is_followed(&conversation) && self.staff.receiver_count() == 0 {
                    return Ok(());
                }
                let count = (last_seq - first_seq + 1).clamp(0, RELAY_MESSAGES);
                let messages = if count > 0 {
                    store
                        .messages(&conversation, first_seq - 1, u32::try_from(count).unwrap_or(0))
                        .await?
                } else {
                    Vec::new()
                };
                self.publish(&conversation, &messages, state);
                if state.is_some() {
                    self.notify_staff(StaffEvent::QueueChanged);
                }
                if ticket {
                    self.notify_staff(StaffEvent::TicketCreated);
                }
            }
        }
        Ok(())
    }
}
