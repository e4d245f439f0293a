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

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Mutex, PoisonError};

use crate::error::AppError;

/// Waiting jobs allowed per hashing thread before new ones are refused.
pub const QUEUE_PER_THREAD: usize = 16;

type Job = Box<dyn FnOnce() + Send>;

/// The hashing threads and their queue.
#[derive(Clone)]
pub struct Hasher {
    jobs: SyncSender<Job>,
    running: Arc<AtomicUsize>,
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
            running,
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

    /// Hashes running right now.
    pub fn running(&self) -> usize {
        self.running.load(Ordering::SeqCst)
    }
}

fn work(queue: &Mutex<Receiver<Job>>, running: &AtomicUsize, peak: &AtomicUsize) {
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

#[cfg(test)]
mod tests {
    use super::*;

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
