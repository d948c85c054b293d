//! A small expiring key-value store for rate limits, refresh-token
//! revocation and idempotency keys: Redis when configured, an in-process map
//! otherwise (the embedded default). Every value has a TTL so nothing here
//! grows without bound.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use redis::aio::ConnectionManager;

/// Atomic fixed-window counter: the expiry is set only when the window opens,
/// so later hits do not extend it. Repairs a key that somehow lost its TTL.
const INCR_SCRIPT: &str = r"
local v = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if v == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {v, ttl}
";

#[derive(Clone)]
pub enum Kv {
    Memory(Arc<Mutex<MemoryKv>>),
    Redis(ConnectionManager),
}

impl std::fmt::Debug for Kv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Kv::Memory(_) => f.write_str("Kv::Memory"),
            Kv::Redis(_) => f.write_str("Kv::Redis"),
        }
    }
}

/// The in-memory backend. Expired entries are ignored on read and swept
/// now and then so abandoned keys do not accumulate.
#[derive(Default)]
pub struct MemoryKv {
    map: HashMap<String, (String, Instant)>,
    ops: u64,
}

impl MemoryKv {
    /// Live entry for `key`, dropping it if expired.
    fn live(&mut self, key: &str, now: Instant) -> Option<&mut (String, Instant)> {
        self.ops += 1;
        if self.ops.is_multiple_of(1024) {
            self.map.retain(|_, (_, exp)| *exp > now);
        }
        if self.map.get(key).is_some_and(|(_, exp)| *exp <= now) {
            self.map.remove(key);
        }
        self.map.get_mut(key)
    }
}

/// Redis wants whole milliseconds; a zero TTL would be an error there.
fn ttl_ms(ttl: Duration) -> u64 {
    u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1)
}

impl Kv {
    pub fn memory() -> Kv {
        Kv::Memory(Arc::new(Mutex::new(MemoryKv::default())))
    }

    /// Connects to Redis (e.g. `redis://127.0.0.1:6379`); the manager
    /// reconnects by itself after a dropped connection.
    pub async fn redis(url: &str) -> anyhow::Result<Kv> {
        let client = redis::Client::open(url).context("invalid Redis URL")?;
        let cm = ConnectionManager::new(client).await.context("cannot connect to Redis")?;
        Ok(Kv::Redis(cm))
    }

    fn mem(m: &Arc<Mutex<MemoryKv>>) -> std::sync::MutexGuard<'_, MemoryKv> {
        // A panic while holding the lock cannot leave the map half-updated,
        // so a poisoned lock is still safe to use.
        m.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sets `key` only if absent; true when this call created it.
    pub async fn set_nx(&self, key: &str, value: &str, ttl: Duration) -> anyhow::Result<bool> {
        match self {
            Kv::Memory(m) => {
                let now = Instant::now();
                let mut m = Self::mem(m);
                if m.live(key, now).is_some() {
                    return Ok(false);
                }
                m.map.insert(key.to_owned(), (value.to_owned(), now + ttl));
                Ok(true)
            }
            Kv::Redis(cm) => {
                let r: Option<String> = redis::cmd("SET")
                    .arg(key)
                    .arg(value)
                    .arg("NX")
                    .arg("PX")
                    .arg(ttl_ms(ttl))
                    .query_async(&mut cm.clone())
                    .await?;
                Ok(r.is_some())
            }
        }
    }

    pub async fn get(&self, key: &str) -> anyhow::Result<Option<String>> {
        match self {
            Kv::Memory(m) => Ok(Self::mem(m).live(key, Instant::now()).map(|(v, _)| v.clone())),
            Kv::Redis(cm) => Ok(redis::cmd("GET").arg(key).query_async(&mut cm.clone()).await?),
        }
    }

    /// Several keys in one round trip (MGET), answers in the same order.
    pub async fn get_many(&self, keys: &[&str]) -> anyhow::Result<Vec<Option<String>>> {
        match self {
            Kv::Memory(m) => {
                let now = Instant::now();
                let mut m = Self::mem(m);
                Ok(keys.iter().map(|k| m.live(k, now).map(|(v, _)| v.clone())).collect())
            }
            Kv::Redis(_) if keys.is_empty() => Ok(Vec::new()),
            Kv::Redis(cm) => Ok(redis::cmd("MGET").arg(keys).query_async(&mut cm.clone()).await?),
        }
    }

    pub async fn set(&self, key: &str, value: &str, ttl: Duration) -> anyhow::Result<()> {
        match self {
            Kv::Memory(m) => {
                let exp = Instant::now() + ttl;
                Self::mem(m).map.insert(key.to_owned(), (value.to_owned(), exp));
                Ok(())
            }
            Kv::Redis(cm) => {
                let _: () = redis::cmd("SET")
                    .arg(key)
                    .arg(value)
                    .arg("PX")
                    .arg(ttl_ms(ttl))
                    .query_async(&mut cm.clone())
                    .await?;
                Ok(())
            }
        }
    }

