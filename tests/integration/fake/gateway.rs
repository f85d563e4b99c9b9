//! The gateway websocket of the fake Discord.
//!
//! Each connection ([`upgrade`] then `run`) sends HELLO, then answers IDENTIFY (op 2) with READY
//! and a GUILD_CREATE for the fake guild, RESUME (op 6) with RESUMED, and heartbeats (op 1)
//! with op 11, and echoes close frames. It learns shards from IDENTIFY's `shard: [id, count]`:
//! each shard has its own session, sequence and live connection (`State::conns`), the fake
//! guild arrives on its own shard (`(guild_id >> 22) % count`) and DMs on shard 0.
//! [`send_dispatch`] and [`close`] push frames into a shard's queue. Sequence numbers continue
//! across a resume and restart at 1 for each fresh IDENTIFY.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::State as AxumState;
use axum::response::Response;
use serde_json::{json, Value};
use tokio::sync::mpsc;

use super::{lock, payloads, FakeDiscord, Outgoing, State};

/// Heartbeat interval announced in HELLO (Discord's usual value).
const HEARTBEAT_INTERVAL_MS: u64 = 41_250;

pub async fn upgrade(ws: WebSocketUpgrade, AxumState(state): AxumState<Arc<State>>) -> Response {
    ws.on_upgrade(move |socket| run(socket, state))
}

/// The shard a server's events go to (Discord's rule): `(guild_id >> 22) % total`.
pub fn shard_of(guild_id: u64, total: u32) -> u32 {
    ((guild_id >> 22) % u64::from(total.max(1))) as u32
}

/// Where Discord sends a dispatch: its server's shard, or shard 0 (DMs, no server).
pub fn shard_for(state: &State, d: &Value) -> u32 {
    let guild = d["guild_id"].as_str().and_then(|g| g.parse::<u64>().ok());
    guild.map_or(0, |g| shard_of(g, state.shard_total.load(Ordering::SeqCst)))
}

/// Queues a dispatch on `shard`'s live connection with that session's next sequence number.
pub fn send_dispatch(state: &State, shard: u32, event: &str, d: Value) {
    let conn = lock(&state.conns).get(&shard).cloned();
    let Some((_, tx)) = conn else {
        panic!("fake Discord: no live gateway connection on shard {shard} to send {event} on");
    };
    let s = {
        let mut seqs = lock(&state.seqs);
        let seq = seqs.entry(shard).or_default();
        *seq += 1;
        *seq
    };
    let frame = json!({ "op": 0, "t": event, "s": s, "d": d });
    if tx.send(Outgoing::Text(frame.to_string())).is_err() {
        panic!("fake Discord: the gateway connection closed before {event} could be sent");
    }
}

/// Sends a non-dispatch op on shard 0's live connection (7 Reconnect, 9 Invalid Session) and
/// marks the gateway as not live: the client is expected to come back.
pub fn send_op(state: &State, op: u8, d: Value) {
    // Not live before the op leaves: the client may come back (and be live again) before this
    // function returns.
    let Some((_, tx)) = lock(&state.conns).remove(&0) else {
        panic!("fake Discord: no live gateway connection to send op {op} on");
    };
    refresh_live(state);
    let frame = json!({ "op": op, "d": d, "s": null, "t": null });
    if tx.send(Outgoing::Text(frame.to_string())).is_err() {
        panic!("fake Discord: the gateway connection closed before op {op} could be sent");
    }
}

/// Closes shard 0's live connection with `code` and marks the gateway as not live.
pub fn close(state: &State, code: u16) {
    if let Some((_, tx)) = lock(&state.conns).remove(&0) {
        let _ = tx.send(Outgoing::Close(code));
    }
    refresh_live(state);
}

/// The gateway is live when every shard of the total has a live connection.
fn refresh_live(state: &State) {
    // Holding the lock while publishing keeps two connections' updates in order.
    let conns = lock(&state.conns);
    let mut shards: Vec<u32> = conns.keys().copied().collect();
    shards.sort_unstable();
    state.progress.send_modify(|p| {
        p.live = shards.len() as u32 >= state.shard_total.load(Ordering::SeqCst);
        p.live_shards = shards;
    });
}

