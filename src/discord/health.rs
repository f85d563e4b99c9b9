//! What an operator needs to see: [`Metrics`] (Prometheus counters and a reply-latency
//! histogram, from the `prometheus` crate) and, when `HEALTH_ADDR` is set, an HTTP listener
//! ([`serve`]) with `/healthz` (200 when the gateway is connected and the store answers, 503
//! otherwise) and `/metrics` (the Prometheus text format). Nothing here ever sees a draft.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use anyhow::Context as _;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use prometheus::{
    Encoder, Histogram, HistogramOpts, IntCounter, IntCounterVec, Opts, Registry, TextEncoder,
};

use crate::store::Store;

/// The bot's counters, registered in their own registry.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    /// Interactions received, by kind (`command`, `component`, `modal`, `autocomplete`).
    pub interactions: IntCounterVec,
    /// Reviews run, by surface (`slash`, `context_menu`, `modal`, `prefix`, `dm`, `coach`).
    pub reviews: IntCounterVec,
    /// Failed checks, by check id.
    pub failures: IntCounterVec,
    /// Seconds from a review interaction arriving to its reply being sent.
    pub reply_seconds: Histogram,
    /// Gateway sessions (re)established: READY and RESUMED.
    pub gateway_connects: IntCounter,
    /// Store operations that failed.
    pub store_errors: IntCounter,
    /// Whether the gateway is connected now.
    connected: Arc<AtomicBool>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// Fresh counters at zero.
    pub fn new() -> Metrics {
        let registry = Registry::new();
        // The names and labels are fixed here; registering them cannot fail.
        let counter_vec = |name: &str, help: &str, label: &str| {
            let c = IntCounterVec::new(Opts::new(name, help), &[label])
                .unwrap_or_else(|e| unreachable!("metric {name}: {e}"));
            let _ = registry.register(Box::new(c.clone()));
            c
        };
        let counter = |name: &str, help: &str| {
            let c = IntCounter::new(name, help).unwrap_or_else(|e| unreachable!("{name}: {e}"));
            let _ = registry.register(Box::new(c.clone()));
            c
        };
        let interactions = counter_vec(
            "coffee_coach_interactions_total",
            "Interactions received, by kind.",
            "kind",
        );
        let reviews = counter_vec(
            "coffee_coach_reviews_total",
            "Reviews run, by surface.",
            "surface",
        );
        let failures = counter_vec(
            "coffee_coach_check_failures_total",
            "Checks failed by reviewed drafts, by check id.",
            "check",
        );
        let reply_seconds = Histogram::with_opts(
            HistogramOpts::new(
                "coffee_coach_reply_seconds",
                "Seconds from a review interaction arriving to its reply being sent.",
            )
            .buckets(vec![
                0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
            ]),
        )
        .unwrap_or_else(|e| unreachable!("histogram: {e}"));
        let _ = registry.register(Box::new(reply_seconds.clone()));
        let gateway_connects = counter(
            "coffee_coach_gateway_connects_total",
            "Gateway sessions established or resumed (READY, RESUMED).",
        );
        let store_errors = counter(
            "coffee_coach_store_errors_total",
            "Store operations that failed.",
        );
        Metrics {
            registry,
            interactions,
            reviews,
            failures,
            reply_seconds,
            gateway_connects,
            store_errors,
            connected: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Records whether the gateway is connected (from the shard's stage).
    pub fn set_connected(&self, connected: bool) {
        self.connected.store(connected, Ordering::Relaxed);
    }

    /// Whether the gateway is connected.
    pub fn connected(&self) -> bool {
        self.connected.load(Ordering::Relaxed)
    }

    /// Everything in the Prometheus text format.
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut out) {
            tracing::warn!(error = %e, "could not encode the metrics");
        }
        String::from_utf8(out).unwrap_or_default()
    }
}

#[derive(Clone)]
struct HealthState {
    metrics: Metrics,
    store: Store,
}

/// Binds `addr` now (a clear error if it can't) and serves `/healthz` and `/metrics` on it.
pub async fn serve(addr: SocketAddr, metrics: Metrics, store: Store) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("HEALTH_ADDR: cannot listen on {addr}"))?;
    let app = axum::Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics_text))
        .with_state(HealthState { metrics, store });
    tracing::info!(%addr, "health and metrics listening");
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "the health listener stopped");
        }
    });
    Ok(())
}

async fn healthz(State(state): State<HealthState>) -> impl IntoResponse {
    let gateway = state.metrics.connected();
    let store = state.store.ping().await.is_ok();
    let body = format!(
        "gateway: {}\nstore: {}\n",
        if gateway {
            "connected"
        } else {
            "not connected"
        },
        if store { "ok" } else { "unreachable" }
    );
    let status = if gateway && store {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, body)
}

async fn metrics_text(State(state): State<HealthState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
}
