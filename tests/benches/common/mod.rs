//! What the REST benchmarks share: settings from the environment, a load
//! loop, and the table row of its figures.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

pub fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// `| name | per second | p50 ms | p99 ms |`
pub fn row(name: &str, mut lat: Vec<Duration>, elapsed: Duration) -> String {
    lat.sort();
    let pct = |p: f64| lat[((lat.len() as f64 * p).ceil() as usize).clamp(1, lat.len()) - 1].as_secs_f64() * 1000.0;
    format!("| {name} | {:.1} | {:.2} | {:.2} |", lat.len() as f64 / elapsed.as_secs_f64(), pct(0.5), pct(0.99))
}

/// Runs `op` from `concurrency` tasks for `seconds`; answers latencies and elapsed time.
pub async fn load<F, Fut>(concurrency: u64, seconds: u64, op: F) -> (Vec<Duration>, Duration)
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let op = Arc::new(op);
    let start = Instant::now();
    let end = start + Duration::from_secs(seconds);
    let tasks: Vec<_> = (0..concurrency)
        .map(|worker| {
            let op = op.clone();
            tokio::spawn(async move {
                let mut lat = Vec::new();
                while Instant::now() < end {
                    let t = Instant::now();
                    op(worker).await;
                    lat.push(t.elapsed());
                }
                lat
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    (all, start.elapsed())
}
