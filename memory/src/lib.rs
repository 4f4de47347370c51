//! The process's memory: mimalloc as the allocator (see `brobygger`'s `main.rs` for why) and a
//! housekeeping thread that hands freed memory back to the system. The workspace's only
//! `unsafe` block is here: one call into mimalloc's C interface that takes no pointers.

use std::time::Duration;

pub use mimalloc::MiMalloc;

/// Starts a thread that, every `period`, asks mimalloc to return the memory it holds but no
/// longer uses (`mi_collect`). mimalloc purges freed pages only after a delay and only when a
/// thread calls into it again; without this, what the workers freed after start (each builds
/// the contract once) or after a burst of load stays resident while the threads are idle.
pub fn return_freed_memory_every(period: Duration) {
    let spawned = std::thread::Builder::new()
        .name("memory".to_owned())
        .spawn(move || {
            loop {
                std::thread::sleep(period);
                collect();
            }
        });
    if let Err(e) = spawned {
        log::warn!("the memory housekeeping thread did not start: {e}");
    }
}

/// Returns to the system what the calling thread's heap holds free, and what the arenas hold
/// free past their purge delay (a forced `mi_collect`, which visits the thread's pages). Call
/// it where a thread has just dropped much memory it will not need again soon (after building
/// its part of the application, say), or at most about once a second: its cost was not
/// measured on its own, and the benchmark runs since it was added show no loss.
#[allow(unsafe_code)]
pub fn collect() {
    // SAFETY: `mi_collect` takes no pointers and may be called from any thread at any time.
    unsafe { libmimalloc_sys::mi_collect(true) };
}
