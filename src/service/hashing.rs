//! Password hashing on a few dedicated threads with a bounded queue.
//!
//! An argon2id hash takes ~19 MiB and tens of milliseconds of one core, and
//! sign-in is open to anyone: unbounded, 200 simultaneous sign-ins took
//! 3.9 GB and starved every other request. Here at most one hash runs per
//! core (one thread each), at most [`QUEUE_PER_THREAD`] per thread wait, and
//! anything beyond is refused at once with `503` and `Retry-After`
//! ([`AppError::Busy`]). Running on the same few threads also keeps the
//! allocator's per-thread arenas — where freed hash memory lingers — to those
//! few, so memory stays bounded after a burst. A request given up by its
//! client still finishes its hash on the worker (the work is never
//! duplicated or left running unbounded).
//!
//! Parameters: argon2id v19, m = 19 MiB, t = 2, p = 1 (the `argon2` crate's
//! defaults, OWASP's first recommended setting): about 40 ms on one core of
//! this 2-core machine; hashes made with other parameters still verify, as
//! the parameters are stored in each PHC string.

use std::cell::{Cell, RefCell};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Mutex, PoisonError};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

use crate::error::AppError;

/// Waiting jobs allowed per hashing thread before new ones are refused.
pub const QUEUE_PER_THREAD: usize = 16;

type Job = Box<dyn FnOnce() + Send>;

/// The hashing threads and their queue.
#[derive(Clone)]
pub struct Hasher {
    jobs: SyncSender<Job>,
    peak: Arc<AtomicUsize>,
    threads: usize,
}

impl std::fmt::Debug for Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hasher")
            .field("threads", &self.threads)
            .finish_non_exhaustive()
    }
}

impl Hasher {
    /// One thread per core.
    pub fn per_core() -> Hasher {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        Hasher::start(cores)
    }

    pub fn start(threads: usize) -> Hasher {
        let threads = threads.max(1);
        let (jobs, queue) = sync_channel::<Job>(threads * QUEUE_PER_THREAD);
        let queue = Arc::new(Mutex::new(queue));
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        for n in 0..threads {
            let (queue, running, peak) = (queue.clone(), running.clone(), peak.clone());
            let spawned = std::thread::Builder::new()
                .name(format!("hash-{n}"))
                .spawn(move || work(&queue, &running, &peak));
            if let Err(e) = spawned {
                tracing::error!(error = %e, "could not start a hashing thread");
            }
        }
        Hasher {
            jobs,
            peak,
            threads,
        }
    }

    /// Runs `f` (a hash or a verification) on a hashing thread; `Busy` when
    /// the queue is full.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        self.submit(f)?
            .await
            .map_err(|_| AppError::Internal(anyhow::anyhow!("hashing job lost")))
    }

    /// Queues `f` now (refused when the queue is full); its answer arrives
    /// on the returned channel.
    fn submit<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<tokio::sync::oneshot::Receiver<T>, AppError> {
        let (done, answer) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = done.send(f());
        });
        match self.jobs.try_send(job) {
            Ok(()) => Ok(answer),
            Err(TrySendError::Full(_)) => {
                metrics::counter!("password_hashing_refused_total").increment(1);
                tracing::warn!("password hashing queue full; refusing");
                Err(AppError::Busy)
            }
            Err(TrySendError::Disconnected(_)) => Err(AppError::Internal(anyhow::anyhow!(
                "hashing threads stopped"
            ))),
        }
    }

    /// The most hashes that ever ran at once (operations and tests).
    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::SeqCst)
    }

    pub fn threads(&self) -> usize {
        self.threads
    }
}

fn work(queue: &Mutex<Receiver<Job>>, running: &AtomicUsize, peak: &AtomicUsize) {
    KEEP_MEMORY.set(true);
    loop {
        let job = {
            let queue = queue.lock().unwrap_or_else(PoisonError::into_inner);
            match queue.recv() {
                Ok(job) => job,
                Err(_) => return,
            }
        };
        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
        peak.fetch_max(now, Ordering::SeqCst);
        job();
        running.fetch_sub(1, Ordering::SeqCst);
    }
}

