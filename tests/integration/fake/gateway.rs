//! The gateway websocket of the fake Discord.
//!
//! Each connection ([`upgrade`] then `run`) sends HELLO, then answers IDENTIFY (op 2) with READY
//! and a GUILD_CREATE for the fake guild, RESUME (op 6) with RESUMED, and heartbeats (op 1)
//! with op 11, and echoes close frames. The live connection's outgoing queue sits in
//! `State::conn`; [`send_dispatch`] and [`close`] push frames into it. Sequence numbers
//! continue across a resume and restart at 1 for each fresh IDENTIFY.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::State as AxumState;
use axum::response::Response;
use serde_json::{json, Value};
use tokio::sync::mpsc;

use super::{lock, payloads, Outgoing, State};

/// Heartbeat interval announced in HELLO (Discord's usual value).
const HEARTBEAT_INTERVAL_MS: u64 = 41_250;

pub async fn upgrade(ws: WebSocketUpgrade, AxumState(state): AxumState<Arc<State>>) -> Response {
    ws.on_upgrade(move |socket| run(socket, state))
}

/// Queues a dispatch on the live connection with the next sequence number.
pub fn send_dispatch(state: &State, event: &str, d: Value) {
    let conn = lock(&state.conn).clone();
    let Some((_, tx)) = conn else {
        panic!("fake Discord: no live gateway connection to send {event} on");
    };
    let s = state.seq.fetch_add(1, Ordering::SeqCst) + 1;
    let frame = json!({ "op": 0, "t": event, "s": s, "d": d });
    if tx.send(Outgoing::Text(frame.to_string())).is_err() {
        panic!("fake Discord: the gateway connection closed before {event} could be sent");
    }
}

/// Sends a non-dispatch op on the live connection (7 Reconnect, 9 Invalid Session) and marks
/// the gateway as not live: the client is expected to come back.
pub fn send_op(state: &State, op: u8, d: Value) {
    // Not live before the op leaves: the client may come back (and be live again) before this
    // function returns.
    let Some((_, tx)) = lock(&state.conn).take() else {
        panic!("fake Discord: no live gateway connection to send op {op} on");
    };
    state.progress.send_modify(|p| p.live = false);
    let frame = json!({ "op": op, "d": d, "s": null, "t": null });
    if tx.send(Outgoing::Text(frame.to_string())).is_err() {
        panic!("fake Discord: the gateway connection closed before op {op} could be sent");
    }
}

/// Closes the live connection with `code` and marks the gateway as not live.
pub fn close(state: &State, code: u16) {
    if let Some((_, tx)) = lock(&state.conn).take() {
        let _ = tx.send(Outgoing::Close(code));
    }
    state.progress.send_modify(|p| p.live = false);
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
    // This connection is over; if it was the live one, the gateway is no longer live.
    let mut conn = lock(&state.conn);
    if conn.as_ref().is_some_and(|(id, _)| *id == conn_id) {
        *conn = None;
        drop(conn);
        state.progress.send_modify(|p| {
            if p.conn == conn_id {
                p.live = false;
            }
        });
    }
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
    let session_id = format!("fake-session-{}", state.snowflake());
    *lock(&state.session_id) = session_id.clone();
    state.seq.store(0, Ordering::SeqCst);
    *lock(&state.conn) = Some((conn_id, tx.clone()));
    state.progress.send_modify(|p| p.identifies += 1);

    let ready = payloads::ready(state.port, &session_id);
    let guild = payloads::guild_create();
    for (event, d) in [("READY", ready), ("GUILD_CREATE", guild)] {
        if let Some(problem) = payloads::dispatch_error(event, &d) {
            state.violation(problem);
            return;
        }
        send_dispatch(state, event, d);
    }

    state.progress.send_modify(|p| {
        p.readies += 1;
        p.live = true;
        p.conn = conn_id;
    });
}

fn resume(state: &Arc<State>, conn_id: u64, tx: &mpsc::UnboundedSender<Outgoing>, d: &Value) {
    let expected = lock(&state.session_id).clone();
    if d["session_id"].as_str() != Some(expected.as_str()) {
        state.violation(format!(
            "gateway: RESUME with session_id {} but the session is {expected:?}",
            d["session_id"]
        ));
    }
    *lock(&state.conn) = Some((conn_id, tx.clone()));
    send_dispatch(state, "RESUMED", json!({ "_trace": ["fake-discord"] }));
    state.progress.send_modify(|p| {
        p.resumes += 1;
        p.live = true;
        p.conn = conn_id;
    });
}