async fn run(mut socket: WebSocket, state: Arc<State>) {
    let conn_id = state.next_conn.fetch_add(1, Ordering::SeqCst);
    let (tx, mut rx) = mpsc::unbounded_channel::<Outgoing>();
    let hello = json!({ "op": 10, "d": { "heartbeat_interval": HEARTBEAT_INTERVAL_MS }, "s": null, "t": null });
    if socket
        .send(Message::Text(hello.to_string().into()))
        .await
        .is_err()
    {
        return;
    }
    loop {
        tokio::select! {
            out = rx.recv() => match out {
                Some(Outgoing::Text(text)) => {
                    if socket.send(Message::Text(text.into())).await.is_err() {
                        break;
                    }
                }
                Some(Outgoing::Close(code)) => {
                    let frame = CloseFrame { code, reason: "fake Discord closed the session".into() };
                    let _ = socket.send(Message::Close(Some(frame))).await;
                    break;
                }
                None => break,
            },
            incoming = socket.recv() => {
                let Some(Ok(msg)) = incoming else { break };
                match msg {
                    Message::Text(text) if !handle_op(&state, conn_id, &tx, text.as_str()) => break,
                    Message::Close(frame) => {
                        let _ = socket.send(Message::Close(frame)).await;
                        break;
                    }
                    _ => {}
                }
            }
        }
    }
    // This connection is over; if it was its shard's live one, that shard is not live.
    lock(&state.conns).retain(|_, (id, _)| *id != conn_id);
    refresh_live(&state);
}

/// Handles one client frame; returns false to end the connection.
fn handle_op(
    state: &Arc<State>,
    conn_id: u64,
    tx: &mpsc::UnboundedSender<Outgoing>,
    text: &str,
) -> bool {
    let frame: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            state.violation(format!("gateway: client sent non-JSON frame ({e}): {text}"));
            return false;
        }
    };
    match frame["op"].as_u64() {
        Some(1) => {
            let _ = tx.send(Outgoing::Text(
                json!({ "op": 11, "d": null, "s": null, "t": null }).to_string(),
            ));
        }
        Some(2) => identify(state, conn_id, tx, &frame["d"]),
        Some(6) => resume(state, conn_id, tx, &frame["d"]),
        // Presence updates, voice state updates, request guild members: accepted silently.
        Some(3 | 4 | 8) => {}
        other => {
            state.violation(format!("gateway: unexpected op {other:?}: {text}"));
        }
    }
    true
}

fn identify(state: &Arc<State>, conn_id: u64, tx: &mpsc::UnboundedSender<Outgoing>, d: &Value) {
    if d["token"].as_str().is_none() {
        state.violation(format!("gateway: IDENTIFY without a token: {d}"));
    }
    // `shard: [id, count]`; a client that leaves it out runs the one shard of one.
    let shard = d["shard"][0].as_u64().unwrap_or(0) as u32;
    let total = d["shard"][1].as_u64().unwrap_or(1).max(1) as u32;
    if shard >= total {
        state.violation(format!("gateway: IDENTIFY with shard {shard} of {total}"));
    }
    state.shard_total.store(total, Ordering::SeqCst);
    let session_id = format!("fake-session-{}", state.snowflake());
    lock(&state.sessions).insert(shard, session_id.clone());
    lock(&state.seqs).insert(shard, 0);
    lock(&state.conns).insert(shard, (conn_id, tx.clone()));
    state.progress.send_modify(|p| p.identifies += 1);

    // The fake guild arrives on its own shard only.
    let ours = shard_of(FakeDiscord::GUILD_ID, total) == shard;
    let ready = payloads::ready(state.port, &session_id, [shard, total], ours);
    let mut events = vec![("READY", ready)];
    if ours {
        events.push(("GUILD_CREATE", payloads::guild_create()));
    }
    for (event, d) in events {
        if let Some(problem) = payloads::dispatch_error(event, &d) {
            state.violation(problem);
            return;
        }
        send_dispatch(state, shard, event, d);
    }

    state.progress.send_modify(|p| p.readies += 1);
    refresh_live(state);
}

fn resume(state: &Arc<State>, conn_id: u64, tx: &mpsc::UnboundedSender<Outgoing>, d: &Value) {
    let asked = d["session_id"].as_str().unwrap_or_default();
    let shard = lock(&state.sessions)
        .iter()
        .find(|(_, session)| session.as_str() == asked)
        .map(|(shard, _)| *shard);
    let Some(shard) = shard else {
        state.violation(format!(
            "gateway: RESUME with session_id {asked:?}, which is no shard's session"
        ));
        return;
    };
    lock(&state.conns).insert(shard, (conn_id, tx.clone()));
    send_dispatch(
        state,
        shard,
        "RESUMED",
        json!({ "_trace": ["fake-discord"] }),
    );
    state.progress.send_modify(|p| p.resumes += 1);
    refresh_live(state);
}