    pub async fn del(&self, key: &str) -> anyhow::Result<()> {
        match self {
            Kv::Memory(m) => {
                Self::mem(m).map.remove(key);
                Ok(())
            }
            Kv::Redis(cm) => {
                let _: i64 = redis::cmd("DEL").arg(key).query_async(&mut cm.clone()).await?;
                Ok(())
            }
        }
    }

    /// Atomically reads and deletes `key` (GETDEL): of two concurrent callers
    /// only one gets the value, which makes one-use tokens one-use.
    pub async fn take(&self, key: &str) -> anyhow::Result<Option<String>> {
        match self {
            Kv::Memory(m) => {
                let mut m = Self::mem(m);
                let live = m.live(key, Instant::now()).is_some();
                Ok(if live { m.map.remove(key).map(|(v, _)| v) } else { None })
            }
            Kv::Redis(cm) => Ok(redis::cmd("GETDEL").arg(key).query_async(&mut cm.clone()).await?),
        }
    }

    /// Fixed-window counter: increments `key`, starting a window of `ttl`
    /// when the key is new. Returns the count and the time left in the window.
    pub async fn incr(&self, key: &str, ttl: Duration) -> anyhow::Result<(i64, Duration)> {
        match self {
            Kv::Memory(m) => {
                let now = Instant::now();
                let mut m = Self::mem(m);
                if let Some((v, exp)) = m.live(key, now) {
                    let n = v.parse::<i64>().unwrap_or(0).saturating_add(1);
                    *v = n.to_string();
                    return Ok((n, exp.saturating_duration_since(now)));
                }
                m.map.insert(key.to_owned(), ("1".to_owned(), now + ttl));
                Ok((1, ttl))
            }
            Kv::Redis(cm) => {
                let (n, left): (i64, i64) =
                    redis::Script::new(INCR_SCRIPT).key(key).arg(ttl_ms(ttl)).invoke_async(&mut cm.clone()).await?;
                let left = u64::try_from(left).unwrap_or(0);
                Ok((n, Duration::from_millis(left)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{kvs, prefix, test_redis};

    async fn exercise(kv: Kv, p: &str) {
        let k = |s: &str| format!("{p}{s}");
        let long = Duration::from_secs(60);

        assert!(kv.set_nx(&k("a"), "1", long).await.unwrap());
        assert!(!kv.set_nx(&k("a"), "2", long).await.unwrap());
        assert_eq!(kv.get(&k("a")).await.unwrap().as_deref(), Some("1"));

        assert_eq!(kv.get_many(&[&k("a"), &k("none")]).await.unwrap(), vec![Some("1".to_owned()), None]);
        kv.set(&k("a"), "3", long).await.unwrap();
        assert_eq!(kv.get(&k("a")).await.unwrap().as_deref(), Some("3"));
        kv.del(&k("a")).await.unwrap();
        assert_eq!(kv.get(&k("a")).await.unwrap(), None);

        kv.set(&k("t"), "x", long).await.unwrap();
        assert_eq!(kv.take(&k("t")).await.unwrap().as_deref(), Some("x"));
        assert_eq!(kv.take(&k("t")).await.unwrap(), None);

        let (n, left) = kv.incr(&k("c"), long).await.unwrap();
        assert_eq!(n, 1);
        assert!(left <= long && left > Duration::from_secs(50));
        let (n, left2) = kv.incr(&k("c"), long).await.unwrap();
        assert_eq!(n, 2);
        assert!(left2 <= left, "a hit must not extend the window");

        // Expiry is honoured by every operation.
        let short = Duration::from_millis(50);
        kv.set(&k("e"), "x", short).await.unwrap();
        assert!(kv.set_nx(&k("n"), "x", short).await.unwrap());
        assert_eq!(kv.incr(&k("w"), short).await.unwrap().0, 1);
        tokio::time::sleep(Duration::from_millis(120)).await;
        assert_eq!(kv.get(&k("e")).await.unwrap(), None);
        assert_eq!(kv.take(&k("e")).await.unwrap(), None);
        assert!(kv.set_nx(&k("n"), "y", long).await.unwrap());
        assert_eq!(kv.incr(&k("w"), short).await.unwrap().0, 1, "a new window");
    }

    #[tokio::test]
    async fn memory_backend_honours_ttl_and_atomic_ops() {
        exercise(Kv::memory(), &prefix("kv")).await;
    }

    #[tokio::test]
    async fn redis_backend_honours_ttl_and_atomic_ops() {
        if let Some(kv) = test_redis().await {
            exercise(kv, &prefix("kv")).await;
        }
    }

    #[tokio::test]
    async fn concurrent_set_nx_has_one_winner() {
        for kv in kvs().await {
            let key = format!("{}race", prefix("kv"));
            let mut tasks = Vec::new();
            for i in 0..16 {
                let (kv, key) = (kv.clone(), key.clone());
                tasks.push(tokio::spawn(async move {
                    kv.set_nx(&key, &i.to_string(), Duration::from_secs(10)).await.unwrap()
                }));
            }
            let mut wins = 0;
            for t in tasks {
                wins += usize::from(t.await.unwrap());
            }
            assert_eq!(wins, 1, "{kv:?}");
        }
    }
}