thread_local! {
    /// A hashing thread keeps its argon2 memory from one hash to the next:
    /// allocated once (19 MiB), never freed and handed back to the allocator
    /// in pieces it would keep anyway.
    static KEEP_MEMORY: Cell<bool> = const { Cell::new(false) };
    static MEMORY: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` with `blocks` argon2 blocks: the thread's kept ones on a hashing
/// thread, fresh ones elsewhere (start-up, the command line).
fn with_memory<T>(blocks: usize, f: impl FnOnce(&mut [Block]) -> T) -> T {
    if !KEEP_MEMORY.get() {
        return f(&mut vec![Block::default(); blocks]);
    }
    MEMORY.with_borrow_mut(|memory| {
        if memory.len() < blocks {
            memory.resize(blocks, Block::default());
        }
        f(&mut memory[..blocks])
    })
}

/// Hashes `password` with argon2id (default parameters) and a random salt,
/// as a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`).
pub fn hash_password(password: &str) -> Result<String, AppError> {
    let failed = |e: &dyn std::fmt::Display| AppError::Internal(anyhow::anyhow!("hashing: {e}"));
    let params = Params::default();
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt
        .as_salt()
        .decode_b64(&mut salt_bytes)
        .map_err(|e| failed(&e))?;
    let len = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
    let output = Output::init_with(len, |out| {
        with_memory(params.block_count(), |memory| {
            argon.hash_password_into_with_memory(password.as_bytes(), salt_bytes, out, memory)
        })
        .map_err(|_| argon2::password_hash::Error::Crypto)
    })
    .map_err(|e| failed(&e))?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| failed(&e))?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches the PHC string `phc` (any argon2 variant and
/// parameters it names); the comparison is constant-time.
pub fn verify_password(password: &str, phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    let (Ok(algorithm), Ok(params)) = (
        Algorithm::try_from(parsed.algorithm),
        Params::try_from(&parsed),
    ) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from) {
        None => Version::V0x13,
        Some(Ok(v)) => v,
        Some(Err(_)) => return false,
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt_bytes) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let argon = Argon2::new(algorithm, version, params.clone());
    let mut out = vec![0u8; expected.len()];
    let hashed = with_memory(params.block_count(), |memory| {
        argon.hash_password_into_with_memory(password.as_bytes(), salt_bytes, &mut out, memory)
    });
    // `Output`'s equality is constant-time.
    hashed.is_ok() && Output::new(&out).is_ok_and(|o| o == expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_so_do_hashes_made_elsewhere() {
        use argon2::PasswordHasher;
        let phc = hash_password("correct horse").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify_password("correct horse", &phc));
        assert!(!verify_password("correct horsE", &phc));
        assert!(!verify_password("correct horse", "not a hash"));
        // Made by the stock hasher with other parameters: still verifies.
        let salt = SaltString::generate(&mut OsRng);
        let other = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8_192, 3, 1, None).unwrap(),
        )
        .hash_password(b"old password", &salt)
        .unwrap()
        .to_string();
        assert!(verify_password("old password", &other));
        assert!(!verify_password("new password", &other));
        // And on a hashing thread, with its kept memory, twice.
        KEEP_MEMORY.set(true);
        assert!(verify_password("old password", &other));
        assert!(verify_password("correct horse", &phc));
        assert!(!verify_password("wrong", &phc));
    }

    #[tokio::test]
    async fn at_most_one_job_a_thread_runs_and_a_full_queue_refuses() {
        let hasher = Hasher::start(2);
        let (release, gate) = std::sync::mpsc::channel::<()>();
        let gate = Arc::new(Mutex::new(gate));
        let held = || {
            let gate = gate.clone();
            move || {
                let _ = gate.lock().unwrap().recv();
            }
        };
        let mut answers = Vec::new();
        // One job for each thread, held there…
        for _ in 0..2 {
            answers.push(hasher.submit(held()).unwrap());
        }
        while hasher.peak() < 2 {
            tokio::task::yield_now().await;
        }
        // …then a full queue, then a refusal.
        for _ in 0..2 * QUEUE_PER_THREAD {
            answers.push(hasher.submit(held()).unwrap());
        }
        assert!(matches!(hasher.submit(|| ()), Err(AppError::Busy)));
        for _ in 0..answers.len() {
            release.send(()).unwrap();
        }
        for answer in answers {
            answer.await.unwrap();
        }
        assert_eq!(hasher.peak(), 2, "never more than one a thread");
        assert_eq!(hasher.run(|| 7).await.unwrap(), 7, "room again");
    }
}
