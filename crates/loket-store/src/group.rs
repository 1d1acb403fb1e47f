//! Group commit, shared by the backends: every chat turn is durable before it is acknowledged,
//! but one transaction (one flush) carries all the turns queued at one moment.
//!
//! A backend owns the transaction ([`run`] calls its `write` with a group of [`Turn`]s); this
//! module owns everything around it: taking the queued turns, ordering them, and what happens
//! when the database refuses one. A refused statement voids the whole transaction, so the group is
//! then written again turn by turn and the refusal reaches only its own caller. Callers hear back
//! only after the commit that holds their turn returned.

use std::future::Future;

use tokio::sync::{mpsc, oneshot};

use crate::{Commit, Error, NewConversation, Result};
use loket_core::StoredMessage;

/// Where a turn's result goes.
pub type Reply = oneshot::Sender<Result<Vec<StoredMessage>>>;

/// A chat-turn write waiting for the committer, with where its result goes.
pub enum Job {
    /// A new conversation with its first messages.
    Create(Box<NewConversation>, Reply),
    /// A change to an existing conversation.
    Commit(Box<Commit>, Reply),
}

/// A turn of a group, without its reply.
#[derive(Clone)]
pub enum Turn {
    /// A new conversation with its first messages.
    Create(Box<NewConversation>),
    /// A change to an existing conversation.
    Commit(Box<Commit>),
}

impl Turn {
    /// The conversation whose row the turn writes.
    pub fn conversation(&self) -> &str {
        match self {
            Turn::Create(new) => new.conversation.id.as_str(),
            Turn::Commit(commit) => commit.conversation.id.as_str(),
        }
    }
}

/// Each turn's result, in the group's order.
pub type TurnResults = Vec<Result<Vec<StoredMessage>>>;

/// Why a group's transaction did not commit.
pub enum GroupError {
    /// A statement was refused (a constraint, a trigger, a timeout) and the transaction was
    /// rolled back on a connection that still works: the turns can be tried again one by one.
    Refused(Error),
    /// Beginning or committing failed, or the connection did: nothing can be said about the turns
    /// beyond the error.
    Failed(Error),
}

/// The committer: until every sender is gone, takes whatever turns are queued (up to
/// `max_group`), sorts them by conversation id (so every writer takes row locks in one order),
/// writes them with `write`, and answers every caller. A stale turn is `write`'s business (it
/// answers [`Error::Conflict`] for that turn and goes on).
pub async fn run<W, F>(mut jobs: mpsc::Receiver<Job>, max_group: usize, write: W)
where
    W: Fn(Vec<Turn>) -> F,
    F: Future<Output = std::result::Result<TurnResults, GroupError>>,
{
    while let Some(first) = jobs.recv().await {
        let mut group = vec![first];
        while group.len() < max_group {
            match jobs.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        let mut pairs: Vec<(Turn, Reply)> = group
            .into_iter()
            .map(|job| match job {
                Job::Create(new, reply) => (Turn::Create(new), reply),
                Job::Commit(commit, reply) => (Turn::Commit(commit), reply),
            })
            .collect();
        pairs.sort_by(|left, right| left.0.conversation().cmp(right.0.conversation()));
        let (turns, replies): (Vec<Turn>, Vec<Reply>) = pairs.into_iter().unzip();
        match write_group(&write, turns).await {
            Ok(results) => {
                for (reply, result) in replies.into_iter().zip(results) {
                    let _ = reply.send(result);
                }
            }
            Err(error) => {
                // Nothing of the group is stored: every caller hears so.
                for reply in replies {
                    let _ = reply.send(Err(same_error(&error)));
                }
            }
        }
    }
}

/// Hands a turn to the committer behind `turns` and waits until it is durable.
pub async fn submit(turns: &mpsc::Sender<Job>, job: impl FnOnce(Reply) -> Job) -> Result<Vec<StoredMessage>> {
    let (reply, answer) = oneshot::channel();
    turns
        .send(job(reply))
        .await
        .map_err(|_| Error::Backend("the group committer has stopped".into()))?;
    answer
        .await
        .map_err(|_| Error::Backend("the group committer dropped a turn".into()))?
}

/// Writes one group and returns each turn's result in order; an error means none of the group
/// was stored. The common case is one transaction for all turns; when the database refuses a
/// statement, each turn is written alone (no savepoints: they would cost a round trip per turn to
/// serve a case that only a bug upstream or a constraint violation produces).
async fn write_group<W, F>(write: &W, turns: Vec<Turn>) -> Result<TurnResults>
where
    W: Fn(Vec<Turn>) -> F,
    F: Future<Output = std::result::Result<TurnResults, GroupError>>,
{
    let alone = turns.len() == 1;
    let retry = if alone { Vec::new() } else { turns.clone() };
    match write(turns).await {
        Ok(results) => Ok(results),
        Err(GroupError::Failed(error)) => Err(error),
        Err(GroupError::Refused(error)) if alone => Ok(vec![Err(error)]),
        Err(GroupError::Refused(_)) => {
            let mut results = Vec::with_capacity(retry.len());
            for turn in retry {
                results.push(match write(vec![turn]).await {
                    Ok(mut result) => result
                        .pop()
                        .unwrap_or_else(|| Err(Error::Backend("a turn had no result".into()))),
                    Err(GroupError::Refused(error) | GroupError::Failed(error)) => Err(error),
                });
            }
            Ok(results)
        }
    }
}

/// The same error again, for every caller of a failed group.
fn same_error(error: &Error) -> Error {
    match error {
        Error::NotFound => Error::NotFound,
        Error::Conflict => Error::Conflict,
        Error::Backend(description) => Error::Backend(description.clone()),
    }
}
